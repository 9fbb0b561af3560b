"""Validation of who said what and what was said: on validation items, raters confirm or correct
the speaker and count misheard words; the report turns that into speaker-attribution accuracy,
a word error estimate and, per meeting, the share of speech given to the wrong person — each a
ratio of weighted sums with Korn–Graubard's interval (`dialogic.validation.intervals.ratio_interval`),
which does not collapse when every checked utterance agrees (a percentile bootstrap does).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np

from dialogic.validation.intervals import ratio_interval
from dialogic.validation.stats import Estimate


@dataclass
class TranscriptValidation:
    speaker_accuracy: Estimate  # weighted share of checked utterances given to the right person
    word_error: Estimate  # weighted misheard words / weighted words
    meetings: list[dict] = field(default_factory=list)  # per meeting: misattributed share of speech


def _checks(con: duckdb.DuckDBPyConnection, sample_id: str) -> list[tuple]:
    """The latest check per utterance of the sample (by any rater; the first rater's when several)."""
    return con.execute(
        """
        with latest as (
            select *, row_number() over (partition by utterance_id order by rater_id, check_id desc) as pick
            from transcript_checks
        )
        select i.utterance_id, i.meeting_id, i.stratum, i.weight, u.end_s - u.start_s as duration_s,
               c.speaker_right, c.misheard_words, c.word_count, i.stratum_size
        from validation_items as i
        inner join latest as c on c.utterance_id = i.utterance_id and c.pick = 1
        inner join utterances as u on u.utterance_id = i.utterance_id and u.text = c.utterance_text
        where i.sample_id = ?
        order by i.utterance_id
        """,
        [sample_id],
    ).fetchall()


def _ratio(numerator: np.ndarray, denominator: np.ndarray, weights: np.ndarray) -> float | None:
    below = float(np.sum(denominator * weights))
    return None if below <= 0 else float(np.sum(numerator * weights)) / below


def _known_design(known: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Weights and sampling fractions of the checked items: stratum size / items checked in the
    stratum, and its inverse. An item drawn but not checked is missing, not a zero: the weight it
    was drawn with (size / items drawn) would leave its share of the stratum out of the totals."""
    count: dict[str, int] = {}
    for r in known:
        count[r[2]] = count.get(r[2], 0) + 1
    weights = np.array([r[8] / count[r[2]] for r in known], dtype=float)
    return weights, 1.0 / weights


def _estimate(numerator, denominator, weights, strata, seed, n_resamples, empty_reason: str, fractions) -> Estimate:
    """``seed`` and ``n_resamples`` are kept for the callers; the interval needs no resampling."""
    value = _ratio(numerator, denominator, weights) if len(weights) else None
    if value is None:
        return Estimate(None, None, None, len(weights), empty_reason)
    # Never pinned to the point: a sample of transcripts is not a census of every stratum drawn.
    _, low, high = ratio_interval(
        numerator, denominator, weights, np.asarray(strata, dtype=str), fractions, census=False
    )
    return Estimate(value, float(low[0]), float(high[0]), len(weights))


def transcript_validation(
    con: duckdb.DuckDBPyConnection, sample_id: str, *, seed: int = 0, n_resamples: int = 2000
) -> TranscriptValidation:
    rows = _checks(con, sample_id)
    judged = [r for r in rows if r[5] is not None]  # the rater could tell
    if judged:
        right = np.array([float(r[5]) for r in judged])
        one = np.ones(len(judged))
        w, f = _known_design(judged)
        s = np.array([r[2] for r in judged], dtype=object)
        accuracy = _estimate(right, one, w, s, seed, n_resamples, "no utterance checked", f)
    else:
        accuracy = Estimate(None, None, None, 0, "no utterance's speaker checked yet")
    if rows:
        w, f = _known_design(rows)
        s = np.array([r[2] for r in rows], dtype=object)
        word_error = _estimate(
            np.array([r[6] for r in rows], dtype=float),
            np.array([r[7] for r in rows], dtype=float),
            w,
            s,
            seed + 1,
            n_resamples,
            "no words checked",
            f,
        )
    else:
        word_error = Estimate(None, None, None, 0, "no utterance checked yet")
    meetings = []
    judged_weight, judged_fraction = _known_design(judged) if judged else (np.zeros(0), np.zeros(0))
    for meeting_id in sorted({r[1] for r in judged}):
        here = [i for i, r in enumerate(judged) if r[1] == meeting_id]
        mine = [judged[i] for i in here]
        if any(r[4] is None for r in mine):  # an imported transcript without times: no speech to weigh
            meetings.append(
                {
                    "meeting_id": meeting_id,
                    "checked": len(mine),
                    "misattributed_speech": Estimate(None, None, None, len(mine), "no times in the meeting"),
                }
            )
            continue
        wrong_s = np.array([(1 - float(r[5])) * r[4] for r in mine])
        speech_s = np.array([r[4] for r in mine], dtype=float)
        e = _estimate(
            wrong_s,
            speech_s,
            judged_weight[here],
            np.array([r[2] for r in mine], dtype=object),
            seed + 2,
            n_resamples,
            "no speech checked",
            judged_fraction[here],
        )
        meetings.append({"meeting_id": meeting_id, "checked": len(mine), "misattributed_speech": e})
    return TranscriptValidation(accuracy, word_error, meetings)
