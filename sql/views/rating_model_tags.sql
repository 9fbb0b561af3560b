-- one row per utterance × tag: the current tagger model's probability, threshold and label.
-- The current model is the most recently activated row of tagger_models; before any model has
-- been activated, the model version that tagged most recently.
with

tag_rows as (
    select * from tags
),

models as (
    select * from tagger_models
),

current_version as (
    select coalesce(
        (select model_version from models order by activated_at desc, model_version desc limit 1),
        (select model_version from tag_rows order by tagged_at desc, model_version desc limit 1)
    ) as model_version
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
    inner join current_version on tag_rows.model_version = current_version.model_version
)

select * from final
