"""`dialogic consent`: withdrawal that leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from dialogic.cli.common import DB_OPTION, db_path, fail
from dialogic.errors import DialogicError

out = Console()
consent_app = typer.Typer(
    help="Consent: withdraw a meeting or one participant's speech.\n\n"
    "Example: dialogic consent withdraw m001 --participant p2 --reference form-2026-044",
    no_args_is_help=True,
)


@consent_app.command("withdraw")
def consent_withdraw(
    meeting: str = typer.Argument(..., help="Meeting id."),
    reference: str = typer.Option(..., "--reference", help="Where the withdrawal is documented (e.g. form-2026-044)."),
    participant: str = typer.Option(None, "--participant", help="Withdraw only this participant's speech."),
    by: str = typer.Option("cli", "--by", help="Who records the withdrawal (stored in the audit row)."),
    db: Path = DB_OPTION,
) -> None:
    """Remove everything derived from a meeting (or from one participant's speech), rewrite the
    database file so that no byte of it remains, and record the withdrawal (no content).

    A withdrawal interrupted part way (a crash, a kill) is finished by the next dialogic command
    that opens the database, or by running the same withdrawal again.

    Example: dialogic consent withdraw m001 --participant p2 --reference form-2026-044
    """
    from dialogic.consent import completed_withdrawal, journal_path, withdraw_meeting, withdraw_participant

    what = f"participant {participant} of meeting {meeting}" if participant else f"meeting {meeting}"
    try:
        if db_path(db).exists() and (done := completed_withdrawal(db_path(db), meeting, participant or None)):
            out.print(f"{what} was already withdrawn ({done[1]}, finished {done[0]:%Y-%m-%d %H:%M}); nothing to do.")
            return
        if participant:
            removed = withdraw_participant(db_path(db), meeting, participant, reference, by=by)
        else:
            removed = withdraw_meeting(db_path(db), meeting, reference, by=by)
    except DialogicError as exc:
        if journal_path(db_path(db)).exists():
            fail(
                f"{exc}\nThe withdrawal is recorded and not finished: the next dialogic command on "
                f"{db_path(db)} (or this one again) finishes it."
            )
        fail(exc)
    out.print(
        f"withdrew {what} ({reference}): "
        + (", ".join(f"{n} {t}" for t, n in sorted(removed.items())) or "nothing stored")
    )
    out.print(f"{db_path(db)} was rewritten: the removed rows are no longer in the file.")


def register(app: typer.Typer) -> None:
    app.add_typer(consent_app, name="consent")
