"""Export one stored meeting as JSON (stable contract), RTTM, WebVTT or SRT."""

from __future__ import annotations

import json

import duckdb

from dialogic.errors import LookupFailed

FORMATS = ("json", "rttm", "vtt", "srt")


def load_meeting_export(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict:
    """The JSON export contract:

    ``{"meeting_id", "duration_s", "tagger": {"model_version", "validation_status"} | null,
    "utterances": [{"id", "speaker", "participant_id", "role", "start_s", "end_s", "text",
    "words": [{"start_s", "end_s", "word", "probability"}]}]}``

    A meeting imported from a transcript has no words (``[]``); without times its ``start_s`` and
    ``end_s`` are null, and so is ``duration_s`` without a recording.
    """
    row = con.execute("select duration_s from meetings where meeting_id = ?", [meeting_id]).fetchone()
    if row is None:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    utterances = con.execute(
        """
        select u.utterance_id, u.speaker_label, s.participant_id, s.role, u.start_s, u.end_s, u.text
        from utterances u
        left join compute_speaker_roles(?) s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
        where u.meeting_id = ?
        order by u.utterance_index
        """,
        [meeting_id, meeting_id],
    ).fetchall()
    tagger = con.execute(
        """
        select c.model_version, s.validation_status
        from stg_current_tagger as c
        left join tagger_validation_summary as s on s.tagger_model_version = c.model_version
        where c.meeting_id = ?
        """,
        [meeting_id],
    ).fetchone()
    words: dict[str, list[dict]] = {}
    for uid, start_s, end_s, word, probability in con.execute(
        "select utterance_id, start_s, end_s, word, probability from words where meeting_id = ? order by word_index",
        [meeting_id],
    ).fetchall():
        words.setdefault(uid, []).append({"start_s": start_s, "end_s": end_s, "word": word, "probability": probability})
    return {
        "meeting_id": meeting_id,
        "duration_s": row[0],
        # the tagger whose labels the views count for this meeting, and its measured error here
        "tagger": None
        if tagger is None
        else {
            "model_version": tagger[0],
            "validation_status": tagger[1] or "not validated on this study",
        },
        "utterances": [
            {
                "id": uid,
                "speaker": speaker,
                "participant_id": pid,
                "role": role,
                "start_s": start_s,
                "end_s": end_s,
                "text": text,
                "words": words.get(uid, []),
            }
            for uid, speaker, pid, role, start_s, end_s, text in utterances
        ],
    }


def export_meeting(con: duckdb.DuckDBPyConnection, meeting_id: str, fmt: str) -> str:
    """Render a stored meeting in ``fmt`` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise LookupFailed(f"unknown export format {fmt!r}, expected one of: {', '.join(FORMATS)}")
    if fmt == "rttm":
        return render_rttm(con, meeting_id)
    data = load_meeting_export(con, meeting_id)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if any(u["start_s"] is None for u in data["utterances"]):
        raise LookupFailed(
            f"meeting {meeting_id!r} has no times (an imported transcript without them): nothing to place in a "
            f"{fmt} file; export json"
        )
    return render_subtitles(data, fmt)


def render_rttm(con: duckdb.DuckDBPyConnection, meeting_id: str) -> str:
    """The overlap-aware diarisation as RTTM (one SPEAKER line per turn)."""
    row = con.execute("select source from meetings where meeting_id = ?", [meeting_id]).fetchone()
    if row is None:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    if (row[0] or "audio") != "audio":
        raise LookupFailed(
            f"meeting {meeting_id!r} was imported from a transcript: it has no diarisation to write as RTTM "
            "(export json, vtt or srt)"
        )
    rows = con.execute(
        "select speaker_label, start_s, end_s from turns where meeting_id = ? and track = 'overlap' order by start_s, speaker_label",
        [meeting_id],
    ).fetchall()
    # RTTM fields are space-separated, so the file id must not contain spaces (ids cannot).
    return "".join(
        f"SPEAKER {meeting_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> {speaker} <NA> <NA>\n"
        for speaker, start, end in rows
    )


def _timestamp(seconds: float, separator: str) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def render_subtitles(data: dict, fmt: str) -> str:
    """WebVTT or SRT cues, one per utterance, voiced by role/participant when mapped."""
    separator = "." if fmt == "vtt" else ","
    lines = ["WEBVTT", ""] if fmt == "vtt" else []
    for i, u in enumerate(data["utterances"], start=1):
        who = u["participant_id"] or u["speaker"] or "unknown"
        if u["role"]:
            who = f"{who} ({u['role']})"
        if fmt == "srt":
            lines.append(str(i))
        lines.append(
            f"{_timestamp(u['start_s'], separator)} --> {_timestamp(max(u['end_s'], u['start_s'] + 0.001), separator)}"
        )
        lines.append(f"<v {who}>{u['text']}" if fmt == "vtt" else f"{who}: {u['text']}")
        lines.append("")
    return "\n".join(lines)
