-- zero rows expected: one row per utterance × tag labelled true in tag_hit_facts, equal to a
-- recomputation from utterance_facts and speaking_turn_facts (compute_tag_hit_facts).
with

stored as (
    select * from tag_hit_facts
),

fresh as (
    select * from compute_tag_hit_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.utterance_id, f.utterance_id) || ' ' || coalesce(s.tag, f.tag) as hit,
        case
            when f.utterance_id is null then 'stale tag_hit_facts: hit that no longer holds'
            when s.utterance_id is null then 'stale tag_hit_facts: hit without facts'
            when (s.meeting_id, s.probability, s.model_version, s.voice_id, s.participant_id, s.role,
                  s.start_s, s.end_s, s.turn_no, s.followed_role, s.answered_by_role, s.answer_start_s)
                is distinct from
                 (f.meeting_id, f.probability, f.model_version, f.voice_id, f.participant_id, f.role,
                  f.start_s, f.end_s, f.turn_no, f.followed_role, f.answered_by_role, f.answer_start_s)
                then 'stale tag_hit_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.utterance_id = s.utterance_id and f.tag = s.tag
)

select failure, meeting_id, hit as detail from compared where failure is not null
union all
select 'duplicate hit in tag_hit_facts', meeting_id, utterance_id || ' ' || tag
from tag_hit_facts group by meeting_id, utterance_id, tag having count(*) > 1
