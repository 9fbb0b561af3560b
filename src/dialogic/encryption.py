"""Encryption at rest: the study database as an AES-256-GCM encrypted DuckDB file.

The key comes from ``DIALOGIC_DB_KEY`` (the key itself) or ``DIALOGIC_DB_KEY_FILE`` (a file
holding it, readable by its owner only). With neither set, databases are plain DuckDB files, as
before; an encrypted file opened without a key fails with an error that says so.

DuckDB (1.4 and later) encrypts the database file and its write-ahead log when a file is attached
with ``ENCRYPTION_KEY``, and its temporary (spill) files when ``temp_file_encryption`` is on,
which dialogic sets. It only *writes* encrypted files when its
OpenSSL-backed crypto module is loaded, which comes with the httpfs extension; dialogic loads that
extension from the ``duckdb-extension-httpfs`` wheel (an exact file, by path: nothing is
downloaded, and no other extension is ever loaded).

An encrypted file can only be attached once per process, so every connection a process opens to
it is a cursor on one shared in-memory DuckDB instance (see `open_encrypted`). That mirrors what
``duckdb.connect`` does for plain files, where connections to one path share one instance.

What it protects: the database file, WAL and spill files on a lost laptop, a stolen disk, a backup
or a copy of the study folder. What it does not: anyone who holds the key or can read the
environment of a running dialogic process; the audio recordings, manifests, exports and reports,
which are separate files (keep them on an encrypted volume); data in memory while dialogic runs.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dialogic.errors import StoreError
from dialogic.files import make_files_private

KEY_ENV = "DIALOGIC_DB_KEY"
KEY_FILE_ENV = "DIALOGIC_DB_KEY_FILE"
_MIN_KEY_CHARS = 16
# The catalog name an encrypted file is attached under, in every process.
CATALOG = "dialogic"


def database_key(environ: dict[str, str] | None = None) -> str | None:
    """The database key from the environment, or None when encryption is not asked for."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV)
    key_file = env.get(KEY_FILE_ENV)
    if key and key_file:
        raise StoreError(f"set {KEY_ENV} or {KEY_FILE_ENV}, not both")
    if key_file:
        path = Path(key_file).expanduser()
        try:
            mode = path.stat().st_mode
            key = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the database key file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise StoreError(f"{path}: the database key file is not UTF-8 text") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise StoreError(f"{path}: the database key file must be readable by its owner only (chmod 600 {path})")
    if key is None:
        return None
    if len(key) < _MIN_KEY_CHARS:
        source = KEY_FILE_ENV if key_file else KEY_ENV
        raise StoreError(f"{source}: the database key must have at least {_MIN_KEY_CHARS} characters")
    return key


def httpfs_extension() -> Path:
    """The httpfs extension file shipped in the ``duckdb-extension-httpfs`` wheel for this DuckDB."""
    try:
        import duckdb_extension_httpfs
    except ImportError as exc:
        raise StoreError("writing an encrypted database needs the duckdb-extension-httpfs package") from exc
    folder = Path(duckdb_extension_httpfs.__path__[0]) / "extensions" / f"v{duckdb.__version__}"
    path = folder / "httpfs.duckdb_extension"
    if not path.is_file():
        raise StoreError(
            f"{folder}: no httpfs extension for DuckDB {duckdb.__version__}; "
            "install the duckdb-extension-httpfs version that matches duckdb"
        )
    return path


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _key_literal(key: str) -> str:
    """The key as a SQL literal that DuckDB turns into exactly the key's UTF-8 bytes. DuckDB casts
    the literal to a blob, where ``\\xNN`` is an escape: a backslash or a non-ASCII character
    written plainly would be decoded or refused, with the key in the error message. So every byte
    but printable ASCII is written as ``\\xNN`` (a key of printable ASCII is unchanged)."""
    text = "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x5C, 0x27) else f"\\x{b:02X}" for b in key.encode("utf-8"))
    return f"'{text}'"


def _redacted(text: str, *keys: str | None) -> str:
    """``text`` with every key in it replaced by ``[key]``: no key reaches a message."""
    for key in keys:
        if key:
            text = text.replace(key, "[key]").replace(_key_literal(key)[1:-1], "[key]")
    return text


@dataclass
class _Shared:
    instance: duckdb.DuckDBPyConnection
    read_only: bool
    config: tuple


_shared: dict[Path, _Shared] = {}
_lock = threading.RLock()


def open_encrypted(path: Path, key: str, *, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    """A connection to the encrypted database at ``path`` (created, encrypted, if missing).

    Connections of one process share one instance. Asking for a different mode (writable after
    read-only, or other settings) closes the shared instance first, and with it every earlier
    connection, as DuckDB would refuse the second open of a plain file outright.
    """
    path = path.resolve()
    wanted = tuple(sorted(config.items()))
    with _lock:
        shared = _shared.get(path)
        if shared is not None and (shared.config != wanted or (shared.read_only and not read_only)):
            close_encrypted(path)
            shared = None
        if shared is None:
            shared = _Shared(_attach(path, key, read_only=read_only, config=config), read_only, wanted)
            _shared[path] = shared
        try:
            cursor = shared.instance.cursor()
            cursor.execute(f"use {CATALOG}")
        except duckdb.Error as exc:
            raise StoreError(f"{path}: cannot open the encrypted database ({exc})") from exc
        return cursor


def _attach(path: Path, key: str, *, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    # External access is needed to load the extension and attach the file; a sandboxed caller
    # turns it off (and locks the configuration) once the file is attached.
    sandbox = {k: v for k, v in config.items() if k in ("enable_external_access", "lock_configuration")}
    base = {k: v for k, v in config.items() if k not in sandbox}
    # Spills go beside the database, as for a plain file, and are encrypted too (off by default);
    # a caller's temp_directory (the sandbox's empty one: no spills at all) wins.
    base = {"temp_directory": str(path) + ".tmp", **base}
    base.update(autoinstall_known_extensions=False, autoload_known_extensions=False, temp_file_encryption=True)
    instance = duckdb.connect(":memory:", config=base)
    try:
        instance.execute(f"load {_quote(str(httpfs_extension()))}")
        options = f"encryption_key {_key_literal(key)}" + (", read_only" if read_only else "")
        instance.execute(f"attach {_quote(str(path))} as {CATALOG} ({options})")
        for name, value in sandbox.items():
            instance.execute(f"set {name} = {'true' if value else 'false'}")
    except duckdb.Error as exc:
        instance.close()
        raise StoreError(f"{path}: {_redacted(_explain(exc), key)}") from exc
    return instance


def _explain(exc: duckdb.Error) -> str:
    text = str(exc)
    lowered = text.lower()
    if "wrong encryption key" in lowered or "encryption key" in lowered and "incorrect" in lowered:
        return f"the database key does not open this database (wrong {KEY_ENV} / {KEY_FILE_ENV})"
    if "not encrypted" in lowered or "unencrypted" in lowered:
        return (
            f"this database is not encrypted but a key is set; run `dialogic db encrypt` to encrypt it, "
            f"or unset {KEY_ENV} / {KEY_FILE_ENV}"
        )
    return f"cannot open the encrypted database ({text})"


def explain_plain_open_error(path: Path, exc: duckdb.Error) -> str:
    """The message for a failure to open ``path`` without a key."""
    if "encrypt" in str(exc).lower():
        return f"{path}: this database is encrypted; set {KEY_ENV} or {KEY_FILE_ENV} to open it"
    if "lock" in str(exc).lower():
        return f"{path}: another process has the database open for writing ({exc})"
    return f"{path}: cannot open database: {exc}"


def close_encrypted(path: Path) -> None:
    """Close this process's shared instance of ``path`` (and every connection on it), if any."""
    with _lock:
        shared = _shared.pop(Path(path).resolve(), None)
        if shared is not None:
            shared.instance.close()


def copy_database(source: Path, target: Path, *, source_key: str | None, target_key: str | None) -> None:
    """Copy every live object of ``source`` into a new file ``target`` (encrypted when
    ``target_key`` is given), so that nothing deleted from ``source`` is carried over.

    The caller must hold no connection to ``source`` (this process's shared instance is closed).
    The copy is private to its owner (0600) from its first byte. While another process holds
    ``source``, waits for it as `dialogic.db.connect` does.
    """
    make_files_private()
    close_encrypted(source)
    instance = duckdb.connect(
        ":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    try:
        if source_key or target_key:
            instance.execute(f"load {_quote(str(httpfs_extension()))}")
        src_options = f" (encryption_key {_key_literal(source_key)})" if source_key else ""
        dst_options = f" (encryption_key {_key_literal(target_key)})" if target_key else ""
        deadline = time.monotonic() + float(os.environ.get("DIALOGIC_DB_WAIT_S", "10") or 10)
        while True:
            try:
                instance.execute(f"attach {_quote(str(source))} as dialogic_source{src_options}")
                break
            except duckdb.Error as exc:
                if "lock" in str(exc).lower() and time.monotonic() < deadline:
                    time.sleep(0.05)  # another process is closing it
                    continue
                if source_key:
                    raise StoreError(f"{source}: {_redacted(_explain(exc), source_key)}") from exc
                raise StoreError(explain_plain_open_error(source, exc)) from exc
        instance.execute("checkpoint dialogic_source")
        instance.execute(f"attach {_quote(str(target))} as dialogic_target{dst_options}")
        instance.execute("copy from database dialogic_source to dialogic_target")
        instance.execute("detach dialogic_target")
        instance.execute("detach dialogic_source")
        os.chmod(target, 0o600)  # a copy holds the same health data as its source
    except duckdb.Error as exc:
        raise StoreError(
            f"{source}: copying the database failed; it is unchanged ({_redacted(str(exc), source_key, target_key)})"
        ) from exc
    finally:
        instance.close()
