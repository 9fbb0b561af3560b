"""The overlap-aware diarisation as RTTM, by speaker label or by participant id."""

from __future__ import annotations

import duckdb

from dialogic.errors import LookupFailed
from dialogic.export.transcript import require_export_consent

SPEAKER_IDS = ("label", "participant")


def render_rttm(con: duckdb.DuckDBPyConnection, meeting_id: str, speaker_ids: str = "label") -> str:
    """One ``SPEAKER`` line per turn of the overlap-aware track. ``speaker_ids='label'`` names each
    speaker by its diarisation label (``SPEAKER_00``: what a diarisation scorer compares);
    ``'participant'`` by the participant a rater mapped it to (labels of unmapped speakers stay).
    Turns of participants whose speech was withdrawn are left out."""
    if speaker_ids not in SPEAKER_IDS:
        raise LookupFailed(f"unknown speaker ids {speaker_ids!r}, expected one of: {', '.join(SPEAKER_IDS)}")
    require_export_consent(con, meeting_id)
    source = con.execute("select source from meetings where meeting_id = ?", [meeting_id]).fetchone()[0]
    if (source or "audio") != "audio":
        raise LookupFailed(
            f"meeting {meeting_id!r} was imported from a transcript: it has no diarisation to write as RTTM "
            "(export json, or another transcript format)"
        )
    rows = con.execute(
        """
        select t.speaker_label, s.participant_id, t.start_s, t.end_s
        from turns as t
        left join compute_speaker_roles(?) as s on s.meeting_id = t.meeting_id and s.speaker_label = t.speaker_label
        where t.meeting_id = ? and t.track = 'overlap'
          and (s.participant_id is null or not list_contains(
              (select coalesce(withdrawn_participants, []) from meetings where meeting_id = ?), s.participant_id))
        order by t.start_s, t.speaker_label
        """,
        [meeting_id, meeting_id, meeting_id],
    ).fetchall()
    # RTTM fields are space-separated; neither labels nor participant ids (manifest ids) hold spaces.
    return "".join(
        f"SPEAKER {meeting_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> "
        f"{participant if speaker_ids == 'participant' and participant else label} <NA> <NA>\n"
        for label, participant, start, end in rows
    )
