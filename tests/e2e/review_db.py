"""A small but real review database for the review app's tests.

Two meetings with synthesised WAV recordings in which every utterance is a pure tone of its
own frequency (so a test can tell which span a clip came from), participants, diarised
speakers and turns, utterances, one activated tagger model with tags, and three raters.
Everything goes in through plain inserts into the real schema.
"""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dialogic.db import connect
from dialogic.review.auth import add_rater

SAMPLE_RATE = 16000
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
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
            values (?, ?, ?, 'granted', ['research'])
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
            [[meeting_id, "SPEAKER_00", "p3", 6.0], [meeting_id, "SPEAKER_01", None, 4.5],
             [meeting_id, "SPEAKER_02", None, 3.0]],
        )
        ids = []
        for index in range(n_utterances):
            start_s, end_s = utterance_span(index)
            utterance_id = f"{meeting_id}/u{index:05d}"
            ids.append(utterance_id)
            label = labels[index % 3]
            con.execute(
                "insert into turns values (?, 'exclusive', ?, ?, ?, ?)",
                [meeting_id, index, label, start_s, end_s],
            )
            con.execute(
                "insert into utterances values (?, ?, ?, ?, ?, ?, ?)",
                [utterance_id, meeting_id, index, label, start_s, end_s,
                 f"Utterance {index} of {meeting_id}: what would help you most this week?"],
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
        fixture.utterances[meeting_id] = ids
    for name, password in PASSWORDS.items():
        add_rater(con, name, password, blind=(name == "carol"))
    con.close()
    return fixture
