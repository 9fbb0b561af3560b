"""Audio clips: the right span of the meeting's own recording, and nothing else on disk."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from builders import SAMPLE_RATE, build_review_db, tone_hz, utterance_span
from review_server import login, serve

from dialogic.errors import AudioError, LookupFailed
from dialogic.review import clips
from dialogic.review.app import create_app


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as clip:
        assert clip.getnchannels() == 1 and clip.getsampwidth() == 2
        frames = clip.readframes(clip.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.float64), clip.getframerate()


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


@pytest.fixture
def fixture_db(tmp_path):
    return build_review_db(tmp_path)


def test_clip_is_the_asked_span_only(fixture_db):
    start_s, end_s = utterance_span(7)
    data = clips.extract_clip(fixture_db.audio_paths["m1"], start_s, end_s)
    samples, rate = _read_wav(data)
    assert rate == SAMPLE_RATE
    assert len(samples) / rate == pytest.approx(end_s - start_s, abs=0.01)
    assert _dominant_hz(samples, rate) == pytest.approx(tone_hz("m1", 7), abs=3)
    whole_file_bytes = fixture_db.audio_paths["m1"].stat().st_size
    assert len(data) < whole_file_bytes / 5


def test_clip_is_cut_at_the_maximum_length_and_refuses_missing_files(fixture_db, tmp_path):
    samples, rate = _read_wav(clips.extract_clip(fixture_db.audio_paths["m1"], 0, 10_000))
    assert len(samples) / rate <= clips.MAX_CLIP_S
    with pytest.raises(AudioError, match="no such audio file"):
        clips.extract_clip(tmp_path / "absent.wav", 0, 1)
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("secret text, not audio")
    with pytest.raises(AudioError):
        clips.extract_clip(not_audio, 0, 1)


def test_spans_come_from_the_database_only(fixture_db):
    from dialogic.db import connect

    con = connect(fixture_db.db_path)
    span = clips.utterance_span(con, "m2/u00001")
    assert span.audio_path == fixture_db.audio_paths["m2"]
    assert span.start_s == pytest.approx(utterance_span(1)[0] - clips.UTTERANCE_PADDING_S)
    spans = clips.speaker_spans(con, "m1", "SPEAKER_01")
    assert 2 <= len(spans) <= 3 and all(s.end_s - s.start_s <= clips.SPEAKER_CLIP_S for s in spans)
    assert [s.start_s for s in spans] == sorted(s.start_s for s in spans)
    with pytest.raises(LookupFailed):
        clips.utterance_span(con, "../../etc/passwd")
    with pytest.raises(LookupFailed):
        clips.speaker_span(con, "m1", "SPEAKER_01", 7)
    con.close()


def test_audio_routes_cannot_reach_other_files(tmp_path):
    fixture = build_review_db(tmp_path / "db")
    secret = tmp_path / "secret.wav"
    secret.write_bytes(fixture.audio_paths["m2"].read_bytes())  # a readable WAV the app must not serve
    with serve(create_app(fixture.db_path)) as base_url:
        client, _ = login(base_url, "alice", fixture.passwords["alice"])
        for path in (
            "/audio/utterance/..%2F..%2F..%2F..%2F" + str(secret).lstrip("/").replace("/", "%2F"),
            "/audio/utterance/%2F" + str(secret).lstrip("/").replace("/", "%2F"),
            "/audio/utterance/m1%2F..%2F..%2Fsecret.wav",
            "/audio/speaker/..%2F..%2Fsecret.wav/SPEAKER_00/0",
            "/audio/speaker/m1/..%2F..%2Fsecret.wav/0",
            "/audio/speaker/m1/SPEAKER_00/-1",
            "/static/..%2F..%2Freview%2Fapp.py",
            "/static/../app.py",
        ):
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert not response.content.startswith(b"RIFF")
        # Extra parameters are ignored: the clip is still the utterance's own span of m1.
        response = client.get("/audio/utterance/m1/u00002", params={"path": str(secret), "start_s": 0})
        samples, rate = _read_wav(response.content)
        assert _dominant_hz(samples, rate) == pytest.approx(tone_hz("m1", 2), abs=3)


def test_range_requests_return_parts_of_the_clip(fixture_db):
    with serve(create_app(fixture_db.db_path)) as base_url:
        client, _ = login(base_url, "alice", fixture_db.passwords["alice"])
        whole = client.get("/audio/utterance/m1/u00004")
        assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
        total = len(whole.content)
        part = client.get("/audio/utterance/m1/u00004", headers={"range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == whole.content[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{total}"
        tail = client.get("/audio/utterance/m1/u00004", headers={"range": "bytes=-10"})
        assert tail.content == whole.content[-10:]
        beyond = client.get("/audio/utterance/m1/u00004", headers={"range": f"bytes={total + 5}-"})
        assert beyond.status_code == 416
