"""The analyst sandbox: one SELECT, in a separate process, that writes no file and cannot run away.

- The database is opened read-only on a `dialogic.db.SANDBOX` connection (no file access outside
  the database, no extensions, no settings, an empty temp_directory so nothing spills to disk).
- DuckDB's own parser splits the text first; anything but one SELECT (COPY, EXPORT, ATTACH,
  PRAGMA, SET, CALL, CHECKPOINT, VACUUM, INSTALL/LOAD, a second statement, …) is refused unrun.
  With external access off DuckDB would still let COPY write the database's own ``.wal``.
- The SELECT runs in a child process (``python -m dialogic.sandbox``) under `SandboxLimits`: it
  interrupts itself at the time limit, DuckDB's memory limit and a byte budget on the streamed
  result cap its memory, and the parent kills it outright a little after the time limit. DuckDB
  1.5.5 can hang for good after running out of memory in an aggregate (``list(range)`` over
  2e8 rows under 200 MB, about 1 run in 20), which no interrupt ends: only a process can be
  stopped for certain.

The result comes back from the child as an Arrow IPC stream on its standard output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from dialogic import errors
from dialogic.db import connect, release, withdrawal_left_behind
from dialogic.errors import DialogicError, QueryError, StoreError

TIME_LIMIT_ENV = "DIALOGIC_SQL_TIME_LIMIT_S"
MEMORY_LIMIT_ENV = "DIALOGIC_SQL_MEMORY_LIMIT"
DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_MEMORY_LIMIT = "2GB"
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_RESULT_BATCH_ROWS = 65_536
# The child interrupts itself at the time limit; the parent kills it this much later (the
# child needs a second or so to start).
_KILL_GRACE_S = 5.0


@dataclass(frozen=True)
class SandboxLimits:
    """What one analyst's statement may take.

    time_s: wall-clock seconds before the statement is interrupted (default 60, or
        ``$DIALOGIC_SQL_TIME_LIMIT_S``).
    memory_bytes: DuckDB's memory limit for the statement, and the most the result may hold
        (default 2 GB, or ``$DIALOGIC_SQL_MEMORY_LIMIT``, e.g. ``500MB``). Nothing spills to disk,
        so a query that needs more stops with an error.
    """

    time_s: float = DEFAULT_TIME_LIMIT_S
    memory_bytes: int = 2 * 10**9

    @classmethod
    def resolve(cls, time_s: float | None = None, memory: str | None = None) -> SandboxLimits:
        """The limits given, else those of the environment, else the defaults."""
        if time_s is None:
            text = os.environ.get(TIME_LIMIT_ENV, str(DEFAULT_TIME_LIMIT_S))
            try:
                time_s = float(text)
            except ValueError:
                raise QueryError(f"{TIME_LIMIT_ENV} must be a number of seconds, not {text!r}") from None
        if not 0 < time_s < float("inf"):
            raise QueryError(f"the time limit must be a positive number of seconds, not {time_s!r}")
        memory = memory if memory is not None else os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)
        return cls(time_s=time_s, memory_bytes=parse_size(memory))

    @property
    def memory_text(self) -> str:
        return f"{self.memory_bytes / 10**6:g}MB"


def parse_size(text: str) -> int:
    """Bytes in ``"2GB"``, ``"500 MB"``, ``"1GiB"`` or ``"1048576"``; at least 16 MB, which
    DuckDB needs to run anything."""
    match = _SIZE.match(str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS | {"": 1}:
        raise QueryError(f"a memory limit is a size such as 500MB or 2GB, not {text!r}")
    size = int(float(match.group(1)) * _UNITS.get(unit, 1))
    if size < 16 * 10**6:
        raise QueryError(f"a memory limit below 16MB leaves DuckDB nothing to work with ({text!r})")
    return size


def run_select(db_path: str | Path, query: str, limits: SandboxLimits) -> pa.Table:
    """The rows of ``query`` (one SELECT, checked here before anything runs) on ``db_path``,
    computed in a child process within ``limits``."""
    if not Path(db_path).exists():
        raise StoreError(f"{db_path}: no such database (run `dialogic process` first)")
    if withdrawal_left_behind(Path(db_path)):
        # a withdrawal a killed process left half done is finished (by dialogic, not the analyst)
        # before anything is read; the child, which imports no consent code, would refuse to open
        import dialogic.consent  # noqa: F401  (registers the finisher with dialogic.db)

        connect(db_path, read_only=True).close()
        release(db_path)
    # Parsing needs no database: an in-memory one that may touch no file (DuckDB's parser reads
    # the schema.sql of an IMPORT DATABASE; that read is refused here).
    parser = duckdb.connect(":memory:", config={"enable_external_access": False, "lock_configuration": True})
    try:
        one_select(parser, query, db_path)
    finally:
        parser.close()
    request = json.dumps(
        {"db": str(db_path), "query": query, "time_s": limits.time_s, "memory_bytes": limits.memory_bytes}
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "dialogic.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = child.communicate(request.encode(), timeout=limits.time_s + _KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise QueryError(_time_message(db_path, limits)) from None
    if child.returncode == 0:
        return pa.ipc.open_stream(out).read_all()
    raise _error_from(err, child.returncode, db_path)


def _error_from(stderr: bytes, returncode: int, db_path: str | Path) -> DialogicError:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    try:
        report = json.loads(lines[-1])
        kind = getattr(errors, report["kind"])
        if isinstance(kind, type) and issubclass(kind, DialogicError):
            return kind(report["message"])
    except (IndexError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return QueryError(f"{db_path}: the query process stopped (exit status {returncode})")


def one_select(con: duckdb.DuckDBPyConnection, query: str, db_path: str | Path) -> str:
    """``query`` if DuckDB's parser reads it as exactly one SELECT (with, values, from-first,
    describe, show and summarize are SELECTs to DuckDB); otherwise QueryError, before anything runs."""
    statements = _run(lambda: con.extract_statements(query), db_path)
    if not statements:
        raise QueryError(f"{db_path}: no SQL statement given")
    kinds = [statement.type.name for statement in statements]
    if len(statements) > 1:
        raise QueryError(
            f"{db_path}: refused: `dialogic sql` runs one SELECT statement, not {len(statements)} "
            f"({', '.join(kinds)}); nothing was run"
        )
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryError(
            f"{db_path}: refused: `dialogic sql` runs one SELECT statement only and writes no file; "
            f"this is a {kinds[0]} statement; nothing was run"
        )
    return query


def fetch_limited(con: duckdb.DuckDBPyConnection, select: str, db_path: str | Path, limits: SandboxLimits) -> pa.Table:
    """The rows of ``select`` on ``con``, streamed in batches so that a result larger than the
    memory limit stops instead of filling the machine, and interrupted at the time limit."""
    with _time_limit(con, limits.time_s) as expired:
        reader = None
        try:
            reader = _run(lambda: con.sql(select).to_arrow_reader(_RESULT_BATCH_ROWS), db_path)
            batches, size = [], 0
            while True:
                try:
                    batch = _run(reader.read_next_batch, db_path)
                except StopIteration:
                    break
                except (pa.ArrowException, OSError) as exc:
                    # DuckDB's errors while streaming reach here through Arrow, as text
                    if "Out of Memory" in str(exc):
                        raise QueryError(_memory_message(db_path, str(exc))) from exc
                    raise QueryError(f"{db_path}: query failed: {str(exc).strip()}") from exc
                size += batch.nbytes
                if size > limits.memory_bytes:
                    raise QueryError(
                        f"{db_path}: stopped: the result is larger than the memory limit of {limits.memory_text} "
                        f"(select fewer rows or columns, or raise --memory-limit / {MEMORY_LIMIT_ENV})"
                    )
                batches.append(batch)
            return pa.Table.from_batches(batches, schema=reader.schema)
        except QueryError as exc:
            if expired.is_set():
                raise QueryError(_time_message(db_path, limits)) from exc
            raise
        finally:
            # A stream left open makes closing its connection wait for it (for ever, after an error).
            if reader is not None:
                reader.close()


def _time_message(db_path: str | Path, limits: SandboxLimits) -> str:
    return (
        f"{db_path}: stopped after {limits.time_s:g} s: the statement ran past the time limit "
        f"(raise it with --time-limit or {TIME_LIMIT_ENV})"
    )


@contextmanager
def _time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[threading.Event]:
    """Interrupt ``con``'s running statement after ``seconds``, and again every 50 ms until the
    caller is done (an interrupt that lands between two steps of a statement is lost); the event
    says whether the limit was reached."""
    expired = threading.Event()
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        expired.set()
        while not done.is_set():
            con.interrupt()
            done.wait(0.05)

    watcher = threading.Thread(target=watch, name="sql-time-limit", daemon=True)
    watcher.start()
    try:
        yield expired
    finally:
        done.set()
        watcher.join()


def _memory_message(db_path: str | Path, message: str) -> str:
    return (
        f"{db_path}: stopped: the statement needs more memory than the sandbox allows (nothing spills to disk; "
        f"raise --memory-limit / {MEMORY_LIMIT_ENV}, or select less): {message.strip().splitlines()[0]}"
    )


def _run(step, db_path: str | Path):
    try:
        return step()
    except duckdb.Error as exc:
        message = str(exc).strip()
        if "read-only" in message or "read only" in message:
            raise QueryError(
                f"{db_path} is opened read-only; this statement would change it: {message.splitlines()[0]}"
            ) from exc
        if isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in message:
            raise QueryError(
                f"{db_path}: refused: `dialogic sql` reads this database only — no files, no other databases, "
                f"no extensions, no settings ({message.splitlines()[0]})"
            ) from exc
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise QueryError(_memory_message(db_path, message)) from exc
        if isinstance(exc, duckdb.IOException):
            raise StoreError(f"{db_path}: {message.splitlines()[0]}") from exc
        raise QueryError(f"{db_path}: query failed: {message}") from exc


def _child_main() -> int:
    """The child: read the request on stdin, write the rows as Arrow IPC on stdout, or the error
    as one JSON line on stderr (exit status 3)."""
    request = json.loads(sys.stdin.read())
    limits = SandboxLimits(time_s=request["time_s"], memory_bytes=request["memory_bytes"])
    db_path = request["db"]
    try:
        con = connect(db_path, read_only=True, sandboxed=True, memory_limit=limits.memory_text)
        try:
            table = fetch_limited(con, one_select(con, request["query"], db_path), db_path, limits)
        finally:
            con.close()
    except DialogicError as exc:
        sys.stderr.write(json.dumps({"kind": type(exc).__name__, "message": str(exc)}) + "\n")
        return 3
    with pa.ipc.new_stream(sys.stdout.buffer, table.schema) as stream:
        stream.write_table(table)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    os._exit(_child_main())
