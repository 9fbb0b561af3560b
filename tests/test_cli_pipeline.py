"""The CLI, through typer's runner: every command documented, and the pipeline commands end to end."""

import json
import shutil

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from dialogic.cli import app

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`

runner = CliRunner()


def all_commands(typer_app: typer.Typer, prefix=()):
    for info in typer_app.registered_commands:
        yield prefix + (info.name or info.callback.__name__.replace("_", "-"),), info.callback
    for group in typer_app.registered_groups:
        if group.typer_instance.registered_callback and group.typer_instance.registered_callback.callback:
            yield prefix + (group.name,), group.typer_instance.registered_callback.callback
        yield from all_commands(group.typer_instance, prefix + (group.name,))


def test_every_command_has_help_with_an_example():
    commands = list(all_commands(app))
    assert len(commands) >= 12
    for name, callback in commands:
        assert callback.__doc__ and "Example:" in callback.__doc__, (
            f"`dialogic {' '.join(name)}` needs an example in its help"
        )
        result = runner.invoke(app, [*name, "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_process_export_and_map_from_the_command_line(processed_sample, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(processed_sample[0], db)
    manifest = processed_sample[0].parent / "manifest.yaml"
    result = runner.invoke(app, ["process", str(manifest), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output and "0 failed" in result.output

    result = runner.invoke(app, ["speakers", "map", "sample", "SPEAKER_00=p1", "SPEAKER_01=p2", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "service_user" in result.output and "peer" in result.output

    result = runner.invoke(app, ["export", "sample", "--format", "json", "--db", str(db)])
    assert result.exit_code == 0
    roles = {u["role"] for u in json.loads(result.stdout)["utterances"]}
    assert roles <= {"service_user", "peer"} and roles

    out = tmp_path / "sample.rttm"
    result = runner.invoke(app, ["export", "sample", "--format", "rttm", "--output", str(out), "--db", str(db)])
    assert result.exit_code == 0 and out.read_text().startswith("SPEAKER sample 1 ")


def test_process_tags_a_stored_meeting_with_the_tagger_named(processed_sample, tmp_path):
    # The held-back, role-blind v5 is chosen by version: the stored meeting is not computed again,
    # only tagged, and its views read v5 from then on; v3's rows are kept for comparison.
    db = tmp_path / "tagger.duckdb"
    shutil.copyfile(processed_sample[0], db)
    manifest = processed_sample[0].parent / "manifest.yaml"
    result = runner.invoke(app, ["process", str(manifest), "--db", str(db), "--tagger", "dialogic-tagger-v5"])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output and "0 failed" in result.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        versions = con.execute("select model_version, count(*) from tags group by all order by all").fetchall()
        current = con.execute("select model_version from stg_current_tagger").fetchall()
        utterances = con.execute("select count(*) from utterances").fetchone()[0]
    finally:
        con.close()
    assert [v for v, _ in versions] == ["dialogic-tagger-v3", "dialogic-tagger-v5"]
    assert dict(versions)["dialogic-tagger-v5"] == 4 * utterances
    assert current == [("dialogic-tagger-v5",)]

    # A change re-tags with the current version only (an utterance loses its v3 rows); a plain
    # re-run must not tag it with v3 again, which would make v3 current and switch the views back.
    con = duckdb.connect(str(db))
    con.execute("delete from tags where model_version = 'dialogic-tagger-v3' and utterance_id like '%u00000'")
    con.close()
    result = runner.invoke(app, ["process", str(manifest), "--db", str(db)])
    assert result.exit_code == 0 and "unchanged" in result.output, result.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select model_version from stg_current_tagger").fetchall() == [("dialogic-tagger-v5",)]
        assert con.execute("select count(*) from tags where utterance_id like '%u00000'").fetchone() == (4,)
    finally:
        con.close()


@pytest.mark.parametrize(
    "args, message",
    [
        (["speakers", "map", "sample", "SPEAKER_09=p1"], "no speaker 'SPEAKER_09'"),
        (["speakers", "map", "sample", "SPEAKER_00=p7"], "no participant 'p7'"),
        (["speakers", "map", "sample", "SPEAKER_00"], "expected SPEAKER=PARTICIPANT"),
        (["export", "nope"], "no meeting 'nope'"),
        (["process", "MANIFEST", "--tagger", "no-such-tagger-v9"], "no tagger model 'no-such-tagger-v9'"),
    ],
)
def test_user_errors_are_one_clear_line(processed_sample, tmp_path, args, message):
    db = tmp_path / "err.duckdb"
    shutil.copyfile(processed_sample[0], db)
    manifest = str(processed_sample[0].parent / "manifest.yaml")
    result = runner.invoke(app, [manifest if a == "MANIFEST" else a for a in args] + ["--db", str(db)])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output  # one line, no traceback


def test_process_reports_a_broken_manifest(tmp_path):
    (tmp_path / "m.yaml").write_text("meetings: [")
    result = runner.invoke(app, ["process", str(tmp_path / "m.yaml"), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1 and "m.yaml: not valid YAML" in result.output


def test_models_command_lists_present_weights():
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0
    for name in (
        "faster-whisper-base",
        "faster-whisper-tiny.en",
        "pyannote-segmentation-3.0",
        "campplus-zh-en-common",
        "all-minilm-l6-v2",
    ):
        assert name[:10] in result.output
    assert "missing" not in result.output


def test_process_on_a_dask_worker_from_the_command_line(processed_sample, tmp_path):
    """The --dask-workers path end to end, without waiting on a model: the stored sample is
    recognised by the writer as unchanged, and a file that is not audio goes to the worker process
    and fails there, at decode, without stopping the batch."""
    db = tmp_path / "dask.duckdb"
    shutil.copyfile(processed_sample[0], db)
    shutil.copyfile(processed_sample[0].parent / "sample.wav", tmp_path / "sample.wav")
    (tmp_path / "bad.wav").write_bytes(b"not audio at all" * 100)
    (tmp_path / "m.yaml").write_text(
        (processed_sample[0].parent / "manifest.yaml").read_text()
        + """  - id: bad
    audio: bad.wav
    consent: {status: given, scope: [transcribe], reference: test}
    participants: [{id: p1, role: service_user}]
"""
    )
    result = runner.invoke(app, ["process", str(tmp_path / "m.yaml"), "--db", str(db), "--dask-workers", "1"])
    assert result.exit_code == 2, result.output
    assert "1 local Dask worker" in result.output
    assert "0 processed, 1 unchanged, 0 skipped, 1 failed" in result.output
    assert "decode:" in result.output and "bad.wav" in result.output
    assert not (tmp_path / "dask.duckdb.staging").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dask-workers", "0"], "--dask-workers must be at least 1"),
        (["--dask-workers", "2", "--dask-address", "tcp://127.0.0.1:1"], "not both"),
        (["--staging-dir", "s"], "--staging-dir is for a Dask batch"),
        (["--dask-workers", "2", "--device", "cuda"], "would put every worker on the first GPU"),
        (["--dask-address", "tcp://127.0.0.1:1"], "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
    ],
)
def test_dask_options_are_checked(sample_workdir, tmp_path, args, message):
    manifest = sample_workdir / "manifest.yaml"
    result = runner.invoke(app, ["process", str(manifest), "--db", str(tmp_path / "x.duckdb"), *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
