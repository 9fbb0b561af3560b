"""Time every analytics view on a (synthetic) dialogic database and print one table.

Each view is fully materialised (``create temp table ... as select * from <view>``), so every
column is computed, and queried for one meeting (``... where meeting_id = ?``, what an analyst
drilling down does); the best of ``--repeat`` runs is reported against the target of 1 s per view.

Views with one row per utterance, per utterance × tag or per speaking turn return 10, 40 and
5 million rows on the benchmark database: writing that many rows anywhere costs seconds however
they are computed, so the table also times copying the ``utterances`` table itself, the floor for
those views, and judges them on the one-meeting query. The load average is printed before and
after: the machine is shared, so compare figures taken at similar load.

Make the database first with benchmarks/synth_db.py (it also fills the analytics facts).

    python benchmarks/bench_views.py --db /tmp/dialogic_synth.duckdb --threads 2
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

TARGET_S = 1.0
# One row per utterance, utterance × tag or speaking turn (millions of rows): judged on the
# one-meeting query (see module docstring).
ROW_LEVEL_VIEWS = frozenset(
    {
        "stg_utterances",
        "stg_utterance_turns",
        "utterances_tagged",
        "stg_current_tags",
        "rating_model_tags",
        "stg_speaking_turns",
    }
)
FLOOR = "(copy of table utterances)"


@dataclass
class ViewTiming:
    view: str
    row_count: int | None
    full_s: float | None
    one_meeting_s: float | None
    error: str | None = None

    @property
    def row_level(self) -> bool:
        return self.view in ROW_LEVEL_VIEWS

    @property
    def within_target(self) -> bool:
        judged = self.one_meeting_s if self.row_level else self.full_s
        return judged is not None and judged <= TARGET_S


def list_benchmarked_views(con: duckdb.DuckDBPyConnection, prefix: str | None = None) -> list[str]:
    """Views of the main schema in name order, optionally only those starting with prefix."""
    rows = con.execute(
        "select view_name from duckdb_views() where not internal and schema_name = 'main' order by view_name"
    ).fetchall()
    return [name for (name,) in rows if prefix is None or name.startswith(prefix)]


def _best_of(con: duckdb.DuckDBPyConnection, statement: str, repeat: int, parameters=None) -> float:
    best = None
    for _ in range(repeat):
        con.execute("drop table if exists temp.bench_result")
        started = time.perf_counter()
        con.execute(statement, parameters)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def time_view(con: duckdb.DuckDBPyConnection, view: str, repeat: int, meeting_id: str | None) -> ViewTiming:
    """Materialise ``view`` whole and for one meeting, ``repeat`` times each; keep the fastest."""
    source = "utterances" if view == FLOOR else f'"{view}"'
    try:
        full_s = _best_of(con, f"create temp table bench_result as select * from {source}", repeat)
        rows = con.execute("select count(*) from temp.bench_result").fetchone()[0]
        result = con.execute("select * from temp.bench_result limit 0")
        columns = {c[0] for c in result.description}
        one_meeting_s = None
        if meeting_id is not None and "meeting_id" in columns:
            one_meeting_s = _best_of(
                con,
                f"create temp table bench_result as select * from {source} where meeting_id = ?",
                repeat,
                [meeting_id],
            )
    except duckdb.Error as exc:
        return ViewTiming(view, None, None, None, str(exc).splitlines()[0])
    finally:
        con.execute("drop table if exists temp.bench_result")
    return ViewTiming(view, rows, full_s, one_meeting_s)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dialogic_synth.duckdb"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per view; the best is shown")
    parser.add_argument("--only", help="time only views whose name starts with this")
    parser.add_argument("--meeting", help="meeting_id for the one-meeting query (default: the middle one)")
    args = parser.parse_args()

    con = duckdb.connect(str(args.db), read_only=True)
    con.execute(f"set threads = {args.threads}")
    size = con.execute(
        "select (select count(*) from meetings), (select count(*) from utterances), (select count(*) from tags)"
    ).fetchone()
    meeting_id = (
        args.meeting
        or con.execute(
            "select meeting_id from meetings order by meeting_id limit 1 offset (select count(*) // 2 from meetings)"
        ).fetchone()[0]
    )
    print(
        f"{args.db}: {size[0]:,} meetings, {size[1]:,} utterances, {size[2]:,} tags; "
        f"threads={args.threads}, best of {args.repeat}, target <= {TARGET_S:.1f} s per view"
    )
    print(f"before: {_load()}")
    print(f"{'view':<30} {'rows':>12} {'all (s)':>8} {'1 meeting (s)':>14}  target")
    timings = []
    views = list_benchmarked_views(con, args.only)
    for view in ([FLOOR] if args.only is None else []) + views:
        timing = time_view(con, view, args.repeat, meeting_id)
        if timing.error:
            print(f"{view:<30} {'-':>12} {'-':>8} {'-':>14}  error: {timing.error}")
            continue
        one = f"{timing.one_meeting_s:.3f}" if timing.one_meeting_s is not None else "-"
        if view == FLOOR:
            verdict = "reference: the floor for one-row-per-utterance views"
        elif timing.row_level:
            verdict = "ok" if timing.within_target else "MISSED"
            verdict += " (row-level: judged on 1 meeting)"
        else:
            verdict = "ok" if timing.within_target else "MISSED"
        print(f"{view:<30} {timing.row_count:>12,} {timing.full_s:>8.2f} {one:>14}  {verdict}", flush=True)
        if view != FLOOR:
            timings.append(timing)
    print(f"after: {_load()}")
    missed = [t.view for t in timings if not t.within_target]
    print(
        f"{len(timings) - len(missed)}/{len(timings)} views within {TARGET_S:.1f} s "
        f"(meeting {meeting_id})" + (f"; missed: {', '.join(missed)}" if missed else "")
    )


if __name__ == "__main__":
    main()
