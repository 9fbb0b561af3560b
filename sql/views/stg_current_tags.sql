-- one row per utterance × tag, from the meeting's current tagger model version (stg_current_tagger)
with

source_tags as (
    select utterance_id, meeting_id, tag, probability, label, threshold, model_version
    from tags
),

current_tagger as (
    select meeting_id, model_version from stg_current_tagger
),

final as (
    select t.*
    from source_tags as t
    semi join current_tagger as c
        on c.meeting_id = t.meeting_id and c.model_version = t.model_version
)

select * from final
