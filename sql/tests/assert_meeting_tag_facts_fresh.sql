-- zero rows expected: one row per meeting × scored tag in meeting_tag_facts, equal to a
-- recomputation from utterance_tag_facts, utterance_facts and tag_hit_facts
-- (compute_meeting_tag_facts). A missing, extra or different row means a writer changed tags or
-- roles without refresh_meeting_facts.
with

stored as (
    select * from meeting_tag_facts
),

fresh as (
    select * from compute_meeting_tag_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.tag, f.tag) as tag,
        case
            when f.meeting_id is null then 'stale meeting_tag_facts: row that no longer holds'
            when s.meeting_id is null then 'stale meeting_tag_facts: scored tag without facts'
            when (s.model_version, s.hit_count, s.by_professionals_count, s.by_service_user_count,
                  s.by_network_count, s.candidate_count, s.candidate_utterance_ids, s.first_s,
                  s.first_role, s.hit_roles, s.hit_start_s, s.evidence_utterance_ids)
                is distinct from
                 (f.model_version, f.hit_count, f.by_professionals_count, f.by_service_user_count,
                  f.by_network_count, f.candidate_count, f.candidate_utterance_ids, f.first_s,
                  f.first_role, f.hit_roles, f.hit_start_s, f.evidence_utterance_ids)
                then 'stale meeting_tag_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.meeting_id = s.meeting_id and f.tag = s.tag
)

select failure, meeting_id, tag as detail from compared where failure is not null
union all
select 'duplicate meeting × tag in meeting_tag_facts', meeting_id, tag
from meeting_tag_facts group by meeting_id, tag having count(*) > 1
