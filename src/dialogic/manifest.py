"""Meeting manifests (YAML) and the consent gate.

A manifest lists meetings; each names its audio, a human transcript of it, or both (paths
relative to the manifest), its consent and its participants. A broken meeting entry is reported with the reason and does not stop the others;
a manifest that cannot be read at all raises ManifestError naming the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dialogic.errors import ConsentError, DialogicError, ManifestError

ROLES = ("service_user", "network", "clinician", "peer", "other")
CONSENT_PURPOSES = ("transcribe", "analyse", "review")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Participant:
    id: str
    role: str
    pseudonym: str | None = None
    relation: str | None = None
    profession: str | None = None
    person: str | None = None  # stable key for the same person across meetings (their voice is enrolled)


@dataclass(frozen=True)
class Consent:
    status: str
    scope: tuple[str, ...]
    reference: str | None = None


@dataclass(frozen=True)
class MeetingSpec:
    id: str
    audio: Path | None  # None: a transcript without its recording
    consent: Consent
    participants: tuple[Participant, ...]
    recorded_on: dt.date | None = None
    site: str | None = None
    language: str | None = None  # spoken language (ISO 639-1, e.g. 'de'); None: detect, or --language
    transcript: Path | None = None  # a human transcript (VTT, SRT, EAF, TextGrid, CSV/TSV, text)

    @property
    def source(self) -> str:
        """Where the meeting's utterances come from: ``audio`` (speech recognition and diarisation),
        ``transcript`` (an imported transcript alone) or ``audio+transcript`` (the transcript's
        utterances, the recording for the meeting's duration and the review app's clips)."""
        if self.transcript is None:
            return "audio"
        return "transcript" if self.audio is None else "audio+transcript"

    @property
    def source_file(self) -> Path:
        """The file the meeting's utterances are read from."""
        return self.transcript if self.transcript is not None else self.audio


@dataclass(frozen=True)
class ManifestProblem:
    meeting: str  # the meeting id, or "meetings[i]" when it has none
    reason: str


@dataclass
class Manifest:
    path: Path
    meetings: list[MeetingSpec] = field(default_factory=list)
    problems: list[ManifestProblem] = field(default_factory=list)


class _ManifestLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key repeated in one mapping (YAML lets the last one win silently),
    leaves dates as text for the manifest's own check (``2026-02-30`` is a bad date of one meeting,
    not a file that cannot be read), and remembers the line of every mapping."""

    lines: dict[int, int]

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in one entry (lines {seen[key] + 1} and "
                    f"{key_node.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        mapping = super().construct_mapping(node, deep=deep)
        self.lines[id(mapping)] = node.start_mark.line + 1
        return mapping

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_alias_expansion(node)
        return node


# Anchors and aliases (`consent: &given {...}` then `consent: *given`) are welcome; an alias bomb
# (an alias of a list of aliases of lists of aliases …) is not: expanded, a 1 kB file becomes
# billions of entries. The aliases of a manifest may add at most this many entries to it.
MAX_ALIAS_EXPANSION = 100_000


def _check_alias_expansion(root: yaml.Node) -> None:
    """Raise yaml.YAMLError when the aliases of ``root`` expand to more than
    `MAX_ALIAS_EXPANSION` entries beyond those written, or refer to themselves."""
    expanded: dict[int, int] = {}
    distinct: set[int] = set()

    def size(node: yaml.Node, visiting: frozenset[int]) -> int:
        key = id(node)
        if key in visiting:
            raise yaml.YAMLError(f"line {node.start_mark.line + 1}: an alias refers to the entry that holds it")
        distinct.add(key)
        if key not in expanded:
            children = node.value if isinstance(node.value, list) else []
            inner = visiting | {key}
            total = 1
            for child in children:
                for part in child if isinstance(child, tuple) else (child,):
                    total += size(part, inner)
                    if total > MAX_ALIAS_EXPANSION + len(distinct):
                        break
            expanded[key] = total
        if expanded[key] > MAX_ALIAS_EXPANSION + len(distinct):
            raise yaml.YAMLError(
                f"line {node.start_mark.line + 1}: its anchors and aliases expand to more than "
                f"{MAX_ALIAS_EXPANSION:,} entries (an alias bomb?); write the entries out instead"
            )
        return expanded[key]

    size(root, frozenset())


_ManifestLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_ManifestLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _ManifestLoader.construct_mapping)


def _read_text(path: Path) -> str:
    """The manifest's text: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ManifestError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the manifest as UTF-8"
        ) from exc


def load_manifest(path: str | Path, *, allow_outside: bool = False) -> Manifest:
    """Read and validate a manifest; invalid meetings land in ``problems`` (with their line),
    valid ones in ``meetings``. Audio and transcripts must lie inside the manifest's folder unless
    ``allow_outside``."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: no such manifest file")
    loader = _ManifestLoader(_read_text(path))
    loader.lines = {}
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(data.get("meetings"), list):
        raise ManifestError(f"{path}: expected a mapping with a 'meetings' list")
    manifest = Manifest(path=path.resolve())
    seen: set[str] = set()
    for i, entry in enumerate(data["meetings"]):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else f"meetings[{i}]"
        try:
            meeting = parse_meeting(entry, manifest.path.parent, allow_outside=allow_outside)
        except ManifestError as exc:
            line = loader.lines.get(id(entry))
            manifest.problems.append(ManifestProblem(label, f"{path}" + (f":{line}" if line else "") + f": {exc}"))
            continue
        if meeting.id in seen:
            manifest.problems.append(ManifestProblem(meeting.id, f"duplicate meeting id {meeting.id!r} in {path}"))
            continue
        seen.add(meeting.id)
        manifest.meetings.append(meeting)
    return manifest


def parse_meeting(entry: object, base: Path, *, allow_outside: bool = False) -> MeetingSpec:
    """Validate one meeting entry; raises ManifestError naming every problem it has (``; ``
    between them), so that a broken entry is fixed in one pass, not one error per run."""
    if not isinstance(entry, dict):
        raise ManifestError("meeting entry must be a mapping")
    problems: list[str] = []

    def check(step) -> object:
        try:
            return step()
        except ManifestError as exc:
            problems.append(str(exc))
            return None

    unknown = set(entry) - {"id", "audio", "transcript", "recorded_on", "site", "language", "consent", "participants"}
    if unknown:
        problems.append(f"unknown field(s): {', '.join(sorted(unknown))}")
    meeting_id = entry.get("id")
    if not isinstance(meeting_id, str) or not _ID.match(meeting_id):
        problems.append(f"id must be 1–64 letters, digits, '.', '_' or '-', got {meeting_id!r}")
    if entry.get("audio") is None and entry.get("transcript") is None:
        problems.append("give audio (the recording), transcript (a human transcript of it), or both")
    audio_path = None
    if entry.get("audio") is not None:
        audio_path = check(lambda: _input_file(entry["audio"], "audio", base, allow_outside))
    transcript_path = None
    if entry.get("transcript") is not None:
        transcript_path = check(lambda: _transcript_file(entry["transcript"], base, allow_outside))

    recorded_on = entry.get("recorded_on")
    if recorded_on is not None and not isinstance(recorded_on, dt.date):
        try:
            recorded_on = dt.date.fromisoformat(str(recorded_on))
        except ValueError:
            problems.append(f"recorded_on must be a date (YYYY-MM-DD), got {recorded_on!r}")

    language = entry.get("language")
    if language is not None and not (isinstance(language, str) and _LANGUAGE.match(language)):
        problems.append(f"language must be a two- or three-letter language code such as 'en' or 'de', got {language!r}")

    consent = entry.get("consent")
    scope: list = []
    if not isinstance(consent, dict) or "status" not in consent:
        problems.append("consent with a status is required")
    else:
        scope = consent.get("scope") or []
        if not isinstance(scope, list) or not all(isinstance(s, str) for s in scope):
            problems.append("consent.scope must be a list")
            scope = []
        bad_scope = [s for s in scope if s not in CONSENT_PURPOSES]
        if bad_scope:
            problems.append(f"unknown consent scope {bad_scope}, expected some of: {', '.join(CONSENT_PURPOSES)}")

    raw_participants = entry.get("participants")
    participants = []
    if not isinstance(raw_participants, list) or not raw_participants:
        problems.append("participants must be a non-empty list")
        raw_participants = []
    for p in raw_participants:
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            problems.append(f"participant must be a mapping with an id, got {p!r}")
            continue
        role = p.get("role")
        if role not in ROLES:
            problems.append(f"participant {p['id']!r}: unknown role {role!r}, expected one of: {', '.join(ROLES)}")
        extra = set(p) - {"id", "role", "pseudonym", "relation", "profession", "person"}
        if extra:
            problems.append(f"participant {p['id']!r}: unknown field(s): {', '.join(sorted(extra))}")
        participants.append(
            Participant(
                p["id"],
                role,
                *(None if p.get(k) is None else str(p[k]) for k in ("pseudonym", "relation", "profession", "person")),
            )
        )
    ids = [p.id for p in participants]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        problems.append(f"duplicate participant id(s): {', '.join(duplicated)}")
    if problems:
        raise ManifestError("; ".join(problems))

    return MeetingSpec(
        id=meeting_id,
        audio=audio_path,
        transcript=transcript_path,
        consent=Consent(
            str(consent["status"]),
            tuple(scope),
            None if consent.get("reference") is None else str(consent["reference"]),
        ),
        participants=tuple(participants),
        recorded_on=recorded_on,
        site=None if entry.get("site") is None else str(entry["site"]),
        language=language,
    )


def _transcript_file(value: object, base: Path, allow_outside: bool) -> Path:
    """A meeting's transcript file (``_input_file``) in a format dialogic reads."""
    from dialogic.transcript_import import transcript_format

    path = _input_file(value, "transcript", base, allow_outside)
    try:
        transcript_format(path)
    except DialogicError as exc:
        raise ManifestError(str(exc)) from exc
    return path


def _input_file(value: object, field_name: str, base: Path, allow_outside: bool) -> Path:
    """A meeting's audio or transcript file: a path relative to the manifest, inside its folder
    unless ``allow_outside``, that exists."""
    what = "the recording" if field_name == "audio" else "the transcript file"
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{field_name} must be a path to {what}")
    path = (base / value).resolve()
    if not allow_outside and not path.is_relative_to(base.resolve()):
        raise ManifestError(
            f"{field_name} {value!r} lies outside the manifest's folder {base}: move it there, or pass --allow-outside"
        )
    if not path.is_file():
        raise ManifestError(f"{field_name} file not found: {path}")
    return path


def check_consent(meeting: MeetingSpec, purpose: str = "transcribe") -> None:
    """Raise ConsentError unless the meeting's consent is given and covers ``purpose``."""
    if meeting.consent.status != "given":
        raise ConsentError(f"meeting {meeting.id}: consent status is {meeting.consent.status!r}, not 'given'")
    if purpose not in meeting.consent.scope:
        raise ConsentError(
            f"meeting {meeting.id}: consent scope {list(meeting.consent.scope)} does not include {purpose!r}"
        )
