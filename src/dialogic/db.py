"""Open a dialogic DuckDB file and bring its schema up to date.

The schema lives in SQL files, one object per file:

- ``sql/migrations/NNN_name.sql``: tables and back-fills, applied once each, in order, and
  recorded in ``schema_migrations``;
- ``sql/macros/<macro>.sql``: the current definition of each macro (the speaker → role rule, the
  current tagger, the ``compute_<fact table>`` macros), recreated on every writable connection.
  When their combined sha256 differs from the one in ``macro_state``, every analytics fact table
  is rebuilt from the base tables in the same transaction, so facts never outlive the definitions
  that computed them;
- ``sql/views/<view>.sql`` (file name = view name), recreated after the macros.

A macro or view that lists the tags (a wide view with a column per tag, the role rule) is
generated from the codebook's one tag list: its file holds Jinja markup (``{% for tag in tags %}``)
and is rendered with `dialogic.tagging.codebook.CODEBOOK` before it runs (`sql_text`). The
migrations and the SQL tests are plain SQL and never name a tag in a column or a constraint.

Macros and views that read others are retried until their dependencies exist and are up to date
(a migration may drop a column that the old definition of a view read).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dialogic.encryption import close_encrypted, database_key, explain_plain_open_error, open_encrypted
from dialogic.errors import StoreError
from dialogic.files import make_files_private
from dialogic.paths import sql_dir

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def list_migrations(directory: Path | None = None) -> list[tuple[int, Path]]:
    directory = directory or sql_dir() / "migrations"
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise StoreError(f"{path}: migration files must be named NNN_name.sql")
        found.append((int(match.group(1)), path))
    versions = [v for v, _ in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"{directory}: two migrations share a number: {versions}")
    return found


def list_view_files(directory: Path | None = None) -> list[Path]:
    directory = directory or sql_dir() / "views"
    return sorted(directory.glob("*.sql"))


def list_macro_files(directory: Path | None = None) -> list[Path]:
    directory = directory or sql_dir() / "macros"
    return sorted(directory.glob("*.sql"))


def macros_sha256(files: list[Path] | None = None) -> str:
    """One sha256 over every macro file's name and text as run (rendered with the codebook's
    tags, so a changed tag list rebuilds the facts as a changed macro does)."""
    digest = hashlib.sha256()
    for path in files if files is not None else list_macro_files():
        digest.update(path.name.encode() + b"\0" + sql_text(path).encode() + b"\0")
    return digest.hexdigest()


def sql_text(path: Path) -> str:
    """A macro's or view's SQL as it runs: a file with Jinja markup is rendered with the
    codebook's tags (``tags``: `dialogic.tagging.codebook.Tag` in the codebook's order)."""
    text = path.read_text()
    if "{{" not in text and "{%" not in text:
        return text
    import jinja2

    from dialogic.tagging.codebook import CODEBOOK

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["sql_string"] = lambda value: "'" + str(value).replace("'", "''") + "'"
    try:
        return env.from_string(text).render(tags=CODEBOOK)
    except jinja2.TemplateError as exc:
        raise StoreError(f"{path}: cannot be generated from the codebook's tags: {exc}") from exc


# An analyst's connection: read-only, and no way out of the database file. DuckDB then refuses
# every file-system operation (COPY ... TO, EXPORT DATABASE, read_text/read_csv/glob on any path,
# ATTACH of another file or of this one through a link), extension installs and loads, and any
# change of these settings (the configuration is locked). With external access off DuckDB still
# writes the database's own files (its `.wal`, its `<db>.tmp/` spill folder): `dialogic.queries`
# runs nothing but one SELECT, and the empty temp_directory leaves a big query nowhere to spill,
# so it stops at the memory limit instead of writing. External access and the lock are switched
# off after the file is open (DuckDB refuses an empty temp_directory once external access is off).
SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "temp_directory": "",
    "lock_configuration": True,
}
_SET_AFTER_OPEN = ("enable_external_access", "lock_configuration")


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    migrate: bool = True,
    sandboxed: bool = False,
    memory_limit: str | None = None,
    wait_s: float | None = None,
    finish_withdrawals: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` (created if missing unless read-only) and apply pending migrations.

    ``sandboxed`` (read-only only): the `SANDBOX` settings, for running SQL someone else wrote;
    ``memory_limit`` (e.g. ``"2GB"``) caps the memory DuckDB may use for it.
    With a database key in the environment the file is encrypted (see `dialogic.encryption`).
    While another process holds the file, waits up to ``wait_s`` seconds (default
    ``$DIALOGIC_DB_WAIT_S`` or 10) before failing.

    A consent withdrawal that a killed process left half done is finished first (see
    `dialogic.consent`), even for a read-only connection: nothing withdrawn is read, and nothing
    is kept. Every file the process creates from here on is private to its owner (umask 077):
    the database, its WAL, spills, copies, exports and reports hold health data.
    """
    path = Path(path)
    make_files_private()
    if finish_withdrawals and path.exists() and withdrawal_left_behind(path):
        _finish_withdrawals_of(path)
    if sandboxed and not read_only:
        raise StoreError("a sandboxed connection must be read-only")
    if read_only and not path.exists():
        raise StoreError(f"{path}: no such database (run `dialogic process` first)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = dict(SANDBOX) if sandboxed else {}
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    key = database_key()
    # Another process holding the file (the review app between two requests, a batch's store)
    # usually lets go within moments: wait for it rather than fail at once.
    deadline = time.monotonic() + (_default_wait_s() if wait_s is None else wait_s)
    while True:
        try:
            if key is not None:
                con = open_encrypted(path, key, read_only=read_only, config=config)
            else:
                con = _connect_plain(path, read_only, config)
            break
        except StoreError as exc:
            if not _held_by_another_process(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
    if migrate and not read_only:
        apply_migrations(con)
    if finish_withdrawals and (withdrawal_left_behind(path) or (not read_only and _withdrawal_unfinished(con))):
        # A withdrawal began while this open waited for the file (or one from before journals
        # existed is unfinished): let it finish, then open the file it leaves.
        con.close()
        release(path)
        _finish_withdrawals_of(path)
        return connect(
            path, read_only=read_only, migrate=migrate, sandboxed=sandboxed, memory_limit=memory_limit, wait_s=wait_s
        )
    return con


def _connect_plain(path: Path, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    later = {name: config[name] for name in _SET_AFTER_OPEN if name in config}
    try:
        con = duckdb.connect(str(path), read_only=read_only, config={k: v for k, v in config.items() if k not in later})
    except duckdb.Error as exc:
        raise StoreError(explain_plain_open_error(path, exc)) from exc
    # A second connection to the file in this process shares the first one's (locked) instance.
    for name, value in later.items():
        if con.execute("select current_setting(?)", [name]).fetchone()[0] != value:
            con.execute(f"set {name} = {'true' if value else 'false'}")
    return con


# Set by `dialogic.consent` when it is imported (which the CLI, the pipeline and the review app
# do): finishes a withdrawal a killed process left half done. It lives above this module (it
# deletes, re-tags and rewrites through it), hence a hook rather than an import.
_finish_withdrawals: Callable[[Path], object] | None = None

# Files beside a database that mean a withdrawal was left half done (see `dialogic.consent`).
WITHDRAWAL_JOURNAL_SUFFIX = ".withdrawal.json"
REWRITE_SUFFIX = ".rewrite"


def set_withdrawal_finisher(finish: Callable[[Path], object]) -> None:
    global _finish_withdrawals
    _finish_withdrawals = finish


def withdrawal_left_behind(path: Path) -> bool:
    """Whether a journal or a half-written rewrite of a withdrawal lies beside ``path`` (stat calls only)."""
    path = path.resolve()
    return (
        path.with_name(path.name + WITHDRAWAL_JOURNAL_SUFFIX).exists()
        or path.with_name(path.name + REWRITE_SUFFIX).exists()
        or path.with_name(path.name + REWRITE_SUFFIX + ".wal").exists()
    )


def _withdrawal_unfinished(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return (
            con.execute("select count(*) from consent_withdrawals where state is distinct from 'complete'").fetchone()[
                0
            ]
            > 0
        )
    except duckdb.CatalogException:
        return False  # a database from before withdrawals existed, or not yet migrated
    except duckdb.BinderException:
        return False


def _finish_withdrawals_of(path: Path) -> None:
    if _finish_withdrawals is None:
        raise StoreError(
            f"{path}: a consent withdrawal of this database was interrupted and is not finished; "
            "run any dialogic command on it (or dialogic.consent.finish_pending_withdrawals) first"
        )
    _finish_withdrawals(path)


def _default_wait_s() -> float:
    try:
        return float(os.environ.get("DIALOGIC_DB_WAIT_S", "10"))
    except ValueError as exc:
        raise StoreError(
            f"DIALOGIC_DB_WAIT_S must be a number of seconds, not {os.environ['DIALOGIC_DB_WAIT_S']!r}"
        ) from exc


def _held_by_another_process(exc: StoreError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()


def release(path: str | Path) -> None:
    """Let go of ``path`` in this process once its connections are closed.

    A plain file is released when its last connection closes; an encrypted one is held by this
    process's shared instance (see `dialogic.encryption`) until released here.
    """
    close_encrypted(Path(path))


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, then (re)create every view. Returns the migrations applied."""
    con.execute(
        """
        create table if not exists schema_migrations (
            version integer primary key,
            name varchar not null,
            sha256 varchar not null,
            applied_at timestamp not null default current_timestamp
        )
        """
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for version, path in list_migrations():
        if version in done:
            continue
        # DuckDB 1.5.5 cannot replay `alter table ... add column` on a table with CHECK constraints
        # from its write-ahead log (an internal error on the next open), so a migration never stays
        # in the log: the file is checkpointed before and after each one.
        con.execute("checkpoint")
        text = path.read_text()
        try:
            with transaction(con):
                con.execute(text)
                con.execute(
                    "insert into schema_migrations (version, name, sha256) values (?, ?, ?)",
                    [version, path.stem, hashlib.sha256(text.encode()).hexdigest()],
                )
        except duckdb.Error as exc:
            raise StoreError(f"{path}: migration failed: {exc}") from exc
        con.execute("checkpoint")
        applied.append(path.stem)
    create_macros(con)
    create_views(con)
    return applied


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every macro of ``sql/macros/``; rebuild the analytics facts if they changed."""
    files = list_macro_files()
    current = macros_sha256(files)
    _create_in_dependency_order(con, files, "macro")
    with transaction(con):
        row = con.execute("select macros_sha256 from macro_state").fetchone()
        if row is None or row[0] != current:
            from dialogic.store.facts import refresh_all_facts

            refresh_all_facts(con)
            con.execute("delete from macro_state")
            con.execute("insert into macro_state values (?, current_timestamp)", [current])


def create_views(con: duckdb.DuckDBPyConnection, files: list[Path] | None = None) -> None:
    """(Re)create every view of ``files`` (default: ``sql/views/``)."""
    _create_in_dependency_order(con, list_view_files() if files is None else files, "view")


def _create_in_dependency_order(con: duckdb.DuckDBPyConnection, files: list[Path], kind: str) -> None:
    pending = list(files)
    last_error: dict[Path, Exception] = {}
    while pending:
        still = []
        for path in pending:
            try:
                con.execute(_view_statement(path))
            except (duckdb.CatalogException, duckdb.BinderException) as exc:
                # A view it reads is not created yet, or is still the old definition (reading a
                # column a migration dropped): retried after the others.
                last_error[path] = exc
                still.append(path)
            except duckdb.Error as exc:
                raise StoreError(f"{path}: {kind} does not compile: {exc}") from exc
        if len(still) == len(pending):
            details = "; ".join(f"{p.name}: {last_error[p]}" for p in still)
            raise StoreError(f"{kind}s could not be created: {details}")
        pending = still


def _view_statement(path: Path) -> str:
    text = sql_text(path)
    body = text.strip().rstrip(";")
    if re.search(r"^\s*create\s+(or\s+replace\s+)?(view|macro)", body, re.I | re.M):
        return re.sub(r"create\s+(or\s+replace\s+)?", "create or replace ", body, count=1, flags=re.I)
    # A bare query: the file name is the view's name.
    return f"create or replace view {path.stem} as\n{body}"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    else:
        con.execute("commit")
