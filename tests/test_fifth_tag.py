"""Tags are data (#24): a fifth tag, added to a project's codebook and carried by a tagger artifact
that predicts it, reaches the store, every view, the meeting report, the exports and the
validation report with no code change, while the shipped taggers (four tags) still load.

The project is temporary: its codebook is the shipped codebook.toml plus one [[tag]] entry,
named by ``DIALOGIC_CODEBOOK``, and its tagger is built here from the shipped v3 artifact: the same
fine-tuned encoder, and v3's head with a fifth output row (a copy of the persuasion row, so the
new tag's probability is a real model output). The codebook is read once per process, so the
project runs in a child process, as a user's `dialogic` would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from dialogic.paths import models_dir
from dialogic.tagging.codebook import TAGS, codebook_tags_path
from dialogic.weights import sha256_file

pytestmark = pytest.mark.models

NEW = "shared_reflection"
TITLE = "shared reflection"
SHIPPED = models_dir() / "dialogic-tagger-v3"


def build_project(root: Path) -> tuple[Path, Path]:
    """The project's codebook (shipped tags + NEW) and a five-tag artifact; returns their paths."""
    codebook = root / "codebook.toml"
    codebook.write_text(
        codebook_tags_path().read_text()
        + f'\n[[tag]]\nname = "{NEW}"\ntitle = "{TITLE}"\n'
        + 'definition = """The speaker reflects aloud on what others said, in front of them."""\n'
    )
    artifact = root / "models" / "fifth-tagger-v1"
    artifact.mkdir(parents=True)
    shutil.copy(SHIPPED / "encoder.safetensors", artifact / "encoder.safetensors")
    head = load_file(str(SHIPPED / "head.safetensors"))
    row = TAGS.index("persuasion")
    head["net.4.weight"] = torch.cat([head["net.4.weight"], head["net.4.weight"][row : row + 1]])
    head["net.4.bias"] = torch.cat([head["net.4.bias"], head["net.4.bias"][row : row + 1]])
    save_file(head, str(artifact / "head.safetensors"))
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    manifest.update(name="fifth-tagger", version=1, model_version="fifth-tagger-v1", default=False)
    manifest["tags"] = [*manifest["tags"], NEW]
    manifest["calibration"][NEW] = manifest["calibration"]["persuasion"]
    manifest["thresholds"][NEW] = 0.0  # every utterance carries it: the tag must show everywhere
    manifest["files"] = {name: sha256_file(artifact / name) for name in ("encoder.safetensors", "head.safetensors")}
    (artifact / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return codebook, artifact


# Runs in the project: everything below is the shipped code, reading the project's codebook.
PROJECT = textwrap.dedent(
    """
    import json, re, sys
    from pathlib import Path

    from builders import insert, participant, utterance

    from dialogic.db import connect
    from dialogic.errors import ModelError
    from dialogic.export import export_meeting
    from dialogic.paths import models_dir
    from dialogic.report.meeting_data import load_meeting
    from dialogic.report.render import render_meeting_html
    from dialogic.store.ratings import record_answers
    from dialogic.tagging.codebook import TAGS, TAG_TITLES
    from dialogic.store.tags import tag_meeting
    from dialogic.tagging.tagger import load_tagger_from
    from dialogic.store.validation import store_estimates
    from dialogic.validation.report import render_html, validation_report
    from dialogic.validation.queue import validation_queue
    from dialogic.validation.sample import draw_sample

    new, artifact, db = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out = {"tags": list(TAGS), "title": TAG_TITLES[new]}

    # the shipped taggers still load, each with its own four tags, and still tag
    out["shipped"] = {}
    for v in (1, 2, 3):
        shipped = load_tagger_from(models_dir() / f"dialogic-tagger-v{v}")
        out["shipped"][v] = [list(shipped.tags), sorted(shipped.predict(["We could wait, or lower the dose."])[0])]
    # scored against the codebook's label matrix, a four-tag tagger says what it lacks
    try:
        shipped.codebook_array(["We could wait."])
        out["shipped_scored"] = "no error"
    except ModelError as exc:
        out["shipped_scored"] = str(exc)
    tagger = load_tagger_from(artifact)
    out["artifact_tags"] = list(tagger.tags)
    out["artifact_scored"] = list(tagger.codebook_array(["We could wait."]).shape)

    con = connect(db)
    con.execute(
        "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) "
        "values ('m', 'm.wav', 'given', ['analyse', 'review'])"
    )
    insert(con, "participants", participant("m", "c1", "clinician"), participant("m", "s1", "service_user"))
    for label, person in (("S0", "c1"), ("S1", "s1")):
        con.execute(
            "insert into speakers (meeting_id, speaker_label, participant_id, speech_s) values ('m', ?, ?, 10)",
            [label, person],
        )
    texts = [
        "We could try the day centre, or wait a month and see.",
        "I don't want to go back on the tablets.",
        "What would you want to be different by the summer?",
        "I hear you saying the tablets made you feel flat.",
    ]
    for i, text in enumerate(texts):
        insert(con, "utterances", utterance("m", i, f"S{i % 2}", 5.0 * i, 5.0 * i + 4.0, text))
    tag_meeting(con, "m", tagger)

    # the store and every view that has a tag column, and the wide view's generated columns
    out["stored"] = con.execute("select count(*) from tags where tag = ?", [new]).fetchone()[0]
    views = [r[0] for r in con.execute(
        "select distinct c.table_name from duckdb_columns() c join duckdb_views() v on v.view_name = c.table_name "
        "where not v.internal and c.column_name = 'tag'"
    ).fetchall()]

    # a validation sample rated by two raters, so the validation and rater views have rows too
    draw_sample(con, 4, seed=0)
    for rater in ("alice", "bob"):
        for item in validation_queue(con, rater):
            record_answers(con, rater, item.utterance_id, {t: t == new for t in TAGS}, None, queue="validation")
    columns = [r[0] for r in con.execute("describe utterances_tagged").fetchall()]
    out["wide_columns"] = [c for c in columns if c.startswith(new)]
    out["wide_labels"] = con.execute(f"select count(*) from utterances_tagged where {new}_label").fetchone()[0]
    out["sdm_tags"] = con.execute(
        "select hit_count, validation_status from sdm_tags where meeting_id = 'm' and tag = ?", [new]
    ).fetchone()

    # the meeting report: the tag's row in the tag counts, its status, its title
    html = render_meeting_html(load_meeting(con, "m"), audio_url=None, audio_found=False)
    out["report_rows"] = len(re.findall(f'<tr data-tag="{new}">', html))
    out["report_title"] = html.count(out["title"])

    # the exports
    out["csv_header"] = [c for c in export_meeting(con, "m", "csv").splitlines()[0].split(",") if c.startswith(new)]
    data = json.loads(export_meeting(con, "m", "json"))
    out["json_tags"] = sum(t["tag"] == new for u in data["utterances"] for t in u["tags"])
    out["eaf_tier"] = f'TIER_ID="tag:{new}"' in export_meeting(con, "m", "eaf")

    # the validation report
    report = validation_report(con, n_resamples=200)
    figures = next(t for t in report.tags if t.tag == new)
    out["validation"] = [figures.decided, figures.model_vs_consensus["prevalence"].value]
    out["validation_html"] = out["title"] in render_html(report) or new in render_html(report)
    store_estimates(con, report)  # recorded, so validation_figures has rows too
    out["views"] = {
        v: con.execute(f'select count(*) filter (where tag = ?), count(*) from "{v}"', [new]).fetchone() for v in views
    }
    con.close()
    print(json.dumps(out))
    """
)


def test_a_fifth_tag_reaches_the_store_views_report_exports_and_validation(tmp_path):
    codebook, artifact = build_project(tmp_path)
    env = {
        **os.environ,
        "DIALOGIC_CODEBOOK": str(codebook),
        "DIALOGIC_TAGGER_PRECISION": "fp32",
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]),
    }
    run = subprocess.run(
        [sys.executable, "-c", PROJECT, NEW, str(artifact), str(tmp_path / "project.duckdb")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.splitlines()[-1])

    assert out["tags"] == [*TAGS, NEW] and out["title"] == TITLE
    for v in ("1", "2", "3"):
        assert out["shipped"][v] == [list(TAGS), sorted(TAGS)]  # four tags, as trained; no fifth
    assert out["artifact_tags"] == [*TAGS, NEW] and out["artifact_scored"] == [1, 5]
    assert f"not the codebook's ['{NEW}']" in out["shipped_scored"]
    assert out["stored"] == 4
    # every view with a tag column lists the new tag wherever it lists any tag
    assert {"stg_tag_hits", "sdm_tags", "sdm_tag_roles", "tag_validation_status", "validation_figures"} <= set(
        out["views"]
    )
    assert [v for v, (with_new, total) in out["views"].items() if not with_new] == []
    assert out["wide_columns"] == [f"{NEW}_p", f"{NEW}_label"] and out["wide_labels"] == 4
    assert out["sdm_tags"][0] == 4 and out["sdm_tags"][1].startswith("validation in progress")
    assert out["report_rows"] >= 2 and out["report_title"] >= 2  # tag counts and validation lists
    assert out["csv_header"] == [f"{NEW}_p", f"{NEW}_label", f"{NEW}_raters"]
    assert out["json_tags"] == 4 and out["eaf_tier"]
    assert out["validation"] == [4, 1.0] and out["validation_html"]
