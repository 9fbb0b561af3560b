-- one row per meeting × role with utterances, in meetings tagged by a current tagger model version:
-- how many of the role's utterances were labelled persuasion (pressure towards one option).
-- persuasion_pct = share of the role's own utterances; per_hour uses the role's utterance time (a
-- tag is read from words, so speech that got no words is not time in which one could be found).
with

voices as (
    select meeting_id, role, utterance_count, speech_s from voice_facts
),

current_tagger as (
    select meeting_id, model_version from stg_current_tagger
),

hits as (
    select meeting_id, utterance_id, role, start_s
    from stg_tag_hits
    where tag = 'persuasion'
),

spoken as (
    select v.meeting_id, v.role, sum(v.utterance_count) as utterance_count, sum(v.speech_s) as speech_s
    from voices as v
    semi join current_tagger as c on c.meeting_id = v.meeting_id
    group by v.meeting_id, v.role
),

per_role as (
    select
        meeting_id,
        role,
        count(*) as persuasion_count,
        min(start_s) as first_persuasion_s,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id, role
),

final as (
    select
        s.meeting_id,
        s.role,
        s.utterance_count,
        coalesce(h.persuasion_count, 0) as persuasion_count,
        100 * coalesce(h.persuasion_count, 0) / s.utterance_count as persuasion_pct,
        3600 * coalesce(h.persuasion_count, 0) / nullif(s.speech_s, 0) as persuasion_per_speech_hour,
        h.first_persuasion_s,
        coalesce(h.evidence_utterance_ids, []) as evidence_utterance_ids
    from spoken as s
    left join per_role as h on h.meeting_id = s.meeting_id and h.role = s.role
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when current_version.model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join stg_current_tagger as current_version on current_version.meeting_id = final.meeting_id
left join tag_validation_status as validation
    on validation.tagger_model_version = current_version.model_version and validation.tag = 'persuasion'
