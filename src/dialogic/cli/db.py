"""`dialogic db`: encrypt a study database at rest, or write a decrypted copy of it."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from dialogic.cli.common import DB_OPTION, db_path, fail
from dialogic.errors import DialogicError

console = Console(stderr=True)
db_app = typer.Typer(
    help="Encrypt the database at rest (key from $DIALOGIC_DB_KEY or $DIALOGIC_DB_KEY_FILE).\n\n"
    "Example: DIALOGIC_DB_KEY_FILE=study.key dialogic db encrypt --db study.duckdb",
    no_args_is_help=True,
)


@db_app.command("encrypt")
def encrypt(db: Path = DB_OPTION) -> None:
    """Rewrite a plain database as an encrypted one, in place, with the key from the environment.

    Example: DIALOGIC_DB_KEY_FILE=~/.dialogic.key dialogic db encrypt --db study.duckdb
    """
    from dialogic.consent import withdrawal_lock
    from dialogic.encryption import KEY_ENV, KEY_FILE_ENV, copy_database, database_key

    path = db_path(db)
    try:
        key = database_key()
        if key is None:
            fail(f"set {KEY_ENV} or {KEY_FILE_ENV} to the key to encrypt {path} with")
        if not path.exists():
            fail(f"{path}: no such database")
        fresh = path.with_name(path.name + ".encrypting")
        # no withdrawal runs while the file is replaced; one left half done is finished by the
        # next command, on the encrypted file (the journal stays beside it)
        with withdrawal_lock(path):
            fresh.unlink(missing_ok=True)
            try:
                copy_database(path, fresh, source_key=None, target_key=key)
            except DialogicError as exc:
                fresh.unlink(missing_ok=True)
                if "this database is encrypted" in str(exc):
                    fail(_already_encrypted(path))
                raise
            os.replace(fresh, path)
            Path(str(path) + ".wal").unlink(missing_ok=True)
    except DialogicError as exc:
        fail(exc)
    console.print(
        f"encrypted {path}. The plain file's old blocks may still be on the disk: encrypt before the "
        "first `dialogic process`, or keep the study folder on an encrypted volume."
    )


def _already_encrypted(path: Path) -> str:
    """What to say when `db encrypt` finds the database encrypted: whether the key set opens it."""
    from dialogic.db import connect, release

    try:
        connect(path, read_only=True, migrate=False, wait_s=0).close()
        release(path)
    except DialogicError:
        return f"{path}: already encrypted, and the key set does not open it (a different key?); nothing changed"
    return f"{path}: already encrypted with the key set; nothing to do"


@db_app.command("decrypt")
def decrypt(
    output: Path = typer.Option(..., "--output", "-o", help="The plain copy to write (must not exist)."),
    db: Path = DB_OPTION,
) -> None:
    """Write a plain (unencrypted) copy of an encrypted database, e.g. for an archive on an encrypted volume.

    Example: dialogic db decrypt --db study.duckdb --output /secure/study-plain.duckdb
    """
    from dialogic.consent import finish_pending_withdrawals, withdrawal_lock
    from dialogic.encryption import KEY_ENV, KEY_FILE_ENV, copy_database, database_key

    path = db_path(db)
    try:
        key = database_key()
        if key is None:
            fail(f"set {KEY_ENV} or {KEY_FILE_ENV} to the key of {path}")
        if output.exists():
            fail(f"{output}: already exists; dialogic never overwrites a database")
        with withdrawal_lock(path):
            finish_pending_withdrawals(path)  # a plain copy must not carry words being withdrawn
            copy_database(path, output, source_key=key, target_key=None)
    except DialogicError as exc:
        output.unlink(missing_ok=True)
        fail(exc)
    console.print(f"wrote {output} (not encrypted)")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
