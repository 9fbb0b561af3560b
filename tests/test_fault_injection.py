"""kill -9 at random moments of process, speakers map, tag and consent withdraw, then run again:
the database always opens, holds no duplicate and no half-stored meeting, every stored meeting
has its run record and fresh facts, and a final run brings every meeting in.

22 kills in all (seeded, so a failure can be replayed); a few minutes on 2 cores.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dialogic.db import list_migrations
from dialogic.paths import sql_dir

pytestmark = pytest.mark.models  # the real pipeline is killed mid-run

MEETINGS = ("alpha", "beta", "gamma")
DIALOGIC = [sys.executable, "-c", "from dialogic.cli import app; app(prog_name='dialogic')"]
TAG = [
    sys.executable,
    "-c",
    "import sys; from dialogic.db import connect; from dialogic.store.tags import tag_meeting; "
    "from dialogic.tagging.tagger import load_tagger; tag_meeting(connect(sys.argv[1]), sys.argv[2], load_tagger())",
]


def _manifest(folder: Path, sample: Path) -> Path:
    entries = ""
    for meeting in MEETINGS:
        shutil.copyfile(sample, folder / f"{meeting}.wav")
        entries += f"""
  - id: {meeting}
    audio: {meeting}.wav
    consent: {{status: given, scope: [transcribe, analyse, review], reference: test}}
    participants: [{{id: p1, role: service_user}}, {{id: p2, role: peer}}]"""
    path = folder / "manifest.yaml"
    path.write_text("meetings:" + entries + "\n")
    return path


def _run_and_kill(command: list[str], after_s: float) -> None:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=after_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the process and anything it started
        process.wait()


def _check(db: Path, when: str) -> None:
    with duckdb.connect(str(db)) as raw:  # opens, replaying the WAL of what was committed
        tables = {t for (t,) in raw.execute("select table_name from duckdb_tables()").fetchall()}
        applied = (
            raw.execute("select count(*) from schema_migrations").fetchone()[0] if "schema_migrations" in tables else 0
        )
    if applied < len(list_migrations()):
        # Killed while the schema was being created: the next open must finish it.
        from dialogic.db import connect

        connect(db).close()
    con = duckdb.connect(str(db))
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert q("select utterance_id from utterances group by 1 having count(*) > 1") == [], when
        assert q("select meeting_id, word_index from words group by 1, 2 having count(*) > 1") == [], when
        assert q("select utterance_id, tag, model_version from tags group by all having count(*) > 1") == [], when
        stored = q("select meeting_id, processing_key from meetings where processing_key is not null")
        for meeting_id, key in stored:
            (n_utterances,) = con.execute(
                "select count(*) from utterances where meeting_id = ?", [meeting_id]
            ).fetchone()
            (n_words,) = con.execute("select count(*) from words where meeting_id = ?", [meeting_id]).fetchone()
            assert n_utterances > 0 and n_words > 0, f"{when}: {meeting_id} half stored"
            runs = con.execute(
                "select count(*) from pipeline_runs where meeting_id = ? and processing_key = ? "
                "and status in ('processed', 'failed')",
                [meeting_id, key],
            ).fetchone()[0]
            assert runs >= 1, f"{when}: {meeting_id} stored without its run record"
        orphans = q("select count(*) from words where meeting_id not in (select meeting_id from meetings)")
        assert orphans == [(0,)], when
        for check in sorted((sql_dir() / "tests").glob("assert_*_fresh.sql")):
            assert con.execute(check.read_text()).fetchall() == [], f"{when}: {check.name}"
    finally:
        con.close()


def test_kill_9_anywhere_loses_and_duplicates_nothing(tmp_path, sample_workdir):
    rng = random.Random(20261201)
    manifest = _manifest(tmp_path, sample_workdir / "sample.wav")
    db = tmp_path / "f.duckdb"
    process = [*DIALOGIC, "process", str(manifest), "--db", str(db)]
    kills = 0
    # 10 kills of `dialogic process` anywhere from start-up to the end of a meeting
    for _ in range(10):
        _run_and_kill(process, rng.uniform(2.0, 25.0))
        kills += 1
        if db.exists():
            _check(db, f"after killing process (kill {kills})")
    subprocess.run(process, check=True, stdout=subprocess.DEVNULL, timeout=600)  # all stored now
    _check(db, "after a full run")
    # 4 kills each of speakers map, tagging and consent withdrawal
    for n in range(4):
        meeting = MEETINGS[n % 3]
        _run_and_kill([*DIALOGIC, "speakers", "map", meeting, "SPEAKER_00=p1", "--db", str(db)], rng.uniform(0.5, 6.0))
        _run_and_kill([*TAG, str(db), meeting], rng.uniform(1.0, 12.0))
        kills += 2
        _check(db, f"after killing map/tag (kill {kills})")
    for n in range(4):
        _run_and_kill(
            [*DIALOGIC, "consent", "withdraw", "gamma", "--participant", "p2", "--reference", "f-1", "--db", str(db)],
            rng.uniform(0.5, 6.0),
        )
        kills += 1
        _check(db, f"after killing withdrawal (kill {kills})")
    assert kills >= 20
    # a final run: every meeting present; a withdrawal left half done is finished by running it again
    final = subprocess.run(process, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stdout + final.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(
        r[0] for r in con.execute("select meeting_id from meetings where processing_key is not null").fetchall()
    ) == sorted(MEETINGS)
    con.close()
    _check(db, "after the final run")
