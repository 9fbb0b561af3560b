"""Ten raters submitting at the same moment through the HTTP API lose no answer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from builders import build_review_db
from review_server import login, serve

from dialogic.db import connect
from dialogic.review.app import create_app
from dialogic.review.auth import add_rater
from dialogic.review.ratings import TAGS

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
