"""The rows a report shows, as plain records read from the analytics views (no logic here).

Field names are the views' column names (docs/sql.md), so a record is one view row; units are in
the names (``start_s``, ``speech_pct``). ``None`` keeps the views' meaning: unknown or undefined
(an untagged meeting's SDM counts, a share of a meeting with no speech), never zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MeetingInfo:
    """One meeting's stored metadata (table ``meetings``) and its consent note (view ``balance``)."""

    meeting_id: str
    site: str | None
    recorded_on: dt.date | None
    duration_s: float | None
    language: str | None
    audio_path: str
    consent_scope: list[str]
    consent_note: str | None  # 'incomplete: the speech of N participant(s) was withdrawn', else None
    tagger_model_version: str | None  # the meeting's current tagger version; None while untagged


@dataclass(frozen=True)
class VoiceShare:
    """One row of ``voice_share_participant`` (meeting × voice)."""

    voice_id: str
    participant_id: str | None
    role: str
    speech_s: float
    word_count: int
    utterance_count: int
    turn_count: int
    speech_pct: float | None
    words_pct: float | None
    turns_pct: float | None
    longest_turn_s: float | None
    mean_turn_s: float | None
    diarised_speech_s: float | None = None  # turn time: speech with or without words (docs/sql.md)


@dataclass(frozen=True)
class RoleShare:
    """One row of ``voice_share_role`` (meeting × role)."""

    role: str
    voice_count: int
    speaking_voice_count: int
    speech_s: float
    word_count: int
    turn_count: int
    speech_pct: float | None
    words_pct: float | None
    turns_pct: float | None


@dataclass(frozen=True)
class WindowShare:
    """One row of ``voice_share_window`` (meeting × 2-minute window × role)."""

    window_index: int
    window_start_s: float
    window_end_s: float
    role: str
    speech_s: float
    speech_pct: float | None


@dataclass(frozen=True)
class Utterance:
    """One row of ``utterances_tagged``: who spoke when, what was said, the labels that count."""

    utterance_id: str
    utterance_index: int
    voice_id: str
    participant_id: str | None
    role: str
    start_s: float
    end_s: float
    text: str
    tags: tuple[str, ...]  # tags labelled true by the current version (the codebook's role rule applied)


@dataclass(frozen=True)
class TagHit:
    """One row of ``stg_tag_hits`` (utterance × tag labelled true by the current version)."""

    utterance_id: str
    tag: str
    role: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class TagStatus:
    """One row of ``tag_validation_status`` (tagger version × tag)."""

    tagger_model_version: str
    tag: str
    sample_id: str | None
    items: int | None
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    f1: float | None
    validation_status: str


@dataclass(frozen=True)
class TurnTaking:
    """The row of ``turn_taking`` for one meeting."""

    meeting_min: float | None
    turn_count: int
    turns_per_min: float | None
    gap_count: int
    mean_gap_s: float | None
    median_gap_s: float | None
    longest_gap_s: float | None
    overlap_count: int
    overlap_s: float
    interruption_count: int
    interruptions_per_min: float | None


@dataclass(frozen=True)
class Balance:
    """The row of ``balance`` for one meeting."""

    voice_entropy_norm: float | None
    voice_gini: float | None
    role_entropy_norm: float | None
    service_user_speech_pct: float
    professional_speech_pct: float
    lay_speech_pct: float
    other_speech_pct: float
    professional_to_lay_ratio: float | None


@dataclass(frozen=True)
class Transition:
    """One row of ``role_transitions``."""

    from_role: str
    to_role: str
    transition_count: int
    from_role_pct: float


@dataclass(frozen=True)
class Interruption:
    """One row of ``interruptions``."""

    interrupter_voice_id: str
    interrupter_role: str
    interrupted_voice_id: str
    interrupted_role: str
    overlap_count: int
    interruption_count: int


@dataclass(frozen=True)
class EvidenceItem:
    """One item of the OPTION-5-style indicator (``sdm_option5_proxy``) with its evidence."""

    number: int  # 1..5
    name: str  # the view's column, e.g. 'item1_options_raised'
    score: int  # 0..4 = min(len(evidence), 4)
    evidence: list[Utterance]


@dataclass(frozen=True)
class Option5:
    """The row of ``sdm_option5_proxy`` for one tagged meeting."""

    tagger_model_version: str
    score_0_100: float
    items: list[EvidenceItem]
    validation_status: str


@dataclass(frozen=True)
class SdmCounts:
    """One codebook tag's counts in one tagged meeting (sdm_tags and sdm_tag_roles), with its status.
    The counts are None when the meeting's tagger does not score the tag."""

    tag: str
    hit_count: int | None
    by_professionals_count: int | None
    by_service_user_count: int | None
    by_network_count: int | None
    answered_by_service_user_count: int | None  # hits whose next speaking turn is the service user's
    first_s: float | None
    candidate_count: int | None  # labels waiting on an unmapped speaker's role (tags with a rule by role)
    counts_for: tuple[str, ...] | None  # the codebook's rule by role; None: every role
    by_role: dict[str, tuple[int, float | None]]  # role -> (count, per speech hour)
    validation_status: str | None


@dataclass
class MeetingReportData:
    """Everything one meeting's report shows, read in one read-only transaction."""

    meeting: MeetingInfo
    voices: list[VoiceShare]
    roles: list[RoleShare]
    windows: list[WindowShare]
    utterances: list[Utterance]
    tag_hits: list[TagHit]
    tag_statuses: list[TagStatus]  # the current version's four tags; empty while untagged
    turn_taking: TurnTaking
    balance: Balance
    transitions: list[Transition]
    interruptions: list[Interruption]
    option5: Option5 | None  # None while untagged
    sdm: list[SdmCounts] | None  # one per codebook tag, in its order; None while untagged
    names: dict[str, str] = field(default_factory=dict)  # voice_id → people.display_name
    # role → the error in its voice share (as diarised − true) from the latest speaker-check
    # sample, this meeting as a domain of it (dialogic.validation.speakers); empty without one
    voice_share_errors: dict = field(default_factory=dict)

    def name(self, voice_id: str) -> str:
        """The voice's name as every output shows it (``Alex (service user)``); an unmapped
        voice keeps its id (``unmapped:SPEAKER_03``)."""
        return self.names.get(voice_id, voice_id)

    @property
    def unknown_speech_pct(self) -> float | None:
        """Share of speech by voices not mapped to a participant (role 'unknown'), or None."""
        return next((r.speech_pct for r in self.roles if r.role == "unknown"), None)


SMALL_N = 10  # below this many values a distribution is drawn as its points (a strip), never a box or band


@dataclass(frozen=True)
class Quantiles:
    """A distribution summarised in SQL: n, mean and the 5th, 25th, 50th, 75th, 95th percentiles."""

    group: str
    n: int
    mean: float | None
    q05: float | None
    q25: float | None
    median: float | None
    q75: float | None
    q95: float | None
    values: tuple[float, ...] = ()  # every value, in order, where n < SMALL_N: drawn as points, not a box

    @property
    def small(self) -> bool:
        """Too few values for a box or a band to mean anything: the values themselves are drawn."""
        return self.n < SMALL_N


@dataclass(frozen=True)
class VersionUse:
    """A tagger version that is some meetings' current version, with its validation on this study."""

    tagger_model_version: str
    meeting_count: int
    statuses: list[TagStatus]


@dataclass(frozen=True)
class ValidationFigure:
    """One row of ``validation_figures`` for the latest sample of a version in use."""

    sample_id: str
    tagger_model_version: str
    tag: str | None
    figure: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    reason: str | None


@dataclass(frozen=True)
class SiteSummary:
    """One site's meetings and medians (a site of None: meetings stored without a site)."""

    site: str | None
    meeting_count: int
    speech_h: float
    tagged_count: int
    incomplete_count: int  # consent note: a participant's speech was withdrawn
    unmapped_count: int  # meetings with speech by unmapped voices
    median_service_user_pct: float | None
    median_score_0_100: float | None  # over the site's tagged meetings


@dataclass(frozen=True)
class MeetingRow:
    """One meeting in the study's index (``--all``), with the figures that locate it."""

    meeting_id: str
    site: str | None
    recorded_on: dt.date | None
    meeting_min: float | None
    service_user_speech_pct: float | None
    unknown_speech_pct: float | None
    score_0_100: float | None
    tagger_model_version: str | None
    consent_note: str | None


@dataclass
class StudyReportData:
    """Everything the study report shows, aggregated in SQL over the analysable meetings."""

    meeting_count: int  # analysable meetings with utterances
    stored_count: int  # every meeting stored
    not_analysable_count: int  # stored, consent not covering analysis: left out
    pending_count: int  # analysable, no utterances yet
    tagged_count: int
    incomplete_count: int
    unmapped_count: int
    speech_h: float
    first_date: dt.date | None
    last_date: dt.date | None
    undated_count: int
    sites: list[SiteSummary]
    meetings_per_month: list[tuple[dt.date, str | None, int]]  # (month, site, meetings)
    role_share: list[Quantiles]  # speech_pct by role, over meetings where the role is registered or spoke
    service_user_share_by_site: list[Quantiles]
    service_user_share_by_month: list[Quantiles]  # group = 'YYYY-MM'
    unknown_share: Quantiles  # speech_pct of unmapped voices over meetings where they spoke
    turns_per_min_by_site: list[Quantiles]
    interruptions_per_min_by_site: list[Quantiles]
    score_histogram: list[tuple[str, float, int]]  # (tagger version, bin start 0..100 step 5, meetings)
    score_by_site: list[Quantiles]
    tag_rates: list[tuple[str, str, str, int, float]]  # (version, tag, role, hits, per speech hour)
    versions: list[VersionUse]
    validation_figures: list[ValidationFigure]
    meetings: list[MeetingRow] = field(default_factory=list)  # filled only when the index is asked for
    # the latest speaker-check sample's voice-share error per role (dialogic.validation.speakers)
    speaker_checks: object | None = None
