"""What researchers take away — the report's data and every export of every meeting — on the
fixture databases, against the snapshot taken when it was last changed on purpose
(tests/snapshots/outputs.json). The views' own snapshot is tests/test_view_snapshots.py; this one
holds the Python that reads them (the report loaders, the export renderers) to the same rule.

A refactor must leave it passing; a change meant to alter an output regenerates it on purpose,
and its commit message names the change:

    .venv/bin/python tests/test_output_snapshots.py   # rewrites tests/snapshots/outputs.json
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from builders import build_fixture_db, build_review_db, build_two_utterance_db  # noqa: E402
from test_view_snapshots import _ratings, _value  # noqa: E402

SNAPSHOT = Path(__file__).parent / "snapshots" / "outputs.json"
# Written into an export or a report at the moment it is made, or a path of this run's temporary
# folder: not derived from the stored rows.
VOLATILE = re.compile(r"(exported_at|generated_at|created_at|DATE=)\S*|/tmp/\S+")


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _value(value)


def _docx_text(data: bytes) -> list[str]:
    """A .docx's paragraphs and table cells: the file itself is a zip with its own clock in it."""
    import docx

    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [p.text for p in document.paragraphs] + cells


def _outcome(call):
    """What a call gives, or the class and message of the error it raises (a refusal is an output too)."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - recorded, not hidden: a changed refusal shows as a difference
        return f"{type(exc).__name__}: {exc}"


def _exports(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict:
    from dialogic.export import BINARY_FORMATS, FORMATS, ExportOptions, export_meeting

    out = {}
    for fmt in FORMATS:
        for speaker_ids in ("label", "participant") if fmt == "rttm" else ("label",):
            got = _outcome(lambda: export_meeting(con, meeting_id, fmt, ExportOptions(speaker_ids=speaker_ids)))
            if fmt in BINARY_FORMATS and isinstance(got, bytes):
                got = _docx_text(got)
            key = fmt if fmt != "rttm" else f"rttm/{speaker_ids}"
            out[key] = _scrub(got)
    return out


def _scrub(value):
    if isinstance(value, str):
        return VOLATILE.sub("<volatile>", value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def outputs(con: duckdb.DuckDBPyConnection) -> dict:
    from dialogic.report.meeting_data import load_meeting
    from dialogic.report.study_data import load_study

    meetings = [r[0] for r in con.execute("select meeting_id from meetings order by 1").fetchall()]
    return {
        "study": _scrub(_plain(_outcome(lambda: load_study(con, with_meetings=True)))),
        "meetings": {
            m: {"report": _scrub(_plain(_outcome(lambda m=m: load_meeting(con, m)))), "exports": _exports(con, m)}
            for m in meetings
        },
    }


def snapshot(tmp: Path) -> dict:
    fixture_con = build_fixture_db(tmp / "fixture.duckdb")
    fixture_con.close()
    review = build_review_db(tmp / "review")
    _ratings(review)
    paths = {
        "fixture": tmp / "fixture.duckdb",
        "two_utterances": build_two_utterance_db(tmp / "two.duckdb"),
        "review": review.db_path,
    }
    got = {}
    for name, path in paths.items():
        with duckdb.connect(str(path), read_only=True) as con:
            got[name] = outputs(con)
    return json.loads(json.dumps(got, sort_keys=True, default=str))


def test_the_report_data_and_every_export_return_the_snapshot(tmp_path):
    expected = json.loads(SNAPSHOT.read_text())
    got = snapshot(tmp_path)
    assert sorted(got) == sorted(expected)
    for db in expected:
        assert got[db]["study"] == expected[db]["study"], f"{db}: the study report's data differs from the snapshot"
        assert sorted(got[db]["meetings"]) == sorted(expected[db]["meetings"]), db
        for meeting, want in expected[db]["meetings"].items():
            have = got[db]["meetings"][meeting]
            assert have["report"] == want["report"], f"{db}/{meeting}: the meeting report's data differs"
            for fmt in want["exports"]:
                assert have["exports"][fmt] == want["exports"][fmt], f"{db}/{meeting}: the {fmt} export differs"
    # The snapshot holds real outputs, or this test would pass on refusals alone.
    fx = expected["fixture"]["meetings"]["fx"]
    assert "WEBVTT" in fx["exports"]["vtt"] and fx["exports"]["csv"].count("\n") > 2
    assert isinstance(fx["report"], dict) and isinstance(expected["fixture"]["study"], dict)


if __name__ == "__main__":
    import tempfile

    import dialogic  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(snapshot(Path(tmp)), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"wrote {SNAPSHOT}")
