-- one row per meeting with utterances × codebook tag: how often the meeting's current tagger
-- model version labelled the tag, by whom and when. The one SDM view family is this long view
-- (and sdm_tag_roles, by role); sdm_options_discussed and sdm_peer_disclosure are kept as thin
-- views over it for the names analysts use.
-- Counts are labels that count under the codebook's role rule (tag_role_rule); labels waiting on
-- an unmapped speaker's role are candidates, counted apart in candidate_count. Counts are null
-- (not 0) while the meeting has no tags, or when its tagger does not score the tag (a tagger
-- trained before the tag joined the codebook). first_pct = position of the first hit in the
-- meeting (0 = start, 100 = end of the last utterance); lists are in time order.
with

meetings as (
    select meeting_id, last_end_s, tagger_model_version from meeting_facts
),

codebook as (
    select tag from codebook_tags()
),

scored as (
    select meeting_id, tag, count(*) filter (where candidate) as candidate_count
    from utterance_tag_facts
    group by meeting_id, tag
),

candidates as (
    select t.meeting_id, t.tag, list(t.utterance_id order by u.start_s, t.utterance_id) as candidate_utterance_ids
    from utterance_tag_facts as t
    inner join utterance_facts as u on u.meeting_id = t.meeting_id and u.utterance_id = t.utterance_id
    where t.candidate
    group by t.meeting_id, t.tag
),

hits as (
    select meeting_id, tag, utterance_id, role, start_s
    from stg_tag_hits
),

per_tag as (
    select
        meeting_id,
        tag,
        count(*) as hit_count,
        count(*) filter (where role in ('clinician', 'peer')) as by_professionals_count,
        count(*) filter (where role = 'service_user') as by_service_user_count,
        count(*) filter (where role = 'network') as by_network_count,
        min(start_s) as first_s,
        arg_min(role, start_s) as first_role,
        list(distinct role order by role) as hit_roles,
        list(start_s order by start_s, utterance_id) as hit_start_s,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id, tag
),

final as (
    select
        m.meeting_id,
        c.tag,
        m.tagger_model_version,
        case when s.tag is not null then coalesce(p.hit_count, 0) end as hit_count,
        case when s.tag is not null then coalesce(p.by_professionals_count, 0) end as by_professionals_count,
        case when s.tag is not null then coalesce(p.by_service_user_count, 0) end as by_service_user_count,
        case when s.tag is not null then coalesce(p.by_network_count, 0) end as by_network_count,
        s.candidate_count,
        coalesce(k.candidate_utterance_ids, []) as candidate_utterance_ids,
        p.first_s,
        100 * p.first_s / nullif(m.last_end_s, 0) as first_pct,
        p.first_role,
        coalesce(p.hit_roles, []) as hit_roles,
        coalesce(p.hit_start_s, []) as hit_start_s,
        coalesce(p.evidence_utterance_ids, []) as evidence_utterance_ids
    from meetings as m
    cross join codebook as c
    left join scored as s on s.meeting_id = m.meeting_id and s.tag = c.tag
    left join per_tag as p on p.meeting_id = m.meeting_id and p.tag = c.tag
    left join candidates as k on k.meeting_id = m.meeting_id and k.tag = c.tag
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tag_validation_status as validation
    on validation.tagger_model_version = final.tagger_model_version and validation.tag = final.tag
