-- zero rows expected: one row per meeting × speaking voice in voice_facts, equal to a
-- recomputation from speaking_turn_facts (compute_voice_facts); sums compared to 1e-9 s.
with

stored as (
    select * from voice_facts
),

fresh as (
    select * from compute_voice_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.voice_id, f.voice_id) as voice_id,
        case
            when f.voice_id is null then 'stale voice_facts: voice that no longer speaks'
            when s.voice_id is null then 'stale voice_facts: voice without facts'
            when (s.participant_id, s.role, s.word_count, s.utterance_count, s.turn_count)
                is distinct from (f.participant_id, f.role, f.word_count, f.utterance_count, f.turn_count)
                or abs(s.speech_s - f.speech_s) > 1e-9
                or abs(s.longest_turn_s - f.longest_turn_s) > 1e-9
                then 'stale voice_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.meeting_id = s.meeting_id and f.voice_id = s.voice_id
)

select failure, meeting_id, voice_id as detail from compared where failure is not null
union all
select 'duplicate voice in voice_facts', meeting_id, voice_id
from voice_facts group by meeting_id, voice_id having count(*) > 1
