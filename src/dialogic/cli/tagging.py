"""Commands for utterance tags: `dialogic train` and `dialogic tag`."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import typer

from dialogic.cli.common import counted_progress, fail
from dialogic.errors import DialogicError


def train(
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB file whose rater_labels view adds rater-confirmed labels to the train split."
    ),
    recipe: str = typer.Option("both", "--recipe", help="head, finetune or both (the better on dev is kept)."),
    name: str = typer.Option("dialogic-tagger", "--name", help="Artifact name; written to models/<name>-v<N>/."),
    version: int | None = typer.Option(None, "--version", help="Version number N (default: next free)."),
    corpus: list[Path] | None = typer.Option(
        None,
        "--corpus",
        help="Corpus JSONL, repeatable (default: every corpus file of data/seed/, see data/seed/DATA_CARD.md).",
    ),
    output_dir: Path | None = typer.Option(
        None, "--output-dir", help="Folder that receives <name>-v<N>/ (default models/)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing folder of the same version."),
    threads: int = typer.Option(2, "--threads", help="CPU threads for torch."),
    seed: int | None = typer.Option(
        None, "--seed", help="Random seed (default: the recipe's; another seed shows seed-to-seed spread)."
    ),
) -> None:
    """Train a tagger version from the seed corpus (+ rater labels) and write its model card.

    Example: dialogic train --db dialogic.duckdb --recipe both
    """
    from dialogic.db import connect
    from dialogic.tagging.corpus import corpus_fingerprint, load_rater_labels, load_training_corpus
    from dialogic.tagging.publish import write_artifact
    from dialogic.tagging.train import TrainOptions, train_tagger

    recipes = ("head", "finetune") if recipe == "both" else (recipe,)
    try:
        fingerprint = corpus_fingerprint(corpus or None)
        rows = load_training_corpus(corpus or None)
        if db is not None:
            con = connect(db, read_only=True)
            try:
                rated = load_rater_labels(con)
            finally:
                con.close()
            typer.echo(f"{len(rated)} rater-confirmed utterances from {db} added to the train split", err=True)
            rows += rated
        options = TrainOptions(name=name, version=version, recipes=recipes, threads=threads)
        if seed is not None:
            options = dataclasses.replace(options, seed=seed)
        started = time.perf_counter()
        last = {"step": None}

        def progress(step: str, completed: int, total: int) -> None:
            if step != last["step"] or completed == total or completed % 20 == 0:
                typer.echo(f"  {step}: {completed}/{total} ({time.perf_counter() - started:.0f} s)", err=True)
                last["step"] = step

        report = train_tagger(rows, options, progress=progress, corpus_files=fingerprint)
        target = write_artifact(report, options, output_dir, overwrite=overwrite)
    except DialogicError as exc:
        fail(exc)
    for name_, result in report.results.items():
        kept = " (kept)" if name_ == report.chosen else ""
        per_tag = ", ".join(f"{t} {s.f1:.3f}" for t, s in result.test.per_tag.items())
        typer.echo(
            f"{name_}{kept}: dev macro-F1 {result.dev.macro_f1:.3f}, test macro-F1 {result.test.macro_f1:.3f} "
            f"[{per_tag}], test ECE {result.test.ece:.3f}, {result.train_s:.0f} s"
        )
    typer.echo(f"wrote {target} in {time.perf_counter() - started:.0f} s")


def tag(
    input: Path = typer.Argument(
        ...,
        help="A .txt file (one utterance per line, or 'Name: text' lines as transcript import reads them; "
        "a role word such as 'Peer:' gives the role) or .jsonl (text, optional id, speaker_role).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write JSON lines here instead of standard output."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Tagger name, <name>-v<N> or folder (default: newest dialogic-tagger)."
    ),
) -> None:
    """Tag utterances from a transcript that did not come from dialogic's audio pipeline.

    Prints one JSON object per input line, in order:
    {"id", "text", "probabilities": {tag: p}, "labels": [...], "candidates": [...]}: labels are the
    tags over threshold that count under the codebook's role rules (give speaker_role in .jsonl);
    candidates wait on a role (a peer self-disclosure by a speaker of unknown role).

    Example: dialogic tag notes.txt --output tags.jsonl
    """
    import torch

    from dialogic.tagging.tagger import load_tagger, read_tag_input, tag_inputs

    torch.set_num_threads(2)
    try:
        items = read_tag_input(input)
        typer.echo(f"loading the tagger to tag {len(items)} utterances of {input}", err=True)
        tagger = load_tagger(model)
        with counted_progress(f"utterances tagged with {tagger.model_version}") as progress:
            records = tag_inputs(tagger, items, progress=progress)
    except DialogicError as exc:
        fail(exc)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if output is None:
        sys.stdout.write(lines)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(lines, encoding="utf-8")
        typer.echo(
            f"tagged {len(records)} utterances into {output} with {tagger.model_version} ({tagger.precision})", err=True
        )


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("tag")(tag)
