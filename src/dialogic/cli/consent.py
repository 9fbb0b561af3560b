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
        recording = _recording(db_path(db), meeting) if db_path(db).exists() else None
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
    if recording is not None and recording.exists():
        # dialogic reads recordings and never deletes them: the person who holds them must
        out.print(
            f"The recording {recording} is not dialogic's to delete and is still on disk: remove it, "
            "and any copies, if the withdrawal covers the audio."
        )


def _recording(path: Path, meeting: str) -> Path | None:
    """The audio file a meeting was processed from, read before its row is removed (None: none stored)."""
    from dialogic.db import connect

    try:
        con = connect(path, read_only=True)
    except DialogicError:
        return None  # the withdrawal itself reports what is wrong with the database
    try:
        row = con.execute("select audio_path from meetings where meeting_id = ?", [meeting]).fetchone()
    finally:
        con.close()
    return Path(row[0]) if row and row[0] else None


def register(app: typer.Typer) -> None:
    app.add_typer(consent_app, name="consent")
