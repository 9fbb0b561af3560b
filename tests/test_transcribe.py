import dataclasses
import difflib
import re

import pytest
from conftest import sample_dir, sample_twice_with_a_pause

from dialogic.asr_windows import read_array, window_bounds
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


def _normalised(words) -> list[str]:
    return [re.sub(r"[^a-z0-9']", "", w.word.lower()) for w in words]


def test_windowed_transcription_agrees_with_one_pass():
    audio = sample_twice_with_a_pause()
    options = TranscriptionOptions(model="tiny.en", window_s=34)  # cut searched in 30.6–34 s: the pause
    bounds = list(window_bounds(read_array(audio.samples), len(audio.samples), 16000, window_s=options.window_s))
    assert len(bounds) == 2 and 30.0 <= bounds[0][1] / 16000 <= 32.0
    windowed = transcribe_audio(audio, options).words
    one_pass = transcribe_audio(audio, dataclasses.replace(options, window_s=0)).words
    matcher = difflib.SequenceMatcher(a=_normalised(one_pass), b=_normalised(windowed), autojunk=False)
    # Decoding restarts at the cut, so a few words differ (tiny.en is sensitive to where its 30 s
    # windows fall: measured 10 of 143 here); what windowing must not do is lose or shift speech.
    assert matcher.ratio() >= 0.9, (matcher.ratio(), one_pass, windowed)
    pairs = [(one_pass[b.a + i], windowed[b.b + i]) for b in matcher.get_matching_blocks() for i in range(b.size)]
    # the same words at the same times: word timings move a little with the decoding window, and a
    # repeated word may pair with its neighbour (measured: 131 of 138 within 0.5 s); a wrong window
    # offset would move them all by seconds
    close = [abs(a.start_s - b.start_s) <= 0.5 and abs(a.end_s - b.end_s) <= 0.5 for a, b in pairs]
    assert sum(close) >= 0.9 * len(pairs), [p for p, ok in zip(pairs, close) if not ok]
    assert any(w.start_s < 30 for w in windowed) and any(w.start_s > 32 for w in windowed)


def test_batched_decoding_gives_timed_words_the_same_on_one_thread_and_two():
    """faster-whisper's BatchedInferencePipeline (`TranscriptionOptions.batch_size`): words in
    recording time, in order, from both windows; and the same words, times and probabilities on 1
    and 2 CTranslate2 threads, since the thread count must not change a stored transcript."""
    audio = sample_twice_with_a_pause()
    options = TranscriptionOptions(model="tiny.en", window_s=34, beam_size=1, batch_size=4, cpu_threads=1)
    words = transcribe_audio(audio, options).words
    text = " ".join(w.word for w in words).lower()
    assert text.count("texas") == 2 and text.count("yankee") == 2, text  # once in each copy
    starts = [w.start_s for w in words]
    assert starts == sorted(starts) and 0 <= starts[0] and words[-1].end_s <= audio.duration_s
    assert any(w.start_s < 30 for w in words) and any(w.start_s > 32 for w in words)
    assert transcribe_audio(audio, dataclasses.replace(options, cpu_threads=2)).words == words


def test_batched_decoding_without_vad_is_refused_naming_why():
    options = TranscriptionOptions(model="tiny.en", batch_size=8, vad_filter=False)
    with pytest.raises(ModelError, match=r"batch_size 8 needs vad_filter"):
        transcribe_audio(decode_audio(sample_dir() / "sample.wav"), options)
