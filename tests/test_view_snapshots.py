"""Every view and fact table, on every fixture database, returns what it returned when the
snapshot was taken (tests/snapshots/views.json). A refactor of the SQL must leave this passing;
a change meant to alter a view's output regenerates the snapshot on purpose:

    .venv/bin/python tests/test_view_snapshots.py   # rewrites tests/snapshots/views.json
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from builders import build_fixture_db, build_review_db, build_two_utterance_db, insert, refresh  # noqa: E402

SNAPSHOT = Path(__file__).parent / "snapshots" / "views.json"
# Columns that hold the wall-clock time of the fixture's own writes, not derived values.
VOLATILE = {
    "created_at",
    "activated_at",
    "expires_at",
    "mapped_at",
    "processed_at",
    "computed_at",
    "edited_at",
    "last_edited_at",
    "replayed_at",
    "last_replayed_at",
}


def _value(v):
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 9)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    return v if isinstance(v, (str, int, bool, type(None))) else str(v)


def _relation(con: duckdb.DuckDBPyConnection, query: str) -> list:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    rows = [{n: _value(v) for n, v in zip(names, row) if n not in VOLATILE} for row in cursor.fetchall()]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def relations(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    views = [
        r[0]
        for r in con.execute(
            "select view_name from duckdb_views() where not internal and schema_name = 'main' order by 1"
        ).fetchall()
    ]
    facts = [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where table_name like '%_facts' order by 1"
        ).fetchall()
    ]
    out = {name: _relation(con, f'select * from "{name}"') for name in views + facts}
    for window_s in (30, 120):
        out[f"voice_share_window_at({window_s})"] = _relation(con, f"select * from voice_share_window_at({window_s})")
    return out


def _ratings(fixture) -> None:
    """Deterministic answers from three raters, so the agreement views have rows."""
    from dialogic.db import connect

    con = connect(fixture.db_path)
    refresh(con, "m1", "m2")
    texts = dict(con.execute("select utterance_id, text from utterances").fetchall())
    rows = []
    for n, utterance_id in enumerate(fixture.utterances["m1"]):
        for k, tag in enumerate(("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")):
            for r, rater in enumerate(("alice", "bob", "carol")):
                rows.append(
                    {
                        "rater_id": rater,
                        "utterance_id": utterance_id,
                        "meeting_id": "m1",
                        "tag": tag,
                        "value": (n + k + (r * n) % 3) % 2 == 0,
                        "note": None,
                        "utterance_text": texts[utterance_id],
                        "created_at": dt.datetime(2024, 1, 1, 9, 0, n),
                    }
                )
    insert(con, "ratings", *rows)
    con.close()


def snapshot(tmp: Path) -> dict[str, dict[str, list]]:
    fixture_con = build_fixture_db(tmp / "fixture.duckdb")
    two = duckdb.connect(str(build_two_utterance_db(tmp / "two.duckdb")), read_only=True)
    review = build_review_db(tmp / "review")
    _ratings(review)
    review_con = duckdb.connect(str(review.db_path), read_only=True)
    try:
        return {"fixture": relations(fixture_con), "two_utterances": relations(two), "review": relations(review_con)}
    finally:
        for con in (fixture_con, two, review_con):
            con.close()


def test_every_view_returns_the_snapshot(tmp_path):
    expected = json.loads(SNAPSHOT.read_text())
    got = snapshot(tmp_path)
    assert sorted(got) == sorted(expected)
    for db in expected:
        assert sorted(got[db]) == sorted(expected[db]), db
        for name in expected[db]:
            assert got[db][name] == expected[db][name], f"{db}: {name} differs from the snapshot"
    # The snapshot holds rows, or this test would pass on empty views.
    assert all(expected["fixture"][v] for v in ("voice_share_role", "balance", "sdm_option5_proxy", "interruptions"))
    assert all(expected["review"][v] for v in ("agreement_rater_pairs", "agreement_model_rater", "rater_labels"))


if __name__ == "__main__":
    import tempfile

    import dialogic  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(snapshot(Path(tmp)), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SNAPSHOT}")
