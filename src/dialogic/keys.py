"""Processing keys: a content hash of everything that can change a meeting's stored rows.

A meeting stored under the same key is unchanged and is not computed again; the key needs only
the files' hashes and the model manifests, so it is made without decoding audio or loading a model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from dialogic.audio import audio_sha256
from dialogic.cores import cpu_threads
from dialogic.diarisation.diarise import diarisation_model_records
from dialogic.errors import TranscriptError
from dialogic.files import sha256_file
from dialogic.manifest import MeetingSpec
from dialogic.options import PipelineOptions
from dialogic.transcribe import ASR_DECODING, resolve_asr_model

# Bumped when a transcript reader or the name matching changes what an imported file gives, so
# that stored imports are read again.
TRANSCRIPT_READER_VERSION = 1


@dataclass(frozen=True)
class MeetingKey:
    """What a meeting's rows are computed from, hashed: its files and its models."""

    processing_key: str
    audio_sha256: str | None  # None: an imported transcript without a recording
    transcript_sha256: str | None  # of an imported transcript
    models: tuple[dict, ...]  # name, kind and weight hashes of the models (none for an import)


def meeting_key(meeting: MeetingSpec, options: PipelineOptions) -> MeetingKey:
    """Hash the meeting's audio (or its imported transcript) and name the models the options select."""
    audio = audio_sha256(meeting.audio) if meeting.audio is not None else None
    if meeting.transcript is None:
        models = model_records(options)
        return MeetingKey(processing_key(audio, options, models), audio, None, tuple(models))
    try:
        transcript = sha256_file(meeting.transcript)
    except OSError as exc:
        raise TranscriptError(f"{meeting.transcript}: cannot read the transcript: {exc.strerror or exc}") from exc
    return MeetingKey(import_processing_key(transcript, audio, meeting, options), audio, transcript, ())


def options_record(options: PipelineOptions) -> dict:
    """The options that shape a meeting's derived rows: hashed into its processing key and stored
    with its run."""
    return {
        "transcription": asdict(options.transcription),
        "diarisation": asdict(options.diarisation),
        "align": asdict(options.align),
        "speaker_hint": options.speaker_hint,
        "cpu_threads": cpu_threads(options),
    }


def import_record(meeting: MeetingSpec, options: PipelineOptions) -> dict:
    """What shapes an imported meeting's rows: the readers' version, the meeting's language (from
    the manifest or --language) and the participants' names that speakers are matched against.
    Hashed into its processing key and stored with its run."""
    return {
        "transcript_reader": TRANSCRIPT_READER_VERSION,
        "language": options.transcription.language,
        "participant_names": [[p.id, p.pseudonym, p.person, p.relation, p.profession] for p in meeting.participants],
    }


def import_processing_key(
    transcript_sha256: str, audio_sha256: str | None, meeting: MeetingSpec, options: PipelineOptions
) -> str:
    """Content hash of what produced an imported meeting's rows: the transcript (and recording)
    and `import_record`."""
    payload = {"transcript": transcript_sha256, "audio": audio_sha256, **import_record(meeting, options)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# Options added after meetings were first stored, with the value that reproduces what ran before
# them: at that value they stay out of the key, so adding an option does not send every stored
# meeting to be processed again; any other value is in the key (and every value in the run record).
KEY_NEUTRAL = {"transcription": {"batch_size": 0}}


def processing_key(audio_sha256: str, options: PipelineOptions, model_records: list[dict]) -> str:
    """Content hash of what produced a meeting's derived rows: audio, models, weights and options
    (less a later option left at the value that gives the output it gave before: `KEY_NEUTRAL`)."""
    record = options_record(options)
    for group, neutral in KEY_NEUTRAL.items():
        record[group] = {k: v for k, v in record[group].items() if neutral.get(k, object()) != v}
    payload = {"audio": audio_sha256, "models": model_records, **record}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def model_records(options: PipelineOptions) -> list[dict]:
    """Name, version and weight hashes of the ASR and diarisation models the options select."""
    _, asr_sha = resolve_asr_model(options.transcription.model)
    return [
        {"name": options.transcription.model, "kind": "asr", "sha256": asr_sha, "decoding": ASR_DECODING},
        *diarisation_model_records(options.diarisation),
    ]
