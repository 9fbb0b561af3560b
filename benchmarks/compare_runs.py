"""How much two runs over the same meeting differ: WER between their transcripts, DER between their diarisations.

    python benchmarks/compare_runs.py BEFORE.duckdb AFTER.duckdb [--meeting ID]

For a change that should not alter results much (e.g. transcribing in windows), run the same
recording into two databases, before and after, and compare them here. The first database is
taken as the reference: printed are the word error rate of the second's words against the
first's (normalised as in eval_asr.py), and the DER (no collar, overlaps scored) of the second's
overlap-aware turns against the first's, with its parts, and both runs' speaker counts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_asr import edit_counts, normalise  # noqa: E402  (a sibling script)


def words(db: Path, meeting: str | None) -> tuple[str, list[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        meeting = meeting or con.execute("select min(meeting_id) from meetings").fetchone()[0]
        rows = con.execute("select word from words where meeting_id = ? order by word_index", [meeting]).fetchall()
    return meeting, normalise(" ".join(r[0] for r in rows))


def turns(db: Path, meeting: str):
    from dialogic.diarisation.evaluate import turns_to_annotation
    from dialogic.records import SpeakerTurn

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select speaker_label, start_s, end_s from turns where meeting_id = ? and track = 'overlap'", [meeting]
        ).fetchall()
    return turns_to_annotation([SpeakerTurn(*r) for r in rows], uri=meeting)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--meeting", help="meeting id (default: the first in BEFORE)")
    args = parser.parse_args()

    from dialogic.diarisation.evaluate import score

    meeting, reference = words(args.before, args.meeting)
    _, hypothesis = words(args.after, meeting)
    subs, dels, ins = edit_counts(reference, hypothesis)
    print(f"meeting {meeting}: {len(reference)} words before, {len(hypothesis)} after")
    print(
        f"WER after vs before: {(subs + dels + ins) / max(1, len(reference)):.3f} "
        f"({subs} substituted, {dels} deleted, {ins} inserted)"
    )
    result = score(turns(args.before, meeting), turns(args.after, meeting))
    print(
        f"DER after vs before: {result.der:.3f} (missed {result.missed:.3f}, false alarm {result.false_alarm:.3f}, "
        f"confusion {result.confusion:.3f}); "
        f"speakers {result.speakers_reference} before, {result.speakers_hypothesis} after"
    )


if __name__ == "__main__":
    main()
