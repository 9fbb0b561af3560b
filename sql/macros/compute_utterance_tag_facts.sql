-- one row per utterance × tag of only_meeting (every meeting when null) that the meeting's current
-- tagger scored, from tags and utterance_facts (the speaker's role, the current version).
-- label is the model's label where the codebook's role rule lets it count (tag_role_rule =
-- 'applies'); candidate is the model's label while the speaker's role is unknown and the rule
-- waits on it (shown to raters, not counted until the speaker is mapped). Long form: a tag added
-- to the codebook needs no new column.
create or replace macro compute_utterance_tag_facts(only_meeting) as table
with

facts as (
    select meeting_id, utterance_id, role, tagger_model_version
    from utterance_facts
    where (only_meeting is null or meeting_id = only_meeting) and tagger_model_version is not null
),

source_tags as (
    select utterance_id, tag, probability, label, model_version
    from tags
    where only_meeting is null or meeting_id = only_meeting
),

final as (
    select
        f.meeting_id,
        f.utterance_id,
        t.tag,
        t.model_version,
        t.probability,
        t.label and tag_role_rule(t.tag, f.role) = 'applies' as label,
        t.label and tag_role_rule(t.tag, f.role) = 'candidate' as candidate
    from facts as f
    inner join source_tags as t on t.utterance_id = f.utterance_id and t.model_version = f.tagger_model_version
)

select * from final;
