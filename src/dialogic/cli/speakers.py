"""`dialogic speakers`: list, map, merge and suggest a meeting's diarised speakers."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from dialogic.cli.common import DB_OPTION, FORMAT_OPTION, db_path, emit_table, fail
from dialogic.errors import DialogicError

console = Console(stderr=True)
out = Console()


speakers_app = typer.Typer(
    help="List diarised speakers and map them to manifest participants.\n\n"
    "Example: dialogic speakers map m001 SPEAKER_00=p1 SPEAKER_01=Alex",
    no_args_is_help=True,
)


@speakers_app.command("map")
def speakers_map(
    meeting: str = typer.Argument(..., help="Meeting id."),
    pairs: list[str] = typer.Argument(..., help="SPEAKER_00=p1 SPEAKER_01=p3 … (SPEAKER_02= clears)."),
    db: Path = DB_OPTION,
    by: str = typer.Option("cli", "--by", help="Who made the mapping (stored with it)."),
) -> None:
    """Say which participant each diarised speaker is; roles follow from the manifest.

    Example: dialogic speakers map m001 SPEAKER_00=p1 SPEAKER_01=p3
    """
    from dialogic.db import connect
    from dialogic.speakers import parse_mapping
    from dialogic.store.speakers import map_speakers

    try:
        con = connect(db_path(db))
        propagated = map_speakers(con, meeting, parse_mapping(pairs), mapped_by=by)
    except DialogicError as exc:
        fail(exc)
    _print_speakers(con, meeting)
    if propagated.retagged:
        typer.echo(f"{len(propagated.retagged)} utterances tagged again: their speaker's role changed")
    if propagated.note:
        typer.echo(propagated.note, err=True)


@speakers_app.command("list")
def speakers_list(
    meeting: str = typer.Argument(..., help="Meeting id."), db: Path = DB_OPTION, table_format: str = FORMAT_OPTION
) -> None:
    """Show a meeting's diarised speakers, their participant, role and speaking time.

    Example: dialogic speakers list m001
    """
    from dialogic.db import connect

    try:
        con = connect(db_path(db), read_only=True)
    except DialogicError as exc:
        fail(exc)
    _print_speakers(con, meeting, table_format)


@speakers_app.command("merge")
def speakers_merge(
    meeting: str = typer.Argument(..., help="Meeting id."),
    source: str = typer.Argument(..., help="The speaker to fold in (it disappears), e.g. a doubtful one."),
    target: str = typer.Argument(..., help="The speaker it is part of."),
    db: Path = DB_OPTION,
) -> None:
    """Merge two diarised speakers that are one person: SOURCE's speech becomes TARGET's.

    Example: dialogic speakers merge m001 SPEAKER_03 SPEAKER_01
    """
    from dialogic.db import connect
    from dialogic.store.speakers import merge_speakers

    try:
        con = connect(db_path(db))
        merge_speakers(con, meeting, source, target)
    except DialogicError as exc:
        fail(exc)
    _print_speakers(con, meeting)


@speakers_app.command("suggest")
def speakers_suggest(
    meeting: str = typer.Argument(..., help="Meeting id."), db: Path = DB_OPTION, table_format: str = FORMAT_OPTION
) -> None:
    """Suggest who each speaker is, from the voices of people (manifest `person:`) mapped in other meetings.

    Example: dialogic speakers suggest m002
    """
    from dialogic.db import connect
    from dialogic.speakers import no_voices_reason, suggest_mappings

    try:
        con = connect(db_path(db), read_only=True)
        reason = no_voices_reason(con, meeting)
        suggestions = suggest_mappings(con, meeting)
    except DialogicError as exc:
        fail(exc)
    if reason:
        out.print(f"no suggestions: {reason}", soft_wrap=True)
        return
    if not suggestions:
        out.print(
            f"no suggestions for {meeting}: no participant with a `person:` key has a voice enrolled from "
            "another meeting where they were mapped",
            soft_wrap=True,
        )
        return
    emit_table(
        f"who may be speaking in {meeting} (cosine similarity of voices; a rater decides)",
        ["speaker", "participant", "person", "similarity", "enrolled from"],
        [
            [s.speaker_label, s.participant_id, s.person_id, f"{s.similarity:.3f}", f"{s.enrolled_meetings} meeting(s)"]
            for s in suggestions
        ],
        table_format,
    )


def _print_speakers(con, meeting: str, table_format: str = "auto") -> None:
    from dialogic.speakers import list_speakers

    try:
        speakers = list_speakers(con, meeting)
    except DialogicError as exc:
        fail(exc)
    emit_table(
        f"speakers of {meeting} (turn_s: diarised turn time, pauses and talk over others included; the views' "
        "speech_s is utterance time plus speech that got no words: docs/sql.md, Definitions)",
        ["speaker", "participant", "role", "name", "turn_s", "longest_turn_s", "check"],
        [
            [
                s["speaker_label"],
                s["participant_id"] or "-",
                s["role"] or "unknown",
                s["name"] if s["participant_id"] else "unmapped",
                "-" if s["speech_s"] is None else f"{s['speech_s']:.1f}",
                "-" if s["longest_turn_s"] is None else f"{s['longest_turn_s']:.1f}",
                "doubtful: little speech, merge or ignore" if s["doubtful"] else "",
            ]
            for s in speakers
        ],
        table_format,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(speakers_app, name="speakers")
