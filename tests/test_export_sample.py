"""Exports of the real bundled recording, processed by the real models, read back by each
format's own library."""

import json
import shutil

import docx
import pytest
from praatio import textgrid
from pyannote.database.util import load_rttm
from pyannote.metrics.diarization import DiarizationErrorRate
from pympi import Elan

from dialogic.db import connect
from dialogic.errors import LookupFailed
from dialogic.export import ExportOptions, export_meeting
from dialogic.store.speakers import map_speakers

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`


@pytest.fixture
def con(processed_sample):
    con = connect(processed_sample[0], read_only=True)
    yield con
    con.close()


def test_json_export_follows_the_contract(con):
    data = json.loads(export_meeting(con, "sample", "json"))
    assert set(data) == {
        "meeting_id",
        "recorded_on",
        "duration_s",
        "consent_note",
        "tagger",
        "participants",
        "utterances",
        "corrections",
    }
    assert data["tagger"]["model_version"].startswith("dialogic-tagger-v")
    assert "not validated on this study" in data["tagger"]["validation_status"]
    assert len(data["utterances"]) > 5  # the checks below must have utterances to check
    assert data["meeting_id"] == "sample" and data["duration_s"] == pytest.approx(30.0, abs=0.01)
    assert data["recorded_on"] == "2026-01-15" and data["corrections"] == []
    for u in data["utterances"]:
        assert u["id"].startswith("sample/u")
        assert u["text"] == " ".join(w["word"] for w in u["words"])
        assert {t["tag"] for t in u["tags"]} == {
            "persuasion",
            "option_discussion",
            "preference_elicitation",
            "peer_self_disclosure",
        }
        for w in u["words"]:
            assert set(w) == {"start_s", "end_s", "word", "probability"}


def test_rttm_export_loads_with_pyannote_and_matches_the_reference(con, tmp_path, processed_sample):
    path = tmp_path / "sample.rttm"
    path.write_text(export_meeting(con, "sample", "rttm"))
    hypothesis = load_rttm(str(path))["sample"]
    reference = load_rttm(str(processed_sample[0].parent / "sample.rttm"))["sample"]
    der = DiarizationErrorRate(collar=0.0)(reference, hypothesis)
    assert der <= 0.15, der


def test_subtitles(con):
    vtt = export_meeting(con, "sample", "vtt")
    assert vtt.startswith("WEBVTT\n\n00:00:0")
    assert "<v SPEAKER_0" in vtt
    srt = export_meeting(con, "sample", "srt")
    assert srt.startswith("1\n00:00:0") and " --> " in srt and "," in srt.splitlines()[1]


def test_mapped_sample_in_elan_praat_and_word(processed_sample, tmp_path):
    """Once a rater maps the two speakers, ELAN, Praat and Word show the participants' roles."""
    db = tmp_path / "sample.duckdb"
    shutil.copyfile(processed_sample[0], db)  # the session's database stays unmapped
    con = connect(db)
    map_speakers(con, "sample", {"SPEAKER_00": "p1", "SPEAKER_01": "p2"}, mapped_by="test")
    con.close()
    con = connect(db, read_only=True)
    n = len(json.loads(export_meeting(con, "sample", "json"))["utterances"])
    (tmp_path / "sample.eaf").write_text(
        export_meeting(con, "sample", "eaf", ExportOptions(output_path=tmp_path / "sample.eaf"))
    )
    eaf = Elan.Eaf(str(tmp_path / "sample.eaf"))
    speech = [t for t in eaf.get_tier_names() if not t.startswith("tag:")]
    assert {"p1 (service user)", "p2 (peer)"} <= set(speech)
    assert sum(len(eaf.get_annotation_data_for_tier(t)) for t in speech) == n  # no two utterances of one voice overlap
    relative = eaf.get_linked_files()[0]["RELATIVE_MEDIA_URL"]
    assert (tmp_path / relative).resolve() == (processed_sample[0].parent / "sample.wav").resolve()
    (tmp_path / "sample.TextGrid").write_text(export_meeting(con, "sample", "textgrid"))
    grid = textgrid.openTextgrid(str(tmp_path / "sample.TextGrid"), includeEmptyIntervals=False)
    assert {"p1 (service user)", "p2 (peer)"} <= set(grid.tierNames)
    (tmp_path / "sample.docx").write_bytes(export_meeting(con, "sample", "docx"))
    transcript = [p.text for p in docx.Document(str(tmp_path / "sample.docx")).paragraphs if p.text.startswith("[")]
    assert len(transcript) == n
    assert any(" p1 (service user): " in t for t in transcript) and any(" p2 (peer): " in t for t in transcript)
    con.close()


def test_unknown_meeting_and_format(con):
    with pytest.raises(LookupFailed, match="no meeting 'nope'"):
        export_meeting(con, "nope", "json")
    with pytest.raises(LookupFailed, match="unknown export format 'pdf'"):
        export_meeting(con, "sample", "pdf")
