"""`make demo` is the README's first command: `dialogic demo` end to end on the bundled sample,
with the real models, as a new user runs it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.db import connect


@pytest.mark.models
def test_the_demo_processes_the_sample_and_prints_its_transcript_and_voice_share(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path / "demo")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "speaker-attributed transcript" in result.output
    assert "voice share per role" in result.output and "peer" in result.output
    db = tmp_path / "demo" / "dialogic.duckdb"
    assert "Database:" in result.output and db.is_file()
    con = connect(db, read_only=True)
    try:
        assert con.execute("select count(*) from utterances where meeting_id = 'demo-sample'").fetchone()[0] > 0
        roles = {
            r[0] for r in con.execute("select role from voice_share_role where meeting_id = 'demo-sample'").fetchall()
        }
        assert {"peer", "service_user"} <= roles
    finally:
        con.close()
