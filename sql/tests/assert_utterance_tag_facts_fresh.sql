-- zero rows expected: one row per utterance × tag in utterance_tag_facts, equal to a
-- recomputation from tags and utterance_facts (compute_utterance_tag_facts), and only tags of the
-- codebook. A missing, extra or different row means a writer changed tags or roles without
-- refresh_meeting_facts.
with

stored as (
    select * from utterance_tag_facts
),

fresh as (
    select * from compute_utterance_tag_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.utterance_id, f.utterance_id) || ' ' || coalesce(s.tag, f.tag) as scored,
        case
            when f.utterance_id is null then 'stale utterance_tag_facts: row that no longer holds'
            when s.utterance_id is null then 'stale utterance_tag_facts: tag without facts'
            when (s.meeting_id, s.model_version, s.probability, s.label, s.candidate)
                is distinct from (f.meeting_id, f.model_version, f.probability, f.label, f.candidate)
                then 'stale utterance_tag_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.utterance_id = s.utterance_id and f.tag = s.tag
)

select failure, meeting_id, scored as detail from compared where failure is not null
union all
select 'duplicate utterance × tag in utterance_tag_facts', meeting_id, utterance_id || ' ' || tag
from utterance_tag_facts group by meeting_id, utterance_id, tag having count(*) > 1
union all
select 'tag not in the codebook', meeting_id, tag
from utterance_tag_facts where tag not in (select tag from codebook_tags())
