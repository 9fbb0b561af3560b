import pytest
from conftest import sample_dir
from pyannote.core import Annotation, Segment
from pyannote.database.util import load_rttm
from pyannote.metrics.diarization import DiarizationErrorRate

from dialogic.audio import decode_audio
from dialogic.diarisation import diarise_audio
from dialogic.errors import ModelError
from dialogic.options import DiarisationOptions

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`


def as_annotation(turns) -> Annotation:
    annotation = Annotation(uri="sample")
    for t in turns:
        annotation[Segment(t.start_s, t.end_s)] = t.speaker
    return annotation


@pytest.fixture(scope="module")
def diarised():
    return diarise_audio(decode_audio(sample_dir() / "sample.wav"), max_speakers=2)


def test_sample_der_is_at_most_15_percent(diarised):
    reference = load_rttm(str(sample_dir() / "sample.rttm"))["sample"]
    der = DiarizationErrorRate(collar=0.0, skip_overlap=False)(reference, as_annotation(diarised.turns))
    assert der <= 0.15, f"DER {der:.3f}"  # measured 0.056
    assert diarised.speakers == ["SPEAKER_00", "SPEAKER_01"]


def test_every_speech_frame_has_an_attribution_margin_and_overlap_lowers_it(diarised):
    margin = diarised.attribution_margin
    values = [v for v in margin.values if v == v]
    assert margin.step_s < 0.05 and len(values) > 100
    assert min(values) >= 0.0 and max(values) == 1.0

    def mean_margin(start_s, end_s):
        inside = [
            v for i, v in enumerate(margin.values) if v == v and start_s <= margin.start_s + i * margin.step_s <= end_s
        ]
        return sum(inside) / len(inside)

    overlap = sorted(diarised.turns, key=lambda t: t.start_s)
    overlapped = [
        (b.start_s, min(a.end_s, b.end_s))
        for a, b in zip(overlap, overlap[1:])
        if a.speaker != b.speaker and min(a.end_s, b.end_s) > b.start_s + 0.1
    ]
    assert overlapped
    everywhere = sum(values) / len(values)
    # where two voices overlap the diarisation is less sure who speaks than on average
    assert sum(mean_margin(s, e) for s, e in overlapped) / len(overlapped) < everywhere


def test_exclusive_track_never_overlaps_and_overlap_track_does(diarised):
    exclusive = sorted(diarised.exclusive_turns, key=lambda t: t.start_s)
    for a, b in zip(exclusive, exclusive[1:]):
        assert a.end_s <= b.start_s + 1e-6
    overlap = sorted(diarised.turns, key=lambda t: t.start_s)
    assert any(a.end_s > b.start_s + 0.05 and a.speaker != b.speaker for a, b in zip(overlap, overlap[1:]))


def test_hub_pipeline_offline_fails_at_once(monkeypatch):
    monkeypatch.delenv("DIALOGIC_ALLOW_HUB", raising=False)
    with pytest.raises(
        ModelError, match=r"speaker-diarization-community-1.*needs the Hugging Face hub.*DIALOGIC_ALLOW_HUB=1"
    ):
        diarise_audio(
            decode_audio(sample_dir() / "sample.wav"),
            DiarisationOptions(pipeline="pyannote/speaker-diarization-community-1"),
        )
