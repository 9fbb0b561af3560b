"""The validation study's writes: tag samples and speaker-check samples as drawn, raters' OPTION-5
meeting scores and transcript checks, the study's settings, and the recorded estimates. The
drawing, the statistics and the reading stay in `dialogic.validation`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from dialogic.db import transaction
from dialogic.errors import AnswerRefused, LookupFailed
from dialogic.validation.settings import BAR_FIGURES, ValidationSettings, read_settings

if TYPE_CHECKING:  # validation.report reads what these functions store
    from dialogic.validation.report import ValidationReport


def record_meeting_score(
    con: duckdb.DuckDBPyConnection, rater_id: str, meeting_id: str, items: list[int], note: str | None = None
) -> None:
    """Append one rater's OPTION-5 score of a whole meeting (five items, 0–4 each)."""
    if len(items) != 5 or any(not isinstance(i, int) or not 0 <= i <= 4 for i in items):
        raise LookupFailed("an OPTION-5 score has five items, each a whole number from 0 to 4")
    if not con.execute("select count(*) from reviewable_meetings() where meeting_id = ?", [meeting_id]).fetchone()[0]:
        raise LookupFailed(f"no meeting {meeting_id!r} whose consent covers review")
    con.execute(
        "insert into meeting_scores (rater_id, meeting_id, item1, item2, item3, item4, item5, note) "
        "values (?, ?, ?, ?, ?, ?, ?, ?)",
        [rater_id, meeting_id, *items, (note or "").strip()[:4000] or None],
    )


def record_transcript_check(
    con: duckdb.DuckDBPyConnection,
    rater_id: str,
    utterance_id: str,
    speaker_right: bool | None,
    misheard_words: int,
    right_participant_id: str | None = None,
) -> None:
    """Append a rater's check of one utterance's speaker and words."""
    row = con.execute("select meeting_id, text from utterances where utterance_id = ?", [utterance_id]).fetchone()
    if row is None:
        raise LookupFailed(f"no utterance {utterance_id!r}")
    meeting_id, text = row
    words = len(text.split())
    if not 0 <= misheard_words <= words:
        raise AnswerRefused(f"misheard words must be between 0 and the utterance's {words} words")
    if (
        right_participant_id
        and not con.execute(
            "select 1 from participants where meeting_id = ? and participant_id = ?", [meeting_id, right_participant_id]
        ).fetchone()
    ):
        raise AnswerRefused(f"meeting {meeting_id}: no participant {right_participant_id!r}")
    con.execute(
        "insert into transcript_checks (rater_id, utterance_id, meeting_id, speaker_right, right_participant_id, "
        "misheard_words, word_count, utterance_text) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            rater_id,
            utterance_id,
            meeting_id,
            speaker_right,
            None if speaker_right else right_participant_id,
            misheard_words,
            words,
            text,
        ],
    )


def write_settings(
    con: duckdb.DuckDBPyConnection,
    *,
    min_items_per_tag: int | None = None,
    bar_figure: str | None = None,
    bar_low: float | None = None,
) -> ValidationSettings:
    """Change the given settings, keep the others; returns the settings now in force."""
    current = read_settings(con)
    new = ValidationSettings(
        current.min_items_per_tag if min_items_per_tag is None else min_items_per_tag,
        current.bar_figure if bar_figure is None else bar_figure,
        current.bar_low if bar_low is None else bar_low,
    )
    if new.min_items_per_tag < 1:
        raise LookupFailed(f"--min-items must be at least 1, got {new.min_items_per_tag}")
    if new.bar_figure not in BAR_FIGURES:
        raise LookupFailed(f"unknown bar figure {new.bar_figure!r}; expected one of: {', '.join(BAR_FIGURES)}")
    if not 0 <= new.bar_low <= 1:
        raise LookupFailed(
            f"--bar must be between 0 and 1, got {new.bar_low}: a negative lower bound is no bar "
            "(κ below 0 is agreement worse than chance)"
        )
    with transaction(con):
        con.execute("delete from validation_settings")
        con.execute(
            "insert into validation_settings (min_items_per_tag, bar_figure, bar_low) values (?, ?, ?)",
            [new.min_items_per_tag, new.bar_figure, new.bar_low],
        )
    return new


def store_estimates(con: duckdb.DuckDBPyConnection, report: ValidationReport, recorded_by: str | None = None) -> int:
    """Record the report's figures: replace the sample's rows of ``validation_estimates``. The
    one step that changes a tag's validation status (`dialogic validate record`)."""
    if report.sample_id is None:
        raise LookupFailed(
            "nothing to record: no tag sample yet (speaker checks are computed when shown, never recorded)"
        )
    rows = []
    for t in report.tags:
        named = {**t.model_vs_consensus, "rater_kappa": t.rater_kappa, "rater_alpha": t.rater_alpha}
        for figure, e in named.items():
            rows.append(
                [report.sample_id, report.tagger_model_version, t.tag, figure, e.value, e.low, e.high, e.n, e.reason]
            )
    if report.transcripts is not None:
        for figure in ("speaker_accuracy", "word_error"):
            e = getattr(report.transcripts, figure)
            rows.append(
                [report.sample_id, report.tagger_model_version, None, figure, e.value, e.low, e.high, e.n, e.reason]
            )
    for figure, e in report.option5.items():
        rows.append(
            [
                report.sample_id,
                report.tagger_model_version,
                None,
                f"option5_icc_{figure}",
                e.value,
                e.low,
                e.high,
                e.n,
                e.reason,
            ]
        )
    with transaction(con):
        con.execute("delete from validation_estimates where sample_id = ?", [report.sample_id])
        con.executemany(
            "insert into validation_estimates (sample_id, tagger_model_version, tag, figure, value, low, high, n, reason, "
            "recorded_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[*row, recorded_by] for row in rows],
        )
    return len(rows)


def store_tag_sample(con: duckdb.DuckDBPyConnection, sample: list, items: list[list]) -> str:
    """Record a drawn tag sample in one transaction; returns its new id. ``sample``: the
    ``validation_samples`` columns after the id (created_at ... design); ``items``: each
    ``validation_items`` row after the id (utterance_id ... draw_order)."""
    with transaction(con):
        sample_id = _next_sample_id(con)
        con.execute(
            """
            insert into validation_samples (sample_id, created_at, seed, n_requested, n_drawn, meetings,
                                            tagger_model_version, population, design)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [sample_id, *sample],
        )
        con.executemany(
            """
            insert into validation_items (sample_id, utterance_id, meeting_id, role, predicted, stratum, stratum_size,
                                          stratum_sampled, weight, draw_order)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [[sample_id, *item] for item in items],
        )
    return sample_id


def _next_sample_id(con: duckdb.DuckDBPyConnection) -> str:
    count = con.execute("select count(*) from validation_samples").fetchone()[0]
    return f"v{count + 1:03d}"


def store_speaker_sample(con: duckdb.DuckDBPyConnection, sample: list, items: list[list]) -> str:
    """Record a drawn speaker-check sample in one transaction; returns its new id. ``sample``: the
    ``speaker_check_samples`` columns after the id; ``items``: each ``speaker_check_items`` row
    after the id."""
    with transaction(con):
        count = con.execute("select count(*) from speaker_check_samples").fetchone()[0]
        sample_id = f"s{count + 1:03d}"
        con.execute(
            "insert into speaker_check_samples (sample_id, created_at, seed, n_requested, n_drawn, meetings, "
            "population, design) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [sample_id, *sample],
        )
        con.executemany(
            "insert into speaker_check_items (sample_id, utterance_id, meeting_id, speaker_confidence, stratum, "
            "stratum_size, stratum_sampled, weight, draw_order) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[sample_id, *item] for item in items],
        )
    return sample_id
