-- zero rows expected: one row per meeting × 2-minute window × role in window_facts, equal to a
-- recomputation from utterance_facts (compute_window_facts); seconds and shares to 1e-9.
with

stored as (
    select * from window_facts
),

fresh as (
    select * from compute_window_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.window_index, f.window_index)::varchar || ' ' || coalesce(s.role, f.role) as window_role,
        case
            when f.role is null then 'stale window_facts: window × role that no longer exists'
            when s.role is null then 'stale window_facts: window × role without facts'
            when (s.window_start_s, s.window_end_s, s.word_count, s.utterance_count)
                is distinct from (f.window_start_s, f.window_end_s, f.word_count, f.utterance_count)
                or abs(s.speech_s - f.speech_s) > 1e-9
                or coalesce(abs(s.speech_pct - f.speech_pct) > 1e-9, s.speech_pct is distinct from f.speech_pct)
                then 'stale window_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f
        on f.meeting_id = s.meeting_id and f.window_index = s.window_index and f.role = s.role
)

select failure, meeting_id, window_role as detail from compared where failure is not null
union all
select 'duplicate window × role in window_facts', meeting_id, window_index::varchar || ' ' || role
from window_facts group by meeting_id, window_index, role having count(*) > 1
