-- zero rows expected: one row per meeting × speaking turn in speaking_turn_facts, equal to a
-- recomputation from utterance_facts (compute_speaking_turn_facts); sums compared to 1e-9 s.
with

stored as (
    select * from speaking_turn_facts
),

fresh as (
    select * from compute_speaking_turn_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.turn_no, f.turn_no) as turn_no,
        case
            when f.turn_no is null then 'stale speaking_turn_facts: turn that no longer exists'
            when s.turn_no is null then 'stale speaking_turn_facts: turn without facts'
            when (s.voice_id, s.participant_id, s.role, s.start_s, s.end_s, s.word_count,
                  s.utterance_count, s.first_utterance_id, s.last_utterance_id, s.previous_voice_id,
                  s.previous_role, s.previous_end_s, s.next_role, s.next_start_s)
                is distinct from
                 (f.voice_id, f.participant_id, f.role, f.start_s, f.end_s, f.word_count,
                  f.utterance_count, f.first_utterance_id, f.last_utterance_id, f.previous_voice_id,
                  f.previous_role, f.previous_end_s, f.next_role, f.next_start_s)
                or abs(s.speech_s - f.speech_s) > 1e-9
                then 'stale speaking_turn_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.meeting_id = s.meeting_id and f.turn_no = s.turn_no
)

select failure, meeting_id, turn_no::varchar as detail from compared where failure is not null
union all
select 'duplicate turn in speaking_turn_facts', meeting_id, turn_no::varchar
from speaking_turn_facts group by meeting_id, turn_no having count(*) > 1
