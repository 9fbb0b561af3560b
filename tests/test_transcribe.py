import pytest
from conftest import sample_dir

from dialogic.audio import decode_audio
from dialogic.errors import AudioError, ModelError
from dialogic.options import TranscriptionOptions
from dialogic.transcribe import resolve_asr_model, transcribe_audio

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`


def test_tiny_en_transcribes_the_sample_with_word_timestamps():
    transcript = transcribe_audio(decode_audio(sample_dir() / "sample.wav"), TranscriptionOptions(model="tiny.en"))
    text = " ".join(w.word for w in transcript.words).lower()
    for expected in ("hello", "chicago", "new jersey", "texas"):
        assert expected in text, text
    assert all(0 <= w.start_s <= w.end_s <= 30.5 for w in transcript.words)
    assert all(0 < w.probability <= 1 for w in transcript.words)
    starts = [w.start_s for w in transcript.words]
    assert starts == sorted(starts)
    assert transcript.model_sha256 == "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"


def test_multilingual_base_detects_english_and_transcribes_the_sample():
    transcript = transcribe_audio(decode_audio(sample_dir() / "sample.wav"), TranscriptionOptions(model="base"))
    assert transcript.language == "en" and transcript.language_probability > 0.5
    text = " ".join(w.word for w in transcript.words).lower()
    for expected in ("hello", "chicago", "texas"):
        assert expected in text, text
    # the joined model.bin, as pinned in models/faster-whisper-base.yaml
    assert transcript.model_sha256 == "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"


def test_a_given_language_is_used_not_detected():
    transcript = transcribe_audio(
        decode_audio(sample_dir() / "sample.wav"), TranscriptionOptions(model="base", language="de")
    )
    assert transcript.language == "de" and transcript.words


def test_hub_model_offline_fails_at_once_naming_the_remedy(monkeypatch):
    monkeypatch.delenv("DIALOGIC_ALLOW_HUB", raising=False)
    with pytest.raises(ModelError, match=r"'large-v3' is not available offline.*DIALOGIC_ALLOW_HUB=1"):
        resolve_asr_model("large-v3")


def test_unknown_model_name_lists_valid_ones():
    with pytest.raises(ModelError, match=r"Invalid faster-whisper model 'huge-v9'.*distil-large-v3"):
        transcribe_audio(decode_audio(sample_dir() / "sample.wav"), TranscriptionOptions(model="huge-v9"))


def test_bad_audio_names_the_file(tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF0000WAVEfmt not really audio" * 10)
    with pytest.raises(AudioError, match=r"junk\.wav: not a media file"):
        decode_audio(junk)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.wav: file is empty"):
        decode_audio(empty)
    with pytest.raises(AudioError, match=r"gone\.wav: no such audio file"):
        decode_audio(tmp_path / "gone.wav")
