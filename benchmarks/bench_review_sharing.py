"""How the review app shares the database with other processes, measured in one run.

The app opens the DuckDB file only while a request uses it (see `ReviewStore`), so other
processes can read and write between requests. This prints, on the same database:

- the app's request latency (median and 95th percentile) for reading a queue page and for
  submitting a rating, with no one else on the file;
- an analyst's `dialogic sql`-style sandboxed query from another process: idle app vs. while
  raters keep submitting (how many of the analyst's queries got in, and their wall times);
- the same raters' latency while the analyst queries (their requests wait for the file).

    python benchmarks/bench_review_sharing.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from builders import build_review_db  # noqa: E402
from review_server import login, serve  # noqa: E402

from dialogic.review.app import create_app  # noqa: E402
from dialogic.review.ratings import TAGS  # noqa: E402

ANALYST = (
    "import sys, time\n"
    "from dialogic.queries import run_query\n"
    "end = time.monotonic() + float(sys.argv[2]); ok = failed = 0; walls = []\n"
    "while time.monotonic() < end:\n"
    "    t = time.monotonic()\n"
    "    try:\n"
    "        run_query(sys.argv[1], 'select count(*) from ratings'); ok += 1; walls.append(time.monotonic() - t)\n"
    "    except Exception:\n"
    "        failed += 1\n"
    "walls.sort(); print(ok, failed, walls[len(walls) // 2] if walls else -1)\n"
)


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def _raters(base_url, fixture, seconds: float, results: dict) -> None:
    client, csrf = login(base_url, "alice", fixture.passwords["alice"])
    items = fixture.utterances["m1"]
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        t = time.monotonic()
        client.get("/queue")
        results.setdefault("queue", []).append(time.monotonic() - t)
        t = time.monotonic()
        response = client.post(
            "/api/ratings",
            json={"utterance_id": items[n % len(items)], "answers": {tag: n % 2 == 0 for tag in TAGS}},
            headers={"x-csrf-token": csrf},
        )
        results.setdefault("rating", []).append(time.monotonic() - t)
        results.setdefault("status", []).append(response.status_code)
        n += 1
    client.close()


def _analyst(db: Path, seconds: float) -> tuple[int, int, float]:
    out = subprocess.run(
        [sys.executable, "-c", ANALYST, str(db), str(seconds)], capture_output=True, text=True, check=True
    )
    ok, failed, median = out.stdout.split()
    return int(ok), int(failed), float(median) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    fixture = build_review_db(Path(tempfile.mkdtemp(prefix="dialogic-share-")))
    app = create_app(fixture.db_path)
    print(f"machine: {platform.node()} ({os.cpu_count()} cores), load {os.getloadavg()[0]:.2f}")
    with serve(app) as base_url:
        alone: dict = {}
        _raters(base_url, fixture, args.seconds, alone)
        idle = _analyst(fixture.db_path, args.seconds)
        shared: dict = {}
        thread = threading.Thread(target=_raters, args=(base_url, fixture, args.seconds, shared))
        thread.start()
        busy = _analyst(fixture.db_path, args.seconds)
        thread.join()
    print(f"{'':44} {'median ms':>10} {'p95 ms':>8} {'count':>6}")
    for name, results in (("app alone", alone), ("app while an analyst queries", shared)):
        for kind in ("queue", "rating"):
            values = results[kind]
            print(f"{name + ': ' + kind:44} {_pct(values, 0.5):10.1f} {_pct(values, 0.95):8.1f} {len(values):6}")
    bad = [s for s in alone["status"] + shared["status"] if s != 200]
    print(f"rating requests that failed: {len(bad)}")
    print(f"analyst, app idle:        {idle[0]} queries ok, {idle[1]} refused, median {idle[2]:.1f} ms")
    print(f"analyst, raters busy:     {busy[0]} queries ok, {busy[1]} refused, median {busy[2]:.1f} ms")
    if idle[0]:
        print(f"analyst throughput while raters work / idle: {busy[0] / idle[0]:.2f}")


if __name__ == "__main__":
    main()
