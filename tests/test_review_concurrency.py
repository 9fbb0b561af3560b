"""Ten raters submitting at the same moment through the HTTP API lose no answer."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from builders import build_review_db
from review_server import login, serve

from dialogic.db import connect
from dialogic.review.app import create_app
from dialogic.review.ratings import TAGS
from dialogic.store.raters import add_rater

N_RATERS = 10
ITEMS_PER_RATER = 6


def test_ten_raters_submitting_at_once_lose_nothing(tmp_path):
    fixture = build_review_db(tmp_path)
    con = connect(fixture.db_path)
    raters = [f"rater{i:02d}" for i in range(N_RATERS)]
    for name in raters:
        add_rater(con, name, f"{name}-password")
    con.close()
    items = fixture.utterances["m1"][:ITEMS_PER_RATER]
    app = create_app(fixture.db_path)
    start_together = threading.Barrier(N_RATERS)

    def rate(index: int) -> list[int]:
        name = raters[index]
        client, csrf = login(base_url, name, f"{name}-password")
        start_together.wait()
        statuses = []
        for n, utterance_id in enumerate(items):
            answers = {tag: (index + n + t) % 2 == 0 for t, tag in enumerate(TAGS)}
            if n % 2:  # half through the JSON API, half through the item form
                response = client.post(
                    "/api/ratings",
                    json={"utterance_id": utterance_id, "answers": answers, "note": f"{name} {n}"},
                    headers={"x-csrf-token": csrf},
                )
            else:
                form = {f"answer_{tag}": "yes" if v else "no" for tag, v in answers.items()}
                response = client.post(f"/item/{utterance_id}", data=form | {"csrf_token": csrf, "note": f"{name} {n}"})
            statuses.append(response.status_code)
        client.close()
        return statuses

    with serve(app) as base_url:
        with ThreadPoolExecutor(max_workers=N_RATERS) as pool:
            results = list(pool.map(rate, range(N_RATERS)))
        with app.state.store.reading() as cur:
            per_rater = dict(cur.execute("select rater_id, count(*) from ratings group by rater_id").fetchall())
            notes = cur.execute("select count(distinct note) from ratings").fetchone()[0]
            current = cur.execute("select count(*) from rating_current").fetchone()[0]
            wrong = cur.execute(
                """
                select count(*) from rating_current
                where value <> ((cast(substr(rater_id, 6) as integer)
                                 + cast(split_part(note, ' ', 2) as integer)
                                 + list_position(?, tag) - 1) % 2 = 0)
                """,
                [list(TAGS)],
            ).fetchone()[0]
    assert all(status in (200, 303) for statuses in results for status in statuses), results
    assert per_rater == {name: ITEMS_PER_RATER * len(TAGS) for name in raters}
    assert notes == N_RATERS * ITEMS_PER_RATER
    assert current == N_RATERS * ITEMS_PER_RATER * len(TAGS)
    assert wrong == 0  # every stored answer is the one that rater sent


def _in_another_process(code: str, db) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )


def test_other_processes_read_and_write_the_database_while_the_app_runs(tmp_path):
    fixture = build_review_db(tmp_path)
    app = create_app(fixture.db_path)
    utterance_id = fixture.utterances["m1"][0]
    with serve(app) as base_url:
        client, csrf = login(base_url, "alice", fixture.passwords["alice"])
        assert client.get("/queue").status_code == 200
        # A plain DuckDB reader, the analyst's sandboxed `dialogic sql`, and a writer, each in its
        # own process, while the app is up and between its requests.
        reader = _in_another_process(
            "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(c.execute('select count(*) from ratings').fetchone()[0])",
            fixture.db_path,
        )
        assert reader.returncode == 0, reader.stderr
        analyst = _in_another_process(
            "import sys; from dialogic.queries import run_query; "
            "print(run_query(sys.argv[1], 'select count(*) as n from utterances').item())",
            fixture.db_path,
        )
        assert analyst.returncode == 0, analyst.stderr
        assert int(analyst.stdout) == len(fixture.utterances["m1"]) + len(fixture.utterances["m2"])
        writer = _in_another_process(
            "import sys; from dialogic.db import connect; c = connect(sys.argv[1]); "
            "c.execute(\"update meetings set site = 'east' where meeting_id = 'm1'\"); c.close()",
            fixture.db_path,
        )
        assert writer.returncode == 0, writer.stderr
        # A writer holding the file for a second: the rater's answer waits for it, then lands.
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                "time.sleep(1.5); c.close()",
                str(fixture.db_path),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout.readline().strip() == "held"
        answers = {tag: True for tag in TAGS}
        response = client.post(
            "/api/ratings",
            json={"utterance_id": utterance_id, "answers": answers, "note": "after the wait"},
            headers={"x-csrf-token": csrf},
        )
        holder.wait(timeout=30)
        assert response.status_code == 200, response.text
        with app.state.store.reading() as cur:
            assert cur.execute("select site from meetings where meeting_id = 'm1'").fetchone() == ("east",)
            assert cur.execute("select count(*) from ratings where note = 'after the wait'").fetchone()[0] == len(TAGS)
        client.close()
