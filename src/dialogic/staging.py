"""Computed meetings as files: a worker stages one set per meeting, the one writer loads it.

A staged set is a folder ``<staging>/<meeting_id>.<processing_key>/`` holding Parquet files (words,
utterances, turns, speakers, tags), ``meeting.json`` (the rest) and, written last, ``COMPLETE``:
the sha256 of every other file. A worker writes the set into ``.partial-<name>-<random>/`` and
renames it into place only once ``COMPLETE`` is on disk, so a worker killed while writing leaves a
partial folder that is never read (and is removed by the next batch), never a half set under the
final name. Reading checks every checksum, the meeting and the key: an altered or truncated set is
refused, not loaded.

The folder name holds the content key, so the same meeting computed twice (a retried task, a
resumed batch) lands on the same name: the second rename finds the first set and is dropped.

The sets hold health data (transcripts) outside the database: the writer removes each set once it
is stored, and a finished batch removes whatever is left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dialogic.errors import StagingError
from dialogic.files import sha256_file
from dialogic.options import DiarisationOptions, TranscriptionOptions
from dialogic.records import (
    AttributedWord,
    AudioSummary,
    ComputedMeeting,
    Diarisation,
    SpeakerTurn,
    TaggerRecord,
    Transcript,
    Utterance,
    Word,
)

FORMAT = 1
MARKER = "COMPLETE"
PARTIAL_PREFIX = ".partial-"
_ALWAYS = ("meeting.json", "words.parquet", "utterances.parquet", "turns.parquet", "speakers.parquet")
_TAGS = "tags.parquet"
_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.[0-9a-f]{64}")


def default_staging_dir(db_path: str | Path) -> Path:
    """Where a batch stages its meetings unless told otherwise: beside the database file."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".staging")


def staged_folder(root: str | Path, meeting_id: str, processing_key: str) -> Path:
    """The final folder of one meeting's set computed with ``processing_key``."""
    return Path(root) / f"{meeting_id}.{processing_key}"


def stage_meeting(root: str | Path, computed: ComputedMeeting) -> Path:
    """Write ``computed`` as a complete set under ``root`` and return its folder.

    Atomic: the set appears under its final name whole, with its ``COMPLETE`` checksums, or not at
    all. If a complete, valid set for the same meeting and key is already there, it is kept and this
    one dropped (a meeting staged twice is one set); an invalid one is replaced.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    final = staged_folder(root, computed.meeting_id, computed.processing_key)
    partial = root / f"{PARTIAL_PREFIX}{final.name}-{uuid.uuid4().hex[:12]}"
    partial.mkdir()
    try:
        checksums = _write_files(partial, computed)
        _write_synced(
            partial / MARKER,
            json.dumps(
                {
                    "format": FORMAT,
                    "meeting_id": computed.meeting_id,
                    "processing_key": computed.processing_key,
                    "files": checksums,
                },
                indent=1,
            ).encode(),
        )
        _sync_dir(partial)
        _move_into_place(partial, final, computed)
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # gone already unless this set was dropped or failed
    return final


def _move_into_place(partial: Path, final: Path, computed: ComputedMeeting) -> None:
    for _ in range(3):
        try:
            os.rename(partial, final)  # atomic; fails if ``final`` exists and is not empty
            _sync_dir(final.parent)
            return
        except OSError:
            if not final.exists():
                raise
        try:
            read_staged(final, meeting_id=computed.meeting_id, processing_key=computed.processing_key)
            return  # the same meeting and key, staged already: keep that one
        except StagingError:
            discard_set(final)  # altered or unreadable: this fresh set replaces it
    raise StagingError(f"{final}: could not be replaced by a fresh set")


def find_staged(root: str | Path, meeting_id: str, processing_key: str) -> Path | None:
    """A set for this meeting and key with its ``COMPLETE`` marker, or None (checksums are checked
    when it is read)."""
    folder = staged_folder(root, meeting_id, processing_key)
    return folder if (folder / MARKER).is_file() else None


def read_staged(folder: str | Path, *, meeting_id: str, processing_key: str) -> ComputedMeeting:
    """Read one set, refusing it (`StagingError`, naming the folder) unless it is complete, every
    file matches its checksum and it is the given meeting computed with the given key."""
    folder = Path(folder)
    try:
        marker = json.loads((folder / MARKER).read_text())
    except FileNotFoundError as exc:
        raise StagingError(f"{folder}: incomplete staged set (no {MARKER} marker): not loaded") from exc
    except (OSError, ValueError) as exc:
        raise StagingError(f"{folder}: unreadable {MARKER} marker: {exc}") from exc
    if marker.get("format") != FORMAT:
        raise StagingError(f"{folder}: staged set format {marker.get('format')!r}, expected {FORMAT}")
    if (marker.get("meeting_id"), marker.get("processing_key")) != (meeting_id, processing_key):
        raise StagingError(
            f"{folder}: holds meeting {marker.get('meeting_id')!r} with key {marker.get('processing_key')!r}, "
            f"expected {meeting_id!r} with key {processing_key!r}"
        )
    files: dict[str, str] = marker.get("files") or {}
    missing = [name for name in _ALWAYS if name not in files]
    if missing:
        raise StagingError(f"{folder}: {MARKER} lists no checksum for {', '.join(missing)}")
    for name, expected in files.items():
        if Path(name).name != name:
            raise StagingError(f"{folder}: {MARKER} names a file outside the set: {name!r}")
        try:
            actual = sha256_file(folder / name)
        except OSError as exc:
            raise StagingError(f"{folder}: cannot read {name}: {exc}") from exc
        if actual != expected:
            raise StagingError(f"{folder}/{name}: sha256 {actual} differs from {expected} in {MARKER}: not loaded")
    try:
        return _read_files(folder, files)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise StagingError(f"{folder}: staged set does not read back: {exc}") from exc


def discard_set(folder: str | Path) -> None:
    """Remove one set (after it is stored, or when it is refused)."""
    shutil.rmtree(folder, ignore_errors=True)


def remove_partial_sets(root: str | Path) -> list[Path]:
    """Remove the partial folders workers left when they died while writing; returns them."""
    root = Path(root)
    if not root.is_dir():
        return []
    partial = [p for p in root.iterdir() if p.name.startswith(PARTIAL_PREFIX)]
    for folder in partial:
        shutil.rmtree(folder, ignore_errors=True)
    return partial


def remove_all_sets(root: str | Path) -> None:
    """Remove every set and partial folder, and the staging folder if that leaves it empty."""
    root = Path(root)
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.is_dir() and (entry.name.startswith(PARTIAL_PREFIX) or _SET_NAME.fullmatch(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)
    try:
        root.rmdir()
    except OSError:
        pass  # something else lives there: leave it


# --- the files ----------------------------------------------------------------------------------


def _write_files(folder: Path, c: ComputedMeeting) -> dict[str, str]:
    word_utterance = [u.index for u in c.utterances for _ in u.words]
    if len(word_utterance) != len(c.words):
        raise StagingError(f"meeting {c.meeting_id}: {len(c.words)} words but utterances hold {len(word_utterance)}")
    tables = {
        "words.parquet": pa.table(
            {
                "word_index": pa.array(range(len(c.words)), pa.int32()),
                "utterance_index": pa.array(word_utterance, pa.int32()),
                "speaker": pa.array([w.speaker for w in c.words], pa.string()),
                "start_s": pa.array([w.word.start_s for w in c.words], pa.float64()),
                "end_s": pa.array([w.word.end_s for w in c.words], pa.float64()),
                "word": pa.array([w.word.word for w in c.words], pa.string()),
                "probability": pa.array([w.word.probability for w in c.words], pa.float64()),
            }
        ),
        "utterances.parquet": pa.table(
            {
                "utterance_index": pa.array([u.index for u in c.utterances], pa.int32()),
                "speaker": pa.array([u.speaker for u in c.utterances], pa.string()),
                "start_s": pa.array([u.start_s for u in c.utterances], pa.float64()),
                "end_s": pa.array([u.end_s for u in c.utterances], pa.float64()),
                "speaker_confidence": pa.array([u.speaker_confidence for u in c.utterances], pa.float64()),
                "tag_role": pa.array(
                    c.tag_roles if c.tag_roles is not None else [None] * len(c.utterances), pa.string()
                ),
            }
        ),
        "turns.parquet": _turns_table(c.diarisation),
        "speakers.parquet": pa.table(
            {
                "speaker": pa.array(c.diarisation.speakers, pa.string()),
                "embedding": pa.array(
                    [c.diarisation.embeddings.get(s) for s in c.diarisation.speakers], pa.list_(pa.float64())
                ),
            }
        ),
    }
    if c.tag_rows is not None:
        tables[_TAGS] = c.tag_rows
    checksums = {}
    for name, table in tables.items():
        pq.write_table(table, folder / name)
        checksums[name] = _sync_and_hash(folder / name)
    t = c.transcript
    meta = {
        "meeting_id": c.meeting_id,
        "processing_key": c.processing_key,
        "audio": {"path": str(c.audio.path), "sha256": c.audio.sha256, "duration_s": c.audio.duration_s},
        "transcript": {
            "language": t.language,
            "language_probability": t.language_probability,
            "model": t.model,
            "model_sha256": t.model_sha256,
        },
        "warnings": list(c.warnings),
        "reason": c.reason,
        "tag_failure": c.tag_failure,
        "tagged_with_roles": c.tag_roles is not None,
        "tagger": None if c.tagger is None else _tagger_json(c.tagger),
        "timings_s": c.timings_s,
    }
    _write_synced(folder / "meeting.json", json.dumps(meta, indent=1).encode())
    checksums["meeting.json"] = sha256_file(folder / "meeting.json")
    return checksums


def _turns_table(d: Diarisation) -> pa.Table:
    rows = [("overlap", i, t) for i, t in enumerate(d.turns)] + [
        ("exclusive", i, t) for i, t in enumerate(d.exclusive_turns)
    ]
    return pa.table(
        {
            "track": pa.array([r[0] for r in rows], pa.string()),
            "turn_index": pa.array([r[1] for r in rows], pa.int32()),
            "speaker": pa.array([r[2].speaker for r in rows], pa.string()),
            "start_s": pa.array([r[2].start_s for r in rows], pa.float64()),
            "end_s": pa.array([r[2].end_s for r in rows], pa.float64()),
        }
    )


def _tagger_json(tagger: TaggerRecord) -> dict:
    return {
        "model_version": tagger.model_version,
        "name": tagger.name,
        "version": tagger.version,
        "thresholds": tagger.thresholds,
        "precision": tagger.precision,
        "sha256": tagger.sha256,
        "manifest": tagger.manifest,
    }


def _read_files(folder: Path, files: dict[str, str]) -> ComputedMeeting:
    meta = json.loads((folder / "meeting.json").read_text())
    word_rows = pq.read_table(folder / "words.parquet").to_pylist()
    utterance_rows = pq.read_table(folder / "utterances.parquet").to_pylist()
    turn_rows = pq.read_table(folder / "turns.parquet").to_pylist()
    speaker_rows = pq.read_table(folder / "speakers.parquet").to_pylist()
    words = [
        AttributedWord(Word(r["start_s"], r["end_s"], r["word"], r["probability"]), r["speaker"])
        for r in sorted(word_rows, key=lambda r: r["word_index"])
    ]
    by_utterance: dict[int, list[Word]] = {}
    for row, word in zip(sorted(word_rows, key=lambda r: r["word_index"]), words):
        by_utterance.setdefault(row["utterance_index"], []).append(word.word)
    utterance_rows.sort(key=lambda r: r["utterance_index"])
    utterances = [
        Utterance(
            r["utterance_index"],
            r["speaker"],
            r["start_s"],
            r["end_s"],
            by_utterance.get(r["utterance_index"], []),
            r.get("speaker_confidence"),  # absent from meetings staged before it was kept
        )
        for r in utterance_rows
    ]

    def track(name: str) -> list[SpeakerTurn]:
        rows = sorted((r for r in turn_rows if r["track"] == name), key=lambda r: r["turn_index"])
        return [SpeakerTurn(r["speaker"], r["start_s"], r["end_s"]) for r in rows]

    diarisation = Diarisation(
        turns=track("overlap"),
        exclusive_turns=track("exclusive"),
        speakers=[r["speaker"] for r in speaker_rows],
        options=DiarisationOptions(),  # not stored; the processing key stands for the options
        embeddings={r["speaker"]: tuple(r["embedding"]) for r in speaker_rows if r["embedding"] is not None},
    )
    t = meta["transcript"]
    transcript = Transcript(
        words=[w.word for w in words],
        language=t["language"],
        model=t["model"],
        model_sha256=t["model_sha256"],
        options=TranscriptionOptions(),  # as above
        language_probability=t["language_probability"],
    )
    audio = meta["audio"]
    tagger = meta["tagger"]
    return ComputedMeeting(
        meeting_id=meta["meeting_id"],
        processing_key=meta["processing_key"],
        audio=AudioSummary(Path(audio["path"]), audio["sha256"], audio["duration_s"]),
        transcript=transcript,
        diarisation=diarisation,
        words=words,
        utterances=utterances,
        warnings=list(meta["warnings"]),
        reason=meta["reason"],
        tag_failure=meta["tag_failure"],
        tagger=None if tagger is None else TaggerRecord(**tagger),
        tag_rows=pq.read_table(folder / _TAGS) if _TAGS in files else None,
        tag_roles=[r["tag_role"] for r in utterance_rows] if meta["tagged_with_roles"] else None,
        timings_s=dict(meta["timings_s"]),
    )


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _sync_and_hash(path: Path) -> str:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
    return sha256_file(path)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
