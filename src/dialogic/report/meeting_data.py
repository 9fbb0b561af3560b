"""Read what one meeting's report shows, from the analytics views only (docs/sql.md).

Every query names the meeting and the columns it reads; the caller passes a connection (read-only
in the CLI) and gets `MeetingReportData`. A meeting whose consent does not cover analysis is
refused here, before any of its rows are read: the views already leave such meetings out (their
facts are never computed), and this check also holds when a scope changed since the last refresh.
"""

from __future__ import annotations

import duckdb

from dialogic.errors import ConsentError, LookupFailed, StoreError
from dialogic.people import display_name
from dialogic.report.view_rows import (
    Balance,
    EvidenceItem,
    Interruption,
    MeetingInfo,
    MeetingReportData,
    Option5,
    RoleShare,
    SdmCounts,
    TagHit,
    TagStatus,
    Transition,
    TurnTaking,
    Utterance,
    VoiceShare,
    WindowShare,
)
from dialogic.tagging.codebook import ROLE_RULES, TAGS

NOT_VALIDATED = "not validated on this study"  # the views' words when no report exists
OPTION5_ITEMS = (
    "item1_options_raised",
    "item2_deliberation_shared",
    "item3_options_revisited",
    "item4_preferences_elicited",
    "item5_preferences_used",
)


def rows(con: duckdb.DuckDBPyConnection, query: str, parameters: list | None = None) -> list[dict]:
    """The rows of ``query`` as dicts of column → value."""
    result = con.execute(query, parameters or [])
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def records(con: duckdb.DuckDBPyConnection, cls, query: str, parameters: list | None = None) -> list:
    """The rows of ``query`` as ``cls`` records; the query names exactly the record's fields."""
    return [cls(**row) for row in rows(con, query, parameters)]


def analysable_meeting_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Meetings with analysed utterances whose consent covers analysis, in id order."""
    return [
        r[0]
        for r in con.execute(
            """
            select meeting_id from turn_taking
            where meeting_id in (select meeting_id from analysable_meetings())
            order by meeting_id
            """
        ).fetchall()
    ]


def no_speech_meeting_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Analysable meetings whose last run was processed and found no speech (a silent recording,
    an empty transcript), in id order: nothing to report, and said so rather than left out."""
    return [
        r[0]
        for r in con.execute(
            """
            select m.meeting_id from meetings as m
            where m.meeting_id in (select meeting_id from analysable_meetings())
              and not exists (select 1 from utterances as u where u.meeting_id = m.meeting_id)
              and exists (select 1 from pipeline_runs as r where r.meeting_id = m.meeting_id and r.status = 'processed')
            order by m.meeting_id
            """
        ).fetchall()
    ]


def load_meeting(con: duckdb.DuckDBPyConnection, meeting_id: str) -> MeetingReportData:
    """Read one meeting's report data in one transaction (one consistent snapshot).

    Raises LookupFailed for an unknown meeting or one without analysed utterances, and
    ConsentError for a meeting whose consent does not cover analysis.
    """
    try:
        con.execute("begin transaction")
        try:
            return _load(con, meeting_id)
        finally:
            con.execute("rollback")
    except duckdb.Error as exc:
        raise StoreError(f"meeting {meeting_id!r}: cannot read the report's views: {exc}") from exc


def _load(con: duckdb.DuckDBPyConnection, meeting_id: str) -> MeetingReportData:
    meeting = _meeting(con, meeting_id)
    p = [meeting_id]
    voices = records(
        con,
        VoiceShare,
        """
        select voice_id, participant_id, role, speech_s, word_count, utterance_count, turn_count,
               speech_pct, words_pct, turns_pct, longest_turn_s, mean_turn_s, diarised_speech_s
        from voice_share_participant where meeting_id = ?
        order by speech_s desc nulls last, word_count desc, voice_id
        """,
        p,
    )
    roles = records(
        con,
        RoleShare,
        """
        select role, voice_count, speaking_voice_count, speech_s, word_count, turn_count,
               speech_pct, words_pct, turns_pct
        from voice_share_role where meeting_id = ?
        order by speech_s desc, role
        """,
        p,
    )
    windows = records(
        con,
        WindowShare,
        """
        select window_index, window_start_s, window_end_s, role, speech_s, speech_pct
        from voice_share_window where meeting_id = ?
        order by window_index, role
        """,
        p,
    )
    label_columns = ", ".join(f"{tag}_label" for tag in TAGS)
    utterances = [
        Utterance(
            utterance_id=row["utterance_id"],
            utterance_index=row["utterance_index"],
            voice_id=row["voice_id"],
            participant_id=row["participant_id"],
            role=row["role"],
            start_s=row["start_s"],
            end_s=row["end_s"],
            text=row["text"],
            tags=tuple(tag for tag in TAGS if row[f"{tag}_label"]),
        )
        for row in rows(
            con,
            f"""
            select utterance_id, utterance_index, voice_id, participant_id, role, start_s, end_s, text,
                   {label_columns}
            from utterances_tagged where meeting_id = ?
            order by start_s, utterance_index
            """,
            p,
        )
    ]
    tag_hits = records(
        con,
        TagHit,
        """
        select utterance_id, tag, role, start_s, end_s
        from stg_tag_hits where meeting_id = ?
        order by start_s, utterance_id, tag
        """,
        p,
    )
    tag_statuses = []
    if meeting.tagger_model_version is not None:
        tag_statuses = records(
            con,
            TagStatus,
            """
            select tagger_model_version, tag, sample_id, items, kappa, kappa_low, kappa_high, f1, validation_status
            from tag_validation_status where tagger_model_version = ?
            order by tag
            """,
            [meeting.tagger_model_version],
        )
    turn_taking = records(
        con,
        TurnTaking,
        """
        select meeting_min, turn_count, turns_per_min, gap_count, mean_gap_s, median_gap_s, longest_gap_s,
               overlap_count, overlap_s, interruption_count, interruptions_per_min
        from turn_taking where meeting_id = ?
        """,
        p,
    )[0]
    balance = records(
        con,
        Balance,
        """
        select voice_entropy_norm, voice_gini, role_entropy_norm, service_user_speech_pct,
               professional_speech_pct, lay_speech_pct, other_speech_pct, professional_to_lay_ratio
        from balance where meeting_id = ?
        """,
        p,
    )[0]
    transitions = records(
        con,
        Transition,
        """
        select from_role, to_role, transition_count, from_role_pct
        from role_transitions where meeting_id = ?
        order by from_role, to_role
        """,
        p,
    )
    interruptions = records(
        con,
        Interruption,
        """
        select interrupter_voice_id, interrupter_role, interrupted_voice_id, interrupted_role,
               overlap_count, interruption_count
        from interruptions where meeting_id = ?
        order by interruption_count desc, overlap_count desc, interrupter_voice_id, interrupted_voice_id
        """,
        p,
    )
    by_id = {u.utterance_id: u for u in utterances}
    return MeetingReportData(
        meeting=meeting,
        voices=voices,
        roles=roles,
        windows=windows,
        utterances=utterances,
        tag_hits=tag_hits,
        tag_statuses=tag_statuses,
        turn_taking=turn_taking,
        balance=balance,
        transitions=transitions,
        interruptions=interruptions,
        option5=_option5(con, meeting_id, by_id),
        sdm=_sdm_counts(con, meeting_id) if meeting.tagger_model_version is not None else None,
        names=_names(con, meeting_id),
        voice_share_errors=_voice_share_errors(con, meeting_id),
    )


def _voice_share_errors(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict:
    """Role → the error in its voice share in this meeting, from the latest speaker-check sample
    (an ``Estimate``, undefined with its reason where the sample cannot say); empty without one."""
    from dialogic.validation.speakers import speaker_validation

    v = speaker_validation(con)
    mine = next((m for m in v.meetings if m["meeting_id"] == meeting_id), None) if v is not None else None
    return {} if mine is None else {r.role: r.error for r in mine["roles"]}


def _names(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict[str, str]:
    """Each participant's voice id (their participant id) → ``people.display_name``."""
    return {
        pid: display_name(participant_id=pid, pseudonym=pseudonym, role=role, relation=relation, profession=profession)
        for pid, pseudonym, role, relation, profession in con.execute(
            "select participant_id, pseudonym, role, relation, profession from participants where meeting_id = ?",
            [meeting_id],
        ).fetchall()
    }


def _meeting(con: duckdb.DuckDBPyConnection, meeting_id: str) -> MeetingInfo:
    found = rows(
        con,
        """
        select m.meeting_id, m.site, m.recorded_on, m.duration_s, m.language, m.audio_path,
               m.consent_status, m.consent_scope,
               m.meeting_id in (select meeting_id from analysable_meetings()) as analysable,
               b.meeting_id is not null as analysed, b.consent_note, f.tagger_model_version
        from meetings as m
        left join balance as b on b.meeting_id = m.meeting_id
        left join sdm_options_discussed as f on f.meeting_id = m.meeting_id
        where m.meeting_id = ?
        """,
        [meeting_id],
    )
    if not found:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    row = found[0]
    if not row["analysable"]:
        raise ConsentError(
            f"meeting {meeting_id!r}: its consent does not cover analysis (status {row['consent_status']!r}, "
            f"scope {row['consent_scope']}); no report is written"
        )
    if not row["analysed"]:
        if meeting_id in no_speech_meeting_ids(con):
            raise LookupFailed(
                f"meeting {meeting_id!r} was processed and no speech was found in it (a silent recording or an "
                "empty transcript): there is nothing to report"
            )
        raise LookupFailed(
            f"meeting {meeting_id!r} has no analysed utterances yet (not processed, or its facts not refreshed)"
        )
    return MeetingInfo(
        meeting_id=row["meeting_id"],
        site=row["site"],
        recorded_on=row["recorded_on"],
        duration_s=row["duration_s"],
        language=row["language"],
        audio_path=row["audio_path"],
        consent_scope=list(row["consent_scope"] or []),
        consent_note=row["consent_note"],
        tagger_model_version=row["tagger_model_version"],
    )


def _option5(con: duckdb.DuckDBPyConnection, meeting_id: str, by_id: dict[str, Utterance]) -> Option5 | None:
    columns = ", ".join(f"{name}, item{n}_evidence_ids" for n, name in enumerate(OPTION5_ITEMS, start=1))
    found = rows(
        con,
        f"""
        select tagger_model_version, score_0_100, validation_status, {columns}
        from sdm_option5_proxy where meeting_id = ?
        """,
        [meeting_id],
    )
    if not found:
        return None
    row = found[0]
    items = []
    for n, name in enumerate(OPTION5_ITEMS, start=1):
        # The views keep evidence and counts consistent (sql/tests); an id that is not among the
        # meeting's utterances would be a broken database, and is said loudly, not skipped.
        missing = [i for i in row[f"item{n}_evidence_ids"] if i not in by_id]
        if missing:
            raise StoreError(f"meeting {meeting_id!r}: evidence of {name} names unknown utterances {missing}")
        items.append(EvidenceItem(n, name, row[name], [by_id[i] for i in row[f"item{n}_evidence_ids"]]))
    return Option5(row["tagger_model_version"], row["score_0_100"], items, row["validation_status"])


def _sdm_counts(con: duckdb.DuckDBPyConnection, meeting_id: str) -> list[SdmCounts]:
    """One row per codebook tag, in its order: the SDM view family (sdm_tags, sdm_tag_roles)."""
    by_role: dict[str, dict[str, tuple[int, float | None]]] = {}
    answered: dict[str, int] = {}
    for r in rows(
        con,
        """
        select tag, role, hit_count, per_speech_hour, answered_by_service_user_count
        from sdm_tag_roles where meeting_id = ?
        order by tag, role
        """,
        [meeting_id],
    ):
        by_role.setdefault(r["tag"], {})[r["role"]] = (r["hit_count"], r["per_speech_hour"])
        answered[r["tag"]] = answered.get(r["tag"], 0) + r["answered_by_service_user_count"]
    return [
        SdmCounts(
            tag=r["tag"],
            hit_count=r["hit_count"],
            by_professionals_count=r["by_professionals_count"],
            by_service_user_count=r["by_service_user_count"],
            by_network_count=r["by_network_count"],
            answered_by_service_user_count=answered.get(r["tag"], 0) if r["hit_count"] is not None else None,
            first_s=r["first_s"],
            candidate_count=r["candidate_count"],
            counts_for=ROLE_RULES.get(r["tag"]),
            by_role=by_role.get(r["tag"], {}),
            validation_status=r["validation_status"],
        )
        for r in rows(
            con,
            """
            select s.tag, s.hit_count, s.by_professionals_count, s.by_service_user_count, s.by_network_count,
                   s.first_s, s.candidate_count, s.validation_status
            from sdm_tags as s
            inner join codebook_tags() as c on c.tag = s.tag
            where s.meeting_id = ?
            order by c.tag_order
            """,
            [meeting_id],
        )
    ]
