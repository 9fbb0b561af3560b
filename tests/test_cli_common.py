"""What every command shares: a command that reads a database refuses a missing file, naming it,
and leaves no new file behind (a typo in --db must not look like an empty study)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dialogic.cli import app

READERS = [
    ["speakers", "list", "m1"],
    ["speakers", "map", "m1", "SPEAKER_00=p1"],
    ["export", "m1", "--format", "csv"],
    ["report", "m1"],
    ["report", "--all"],
    ["sql", "select 1"],
    ["review"],
    ["raters", "list"],
    ["validate", "sample", "--n", "10"],
    ["consent", "withdraw", "m1", "--reference", "form-1"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_a_command_that_reads_a_database_refuses_a_missing_file(tmp_path, command):
    missing = tmp_path / "nonexistent.duckdb"
    result = CliRunner().invoke(app, [*command, "--db", str(missing)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert f"no database at {missing} (from --db)" in " ".join(result.output.split())
    assert not missing.exists() and list(tmp_path.iterdir()) == []


def test_the_default_database_is_named_with_where_it_came_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIALOGIC_DB", str(tmp_path / "typo.duckdb"))
    result = CliRunner().invoke(app, ["speakers", "list", "m1"])
    assert result.exit_code == 1 and "(from $DIALOGIC_DB)" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


def test_every_command_group_has_an_example_and_help_keeps_its_brackets():
    runner = CliRunner()
    for group in app.registered_groups:
        result = runner.invoke(app, [group.name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, (group.name, result.output)
    export_help = " ".join(runner.invoke(app, ["export", "--help"]).output.split())
    assert "'[hh:mm:ss] Name (role): text'" in export_help  # not eaten as rich markup
    process_help = " ".join(runner.invoke(app, ["process", "--help"]).output.split())
    assert "[default: (0, meaning all)" in process_help
    models_help = " ".join(runner.invoke(app, ["models", "--help"]).output.split())
    assert "`dialogic models` alone lists them" in models_help


def test_tables_print_as_tab_separated_lines_in_a_pipe_and_as_a_table_when_asked(tmp_path):
    import shutil

    from dialogic.manifest import load_manifest
    from dialogic.options import PipelineOptions
    from dialogic.pipeline import process_manifest

    data = Path(__file__).parent / "data" / "transcripts"
    shutil.copyfile(data / "meeting.txt", tmp_path / "meeting.txt")
    (tmp_path / "m.yaml").write_text(
        "meetings:\n  - id: m\n    transcript: meeting.txt\n"
        "    consent: {status: given, scope: [transcribe, analyse, review]}\n"
        "    participants:\n      - {id: p1, role: service_user, pseudonym: Alex}\n"
        "      - {id: p3, role: clinician, pseudonym: Dr Lee, profession: psychiatrist}\n"
    )
    db = tmp_path / "t.duckdb"
    process_manifest(db, load_manifest(tmp_path / "m.yaml"), PipelineOptions(tag=False))
    runner = CliRunner()
    piped = runner.invoke(app, ["speakers", "list", "m", "--db", str(db)]).output.splitlines()
    assert piped[0] == "speaker\tparticipant\trole\tname\tturn_s\tlongest_turn_s\tcheck"
    assert "DR LEE\tp3\tclinician\tDr Lee (clinician, psychiatrist)\t-\t-\t" in piped
    table = runner.invoke(app, ["speakers", "list", "m", "--db", str(db), "--format", "table"], env={"COLUMNS": "60"})
    lines = table.output.splitlines()
    assert any("┃ speaker" in line for line in lines) and all(len(line) <= 60 for line in lines)
    assert sum("DR LEE" in line for line in lines) == 1  # a cut value, not a row stacked over lines
    processed = runner.invoke(app, ["process", str(tmp_path / "m.yaml"), "--db", str(db), "--no-tag"])
    assert "m\tunchanged\t" in processed.output
