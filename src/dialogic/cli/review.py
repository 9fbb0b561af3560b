"""Commands for the fidelity raters: the review web app and rater accounts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from dialogic.cli.common import DB_OPTION, FORMAT_OPTION, db_path, emit_table, fail
from dialogic.errors import DialogicError

raters_app = typer.Typer(
    help="Rater accounts for the review app.\n\nExample: dialogic raters add alice",
    no_args_is_help=True,
)


def review(
    db: Path = DB_OPTION,
    host: str = typer.Option("127.0.0.1", help="Address to listen on; keep localhost unless behind a TLS proxy."),
    port: int = typer.Option(8765, help="Port to listen on (1-65535)."),
    blind: bool = typer.Option(False, "--blind", help="Hide the model's probabilities from every rater."),
    proxy: str = typer.Option(
        None,
        "--proxy",
        help="Address of a TLS reverse proxy in front of the app: only its X-Forwarded-For is trusted, and cookies become HTTPS-only.",
    ),
) -> None:
    """Serve the raters' review web app (queue, item, speakers, agreement pages).

    Example: dialogic review --db dialogic.duckdb --port 8765  (then open http://127.0.0.1:8765)
    """
    import uvicorn

    from dialogic.review.app import create_app

    if not 1 <= port <= 65535:
        fail(f"--port must be a port number from 1 to 65535, not {port}")
    try:
        app = create_app(db_path(db), blind=blind, secure_cookies=proxy is not None)
    except DialogicError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from exc
    if host not in ("127.0.0.1", "localhost", "::1") and proxy is None:
        typer.echo(f"warning: listening on {host}; raters' data is health data — use a TLS proxy (--proxy)", err=True)
    typer.echo(f"dialogic review on http://{host}:{port}  (Ctrl+C stops)")
    uvicorn.Server(server_config(app, host, port, proxy)).run()


def server_config(app, host: str, port: int, proxy: str | None):
    """uvicorn's settings: X-Forwarded-For is trusted only from ``proxy`` (never by default, so a
    client cannot claim another address to get round the login throttle)."""
    import uvicorn

    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", proxy_headers=proxy is not None, forwarded_allow_ips=proxy or ""
    )


@raters_app.command("add")
def add(
    name: str = typer.Argument(..., help="Login name: lowercase letters, digits, '.', '_' or '-'."),
    db: Path = DB_OPTION,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    blind: bool = typer.Option(False, "--blind", help="Never show this rater the model's probabilities."),
    editor: bool = typer.Option(False, "--editor", help="Let this rater correct transcripts, not only rate tags."),
) -> None:
    """Create a rater account (the password is stored as a salted scrypt hash).

    Example: dialogic raters add alice --editor   (asks for the password twice)
    """
    from dialogic.db import connect
    from dialogic.store.raters import add_rater

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    con = connect(db_path(db, create=True))
    try:
        add_rater(con, name, password, blind=blind, can_edit=editor)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except DialogicError as exc:
        fail(exc)
    finally:
        con.close()
    typer.echo(f"rater {name} added")


@raters_app.command("list")
def list_(db: Path = DB_OPTION, table_format: str = FORMAT_OPTION) -> None:
    """List rater accounts with how many answers each has given.

    Example: dialogic raters list --db dialogic.duckdb
    """
    from dialogic.db import connect
    from dialogic.review.auth import list_raters

    database = db_path(db)
    con = connect(database)
    try:
        raters = list_raters(con)
    finally:
        con.close()
    if not raters:
        typer.echo("no raters yet (add one with `dialogic raters add NAME`)")
        return
    rows = []
    for rater in raters:
        rights = [
            *(["blind"] if rater.blind else []),
            *([f"editor ({rater.n_corrections} corrections)"] if rater.can_edit else []),
        ]
        rows.append([rater.rater_id, str(rater.n_answers), f"{rater.created_at:%Y-%m-%d}", " ".join(rights) or "-"])
    # a table at a terminal, tab-separated lines under the header in a pipe (answers a plain count for awk)
    emit_table(f"raters of {database}", ["rater", "answers", "since", "rights"], rows, table_format)


@raters_app.command("editor")
def editor(
    name: str = typer.Argument(..., help="The rater's login name."),
    db: Path = DB_OPTION,
    revoke: bool = typer.Option(False, "--revoke", help="Take the right away instead of granting it."),
) -> None:
    """Grant (or revoke) a rater's right to correct transcripts in the review app.

    Example: dialogic raters editor alice   (or: dialogic raters editor alice --revoke)
    """
    from dialogic.db import connect
    from dialogic.store.raters import set_editor

    con = connect(db_path(db))
    try:
        set_editor(con, name, not revoke)
    except DialogicError as exc:
        fail(exc)
    finally:
        con.close()
    typer.echo(f"rater {name} {'may no longer' if revoke else 'may now'} correct transcripts")


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.add_typer(raters_app, name="raters")
