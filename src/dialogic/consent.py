"""Consent withdrawal that leaves nothing behind, and cannot be left half done.

Withdrawing a meeting removes every row derived from it — words, utterances, turns, speakers and
their voices, tags, ratings and raters' notes, validation items, analytics facts, run records,
the meeting and its participants — from every table that has a ``meeting_id``. Withdrawing one
participant removes their speech: the utterances, words and turns of the speakers mapped to
them, every row of any table that names one of those utterances (tags, ratings, transcript
checks, validation items, ...), the speakers (with their voices), and the participant; the rest of
the meeting stays and the views say it is incomplete. The machine's copy of the transcript loses
their words and every word heard at the same time, and every transcript correction that ever
touched an utterance of theirs goes (it holds the words). Raters' free-text notes on the rest of
the meeting that quote them are redacted (see `quotes`).

Deleted rows stay readable in a database file's free blocks until they are overwritten, so the
file is then rewritten: every live object is copied into a fresh file (DuckDB's ``COPY FROM
DATABASE``), which is synced and renamed over the old one. An audit row records when, what (row
counts, no content) and the consent reference.

A withdrawal is a sequence of steps, each one durable before the next begins:

1. the request goes into a journal beside the database (``<db>.withdrawal.json``: ids and the
   reference, no content), synced;
2. the audit row is stored with state ``pending``;
3. the rows are deleted and the state set to ``deleted``, in one transaction;
4. the file is rewritten: a new file is written and synced, renamed over the old one, and the
   folder synced;
5. the state is set to ``complete`` and the request leaves the journal.

A process killed at any point leaves the journal behind, and `dialogic.db.connect` — so every
later command, and a re-run of the same withdrawal — finishes what is pending before it does
anything else: steps are idempotent, and a half-written ``<db>.rewrite`` is removed and written
again. Until then the withdrawn words are still in the file, and the audit row says the
withdrawal is pending.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dialogic.db import (
    REWRITE_SUFFIX,
    WITHDRAWAL_JOURNAL_SUFFIX,
    connect,
    release,
    set_withdrawal_finisher,
    transaction,
)
from dialogic.encryption import copy_database, database_key
from dialogic.errors import LookupFailed, StoreError
from dialogic.files import fsync_path
from dialogic.store.consent import (
    delete_meeting_rows,
    delete_participant_rows,
    mark_withdrawal_complete,
    mark_withdrawal_deleted,
    record_withdrawal_request,
)

# For fault-injection tests only: the name of a step at which the process kills itself (SIGKILL).
FAULT_ENV = "DIALOGIC_FAULT_KILL_AT"


def journal_path(db_path: str | Path) -> Path:
    path = Path(db_path)
    return path.with_name(path.name + WITHDRAWAL_JOURNAL_SUFFIX)


def _leftovers(db_path: Path) -> list[Path]:
    """Files a rewrite killed half way leaves beside the database (``<db>.rewrite``, its WAL)."""
    return sorted(db_path.parent.glob(glob_escape(db_path.name + REWRITE_SUFFIX) + "*"))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def withdraw_meeting(db_path: str | Path, meeting_id: str, reference: str, *, by: str = "cli") -> dict[str, int]:
    """Remove everything derived from ``meeting_id``, rewrite the file, and record the withdrawal.
    Returns the rows removed per table. Withdrawing a meeting that was withdrawn before returns
    what that withdrawal removed."""
    return _withdraw(Path(db_path).resolve(), meeting_id, None, reference, by)


def withdraw_participant(
    db_path: str | Path, meeting_id: str, participant_id: str, reference: str, *, by: str = "cli"
) -> dict[str, int]:
    """Remove one participant's speech and everything derived from it; the meeting stays, marked
    incomplete. Returns the rows removed per table."""
    return _withdraw(Path(db_path).resolve(), meeting_id, participant_id, reference, by)


def _withdraw(path: Path, meeting_id: str, participant_id: str | None, reference: str, by: str) -> dict[str, int]:
    if not reference or not reference.strip():
        raise LookupFailed("a consent reference is required (where the withdrawal is documented)")
    if not path.exists():
        raise StoreError(f"{path}: no such database")
    with withdrawal_lock(path):
        _finish_pending(path)
        con = connect(path, finish_withdrawals=False)
        try:
            earlier = _earlier(con, meeting_id, participant_id)
            if earlier is not None:
                return earlier
            if participant_id is None:
                known = con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone()
                if known is None:
                    raise LookupFailed(f"no meeting {meeting_id!r} in the database")
            else:
                known = con.execute(
                    "select 1 from participants where meeting_id = ? and participant_id = ?",
                    [meeting_id, participant_id],
                ).fetchone()
                if known is None:
                    raise LookupFailed(f"meeting {meeting_id}: no participant {participant_id!r}")
        finally:
            con.close()
        request = {
            "withdrawal_id": f"w-{uuid.uuid4().hex}",
            "meeting_id": meeting_id,
            "participant_id": participant_id,
            "reference": reference.strip(),
            "by": by,
            "requested_at": dt.datetime.now().isoformat(timespec="microseconds"),
        }
        _write_journal(path, [*_read_journal(path), request])
        _fault("journal")
        removed = _carry_out(path, request)
    return removed


def finish_pending_withdrawals(db_path: str | Path) -> list[str]:
    """Finish every withdrawal of ``db_path`` that a killed process left half done; remove a
    half-written rewrite. Returns the ids of the withdrawals finished. `dialogic.db.connect` calls
    this before it opens a database that has a journal."""
    path = Path(db_path).resolve()
    with withdrawal_lock(path):
        return _finish_pending(path)


def _finish_pending(path: Path) -> list[str]:
    for leftover in _leftovers(path):
        # killed while the new file was written or before it was renamed: the old file is whole
        _remove(leftover)
    partial = journal_path(path).with_name(journal_path(path).name + ".partial")
    partial.unlink(missing_ok=True)  # killed while the journal was replaced: the old one stands
    requests = _read_journal(path)
    # Withdrawals the database says are unfinished but the journal does not list (recorded before
    # journals existed): journalled now, so they are finished like the others.
    con = connect(path, finish_withdrawals=False)
    try:
        listed = {r["withdrawal_id"] for r in requests}
        adopted = [
            {
                "withdrawal_id": wid,
                "meeting_id": meeting_id,
                "participant_id": participant_id,
                "reference": reference,
                "by": by,
                "requested_at": withdrawn_at.isoformat(timespec="microseconds"),
            }
            for wid, meeting_id, participant_id, reference, by, withdrawn_at in con.execute(
                "select withdrawal_id, meeting_id, participant_id, reference, withdrawn_by, withdrawn_at "
                "from consent_withdrawals where state is distinct from 'complete' order by withdrawn_at"
            ).fetchall()
            if wid not in listed
        ]
    finally:
        con.close()
        release(path)
    if adopted:
        requests = [*requests, *adopted]
        _write_journal(path, requests)
    finished = []
    for request in requests:
        try:
            _carry_out(path, request)
        except (duckdb.Error, OSError, StoreError) as exc:
            raise StoreError(
                f"{path}: finishing the consent withdrawal of {_what(request)} ({request['reference']}) failed: "
                f"{exc}. It stays pending (listed in {journal_path(path).name}); every dialogic command tries "
                "it again before it opens the database"
            ) from exc
        finished.append(request["withdrawal_id"])
    return finished


def _what(request: dict) -> str:
    if request["participant_id"] is None:
        return f"meeting {request['meeting_id']}"
    return f"participant {request['participant_id']} of meeting {request['meeting_id']}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _carry_out(path: Path, request: dict) -> dict[str, int]:
    """Take one journalled withdrawal from whatever step it reached to the end. Idempotent."""
    wid = request["withdrawal_id"]
    con = connect(path, finish_withdrawals=False)
    try:
        row = con.execute("select state from consent_withdrawals where withdrawal_id = ?", [wid]).fetchone()
        if row is None:
            record_withdrawal_request(con, request)
            con.execute("checkpoint")
            state = "pending"
            _fault("recorded")
        else:
            state = row[0]
        if state == "pending":
            with transaction(con):
                if request["participant_id"] is None:
                    removed = delete_meeting_rows(con, request["meeting_id"])
                else:
                    removed = delete_participant_rows(con, request["meeting_id"], request["participant_id"])
                mark_withdrawal_deleted(con, wid, removed)
            state = "deleted"
            _fault("deleted")
    finally:
        con.close()
        release(path)
    if state == "deleted":
        rewrite_database(path)
        con = connect(path, finish_withdrawals=False)
        try:
            mark_withdrawal_complete(con, wid)
            con.execute("checkpoint")
        finally:
            con.close()
            release(path)
        _fault("completed")
    con = connect(path, finish_withdrawals=False)
    try:
        removed = json.loads(
            con.execute("select rows_removed from consent_withdrawals where withdrawal_id = ?", [wid]).fetchone()[0]
        )
    finally:
        con.close()
    _write_journal(path, [r for r in _read_journal(path) if r["withdrawal_id"] != wid])
    return removed


def completed_withdrawal(
    db_path: str | Path, meeting_id: str, participant_id: str | None = None
) -> tuple[dt.datetime, str] | None:
    """When and under which reference ``meeting_id`` (or its ``participant_id``) was withdrawn, if
    a completed withdrawal removed it; else None. Finishes a pending withdrawal first (and brings
    the schema up to date: the question needs the withdrawal's state)."""
    con = connect(db_path)
    try:
        if _earlier(con, meeting_id, participant_id) is None:
            return None
        return con.execute(
            "select completed_at, reference from consent_withdrawals where meeting_id = ? "
            "and participant_id is not distinct from ? and state = 'complete' order by withdrawn_at desc limit 1",
            [meeting_id, participant_id],
        ).fetchone()
    finally:
        con.close()


def _earlier(con: duckdb.DuckDBPyConnection, meeting_id: str, participant_id: str | None) -> dict[str, int] | None:
    """What a completed earlier withdrawal of the same meeting (or participant) removed, if the
    thing is gone: a re-run of a finished withdrawal reports it rather than failing."""
    row = con.execute(
        "select rows_removed from consent_withdrawals where meeting_id = ? and participant_id is not distinct from ? "
        "and state = 'complete' order by withdrawn_at desc limit 1",
        [meeting_id, participant_id],
    ).fetchone()
    if row is None:
        return None
    if participant_id is None:
        still = con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone()
    else:
        still = con.execute(
            "select 1 from participants where meeting_id = ? and participant_id = ?", [meeting_id, participant_id]
        ).fetchone()
    return None if still is not None else json.loads(row[0])


# --- the deletions (inside the caller's transaction) -------------------------------------------


# --- the file ------------------------------------------------------------------------------------


def rewrite_database(db_path: str | Path) -> None:
    """Copy every live object of the database into a fresh file and put it in the old one's place,
    so that deleted rows no longer exist anywhere in the file. Needs the database to itself.
    An encrypted database stays encrypted with the same key; the new file is private (0600).

    The new file is synced before it is renamed over the old one, and the folder after, so that a
    crash leaves either the old file whole (and a ``.rewrite`` that the next command removes) or
    the new one."""
    path = Path(db_path)
    fresh = path.with_name(path.name + REWRITE_SUFFIX)
    for leftover in _leftovers(path):
        _remove(leftover)
    key = database_key()
    try:
        copy_database(path, fresh, source_key=key, target_key=key)
    except StoreError:
        for leftover in _leftovers(path):
            _remove(leftover)
        raise
    Path(str(fresh) + ".wal").unlink(missing_ok=True)  # detached cleanly: nothing left in it
    fsync_path(fresh)
    _fault("rewritten")
    os.replace(fresh, path)
    _fault("renamed")
    Path(str(path) + ".wal").unlink(missing_ok=True)
    fsync_path(path.parent)


def _read_journal(path: Path) -> list[dict]:
    journal = journal_path(path)
    try:
        text = journal.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    try:
        requests = json.loads(text)
        assert isinstance(requests, list) and all("withdrawal_id" in r for r in requests)
    except (ValueError, AssertionError) as exc:
        raise StoreError(
            f"{journal}: the consent-withdrawal journal is damaged. Move it aside (do not delete it: it "
            "names withdrawals that are not finished); the next dialogic command then finishes every "
            "withdrawal the database records as unfinished. A withdrawal it lists that the database "
            "does not record yet must be run again with `dialogic consent withdraw`"
        ) from exc
    return requests


def _write_journal(path: Path, requests: list[dict]) -> None:
    """Replace the journal atomically (write, sync, rename, sync the folder); remove it when empty."""
    journal = journal_path(path)
    if not requests:
        if journal.exists():
            journal.unlink()
            fsync_path(path.parent)
        return
    partial = journal.with_name(journal.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(requests, indent=1).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, journal)
    fsync_path(path.parent)


_folder_locks: dict[Path, threading.RLock] = {}
_folder_depth: dict[Path, int] = {}
_locks_lock = threading.Lock()
# How long a command waits for another process's withdrawal of the same folder before giving up.
LOCK_WAIT_ENV = "DIALOGIC_WITHDRAWAL_WAIT_S"


@contextmanager
def withdrawal_lock(path: str | Path) -> Iterator[None]:
    """One withdrawal (or database copy) at a time in the database's folder: an advisory lock on
    the folder across processes, and a re-entrant lock across this process's threads. Waits up to
    ``$DIALOGIC_WITHDRAWAL_WAIT_S`` (default 600) seconds for another process."""
    folder = Path(path).resolve().parent
    with _locks_lock:
        thread_lock = _folder_locks.setdefault(folder, threading.RLock())
    with thread_lock:
        depth = _folder_depth.get(folder, 0)
        if depth:
            _folder_depth[folder] = depth + 1
            try:
                yield
            finally:
                _folder_depth[folder] -= 1
            return
        fd = os.open(folder, os.O_RDONLY)
        try:
            deadline = time.monotonic() + float(os.environ.get(LOCK_WAIT_ENV, "600"))
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            f"{folder}: another process is carrying out a consent withdrawal (or copying a "
                            "database) in this folder; try again once it has finished"
                        ) from None
                    time.sleep(0.05)
            _folder_depth[folder] = 1
            try:
                yield
            finally:
                _folder_depth[folder] = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _fault(step: str) -> None:
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


set_withdrawal_finisher(finish_pending_withdrawals)
