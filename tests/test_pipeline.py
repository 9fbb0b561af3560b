import dataclasses
import json
import shutil

import duckdb
import pytest

from dialogic.db import connect
from dialogic.engines import Engine
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.pipeline import process_manifest

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`


def rows(db_path, sql, params=()):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_sample_is_processed_into_every_table(processed_sample):
    db_path, report = processed_sample
    (result,) = report.results
    assert result.status == "processed", result.reason
    assert result.speakers == 2 and result.utterances > 5 and result.words > 40
    assert rows(db_path, "select count(*) from words")[0][0] == result.words
    assert rows(db_path, "select count(*) from utterances")[0][0] == result.utterances
    assert rows(db_path, "select list_sort(list(distinct track)) from turns")[0][0] == ["exclusive", "overlap"]
    # the diarisation's confidence in each utterance's speaker, kept with the machine's rows too
    confidence = rows(
        db_path,
        "select min(u.speaker_confidence), max(u.speaker_confidence), count(*) filter (where u.speaker_confidence "
        "is distinct from m.speaker_confidence) from utterances u join machine_utterances m using (utterance_id)",
    )[0]
    assert 0.0 <= confidence[0] < confidence[1] <= 1.0 and confidence[2] == 0
    assert rows(db_path, "select speaker_label, participant_id from speakers order by 1") == [
        ("SPEAKER_00", None),
        ("SPEAKER_01", None),
    ]
    (run,) = rows(db_path, "select status, models, timings_s from pipeline_runs")
    assert run[0] == "processed"
    assert "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57" in run[1]  # whisper base, joined
    assert "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199" in run[1]  # CAM++ weights
    # the run record is written in the store's transaction, so it holds every stage but the store
    assert {"hash", "decode", "transcribe", "diarise", "align", "tag"} <= set(json.loads(run[2]))
    assert "store" in result.timings_s and result.wall_s < sum(result.timings_s.values())
    # every word belongs to an utterance of the same speaker, in time order
    assert (
        rows(
            db_path,
            """
        select count(*) from words w join utterances u using (utterance_id)
        where w.speaker_label is distinct from u.speaker_label or w.start_s < u.start_s or w.end_s > u.end_s
    """,
        )[0][0]
        == 0
    )


def test_rerun_with_same_audio_and_models_is_a_no_op(processed_sample):
    db_path, _ = processed_sample

    def guarded(meeting_id, stage, fn, *args, **kwargs):
        # Every stage after the hash fails if it runs; the stored tags are looked up, not redone.
        if stage in ("decode", "transcribe-and-diarise", "align", "tag", "store"):
            raise AssertionError(f"a stored meeting went through {stage} again")
        return fn(*args, **kwargs)

    before = rows(db_path, "select processed_at, processing_key from meetings")
    words_before = rows(db_path, "select * from words order by word_index")
    manifest = load_manifest(db_path.parent / "manifest.yaml")
    report = process_manifest(db_path, manifest, PipelineOptions(), engine=Engine(call=guarded))
    assert [(r.status, r.tags) for r in report.results] == [("unchanged", 0)], report.results
    assert rows(db_path, "select processed_at, processing_key from meetings") == before
    assert rows(db_path, "select * from words order by word_index") == words_before


def test_a_rerun_tags_utterances_left_untagged_when_they_changed(processed_sample, tmp_path):
    # A change the store could not tag again (its tagger could not be loaded then) leaves those
    # utterances without tags and the run failed; the next run of the batch tags them.
    db = tmp_path / "untagged.duckdb"
    shutil.copyfile(processed_sample[0], db)
    con = connect(db)
    (uid,) = con.execute("select utterance_id from utterances order by utterance_index limit 1").fetchone()
    expected = con.execute("select tag, label from tags where utterance_id = ? order by tag", [uid]).fetchall()
    con.execute("delete from tags where utterance_id = ?", [uid])
    con.close()
    manifest = load_manifest(processed_sample[0].parent / "manifest.yaml")
    report = process_manifest(db, manifest, PipelineOptions())
    assert [r.status for r in report.results] == ["unchanged"] and report.results[0].tags > 0
    assert rows(db, "select tag, label from tags where utterance_id = ? order by tag", [uid]) == expected
    assert rows(db, "select count(*) from utterances u anti join tags t using (utterance_id)") == [(0,)]


def test_rerun_with_other_models_replaces_derived_rows_and_keeps_mappings(processed_sample, tmp_path):
    db_path = tmp_path / "copy.duckdb"
    shutil.copyfile(processed_sample[0], db_path)
    workdir = processed_sample[0].parent
    con = connect(db_path)
    con.execute("update speakers set participant_id = 'p1', mapped_by = 'test' where speaker_label = 'SPEAKER_00'")
    key_before = con.execute("select processing_key from meetings").fetchone()[0]
    con.close()
    options = PipelineOptions(align=dataclasses.replace(PipelineOptions().align, split_at_sentence_end=False))
    report = process_manifest(db_path, load_manifest(workdir / "manifest.yaml"), options)
    assert [r.status for r in report.results] == ["processed"]
    assert rows(db_path, "select processing_key != ? from meetings", [key_before])[0][0]
    # fewer, longer utterances, and no leftovers from the first run
    n_old = rows(processed_sample[0], "select count(*) from utterances")[0][0]
    assert rows(db_path, "select count(*) from utterances")[0][0] < n_old
    assert (
        rows(db_path, "select count(*) from words where utterance_id not in (select utterance_id from utterances)")[0][
            0
        ]
        == 0
    )
    assert rows(db_path, "select participant_id, mapped_by from speakers where speaker_label = 'SPEAKER_00'") == [
        ("p1", "test")
    ]
    assert rows(db_path, "select count(*) from pipeline_runs where status = 'processed'")[0][0] == 2


def test_bad_recordings_and_missing_consent_do_not_stop_the_batch(sample_workdir, tmp_path):
    shutil.copyfile(sample_workdir / "sample.wav", tmp_path / "good.wav")
    (tmp_path / "broken.wav").write_bytes(b"RIFF....WAVEfmt " + bytes(200))
    (tmp_path / "manifest.yaml").write_text("""
meetings:
  - id: broken
    audio: broken.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
  - id: refused
    audio: good.wav
    consent: {status: refused, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
  - id: review-only
    audio: good.wav
    consent: {status: given, scope: [review]}
    participants: [{id: p1, role: service_user}]
  - id: nofile
    audio: nowhere.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
  - id: good
    audio: good.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}, {id: p2, role: clinician}]
""")
    report = process_manifest(tmp_path / "b.duckdb", load_manifest(tmp_path / "manifest.yaml"), PipelineOptions())
    status = {r.meeting_id: (r.status, r.reason) for r in report.results}
    assert status["good"][0] == "processed"
    assert status["broken"][0] == "failed" and "broken.wav: not a media file" in status["broken"][1]
    assert status["refused"][0] == "skipped" and "consent status is 'refused'" in status["refused"][1]
    assert status["review-only"][0] == "skipped" and "does not include 'transcribe'" in status["review-only"][1]
    assert status["nofile"][0] == "failed" and "nowhere.wav" in status["nofile"][1]
    runs = dict(rows(tmp_path / "b.duckdb", "select meeting_id, status from pipeline_runs"))
    assert runs == {"broken": "failed", "refused": "skipped", "review-only": "skipped", "good": "processed"}
    # nothing is derived for meetings that were not processed
    assert rows(tmp_path / "b.duckdb", "select distinct meeting_id from utterances") == [("good",)]
    # consent of 'good' lacks 'analyse', so nothing was tagged
    assert rows(tmp_path / "b.duckdb", "select count(*) from tags")[0][0] == 0


def test_analytics_facts_are_fresh_after_processing_tagging_and_mapping(processed_sample, tmp_path):
    # sql/tests/assert_*_fresh.sql compare every fact table with a recomputation from base rows.
    from dialogic.db import connect
    from dialogic.paths import sql_dir
    from dialogic.store.speakers import map_speakers

    db_path = tmp_path / "facts.duckdb"
    shutil.copyfile(processed_sample[0], db_path)
    con = connect(db_path)
    assert con.execute("select count(*) from tags").fetchone()[0] > 0
    checks = sorted((sql_dir() / "tests").glob("assert_*_fresh.sql"))
    assert checks
    for when in ("after processing and tagging", "after mapping"):
        for check in checks:
            stale = con.execute(check.read_text()).fetchall()
            assert stale == [], f"{check.name} {when}: {stale[:3]}"
        map_speakers(con, "sample", {"SPEAKER_00": "p1", "SPEAKER_01": "p2"}, mapped_by="test")
    roles = dict(con.execute("select role, speech_pct from voice_share_role where meeting_id = 'sample'").fetchall())
    assert set(roles) == {"service_user", "peer"} and abs(sum(roles.values()) - 100) < 1e-6


def test_parallel_and_sequential_runs_store_the_same_words(processed_sample, tmp_path):
    # The default (transcription in a worker process beside diarisation) must not change results.
    db_path = tmp_path / "seq.duckdb"
    report = process_manifest(
        db_path,
        load_manifest(processed_sample[0].parent / "manifest.yaml"),
        PipelineOptions(parallel_cpu=False, tag=False),
    )
    assert [r.status for r in report.results] == ["processed"]
    words = "select word, start_s, end_s, speaker_label from words order by word_index"
    assert rows(db_path, words) == rows(processed_sample[0], words)


def test_a_meeting_in_another_language_is_transcribed_and_analysed_but_not_tagged(sample_workdir, tmp_path):
    shutil.copyfile(sample_workdir / "sample.wav", tmp_path / "s.wav")
    (tmp_path / "manifest.yaml").write_text("""
meetings:
  - id: de-meeting
    audio: s.wav
    language: de
    consent: {status: given, scope: [transcribe, analyse]}
    participants: [{id: p1, role: service_user}, {id: p2, role: clinician}]
""")
    options = PipelineOptions(transcription=dataclasses.replace(PipelineOptions().transcription, model="base"))
    (result,) = process_manifest(tmp_path / "de.duckdb", load_manifest(tmp_path / "manifest.yaml"), options).results
    assert result.status == "processed" and result.utterances > 0
    assert "not tagged: the tagger reads 'en' and this meeting is in 'de'" in result.reason
    db = tmp_path / "de.duckdb"
    assert rows(db, "select language from meetings") == [("de",)]
    assert rows(db, "select count(*) from tags")[0][0] == 0
    assert rows(db, "select count(*), count(tagger_model_version) from utterances_tagged")[0] == (result.utterances, 0)
    # voice shares are there: diarisation and analysis do not depend on the language
    assert rows(db, "select count(*) from voice_share_participant")[0][0] >= 2
    # a re-run finds it unchanged and still leaves it untagged, saying why
    (again,) = process_manifest(db, load_manifest(tmp_path / "manifest.yaml"), options).results
    assert again.status == "unchanged" and "not tagged" in again.reason


def test_long_stages_report_how_far_they_are(sample_workdir, tmp_path):
    events = []

    def record(meeting_id, stage, *, completed=None, total=None):
        events.append((stage, completed, total))

    report = process_manifest(
        tmp_path / "p.duckdb",
        load_manifest(sample_workdir / "manifest.yaml"),
        PipelineOptions(tag=False),
        progress=record,
    )
    assert [r.status for r in report.results] == ["processed"]
    stages = [s for s, c, _ in events if c is None and not s.startswith("diarise ")]
    assert stages[:3] == ["consent", "hash", "decode"] and stages[-2:] == ["store", "done"]
    asr = [(c, t) for s, c, t in events if s == "transcribe" and c is not None]
    assert asr and asr[-1][0] == pytest.approx(asr[-1][1]) and asr[-1][1] == pytest.approx(30.0, abs=0.1)
    assert [c for c, _ in asr] == sorted(c for c, _ in asr)  # seconds done only grow
    steps = {s for s, c, t in events if s.startswith("diarise ") and c is not None and t}
    assert "diarise segmentation" in steps


def test_a_meeting_whose_consent_is_withdrawn_is_purged_only_when_asked(processed_sample, tmp_path):
    db = tmp_path / "withdrawn.duckdb"
    shutil.copyfile(processed_sample[0], db)
    word = rows(db, "select word from words order by length(word) desc limit 1")[0][0]
    assert word.encode() in db.read_bytes()
    manifest = tmp_path / "manifest.yaml"
    shutil.copyfile(processed_sample[0].parent / "sample.wav", tmp_path / "sample.wav")
    manifest.write_text(
        (processed_sample[0].parent / "manifest.yaml").read_text().replace("status: given", "status: withdrawn")
    )
    (kept,) = process_manifest(db, load_manifest(manifest), PipelineOptions()).results
    assert kept.status == "skipped" and "--purge-withdrawn" in kept.reason
    assert rows(db, "select count(*) from utterances")[0][0] > 0  # nothing removed without the flag
    (purged,) = process_manifest(db, load_manifest(manifest), PipelineOptions(purge_withdrawn=True)).results
    assert purged.status == "skipped" and "everything stored was removed" in purged.reason
    assert rows(db, "select count(*) from meetings")[0][0] == 0
    assert rows(db, "select count(*) from pipeline_runs")[0][0] == 0
    assert word.encode() not in db.read_bytes()
    assert rows(db, "select meeting_id from consent_withdrawals") == [("sample",)]
    # the manifest says 'given' again (never edited after `consent withdraw`): still not processed
    (again,) = process_manifest(
        db, load_manifest(processed_sample[0].parent / "manifest.yaml"), PipelineOptions()
    ).results
    assert again.status == "skipped" and "consent was withdrawn" in again.reason and "new id" in again.reason
    assert rows(db, "select count(*) from meetings")[0][0] == 0


def test_an_unchanged_meeting_loads_no_model(processed_sample, tmp_path):
    # In a fresh process, as a resumed batch runs: the stored meeting costs a hash of its file.
    import subprocess
    import sys

    db = tmp_path / "resume.duckdb"
    shutil.copyfile(processed_sample[0], db)
    script = (
        "import sys, dialogic\n"
        "from dialogic.manifest import load_manifest\n"
        "from dialogic.options import PipelineOptions\n"
        "from dialogic.pipeline import process_manifest\n"
        f"report = process_manifest({str(db)!r}, load_manifest({str(processed_sample[0].parent / 'manifest.yaml')!r}),"
        " PipelineOptions())\n"
        "print([r.status for r in report.results])\n"
        "print(sorted(m for m in ('transformers', 'faster_whisper', 'ctranslate2', 'pyannote.audio') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    statuses, loaded = done.stdout.strip().splitlines()[-2:]
    assert statuses == "['unchanged']" and loaded == "[]", done.stdout


def test_silent_noisy_and_truncated_recordings_are_stored_with_a_visible_warning(sample_workdir, tmp_path):
    import wave

    import numpy as np

    def write(name, samples):
        with wave.open(str(tmp_path / name), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())

    write("silence.wav", np.zeros(16000 * 10))
    write("noise.wav", np.random.default_rng(0).normal(0, 0.1, 16000 * 10))
    whole = (sample_workdir / "sample.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(whole[: len(whole) // 2])  # the header still declares 30 s
    shutil.copyfile(sample_workdir / "sample.wav", tmp_path / "good.wav")
    entries = "".join(
        f"""
  - id: {name}
    audio: {name}.wav
    consent: {{status: given, scope: [transcribe]}}
    participants: [{{id: p1, role: service_user}}, {{id: p2, role: clinician}}]"""
        for name in ("silence", "noise", "cut", "good")
    )
    (tmp_path / "manifest.yaml").write_text("meetings:" + entries + "\n")
    report = process_manifest(
        tmp_path / "q.duckdb", load_manifest(tmp_path / "manifest.yaml"), PipelineOptions(tag=False)
    )
    results = {r.meeting_id: r for r in report.results}
    assert {m: r.status for m, r in results.items()} == dict.fromkeys(results, "processed")
    assert any(w.startswith("nearly silent") for w in results["silence"].warnings)
    assert any(w.startswith("almost no speech") for w in results["noise"].warnings)
    assert any("truncated or corrupt" in w for w in results["cut"].warnings)
    assert results["good"].warnings == []
    stored = dict(rows(tmp_path / "q.duckdb", "select meeting_id, audio_warnings from meetings"))
    assert stored["good"] == [] and stored["cut"] == results["cut"].warnings


def test_a_withdrawn_participant_never_comes_back_on_a_rerun(processed_sample, tmp_path):
    from dialogic.consent import withdraw_participant

    db = tmp_path / "participant.duckdb"
    shutil.copyfile(processed_sample[0], db)
    workdir = processed_sample[0].parent
    (first,) = rows(db, "select participant_id from participants order by participant_id limit 1")[0]
    con = connect(db)
    con.execute("update speakers set participant_id = ? where speaker_label = 'SPEAKER_00'", [first])
    con.close()
    withdraw_participant(db, "sample", first, "form-2026-101")
    remaining = rows(db, "select count(*) from utterances")[0][0]
    # The manifest still lists them: an unchanged re-run keeps them out of the participants.
    (unchanged,) = process_manifest(db, load_manifest(workdir / "manifest.yaml"), PipelineOptions()).results
    assert unchanged.status == "unchanged"
    assert rows(db, "select count(*) from participants where participant_id = ?", [first]) == [(0,)]
    # Other options would reprocess the audio, which holds their voice: refused, nothing changes.
    options = PipelineOptions(align=dataclasses.replace(PipelineOptions().align, split_at_sentence_end=False))
    (refused,) = process_manifest(db, load_manifest(workdir / "manifest.yaml"), options).results
    assert refused.status == "skipped" and "withdrew consent" in refused.reason and first in refused.reason
    assert rows(db, "select count(*) from utterances")[0][0] == remaining
    assert rows(db, "select count(*) from speakers where speaker_label = 'SPEAKER_00'") == [(0,)]
