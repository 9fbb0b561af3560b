-- zero rows expected: one row per overlapping diarised turn in overlap_facts, equal to a
-- recomputation from the 'overlap' track, speakers and participants (compute_overlap_facts).
with

stored as (
    select * from overlap_facts
),

fresh as (
    select * from compute_overlap_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.turn_index, f.turn_index) as turn_index,
        case
            when f.turn_index is null then 'stale overlap_facts: overlap that no longer exists'
            when s.turn_index is null then 'stale overlap_facts: overlap without facts'
            when (s.start_s, s.interrupter_voice_id, s.interrupter_role, s.interrupted_voice_id,
                  s.interrupted_role, s.overlap_s, s.is_interruption)
                is distinct from
                 (f.start_s, f.interrupter_voice_id, f.interrupter_role, f.interrupted_voice_id,
                  f.interrupted_role, f.overlap_s, f.is_interruption)
                then 'stale overlap_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.meeting_id = s.meeting_id and f.turn_index = s.turn_index
)

select failure, meeting_id, turn_index::varchar as detail from compared where failure is not null
union all
select 'duplicate overlap in overlap_facts', meeting_id, turn_index::varchar
from overlap_facts group by meeting_id, turn_index having count(*) > 1
