-- one row per utterance × tag: the current tagger version's probability, threshold and label.
-- The current version is the meeting's own (stg_current_tagger: the most recently activated
-- version among those with tag rows for the meeting), the same rule every analytics view uses.
with

tag_rows as (
    select * from tags
),

current_version as (
    select meeting_id, model_version from stg_current_tagger
),

final as (
    select
        tag_rows.utterance_id,
        tag_rows.meeting_id,
        tag_rows.tag,
        tag_rows.probability,
        tag_rows.threshold,
        tag_rows.label,
        tag_rows.model_version,
        -- how far the model is from changing its mind: the queue shows the smallest first
        abs(tag_rows.probability - tag_rows.threshold) as threshold_distance
    from tag_rows
    inner join current_version
        on tag_rows.meeting_id = current_version.meeting_id
        and tag_rows.model_version = current_version.model_version
)

select * from final
