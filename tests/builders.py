"""Builders for real DuckDB fixture databases: every row goes in by column name.

Used by the unit tests and the browser tests alike. ``insert`` names each column, so a column
added to the schema never shifts a fixture's values into the wrong place.
"""

from __future__ import annotations

import json
import shutil
import wave
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")


def insert(con: duckdb.DuckDBPyConnection, table: str, *rows: dict) -> None:
    """Insert ``rows`` (dicts of column → value, all with the same keys) into ``table``."""
    if not rows:
        return
    columns = list(rows[0])
    for row in rows:
        if list(row) != columns:
            raise ValueError(f"{table}: rows name different columns: {columns} vs {list(row)}")
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    con.executemany(f"insert into {table} ({names}) values ({marks})", [list(row.values()) for row in rows])


def utterance(meeting_id: str, index: int, speaker_label: str | None, start_s: float, end_s: float, text: str) -> dict:
    """One ``utterances`` row with the id dialogic gives it."""
    return {
        "utterance_id": f"{meeting_id}/u{index:05d}",
        "meeting_id": meeting_id,
        "utterance_index": index,
        "speaker_label": speaker_label,
        "start_s": start_s,
        "end_s": end_s,
        "text": text,
    }


def words_of(
    meeting_id: str,
    index: int,
    speaker_label: str | None,
    start_s: float,
    end_s: float,
    text: str,
    *,
    first_word_index: int,
) -> list[dict]:
    """``words`` rows for one utterance: its space-separated words, sharing its time evenly."""
    tokens = text.split()
    step = (end_s - start_s) / len(tokens)
    return [
        {
            "meeting_id": meeting_id,
            "word_index": first_word_index + k,
            "utterance_id": f"{meeting_id}/u{index:05d}",
            "speaker_label": speaker_label,
            "start_s": round(start_s + k * step, 3),
            "end_s": round(start_s + (k + 1) * step, 3),
            "word": token,
            "probability": 0.9,
        }
        for k, token in enumerate(tokens)
    ]


def insert_transcript(con: duckdb.DuckDBPyConnection, meeting_id: str, rows: list[tuple]) -> None:
    """Utterances ``(index, speaker_label, start_s, end_s, text)`` with their words, as current and
    as machine rows (what a processing run stores)."""
    utterance_rows = [utterance(meeting_id, *r) for r in rows]
    word_rows: list[dict] = []
    for r in rows:
        word_rows += words_of(meeting_id, *r, first_word_index=len(word_rows))
    insert(con, "utterances", *utterance_rows)
    insert(con, "words", *word_rows)
    insert(con, "machine_utterances", *utterance_rows)
    insert(con, "machine_words", *word_rows)


def turn(meeting_id: str, track: str, index: int, speaker_label: str, start_s: float, end_s: float) -> dict:
    return {
        "meeting_id": meeting_id,
        "track": track,
        "turn_index": index,
        "speaker_label": speaker_label,
        "start_s": start_s,
        "end_s": end_s,
    }


def participant(meeting_id: str, participant_id: str, role: str, **extra) -> dict:
    row = {"meeting_id": meeting_id, "participant_id": participant_id, "role": role}
    for column in ("pseudonym", "relation", "profession", "person_id"):
        row[column] = extra.get(column)
    return row


def refresh(con: duckdb.DuckDBPyConnection, *meeting_ids: str) -> None:
    """Refresh the analytics facts of ``meeting_ids`` in one transaction, as writers do."""
    from dialogic.db import transaction
    from dialogic.store.facts import refresh_meeting_facts

    with transaction(con):
        for meeting_id in meeting_ids:
            refresh_meeting_facts(con, meeting_id)


# --- the hand-computed analytics fixture (worked out in tests/test_views.py's docstring) ------

FX_UTTERANCES = [
    (0, "S2", 0.0, 10.0, "what would you like to talk about today"),
    (1, "S0", 11.0, 15.0, "I want to stop the pills"),
    (2, "S0", 15.5, 19.5, "they  make me tired"),  # two spaces: still 4 words
    (3, "S2", 21.0, 30.0, "we could lower the dose or try therapy"),
    (4, "S0", 29.0, 35.0, "that helps"),
    (5, "S3", 36.0, 40.0, "when I was unwell I felt the same"),
    (6, "S1", 40.0, 46.0, "you really must keep taking them"),
    (7, "S4", 47.0, 49.0, "hmm okay"),
    (8, "S2", 52.0, 57.0, "let us try therapy as you prefer then"),
]
FX_OVERLAP_TURNS = [
    (0, "S2", 0.0, 10.2),
    (1, "S0", 10.0, 19.5),  # over doc for 0.2 s: overlap, not interruption (< 1 s)
    (2, "S2", 21.0, 30.0),
    (3, "S0", 29.0, 35.0),  # over doc 1.0 s, doc stops first: interruption su → doc
    (4, "S3", 36.0, 40.0),
    (5, "S1", 39.5, 46.0),  # over peer1 0.5 s: overlap only
    (6, "S3", 42.0, 43.0),  # inside mum's turn (mum goes on): back-channel, 1.0 s overlap
    (7, "S4", 47.0, 49.0),
    (8, "S2", 48.0, 57.0),  # over S4 1.0 s, S4 stops first: interruption doc → unmapped:S4
]
FX_CURRENT_TAGS = {
    0: "preference_elicitation",
    1: "option_discussion",
    3: "option_discussion",
    5: "peer_self_disclosure",
    6: "persuasion",
    7: "peer_self_disclosure",
    8: "option_discussion",
}
FX_PROBABILITY = {0: 0.91, 1: 0.66, 3: 0.88, 5: 0.95, 6: 0.8, 7: 0.6, 8: 0.7}


def build_fixture_db(path: Path) -> duckdb.DuckDBPyConnection:
    """Meetings 'fx' (hand-computed, see tests/test_views.py) and 'fy'; returns an open connection."""
    from dialogic.db import connect

    con = connect(path)
    insert(
        con,
        "meetings",
        {
            "meeting_id": "fx",
            "audio_path": "fx.wav",
            "duration_s": 60.0,
            "recorded_on": "2024-03-05",
            "site": "north",
            "consent_status": "given",
            "consent_scope": ["transcribe", "analyse", "review"],
        },
        {
            "meeting_id": "fy",
            "audio_path": "fy.wav",
            "duration_s": None,
            "recorded_on": "2024-04-01",
            "site": "south",
            "consent_status": "given",
            "consent_scope": ["transcribe", "analyse", "review"],
        },
    )
    insert(
        con,
        "participants",
        participant("fx", "doc", "clinician"),
        participant("fx", "su", "service_user"),
        participant("fx", "mum", "network"),
        participant("fx", "dad", "network"),
        participant("fx", "peer1", "peer"),
        participant("fy", "su2", "service_user"),
    )
    insert(
        con,
        "speakers",
        *[
            {"meeting_id": m, "speaker_label": s, "participant_id": p, "speech_s": t}
            for m, s, p, t in [
                ("fx", "S0", "su", 14),
                ("fx", "S1", "mum", 6),
                ("fx", "S2", "doc", 24),
                ("fx", "S3", "peer1", 4),
                ("fx", "S4", None, 2),
                ("fy", "S0", "su2", 5),
            ]
        ],
    )
    insert(
        con,
        "utterances",
        *[utterance("fx", *u) for u in FX_UTTERANCES],
        utterance("fy", 0, "S0", 0.0, 5.0, "hello there"),
    )
    insert(con, "turns", *[turn("fx", "overlap", *t) for t in FX_OVERLAP_TURNS])
    insert(
        con,
        "tagger_models",
        {
            "model_version": "tagger-v1",
            "name": "tagger",
            "version": 1,
            "thresholds": "{}",
            "activated_at": "2024-01-01",
        },
        {
            "model_version": "tagger-v2",
            "name": "tagger",
            "version": 2,
            "thresholds": "{}",
            "activated_at": "2024-02-01",
        },
        # no rows for fx: not current
        {
            "model_version": "tagger-v3",
            "name": "tagger",
            "version": 3,
            "thresholds": "{}",
            "activated_at": "2024-03-01",
        },
    )
    tag_rows = []
    for i in range(9):
        for tag in ("option_discussion", "preference_elicitation", "persuasion", "peer_self_disclosure"):
            hit = FX_CURRENT_TAGS.get(i) == tag
            common = {"utterance_id": f"fx/u{i:05d}", "meeting_id": "fx", "tag": tag, "threshold": 0.5}
            tag_rows.append(
                {**common, "probability": FX_PROBABILITY[i] if hit else 0.1, "label": hit, "model_version": "tagger-v2"}
            )
            # v1 said persuasion everywhere; it is superseded and must not count.
            tag_rows.append(
                {
                    **common,
                    "probability": 0.9 if tag == "persuasion" else 0.1,
                    "label": tag == "persuasion",
                    "model_version": "tagger-v1",
                }
            )
    insert(con, "tags", *tag_rows)
    # The views read the analytics facts; writers refresh them per meeting, in their transaction.
    refresh(con, "fx", "fy")
    return con


def build_two_utterance_db(path: Path) -> Path:
    """A real DuckDB file with one meeting, two mapped speakers and two utterances, facts refreshed."""
    from dialogic.db import connect

    con = connect(path)
    insert(
        con,
        "meetings",
        {
            "meeting_id": "m1",
            "audio_path": "m1.wav",
            "duration_s": 20,
            "site": "north",
            "consent_status": "given",
            "consent_scope": ["transcribe", "analyse", "review"],
        },
    )
    insert(con, "participants", participant("m1", "a", "service_user"), participant("m1", "b", "clinician"))
    insert(
        con,
        "speakers",
        {"meeting_id": "m1", "speaker_label": "S0", "participant_id": "a", "speech_s": 3},
        {"meeting_id": "m1", "speaker_label": "S1", "participant_id": "b", "speech_s": 9},
    )
    insert(con, "utterances", utterance("m1", 0, "S1", 0, 9, "one two three"), utterance("m1", 1, "S0", 10, 13, "four"))
    refresh(con, "m1")
    con.close()
    return path


# --- a small study for validation: two consented meetings, tags by one version ---------------

VERSION = "tagger-v1"


def build_study(path: Path, *, utterances_per_meeting: int = 30):
    """Two consented meetings; each utterance's tags follow its index: every 10th persuasion, every
    3rd option discussion, every 15th preference elicitation; speakers: clinician, service user, peer."""
    from dialogic.db import connect

    con = connect(path)
    for meeting in ("ma", "mb"):
        insert(
            con,
            "meetings",
            {
                "meeting_id": meeting,
                "audio_path": f"{meeting}.wav",
                "duration_s": 600.0,
                "consent_status": "given",
                "consent_scope": ["transcribe", "analyse", "review"],
            },
        )
        insert(
            con,
            "participants",
            participant(meeting, "doc", "clinician"),
            participant(meeting, "su", "service_user"),
            participant(meeting, "peer", "peer"),
        )
        insert(
            con,
            "speakers",
            *[
                {"meeting_id": meeting, "speaker_label": s, "participant_id": p, "speech_s": 100.0}
                for s, p in (("S0", "doc"), ("S1", "su"), ("S2", "peer"))
            ],
        )
        rows, tags = [], []
        for i in range(utterances_per_meeting):
            rows.append(utterance(meeting, i, f"S{i % 3}", i * 10.0, i * 10.0 + 8, f"utterance {i} of {meeting}"))
            labels = {
                "persuasion": i % 10 == 0,
                "option_discussion": i % 3 == 0,
                "preference_elicitation": i % 15 == 1,
                "peer_self_disclosure": False,
            }
            tags += [
                {
                    "utterance_id": f"{meeting}/u{i:05d}",
                    "meeting_id": meeting,
                    "tag": t,
                    "probability": 0.9 if v else 0.1,
                    "label": v,
                    "threshold": 0.5,
                    "model_version": VERSION,
                }
                for t, v in labels.items()
            ]
        insert(con, "utterances", *rows)
        insert(con, "tags", *tags)
    insert(con, "tagger_models", {"model_version": VERSION, "name": "tagger", "version": 1, "thresholds": "{}"})
    refresh(con, "ma", "mb")
    return con


# --- the review app's fixture: tones for audio, three raters ---------------------------------

SAMPLE_RATE = 16000
UTTERANCE_S = 1.5
GAP_S = 0.5
PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-22", "carol": "carol-password-333"}
MODEL_VERSION = "dialogic-tagger-v1"


@dataclass
class ReviewFixture:
    db_path: Path
    audio_paths: dict[str, Path]
    passwords: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))
    utterances: dict[str, list[str]] = field(default_factory=dict)  # meeting → utterance ids

    def tone_hz(self, utterance_id: str) -> float:
        meeting_id, index = utterance_id.split("/u")
        return tone_hz(meeting_id, int(index))


def tone_hz(meeting_id: str, index: int) -> float:
    base = 300.0 if meeting_id == "m1" else 1500.0
    return base + 100.0 * index


def utterance_span(index: int) -> tuple[float, float]:
    start_s = GAP_S + index * (UTTERANCE_S + GAP_S)
    return start_s, start_s + UTTERANCE_S


def write_tone_wav(path: Path, meeting_id: str, n_utterances: int) -> None:
    total_s = utterance_span(n_utterances - 1)[1] + GAP_S
    samples = np.zeros(int(total_s * SAMPLE_RATE), dtype=np.float64)
    for index in range(n_utterances):
        start_s, end_s = utterance_span(index)
        a, b = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
        t = np.arange(b - a) / SAMPLE_RATE
        samples[a:b] = 0.5 * np.sin(2 * np.pi * tone_hz(meeting_id, index) * t)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())


def probability_for(meeting_id: str, index: int, tag_number: int) -> float:
    # Spread over (0, 1) so that distances to the 0.5 threshold are all different.
    seed = (index * 7 + tag_number * 3 + (0 if meeting_id == "m1" else 5)) % 19
    return round(0.03 + seed * 0.05, 4)


def build_review_db(directory: Path, *, n_m1: int = 10, n_m2: int = 4) -> ReviewFixture:
    directory.mkdir(parents=True, exist_ok=True)
    fixture = ReviewFixture(db_path=directory / "review.duckdb", audio_paths={})
    from dialogic.db import connect
    from dialogic.store.raters import add_rater

    con = connect(fixture.db_path)
    con.execute(
        "insert into tagger_models (model_version, name, version, thresholds) values (?, ?, ?, ?)",
        [MODEL_VERSION, "dialogic-tagger", 1, json.dumps({tag: 0.5 for tag in TAGS})],
    )
    for meeting_id, n_utterances in (("m1", n_m1), ("m2", n_m2)):
        audio_path = (directory / f"{meeting_id}.wav").resolve()
        write_tone_wav(audio_path, meeting_id, n_utterances)
        fixture.audio_paths[meeting_id] = audio_path
        con.execute(
            """
            insert into meetings (meeting_id, audio_path, duration_s, consent_status, consent_scope)
            values (?, ?, ?, 'given', ['transcribe', 'analyse', 'review'])
            """,
            [meeting_id, str(audio_path), utterance_span(n_utterances - 1)[1] + GAP_S],
        )
        con.executemany(
            "insert into participants (meeting_id, participant_id, role, pseudonym) values (?, ?, ?, ?)",
            [
                [meeting_id, "p1", "service_user", "Robin"],
                [meeting_id, "p2", "network", "Sam"],
                [meeting_id, "p3", "clinician", None],
            ],
        )
        labels = ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"]
        con.executemany(
            "insert into speakers (meeting_id, speaker_label, participant_id, speech_s) values (?, ?, ?, ?)",
            [
                [meeting_id, "SPEAKER_00", "p3", 6.0],
                [meeting_id, "SPEAKER_01", None, 4.5],
                [meeting_id, "SPEAKER_02", None, 3.0],
            ],
        )
        ids, transcript = [], []
        for index in range(n_utterances):
            start_s, end_s = utterance_span(index)
            utterance_id = f"{meeting_id}/u{index:05d}"
            ids.append(utterance_id)
            label = labels[index % 3]
            insert(con, "turns", turn(meeting_id, "exclusive", index, label, start_s, end_s))
            insert(con, "turns", turn(meeting_id, "overlap", index, label, start_s, end_s))
            transcript.append(
                (
                    index,
                    label,
                    start_s,
                    end_s,
                    f"Utterance {index} of {meeting_id}: what would help you most this week?",
                )
            )
            for tag_number, tag in enumerate(TAGS):
                probability = probability_for(meeting_id, index, tag_number)
                con.execute(
                    """
                    insert into tags (utterance_id, meeting_id, tag, probability, label, threshold, model_version)
                    values (?, ?, ?, ?, ?, 0.5, ?)
                    """,
                    [utterance_id, meeting_id, tag, probability, probability >= 0.5, MODEL_VERSION],
                )
        insert_transcript(con, meeting_id, transcript)
        fixture.utterances[meeting_id] = ids
    refresh(con, *fixture.utterances)  # as every writer does: the views read the facts
    for name, password in PASSWORDS.items():
        add_rater(con, name, password, blind=(name == "carol"))
    con.close()
    return fixture


# --- the export fixture: people mapped, a pseudonym, tags, raters, and text that needs escaping ---

# (index, speaker_label, start_s, end_s, text); S1 and S4 are both mapped to 'doc', whose
# utterances 4 and 5 overlap (ELAN/Praat tiers must clip them); utterance 6 has no speaker.
EX_UTTERANCES = [
    (0, "S1", 0.0, 4.2, "what would you like to talk about today"),
    (1, "S0", 4.5, 9.25, "I want to stop the <script>alert('x')</script> pills & rest"),
    (2, "S2", 9.5, 14.0, "when I was unwell I felt the same"),
    (3, "S3", 14.1, 16.0, "hmm okay"),
    (4, "S1", 16.0, 22.5, "you really must keep taking them"),
    (5, "S4", 21.0, 24.0, "or we could try lowering the dose"),
    (6, None, 24.5, 25.0, "mm"),
    (7, "S0", 25.123, 30.456, "I'd prefer therapy --> really"),
]
EX_SPEAKERS = {"S0": "su", "S1": "doc", "S2": "peer1", "S3": None, "S4": "doc"}
# (utterance index, tag) → probability of the model's yes; every other tag row is a no at 0.1
EX_TAGS = {
    (0, "preference_elicitation"): 0.88,
    (2, "peer_self_disclosure"): 0.95,  # by a peer: counts
    (3, "peer_self_disclosure"): 0.7,  # by an unmapped speaker: a candidate, not counted
    (4, "persuasion"): 0.91,
    (5, "option_discussion"): 0.8,
    (7, "option_discussion"): 0.66,
}
EX_VERSION = "dialogic-tagger-v2"


def build_export_db(path: Path, audio_path: Path) -> Path:
    """Meeting 'ex' (EX_UTTERANCES: service user 'Alex', clinician 'doc' without a pseudonym on
    two diarised speakers, peer 'Sam', an unmapped speaker, an unattributed utterance), tagged by
    EX_VERSION (EX_TAGS), with two raters confirming utterance 4's persuasion and one rejecting
    utterance 5's option discussion; meeting 'tx', consented for transcription only; meeting 'rf',
    whose consent was refused. ``audio_path`` is stored as the recording's path."""
    from dialogic.db import connect

    con = connect(path)
    common = {"audio_path": str(audio_path), "duration_s": 60.0, "recorded_on": "2026-03-02", "site": "north"}
    insert(
        con,
        "meetings",
        {"meeting_id": "ex", **common, "consent_status": "given", "consent_scope": ["transcribe", "analyse", "review"]},
        {"meeting_id": "tx", **common, "consent_status": "given", "consent_scope": ["transcribe", "review"]},
        {"meeting_id": "rf", **common, "consent_status": "refused", "consent_scope": ["transcribe", "analyse"]},
    )
    insert(
        con,
        "participants",
        participant("ex", "su", "service_user", pseudonym="Alex"),
        participant("ex", "doc", "clinician"),
        participant("ex", "peer1", "peer", pseudonym="Sam"),
        participant("ex", "mum", "network", pseudonym="Jo"),
        participant("tx", "su", "service_user", pseudonym="Alex"),
    )
    insert(
        con,
        "speakers",
        *[
            {"meeting_id": "ex", "speaker_label": s, "participant_id": p, "speech_s": 5.0}
            for s, p in EX_SPEAKERS.items()
        ],
        {"meeting_id": "tx", "speaker_label": "S0", "participant_id": "su", "speech_s": 2.0},
    )
    insert(
        con,
        "utterances",
        *[utterance("ex", *u) for u in EX_UTTERANCES],
        utterance("tx", 0, "S0", 0.0, 2.0, "not for analysis"),
        utterance("rf", 0, None, 0.0, 2.0, "not consented"),
    )
    words = []
    for index, label, start_s, end_s, text in EX_UTTERANCES:
        tokens = text.split()
        step = (end_s - start_s) / len(tokens)
        first = len(words)
        words += [
            {
                "meeting_id": "ex",
                "word_index": first + i,
                "utterance_id": f"ex/u{index:05d}",
                "speaker_label": label,
                "start_s": start_s + i * step,
                "end_s": start_s + (i + 1) * step,
                "word": token,
                "probability": 0.9,
            }
            for i, token in enumerate(tokens)
        ]
    insert(con, "words", *words)
    insert(
        con,
        "turns",
        *[turn("ex", "overlap", i, label, start_s, end_s) for i, label, start_s, end_s, _ in EX_UTTERANCES if label],
    )
    insert(
        con,
        "tagger_models",
        {"model_version": EX_VERSION, "name": "dialogic-tagger", "version": 2, "thresholds": "{}"},
    )
    tags = []
    for index, *_ in EX_UTTERANCES:
        for tag in TAGS:
            probability = EX_TAGS.get((index, tag), 0.1)
            tags.append(
                {
                    "utterance_id": f"ex/u{index:05d}",
                    "meeting_id": "ex",
                    "tag": tag,
                    "probability": probability,
                    "label": probability >= 0.5,
                    "threshold": 0.5,
                    "model_version": EX_VERSION,
                }
            )
    insert(con, "tags", *tags)
    text = {index: t for index, *_, t in EX_UTTERANCES}
    insert(
        con,
        "ratings",
        *[
            {
                "rater_id": rater,
                "utterance_id": f"ex/u{index:05d}",
                "meeting_id": "ex",
                "tag": tag,
                "value": value,
                "utterance_text": text[index],
            }
            for rater, index, tag, value in [
                ("alice", 4, "persuasion", True),
                ("bob", 4, "persuasion", True),
                ("alice", 5, "option_discussion", False),
            ]
        ],
    )
    refresh(con, "ex", "tx", "rf")
    con.close()
    return path


# --- the reports' study: build_study plus what a report must show or leave out ----------------

REPORT_HOSTILE_TEXT = "<script>alert(\"x\")</script> & 'options' <b>"
REPORT_HOSTILE_PARTICIPANT = "o'neil<b>$x$"  # markup and mathtext in an id: drawn and printed as text
REPORT_AUDIO_RATE = 8000


def write_silence_tone_wav(path: Path, duration_s: float, *, sample_rate: int = REPORT_AUDIO_RATE) -> None:
    """A real mono 16-bit WAV of ``duration_s`` with a quiet 440 Hz tone (for the reports' audio links)."""
    t = np.arange(int(duration_s * sample_rate)) / sample_rate
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes((0.1 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2").tobytes())


def build_report_study(path: Path, *, audio_dir: Path | None = None):
    """``build_study`` (ma, mb: tagged) with sites and dates, plus:

    - ma/u00003 says ``REPORT_HOSTILE_TEXT`` (an option-discussion utterance by the clinician);
    - mc: utterances but consent for transcription only — never reported;
    - md: analysable, not tagged, a participant named ``REPORT_HOSTILE_PARTICIPANT``, one unmapped speaker.

    With ``audio_dir``, ma's audio is a real WAV file there (absolute path); the others' files do not exist.
    Returns an open connection.
    """
    con = build_study(path)
    con.execute("update meetings set site = 'north', recorded_on = date '2024-03-05' where meeting_id = 'ma'")
    con.execute("update meetings set site = 'south', recorded_on = date '2024-04-10' where meeting_id = 'mb'")
    con.execute("update utterances set text = ? where utterance_id = 'ma/u00003'", [REPORT_HOSTILE_TEXT])
    if audio_dir is not None:
        audio_dir.mkdir(parents=True, exist_ok=True)
        audio = (audio_dir / "ma.wav").resolve()
        write_silence_tone_wav(audio, 300.0)
        con.execute("update meetings set audio_path = ? where meeting_id = 'ma'", [str(audio)])
    for meeting, scope, site in (("mc", ["transcribe"], "north"), ("md", ["transcribe", "analyse"], "south")):
        insert(
            con,
            "meetings",
            {
                "meeting_id": meeting,
                "audio_path": f"{meeting}.wav",
                "duration_s": 60.0,
                "recorded_on": "2024-04-20",
                "site": site,
                "consent_status": "given",
                "consent_scope": scope,
            },
        )
        insert(
            con,
            "participants",
            participant(meeting, "su", "service_user"),
            participant(meeting, REPORT_HOSTILE_PARTICIPANT if meeting == "md" else "doc", "clinician"),
        )
        insert(
            con,
            "speakers",
            {"meeting_id": meeting, "speaker_label": "S0", "participant_id": "su", "speech_s": 10.0},
            {
                "meeting_id": meeting,
                "speaker_label": "S1",
                "participant_id": REPORT_HOSTILE_PARTICIPANT if meeting == "md" else "doc",
                "speech_s": 20.0,
            },
            {"meeting_id": meeting, "speaker_label": "S2", "participant_id": None, "speech_s": 5.0},
        )
        insert(
            con,
            "utterances",
            utterance(meeting, 0, "S1", 0.0, 20.0, f"secret words of {meeting} one"),
            utterance(meeting, 1, "S0", 21.0, 31.0, f"secret words of {meeting} two"),
            utterance(meeting, 2, "S2", 32.0, 37.0, f"secret words of {meeting} three"),
        )
    refresh(con, "ma", "mb", "mc", "md")
    return con


def add_validation_estimates(con: duckdb.DuckDBPyConnection, version: str = VERSION, sample_id: str = "v001") -> None:
    """A validation report's figures for ``version``, as `dialogic validate report` stores them:
    κ 0.71 [0.62, 0.79] and F1 0.76 on 280 items for every tag, and the whole-sample word error."""
    rows = []
    for tag in TAGS:
        for figure, value, low, high in (("kappa", 0.71, 0.62, 0.79), ("f1", 0.76, 0.70, 0.82)):
            rows.append(
                {
                    "sample_id": sample_id,
                    "tagger_model_version": version,
                    "tag": tag,
                    "figure": figure,
                    "value": value,
                    "low": low,
                    "high": high,
                    "n": 280,
                    "reason": None,
                }
            )
    rows.append(
        {
            "sample_id": sample_id,
            "tagger_model_version": version,
            "tag": None,
            "figure": "word_error",
            "value": 0.12,
            "low": 0.09,
            "high": 0.15,
            "n": 40,
            "reason": None,
        }
    )
    insert(con, "validation_estimates", *rows)


AMI_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "ami-dev"


def write_ami_batch(folder: Path, clips: tuple[str, ...]) -> Path:
    """Copy the AMI dev ``clips`` into ``folder`` with a manifest that gives each the same three
    participants and analysable consent; returns the manifest."""
    entries = ""
    for clip in clips:
        shutil.copyfile(AMI_DEV / clip / "meeting.wav", folder / f"{clip}.wav")
        entries += f"""
  - id: {clip}
    audio: {clip}.wav
    consent: {{status: given, scope: [transcribe, analyse], reference: test}}
    participants: [{{id: p1, role: service_user}}, {{id: p2, role: network}}, {{id: p3, role: clinician}}]"""
    (folder / "manifest.yaml").write_text("meetings:" + entries + "\n")
    return folder / "manifest.yaml"
