-- zero rows expected: one row per meeting with utterances in meeting_facts, equal to a
-- recomputation from speaking_turn_facts and utterance_facts (compute_meeting_facts); sums and
-- means compared to 1e-9 s.
with

stored as (
    select * from meeting_facts
),

fresh as (
    select * from compute_meeting_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        case
            when f.meeting_id is null then 'stale meeting_facts: meeting without utterances'
            when s.meeting_id is null then 'stale meeting_facts: meeting without facts'
            when (s.utterance_count, s.turn_count, s.word_count, s.last_end_s, s.gap_count,
                  s.median_gap_s, s.longest_gap_s, s.tagger_model_version)
                is distinct from
                 (f.utterance_count, f.turn_count, f.word_count, f.last_end_s, f.gap_count,
                  f.median_gap_s, f.longest_gap_s, f.tagger_model_version)
                or abs(s.speech_s - f.speech_s) > 1e-9
                or abs(s.gap_s - f.gap_s) > 1e-9
                or coalesce(abs(s.mean_gap_s - f.mean_gap_s) > 1e-9, s.mean_gap_s is distinct from f.mean_gap_s)
                then 'stale meeting_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.meeting_id = s.meeting_id
)

select failure, meeting_id, null as detail from compared where failure is not null
union all
select 'duplicate meeting in meeting_facts', meeting_id, null
from meeting_facts group by meeting_id having count(*) > 1
