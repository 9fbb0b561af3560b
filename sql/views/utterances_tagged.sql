-- one row per utterance: stg_utterances plus, as columns, each tag's probability (<tag>_p) and
-- label (<tag>_label) from the meeting's current tagger model version (null when not tagged).
with

staged as (
    select * from stg_utterances
),

current_tags as (
    select * from stg_current_tags
),

pivoted as (
    select
        utterance_id,
        any_value(model_version) as tagger_model_version,
        max(probability) filter (where tag = 'option_discussion') as option_discussion_p,
        bool_or(label) filter (where tag = 'option_discussion') as option_discussion_label,
        max(probability) filter (where tag = 'preference_elicitation') as preference_elicitation_p,
        bool_or(label) filter (where tag = 'preference_elicitation') as preference_elicitation_label,
        max(probability) filter (where tag = 'persuasion') as persuasion_p,
        bool_or(label) filter (where tag = 'persuasion') as persuasion_label,
        max(probability) filter (where tag = 'peer_self_disclosure') as peer_self_disclosure_p,
        bool_or(label) filter (where tag = 'peer_self_disclosure') as peer_self_disclosure_label
    from current_tags
    group by utterance_id
),

final as (
    select s.*, p.* exclude (utterance_id)
    from staged as s
    left join pivoted as p on p.utterance_id = s.utterance_id
)

select * from final
