"""`dialogic validate`: measure dialogic's error on a study's own meetings."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dialogic.cli.common import DB_OPTION, db_path, fail
from dialogic.errors import DialogicError

out = Console()

validate_app = typer.Typer(
    help="Validation built in: a blind, random, stratified sample rated by two raters, and the report of the "
    "tagger's measured error on this study.",
    no_args_is_help=True,
)


@validate_app.command("sample")
def validate_sample(
    n: int = typer.Option(300, "--n", help="Utterances to draw."),
    meeting: list[str] = typer.Option(None, "--meeting", help="Only these meetings (repeat the option); default: all."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed and data give the same sample."),
    tagger: str = typer.Option(
        None, "--tagger", help="Tagger version whose labels form the strata (default: the one that tagged most)."
    ),
    db: Path = DB_OPTION,
) -> None:
    """Draw a reproducible validation sample, stratified by predicted tag, meeting and role.

    Example: dialogic validate sample --n 300 --seed 7 --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.validation.sample import draw_sample

    try:
        con = connect(db_path(db))
        summary = draw_sample(con, n, meetings=meeting or None, seed=seed, tagger=tagger)
    except DialogicError as exc:
        fail(exc)
    table = Table(
        title=f"sample {summary.sample_id}: {summary.drawn} of {summary.population} utterances "
        f"(tagger {summary.tagger_model_version}, seed {seed})"
    )
    for column in ("predicted stratum", "population", "drawn"):
        table.add_column(column)
    for level, (population, drawn) in sorted(summary.by_predicted.items()):
        table.add_row(level, str(population), str(drawn))
    out.print(table)
    for why, count in summary.excluded.items():
        out.print(f"left out: {count} utterances ({why})")
    out.print(
        "Raters find the items under Validation in `dialogic review`: random order, model hidden, two raters each."
    )


@validate_app.command("report")
def validate_report(
    sample: str = typer.Option(None, "--sample", help="Sample id (default: the latest)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json | html"),
    output: Path = typer.Option(None, "--output", "-o", help="Write the report here instead of stdout."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    resamples: int = typer.Option(2000, "--resamples", help="Bootstrap resamples."),
    db: Path = DB_OPTION,
) -> None:
    """Per tag: prevalence, precision, recall, F1 and κ against the raters' consensus with 95 % intervals,
    the raters' own agreement, and tag counts corrected for the measured error. Stores the figures so that
    every view and export carries them.

    Example: dialogic validate report --format html --output validation.html --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.validation.report import format_estimate, render_html, render_json, store_estimates, validation_report

    if fmt not in ("table", "json", "html"):
        fail(f"unknown --format {fmt!r}; expected one of: table, json, html")
    try:
        con = connect(db_path(db))
        report = validation_report(con, sample, seed=seed, n_resamples=resamples)
        store_estimates(con, report)
    except DialogicError as exc:
        fail(exc)
    if fmt == "table":
        table = Table(
            title=f"validation of {report.tagger_model_version} on sample {report.sample_id} "
            f"({report.items} items; 95 % bootstrap intervals)"
        )
        for column in ("tag", "decided", "precision", "recall", "F1", "κ model–raters", "κ rater–rater", "pending"):
            table.add_column(column)
        for t in report.tags:
            f = t.model_vs_consensus
            pending = ", ".join(f"{n} {s}" for s, n in sorted(t.pending.items())) or "-"
            table.add_row(
                t.tag,
                str(t.decided),
                format_estimate(f["precision"]),
                format_estimate(f["recall"]),
                format_estimate(f["f1"]),
                format_estimate(f["kappa"]),
                format_estimate(t.rater_kappa),
                pending,
            )
        out.print(table)
        if report.transcripts is not None:
            t = report.transcripts
            out.print(
                f"speakers right: {format_estimate(t.speaker_accuracy)}; word error: {format_estimate(t.word_error)}"
            )
            for m in t.meetings:
                out.print(
                    f"  {m['meeting_id']}: speech given to the wrong person {format_estimate(m['misattributed_speech'])}"
                )
        for name, e in report.option5.items():
            out.print(f"OPTION-5 ICC, {name.replace('_', ' ')}: {format_estimate(e)} ({e.n} meetings)")
        return
    text = render_json(report) if fmt == "json" else render_html(report)
    if output:
        from dialogic.files import write_private

        write_private(output, text)  # owner-only, like every report
        out.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    app.add_typer(validate_app, name="validate")
