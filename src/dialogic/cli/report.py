"""`dialogic report`: self-contained HTML reports of one meeting, of every meeting, or of the study."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dialogic.cli.common import DB_OPTION, db_path, fail
from dialogic.errors import DialogicError

_stderr = Console(stderr=True)
_HTML_SUFFIXES = (".html", ".htm")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    meeting: str = typer.Argument(None, help="Meeting id to report on (or use --all / --study)."),
    all_meetings: bool = typer.Option(
        False, "--all", help="One report per analysable meeting, plus study.html linking them, in the --output folder."
    ),
    study: bool = typer.Option(False, "--study", help="Only the study report (distributions across meetings)."),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help="A .html file, or a folder (default: ./reports). --all needs a folder.",
    ),
    audio_links: str = typer.Option(
        "relative",
        "--audio-links",
        help="How evidence utterances reach the audio: relative (path from the report), absolute (file:// URI) or none.",
    ),
    db: Path = DB_OPTION,
) -> None:
    """Write offline HTML reports: plots, voice shares, turn-taking, tags and the shared-decision-making
    indicator with its evidence, each figure with its validity (consent, unmapped speakers, the tagger's
    validation). Only meetings whose consent covers analysis are reported. See docs/reports.md.

    Example:

        dialogic report m001 --output reports/

    Every meeting and the study: `dialogic report --all --output reports/`; the study alone:
    `dialogic report --study --output study.html`.
    """
    from dialogic.db import connect
    from dialogic.report import AUDIO_LINKS, ReportOptions, meeting_file_name
    from dialogic.report.render import STUDY_FILE, write_all_reports, write_meeting_report, write_study_report

    chosen = [
        name for name, on in (("MEETING", meeting is not None), ("--all", all_meetings), ("--study", study)) if on
    ]
    if len(chosen) != 1:
        fail("give exactly one of MEETING, --all or --study" + (f" (got {', '.join(chosen)})" if chosen else ""))
    if audio_links not in AUDIO_LINKS:
        fail(f"unknown --audio-links {audio_links!r}; expected one of: {', '.join(AUDIO_LINKS)}")
    output = output if output is not None else Path("reports")
    is_file = output.suffix.lower() in _HTML_SUFFIXES
    if all_meetings and is_file:
        fail(f"--all writes one file per meeting: --output must be a folder, not {output}")
    database = db_path(db)
    options = ReportOptions(audio_links=audio_links)
    try:
        con = connect(database, read_only=True)
    except DialogicError as exc:
        fail(exc)
    try:
        if meeting is not None:
            path = output if is_file else output / meeting_file_name(meeting)
            write_meeting_report(con, meeting, path, options, database_dir=database.parent)
            typer.echo(f"wrote {path}")
        elif study:
            path = output if is_file else output / STUDY_FILE
            write_study_report(con, path)
            typer.echo(f"wrote {path}")
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=_stderr,
                transient=True,
            ) as bar:
                task = bar.add_task("meeting reports", total=None)

                def progress(meeting_id: str, *, completed: int, total: int) -> None:
                    bar.update(task, completed=completed, total=total, description=f"meeting {meeting_id}")

                summary = write_all_reports(con, output, options, database_dir=database.parent, progress=progress)
            typer.echo(
                f"wrote {len(summary.meeting_paths)} meeting reports and {summary.study_path} "
                f"in {summary.elapsed_s:.1f} s"
            )
            for meeting_id in summary.no_speech:
                typer.echo(f"no report for {meeting_id}: it was processed and no speech was found in it")
            for meeting_id, path in summary.removed.items():
                typer.echo(
                    f"removed {path}: meeting {meeting_id} may no longer be reported (withdrawn or out of consent)"
                )
            if summary.failed:
                for meeting_id, reason in summary.failed.items():
                    _stderr.print(f"error: meeting {meeting_id}: {reason}", style="red", markup=False, soft_wrap=True)
                fail(f"{len(summary.failed)} meeting report(s) failed; the others were written")
    except DialogicError as exc:
        fail(exc)
    finally:
        con.close()
