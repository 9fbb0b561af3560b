-- one row per meeting with utterances: were treatment or care options discussed, when first, by whom.
-- Counts utterances labelled option_discussion by the meeting's current tagger model version;
-- counts are null (not 0) while the meeting has no tags. evidence_utterance_ids in time order.
with

source_meetings as (
    select meeting_id, tagger_model_version from meeting_facts
),

hits as (
    select meeting_id, utterance_id, role, start_s
    from stg_tag_hits
    where tag = 'option_discussion'
),

per_meeting as (
    select
        meeting_id,
        count(*) as option_utterance_count,
        count(*) filter (where role in ('clinician', 'peer')) as by_professionals_count,
        count(*) filter (where role = 'service_user') as by_service_user_count,
        count(*) filter (where role = 'network') as by_network_count,
        min(start_s) as first_option_s,
        arg_min(role, start_s) as first_option_role,
        list(distinct role order by role) as option_roles,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id
),

final as (
    select
        m.meeting_id,
        m.tagger_model_version,
        case when m.tagger_model_version is not null then coalesce(p.option_utterance_count, 0) end as option_utterance_count,
        case when m.tagger_model_version is not null then coalesce(p.by_professionals_count, 0) end as by_professionals_count,
        case when m.tagger_model_version is not null then coalesce(p.by_service_user_count, 0) end as by_service_user_count,
        case when m.tagger_model_version is not null then coalesce(p.by_network_count, 0) end as by_network_count,
        p.first_option_s,
        p.first_option_role,
        coalesce(p.option_roles, []) as option_roles,
        coalesce(p.evidence_utterance_ids, []) as evidence_utterance_ids
    from source_meetings as m
    left join per_meeting as p on p.meeting_id = m.meeting_id
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tag_validation_status as validation
    on validation.tagger_model_version = final.tagger_model_version and validation.tag = 'option_discussion'
