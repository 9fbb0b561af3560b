"""Consent withdrawal that cannot be left half done, and leaves no byte of the withdrawn words.

Real DuckDB files and real `dialogic` processes killed with SIGKILL: at every step of a
withdrawal (through the fault-injection hook) and repeatedly while the new file is being written
(a kill timed from outside). After each kill the database opens and the withdrawal is either not
begun or pending; after one later command it is finished and the marker phrase is in no byte of
any file in the folder.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from builders import build_fixture_db, insert

from dialogic.consent import FAULT_ENV, journal_path, withdraw_participant
from dialogic.encryption import close_encrypted, database_key, httpfs_extension
from dialogic.store.consent import REDACTED_NOTE, quotes

PHRASE = "violet harbour lantern"
MARK = "zq7781"
SPOKEN = f"you really must {PHRASE} {MARK} keep taking them"
DIALOGIC = [sys.executable, "-c", "from dialogic.cli import app; app(prog_name='dialogic')"]
WITHDRAW = ["consent", "withdraw", "fx", "--participant", "mum", "--reference", "form-77"]


def _build(path: Path, *, filler_rows: int = 0) -> None:
    """The fixture, with the mother's words (a marker phrase) in every place that can hold them:
    her utterance and words, the machine's copy, a transcript check, a rating with its note, a
    correction's history, and raters' notes elsewhere in the meeting that quote her."""
    con = build_fixture_db(path)
    con.execute("update utterances set text = ? where utterance_id = 'fx/u00006'", [SPOKEN])
    words = [
        {
            "meeting_id": "fx",
            "word_index": i,
            "utterance_id": "fx/u00006",
            "speaker_label": "S1",
            "start_s": 40.0 + i * 0.5,
            "end_s": 40.4 + i * 0.5,
            "word": w,
            "probability": 0.9,
        }
        for i, w in enumerate(SPOKEN.split())
    ]
    insert(con, "words", *words)
    insert(con, "machine_words", *words)
    insert(
        con,
        "machine_utterances",
        {
            "utterance_id": "fx/u00006",
            "meeting_id": "fx",
            "utterance_index": 6,
            "speaker_label": "S1",
            "start_s": 40.0,
            "end_s": 46.0,
            "text": SPOKEN,
        },
    )
    insert(
        con,
        "transcript_checks",
        {
            "rater_id": "alice",
            "utterance_id": "fx/u00006",
            "meeting_id": "fx",
            "speaker_right": True,
            "misheard_words": 0,
            "word_count": 9,
            "utterance_text": SPOKEN,
        },
    )
    rating = {"rater_id": "alice", "meeting_id": "fx", "tag": "persuasion", "value": True}
    insert(
        con,
        "ratings",
        {**rating, "utterance_id": "fx/u00006", "note": f"she said {MARK}", "utterance_text": SPOKEN},
        # on the doctor's utterance, but quoting the mother: redacted
        {**rating, "utterance_id": "fx/u00008", "note": f"after mum's '{PHRASE}' line", "utterance_text": "x"},
        # quotes nobody: kept as written
        {**rating, "utterance_id": "fx/u00003", "note": "offers two options", "utterance_text": "y"},
    )
    insert(
        con,
        "meeting_scores",
        {"rater_id": "alice", "meeting_id": "fx", "item1": 1, "item2": 2, "item3": 0, "item4": 1, "item5": 0,
         "note": f"pressure from the family ({MARK.upper()})"},
    )  # fmt: skip
    item = {"utterance_id": "fx/u00006", "speaker_label": "S1", "text": SPOKEN}
    insert(
        con,
        "transcript_revisions",
        {
            "revision_id": 1,
            "meeting_id": "fx",
            "editor": "alice",
            "edited_at": "2024-03-06",
            "kind": "edit_words",
            "target_ids": ["fx/u00006"],
            "params": "{}",
            "before": json.dumps([item]),
            "after": json.dumps([{**item, "text": SPOKEN + " please"}]),
            "speaker_labels": ["S1"],
        },
    )
    if filler_rows:  # another meeting's transcript, so that rewriting the file takes a while
        con.execute(
            "insert into utterances (utterance_id, meeting_id, utterance_index, speaker_label, start_s, end_s, text) "
            "select 'fy/f' || i, 'fy', 1000 + i, 'S0', i, i + 0.5, 'filler words number ' || i || ' ' || md5(i::varchar) "
            "from range(?) as t(i)",
            [filler_rows],
        )
    con.execute("checkpoint")
    con.close()


def _raw(db: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB itself on the file, read-only (with the key and httpfs's crypto when one is set)."""
    key = database_key()
    if key is None:
        return duckdb.connect(str(db), read_only=True)
    con = duckdb.connect(":memory:")
    con.execute(f"load '{httpfs_extension()}'")
    con.execute(f"attach '{db}' as raw (encryption_key '{key}', read_only)")
    con.execute("use raw")
    return con


def _text_cells(db: Path) -> list[tuple[str, str, str]]:
    """Every cell of every column of every table, as text: (table, column, value)."""
    con = _raw(db)
    try:
        cells = []
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = current_database() order by 1"
            ).fetchall()
        ]
        for table in tables:
            columns = [r[0] for r in con.execute(f'describe "{table}"').fetchall()]
            for column in columns:
                for (value,) in con.execute(f'select cast("{column}" as varchar) from "{table}"').fetchall():
                    if value is not None:
                        cells.append((table, column, value))
        return cells
    finally:
        con.close()


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _marker_nowhere(folder: Path, db: Path) -> None:
    for table, column, value in _text_cells(db):
        lowered = value.lower()
        assert MARK not in lowered and PHRASE not in lowered, f"{table}.{column} still holds the withdrawn words"
    for name, data in _folder_bytes(folder).items():
        assert MARK.encode() not in data.lower() and PHRASE.encode() not in data, f"{name} holds the withdrawn words"


def test_every_text_column_of_every_table_loses_the_withdrawn_words(tmp_path):
    db = tmp_path / "w.duckdb"
    _build(db)
    # the marker really is in many tables before, so the check below can fail
    assert MARK.encode() in db.read_bytes()  # plain file: the bytes check below can fail
    before = {(t, c) for t, c, v in _text_cells(db) if MARK in v.lower()}
    assert {t for t, _ in before} >= {
        "utterances",
        "words",
        "machine_utterances",
        "machine_words",
        "transcript_checks",
        "ratings",
        "meeting_scores",
        "transcript_revisions",
    }
    removed = withdraw_participant(db, "fx", "mum", "form-77")
    assert removed["transcript_checks"] == 1 and removed["ratings"] == 1
    assert removed["ratings.note (redacted)"] == 1 and removed["meeting_scores.note (redacted)"] == 1
    _marker_nowhere(tmp_path, db)
    con = duckdb.connect(str(db), read_only=True)
    notes = dict(con.execute("select utterance_id, note from ratings").fetchall())
    assert notes == {"fx/u00008": REDACTED_NOTE, "fx/u00003": "offers two options"}
    assert con.execute("select state, completed_at is not null from consent_withdrawals").fetchall() == [
        ("complete", True)
    ]
    con.close()
    assert not journal_path(db).exists()


def test_a_note_is_redacted_when_it_quotes_three_words_or_a_word_only_they_said():
    spoken = ["you really must keep taking them", "no"]
    others = ["what would you like", "we could lower the dose or try therapy"]
    assert quotes("mum: 'must keep taking' them", spoken, others)
    assert quotes("she said no", spoken, others)  # a whole one-word utterance
    assert quotes("insists on TAKING", spoken, others)  # 'taking' only she said
    assert not quotes("doctor offers therapy", spoken, others)
    assert not quotes("you could try", spoken, others)  # two words, and others said them too
    assert not quotes("", spoken, others)


def _start(db: Path, args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [*DIALOGIC, *args, "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def _after_kill(folder: Path, db: Path, when: str) -> None:
    """The database opens; the withdrawal is either not begun (the words all there) or pending
    (in the journal) or complete (the words in no byte)."""
    con = _raw(db)
    try:
        states = [r[0] for r in con.execute("select state from consent_withdrawals").fetchall()]
        utterances = con.execute("select count(*) from utterances where meeting_id = 'fy'").fetchone()[0]
    finally:
        con.close()
    assert utterances >= 1, f"{when}: another meeting lost its rows"
    if journal_path(db).exists():
        assert states in ([], ["pending"], ["deleted"], ["complete"]), f"{when}: {states}"
    elif states == ["complete"]:
        _marker_nowhere(folder, db)
    else:
        assert states == [], f"{when}: {states} with no journal: stuck"
        assert any(MARK in v.lower() for _, _, v in _text_cells(db)), f"{when}: words gone with nothing recorded"


def _later_command(db: Path, n: int) -> None:
    """Any later command finishes the withdrawal first; alternately a read-only SQL query and a
    re-run of the same withdrawal."""
    args = ["sql", "select count(*) from utterances"] if n % 2 else WITHDRAW
    done = _start(db, args)
    output, _ = done.communicate(timeout=120)
    assert done.returncode == 0, output


def _finished(folder: Path, db: Path, when: str) -> None:
    assert not journal_path(db).exists(), when
    con = _raw(db)
    try:
        assert con.execute("select state from consent_withdrawals").fetchall() == [("complete",)], when
        assert con.execute("select count(*) from participants where participant_id = 'mum'").fetchone() == (0,)
        assert con.execute("select count(*) from utterances where meeting_id = 'fx'").fetchone() == (8,), when
    finally:
        con.close()
    _marker_nowhere(folder, db)
    assert sorted(p.name for p in folder.iterdir()) == [db.name], f"{when}: left beside it: {list(folder.iterdir())}"


STEPS = ["journal", "recorded", "deleted", "rewritten", "renamed", "completed"]


@pytest.mark.parametrize(
    ("step", "encrypted"), [*((step, False) for step in STEPS), ("deleted", True), ("rewritten", True)]
)
def test_a_withdrawal_killed_at_any_step_is_finished_by_the_next_command(tmp_path, monkeypatch, step, encrypted):
    db = tmp_path / "k.duckdb"
    if encrypted:
        monkeypatch.setenv("DIALOGIC_DB_KEY", "a-test-key-of-enough-length")
    _build(db)
    close_encrypted(db)
    killed = _start(db, WITHDRAW, {FAULT_ENV: step})
    output, _ = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, f"the process was not killed at {step}: {output}"
    _after_kill(tmp_path, db, f"killed at {step}")
    assert journal_path(db).exists(), f"killed at {step}: the journal is gone before the end"
    _later_command(db, STEPS.index(step))
    _finished(tmp_path, db, f"after a kill at {step} and one later command")


def test_a_withdrawal_killed_repeatedly_while_the_new_file_is_written_is_never_stuck(tmp_path):
    """Each try starts from the same database in a fresh folder, so the `.rewrite` it waits for is
    the one this process is writing; the kill must find the process alive and the file there."""
    template = tmp_path / "template.duckdb"
    _build(template, filler_rows=300_000)
    rng = random.Random(20261207)
    mid_write = tries = 0
    while mid_write < 4 and tries < 16:
        tries += 1
        folder = tmp_path / f"try{tries}"
        folder.mkdir()
        db = folder / "r.duckdb"
        shutil.copyfile(template, db)
        rewrite = db.with_name(db.name + ".rewrite")
        process = _start(db, WITHDRAW)
        while process.poll() is None and not rewrite.exists():
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.05))
        writing = process.poll() is None and rewrite.exists()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if not writing:
            continue  # it got past the copy first: not the moment this test is after
        mid_write += 1
        _after_kill(folder, db, f"try {tries}, killed while writing")
        assert journal_path(db).exists()
        _later_command(db, tries)
        _finished(folder, db, f"try {tries}: a kill while writing and one later command")
    assert mid_write >= 3, f"only {mid_write} of {tries} kills landed while the new file was written"


def test_a_withdrawal_the_old_code_left_half_done_is_finished_after_the_upgrade(tmp_path):
    """Before journals, a kill after the delete's commit left the words in the file's free blocks
    and an audit row that looked done. The upgrade marks such rows 'deleted', and the first
    command that writes rewrites the file."""
    db = tmp_path / "old.duckdb"
    _build(db)
    con = duckdb.connect(str(db))
    labels = "select speaker_label from speakers where meeting_id = 'fx' and participant_id = 'mum'"
    for table in ("transcript_checks", "ratings"):
        con.execute(f"delete from {table} where utterance_id = 'fx/u00006'")
    con.execute("update ratings set note = 'x' where note like '%violet%'")
    con.execute("update meeting_scores set note = null")
    con.execute("delete from transcript_revisions")
    for table in ("machine_words", "machine_utterances", "words", "utterances", "turns"):
        con.execute(f"delete from {table} where meeting_id = 'fx' and speaker_label in ({labels})")
    con.execute(f"delete from speakers where meeting_id = 'fx' and speaker_label in ({labels})")
    con.execute("delete from participants where participant_id = 'mum'")
    # the schema as it was before migration 019, with the old code's audit row
    for column in ("withdrawal_id", "state", "completed_at"):
        con.execute(f"alter table consent_withdrawals drop column {column}")
    con.execute("delete from schema_migrations where version = 19")
    con.execute("insert into consent_withdrawals values (now(), 'fx', 'mum', 'form-old', 'cli', '{\"utterances\": 1}')")
    con.execute("checkpoint")
    con.close()
    assert MARK.encode() in db.read_bytes()  # deleted, but still in the file
    _later_command(db, 0)  # the same withdrawal again: it writes, so it migrates first
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select reference, state from consent_withdrawals").fetchall() == [("form-old", "complete")]
    con.close()
    assert MARK.encode() not in db.read_bytes()


def test_database_files_and_their_copies_are_created_private(tmp_path, monkeypatch):
    """Under a umask that would make them world-readable (022), the database, its WAL, the file a
    withdrawal writes and an encrypted and a decrypted copy are all 0600."""
    db = tmp_path / "m.duckdb"
    script = f"""
import os, stat, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from builders import build_fixture_db
from dialogic.db import connect
con = build_fixture_db({str(db)!r})
con.execute("insert into raters (rater_id, password_hash) values ('bob', 'x')")
modes = [stat.S_IMODE(os.stat(p).st_mode) for p in ({str(db)!r}, {str(db) + ".wal"!r})]
print(modes)
assert modes == [0o600, 0o600], modes
"""
    made = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, preexec_fn=lambda: os.umask(0o022)
    )
    assert made.returncode == 0, made.stdout + made.stderr

    def mode(path: Path) -> int:
        return path.stat().st_mode & 0o777

    def cli(*args: str, env: dict | None = None) -> None:
        run = subprocess.run(
            [*DIALOGIC, *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            preexec_fn=lambda: os.umask(0o022),
        )
        assert run.returncode == 0, run.stdout + run.stderr

    cli("consent", "withdraw", "fx", "--participant", "mum", "--reference", "f-1", "--db", str(db))
    assert mode(db) == 0o600
    key = {"DIALOGIC_DB_KEY": "a-test-key-of-enough-length"}
    cli("db", "encrypt", "--db", str(db), env=key)
    assert mode(db) == 0o600
    cli("db", "decrypt", "--db", str(db), "--output", str(tmp_path / "plain.duckdb"), env=key)
    assert mode(tmp_path / "plain.duckdb") == 0o600


def test_a_library_user_who_never_imported_the_withdrawal_code_is_refused_rather_than_shown_the_words(tmp_path):
    db = tmp_path / "lib.duckdb"
    _build(db)
    killed = _start(db, WITHDRAW, {FAULT_ENV: "deleted"})
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    script = f"from dialogic.db import connect; connect({str(db)!r}, read_only=True)"
    refused = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert refused.returncode == 1 and "consent withdrawal of this database was interrupted" in refused.stderr
    script = f"import dialogic.consent; from dialogic.db import connect; connect({str(db)!r}, read_only=True).close()"
    subprocess.run([sys.executable, "-c", script], check=True)
    _finished(tmp_path, db, "after a library user's open with dialogic.consent imported")
