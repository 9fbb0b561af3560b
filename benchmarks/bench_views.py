"""Time every analytics view on a (synthetic) dialogic database and print one table.

Each view is fully materialised (``create temp table ... as select * from <view>``), so every
column is computed; the best of ``--repeat`` runs is reported against the target of 1 s per view.
Make the database first with benchmarks/synth_db.py.

    python benchmarks/bench_views.py --db /tmp/dialogic_synth.duckdb --threads 2
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

TARGET_S = 1.0


@dataclass
class ViewTiming:
    view: str
    row_count: int | None
    best_s: float | None
    error: str | None = None


def list_benchmarked_views(con: duckdb.DuckDBPyConnection, prefix: str | None = None) -> list[str]:
    """Views of the main schema in dependency-free name order, optionally only those starting with prefix."""
    rows = con.execute(
        "select view_name from duckdb_views() where not internal and schema_name = 'main' order by view_name"
    ).fetchall()
    return [name for (name,) in rows if prefix is None or name.startswith(prefix)]


def time_view(con: duckdb.DuckDBPyConnection, view: str, repeat: int) -> ViewTiming:
    """Materialise ``view`` ``repeat`` times into a temp table; keep the fastest run."""
    best = None
    rows = None
    try:
        for _ in range(repeat):
            con.execute("drop table if exists temp.bench_result")
            started = time.perf_counter()
            con.execute(f'create temp table bench_result as select * from "{view}"')
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        rows = con.execute("select count(*) from temp.bench_result").fetchone()[0]
    except duckdb.Error as exc:
        return ViewTiming(view, None, None, str(exc).splitlines()[0])
    finally:
        con.execute("drop table if exists temp.bench_result")
    return ViewTiming(view, rows, best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dialogic_synth.duckdb"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per view; the best is shown")
    parser.add_argument("--only", help="time only views whose name starts with this")
    args = parser.parse_args()

    con = duckdb.connect(str(args.db), read_only=True)
    con.execute(f"set threads = {args.threads}")
    size = con.execute(
        "select (select count(*) from meetings), (select count(*) from utterances), (select count(*) from tags)"
    ).fetchone()
    print(f"{args.db}: {size[0]:,} meetings, {size[1]:,} utterances, {size[2]:,} tags; "
          f"threads={args.threads}, best of {args.repeat}, target <= {TARGET_S:.1f} s per view")
    print(f"{'view':<30} {'rows':>12} {'seconds':>9}  target")
    timings = []
    for view in list_benchmarked_views(con, args.only):
        timing = time_view(con, view, args.repeat)
        timings.append(timing)
        if timing.error:
            print(f"{view:<30} {'-':>12} {'-':>9}  error: {timing.error}")
        else:
            verdict = "ok" if timing.best_s <= TARGET_S else "MISSED"
            print(f"{view:<30} {timing.row_count:>12,} {timing.best_s:>9.2f}  {verdict}")
    measured = [t for t in timings if t.best_s is not None]
    missed = [t.view for t in measured if t.best_s > TARGET_S]
    print(f"{len(measured) - len(missed)}/{len(measured)} views within {TARGET_S:.1f} s"
          + (f"; missed: {', '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
