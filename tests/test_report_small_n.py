"""The study report at small n, on a real DuckDB file: with 1, 2 and 5 meetings every meeting's
value is drawn and labelled (points, not boxes or bands), the speech total keeps a readable unit,
and a meeting processed without speech is named, not silently left out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from builders import insert, participant, refresh, utterance

from dialogic.db import connect
from dialogic.report.formatting import speech_amount
from dialogic.report.render import write_all_reports, write_study_report


def su_seconds(k: int) -> float:
    return 10.0 + 7.0 * k


DOC_S = 30.0


def su_share(k: int) -> float:
    return 100 * su_seconds(k) / (su_seconds(k) + DOC_S)


def build(tmp_path, n: int):
    con = connect(tmp_path / f"n{n}.duckdb")
    for k in range(n):
        meeting = f"m{k}"
        insert(
            con,
            "meetings",
            {
                "meeting_id": meeting,
                "audio_path": f"{meeting}.wav",
                "duration_s": 60.0 + su_seconds(k),
                "recorded_on": dt.date(2024, 1 + k, 5),
                "site": "north",
                "consent_status": "given",
                "consent_scope": ["transcribe", "analyse", "review"],
            },
        )
        insert(
            con, "participants", participant(meeting, "su", "service_user"), participant(meeting, "doc", "clinician")
        )
        insert(
            con,
            "speakers",
            {"meeting_id": meeting, "speaker_label": "S0", "participant_id": "su", "speech_s": su_seconds(k)},
            {"meeting_id": meeting, "speaker_label": "S1", "participant_id": "doc", "speech_s": DOC_S},
        )
        insert(
            con,
            "utterances",
            utterance(meeting, 0, "S1", 0.0, DOC_S, "what would you like to talk about"),
            utterance(meeting, 1, "S0", DOC_S + 1.0, DOC_S + 1.0 + su_seconds(k), "the medication"),
        )
    refresh(con, *(f"m{k}" for k in range(n)))
    return con


def figure(html: str, name: str) -> str:
    match = re.search(rf'<svg [^>]*data-plot="{name}".*?</svg>', html, re.S)
    assert match, name
    return match.group(0)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_every_meetings_value_appears_at_small_n(tmp_path, n):
    con = build(tmp_path, n)
    try:
        html = write_study_report(con, tmp_path / f"study{n}.html").read_text()
    finally:
        con.close()
    by_site, by_month, roles = (figure(html, f) for f in ("study-su-site", "study-month-share", "study-role-share"))
    for k in range(n):
        share = f"{su_share(k):,.1f}"
        assert share in by_site and share in by_month and share in roles, (k, share)
        assert f"{100 - su_share(k):,.1f}" in roles  # the clinician's share, beside it
    assert "PolyCollection" not in by_month  # no interquartile band over fewer than 10 meetings
    total_s = sum(su_seconds(k) + DOC_S for k in range(n))
    assert f"{speech_amount(total_s / 3600)} of speech" in html and "0.0 hours" not in html
    assert "minutes" in speech_amount(total_s / 3600) or "seconds" in speech_amount(total_s / 3600)


def test_a_meeting_processed_without_speech_is_named_in_the_study_report(tmp_path):
    con = build(tmp_path, 2)
    insert(
        con,
        "meetings",
        {
            "meeting_id": "silent",
            "audio_path": "silent.wav",
            "duration_s": 68.0,
            "consent_status": "given",
            "consent_scope": ["transcribe", "analyse", "review"],
        },
    )
    insert(
        con,
        "pipeline_runs",
        {"run_id": "r1", "meeting_id": "silent", "status": "processed", "started_at": dt.datetime(2024, 5, 1)},
    )
    try:
        summary = write_all_reports(con, tmp_path / "all")
    finally:
        con.close()
    assert summary.no_speech == ["silent"] and set(summary.meeting_paths) == {"m0", "m1"}
    html = summary.study_path.read_text()
    assert "Processed with no speech found" in html and "silent" in html
