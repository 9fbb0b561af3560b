"""Write reports: one self-contained HTML file per meeting and one for the study.

A report file needs nothing but itself to be read: styles are inline, plots are inline SVG, there
is no script, and a Content-Security-Policy in the page forbids loading anything but the meeting's
own audio. The audio is linked, never embedded (it is health data, and large): each evidence
utterance gets an ``<audio>`` element whose source is the meeting's stored audio file with a
``#t=start,end`` media fragment, so it plays only where that file can be reached from the report.

Text from the database (utterances, ids, notes) is escaped by Jinja2's autoescaping; the SVG is
matplotlib's output for the same data, which escapes its own text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import duckdb
import jinja2

import dialogic
from dialogic.errors import DialogicError, StoreError
from dialogic.report import formatting, plots
from dialogic.report.meeting_data import TAGS, analysable_meeting_ids, load_meeting, no_speech_meeting_ids
from dialogic.report.study_data import load_study
from dialogic.report.view_rows import SMALL_N, MeetingReportData, StudyReportData

AudioLinks = Literal["relative", "absolute", "none"]
AUDIO_LINKS: tuple[str, ...] = ("relative", "absolute", "none")
STUDY_FILE = "study.html"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


@dataclass(frozen=True)
class ReportOptions:
    """How reports are written.

    audio_links: how evidence utterances point at the meeting's audio — ``relative`` (a path from
        the report's folder: works while report and audio keep their places relative to each
        other, e.g. on one shared drive), ``absolute`` (a ``file://`` URI: works on the machine
        that holds the audio) or ``none`` (no audio element; times only).
    """

    audio_links: AudioLinks = "relative"

    def __post_init__(self) -> None:
        if self.audio_links not in AUDIO_LINKS:
            raise ValueError(f"audio_links must be one of {AUDIO_LINKS}, not {self.audio_links!r}")


@dataclass
class AllReportsSummary:
    """What write_all_reports wrote, and the meetings whose report failed (with the reason)."""

    study_path: Path
    meeting_paths: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    removed: dict[str, Path] = field(default_factory=dict)  # earlier reports of meetings no longer reportable
    no_speech: list[str] = field(default_factory=list)  # processed, no speech found: no report, and said so
    elapsed_s: float = 0.0


def meeting_file_name(meeting_id: str) -> str:
    """``<meeting_id>.html``; an id that is not a plain file name gets a readable part and a hash."""
    if _SAFE_NAME.match(meeting_id) and meeting_id != STUDY_FILE.removesuffix(".html"):
        return f"{meeting_id}.html"
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", meeting_id).strip("._-")[:60] or "meeting"
    return f"{readable}-{hashlib.sha256(meeting_id.encode()).hexdigest()[:10]}.html"


def resolve_audio_path(audio_path: str, database_dir: Path) -> Path:
    """The meeting's stored audio path made absolute; a relative one is taken from the database's folder."""
    path = Path(audio_path)
    return Path(os.path.abspath(path if path.is_absolute() else Path(database_dir) / path))


def audio_href(audio_path: str, report_dir: Path, audio_links: AudioLinks, database_dir: Path) -> str | None:
    """The URL by which a report in ``report_dir`` reaches the meeting's audio (None: no link)."""
    if audio_links == "none":
        return None
    path = resolve_audio_path(audio_path, database_dir)
    if audio_links == "absolute":
        return path.as_uri()
    return quote(Path(os.path.relpath(path, os.path.abspath(report_dir))).as_posix())


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        clock=formatting.clock,
        count=formatting.count,
        hms=formatting.hms,
        number=formatting.number,
        percent=formatting.percent,
        speech_amount=formatting.speech_amount,
        role=formatting.role_title,
        tag=formatting.tag_title,
    )
    environment.globals.update(
        TAGS=TAGS,
        SMALL_N=SMALL_N,
        ROLE_COLOURS=formatting.ROLE_COLOURS,
        MISSING=formatting.MISSING,
        version=dialogic.__version__,
    )
    return environment


_ENVIRONMENT = _environment()


def render_meeting_html(
    data: MeetingReportData,
    *,
    audio_url: str | None,
    audio_found: bool,
    study_href: str | None = None,
    generated_at: str | None = None,
) -> str:
    """The meeting's report as one HTML document. ``audio_found``: whether the audio file existed
    when the report was written (the report says so when it did not)."""
    # the whole recording, so that silence after the last utterance shows as silence
    end_s = max([data.meeting.duration_s or 0.0] + [u.end_s for u in data.utterances if u.end_s is not None])
    timed = all(u.start_s is not None for u in data.utterances)
    untimed = "no times: the transcript was imported without them"
    figures = {
        "timeline": plots.speaking_timeline(data.voices, data.utterances, end_s, data.names)
        if timed
        else plots.note("timeline", untimed),
        "voice_share": plots.voice_share(data.voices, data.roles, data.names),
        "window_share": plots.window_share(data.windows, end_s) if timed else plots.note("window-share", untimed),
        "transitions": plots.role_transitions(data.transitions),
    }
    if data.meeting.tagger_model_version is not None:
        figures["tags"] = (
            plots.tags_over_time(data.tag_hits, end_s, TAGS) if timed else plots.note("tags-over-time", untimed)
        )
    if data.option5 is not None:
        figures["option5"] = plots.option5_items(data.option5.items)
    evidence_ids = {u.utterance_id for item in (data.option5.items if data.option5 else []) for u in item.evidence}
    return _ENVIRONMENT.get_template("meeting.html.j2").render(
        data=data,
        m=data.meeting,
        figures=figures,
        audio_url=audio_url,
        audio_found=audio_found,
        study_href=study_href,
        evidence_ids=evidence_ids,
        statuses={s.tag: s for s in data.tag_statuses},
        hit_counts={tag: sum(1 for h in data.tag_hits if h.tag == tag) for tag in TAGS},
        generated_at=generated_at or _now(),
    )


def render_study_html(
    data: StudyReportData,
    *,
    meeting_links: dict[str, str] | None = None,
    no_speech: list[str] | None = None,
    generated_at: str | None = None,
) -> str:
    """The study report as one HTML document; ``meeting_links`` (meeting → href) adds an index."""
    figures = {
        "months": plots.meetings_per_month(data.meetings_per_month),
        "role_share": plots.role_share_boxes(data.role_share),
        "su_by_site": plots.site_boxes(
            "study-su-site", data.service_user_share_by_site, "service user's share of speaking time (%)"
        ),
        "su_by_month": plots.monthly_quantiles(data.service_user_share_by_month, "service user's share (%)"),
        "turns_by_site": plots.site_boxes("study-turns-site", data.turns_per_min_by_site, "speaking turns per minute"),
        "interruptions_by_site": plots.site_boxes(
            "study-interruptions-site", data.interruptions_per_min_by_site, "interruptions per minute"
        ),
        "score": plots.score_histogram(data.score_histogram),
        "score_by_site": plots.site_boxes("study-score-site", data.score_by_site, "indicator score (0–100)"),
        "tag_rates": plots.tag_rates(data.tag_rates, TAGS),
    }
    return _ENVIRONMENT.get_template("study.html.j2").render(
        data=data,
        figures=figures,
        meeting_links=meeting_links or {},
        no_speech=no_speech or [],
        generated_at=generated_at or _now(),
    )


def write_meeting_report(
    con: duckdb.DuckDBPyConnection,
    meeting_id: str,
    output: Path,
    options: ReportOptions = ReportOptions(),
    *,
    database_dir: Path = Path("."),
    study_href: str | None = None,
) -> Path:
    """Write ``meeting_id``'s report to ``output`` (a file; its folder is created) and return it."""
    data = load_meeting(con, meeting_id)
    output = Path(output)
    audio_path = data.meeting.audio_path  # None: imported from a transcript without a recording
    url = None if audio_path is None else audio_href(audio_path, output.parent, options.audio_links, database_dir)
    found = audio_path is not None and resolve_audio_path(audio_path, database_dir).is_file()
    _write_atomic(output, render_meeting_html(data, audio_url=url, audio_found=found, study_href=study_href))
    return output


def write_study_report(
    con: duckdb.DuckDBPyConnection,
    output: Path,
    *,
    meeting_links: dict[str, str] | None = None,
    no_speech: list[str] | None = None,
) -> Path:
    """Write the study report to ``output`` (a file; its folder is created) and return it;
    ``no_speech``: meetings processed without any speech found (listed, not counted)."""
    data = load_study(con, with_meetings=meeting_links is not None)
    if no_speech is None:
        no_speech = no_speech_meeting_ids(con)
    _write_atomic(Path(output), render_study_html(data, meeting_links=meeting_links, no_speech=no_speech))
    return Path(output)


def write_all_reports(
    con: duckdb.DuckDBPyConnection,
    output_dir: Path,
    options: ReportOptions = ReportOptions(),
    *,
    database_dir: Path = Path("."),
    progress: Callable[..., None] | None = None,
) -> AllReportsSummary:
    """One report per analysable meeting in ``output_dir``, then ``study.html`` linking them.

    A meeting whose report fails is recorded in the summary and the batch goes on; the study
    report links only the reports that were written. Meeting reports that an earlier run left in
    ``output_dir`` for meetings that may no longer be reported (withdrawn, consent narrowed) are
    deleted. ``progress(meeting_id, completed=, total=)`` is called after each meeting.
    """
    started = dt.datetime.now()
    output_dir = Path(output_dir)
    summary = AllReportsSummary(study_path=output_dir / STUDY_FILE)
    meeting_ids = analysable_meeting_ids(con)
    for n, meeting_id in enumerate(meeting_ids, start=1):
        path = output_dir / meeting_file_name(meeting_id)
        try:
            write_meeting_report(con, meeting_id, path, options, database_dir=database_dir, study_href=STUDY_FILE)
            summary.meeting_paths[meeting_id] = path
        except DialogicError as exc:
            summary.failed[meeting_id] = str(exc)
        except Exception as exc:  # noqa: BLE001 - one meeting's unexpected failure must not stop the batch
            summary.failed[meeting_id] = f"{type(exc).__name__}: {exc}"

        if progress is not None:
            progress(meeting_id, completed=n, total=len(meeting_ids))
    summary.removed = remove_stale_reports(output_dir, keep=set(meeting_ids))
    summary.no_speech = no_speech_meeting_ids(con)
    links = {meeting_id: quote(path.name) for meeting_id, path in summary.meeting_paths.items()}
    write_study_report(con, summary.study_path, meeting_links=links, no_speech=summary.no_speech)
    summary.elapsed_s = (dt.datetime.now() - started).total_seconds()
    return summary


_MEETING_META = re.compile(r'<meta name="dialogic-meeting" content="([^"]*)">')


def remove_stale_reports(output_dir: Path, keep: set[str]) -> dict[str, Path]:
    """Delete the meeting reports in ``output_dir`` (files this module wrote, recognised by their
    ``dialogic-meeting`` meta tag) whose meeting is not in ``keep``; return them by meeting id.

    A report copies transcript text out of the database, so a meeting withdrawn after its report
    was written would otherwise live on in the folder that ``--all`` refreshes.
    """
    removed: dict[str, Path] = {}
    for path in sorted(Path(output_dir).glob("*.html")):
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                head = handle.read(4096)
        except OSError:
            continue
        match = _MEETING_META.search(head)
        if match is None:
            continue
        meeting_id = html.unescape(match.group(1))
        if meeting_id not in keep:
            try:
                path.unlink()
            except OSError as exc:
                raise StoreError(f"{path}: cannot delete the report of meeting {meeting_id!r}: {exc}") from exc
            removed[meeting_id] = path
    return removed


def _write_atomic(path: Path, text: str) -> None:
    # A report is replaced whole or not at all: a reader never opens half a file.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the report: {exc}") from exc


def _now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
