"""Time `dialogic report` on a (synthetic) dialogic database and print one table.

The study report is timed in its three parts — the SQL aggregates (``load_study``), drawing the
plots and rendering the HTML, writing the file — and whole, with and without the meeting index
that ``--all`` adds; one meeting's report is timed the same way. The target is the study report
over 10,000 meetings in under a minute. The load average is printed before and after: the
machine is shared, so compare figures taken at similar load.

Make the database first with benchmarks/synth_db.py (``make bench-views`` does both).

    python benchmarks/bench_report.py --db /tmp/dialogic_synth.duckdb --threads 2
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from dialogic.db import connect
from dialogic.report.meeting_data import load_meeting
from dialogic.report.render import render_meeting_html, render_study_html, write_meeting_report, write_study_report
from dialogic.report.study_data import load_study

TARGET_S = 60.0


def _best_of(repeat: int, run) -> tuple[float, object]:
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/dialogic_synth.duckdb"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per step; the best is shown")
    parser.add_argument("--meeting", help="meeting_id for the one-meeting report (default: the middle one)")
    args = parser.parse_args()

    con = connect(args.db, read_only=True)
    con.execute(f"set threads = {args.threads}")
    meetings, utterances = con.execute(
        "select (select count(*) from meetings), (select count(*) from utterances)"
    ).fetchone()
    meeting_id = (
        args.meeting
        or con.execute(
            "select meeting_id from meetings order by meeting_id limit 1 offset (select count(*) // 2 from meetings)"
        ).fetchone()[0]
    )
    print(f"{args.db}: {meetings:,} meetings, {utterances:,} utterances; threads={args.threads}, best of {args.repeat}")
    print(f"before: {_load()}")
    out = Path(tempfile.mkdtemp(prefix="dialogic-bench-report-"))
    steps: list[tuple[str, float, str]] = []

    sql_s, study = _best_of(args.repeat, lambda: load_study(con))
    steps.append(("study: SQL aggregates (load_study)", sql_s, ""))
    render_s, html = _best_of(args.repeat, lambda: render_study_html(study))
    steps.append(("study: plots and HTML", render_s, f"{len(html.encode()) / 1e6:.2f} MB"))
    whole_s, path = _best_of(args.repeat, lambda: write_study_report(con, out / "study.html"))
    verdict = "ok" if whole_s <= TARGET_S else "MISSED"
    steps.append(("study report, whole (--study)", whole_s, f"{verdict}: target <= {TARGET_S:.0f} s"))
    links_s, links = _best_of(1, lambda: _links(con))
    index_s, _ = _best_of(1, lambda: write_study_report(con, out / "study-index.html", meeting_links=links))
    index_s += links_s
    size = (out / "study-index.html").stat().st_size / 1e6
    steps.append((f"study report with the index of {len(links):,} meetings", index_s, f"{size:.2f} MB"))

    load_s, data = _best_of(args.repeat, lambda: load_meeting(con, meeting_id))
    steps.append((f"meeting {meeting_id}: SQL ({len(data.utterances):,} utterances)", load_s, ""))
    draw_s, _ = _best_of(args.repeat, lambda: render_meeting_html(data, audio_url=None, audio_found=False))
    steps.append((f"meeting {meeting_id}: plots and HTML", draw_s, ""))
    one_s, _ = _best_of(args.repeat, lambda: write_meeting_report(con, meeting_id, out / "meeting.html"))
    steps.append((f"meeting {meeting_id}: report, whole", one_s, ""))

    print(f"{'step':<58} {'s':>8}  note")
    for name, seconds, note in steps:
        print(f"{name:<58} {seconds:>8.2f}  {note}")
    print(f"after: {_load()}")
    print(f"reports written to {out}")


def _links(con) -> dict[str, str]:
    from dialogic.report import meeting_file_name
    from dialogic.report.meeting_data import analysable_meeting_ids

    return {meeting_id: meeting_file_name(meeting_id) for meeting_id in analysable_meeting_ids(con)}


if __name__ == "__main__":
    main()
