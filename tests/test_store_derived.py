"""dialogic.store.derived: what follows a write is one rule, whoever writes.

The tags and views of a meeting must not depend on whether its speakers were mapped before it
was tagged or after: v1–v3 taggers read the speaker's role, so a mapping made after tagging must
tag the recast utterances again, as tagging after the mapping would have.
"""

from __future__ import annotations

import dataclasses

import pytest
from test_view_snapshots import relations

from dialogic.compute import compute_meeting
from dialogic.db import connect
from dialogic.keys import meeting_key
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.pipeline import MeetingRun, process_manifest, read_prior, store_computed
from dialogic.records import TaggerRecord
from dialogic.store.derived import Change, propagate, tagger_inputs
from dialogic.store.speakers import map_speakers
from dialogic.tagging.tagger import load_tagger

MAPPING = {"SPEAKER_00": "p1", "SPEAKER_01": "p2"}
TAGS = "select utterance_id, tag, round(probability, 6), label, model_version from tags order by all"
# The run records' own clocks and ids, not derived values.
RUN_COLUMNS = {"run_id", "started_at", "finished_at", "timings_s", "wall_s"}


def _views(db_path) -> dict:
    con = connect(db_path)
    try:
        out = relations(con)
    finally:
        con.close()
    return {
        name: [{k: v for k, v in row.items() if k not in RUN_COLUMNS} for row in rows] for name, rows in out.items()
    }


@pytest.mark.models
def test_mapping_before_or_after_tagging_gives_the_same_tags_and_views(processed_sample, tmp_path):
    manifest = load_manifest(processed_sample[0].parent / "manifest.yaml")
    untagged, tagged = PipelineOptions(tag=False), PipelineOptions()

    mapped_first = tmp_path / "mapped_first.duckdb"
    process_manifest(mapped_first, manifest, untagged)
    con = connect(mapped_first)
    map_speakers(con, "sample", MAPPING, mapped_by="test")
    con.close()
    process_manifest(mapped_first, manifest, tagged)  # the tagger reads the mapped roles

    mapped_last = tmp_path / "mapped_last.duckdb"
    process_manifest(mapped_last, manifest, untagged)
    process_manifest(mapped_last, manifest, tagged)
    con = connect(mapped_last)
    unmapped_tags = con.execute(TAGS).fetchall()
    propagated = map_speakers(con, "sample", MAPPING, mapped_by="test")
    mapped_tags = con.execute(TAGS).fetchall()
    con.close()

    first = connect(mapped_first)
    assert first.execute(TAGS).fetchall() == mapped_tags
    first.close()
    a, b = _views(mapped_first), _views(mapped_last)
    assert a.keys() == b.keys()
    differing = sorted(name for name in a if a[name] != b[name])
    assert differing == []
    # The shipped tagger reads the role: the mapping changed what it says, so the check has teeth.
    assert mapped_tags != unmapped_tags
    assert propagated.retagged and propagated.untagged == ()

    # Computed (tagged with the roles of then: none), mapped, then stored, as a set staged by an
    # earlier batch and stored after the mapping is: the store's change rule tags the recast
    # utterances again, with the loaded tagger or, for a staged set's tagger record, one it loads.
    meeting = manifest.meetings[0]
    for tagger_arrives_as in ("loaded", "record"):
        computed_first = tmp_path / f"computed_first_{tagger_arrives_as}.duckdb"
        process_manifest(computed_first, manifest, untagged)
        con = connect(computed_first)
        computed = compute_meeting(meeting, tagged, read_prior(con, meeting.id), meeting_key(meeting, tagged))
        assert set(computed.tag_roles) == {None}
        if tagger_arrives_as == "loaded":  # computed here: compute_meeting itself returns the record
            computed = dataclasses.replace(computed, tagger=load_tagger(computed.tagger.model_version))
        assert isinstance(computed.tagger, TaggerRecord) == (tagger_arrives_as == "record")
        map_speakers(con, "sample", MAPPING, mapped_by="test")
        key = meeting_key(meeting, tagged)
        stored = store_computed(
            con, meeting, tagged, key, computed, MeetingRun(meeting.id).ended("processed", None), None
        )
        assert stored.replay_note is None and stored.tag_failure is None
        assert con.execute(TAGS).fetchall() == mapped_tags, tagger_arrives_as
        con.close()
        c = _views(computed_first)
        assert sorted(name for name in a if a[name] != c[name]) == []


def test_propagate_retags_only_what_a_tagger_reads(tmp_path):
    # A fake tagger that does not read roles: a role change alone leaves its tags alone, and a
    # text change tags just that utterance again.
    from builders import build_fixture_db

    con = build_fixture_db(tmp_path / "fx.duckdb")
    version = con.execute("select model_version from compute_current_tagger('fx')").fetchone()[0]

    class RoleBlind:
        model_version = version
        thresholds = {}
        precision = "fp32"

        class input_spec:  # noqa: N801 - the attribute a Tagger carries
            role, context = False, 0

        def predict(self, texts, roles=None):
            raise AssertionError("nothing should be tagged again")

    before = tagger_inputs(con, "fx")
    con.execute("update participants set role = 'peer' where meeting_id = 'fx'")
    after = tagger_inputs(con, "fx")
    assert [u for u in after if after[u][2] != before[u][2]], "the fixture's roles did not change"
    tags = con.execute(TAGS).fetchall()
    assert propagate(con, Change("fx", "manifest", before), tagger=RoleBlind(), load_tagger=None).retagged == ()
    assert con.execute(TAGS).fetchall() == tags

    # A text change: that utterance (and only it) loses its old tags; with no tagger loaded it
    # stays untagged and the result says so.
    first = next(iter(after))
    before = tagger_inputs(con, "fx")
    con.execute("update utterances set text = 'something else entirely' where utterance_id = ?", [first])
    done = propagate(con, Change("fx", "corrected", before), load_tagger=None)
    assert done.untagged == (first,) and done.note
    assert con.execute("select count(*) from tags where utterance_id = ?", [first]).fetchone()[0] == 0
    assert [r for r in con.execute(TAGS).fetchall() if r[0] != first] == [r for r in tags if r[0] != first]
    con.close()
