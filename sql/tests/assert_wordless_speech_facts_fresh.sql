-- zero rows expected: one row per meeting × speaker × stretch in wordless_speech_facts, equal to a
-- recomputation from turns and utterances (compute_wordless_speech_facts); seconds to 1e-9; and
-- no stretch overlaps an utterance.
with

stored as (
    select * from wordless_speech_facts
),

fresh as (
    select * from compute_wordless_speech_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.speaker_label, f.speaker_label) || ' ' || coalesce(s.stretch_index, f.stretch_index)::varchar
            as stretch,
        case
            when f.speaker_label is null then 'stale wordless_speech_facts: stretch that no longer exists'
            when s.speaker_label is null then 'stale wordless_speech_facts: stretch without facts'
            when s.turn_count <> f.turn_count
                or abs(s.start_s - f.start_s) > 1e-9
                or abs(s.end_s - f.end_s) > 1e-9
                or abs(s.speech_s - f.speech_s) > 1e-9
                then 'stale wordless_speech_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f
        on f.meeting_id = s.meeting_id and f.speaker_label = s.speaker_label and f.stretch_index = s.stretch_index
)

select failure, meeting_id, stretch as detail from compared where failure is not null
union all
select 'wordless stretch overlaps an utterance', w.meeting_id, w.speaker_label || ' ' || u.utterance_id
from wordless_speech_facts as w
inner join utterances as u
    on u.meeting_id = w.meeting_id and u.start_s < w.end_s and w.start_s < u.end_s
