"""The diarisation scoring functions on tiny hand-computed annotations, and the harness on real clips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyannote.core import Annotation, Segment, Timeline

from dialogic.diarisation import SpeakerTurn
from dialogic.diarisation.evaluate import load_reference, pool, score, turns_to_annotation, voice_shares

ROOT = Path(__file__).resolve().parent.parent
AMI_DEV = ROOT.parent / "shared" / "data" / "ami-dev"


def annotation(*turns: tuple[str, float, float]) -> Annotation:
    result = Annotation(uri="clip")
    for speaker, start, end in turns:
        segment = Segment(start, end)
        result[segment, result.new_track(segment)] = speaker
    return result


def test_der_parts_speaker_counts_and_voice_share_by_hand():
    reference = annotation(("A", 0, 10), ("B", 10, 20))
    # s1 is A's voice and wrongly also 14–18 of B's; B's last 2 s are missed; s3 is 2 s of false
    # alarm; s2's turn at 30 s lies outside the scored region and must be ignored.
    hypothesis = annotation(("s1", 0, 10), ("s2", 10, 14), ("s1", 14, 18), ("s3", 20, 22), ("s2", 30, 40))
    s = score(reference, hypothesis, Timeline([Segment(0, 22)]))
    assert s.total_s == pytest.approx(20)
    assert (s.missed_s, s.false_alarm_s, s.confusion_s) == pytest.approx((2, 2, 4))
    assert s.der == pytest.approx(0.4)
    assert (s.missed, s.false_alarm, s.confusion) == pytest.approx((0.1, 0.1, 0.2))
    assert (s.speakers_reference, s.speakers_hypothesis, s.count_right) == (2, 3, False)
    assert s.mapping == {"s1": "A", "s2": "B"}
    # reference 50/50; hypothesis inside the UEM: s1 14 s, s2 4 s, s3 2 s of 20 → 70 %, 20 %, 10 %
    assert s.shares["A"] == pytest.approx((50, 70))
    assert s.shares["B"] == pytest.approx((50, 20))
    assert s.voice_share_error_pts == pytest.approx(30)


def test_unmatched_reference_speaker_counts_as_zero_share():
    reference = annotation(("A", 0, 12), ("B", 12, 20), ("C", 20, 24))
    hypothesis = annotation(("s1", 0, 24))
    s = score(reference, hypothesis, Timeline([Segment(0, 24)]))
    assert s.mapping == {"s1": "A"}
    assert s.shares["A"] == pytest.approx((50, 100))
    assert s.shares["B"] == pytest.approx((100 * 8 / 24, 0))
    assert s.shares["C"] == pytest.approx((100 * 4 / 24, 0))
    assert s.voice_share_error_pts == pytest.approx(50)
    assert s.confusion_s == pytest.approx(12) and s.der == pytest.approx(0.5)


def test_overlapped_speech_counts_for_each_speaker():
    reference = annotation(("A", 0, 10), ("B", 5, 10))
    assert voice_shares(reference) == pytest.approx({"A": 100 * 10 / 15, "B": 100 * 5 / 15})
    # one hypothesis speaker over both: the overlap's second speaker is missed, not confused
    s = score(reference, annotation(("x", 0, 10)), Timeline([Segment(0, 10)]))
    assert s.total_s == pytest.approx(15)
    assert (s.missed_s, s.false_alarm_s, s.confusion_s) == pytest.approx((5, 0, 0))


def test_perfect_hypothesis_scores_zero_whatever_the_labels():
    reference = annotation(("A", 0, 3), ("B", 3, 9), ("A", 9, 10))
    s = score(reference, annotation(("x", 0, 3), ("y", 3, 9), ("x", 9, 10)), Timeline([Segment(0, 10)]))
    assert s.der == 0 and s.voice_share_error_pts == pytest.approx(0) and s.count_right


def test_empty_hypothesis_is_all_missed_and_no_speech_detected():
    s = score(annotation(("A", 0, 4), ("B", 4, 10)), Annotation(uri="clip"), Timeline([Segment(0, 10)]))
    assert s.der == pytest.approx(1) and s.missed == pytest.approx(1)
    assert not s.speech_detected and s.speakers_hypothesis == 0
    assert s.voice_share_error_pts == pytest.approx(60)  # B: 60 % vs 0 %


def test_pool_sums_errors_over_summed_speech_and_skips_silent_hypotheses_for_voice_share():
    a = score(annotation(("A", 0, 10), ("B", 10, 20)), annotation(("x", 0, 20)), Timeline([Segment(0, 20)]))
    b = score(annotation(("A", 0, 60)), annotation(("x", 0, 60)), Timeline([Segment(0, 60)]))
    c = score(annotation(("A", 0, 2), ("B", 2, 20)), Annotation(uri="clip"), Timeline([Segment(0, 20)]))
    p = pool([a, b, c])
    assert p.total_s == pytest.approx(100)
    assert p.der == pytest.approx((10 + 0 + 20) / 100)  # not the mean of 0.5, 0 and 1
    assert (p.confusion, p.missed) == pytest.approx((0.1, 0.2))
    assert p.count_right == 1 and p.clips == 3
    assert p.worst_voice_share_error_pts == pytest.approx(50)  # c (90 points) detected no speech
    assert p.mean_voice_share_error_pts == pytest.approx(25)


def test_reference_files_and_turns(tmp_path):
    (tmp_path / "r.rttm").write_text(
        "SPEAKER m1 1 0.500 2.000 <NA> <NA> alice <NA> <NA>\nSPEAKER m1 1 3.000 1.000 <NA> <NA> bob <NA> <NA>\n"
    )
    (tmp_path / "r.uem").write_text("m1 NA 0.000 3.500\n")
    reference, uem = load_reference(tmp_path / "r.rttm", tmp_path / "r.uem")
    assert sorted(reference.labels()) == ["alice", "bob"] and uem.duration() == pytest.approx(3.5)
    hypothesis = turns_to_annotation([SpeakerTurn("SPEAKER_00", 0.5, 2.5), SpeakerTurn("SPEAKER_01", 3.0, 4.0)])
    s = score(reference, hypothesis, uem)
    assert s.total_s == pytest.approx(2.5)  # bob's turn is cut at 3.5 s
    assert s.der == pytest.approx(0)


@pytest.mark.models
def test_harness_on_two_real_meeting_clips(tmp_path):
    if not AMI_DEV.is_dir():
        pytest.skip(f"the AMI dev clips are not here ({AMI_DEV}); they live in the shared data folder, not the repo")
    data = tmp_path / "data"
    data.mkdir()
    for name in ("trn05", "trn06"):
        (data / name).symlink_to(AMI_DEV / name)
    out = tmp_path / "figures.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "eval_diarisation.py"),
            "--data",
            str(data),
            "--no-sample",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "pooled" in run.stdout and "trn05" in run.stdout
    figures = json.loads(out.read_text())
    assert set(figures["clips"]) == {"trn05", "trn06"}
    pooled = figures["pooled"]
    assert pooled["clips"] == 2
    assert pooled["der"] == pytest.approx(pooled["missed"] + pooled["false_alarm"] + pooled["confusion"])
    # Real two-clip figures with the default options (measured: see docs/diarisation.md).
    assert pooled["der"] <= 0.25, pooled
    assert pooled["worst_voice_share_error_pts"] <= 15, pooled
