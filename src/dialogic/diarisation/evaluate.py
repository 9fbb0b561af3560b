"""Score a diarisation against a reference: DER and its parts, speaker count, voice-share error.

Pure functions over pyannote.core annotations; no model is loaded here. Conventions:

* DER is pyannote.metrics' ``DiarizationErrorRate`` with no collar and overlapped speech scored,
  over the reference UEM (the whole file when there is none). Its parts (missed detection, false
  alarm, confusion) are reported both in seconds and as fractions of the reference speech.
* A speaker's **voice share** is its speech time (inside the UEM, overlaps counted for each
  speaker) over the sum of all speakers' speech time. For every reference speaker the share is
  compared with that of the hypothesis speaker pyannote.metrics' optimal mapping gives it; a
  reference speaker left unmatched counts as 0 %. The figure reported is the largest absolute
  difference, in percentage points.
* Pooling over clips: DER and its parts are summed errors over summed reference speech (not a
  mean of rates), so long clips weigh more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyannote.core import Annotation, Segment, Timeline


class _ErrorRates:
    """DER and its parts as rates of the reference speech, for scores holding the seconds."""

    total_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float

    @property
    def error_s(self) -> float:
        return self.missed_s + self.false_alarm_s + self.confusion_s

    @property
    def der(self) -> float:
        return _rate(self.error_s, self.total_s)

    @property
    def missed(self) -> float:
        return _rate(self.missed_s, self.total_s)

    @property
    def false_alarm(self) -> float:
        return _rate(self.false_alarm_s, self.total_s)

    @property
    def confusion(self) -> float:
        return _rate(self.confusion_s, self.total_s)


@dataclass(frozen=True)
class ClipScore(_ErrorRates):
    """One clip's scores. Seconds are inside the UEM; rates are over ``total_s``."""

    uri: str
    total_s: float  # reference speech, overlaps counted per speaker
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    speakers_reference: int
    speakers_hypothesis: int
    voice_share_error_pts: float  # largest |reference share - mapped hypothesis share|, in points
    shares: dict[str, tuple[float, float]] = field(default_factory=dict)  # ref speaker -> (ref %, hyp %)
    mapping: dict[str, str] = field(default_factory=dict)  # hypothesis label -> reference label

    @property
    def count_right(self) -> bool:
        return self.speakers_hypothesis == self.speakers_reference

    @property
    def speech_detected(self) -> bool:
        return self.speakers_hypothesis > 0


@dataclass(frozen=True)
class PooledScore(_ErrorRates):
    clips: int
    total_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    count_right: int
    worst_voice_share_error_pts: float  # over clips where any speech was detected
    mean_voice_share_error_pts: float  # same clips


def _rate(numerator: float, denominator: float) -> float:
    if denominator > 0:
        return numerator / denominator
    return 0.0 if numerator == 0 else float("inf")


def load_reference(rttm: str | Path, uem: str | Path | None = None) -> tuple[Annotation, Timeline | None]:
    """The one annotation in ``rttm`` and, if given, the one timeline in ``uem``."""
    from pyannote.database.util import load_rttm, load_uem

    annotations = load_rttm(str(rttm))
    if len(annotations) != 1:
        raise ValueError(f"{rttm}: expected one file's annotation, found {len(annotations)}")
    ((uri, reference),) = annotations.items()
    timeline = None
    if uem is not None:
        timelines = load_uem(str(uem))
        if uri not in timelines:
            raise ValueError(f"{uem}: no scored region for {uri!r}")
        timeline = timelines[uri]
    return reference, timeline


def turns_to_annotation(turns: Iterable, uri: str = "hypothesis") -> Annotation:
    """An annotation from objects with ``speaker``, ``start_s`` and ``end_s`` (e.g. SpeakerTurn)."""
    annotation = Annotation(uri=uri)
    for turn in turns:
        if turn.end_s > turn.start_s:
            annotation[Segment(turn.start_s, turn.end_s), annotation.new_track(Segment(turn.start_s, turn.end_s))] = (
                turn.speaker
            )
    return annotation


def speech_by_speaker(annotation: Annotation, uem: Timeline | None = None) -> dict[str, float]:
    """Seconds of speech per label (inside ``uem`` when given); overlapping turns of one label count once."""
    if uem is not None:
        annotation = annotation.crop(uem, mode="intersection")
    return {label: annotation.label_timeline(label).support().duration() for label in annotation.labels()}


def voice_shares(annotation: Annotation, uem: Timeline | None = None) -> dict[str, float]:
    """Each label's share of all speech, in percent (overlaps counted for each speaker)."""
    speech = speech_by_speaker(annotation, uem)
    total = sum(speech.values())
    return {label: (100.0 * s / total if total > 0 else 0.0) for label, s in speech.items()}


def voice_share_errors(
    reference: Annotation, hypothesis: Annotation, mapping: dict, uem: Timeline | None = None
) -> dict[str, tuple[float, float]]:
    """Reference speaker -> (its share %, share % of the hypothesis speaker mapped to it, else 0)."""
    ref = voice_shares(reference, uem)
    hyp = voice_shares(hypothesis, uem)
    mapped = {r: h for h, r in mapping.items()}
    return {
        speaker: (share, hyp.get(mapped[speaker], 0.0) if speaker in mapped else 0.0) for speaker, share in ref.items()
    }


def score(
    reference: Annotation, hypothesis: Annotation, uem: Timeline | None = None, uri: str | None = None
) -> ClipScore:
    """DER and its parts (no collar, overlaps scored, over ``uem``), speaker counts and the
    largest voice-share error of ``hypothesis`` against ``reference``."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    if uem is None:
        uem = (reference.get_timeline() | hypothesis.get_timeline()).extent()
        uem = Timeline([uem]) if uem.duration > 0 else Timeline([Segment(0, 0)])
    metric = DiarizationErrorRate(collar=0.0, skip_overlap=False)
    details = metric(reference, hypothesis, uem=uem, detailed=True)
    cropped_ref = reference.crop(uem, mode="intersection")
    cropped_hyp = hypothesis.crop(uem, mode="intersection")
    mapping = metric.optimal_mapping(cropped_ref, cropped_hyp) if cropped_hyp.labels() else {}
    shares = voice_share_errors(cropped_ref, cropped_hyp, mapping)
    worst = max((abs(r - h) for r, h in shares.values()), default=0.0)
    return ClipScore(
        uri=uri or reference.uri or "clip",
        total_s=float(details["total"]),
        missed_s=float(details["missed detection"]),
        false_alarm_s=float(details["false alarm"]),
        confusion_s=float(details["confusion"]),
        speakers_reference=len(cropped_ref.labels()),
        speakers_hypothesis=len(cropped_hyp.labels()),
        voice_share_error_pts=worst,
        shares=shares,
        mapping={str(h): str(r) for h, r in mapping.items()},
    )


def pool(scores: Iterable[ClipScore]) -> PooledScore:
    """Summed errors over summed reference speech; count right n of N; voice-share error over the
    clips where the hypothesis has any speech."""
    scores = list(scores)
    detected = [s.voice_share_error_pts for s in scores if s.speech_detected]
    return PooledScore(
        clips=len(scores),
        total_s=sum(s.total_s for s in scores),
        missed_s=sum(s.missed_s for s in scores),
        false_alarm_s=sum(s.false_alarm_s for s in scores),
        confusion_s=sum(s.confusion_s for s in scores),
        count_right=sum(s.count_right for s in scores),
        worst_voice_share_error_pts=max(detected, default=0.0),
        mean_voice_share_error_pts=sum(detected) / len(detected) if detected else 0.0,
    )
