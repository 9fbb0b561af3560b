"""The validation report: dialogic's measured error on a study's own meetings.

From a validation sample's blind ratings (`validation_item_truth`), per tag: prevalence,
precision, recall, specificity, F1 and Cohen's κ of the model against the raters' consensus,
each with a 95 % interval that respects the sampling design (strata and weights; see
``dialogic.validation.intervals``); the human ceiling (the two raters' κ and Krippendorff's α); and each
meeting's tag count corrected for the measured error (Rogan–Gladen). The figures are stored in
``validation_estimates`` so that the views (``tag_validation_status``) and exports carry them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import asdict, dataclass, field

import duckdb
import numpy as np

from dialogic.errors import LookupFailed
from dialogic.tagging.codebook import TAGS
from dialogic.validation.queue import latest_sample
from dialogic.validation.reliability import (
    alpha_estimate,
    rater_kappa,
)
from dialogic.validation.settings import tag_statuses
from dialogic.validation.speakers import SpeakerValidation, speaker_validation
from dialogic.validation.stats import (
    Estimate,
    corrected_prevalence_estimate,
    estimate_agreement,
)
from dialogic.validation.transcripts import TranscriptValidation, transcript_validation


@dataclass
class TagReport:
    tag: str
    decided: int  # items with a consensus
    pending: dict[str, int]  # status -> items (incomplete, needs adjudication)
    adjudicated: int
    model_vs_consensus: dict[str, Estimate]
    rater_kappa: Estimate  # the human ceiling: rater vs rater
    rater_alpha: Estimate
    meetings: list[dict] = field(default_factory=list)  # per meeting: utterances, tagged, corrected count


@dataclass
class ValidationReport:
    sample_id: str | None  # None: no tag sample yet, only speaker checks
    tagger_model_version: str | None
    items: int
    population: int
    design: str
    seed: int
    n_resamples: int
    computed_at: str
    tags: list[TagReport]
    option5: dict[str, Estimate] = field(default_factory=dict)  # meeting level: proxy vs raters, raters' ceiling
    transcripts: TranscriptValidation | None = None  # who said what, and what was said
    statuses: dict[str, str] = field(default_factory=dict)  # tag -> status as recorded (tag_validation_status)
    speakers: SpeakerValidation | None = None  # the latest speaker-check sample's voice-share error

    def to_dict(self) -> dict:
        return asdict(self)


def validation_report(
    con: duckdb.DuckDBPyConnection, sample_id: str | None = None, *, seed: int = 0, n_resamples: int = 2000
) -> ValidationReport:
    """Compute the report for ``sample_id`` (default: the latest sample). Raises LookupFailed
    when there is no sample; figures that cannot be computed yet (no ratings, one rater, no
    positives) come back as None with the reason."""
    sample_id = sample_id or latest_sample(con)
    if sample_id is None:
        speakers = speaker_validation(con)
        if speakers is None:
            raise LookupFailed("no validation sample yet: draw one with `dialogic validate sample --n 300`")
        # a study that checks only who said what still gets its voice-share error
        from dialogic.validation.meetings import option5_agreement

        return ValidationReport(
            None,
            None,
            0,
            0,
            "no tag sample drawn (dialogic validate sample --n 300): speaker checks only",
            seed,
            n_resamples,
            dt.datetime.now().isoformat(timespec="seconds"),
            [],
            option5_agreement(con),
            None,
            {},
            speakers,
        )
    sample = con.execute(
        "select tagger_model_version, n_drawn, population, design from validation_samples where sample_id = ?",
        [sample_id],
    ).fetchone()
    if sample is None:
        raise LookupFailed(f"no validation sample {sample_id!r}")
    version, items, population, design = sample
    reports = []
    for k, report in enumerate(agreement_figures(con, sample_id, seed=seed, n_resamples=n_resamples)):
        rows = _truth_rows(con, sample_id, report.tag)
        decided = [r for r in rows if r[6] is not None]
        known = decided_design(decided, rows)
        report.meetings = _corrected_counts(
            con,
            sample_id,
            version,
            report.tag,
            np.array([int(r[3]) for r in decided], dtype=int),
            np.array([int(r[6]) for r in decided], dtype=int),
            known,
            seed + k,
            n_resamples,
        )
        reports.append(report)
    from dialogic.validation.meetings import option5_agreement

    return ValidationReport(
        sample_id,
        version,
        items,
        population,
        design,
        seed,
        n_resamples,
        dt.datetime.now().isoformat(timespec="seconds"),
        reports,
        option5_agreement(con),
        transcript_validation(con, sample_id, seed=seed, n_resamples=n_resamples),
        tag_statuses(con, version),
        speaker_validation(con),
    )


def _truth_rows(con: duckdb.DuckDBPyConnection, sample_id: str, tag: str) -> list[tuple]:
    return con.execute(
        """
        select t.utterance_id, t.stratum, t.weight, coalesce(t.model_label, false), t.value_a, t.value_b,
               t.consensus, t.status, i.stratum_size
        from validation_item_truth as t
        inner join validation_items as i using (sample_id, utterance_id)
        where t.sample_id = ? and t.tag = ? order by t.utterance_id
        """,
        [sample_id, tag],
    ).fetchall()


@dataclass(frozen=True)
class DecidedDesign:
    """The sampling design of the items whose answer is known, for one tag.

    ``weights`` stratum size / items known in the stratum (not the weight the item was drawn
    with: an item drawn but not yet decided is missing, and the known ones stand for the whole
    stratum); ``fractions`` items known / stratum size; ``census`` whether every item of every
    stratum of the sample is known, the only case in which a figure is the population's own."""

    weights: np.ndarray
    fractions: np.ndarray
    strata: np.ndarray
    census: bool


def decided_design(known: list[tuple], rows: list[tuple]) -> DecidedDesign:
    """:class:`DecidedDesign` of the ``known`` rows among a tag's ``rows`` of
    :func:`_truth_rows` (stratum at index 1, stratum size at the last index)."""
    size = {r[1]: int(r[-1]) for r in rows}
    count: dict[str, int] = {}
    for r in known:
        count[r[1]] = count.get(r[1], 0) + 1
    census = bool(rows) and all(count.get(h, 0) >= n for h, n in size.items())
    return DecidedDesign(
        np.array([size[r[1]] / count[r[1]] for r in known], dtype=float),
        np.array([count[r[1]] / size[r[1]] for r in known], dtype=float),
        np.array([r[1] for r in known], dtype=object),
        census,
    )


def agreement_figures(
    con: duckdb.DuckDBPyConnection, sample_id: str | None = None, *, seed: int = 0, n_resamples: int = 2000
) -> list[TagReport]:
    """Per tag, on a validation sample's blind answers: the model against the raters' consensus
    (prevalence, precision, recall, specificity, F1, κ) and the raters' own κ and α, each with its
    95 % interval. The one computation behind both the validation report and the review app's
    agreement page, so the two always show the same figures. Raises LookupFailed without a sample."""
    sample_id = sample_id or latest_sample(con)
    if sample_id is None:
        raise LookupFailed("no validation sample yet: draw one with `dialogic validate sample --n 300`")
    reports = []
    for k, tag in enumerate(TAGS):
        rows = _truth_rows(con, sample_id, tag)
        decided = [r for r in rows if r[6] is not None]
        design = decided_design(decided, rows)
        model = np.array([int(r[3]) for r in decided], dtype=int)
        truth = np.array([int(r[6]) for r in decided], dtype=int)
        figures = estimate_agreement(
            model,
            truth,
            design.weights,
            design.strata,
            seed=seed + k,
            n_resamples=n_resamples,
            stratum_fraction=design.fractions,
            census=design.census,
        )
        pairs = [r for r in rows if r[4] is not None and r[5] is not None]
        paired = decided_design(pairs, rows)
        kappa = rater_kappa(
            np.array([int(r[4]) for r in pairs], dtype=int),
            np.array([int(r[5]) for r in pairs], dtype=int) if pairs else None,
            paired.weights,
            paired.strata,
            seed + k,
            n_resamples=n_resamples,
            stratum_fraction=paired.fractions,
        )
        alpha = alpha_estimate(_reliability(con, sample_id, tag), seed=seed + k, n_resamples=n_resamples)
        pending: dict[str, int] = {}
        for r in rows:
            if r[6] is None:
                pending[r[7]] = pending.get(r[7], 0) + 1
        reports.append(
            TagReport(
                tag=tag,
                decided=len(decided),
                pending=pending,
                adjudicated=sum(r[7] == "adjudicated" for r in rows),
                model_vs_consensus=figures,
                rater_kappa=kappa,
                rater_alpha=alpha,
            )
        )
    return reports


def _reliability(con: duckdb.DuckDBPyConnection, sample_id: str, tag: str) -> np.ndarray:
    """Raters × items matrix of the validation answers on ``tag`` (NaN where a rater did not rate)."""
    rows = con.execute(
        "select rater_id, utterance_id, value from validation_answers where sample_id = ? and tag = ? and queue = 'validation'",
        [sample_id, tag],
    ).fetchall()
    raters = sorted({r[0] for r in rows})
    items = sorted({r[1] for r in rows})
    matrix = np.full((len(raters), len(items)), np.nan)
    for rater, item, value in rows:
        matrix[raters.index(rater), items.index(item)] = float(value)
    return matrix


def _corrected_counts(
    con, sample_id, version, tag, model, truth, known: DecidedDesign, seed, n_resamples
) -> list[dict]:
    """Per meeting of the sample's population: utterances, the model's tag count, and the count
    corrected for the sensitivity and specificity measured on the sample."""
    rows = con.execute(
        """
        select f.meeting_id, count(*), count(*) filter (where t.label)
        from utterance_facts as f
        left join utterance_tag_facts as t on t.utterance_id = f.utterance_id and t.tag = ?
        where f.tagger_model_version = ? and f.meeting_id in (select meeting_id from validation_items where sample_id = ?)
        group by f.meeting_id order by f.meeting_id
        """,
        [tag, version, sample_id],
    ).fetchall()
    out = []
    for meeting_id, n, tagged in rows:
        estimate = corrected_prevalence_estimate(
            n,
            tagged,
            model,
            truth,
            known.weights,
            known.strata,
            seed,
            n_resamples,
            stratum_fraction=known.fractions,
            census=known.census,
        )

        def scale(x: float | None, n: int = n) -> float | None:
            return None if x is None else round(x * n, 1)

        out.append(
            {
                "meeting_id": meeting_id,
                "utterances": n,
                "tagged": tagged,
                "corrected": scale(estimate.value),
                "corrected_low": scale(estimate.low),
                "corrected_high": scale(estimate.high),
                "reason": estimate.reason,
            }
        )
    return out


def format_estimate(e: Estimate, digits: int = 2) -> str:
    """``0.71 [0.62, 0.79]``, or ``— (reason)`` when undefined."""
    if e.value is None:
        return f"— ({e.reason})"
    interval = f" [{e.low:.{digits}f}, {e.high:.{digits}f}]" if e.low is not None else f" (interval: {e.reason})"
    return f"{e.value:.{digits}f}{interval}"


def render_json(report: ValidationReport) -> str:
    return json.dumps(report.to_dict(), indent=2, default=str) + "\n"


def transcript_rows(report: ValidationReport) -> str:
    """The HTML rows of the transcript checks: speaker accuracy, word error, misattributed speech per meeting."""
    t = report.transcripts
    if t is None:
        return ""
    e = html.escape
    rows = [("speakers right", t.speaker_accuracy), ("word error (misheard / words)", t.word_error)]
    rows += [(f"speech given to the wrong person in {m['meeting_id']}", m["misattributed_speech"]) for m in t.meetings]
    return "".join(
        f"<tr><td>{e(name)}</td><td>{e(format_estimate(est))}</td><td>{est.n}</td></tr>" for name, est in rows
    )


def voice_share_rows(report: ValidationReport) -> str:
    """HTML rows: per role, voice share as diarised, its error and the true share, 95 % intervals."""
    v = report.speakers
    if v is None:
        return '<tr><td colspan="4">no speaker-check sample yet (dialogic validate sample --for speakers)</td></tr>'
    e = html.escape
    rows = [
        f"<tr><td>any role: speech given to the wrong person</td><td></td><td>{e(format_estimate(v.misattributed, 3))}</td>"
        f"<td></td></tr>"
    ]
    for r in v.roles:
        rows.append(
            f"<tr><td>{e(r.role)}</td><td>{r.attributed:.3f}</td><td>{e(format_estimate(r.error, 3))}</td>"
            f"<td>{e(format_estimate(r.true_share, 3))}</td></tr>"
        )
    for m in v.meetings:  # swaps between meetings can cancel in the pooled figure
        for r in m["roles"]:
            rows.append(
                f"<tr><td>{e(m['meeting_id'])}: {e(r.role)} ({m['checked']} checked)</td><td>{r.attributed:.3f}</td>"
                f"<td>{e(format_estimate(r.error, 3))}</td><td>{e(format_estimate(r.true_share, 3))}</td></tr>"
            )
    return "".join(rows)


def render_html(report: ValidationReport) -> str:
    """A self-contained page (no scripts, no external files)."""
    e = html.escape
    sample_name = report.sample_id or "none yet (speaker checks only)"
    figures = ("prevalence", "precision", "recall", "specificity", "f1", "kappa")
    head = "".join(f"<th>{e(f)}</th>" for f in figures)
    body = []
    for t in report.tags:
        cells = "".join(f"<td>{e(format_estimate(t.model_vs_consensus[f]))}</td>" for f in figures)
        pending = ", ".join(f"{n} {e(s)}" for s, n in sorted(t.pending.items())) or "none"
        body.append(
            f"<tr><th>{e(t.tag)}</th><td>{t.decided}</td>{cells}<td>{e(format_estimate(t.rater_kappa))}</td>"
            f"<td>{e(format_estimate(t.rater_alpha))}</td><td>{t.adjudicated}</td><td>{pending}</td>"
            f"<td>{e(report.statuses.get(t.tag, 'not validated on this study'))}</td></tr>"
        )
    meetings = []
    for t in report.tags:
        for m in t.meetings:
            corrected = (
                "—" if m["corrected"] is None else f"{m['corrected']} [{m['corrected_low']}, {m['corrected_high']}]"
            )
            meetings.append(
                f"<tr><td>{e(m['meeting_id'])}</td><td>{e(t.tag)}</td><td>{m['utterances']}</td>"
                f"<td>{m['tagged']}</td><td>{e(corrected)}</td><td>{e(m['reason'] or '')}</td></tr>"
            )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dialogic validation report {e(sample_name)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #bbb;padding:.3em .5em;text-align:left}}caption{{text-align:left;font-weight:bold}}</style></head>
<body>
<h1>Validation report: sample {e(sample_name)}</h1>
<p>Tagger {e(report.tagger_model_version or "—")}; {report.items} utterances sampled from a population of {
        report.population
    }
({e(report.design)}). Model labels are compared with the consensus of two blind raters (a third adjudicates
disagreements). Intervals, 95 %: proportions and F1 by Korn &amp; Graubard's method (Clopper–Pearson on the design's
effective sample size), a figure the population's own only when every item of every stratum is decided; κ by the hull
of Rao &amp; Wu's rescaling bootstrap ({report.n_resamples} resamples, seed {report.seed}) and an interval on Kish's
effective sample size; α by a percentile bootstrap within strata that falls back to Clopper–Pearson where it
degenerates. Computed {e(report.computed_at)}.
Viewing this report changes no status; <code>dialogic validate record</code> records its figures.</p>
<table><caption>Model vs rater consensus, and the human ceiling</caption>
<thead><tr><th>tag</th><th>items decided</th>{
        head
    }<th>rater–rater κ</th><th>Krippendorff's α</th><th>adjudicated</th><th>pending</th><th>status (as recorded)</th></tr></thead>
<tbody>{"".join(body)}</tbody></table>
<table><caption>Who said what, and what was said (raters' checks of sampled utterances)</caption>
<thead><tr><th>figure</th><th>estimate [95 %]</th><th>utterances</th></tr></thead>
<tbody>{transcript_rows(report)}</tbody></table>
<table><caption>Voice share by role: as diarised, its error (diarised − true) and the true share, from speaker
checks{
        ""
        if report.speakers is None
        else f" of sample {e(report.speakers.sample_id)} ({report.speakers.checked} checked, "
        f"{report.speakers.unsure} can't tell, {report.speakers.unknown_true_speaker} wrong with the true speaker unknown)"
    }; shares of
speech pooled over the meetings the sample stands for, then per meeting (its checked utterances as a domain of the
sample), 95 % intervals (Korn–Graubard; MOVER for the error)</caption>
<thead><tr><th>role</th><th>voice share as diarised</th><th>error [95 %]</th><th>true share [95 %]</th></tr></thead>
<tbody>{voice_share_rows(report)}</tbody></table>
<table><caption>Whole meetings: OPTION-5 scored by raters vs dialogic's SDM proxy (ICC(A,1), 95 % interval)</caption>
<thead><tr><th>comparison</th><th>ICC</th><th>meetings</th></tr></thead>
<tbody>{
        "".join(
            f"<tr><td>{e(name.replace('_', ' '))}</td><td>{e(format_estimate(est))}</td><td>{est.n}</td></tr>"
            for name, est in report.option5.items()
        )
    }</tbody></table>
<table><caption>Tag counts per meeting, corrected for the measured error (Rogan–Gladen)</caption>
<thead><tr><th>meeting</th><th>tag</th><th>utterances</th><th>tagged by the model</th><th>corrected [95 %]</th><th>note</th></tr></thead>
<tbody>{"".join(meetings)}</tbody></table>
</body></html>
"""
