-- one row per meeting × asking role × followed role, for utterances labelled preference_elicitation
-- by the current tagger model version. followed_role is the role of the speaking turn just before
-- the asker's turn ('none' if it opens the meeting); answered_by_service_user_count counts
-- elicitations whose next speaking turn is the service user's. Meetings without any elicitation
-- have no rows (sdm_option5_proxy has one row per tagged meeting).
with

hits as (
    select meeting_id, utterance_id, role, followed_role, answered_by_role, start_s
    from stg_tag_hits
    where tag = 'preference_elicitation'
),

final as (
    select
        meeting_id,
        role as asking_role,
        followed_role,
        count(*) as elicitation_count,
        count(*) filter (where answered_by_role = 'service_user') as answered_by_service_user_count,
        min(start_s) as first_elicitation_s,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id, role, followed_role
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when current_version.model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join stg_current_tagger as current_version on current_version.meeting_id = final.meeting_id
left join tag_validation_status as validation
    on validation.tagger_model_version = current_version.model_version and validation.tag = 'preference_elicitation'
