"""Prefect flow: one consented meeting end to end, one task per library stage.

Run: python flows/process_meeting.py MANIFEST MEETING_ID [--db PATH]
Prefect uses its local ephemeral API; no server needs starting. Task results are not persisted:
they hold health data, and the only store for it is the DuckDB file.
"""

from __future__ import annotations

import argparse
import sys

import duckdb
from prefect import flow, task
from prefect.cache_policies import NONE

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import align, audio, db, manifest, pipeline, store, transcribe


def _is_io_error(task, task_run, state) -> bool:
    """Retry only what may pass: file-system and database I/O, never a bad recording or a bug."""
    try:
        state.result()
    except (OSError, duckdb.IOException):
        return True
    except Exception:
        return False
    return False


io_task = dict(retries=2, retry_delay_seconds=5, retry_condition_fn=_is_io_error, cache_policy=NONE, persist_result=False)
cpu_task = dict(cache_policy=NONE, persist_result=False)


@task(**io_task)
def hash_audio(meeting: manifest.MeetingSpec) -> str:
    return audio.audio_sha256(meeting.audio)


@task(**io_task)
def decode(meeting: manifest.MeetingSpec, sha256: str) -> audio.DecodedAudio:
    return audio.decode_audio(meeting.audio, sha256=sha256)


@task(**cpu_task)
def transcribe_and_diarise(decoded: audio.DecodedAudio, meeting: manifest.MeetingSpec, options: pipeline.PipelineOptions):
    """Words and speakers; on CPU the transcription runs in a worker process beside diarisation,
    as in `dialogic process` (running both in this process would slow diarisation twofold)."""
    return pipeline.transcribe_and_diarise(meeting, decoded, options)


@task(**cpu_task)
def attach_words(transcript: transcribe.Transcript, diarised, options: pipeline.PipelineOptions):
    return align.align_words_to_speakers(transcript.words, diarised.exclusive_turns, options.align)


@task(**cpu_task)
def group_utterances(words, options: pipeline.PipelineOptions):
    return align.build_utterances(words, options.align)


@task(**io_task)
def stored_key(db_path: str, meeting_id: str) -> str | None:
    with db.connect(db_path) as con:
        return store.stored_processing_key(con, meeting_id)


@task(**io_task)
def store_rows(db_path: str, meeting, decoded, diarised, words, utterances, key: str, manifest_path: str | None) -> None:
    with db.connect(db_path) as con:
        store.store_meeting(con, meeting, decoded, diarised, words, utterances, key, manifest_path)


@task(**cpu_task)
def tag_utterances(db_path: str, meeting: manifest.MeetingSpec, options: pipeline.PipelineOptions, only_if_missing: bool) -> int:
    with db.connect(db_path) as con:
        return pipeline.tag_stored_meeting(con, meeting, options, only_if_missing=only_if_missing)


@flow(name="process-meeting", log_prints=False)
def process_meeting_flow(
    meeting: manifest.MeetingSpec,
    db_path: str,
    options: pipeline.PipelineOptions = pipeline.PipelineOptions(),
    manifest_path: str | None = None,
) -> str:
    """Consent gate → decode → transcribe → diarise → align → utterances → store → tag.

    Returns 'processed' or 'unchanged' (same audio and models as the stored run); raises
    ConsentError for a meeting that may not be transcribed.
    """
    manifest.check_consent(meeting, "transcribe")
    sha256 = hash_audio(meeting)
    key = pipeline.processing_key(sha256, options, pipeline.model_records(options))
    tag = pipeline.should_tag(meeting, options)
    if stored_key(db_path, meeting.id) == key:
        if tag:  # a stored meeting still gets tags its tagger version has not written yet
            tag_utterances(db_path, meeting, options, only_if_missing=True)
        return "unchanged"
    decoded = decode(meeting, sha256)
    transcript, diarised = transcribe_and_diarise(decoded, meeting, options)
    words = attach_words(transcript, diarised, options)
    utterances = group_utterances(words, options)
    store_rows(db_path, meeting, decoded, diarised, words, utterances, key, manifest_path)
    if tag:
        tag_utterances(db_path, meeting, options, only_if_missing=False)
    return "processed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("meeting_id")
    parser.add_argument("--db", default="dialogic.duckdb")
    args = parser.parse_args(argv)
    loaded = manifest.load_manifest(args.manifest)
    chosen = [m for m in loaded.meetings if m.id == args.meeting_id]
    if not chosen:
        reasons = [p.reason for p in loaded.problems if p.meeting == args.meeting_id]
        print(f"{args.manifest}: meeting {args.meeting_id!r} " + (reasons[0] if reasons else "not found"), file=sys.stderr)
        return 1
    print(process_meeting_flow(chosen[0], args.db, manifest_path=str(loaded.path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
