"""Read what the study report shows: distributions over meetings, aggregated in SQL.

Over 10,000 meetings the report must stay interactive, so nothing here loops over meetings in
Python: one temporary table holds one row per analysable meeting (read from the views), and every
distribution is a ``group by`` over it or over ``voice_share_role`` / ``stg_tag_hits``, returning
counts and quantiles (5th, 25th, 50th, 75th, 95th percentile) for the plots to draw.

Only meetings whose consent covers analysis (``analysable_meetings()``) and that have analysed
utterances are counted; the others are only counted, never shown.
"""

from __future__ import annotations

import duckdb

from dialogic.errors import StoreError
from dialogic.report.meeting_data import TAGS, records, rows
from dialogic.report.view_rows import (
    SMALL_N,
    MeetingRow,
    Quantiles,
    SiteSummary,
    StudyReportData,
    TagStatus,
    ValidationFigure,
    VersionUse,
)

_SCOPE = "temp.report_scope"

# One row per analysable meeting with utterances, every figure read from its view.
_SCOPE_SQL = f"""
create or replace temp table {_SCOPE.split(".")[1]} as
select
    t.meeting_id,
    m.site,
    m.recorded_on,
    date_trunc('month', m.recorded_on)::date as month,
    t.meeting_min,
    t.turns_per_min,
    t.interruptions_per_min,
    b.speech_s,
    b.service_user_speech_pct,
    u.speech_pct as unknown_speech_pct,
    b.consent_note,
    o.tagger_model_version,
    p.score_0_100
from turn_taking as t
inner join meetings as m on m.meeting_id = t.meeting_id
inner join balance as b on b.meeting_id = t.meeting_id
inner join sdm_options_discussed as o on o.meeting_id = t.meeting_id
left join sdm_option5_proxy as p on p.meeting_id = t.meeting_id
left join voice_share_role as u on u.meeting_id = t.meeting_id and u.role = 'unknown'
where t.meeting_id in (select meeting_id from analysable_meetings())
"""


def load_study(con: duckdb.DuckDBPyConnection, *, with_meetings: bool = False) -> StudyReportData:
    """Aggregate the study over its analysable meetings in one transaction.

    ``with_meetings``: also list every meeting (one row each) for an index of per-meeting reports.
    """
    try:
        con.execute("begin transaction")
        try:
            con.execute(_SCOPE_SQL)
            return _load(con, with_meetings)
        finally:
            con.execute("rollback")  # the temporary table goes with it
    except duckdb.Error as exc:
        raise StoreError(f"cannot read the study report's views: {exc}") from exc


def _quantiles(con: duckdb.DuckDBPyConnection, value: str, group: str, source: str, where: str = "true") -> list:
    found = rows(
        con,
        f"""
        select ({group})::varchar as grp, count({value}) as n, avg({value}) as mean,
               quantile_cont({value}, [0.05, 0.25, 0.5, 0.75, 0.95]) as q,
               case when count({value}) < {SMALL_N} then list({value} order by {value}) filter (where {value} is not null) end
                   as vals
        from {source}
        where {where}
        group by all
        order by grp nulls last
        """,
    )
    return [
        Quantiles(r["grp"], r["n"], r["mean"], *(r["q"] if r["q"] is not None else [None] * 5), tuple(r["vals"] or ()))
        for r in found
    ]


def _load(con: duckdb.DuckDBPyConnection, with_meetings: bool) -> StudyReportData:
    totals = rows(
        con,
        f"""
        select
            (select count(*) from meetings) as stored_count,
            (select count(*) from meetings
             where meeting_id not in (select meeting_id from analysable_meetings())) as not_analysable_count,
            (select count(*) from analysable_meetings()) as analysable_count,
            count(*) as meeting_count,
            count(tagger_model_version) as tagged_count,
            count(consent_note) as incomplete_count,
            count(*) filter (where unknown_speech_pct > 0) as unmapped_count,
            coalesce(sum(speech_s), 0) / 3600 as speech_h,
            min(recorded_on) as first_date,
            max(recorded_on) as last_date,
            count(*) filter (where recorded_on is null) as undated_count
        from {_SCOPE}
        """,
    )[0]
    sites = records(
        con,
        SiteSummary,
        f"""
        select site, count(*) as meeting_count, coalesce(sum(speech_s), 0) / 3600 as speech_h,
               count(tagger_model_version) as tagged_count, count(consent_note) as incomplete_count,
               count(*) filter (where unknown_speech_pct > 0) as unmapped_count,
               median(service_user_speech_pct) as median_service_user_pct,
               median(score_0_100) as median_score_0_100
        from {_SCOPE}
        group by site
        order by site nulls last
        """,
    )
    months = [
        (r["month"], r["site"], r["n"])
        for r in rows(
            con,
            f"""
            select month, site, count(*) as n from {_SCOPE}
            where month is not null group by all order by month, site nulls last
            """,
        )
    ]
    # A role's share counts in meetings where the role is registered or spoke (voice_share_role's rows).
    role_share = _quantiles(
        con,
        "speech_pct",
        "role",
        "voice_share_role",
        f"meeting_id in (select meeting_id from {_SCOPE}) and role <> 'unknown'",
    )
    unknown = _quantiles(
        con,
        "speech_pct",
        "'unknown'",
        "voice_share_role",
        f"meeting_id in (select meeting_id from {_SCOPE}) and role = 'unknown'",
    )
    histogram = [
        (r["version"], r["bin"], r["n"])
        for r in rows(
            con,
            f"""
            select tagger_model_version as version, least(floor(score_0_100 / 5) * 5, 100) as bin, count(*) as n
            from {_SCOPE} where score_0_100 is not null
            group by all order by version, bin
            """,
        )
    ]
    tag_values = ", ".join(f"('{tag}')" for tag in TAGS)
    # Labels per hour of the role's own speech, over the meetings each version tagged; only the
    # (tag, role) pairs the codebook lets count (peer self-disclosure: peers only).
    tag_rates = [
        (r["version"], r["tag"], r["role"], r["hits"], r["per_speech_hour"])
        for r in rows(
            con,
            f"""
            with speech as (
                select s.tagger_model_version as version, r.role, sum(r.speech_s) as speech_s
                from voice_share_role as r
                inner join {_SCOPE} as s on s.meeting_id = r.meeting_id
                where s.tagger_model_version is not null
                group by all
            ),
            hits as (
                select h.model_version as version, h.tag, h.role, count(*) as hits
                from stg_tag_hits as h
                where h.meeting_id in (select meeting_id from {_SCOPE})
                group by all
            )
            select s.version, t.tag, s.role, coalesce(h.hits, 0) as hits,
                   3600 * coalesce(h.hits, 0) / nullif(s.speech_s, 0) as per_speech_hour
            from speech as s
            cross join (values {tag_values}) as t(tag)
            left join hits as h on h.version = s.version and h.tag = t.tag and h.role = s.role
            where tag_role_rule(t.tag, s.role) = 'applies'
            order by s.version, t.tag, s.role
            """,
        )
    ]
    return StudyReportData(
        meeting_count=totals["meeting_count"],
        stored_count=totals["stored_count"],
        not_analysable_count=totals["not_analysable_count"],
        pending_count=totals["analysable_count"] - totals["meeting_count"],
        tagged_count=totals["tagged_count"],
        incomplete_count=totals["incomplete_count"],
        unmapped_count=totals["unmapped_count"],
        speech_h=totals["speech_h"],
        first_date=totals["first_date"],
        last_date=totals["last_date"],
        undated_count=totals["undated_count"],
        sites=sites,
        meetings_per_month=months,
        role_share=role_share,
        service_user_share_by_site=_quantiles(con, "service_user_speech_pct", "site", _SCOPE),
        service_user_share_by_month=_quantiles(
            con, "service_user_speech_pct", "strftime(month, '%Y-%m')", _SCOPE, "month is not null"
        ),
        unknown_share=unknown[0] if unknown else Quantiles("unknown", 0, None, None, None, None, None, None),
        turns_per_min_by_site=_quantiles(con, "turns_per_min", "site", _SCOPE),
        interruptions_per_min_by_site=_quantiles(con, "interruptions_per_min", "site", _SCOPE),
        score_histogram=histogram,
        score_by_site=_quantiles(con, "score_0_100", "site", _SCOPE, "score_0_100 is not null"),
        tag_rates=tag_rates,
        versions=_versions(con),
        validation_figures=records(
            con,
            ValidationFigure,
            f"""
            with latest as (
                select tagger_model_version, arg_max(sample_id, computed_at) as sample_id
                from validation_figures group by all
            )
            select f.sample_id, f.tagger_model_version, f.tag, f.figure, f.value, f.low, f.high, f.n, f.reason
            from validation_figures as f
            inner join latest as l using (tagger_model_version, sample_id)
            where f.tagger_model_version in (select tagger_model_version from {_SCOPE})
            order by f.tagger_model_version, f.tag nulls first, f.figure
            """,
        ),
        meetings=_meetings(con) if with_meetings else [],
        speaker_checks=_speaker_checks(con),
    )


def _speaker_checks(con: duckdb.DuckDBPyConnection):
    """The voice-share error measured by raters' speaker checks, or None without a sample. Computed
    here, not recorded: it changes no status."""
    from dialogic.validation.speakers import speaker_validation

    return speaker_validation(con)


def _versions(con: duckdb.DuckDBPyConnection) -> list[VersionUse]:
    used = rows(
        con,
        f"""
        select tagger_model_version, count(*) as n from {_SCOPE}
        where tagger_model_version is not null group by all order by tagger_model_version
        """,
    )
    statuses = records(
        con,
        TagStatus,
        f"""
        select tagger_model_version, tag, sample_id, items, kappa, kappa_low, kappa_high, f1, validation_status
        from tag_validation_status
        where tagger_model_version in (select tagger_model_version from {_SCOPE})
        order by tagger_model_version, tag
        """,
    )
    return [
        VersionUse(
            r["tagger_model_version"],
            r["n"],
            [s for s in statuses if s.tagger_model_version == r["tagger_model_version"]],
        )
        for r in used
    ]


def _meetings(con: duckdb.DuckDBPyConnection) -> list[MeetingRow]:
    return records(
        con,
        MeetingRow,
        f"""
        select meeting_id, site, recorded_on, meeting_min, service_user_speech_pct, unknown_speech_pct,
               score_0_100, tagger_model_version, consent_note
        from {_SCOPE}
        order by meeting_id
        """,
    )
