"""WebVTT and SRT: one cue per utterance, voiced by the speaker's name and role."""

from __future__ import annotations

from dialogic.export.text import one_line
from dialogic.export.timecode import clock_ms
from dialogic.export.transcript import MeetingTranscript


def escape_vtt(text: str) -> str:
    """Escape what WebVTT cue text and a voice span's annotation may not hold as itself: ``&``,
    ``<`` and ``>`` become character references (so ``-->`` cannot appear either)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_subtitles(transcript: MeetingTranscript, fmt: str) -> str:
    """WebVTT (``fmt='vtt'``) or SRT (``'srt'``) cues, one per utterance in order. WebVTT names
    the speaker in a voice span (``<v Alex (service user)>``), escaped; SRT, which has no markup
    of its own, prefixes the plain text with ``Name (role): ``. A cue lasts at least 1 ms."""
    separator = "." if fmt == "vtt" else ","
    lines = ["WEBVTT", ""] if fmt == "vtt" else []
    for i, u in enumerate(transcript.utterances, start=1):
        if fmt == "srt":
            lines.append(str(i))
        end_s = max(u.end_s, u.start_s + 0.001)
        lines.append(f"{clock_ms(u.start_s, separator)} --> {clock_ms(end_s, separator)}")
        text = one_line(u.text)
        if fmt == "vtt":
            lines.append(f"<v {escape_vtt(u.voice.display)}>{escape_vtt(text)}")
        else:
            lines.append(f"{u.voice.display}: {text}")
        lines.append("")
    return "\n".join(lines)
