"""The one batch loop: a manifest's meetings computed (here, on Prefect tasks or on Dask workers)
and stored by this process alone. The library behind `dialogic process` and the Prefect flows.

For each meeting, in manifest order:

    consent → hash (`dialogic.keys.meeting_key`) → read what is stored (`PriorState`)
        a stored, unchanged meeting stops here (tagged if its tagger's tags are missing)
    → compute (`dialogic.compute.compute_meeting`, through the batch's `Engine`)
    → store (`store_computed`: rows, tags, facts and the run record in one transaction)

Meetings whose consent was withdrawn are skipped, or purged with ``purge_withdrawn``, before the
database is opened (`withdrawn_meetings`): the same on every engine. Computations may run at once;
their results are stored one at a time, in manifest order. Every run is recorded
(`pipeline_runs`), failed ones too. This module never prints.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb

from dialogic.compute import (
    PriorState,
    Progress,
    call_directly,
    language_note,
    no_progress,
    should_tag,
    stage_failure,
)
from dialogic.consent import withdraw_meeting
from dialogic.cores import available_cores, cpu_threads, torch_threads
from dialogic.db import connect
from dialogic.engines import Engine
from dialogic.errors import ConsentError, DialogicError
from dialogic.keys import MeetingKey, import_record, meeting_key, options_record
from dialogic.manifest import Manifest, MeetingSpec, check_consent
from dialogic.options import PipelineOptions
from dialogic.records import BatchReport, ComputedMeeting, FailedMeeting, MeetingResult
from dialogic.store.meetings import (
    StoredMeeting,
    read_stored_voices,
    record_run,
    store_imported_meeting,
    store_meeting,
    stored_processing_key,
    upsert_meeting_record,
    withdrawn_participants,
)


@dataclass(frozen=True)
class MeetingRun:
    """One run of one meeting as ``pipeline_runs`` keeps it: ids, how it ended, stage seconds."""

    meeting_id: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    clock_s: float = field(default_factory=time.perf_counter)  # when it began, for its wall time
    status: str = "processing"  # → skipped | unchanged | processed | failed
    reason: str | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    def ended(self, status: str, reason: str | None, timings_s: dict[str, float] | None = None) -> MeetingRun:
        """This run ended so, its stage seconds joined by ``timings_s``."""
        return dataclasses.replace(
            self, status=status, reason=reason, timings_s={**self.timings_s, **(timings_s or {})}
        )


def run_record(
    run: MeetingRun, meeting: MeetingSpec, options: PipelineOptions, key: MeetingKey | None, *, computed: bool
) -> dict:
    """`record_run` keyword arguments for a run; ``computed``: its rows were computed (the models
    and options that made them are recorded)."""
    from_audio = meeting.transcript is None  # an import runs neither ASR nor diarisation
    return dict(
        run_id=run.run_id,
        meeting_id=meeting.id,
        status=run.status,
        reason=run.reason,
        started_at=run.started_at,
        audio_sha256=key.audio_sha256 if key else None,
        transcript_sha256=key.transcript_sha256 if key else None,
        processing_key=key.processing_key if key else None,
        asr_model=options.transcription.model if computed and from_audio else None,
        diarisation_model=options.diarisation.pipeline if computed and from_audio else None,
        models=list(key.models) if computed and key else None,
        options=(options_record(options) if from_audio else import_record(meeting, options)) if computed else None,
        timings_s={k: round(v, 3) for k, v in run.timings_s.items()},
    )


def read_prior(con: duckdb.DuckDBPyConnection, meeting_id: str) -> PriorState:
    """What computing a meeting needs of what is stored, as plain data."""
    return PriorState(
        stored_processing_key(con, meeting_id),
        read_stored_voices(con, meeting_id),
        tuple(withdrawn_participants(con, meeting_id)),
    )


# --- the batch ----------------------------------------------------------------------------------


class _Pending(NamedTuple):
    """A meeting sent to be computed, waiting for its turn to be stored."""

    meeting: MeetingSpec
    options: PipelineOptions
    key: MeetingKey
    run: MeetingRun
    future: concurrent.futures.Future


def process_manifest(
    db_path: str | Path,
    manifest: Manifest,
    options: PipelineOptions = PipelineOptions(),
    *,
    engine: Engine | None = None,
    progress: Progress = no_progress,
) -> BatchReport:
    """Process every meeting of a manifest into ``db_path``; one bad meeting never stops the batch.

    Meetings the manifest itself rejected are reported as failed with the manifest's reason.
    A batch is resumable: meetings already stored with the same audio and models are skipped as
    unchanged. ``engine``: where meetings are computed (default: here, one at a time).
    ``progress`` gets each stage's name as it starts and, as each meeting ends, ``done``.
    """
    engine = engine or Engine()
    if engine.staging is not None and not options.cpu_cores:
        # The processing key, made here, holds the threads the workers compute with (see
        # `dialogic.cores.cpu_threads`): they must not resolve "every core" on their own machines.
        options = dataclasses.replace(options, cpu_cores=available_cores())
    report = BatchReport([MeetingResult(p.meeting, "failed", p.reason) for p in manifest.problems])
    withdrawn = withdrawn_meetings(db_path, manifest, options)
    con = connect(db_path)
    try:
        with engine:
            pending: deque[_Pending | MeetingResult] = deque()
            for meeting in manifest.meetings:
                if meeting.id in withdrawn:
                    pending.append(MeetingResult(meeting.id, "skipped", withdrawn[meeting.id]))
                else:
                    pending.append(_start(con, meeting, options, engine, str(manifest.path), progress))
                while len(pending) > engine.window:
                    report.results.append(_finish(con, pending.popleft(), engine, str(manifest.path), progress))
            while pending:
                report.results.append(_finish(con, pending.popleft(), engine, str(manifest.path), progress))
    finally:
        con.close()
    return report


def process_meeting(
    con: duckdb.DuckDBPyConnection,
    meeting: MeetingSpec,
    options: PipelineOptions = PipelineOptions(),
    *,
    manifest_path: str | None = None,
    progress: Progress = no_progress,
    call: Callable = call_directly,
) -> MeetingResult:
    """Process one meeting into ``con``, here. Never raises for a bad recording: the result says
    why it failed. ``call(meeting_id, stage, fn, *args)`` calls each stage (a Prefect flow: as a task)."""
    engine = Engine(call=call)
    return _finish(con, _start(con, meeting, options, engine, manifest_path, progress), engine, manifest_path, progress)


def _start(
    con, meeting: MeetingSpec, options: PipelineOptions, engine: Engine, manifest_path: str | None, progress: Progress
) -> _Pending | MeetingResult:
    """Consent, hash and what is stored: a meeting that needs computing is submitted; any other
    is settled and recorded here."""
    options = meeting_options(meeting, options)
    run = MeetingRun(meeting.id)
    progress(meeting.id, "consent")
    try:
        check_consent(meeting, "transcribe")
    except ConsentError as exc:
        return _settle(con, meeting, options, None, run.ended("skipped", str(exc)), manifest_path)
    progress(meeting.id, "hash")
    started = time.perf_counter()
    try:
        key = engine.call(meeting.id, "hash", meeting_key, meeting, options)
        prior = read_prior(con, meeting.id)
    except Exception as exc:
        return _settle(
            con, meeting, options, None, run.ended("failed", stage_failure("hash", meeting, exc)), manifest_path
        )
    run = run.ended("processing", None, {"hash": time.perf_counter() - started})
    if prior.processing_key == key.processing_key:
        if meeting.transcript is None:
            unchanged = "same audio and models as the stored run"
        else:
            unchanged = "same transcript, participants and language as the stored run"
        return _settle_unchanged(con, meeting, options, key, run.ended("unchanged", unchanged), manifest_path, progress)
    if meeting.transcript is None and prior.processing_key is not None and prior.withdrawn:
        # The audio still holds the withdrawn person's voice; processing it again would bring their
        # speech back (unmapped, as someone else's), so the stored meeting stays as it is.
        reason = (
            f"{', '.join(prior.withdrawn)} withdrew consent: the stored meeting, with their speech removed, is kept "
            "and not processed again from the audio, which holds their voice"
        )
        return _settle(con, meeting, options, key, run.ended("skipped", reason), manifest_path)
    # an imported transcript has no model work to send out: computed here, on every engine
    here = engine if meeting.transcript is None else Engine(call=engine.call)
    return _Pending(meeting, options, key, run, here.submit(meeting, options, prior, key, progress))


def _finish(
    con, item: _Pending | MeetingResult, engine: Engine, manifest_path: str | None, progress: Progress
) -> MeetingResult:
    """Store a computed meeting (or record its failure); a settled one is passed on."""
    if isinstance(item, MeetingResult):
        progress(item.meeting_id, "done")
        return item
    meeting, options, key, run, future = item
    computed = (engine if meeting.transcript is None else Engine()).result(meeting, key, future)
    if isinstance(computed, FailedMeeting):
        result = _settle(
            con, meeting, options, key, run.ended("failed", computed.reason, computed.timings_s), manifest_path
        )
    elif stored_processing_key(con, meeting.id) == key.processing_key:
        run = run.ended("unchanged", "already stored with the same audio and models (computed twice)")
        result = _settle(con, meeting, options, key, run, manifest_path)
        engine.release(meeting, key)
    else:
        result = _store(con, meeting, options, key, run, computed, engine, manifest_path, progress)
    progress(meeting.id, "done")
    return result


def _store(
    con, meeting, options, key, run, computed: ComputedMeeting, engine, manifest_path, progress
) -> MeetingResult:
    progress(meeting.id, "store")
    started = time.perf_counter()
    try:
        status, reason = ("failed", computed.tag_failure) if computed.tag_failure else ("processed", computed.reason)
        run = run.ended(status, reason, computed.timings_s)
        stored = engine.call(
            meeting.id, "store", store_computed, con, meeting, options, key, computed, run, manifest_path
        )
    except Exception as exc:
        failed = run.ended("failed", stage_failure("store", meeting, exc), computed.timings_s)
        return _settle(con, meeting, options, key, failed, manifest_path, warnings=computed.warnings)
    engine.release(meeting, key)
    # as the store recorded it: the run's reason, corrections not replayed, then what was not tagged
    # (a failed run: the next run tags what is missing)
    run = run.ended(
        "failed" if stored.tag_failure else run.status,
        "; ".join(filter(None, [run.reason, stored.replay_note, stored.tag_failure])) or None,
        {"store": time.perf_counter() - started},
    )
    changes = stored.mapping_changes
    if computed.imported is not None:  # words of the transcript's text; speakers are its names
        words, speakers = sum(len(u.text.split()) for u in computed.utterances), len(computed.imported.speakers)
        warnings = [*computed.warnings, *computed.imported.transcript_warnings]
    else:
        words, speakers, warnings = len(computed.words), len(computed.diarisation.speakers), computed.warnings
    return MeetingResult(
        meeting.id,
        run.status,
        run.reason,
        dict(run.timings_s),
        words=words,
        utterances=len(computed.utterances),
        speakers=speakers,
        tags=computed.tag_rows.num_rows if computed.tag_rows is not None else 0,
        wall_s=time.perf_counter() - run.clock_s,
        mapping_changes=changes,
        warnings=list(warnings),
    )


def store_staged(
    con, meeting: MeetingSpec, options: PipelineOptions, key: MeetingKey, folder: Path, *, manifest_path=None
) -> MeetingResult:
    """Store one staged set as a batch does (one transaction, with its run record), then remove
    it. A set that fails its checks is removed unstored and its meeting fails; a set whose key is
    already stored is not stored again (the meeting is ``unchanged``)."""
    done: concurrent.futures.Future = concurrent.futures.Future()
    done.set_result(str(folder))
    pending = _Pending(meeting, options, key, MeetingRun(meeting.id), done)
    return _finish(con, pending, Engine(staging=Path(folder).parent), manifest_path, no_progress)


def store_computed(
    con,
    meeting: MeetingSpec,
    options: PipelineOptions,
    key: MeetingKey,
    computed: ComputedMeeting,
    run: MeetingRun,
    manifest_path: str | None,
) -> StoredMeeting:
    """Write a computed meeting, its tags and its run record in one transaction. Returns what the
    store changed beyond the rows (mapping changes, corrections that could not be replayed,
    utterances that could not be tagged again). Utterances whose speaker's stored role changed
    after the meeting was computed are tagged again by the store's change rule."""
    record = run_record(run, meeting, options, key, computed=True)
    tags = None if computed.tag_rows is None else (computed.tagger, computed.tag_rows)
    if computed.imported is not None:
        store_imported_meeting(
            con,
            meeting,
            computed.utterances,
            computed.imported.speakers,
            key.processing_key,
            manifest_path,
            timed=computed.imported.timed,
            transcript_sha256=key.transcript_sha256,
            audio=computed.audio,
            mapping_changes=computed.imported.mapping_changes,
            tags=tags,
            run=record,
            language=options.transcription.language,
            audio_warnings=computed.warnings,
            transcript_warnings=computed.imported.transcript_warnings,
        )
        return StoredMeeting(computed.imported.mapping_changes)
    return store_meeting(
        con,
        meeting,
        computed.audio,
        computed.diarisation,
        computed.words,
        computed.utterances,
        key.processing_key,
        manifest_path,
        tags=tags,
        run=record,
        warnings=computed.warnings,
        language=computed.transcript.language,
        language_probability=computed.transcript.language_probability,
        tag_roles=computed.tag_roles if tags is not None else None,
        load_tagger=_tagger_loader(options) if tags is not None else None,  # a run that tags nothing loads none
    )


def _tagger_loader(options: PipelineOptions) -> Callable[[str], object]:
    """For the store's change rule: loads the run's tagger when utterances of a meeting whose tags
    arrived as a record (a staged set) must be tagged again (a replayed correction, a role mapped
    since the meeting was computed). It must be the version that predicted the stored tags."""

    def load(model_version: str):
        from dialogic.tagging.tagger import load_tagger

        tagger = load_tagger(options.tagger)
        if tagger.model_version != model_version:
            raise DialogicError(f"tags predicted by {model_version}, but {tagger.model_version} is loaded")
        return tagger

    return load


def _settle(
    con, meeting, options, key, run: MeetingRun, manifest_path, *, tags: int = 0, warnings=(), computed: bool = False
) -> MeetingResult:
    """Record a run that stored no rows: the manifest's metadata and the run record are kept —
    except for a withdrawn meeting, of which nothing is written."""
    if meeting.consent.status != "withdrawn":
        try:
            upsert_meeting_record(con, meeting, manifest_path)  # roles may have changed in the manifest
            record_run(con, **run_record(run, meeting, options, key, computed=computed))
        except duckdb.Error:
            if run.status != "failed":
                raise
            # the failure itself is what the caller needs to see
    return MeetingResult(
        meeting.id,
        run.status,
        run.reason,
        dict(run.timings_s),
        tags=tags,
        wall_s=time.perf_counter() - run.clock_s,
        warnings=list(warnings),
    )


def _settle_unchanged(con, meeting, options, key, run: MeetingRun, manifest_path, progress) -> MeetingResult:
    """An unchanged meeting is tagged only if the tagger's version has no rows for it yet."""
    if not should_tag(meeting, options):
        return _settle(con, meeting, options, key, run, manifest_path)
    progress(meeting.id, "tag")
    started = time.perf_counter()
    # a human transcript's language is what the manifest or --language says
    language = options.transcription.language if meeting.transcript is not None else stored_language(con, meeting.id)
    note, rows = language_note(language), 0
    try:
        if note is None:
            rows = tag_stored_meeting(con, meeting, options, only_if_missing=True)
    except Exception as exc:
        failed = run.ended("failed", stage_failure("tag", meeting, exc), {"tag": time.perf_counter() - started})
        return _settle(con, meeting, options, key, failed, manifest_path)
    reason = "; ".join(filter(None, [run.reason, note]))
    run = run.ended("unchanged", reason, {"tag": time.perf_counter() - started})
    return _settle(con, meeting, options, key, run, manifest_path, tags=rows)


def withdrawn_meetings(db_path: str | Path, manifest: Manifest, options: PipelineOptions) -> dict[str, str]:
    """Meetings whose consent is now withdrawn → what was done: purged (with ``purge_withdrawn``),
    or kept and reported. Runs before the batch opens the database: purging rewrites the file."""
    if not Path(db_path).exists():
        return {}
    con = connect(db_path)
    try:
        stored = {r[0] for r in con.execute("select meeting_id from meetings").fetchall()}
        # meetings withdrawn with `dialogic consent withdraw`: never computed again from the audio
        # the manifest still names
        withdrawn_before = {
            meeting_id: (reference, when)
            for meeting_id, reference, when in con.execute(
                "select meeting_id, reference, completed_at from consent_withdrawals "
                "where participant_id is null and state = 'complete' order by withdrawn_at"
            ).fetchall()
        }
    finally:
        con.close()
    done = {}
    for meeting in manifest.meetings:
        if meeting.id in withdrawn_before and meeting.id not in stored:
            reference, when = withdrawn_before[meeting.id]
            done[meeting.id] = (
                f"consent was withdrawn ({reference}, {when:%Y-%m-%d}): not processed again. Remove it from the "
                "manifest; a meeting recorded under new consent needs a new id"
            )
            continue
        if meeting.consent.status != "withdrawn" or meeting.id not in stored:
            continue
        if options.purge_withdrawn:
            reference = meeting.consent.reference or f"manifest {manifest.path}: consent withdrawn"
            removed = withdraw_meeting(db_path, meeting.id, reference, by="dialogic process --purge-withdrawn")
            done[meeting.id] = f"consent withdrawn: everything stored was removed ({sum(removed.values())} rows)"
        else:
            done[meeting.id] = (
                "consent withdrawn, but its stored data is still in the database: run again with "
                "--purge-withdrawn, or `dialogic consent withdraw`"
            )
    return done


# --- options -------------------------------------------------------------------------------------


def meeting_options(meeting: MeetingSpec, options: PipelineOptions) -> PipelineOptions:
    """The options for one meeting: its manifest ``language:`` overrides the batch's."""
    if meeting.language and meeting.language != options.transcription.language:
        return dataclasses.replace(
            options, transcription=dataclasses.replace(options.transcription, language=meeting.language)
        )
    return options


# --- a stored meeting ---------------------------------------------------------------------------


def stored_language(con: duckdb.DuckDBPyConnection, meeting_id: str) -> str | None:
    row = con.execute("select language from meetings where meeting_id = ?", [meeting_id]).fetchone()
    return row[0] if row else None


def tag_stored_meeting(con, meeting: MeetingSpec, options: PipelineOptions, *, only_if_missing: bool) -> int:
    """Tag a stored meeting with the options' tagger; with ``only_if_missing``, only when that
    version has no rows for it yet, or is the meeting's current version and some utterance lacks
    its rows (changed utterances that could not be tagged again when they changed); checked
    without loading the tagger. Returns the tag rows written."""
    from dialogic.store.derived import current_tagger_version
    from dialogic.tagging.artifacts import tagger_version

    if only_if_missing:
        version = tagger_version(options.tagger)
        has_rows, missing = con.execute(
            "select (select count(*) from tags where meeting_id = $m and model_version = $v), "
            "(select count(*) from utterances as u where u.meeting_id = $m and not exists "
            "(select 1 from tags as t where t.utterance_id = u.utterance_id and t.model_version = $v))",
            {"m": meeting.id, "v": version},
        ).fetchone()
        # a version with rows that is no longer the meeting's current one is left as it is: tagging
        # it again would make it current and switch the meeting's views back to it
        if has_rows and (not missing or current_tagger_version(con, meeting.id) != version):
            return 0
    # a meeting without speech (a silent recording) has nothing to tag: the tagger is not loaded
    if not con.execute("select count(*) from utterances where meeting_id = ?", [meeting.id]).fetchone()[0]:
        return 0
    # imported only now: the tagger module loads torch and transformers
    from dialogic.store.tags import tag_meeting
    from dialogic.tagging.tagger import load_tagger

    tagger = load_tagger(options.tagger)
    with torch_threads(cpu_threads(options)["tagging"]):
        return tag_meeting(con, meeting.id, tagger)
