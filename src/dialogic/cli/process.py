"""`dialogic process` and `dialogic demo`: recordings in, evidence in the database."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from dialogic.cli.common import DB_OPTION, FORMAT_OPTION, db_path, emit_table, fail
from dialogic.errors import DialogicError
from dialogic.options import TranscriptionOptions

DEFAULT_TRANSCRIPTION = TranscriptionOptions()
DEFAULT_ASR_MODEL = DEFAULT_TRANSCRIPTION.model

console = Console(stderr=True)
out = Console()


def process(
    manifest: Path = typer.Argument(..., help="Meeting manifest (YAML)."),
    db: Path = DB_OPTION,
    table_format: str = FORMAT_OPTION,
    asr_model: str = typer.Option(
        DEFAULT_ASR_MODEL, "--asr-model", help="faster-whisper model name or CTranslate2 folder."
    ),
    asr_beam_size: int = typer.Option(
        DEFAULT_TRANSCRIPTION.beam_size, "--asr-beam-size", min=1, help="Beam search width (1: greedy)."
    ),
    asr_batch_size: int = typer.Option(
        DEFAULT_TRANSCRIPTION.batch_size,
        "--asr-batch-size",
        min=0,
        help="Decode Silero VAD's speech chunks this many at a time, each on its own; 0: one 30 s stretch after "
        "another (docs/scale.md).",
    ),
    diarisation: str = typer.Option(
        "offline", "--diarisation", help="'offline', a pyannote hub id, or a pipeline folder."
    ),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda."),
    speaker_hint: str = typer.Option("max", "--speaker-hint", help="Participant count as max | exact | none speakers."),
    language: str = typer.Option(
        None,
        "--language",
        help="Spoken language code (e.g. de) for meetings whose manifest gives none; default: detect from the "
        "audio. An imported transcript's language is not detected: without one it is not tagged.",
    ),
    tag: bool = typer.Option(True, "--tag/--no-tag", help="Tag utterances after storing them."),
    tagger: str = typer.Option(
        None,
        "--tagger",
        help="Tagger version (<name>-v<N>) or folder. Default: the newest shipped one not held back "
        "(dialogic-tagger-v3); a stored meeting that version has not tagged is tagged on a re-run.",
    ),
    allow_outside: bool = typer.Option(
        False, "--allow-outside", help="Accept audio files outside the manifest's folder (refused by default)."
    ),
    purge_withdrawn: bool = typer.Option(
        False, "--purge-withdrawn", help="Remove everything stored for meetings whose consent is now withdrawn."
    ),
    dask_workers: int = typer.Option(
        None,
        "--dask-workers",
        help="Compute meetings on this many local Dask worker processes (one meeting each at a time); "
        "this process alone writes the database.",
    ),
    dask_address: str = typer.Option(
        None,
        "--dask-address",
        help="Compute meetings on an existing Dask cluster, by its scheduler address (tcp://host:8786); "
        "its workers need dialogic, the models and the staging folder (docs/scale.md).",
    ),
    cpu_cores: int = typer.Option(
        0,
        "--cpu-cores",
        min=0,
        show_default="0, meaning all",
        help="Cores one meeting may use on CPU. Default: all of them; with --dask-workers, this machine's "
        "cores shared among the workers; with --dask-address, this machine's count, given to each worker. "
        "The threads each model gets follow from it and are part of the processing key: another count is "
        "another computation (docs/scale.md).",
    ),
    staging_dir: Path = typer.Option(
        None,
        "--staging-dir",
        help="With Dask: the folder where workers leave computed meetings for this process to store, seen by "
        "every worker under the same path. Default: DB.staging beside the database.",
    ),
) -> None:
    """Process every consented meeting of MANIFEST into the database: recordings (audio:) are
    transcribed and diarised; human transcripts (transcript: .vtt .srt .eaf .TextGrid .csv .tsv
    .txt) are imported, their speakers matched to participants by name.

    Example: dialogic process recordings/manifest.yaml --db study.duckdb

    On two local Dask workers: dialogic process recordings/manifest.yaml --db study.duckdb --dask-workers 2

    On a GPU machine's Dask cluster: dialogic process m.yaml --device cuda --dask-address tcp://gpu01:8786
    """
    from dialogic.compute import STAGE_NAMES
    from dialogic.engines import batch_options
    from dialogic.manifest import load_manifest
    from dialogic.options import SPEAKER_HINTS, DiarisationOptions, PipelineOptions, TranscriptionOptions
    from dialogic.pipeline import process_manifest

    if speaker_hint not in SPEAKER_HINTS:
        fail(DialogicError(f"--speaker-hint must be one of: {', '.join(SPEAKER_HINTS)}"))
    if tagger is not None and tag:
        from dialogic.tagging.artifacts import tagger_version

        try:  # before any meeting is computed; a folder as an absolute path, the same for every worker
            tagger_version(tagger)
        except DialogicError as exc:
            fail(exc)
        if Path(tagger).is_dir():
            tagger = str(Path(tagger).resolve())
    chosen = PipelineOptions(
        transcription=TranscriptionOptions(
            model=asr_model, language=language, beam_size=asr_beam_size, batch_size=asr_batch_size
        ),
        diarisation=DiarisationOptions(pipeline=diarisation),
        speaker_hint=speaker_hint,
        tag=tag,
        tagger=tagger,
        purge_withdrawn=purge_withdrawn,
        cpu_cores=cpu_cores,
    )
    try:
        options = batch_options(
            chosen, device=device, workers=dask_workers, address=dask_address, staging_dir=staging_dir
        )
    except DialogicError as exc:
        fail(exc)
    try:
        loaded = load_manifest(manifest, allow_outside=allow_outside)
    except DialogicError as exc:
        fail(exc)
    if dask_workers is not None or dask_address is not None:
        report = _process_on_dask(loaded, options, db, dask_workers, dask_address, staging_dir)
        _print_report(manifest, db, report, table_format)
        return
    total = len(loaded.meetings)
    with _progress_bar() as bar:
        batch = bar.add_task("meetings", total=total)
        stage_task = bar.add_task("", total=len(STAGE_NAMES))
        # inside the long stages: seconds of audio transcribed, and pyannote's steps
        asr_task = bar.add_task("transcribe", total=None, visible=False)
        diarise_task = bar.add_task("diarise", total=None, visible=False)
        current = {"meeting": None}
        names = list(STAGE_NAMES)

        def on_progress(
            meeting_id: str, stage: str, *, completed: float | None = None, total: float | None = None
        ) -> None:
            if stage == "done":  # the meeting count moves when the next meeting starts
                return
            if current["meeting"] != meeting_id:
                if current["meeting"] is not None:
                    bar.advance(batch)
                current["meeting"] = meeting_id
                bar.reset(stage_task)
                for task in (asr_task, diarise_task):
                    bar.reset(task, total=None, visible=False)
            if stage in names:
                bar.update(stage_task, description=f"{meeting_id}: {stage}", completed=names.index(stage))
                return
            task = asr_task if stage == "transcribe" else diarise_task
            if completed is None or not total:
                bar.update(task, description=f"  {stage}", visible=True)
            else:
                bar.update(task, description=f"  {stage}", completed=completed, total=total, visible=True)

        try:
            report = process_manifest(db_path(db, create=True), loaded, options, progress=on_progress)
        except DialogicError as exc:  # the database itself: not DuckDB, wrong key, held by another
            fail(exc)
        bar.update(batch, completed=total)
        bar.update(stage_task, completed=len(STAGE_NAMES), description="done")
    _print_report(manifest, db, report, table_format)


def _progress_bar() -> Progress:
    """The batch's progress display: spinner, description, bar, percentage, elapsed and remaining time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _process_on_dask(loaded, options, db: Path | None, workers: int | None, address: str | None, staging_dir):
    """The batch on Dask workers, this process storing what they compute; a bar of meetings done."""
    from dialogic.dask_cluster import dask_executor
    from dialogic.engines import Engine
    from dialogic.pipeline import process_manifest
    from dialogic.staging import default_staging_dir

    where = f"{workers} local Dask worker(s)" if workers is not None else f"the Dask cluster at {address}"
    database = db_path(db, create=True)
    with _progress_bar() as bar:
        batch = bar.add_task(f"meetings on {where}", total=len(loaded.meetings))

        def on_progress(meeting_id: str, stage: str, *, completed=None, total=None) -> None:
            if stage == "done":
                bar.advance(batch)

        try:
            with dask_executor(workers=workers, address=address) as executor:
                engine = Engine(executor, staging=staging_dir or default_staging_dir(database))
                return process_manifest(database, loaded, options, engine=engine, progress=on_progress)
        except DialogicError as exc:
            fail(exc)


def _print_report(manifest: Path, db: Path | None, report, table_format: str = "auto") -> None:
    emit_table(
        f"{manifest} → {db_path(db, create=True)}",
        ["meeting", "status", "speakers", "utterances", "words", "seconds", "reason"],
        [
            [
                r.meeting_id,
                r.status,
                str(r.speakers or ""),
                str(r.utterances or ""),
                str(r.words or ""),
                f"{r.wall_s:.1f}" if r.wall_s is not None else "",
                r.reason or "",
            ]
            for r in report.results
        ],
        table_format,
    )
    for r in report.results:
        for warning in r.warnings:
            out.print(f"{r.meeting_id}: warning: {warning}", style="yellow", soft_wrap=True)
        # every stored mapping that did not stay where it was, so a moved or lost mapping is never silent
        for c in r.mapping_changes:
            if c.action != "kept":
                where = f"→ {c.to_label}" if c.to_label else "dropped"
                out.print(
                    f"{r.meeting_id}: mapping {c.from_label}={c.participant_id} {where}: {c.reason}", soft_wrap=True
                )
        kept = sum(c.action == "kept" for c in r.mapping_changes)
        if kept:
            out.print(f"{r.meeting_id}: {kept} speaker mapping(s) kept with the same voice")
    counts = {s: len(report.by_status(s)) for s in ("processed", "unchanged", "skipped", "failed")}
    out.print(", ".join(f"{n} {s}" for s, n in counts.items()))
    if counts["failed"]:
        raise typer.Exit(2)


def demo(
    workdir: Path = typer.Option(Path("demo"), "--workdir", help="Folder for the demo manifest, audio and database."),
) -> None:
    """Process the real two-speaker recording bundled with pyannote.audio and print the results.

    Example: dialogic demo --workdir demo
    """
    import importlib.resources

    from dialogic.db import connect

    sample = importlib.resources.files("pyannote.audio") / "sample"
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(str(sample / "sample.wav"), workdir / "sample.wav")
    shutil.copyfile(str(sample / "sample.rttm"), workdir / "sample.reference.rttm")
    manifest = workdir / "manifest.yaml"
    manifest.write_text(DEMO_MANIFEST)
    db = workdir / "dialogic.duckdb"
    process(
        manifest=manifest,
        db=db,
        asr_model=DEFAULT_ASR_MODEL,
        asr_beam_size=DEFAULT_TRANSCRIPTION.beam_size,
        asr_batch_size=DEFAULT_TRANSCRIPTION.batch_size,
        diarisation="offline",
        device="cpu",
        speaker_hint="max",
        language=None,
        tag=True,
        tagger=None,
        allow_outside=False,
        purge_withdrawn=False,
        dask_workers=None,
        dask_address=None,
        cpu_cores=0,
        staging_dir=None,
        table_format="auto",
    )

    from dialogic.store.speakers import map_speakers

    con = connect(db)
    # A rater would listen first (`dialogic review` has a speaker page); the demo knows the answer.
    map_speakers(con, "demo-sample", {"SPEAKER_00": "p1", "SPEAKER_01": "p2"}, mapped_by="demo")
    rows = con.execute(
        """
        select u.start_s, u.end_s, u.speaker_label, u.role, u.text,
               coalesce(list(c.tag order by c.tag_order) filter (where t.label), []) as tags
        from utterances_tagged as u
        left join utterance_tag_facts as t on t.utterance_id = u.utterance_id
        left join codebook_tags() as c on c.tag = t.tag
        where u.meeting_id = 'demo-sample'
        group by u.utterance_id, u.start_s, u.end_s, u.speaker_label, u.role, u.text
        order by u.start_s
        """
    ).fetchall()
    out.rule("speaker-attributed transcript (tags in brackets)")
    for start_s, end_s, speaker, role, text, tags in rows:
        line = Text(f"[{start_s:6.2f}–{end_s:6.2f}] {speaker or '?'} ({role}) {text}")
        if tags:
            line.append(f"  [{', '.join(tags)}]", style="bold")
        out.print(line)
    out.rule("voice share per role (view voice_share_role)")
    table = Table()
    columns = ("role", "speech_s", "speech_pct", "words_pct", "turn_count", "longest_turn_s")
    for column in columns:
        table.add_column(column, justify="right")
    for row in con.execute(
        f"select {', '.join(columns)} from voice_share_role where meeting_id = 'demo-sample' order by role"
    ).fetchall():
        table.add_row(*(f"{v:.1f}" if isinstance(v, float) else str(v) for v in row))
    out.print(table)
    con.close()
    out.print(
        f"Database: {db}. Try: `dialogic export demo-sample --format rttm --db {db}`, "
        f'`dialogic sql "select * from balance" --db {db}`, '
        f"`dialogic raters add NAME --db {db}` then `dialogic review --db {db}` (http://127.0.0.1:8765)."
    )


DEMO_MANIFEST = """\
# Demo: the 30 s two-speaker recording that ships inside pyannote.audio (a telephone-style
# conversation, not a network meeting), with two made-up participants.
meetings:
  - id: demo-sample
    audio: sample.wav
    recorded_on: 2026-01-15
    site: demo
    consent:
      status: given
      scope: [transcribe, analyse, review]
      reference: pyannote-audio-sample
    participants:
      - {id: p1, role: service_user, pseudonym: Sheila}
      - {id: p2, role: peer, pseudonym: Diane}
"""


def register(app: typer.Typer) -> None:
    app.command()(process)
    app.command()(demo)
