-- one row per utterance: the columns of stg_utterances plus, as columns, each tag's probability
-- (<tag>_p) and label (<tag>_label) from the meeting's current tagger model version (null when
-- not tagged). A label counts only where the codebook's role rule applies (tag_role_rule);
-- peer_self_disclosure_candidate marks the model's peer self-disclosures by speakers not yet
-- mapped to a participant. The tag columns are pivoted into utterance_facts when the meeting is
-- written.
with

utterances as (
    select * from stg_utterances
),

tag_columns as (
    select
        utterance_id,
        tagger_model_version,
        option_discussion_p,
        option_discussion_label,
        preference_elicitation_p,
        preference_elicitation_label,
        persuasion_p,
        persuasion_label,
        peer_self_disclosure_p,
        peer_self_disclosure_label,
        peer_self_disclosure_candidate
    from utterance_facts
),

final as (
    select
        utterances.*,
        tag_columns.* exclude (utterance_id)
    from utterances
    inner join tag_columns on tag_columns.utterance_id = utterances.utterance_id
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tagger_validation_summary as validation on validation.tagger_model_version = final.tagger_model_version
