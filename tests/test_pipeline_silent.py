"""A meeting with no speech (a silent recording) costs no tagger: re-running it, or tagging the
stored meeting, never loads the model (the tagger module is not even imported)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def test_tagging_a_stored_meeting_without_speech_loads_no_tagger(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from dialogic.db import connect
        from dialogic.manifest import Consent, MeetingSpec, Participant
        from dialogic.options import PipelineOptions
        from dialogic.pipeline import tag_stored_meeting

        con = connect(Path({str(tmp_path / "s.duckdb")!r}))
        con.execute(
            "insert into meetings (meeting_id, audio_path, duration_s, consent_status, consent_scope) "
            "values ('silent', 'silent.wav', 68.0, 'given', ['transcribe', 'analyse'])"
        )
        meeting = MeetingSpec(
            id="silent", audio=Path("silent.wav"),
            consent=Consent("given", ("transcribe", "analyse"), None),
            participants=(Participant("p1", "service_user"),),
        )
        print(tag_stored_meeting(con, meeting, PipelineOptions(), only_if_missing=True))
        print("dialogic.tagging.tagger" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)}, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["0", "False"]  # no rows, and the tagger module never imported
