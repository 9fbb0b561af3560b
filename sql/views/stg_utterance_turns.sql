-- one row per utterance, numbered in time order (start_s, then utterance_index) within its meeting
-- and assigned to a speaking turn: a maximal run of consecutive utterances by the same voice.
-- The columns of stg_utterances plus position and turn_no, both from utterance_facts (numbered
-- when the meeting is written).
with

facts as (
    select meeting_id, utterance_id, utterance_index, speaker_label, participant_id, voice_id, role,
        start_s, end_s, duration_s, word_count, position, turn_no
    from utterance_facts
),

source_utterances as (
    select meeting_id, utterance_index, text
    from utterances
),

source_meetings as (
    select meeting_id, site, recorded_on
    from meetings
),

final as (
    select
        f.utterance_id,
        f.meeting_id,
        m.site,
        m.recorded_on,
        f.utterance_index,
        f.speaker_label,
        f.participant_id,
        f.voice_id,
        f.role,
        f.start_s,
        f.end_s,
        f.duration_s,
        f.word_count,
        u.text,
        f.position,
        f.turn_no
    from facts as f
    inner join source_utterances as u
        on u.meeting_id = f.meeting_id and u.utterance_index = f.utterance_index
    left join source_meetings as m on m.meeting_id = f.meeting_id
)

select * from final
