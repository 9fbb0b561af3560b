"""Short WAV clips of a meeting's recording, for the rater's play button.

A clip is named by database ids only (an utterance id, or a meeting's speaker label and clip
number); the file opened is always the ``meetings.audio_path`` stored for that meeting by the
pipeline, never a path that came with a request. Only the asked-for span is decoded (PyAV seeks
close to it first), so a two-hour recording is never sent or decoded whole.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np

from dialogic.errors import AudioError, LookupFailed

CLIP_SAMPLE_RATE = 16000
MAX_CLIP_S = 60.0  # longer spans are cut: a clip is for listening to one utterance
UTTERANCE_PADDING_S = 0.15  # a little context so the first syllable is not clipped
SPEAKER_CLIP_S = 6.0


@dataclass(frozen=True)
class ClipSpan:
    audio_path: Path
    start_s: float
    end_s: float


def extract_clip(audio_path: str | Path, start_s: float, end_s: float, *, sample_rate: int = CLIP_SAMPLE_RATE) -> bytes:
    """Decode [start_s, end_s] of ``audio_path`` to a 16-bit mono WAV file's bytes.

    Raises AudioError when the file is missing or unreadable or the span holds no audio.
    """
    path = Path(audio_path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    start_s = max(0.0, float(start_s))
    end_s = min(float(end_s), start_s + MAX_CLIP_S)
    if end_s <= start_s:
        raise AudioError(f"{path}: empty span {start_s:.2f}-{end_s:.2f} s")
    stat = path.stat()
    # The cache key includes size and mtime so a replaced recording is decoded again.
    return _extract_cached(str(path), stat.st_size, stat.st_mtime_ns, round(start_s, 3), round(end_s, 3), sample_rate)


@lru_cache(maxsize=256)
def _extract_cached(path: str, _size: int, _mtime_ns: int, start_s: float, end_s: float, sample_rate: int) -> bytes:
    samples = _decode_span(path, start_s, end_s, sample_rate)
    if samples.size == 0:
        raise AudioError(f"{path}: no audio between {start_s:.2f} and {end_s:.2f} s")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def _decode_span(path: str, start_s: float, end_s: float, sample_rate: int) -> np.ndarray:
    import av  # PyAV bundles FFmpeg

    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: holds no audio stream")
            stream = container.streams.audio[0]
            if start_s > 0 and stream.time_base is not None:
                try:
                    # Lands on a packet at or before start_s; the exact cut is made below.
                    container.seek(int(start_s / stream.time_base), stream=stream, backward=True)
                except av.error.FFmpegError:
                    container.seek(0)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
            first_time_s: float | None = None
            chunks: list[np.ndarray] = []
            for frame in container.decode(stream):
                frame_start_s = float(frame.time) if frame.time is not None else 0.0
                frame_end_s = frame_start_s + frame.samples / frame.sample_rate
                if frame_end_s <= start_s:
                    continue
                if frame_start_s >= end_s:
                    break
                if first_time_s is None:
                    first_time_s = frame_start_s
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except av.error.FFmpegError as exc:
        raise AudioError(f"{path}: cannot decode audio ({exc})") from exc
    if first_time_s is None or not chunks:
        return np.zeros(0, dtype=np.int16)
    samples = np.concatenate(chunks)
    offset = max(0, int(round((start_s - first_time_s) * sample_rate)))
    length = int(round((end_s - start_s) * sample_rate))
    return samples[offset : offset + length]


def _meeting_audio_path(con: duckdb.DuckDBPyConnection, meeting_id: str) -> Path:
    path = _recording(con, meeting_id)
    if path is None:
        raise LookupFailed(f"meeting {meeting_id!r} has no recording: its transcript was imported without audio")
    return path


def _recording(con: duckdb.DuckDBPyConnection, meeting_id: str) -> Path | None:
    """The meeting's stored recording; None for a transcript imported without one."""
    row = con.execute(
        "select audio_path from meetings where meeting_id = ? and meeting_id in (select meeting_id from reviewable_meetings())",
        [meeting_id],
    ).fetchone()
    if row is None:
        raise LookupFailed(f"no meeting {meeting_id!r} whose consent covers review")
    return None if row[0] is None else Path(row[0])


def utterance_span(con: duckdb.DuckDBPyConnection, utterance_id: str) -> ClipSpan:
    """Where an utterance's audio is: its meeting's stored file and its padded time span."""
    row = con.execute(
        "select meeting_id, start_s, end_s from utterances where utterance_id = ? and meeting_id in (select meeting_id from reviewable_meetings())",
        [utterance_id],
    ).fetchone()
    if row is None:
        raise LookupFailed(f"no utterance {utterance_id!r} in a meeting whose consent covers review")
    meeting_id, start_s, end_s = row
    if start_s is None:
        raise LookupFailed(f"utterance {utterance_id!r} has no times: its transcript was imported without them")
    return ClipSpan(
        audio_path=_meeting_audio_path(con, meeting_id),
        start_s=max(0.0, start_s - UTTERANCE_PADDING_S),
        end_s=end_s + UTTERANCE_PADDING_S,
    )


def speaker_spans(
    con: duckdb.DuckDBPyConnection, meeting_id: str, speaker_label: str, *, n_clips: int = 3
) -> list[ClipSpan]:
    """Up to ``n_clips`` sample spans of one diarised speaker: their longest solo turns.

    Uses the exclusive diarisation track (no overlapping speech, so the clip is that speaker
    alone), falling back to the speaker's utterances when they have no turns there (a meeting
    stored without turns, or a speaker a transcript correction created). Each span is cut to
    SPEAKER_CLIP_S, and the spans are returned in meeting order. A meeting without a recording
    (an imported transcript) has none.
    """
    audio_path = _recording(con, meeting_id)
    if audio_path is None:
        return []
    rows = con.execute(
        """
        with candidates as (
            select start_s, end_s from turns
            where meeting_id = ? and speaker_label = ? and track = 'exclusive'
            union all
            select start_s, end_s from utterances
            where meeting_id = ? and speaker_label = ? and start_s is not null
              and not exists (
                  select 1 from turns where meeting_id = ? and track = 'exclusive' and speaker_label = ?
              )
        )
        select start_s, end_s from candidates order by end_s - start_s desc, start_s limit ?
        """,
        [meeting_id, speaker_label, meeting_id, speaker_label, meeting_id, speaker_label, n_clips],
    ).fetchall()
    spans = [ClipSpan(audio_path, start_s, min(end_s, start_s + SPEAKER_CLIP_S)) for start_s, end_s in rows]
    return sorted(spans, key=lambda span: span.start_s)


def clip_text(con: duckdb.DuckDBPyConnection, meeting_id: str, span: ClipSpan) -> str:
    """The words heard in a clip: the meeting's current words whose middle falls inside it, in
    order, whoever they are attributed to (the clip is what the rater hears)."""
    row = con.execute(
        """
        select string_agg(word, ' ' order by word_index) from words
        where meeting_id = ? and (start_s + end_s) / 2 between ? and ?
        """,
        [meeting_id, span.start_s, span.end_s],
    ).fetchone()
    return row[0] or ""


def speaker_span(con: duckdb.DuckDBPyConnection, meeting_id: str, speaker_label: str, clip_index: int) -> ClipSpan:
    spans = speaker_spans(con, meeting_id, speaker_label)
    if not 0 <= clip_index < len(spans):
        raise LookupFailed(f"speaker {speaker_label!r} of meeting {meeting_id!r} has no clip {clip_index}")
    return spans[clip_index]
