"""The `dialogic raters` and `dialogic review` commands."""

from __future__ import annotations

from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.db import connect
from dialogic.review.auth import authenticate

runner = CliRunner()


def test_raters_add_and_list(tmp_path):
    db = tmp_path / "cli.duckdb"
    result = runner.invoke(
        app, ["raters", "add", "alice", "--db", str(db), "--password-stdin"], input="a long password\n"
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        app, ["raters", "add", "alice", "--db", str(db), "--password-stdin"], input="a long password\n"
    )
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(app, ["raters", "add", "bob", "--db", str(db), "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    prompted = runner.invoke(
        app, ["raters", "add", "carol", "--db", str(db), "--blind"], input="carol's password\ncarol's password\n"
    )
    assert prompted.exit_code == 0, prompted.output
    listed = runner.invoke(app, ["raters", "list", "--db", str(db)])
    assert listed.exit_code == 0
    header, first, *_ = listed.output.splitlines()
    assert header == "rater\tanswers\tsince\trights" and first.startswith("alice\t0 answers")
    assert "carol" in listed.output and "blind" in listed.output
    con = connect(db)
    assert authenticate(con, "alice", "a long password") is not None
    assert authenticate(con, "carol", "carol's password").blind
    con.close()


def test_editor_rights_are_granted_listed_and_revoked(tmp_path):
    db = tmp_path / "cli.duckdb"
    added = runner.invoke(
        app, ["raters", "add", "dana", "--editor", "--db", str(db), "--password-stdin"], input="dana's password\n"
    )
    assert added.exit_code == 0, added.output
    runner.invoke(app, ["raters", "add", "erin", "--db", str(db), "--password-stdin"], input="erin's password\n")
    con = connect(db)
    assert authenticate(con, "dana", "dana's password").can_edit
    assert not authenticate(con, "erin", "erin's password").can_edit
    con.close()
    listed = runner.invoke(app, ["raters", "list", "--db", str(db)]).output.splitlines()[1:]
    assert listed[0].endswith("editor (0 corrections)") and "editor" not in listed[1]
    assert runner.invoke(app, ["raters", "editor", "erin", "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["raters", "editor", "dana", "--revoke", "--db", str(db)]).exit_code == 0
    con = connect(db)
    assert authenticate(con, "erin", "erin's password").can_edit
    assert not authenticate(con, "dana", "dana's password").can_edit
    con.close()
    unknown = runner.invoke(app, ["raters", "editor", "nobody", "--db", str(db)])
    assert unknown.exit_code == 1 and "no rater 'nobody'" in unknown.output


def test_every_review_command_has_an_example_in_its_help():
    for command in (["review"], ["raters"], ["raters", "add"], ["raters", "list"], ["raters", "editor"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Example: dialogic" in result.output, command
