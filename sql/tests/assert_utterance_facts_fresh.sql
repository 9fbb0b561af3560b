-- zero rows expected: one row per utterance in utterance_facts, equal to a recomputation from the
-- base tables (compute_utterance_facts). A missing, extra or different row means a writer changed
-- a meeting's utterances, speakers, participants or tags without refresh_meeting_facts.
with

stored as (
    select * from utterance_facts
),

fresh as (
    select * from compute_utterance_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        coalesce(s.utterance_id, f.utterance_id) as utterance_id,
        case
            when f.utterance_id is null then 'stale utterance_facts: row for no utterance'
            when s.utterance_id is null then 'stale utterance_facts: utterance without facts'
            when (s.meeting_id, s.utterance_index, s.position, s.speaker_label, s.participant_id,
                  s.voice_id, s.role, s.start_s, s.end_s, s.duration_s, s.word_count, s.turn_no,
                  s.is_turn_start, s.tagger_model_version)
                is distinct from
                 (f.meeting_id, f.utterance_index, f.position, f.speaker_label, f.participant_id,
                  f.voice_id, f.role, f.start_s, f.end_s, f.duration_s, f.word_count, f.turn_no,
                  f.is_turn_start, f.tagger_model_version)
                then 'stale utterance_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.utterance_id = s.utterance_id
)

select failure, meeting_id, utterance_id as detail from compared where failure is not null
union all
select 'duplicate utterance_id in utterance_facts', meeting_id, utterance_id
from utterance_facts group by meeting_id, utterance_id having count(*) > 1
