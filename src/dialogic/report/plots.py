"""The report's figures: matplotlib drawn to SVG text, inlined into the HTML.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``), never pyplot, so
no GUI backend or global figure state is involved and a batch of reports leaks no figures. The
SVG keeps text as text (``svg.fonttype = none``: no embedded glyphs, the page's sans-serif font
draws it), never parses ``$…$`` as mathematics (participant ids and tags are data, not markup),
and takes each figure's own name as the hash salt of its clip-path ids, so that several figures
inlined into one page never share an id and the same data always gives the same bytes.

Every function takes records read from the views and returns one ``<svg>`` element as text; the
data are never recomputed here, only drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import wraps

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from dialogic.report.formatting import ROLE_COLOURS, ROLE_ORDER, TAG_TITLES, clock, role_title
from dialogic.report.view_rows import (
    EvidenceItem,
    Quantiles,
    RoleShare,
    TagHit,
    Transition,
    Utterance,
    VoiceShare,
    WindowShare,
)

WIDTH_IN = 9.0
_RC = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titlelocation": "left",
}
_TIME_FORMAT = FuncFormatter(lambda x, _pos: clock(x))
_TIME_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def _time_axis(ax, end_s: float, label: str = "time in the recording (mm:ss)") -> None:
    """An x axis in mm:ss with ticks on round times (every 10 s, 1 min, 5 min …), about 6–12 of them."""
    end_s = max(end_s, 1.0)
    step = next((s for s in _TIME_STEPS_S if end_s / s <= 12), _TIME_STEPS_S[-1])
    ax.set_xlim(0, end_s)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(_TIME_FORMAT)
    ax.set_xlabel(label)


_SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _figure(name: str):
    """Decorate a function that draws on a new Figure: run it under the report's rc settings and
    return its SVG text. ``name`` salts the SVG's ids (unique per figure of a page)."""

    def decorate(draw: Callable[..., Figure]) -> Callable[..., str]:
        @wraps(draw)
        def wrapper(*args, **kwargs) -> str:
            with matplotlib.rc_context({**_RC, "svg.hashsalt": f"dialogic-{name}"}):
                figure = draw(*args, **kwargs)
                buffer = io.StringIO()
                figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
            return _inline(buffer.getvalue(), name)

        return wrapper

    return decorate


def _inline(svg: str, name: str) -> str:
    # The XML declaration and DOCTYPE are for a stand-alone file; inside HTML the <svg> element is enough.
    svg = svg[svg.index("<svg") :]
    return re.sub(r"^<svg ", f'<svg class="plot" data-plot="{name}" role="img" ', svg, count=1)


def _empty(figure: Figure, ax, message: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    return figure


def _roles_present(roles: Sequence[str]) -> list[str]:
    seen = set(roles)
    return [r for r in ROLE_ORDER if r in seen] + sorted(seen - set(ROLE_ORDER))


def _role_legend(ax, roles: Sequence[str], **kwargs) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=ROLE_COLOURS.get(r, "#333333"), label=role_title(r)) for r in _roles_present(roles)]
    if handles:
        ax.legend(handles=handles, frameon=False, **kwargs)


def note(name: str, message: str) -> str:
    """A figure that only says why there is nothing to draw (no times, no speech)."""

    @_figure(name)
    def draw() -> Figure:
        figure = Figure(figsize=(WIDTH_IN, 0.8))
        return _empty(figure, figure.subplots(), message)

    return draw()


# --- one meeting ------------------------------------------------------------------------------


def _voice_label(voice: VoiceShare, names: dict[str, str] | None) -> str:
    # people.display_name for a participant; an unmapped voice's id already says it ('unmapped:S4')
    if names and voice.voice_id in names:
        return names[voice.voice_id]
    return voice.voice_id if voice.role == "unknown" else f"{voice.voice_id} ({role_title(voice.role)})"


@_figure("timeline")
def speaking_timeline(
    voices: Sequence[VoiceShare], utterances: Sequence[Utterance], end_s: float, names: dict[str, str] | None = None
) -> Figure:
    """One row per voice (silent registered participants too), a bar per utterance, coloured by role."""
    height = 0.8 + 0.32 * max(len(voices), 1)
    figure = Figure(figsize=(WIDTH_IN, height))
    ax = figure.subplots()
    if not voices:
        return _empty(figure, ax, "no voices")
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for u in utterances:
        spans[u.voice_id].append((u.start_s, max(u.end_s - u.start_s, 0.0)))
    # the most talkative voice on top
    for row, voice in enumerate(reversed(voices)):
        ax.broken_barh(spans.get(voice.voice_id, []), (row - 0.38, 0.76), color=ROLE_COLOURS.get(voice.role, "#333"))
    ax.set_yticks(range(len(voices)), [_voice_label(v, names) for v in reversed(voices)])
    ax.set_ylim(-0.6, len(voices) - 0.4)
    _time_axis(ax, end_s)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return figure


@_figure("tags-over-time")
def tags_over_time(tag_hits: Sequence[TagHit], end_s: float, tags: Sequence[str]) -> Figure:
    """One row per tag, a mark at each utterance the current tagger labelled, coloured by the speaker's role."""
    figure = Figure(figsize=(WIDTH_IN, 0.8 + 0.34 * len(tags)))
    ax = figure.subplots()
    rows = {tag: i for i, tag in enumerate(reversed(tags))}
    for hit in tag_hits:
        if hit.tag in rows:
            ax.broken_barh(
                [(hit.start_s, max(hit.end_s - hit.start_s, end_s / 400))],
                (rows[hit.tag] - 0.35, 0.7),
                color=ROLE_COLOURS.get(hit.role, "#333"),
            )
    ax.set_yticks(
        range(len(tags)), [f"{TAG_TITLES.get(t, t)} ({sum(h.tag == t for h in tag_hits)})" for t in reversed(tags)]
    )
    ax.set_ylim(-0.6, len(tags) - 0.4)
    _time_axis(ax, end_s)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    _role_legend(ax, [h.role for h in tag_hits], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return figure


@_figure("voice-share")
def voice_share(
    voices: Sequence[VoiceShare], roles: Sequence[RoleShare], names: dict[str, str] | None = None
) -> Figure:
    """Share of speaking time by person (left) and by role (right), in % of the meeting's speech;
    share of words where no time is known (an imported transcript without times)."""
    by_words = all(item.speech_pct is None for item in [*voices, *roles])
    height = 0.9 + 0.3 * max(len(voices), len(roles), 1)
    figure = Figure(figsize=(WIDTH_IN, height))
    left, right = figure.subplots(1, 2, gridspec_kw={"wspace": 0.9})
    for ax, items, labels, title in (
        (left, voices, [_voice_label(v, names) for v in voices], "by person"),
        (right, roles, [role_title(r.role) for r in roles], "by role"),
    ):
        values = [item.words_pct if by_words else item.speech_pct for item in items]
        positions = range(len(items))[::-1]
        ax.barh(
            list(positions),
            [v or 0.0 for v in values],
            color=[ROLE_COLOURS.get(i.role, "#333") for i in items],
        )
        for y, value in zip(positions, values):
            ax.text((value or 0.0) + 1, y, "—" if value is None else f"{value:.1f} %", va="center", fontsize=8)
        ax.set_yticks(list(positions), labels)
        ax.set_xlim(0, 110)
        ax.set_xlabel("share of words (%; no times)" if by_words else "share of speaking time (%)")
        ax.set_title(title)
    return figure


@_figure("window-share")
def window_share(windows: Sequence[WindowShare], end_s: float | None = None) -> Figure:
    """Each role's share of the speech in every 2-minute window, stacked to 100 %. With the
    meeting's ``end_s``, the last window is drawn only as far as the meeting goes."""
    figure = Figure(figsize=(WIDTH_IN, 2.6))
    ax = figure.subplots()
    if not windows:
        return _empty(figure, ax, "no speech")
    starts = sorted({w.window_start_s for w in windows})
    width = windows[0].window_end_s - windows[0].window_start_s
    bottom = dict.fromkeys(starts, 0.0)
    end = max(end_s or 0.0, 0.0) or starts[-1] + width
    widths = [max(min(width, end - s), width / 50) * 0.92 for s in starts]
    for role in _roles_present([w.role for w in windows]):
        shares = {w.window_start_s: w.speech_pct for w in windows if w.role == role}
        heights = [shares.get(s) or 0.0 for s in starts]
        ax.bar(
            starts,
            heights,
            width=widths,
            align="edge",
            bottom=[bottom[s] for s in starts],
            color=ROLE_COLOURS.get(role, "#333"),
            label=role_title(role),
        )
        for s, h in zip(starts, heights):
            bottom[s] += h
    ax.set_ylim(0, 100)
    ax.set_ylabel("share of the window's speech (%)")
    last = "" if end >= starts[-1] + width else f", the last cut at the meeting's end ({clock(end)})"
    _time_axis(ax, max(end, starts[-1] + 1.0), f"time in the recording (mm:ss); windows of {clock(width)}{last}")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return figure


@_figure("role-transitions")
def role_transitions(transitions: Sequence[Transition]) -> Figure:
    """Who speaks after whom: speaking turns by the column's role directly after the row's role."""
    figure = Figure(figsize=(5.5, 3.6))
    ax = figure.subplots()
    if not transitions:
        return _empty(figure, ax, "fewer than two speaking turns")
    roles = _roles_present([t.from_role for t in transitions] + [t.to_role for t in transitions])
    index = {r: i for i, r in enumerate(roles)}
    counts = [[0] * len(roles) for _ in roles]
    for t in transitions:
        counts[index[t.from_role]][index[t.to_role]] = t.transition_count
    ax.imshow(counts, cmap="Blues", aspect="auto")
    top = max(max(row) for row in counts) or 1
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > top / 2 else "black")
    ax.set_xticks(range(len(roles)), [role_title(r) for r in roles], rotation=30, ha="right")
    ax.set_yticks(range(len(roles)), [role_title(r) for r in roles])
    ax.set_xlabel("next speaking turn by")
    ax.set_ylabel("speaking turn by")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return figure


@_figure("option5")
def option5_items(items: Sequence[EvidenceItem]) -> Figure:
    """The five items of the tag-based OPTION-5-style indicator, 0–4 each."""
    figure = Figure(figsize=(6.0, 2.2))
    ax = figure.subplots()
    positions = list(range(len(items)))[::-1]
    ax.barh(positions, [i.score for i in items], color="#0072B2")
    for y, item in zip(positions, items):
        ax.text(item.score + 0.05, y, f"{item.score} ({len(item.evidence)} utterances)", va="center", fontsize=8)
    ax.set_yticks(positions, [f"{i.number}. {i.name.split('_', 1)[1].replace('_', ' ')}" for i in items])
    ax.set_xlim(0, 5.5)
    ax.set_xticks(range(5))
    ax.set_xlabel("item score (0–4 = evidence utterances, capped at 4)")
    return figure


# --- the study --------------------------------------------------------------------------------


def _bxp_stats(quantiles: Sequence[Quantiles], label: Callable[[str], str]) -> list[dict]:
    return [
        {
            "label": f"{label(q.group)}\nn={q.n:,}",
            "med": q.median,
            "q1": q.q25,
            "q3": q.q75,
            "whislo": q.q05,
            "whishi": q.q95,
            "mean": q.mean,
            "fliers": [],
        }
        for q in quantiles
        if q.n and q.median is not None
    ]


def _value_text(value: float) -> str:
    """A drawn value's label: one decimal, as the tables print it."""
    return f"{value:,.1f}"


def _boxes(name: str, quantiles: Sequence[Quantiles], ylabel: str, label: Callable[[str], str] = str, colours=None):
    """One box per group of ``SMALL_N`` values or more; below that the values themselves, each
    point labelled with its value, and the median as a short line: a box over two values hides
    both, and a box over one is drawn as nothing."""

    @_figure(name)
    def draw() -> Figure:
        kept = [q for q in quantiles if q.n and q.median is not None]
        figure = Figure(figsize=(max(4.5, 0.9 * len(kept) + 1.5), 3.2))
        ax = figure.subplots()
        if not kept:
            return _empty(figure, ax, "no meetings")
        stats = _bxp_stats(kept, label)
        positions = list(range(1, len(kept) + 1))
        boxed = [(pos, st, q) for pos, st, q in zip(positions, stats, kept) if not q.small]
        if boxed:
            boxes = ax.bxp(
                [st for _, st, _ in boxed],
                positions=[pos for pos, _, _ in boxed],
                showmeans=True,
                patch_artist=True,
                meanprops={"marker": "D", "markersize": 4},
            )
            for patch, (_, _, q) in zip(boxes["boxes"], boxed):
                patch.set_facecolor((colours or {}).get(q.group, "#9ecae1"))
                patch.set_alpha(0.8)
            for median in boxes["medians"]:
                median.set_color("black")
        for pos, q in zip(positions, kept):
            if not q.small:
                continue
            colour = (colours or {}).get(q.group, "#0072B2")
            ax.scatter([pos] * len(q.values), q.values, color=colour, edgecolor="black", linewidth=0.5, zorder=3, s=22)
            ax.hlines(q.median, pos - 0.3, pos - 0.06, color="black", linewidth=1.2)  # left: labels go right
            for value in q.values:
                ax.annotate(
                    _value_text(value), (pos, value), xytext=(6, 0), textcoords="offset points", fontsize=7, va="center"
                )
        ax.set_xticks(positions, [st["label"] for st in stats])
        ax.set_xlim(0.4, len(kept) + 0.6)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return figure

    return draw()


def role_share_boxes(quantiles: Sequence[Quantiles]) -> str:
    """Distribution over meetings of each role's share of speaking time."""
    return _boxes("study-role-share", quantiles, "share of speaking time (%)", role_title, ROLE_COLOURS)


def site_boxes(name: str, quantiles: Sequence[Quantiles], ylabel: str) -> str:
    """Distribution over meetings of one figure, one box per site."""
    return _boxes(name, quantiles, ylabel, lambda s: s or "(no site)")


@_figure("study-months")
def meetings_per_month(counts: Sequence[tuple[dt.date, str | None, int]]) -> Figure:
    """Meetings recorded per month, stacked by site."""
    figure = Figure(figsize=(WIDTH_IN, 2.8))
    ax = figure.subplots()
    if not counts:
        return _empty(figure, ax, "no dated meetings")
    months = sorted({m for m, _, _ in counts})
    sites = sorted({s for _, s, _ in counts}, key=lambda s: (s is None, s or ""))
    bottom = dict.fromkeys(months, 0)
    for k, site in enumerate(sites):
        values = {m: n for m, s, n in counts if s == site}
        heights = [values.get(m, 0) for m in months]
        ax.bar(
            months,
            heights,
            width=25,
            align="edge",
            bottom=[bottom[m] for m in months],
            color=_SERIES_COLOURS[k % len(_SERIES_COLOURS)],
            label=site or "(no site)",
        )
        for m, h in zip(months, heights):
            bottom[m] += h
    ax.set_ylabel("meetings")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="site")
    figure.autofmt_xdate()
    return figure


@_figure("study-month-share")
def monthly_quantiles(quantiles: Sequence[Quantiles], ylabel: str) -> Figure:
    """Median by month with the interquartile range as a band (months as 'YYYY-MM' groups); where
    a month has fewer than ``SMALL_N`` meetings, no band at all and each meeting as a labelled point."""
    figure = Figure(figsize=(WIDTH_IN, 2.8))
    ax = figure.subplots()
    kept = [q for q in quantiles if q.n and q.median is not None]
    if not kept:
        return _empty(figure, ax, "no dated meetings")
    months = [dt.date.fromisoformat(q.group + "-01") for q in kept]
    if all(not q.small for q in kept) and len(kept) > 1:
        ax.fill_between(
            months,
            [q.q25 for q in kept],
            [q.q75 for q in kept],
            color="#D55E00",
            alpha=0.25,
            label="25th–75th percentile",
        )
    # a month of fewer than SMALL_N meetings shows its meetings, not a band
    for month, q in zip(months, kept):
        if q.small:
            ax.scatter(
                [month] * len(q.values), q.values, color="#D55E00", edgecolor="black", linewidth=0.5, s=18, zorder=3
            )
            for value in q.values:
                ax.annotate(
                    _value_text(value),
                    (month, value),
                    xytext=(5, 0),
                    textcoords="offset points",
                    fontsize=7,
                    va="center",
                )
    line = "-" if len(kept) > 1 else "none"
    ax.plot(
        months, [q.median for q in kept], color="#D55E00", marker="_", markersize=12, linestyle=line, label="median"
    )
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.autofmt_xdate()
    return figure


@_figure("study-score")
def score_histogram(histogram: Sequence[tuple[str, float, int]]) -> Figure:
    """Meetings per 5-point bin of the OPTION-5-style indicator, one series per tagger version."""
    figure = Figure(figsize=(WIDTH_IN, 2.8))
    ax = figure.subplots()
    if not histogram:
        return _empty(figure, ax, "no tagged meetings")
    versions = sorted({v for v, _, _ in histogram})
    width = 5.0 / len(versions)
    for k, version in enumerate(versions):
        bins = [(b, n) for v, b, n in histogram if v == version]
        ax.bar(
            [b + k * width for b, _ in bins],
            [n for _, n in bins],
            width=width * 0.95,
            align="edge",
            color=_SERIES_COLOURS[k % len(_SERIES_COLOURS)],
            label=version,
        )
    ax.set_xlim(0, 105)
    ax.set_xlabel("indicator score (0–100, bins of 5; computed from tags, not an OPTION-5 rating)")
    ax.set_ylabel("meetings")
    ax.legend(frameon=False, fontsize=8, title="tagger version", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


@_figure("study-tag-rates")
def tag_rates(rates: Sequence[tuple[str, str, str, int, float]], tags: Sequence[str]) -> Figure:
    """Utterances labelled with each tag per hour of the role's own speech, pooled over meetings."""
    figure = Figure(figsize=(WIDTH_IN, 3.0))
    ax = figure.subplots()
    if not rates:
        return _empty(figure, ax, "no tagged meetings")
    versions = sorted({v for v, *_ in rates})
    roles = _roles_present([r for _, _, r, _, _ in rates])
    groups = [(v, t) for v in versions for t in tags]
    width = 0.8 / max(len(roles), 1)
    for k, role in enumerate(roles):
        values = {(v, t): rate for v, t, r, _, rate in rates if r == role}
        ax.bar(
            [i + k * width for i in range(len(groups))],
            [values.get(g) or 0.0 for g in groups],
            width=width,
            color=ROLE_COLOURS.get(role, "#333"),
            label=role_title(role),
        )
    labels = [TAG_TITLES.get(t, t) + (f"\n{v}" if len(versions) > 1 else "") for v, t in groups]
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))], labels)
    ax.set_ylabel("labelled utterances per speech hour")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure
