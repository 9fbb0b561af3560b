"""Hostile and careless input, each through the real code path: one clear line (or a stored
warning), never a traceback, never a hang, never key material, nothing half stored."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from builders import build_two_utterance_db
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.db import connect
from dialogic.encryption import close_encrypted
from dialogic.errors import ManifestError, TranscriptError
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.pipeline import process_manifest
from dialogic.transcript_import import MAX_TRANSCRIPT_BYTES, read_transcript

KEY_MARKER = "KEYMARKER-q7\\x41\\zz"  # a backslash, and what DuckDB would read as an escape
ALEX = "    participants:\n      - {id: p1, role: service_user, pseudonym: Alex}\n"


def transcript_only(meeting_id: str, transcript: str) -> str:
    return (
        f"  - id: {meeting_id}\n    transcript: {transcript}\n"
        "    consent: {status: given, scope: [transcribe, analyse, review]}\n" + ALEX
    )


def cli(*args, env: dict | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def dialogic(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed command in its own process, as a user runs it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGIC_DB_KEY")} | (env or {})
    return subprocess.run(
        [sys.executable, "-c", "from dialogic.cli import app; app(prog_name='dialogic')", *map(str, args)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
    )


def one_line_error(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


# --- manifests -------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    manifest = tmp_path / "bomb.yaml"
    manifest.write_text(
        "\n".join(levels) + "\nmeetings:\n" + transcript_only("m", "t.txt").replace(ALEX, "") + "    participants: *i\n"
    )
    started = time.monotonic()
    with pytest.raises(ManifestError, match="anchors and aliases expand to more than 100,000 entries"):
        load_manifest(manifest)
    assert time.monotonic() - started < 5


def test_anchors_and_aliases_that_share_a_block_still_load(tmp_path):
    (tmp_path / "t.txt").write_text("Alex: hello\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "consent: &consent {status: given, scope: [transcribe, analyse]}\nmeetings:\n"
        + "".join(f"  - id: m{i}\n    transcript: t.txt\n    consent: *consent\n" + ALEX for i in range(3))
    )
    assert [m.id for m in load_manifest(manifest).meetings] == ["m0", "m1", "m2"]


# --- transcripts -----------------------------------------------------------------------------


@pytest.mark.parametrize("time_text", ["1e300", "99999999999", "90000", "inf", "nan"])
def test_a_time_out_of_range_fails_the_meeting_and_stores_none_of_its_text(tmp_path, time_text):
    (tmp_path / "t.csv").write_text(f"speaker,start,end,text\nAlex,0,1,fine\nAlex,2,{time_text},huge time here\n")
    (tmp_path / "m.yaml").write_text("meetings:\n" + transcript_only("big", "t.csv"))
    (result,) = process_manifest(
        tmp_path / "db.duckdb", load_manifest(tmp_path / "m.yaml"), PipelineOptions(tag=False)
    ).results
    assert result.status == "failed"
    assert "t.csv: line 3" in result.reason and (
        "outside 0 to 86400 s" in result.reason or "bad end time" in result.reason
    )
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("select count(*) from utterances").fetchone() == (0,)
    assert con.execute("select count(*) from meetings where meeting_id is null").fetchone() == (0,)
    assert con.execute("select processing_key from meetings where meeting_id = 'big'").fetchone() == (None,)
    con.close()


def test_nul_and_other_control_characters_are_removed_with_a_stored_warning(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"Alex: hello\x00 there\x07 friend\x1b[31m\nAlex: second line\n")
    (tmp_path / "m.yaml").write_text("meetings:\n" + transcript_only("nul", "t.txt"))
    (result,) = process_manifest(
        tmp_path / "db.duckdb", load_manifest(tmp_path / "m.yaml"), PipelineOptions(tag=False)
    ).results
    assert result.status == "processed"
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    texts = [t for (t,) in con.execute("select text from utterances order by utterance_index").fetchall()]
    (warnings,) = con.execute("select transcript_warnings from meetings").fetchone()
    con.close()
    assert texts == ["hello there friend[31m second line"] or texts == ["hello there friend[31m", "second line"]
    assert not any(ch in "".join(texts) for ch in "\x00\x07\x1b")
    assert warnings == ["3 control character(s) (such as NUL) removed from the transcript text on line(s) 1"]


def test_a_one_line_transcript_of_two_million_words_is_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Alex: " + "word " * 2_000_000)
    with pytest.raises(TranscriptError, match=r"long\.txt: line 1: one utterance of 2,000,000 words; .* at most 5,000"):
        read_transcript(path)


def test_a_transcript_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("w") as out:
        out.write("speaker,start,end,text\n")
        out.truncate(MAX_TRANSCRIPT_BYTES + 1)
    with pytest.raises(TranscriptError, match=r"huge\.csv: the file is 20\.0 MB; a transcript may be at most 20 MB"):
        read_transcript(path)


# --- exports ---------------------------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1+1", "\r=1"]


def test_spreadsheet_formulas_are_neutralised_in_every_csv_and_tsv(tmp_path):
    from dialogic.export.text import one_line
    from dialogic.spreadsheet import safe_cell

    for formula in FORMULAS:
        assert safe_cell(formula) == "'" + formula
    assert [safe_cell(x) for x in ("-1.5", "+3", "plain", "", "a=b")] == ["-1.5", "+3", "plain", "", "a=b"]

    import csv
    import io

    db = build_two_utterance_db(tmp_path / "f.duckdb")
    for first in range(0, len(FORMULAS), 2):
        pair = FORMULAS[first : first + 2]
        con = connect(db)
        for index, formula in enumerate(pair):
            con.execute("update utterances set text = ? where utterance_index = ?", [formula, index])
        con.close()
        # the transcript export puts text on one line first (a CR becomes a space, and " =1" is text)
        expected = [safe_cell(one_line(formula)) for formula in pair]
        assert all(not text.startswith(("=", "+", "-", "@", "\t", "\r")) for text in expected)
        for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
            out = tmp_path / f"m1-{first}.{fmt}"
            assert cli("export", "m1", "--format", fmt, "--output", out, "--db", db).exit_code == 0
            rows = list(csv.DictReader(io.StringIO(out.read_text(), newline=""), delimiter=delimiter))
            assert [row["text"] for row in rows] == expected
        view = tmp_path / f"u-{first}.csv"
        assert cli("export-view", "utterances", "--format", "csv", "--output", view, "--db", db).exit_code == 0
        rows = list(csv.DictReader(io.StringIO(view.read_bytes().decode(), newline="")))
        assert sorted(row["text"] for row in rows) == sorted("'" + formula for formula in pair)
    query = cli("sql", "select '=1+1' as f, -2 as n", "--db", db, "--format", "csv")
    assert query.stdout == "f,n\n'=1+1,-2\n"


def test_exports_are_owner_only_unless_asked_and_never_overwrite_without_force(tmp_path):
    db = build_two_utterance_db(tmp_path / "e.duckdb")
    out = tmp_path / "m1.csv"
    out.write_text("keep me")
    refused = cli("export", "m1", "--format", "csv", "--output", out, "--db", db)
    assert refused.exit_code == 1 and "already exists; add --force" in refused.output
    assert out.read_text() == "keep me"
    assert cli("export", "m1", "--format", "csv", "--output", out, "--db", db, "--force").exit_code == 0
    assert "one two three" in out.read_text() and stat.S_IMODE(out.stat().st_mode) == 0o600
    shared = tmp_path / "shared.json"
    assert cli("export", "m1", "--output", shared, "--db", db, "--mode", "640").exit_code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    for command in (
        ["export-view", "balance", "--output", tmp_path / "b.parquet"],
        ["sql", "select 1 as one", "--format", "parquet", "--output", tmp_path / "q.parquet"],
        ["sql", "select 1 as one", "--format", "csv", "--output", tmp_path / "q.csv"],
    ):
        result = cli(*command, "--db", db)
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(Path(command[command.index("--output") + 1]).stat().st_mode) == 0o600
    bad = cli("export", "m1", "--output", tmp_path / "x.json", "--db", db, "--mode", "rw")
    assert bad.exit_code == 1 and "a file mode is octal" in bad.output


def test_export_view_leaves_out_meetings_whose_consent_lacks_analyse(tmp_path):
    db = build_two_utterance_db(tmp_path / "c.duckdb")
    con = connect(db)
    con.execute(
        "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) "
        "values ('m2', 'm2.wav', 'given', ['transcribe'])"
    )
    con.execute(
        "insert into utterances (utterance_id, meeting_id, utterance_index, speaker_label, start_s, end_s, text) "
        "values ('m2/u00000', 'm2', 0, 'S0', 0, 1, 'not for analysis')"
    )
    con.close()
    out = tmp_path / "u.csv"
    result = cli("export-view", "utterances", "--format", "csv", "--output", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "wrote 2 rows of utterances" in result.output and "1 rows of meetings whose consent" in result.output
    assert set(pl.read_csv(out)["meeting_id"]) == {"m1"} and "not for analysis" not in out.read_text()


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["-1", "99999", "0"])
def test_a_port_out_of_range_is_one_line(tmp_path, port):
    result = cli("review", "--port", port, "--db", tmp_path / "x.duckdb")
    assert result.exit_code == 1
    assert result.output == f"error: --port must be a port number from 1 to 65535, not {port}\n"


def test_process_on_a_file_that_is_not_duckdb_is_one_line(tmp_path):
    (tmp_path / "t.txt").write_text("Alex: hello\n")
    (tmp_path / "m.yaml").write_text("meetings:\n" + transcript_only("m", "t.txt"))
    (tmp_path / "notes.duckdb").write_text("minutes of the meeting, not a database\n")
    done = dialogic("process", tmp_path / "m.yaml", "--db", tmp_path / "notes.duckdb", "--no-tag")
    assert done.returncode == 1
    assert "not a valid DuckDB database file" in one_line_error(done.stderr)


@pytest.fixture
def encrypted_study(tmp_path):
    (tmp_path / "t.txt").write_text("Alex: hello\n")
    (tmp_path / "m.yaml").write_text("meetings:\n" + transcript_only("m", "t.txt"))
    db = tmp_path / "study.duckdb"
    os.environ["DIALOGIC_DB_KEY"] = "correct horse battery staple"
    try:
        build_two_utterance_db(db)
        close_encrypted(db)
    finally:
        del os.environ["DIALOGIC_DB_KEY"]
    return tmp_path, db


def test_no_key_material_in_any_message(encrypted_study):
    folder, db = encrypted_study
    key_file = folder / "wrong.key"
    key_file.write_text(KEY_MARKER)
    key_file.chmod(0o600)
    runs = [
        dialogic("process", folder / "m.yaml", "--db", db, "--no-tag", env={"DIALOGIC_DB_KEY": KEY_MARKER}),
        dialogic("process", folder / "m.yaml", "--db", db, "--no-tag", env={"DIALOGIC_DB_KEY_FILE": str(key_file)}),
        dialogic("sql", "select 1", "--db", db, env={"DIALOGIC_DB_KEY": KEY_MARKER}),
        dialogic("db", "decrypt", "--db", db, "--output", folder / "p.duckdb", env={"DIALOGIC_DB_KEY": KEY_MARKER}),
    ]
    for done in runs:
        assert done.returncode == 1
        line = one_line_error(done.stderr)
        assert "the database key does not open this database" in line
        for part in ("KEYMARKER", "q7", "\\x41", "zz\n"):
            assert part not in done.stdout + done.stderr, done.stderr
    assert not (folder / "p.duckdb").exists()


def test_a_key_file_that_is_not_utf8_is_one_line(encrypted_study):
    folder, db = encrypted_study
    key_file = folder / "binary.key"
    key_file.write_bytes(b"\xff\xfe\x00 not text \xff" * 4)
    key_file.chmod(0o600)
    done = dialogic("process", folder / "m.yaml", "--db", db, "--no-tag", env={"DIALOGIC_DB_KEY_FILE": str(key_file)})
    assert done.returncode == 1 and "binary.key: the database key file is not UTF-8 text" in one_line_error(done.stderr)


def test_a_key_with_a_backslash_opens_what_it_encrypted(tmp_path, monkeypatch):
    db = build_two_utterance_db(tmp_path / "b.duckdb")
    env = {"DIALOGIC_DB_KEY": KEY_MARKER}
    done = cli("db", "encrypt", "--db", db, env=env)
    assert done.exit_code == 0, done.output
    shown = cli("sql", "select count(*) as n from utterances", "--db", db, "--format", "csv", env=env)
    assert shown.stdout == "n\n2\n"
    close_encrypted(db)
    # the literal key, not one with \x41 read as "A"
    assert cli("sql", "select 1", "--db", db, env={"DIALOGIC_DB_KEY": KEY_MARKER.replace("\\x41", "A")}).exit_code == 1
    close_encrypted(db)


def test_db_encrypt_on_an_encrypted_database_says_so(encrypted_study):
    _, db = encrypted_study
    same = cli("db", "encrypt", "--db", db, env={"DIALOGIC_DB_KEY": "correct horse battery staple"})
    assert same.exit_code == 1 and "already encrypted with the key set; nothing to do" in same.output
    close_encrypted(db)
    other = cli("db", "encrypt", "--db", db, env={"DIALOGIC_DB_KEY": "another key of some length"})
    assert other.exit_code == 1 and "already encrypted, and the key set does not open it" in other.output
    assert "set DIALOGIC_DB_KEY" not in same.output + other.output
    close_encrypted(db)


def test_the_correction_page_of_an_untimed_import_answers_plainly(tmp_path):
    from review_server import login, serve

    from dialogic.review.app import create_app
    from dialogic.store.raters import add_rater

    (tmp_path / "t.txt").write_text("Alex: hello there\nAlex: more words\n")
    (tmp_path / "m.yaml").write_text("meetings:\n" + transcript_only("m", "t.txt"))
    db = tmp_path / "r.duckdb"
    process_manifest(db, load_manifest(tmp_path / "m.yaml"), PipelineOptions(tag=False))
    con = connect(db)
    add_rater(con, "alice", "a long enough password")
    con.close()
    with serve(create_app(db)) as base_url:
        client, _ = login(base_url, "alice", "a long enough password")
        # an imported transcript is corrected in its file: the page says so, never a 500
        page = client.get("/correct/m/u00000")
        assert page.status_code == 409 and "imported from a transcript" in page.text
        assert "Traceback" not in page.text and "<audio" not in page.text
        editor = client.get("/transcripts/m")
        assert editor.status_code == 200 and "hello there" in editor.text
        assert client.get("/correct/m/u09999").status_code == 404
        client.close()
