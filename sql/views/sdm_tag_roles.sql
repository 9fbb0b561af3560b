-- one row per meeting × role with utterances × codebook tag, in meetings tagged by a current
-- tagger model version that scores the tag: how many of the role's utterances were labelled with
-- the tag (labels that count under the codebook's role rule). hit_pct = share of the role's own
-- utterances; per_speech_hour uses the role's utterance time (a tag is read from words, so speech
-- that got no words is not time in which one could be found). answered_by_service_user_count
-- counts hits whose next speaking turn is the service user's. The by-role member of the SDM view
-- family (sdm_tags); sdm_persuasion is kept as a thin view over it.
with

voices as (
    select meeting_id, role, utterance_count, speech_s from voice_facts
),

scored as (
    select meeting_id, tag from meeting_tag_facts
),

hits as (
    select meeting_id, tag, utterance_id, role, start_s, answered_by_role
    from stg_tag_hits
),

spoken as (
    select v.meeting_id, v.role, sum(v.utterance_count) as utterance_count, sum(v.speech_s) as speech_s
    from voices as v
    semi join stg_current_tagger as c on c.meeting_id = v.meeting_id
    group by v.meeting_id, v.role
),

per_role as (
    select
        meeting_id,
        tag,
        role,
        count(*) as hit_count,
        count(*) filter (where answered_by_role = 'service_user') as answered_by_service_user_count,
        min(start_s) as first_s,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id, tag, role
),

final as (
    select
        s.meeting_id,
        t.tag,
        s.role,
        s.utterance_count,
        coalesce(h.hit_count, 0) as hit_count,
        100 * coalesce(h.hit_count, 0) / s.utterance_count as hit_pct,
        3600 * coalesce(h.hit_count, 0) / nullif(s.speech_s, 0) as per_speech_hour,
        coalesce(h.answered_by_service_user_count, 0) as answered_by_service_user_count,
        h.first_s,
        coalesce(h.evidence_utterance_ids, []) as evidence_utterance_ids
    from spoken as s
    inner join scored as t on t.meeting_id = s.meeting_id
    left join per_role as h on h.meeting_id = s.meeting_id and h.tag = t.tag and h.role = s.role
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when current_version.model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join stg_current_tagger as current_version on current_version.meeting_id = final.meeting_id
left join tag_validation_status as validation
    on validation.tagger_model_version = current_version.model_version and validation.tag = final.tag
