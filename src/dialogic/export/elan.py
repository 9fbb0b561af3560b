"""ELAN (.eaf): a tier per person, a tier per tag, and the recording linked as media."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from dialogic.export.text import xml_safe
from dialogic.export.tiers import speech_tiers, tag_tiers
from dialogic.export.transcript import MeetingTranscript

SPEECH_TYPE = "utterance"
TAG_TYPE = "tag"

# ELAN's own media types (its MediaDescriptor): WAV and a few video containers by name, any other
# audio as audio/*.
_MIME_TYPES = {
    "wav": "audio/x-wav",
    "mpg": "video/mpeg",
    "mpeg": "video/mpeg",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}


def media_urls(audio_path: str, output_path: Path | None) -> tuple[str, str | None]:
    """``(MEDIA_URL, RELATIVE_MEDIA_URL)`` for the stored audio path. An absolute path becomes a
    ``file:`` URI and, when the export's own path is known, also a path relative to it (ELAN
    tries that one when the URI is not found, so the pair survives moving both files together).
    A relative stored path is kept as it is, read relative to the export."""
    path = Path(audio_path)
    if not path.is_absolute():
        relative = PurePosixPath(path.as_posix())
        return str(relative), f"./{relative}"
    if output_path is None:
        return path.as_uri(), None
    try:
        relative = PurePosixPath(Path(os.path.relpath(path, Path(output_path).resolve().parent)).as_posix())
    except ValueError:  # another drive (Windows): no relative path exists
        return path.as_uri(), None
    return path.as_uri(), str(relative) if str(relative).startswith("..") else f"./{relative}"


def mime_type(audio_path: str) -> str:
    return _MIME_TYPES.get(Path(audio_path).suffix.lower().lstrip("."), "audio/*")


def render_eaf(transcript: MeetingTranscript, output_path: Path | None = None) -> str:
    """The meeting as an ELAN annotation document (EAF 2.8, written by pympi): the speech tiers
    (``tiers.speech_tiers``; each tier's PARTICIPANT is the participant id, or the label while
    unmapped), the tag tiers (``tiers.tag_tiers``), the recording as linked media
    (``media_urls``; ``output_path`` is where the file will be written; none for a meeting
    without a recording), and the meeting id, the
    tagger version, its validation status and the consent note as header properties."""
    from pympi import Elan

    eaf = Elan.Eaf(author="dialogic")
    eaf.remove_tier("default")
    eaf.add_linguistic_type(SPEECH_TYPE)
    eaf.add_linguistic_type(TAG_TYPE)
    if transcript.audio_path:  # a meeting imported from a transcript alone has no recording to link
        media_url, relative_url = media_urls(transcript.audio_path, output_path)
        eaf.add_linked_file(media_url, relpath=relative_url, mimetype=mime_type(transcript.audio_path))
    eaf.add_property("dialogic:meeting_id", transcript.meeting_id)
    if transcript.tagger_model_version:
        eaf.add_property("dialogic:tagger", transcript.tagger_model_version)
        eaf.add_property("dialogic:validation_status", transcript.validation_status)
    if transcript.consent_note:
        eaf.add_property("dialogic:consent_note", transcript.consent_note)
    adjusted = 0
    for tier, ling in [
        *((t, SPEECH_TYPE) for t in speech_tiers(transcript)),
        *((t, TAG_TYPE) for t in tag_tiers(transcript)),
    ]:
        name = xml_safe(tier.name)
        eaf.add_tier(name, ling=ling, part=tier.participant)
        adjusted += tier.adjusted
        for interval in tier.intervals:
            eaf.add_annotation(name, interval.start_ms, interval.end_ms, xml_safe(interval.text))
    # ELAN numbers the annotations a user adds from this property; pympi leaves it at 0
    eaf.properties = [
        ("lastUsedAnnotation", eaf.maxaid if eaf.annotations else 0) if key == "lastUsedAnnotation" else (key, value)
        for key, value in eaf.properties
    ]
    if adjusted:
        eaf.add_property(
            "dialogic:overlaps_adjusted", f"{adjusted} annotations clipped or merged so that none overlap on a tier"
        )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + Elan.to_string(eaf, pretty=True) + "\n"
