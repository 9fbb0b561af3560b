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
    "tagger's measured error on this study.\n\nExample: dialogic validate sample --n 300 --seed 7",
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
    purpose: str = typer.Option(
        "tags",
        "--for",
        help="tags: items rated for every tag; speakers: items for speaker checks, stratified by the "
        "diarisation's confidence, lowest first.",
    ),
    db: Path = DB_OPTION,
) -> None:
    """Draw a reproducible validation sample: for tags, stratified by predicted tag, meeting and role;
    for speaker checks, by the diarisation's confidence in each utterance's speaker.

    Example: dialogic validate sample --n 300 --seed 7 --db study.duckdb
    Example: dialogic validate sample --for speakers --n 200 --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.validation.sample import draw_sample

    if purpose not in ("tags", "speakers"):
        fail(f"unknown --for {purpose!r}; expected one of: tags, speakers")
    if purpose == "speakers":
        _speaker_sample(n, meeting or None, seed, db)
        return
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


def _speaker_sample(n: int, meetings: list[str] | None, seed: int, db: Path) -> None:
    from dialogic.db import connect
    from dialogic.validation.speakers import draw_speaker_sample

    try:
        summary = draw_speaker_sample(connect(db_path(db)), n, meetings=meetings, seed=seed)
    except DialogicError as exc:
        fail(exc)
    table = Table(title=f"speaker-check sample {summary.sample_id}: {summary.drawn} of {summary.population} utterances")
    for column in ("confidence band", "from", "population", "drawn"):
        table.add_column(column)
    for band, (population, drawn, lowest) in summary.by_band.items():
        table.add_row(band, "unknown" if lowest is None else f"{lowest:.2f}", str(population), str(drawn))
    out.print(table)
    out.print("Raters check the speakers under Validation in `dialogic review`, lowest confidence first.")


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
    the raters' own agreement, and tag counts corrected for the measured error. Looking changes nothing:
    `dialogic validate record` records the figures that views and exports judge status by.

    Example: dialogic validate report --format html --output validation.html --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.validation.report import format_estimate, render_html, render_json, validation_report

    if fmt not in ("table", "json", "html"):
        fail(f"unknown --format {fmt!r}; expected one of: table, json, html")
    try:
        con = connect(db_path(db))
        report = validation_report(con, sample, seed=seed, n_resamples=resamples)
    except DialogicError as exc:
        fail(exc)
    if fmt == "table" and report.sample_id is None:
        out.print(f"no tag sample yet: {report.design}")
    elif fmt == "table":
        table = Table(
            title=f"validation of {report.tagger_model_version} on sample {report.sample_id} "
            f"({report.items} items; 95 % intervals: Korn–Graubard, κ by rescaling bootstrap)"
        )
        for column in (
            "tag",
            "decided",
            "precision",
            "recall",
            "F1",
            "κ model–raters",
            "κ rater–rater",
            "pending",
            "status (as recorded)",
        ):
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
                report.statuses.get(t.tag, "not validated on this study"),
            )
        out.print(table)
    if fmt == "table":
        if report.transcripts is not None:
            t = report.transcripts
            out.print(
                f"speakers right: {format_estimate(t.speaker_accuracy)}; word error: {format_estimate(t.word_error)}"
            )
            for m in t.meetings:
                out.print(
                    f"  {m['meeting_id']}: speech given to the wrong person {format_estimate(m['misattributed_speech'])}"
                )
        if report.speakers is not None:
            v = report.speakers
            out.print(
                f"speaker checks (sample {v.sample_id}, {v.checked} checked): speech given to the wrong person "
                f"{format_estimate(v.misattributed)}"
            )
            for r in v.roles:
                out.print(
                    f"  {r.role}: voice share {r.attributed:.1%} as diarised; error {format_estimate(r.error, 3)}; "
                    f"true share {format_estimate(r.true_share, 3)}"
                )
            for m in v.meetings:  # swaps between meetings can cancel in the pooled figure
                for r in m["roles"]:
                    out.print(
                        f"  {m['meeting_id']} ({m['checked']} checked), {r.role}: voice share {r.attributed:.1%}; "
                        f"error {format_estimate(r.error, 3)}"
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


@validate_app.command("record")
def validate_record(
    sample: str = typer.Option(None, "--sample", help="Sample id (default: the latest)."),
    by: str = typer.Option(..., "--by", help="Who records the estimate (kept with it)."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    resamples: int = typer.Option(2000, "--resamples", help="Bootstrap resamples."),
    db: Path = DB_OPTION,
) -> None:
    """Record the sample's estimate: the one step that changes a tag's validation status in every view,
    report and export. A tag is validated once the estimate rests on the study's minimum of items, the
    bar figure's lower bound reaches the bar (`dialogic validate settings`) and κ's lower bound is above 0.

    Example: dialogic validate record --by "A. Researcher" --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.store.validation import store_estimates
    from dialogic.validation.report import validation_report
    from dialogic.validation.settings import tag_statuses

    try:
        con = connect(db_path(db))
        report = validation_report(con, sample, seed=seed, n_resamples=resamples)
        rows = store_estimates(con, report, recorded_by=by)
    except DialogicError as exc:
        fail(exc)
    out.print(f"recorded {rows} figures of sample {report.sample_id} (tagger {report.tagger_model_version})")
    for tag, status in sorted(tag_statuses(con, report.tagger_model_version).items()):
        out.print(f"  {tag}: {status}")


@validate_app.command("settings")
def validate_settings(
    min_items: int = typer.Option(
        None, "--min-items", help="Decided items a tag needs before a verdict (default 100)."
    ),
    bar_figure: str = typer.Option(None, "--bar-figure", help="kappa | f1 | precision | recall (default kappa)."),
    bar: float = typer.Option(None, "--bar", help="Least lower 95 % bound of the bar figure, 0 to 1 (default 0.60)."),
    db: Path = DB_OPTION,
) -> None:
    """Show, or change, the study's bar for calling a tag validated.

    Example: dialogic validate settings --min-items 150 --bar-figure f1 --bar 0.7 --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.store.validation import write_settings
    from dialogic.validation.settings import read_settings

    try:
        con = connect(db_path(db))
        if min_items is None and bar_figure is None and bar is None:
            s = read_settings(con)
        else:
            s = write_settings(con, min_items_per_tag=min_items, bar_figure=bar_figure, bar_low=bar)
    except DialogicError as exc:
        fail(exc)
    out.print(
        f"validated: at least {s.min_items_per_tag} decided items per tag and the lower 95 % bound of "
        f"{s.bar_figure} >= {s.bar_low:.2f}, and κ's lower bound above 0"
    )


@validate_app.command("plan")
def validate_plan(
    half_width: float = typer.Option(0.1, "--half-width", help="Wanted 95 % half-width of precision and recall."),
    icc_half_width: float = typer.Option(0.15, "--icc-half-width", help="Wanted 95 % half-width of the ICC."),
    raters: int = typer.Option(2, "--raters", help="Raters scoring each whole meeting."),
    icc: float = typer.Option(None, "--icc", help="Planning value of the ICC (default: the raters' ICC seen so far)."),
    tagger: str = typer.Option(None, "--tagger", help="Tagger version (default: the one that tagged most)."),
    db: Path = DB_OPTION,
) -> None:
    """Before rating: the `validate sample --n` that gives a chosen half-width of precision and recall for each
    tag (simulating the report on the sampler's own design, at the figures seen so far), and whole meetings for a
    chosen ICC interval.

    Example: dialogic validate plan --half-width 0.1 --icc-half-width 0.15 --db study.duckdb
    """
    from dialogic.db import connect
    from dialogic.validation.plan import plan_validation

    if not 0 < half_width < 1 or not 0 < icc_half_width < 1 or raters < 2:
        fail("--half-width and --icc-half-width must be between 0 and 1, and --raters at least 2")
    try:
        con = connect(db_path(db))
        tags, meetings = plan_validation(
            con, half_width=half_width, icc_half_width=icc_half_width, raters=raters, icc_planning=icc, tagger=tagger
        )
    except DialogicError as exc:
        fail(exc)
    table = Table(
        title=f"validate sample --n for a 95 % half-width of {half_width:.2f} (precision and recall, median of simulated samples)"
    )
    for column in (
        "tag",
        "tagged / utterances",
        "prevalence seen",
        "planned at: precision, missed rate",
        "--n",
        "half-widths at --n",
        "note",
    ):
        table.add_column(column)
    for p in tags:
        table.add_row(
            p.tag,
            f"{p.tagged} / {p.population}",
            "—" if p.prevalence_seen is None else f"{p.prevalence_seen:.3f}",
            f"{p.precision_planned:.2f}, {p.missed_rate_planned:.3f}",
            "—" if p.n is None else str(p.n),
            "—" if p.n is None else f"{p.precision_half_width:.3f}, {p.recall_half_width:.3f}",
            p.note,
        )
    out.print(table)
    planned = [p.n for p in tags if p.n is not None]
    if planned:
        out.print(f"dialogic validate sample --n {max(planned)} gives every tag its half-width (by this plan)")
    out.print(
        f"whole meetings for an ICC half-width of {icc_half_width:.2f} with {meetings.raters} raters: "
        f"{meetings.meetings} (ICC {meetings.icc_planning_value:.2f}; {meetings.note})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(validate_app, name="validate")
