-- one row per utterance: the columns of stg_utterances plus, as columns, each tag's probability
-- (<tag>_p) and label (<tag>_label) from the meeting's current tagger model version (null when
-- not tagged, or when that version does not score the tag). A label counts only where the
-- codebook's role rule applies (tag_role_rule); <tag>_candidate, for a tag with a rule by role,
-- marks the model's labels on speakers not yet mapped to a participant. The tags are stored long
-- (utterance_tag_facts); this wide shape is generated from the codebook's tag list, one group of
-- columns per tag in its order.
with

utterances as (
    select * from stg_utterances
),

versions as (
    select utterance_id, tagger_model_version from utterance_facts
),

tag_columns as (
    select
        meeting_id,
        utterance_id,
{%- for t in tags %}
        max(probability) filter (where tag = {{ t.name | sql_string }}) as {{ t.name }}_p,
        bool_or(label) filter (where tag = {{ t.name | sql_string }}) as {{ t.name }}_label,
{%- if t.counts_for %}
        bool_or(candidate) filter (where tag = {{ t.name | sql_string }}) as {{ t.name }}_candidate,
{%- endif %}
{%- endfor %}
    from utterance_tag_facts
    group by meeting_id, utterance_id  -- by meeting too, so a one-meeting query reads one meeting's tags
),

final as (
    select
        utterances.*,
        versions.tagger_model_version,
        tag_columns.* exclude (meeting_id, utterance_id)
    from utterances
    inner join versions on versions.utterance_id = utterances.utterance_id
    left join tag_columns
        on tag_columns.meeting_id = utterances.meeting_id and tag_columns.utterance_id = utterances.utterance_id
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tagger_validation_summary as validation on validation.tagger_model_version = final.tagger_model_version
