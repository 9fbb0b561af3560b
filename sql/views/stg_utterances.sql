-- one row per utterance (exclusive diarisation track): who said it, when, for how long, how many words.
-- voice_id is the participant_id once the speaker is mapped, else 'unmapped:<speaker_label>'
-- ('unmapped:none' when no diarised speaker overlapped the words); role is 'unknown' until mapped.
-- word_count counts the space-separated tokens of the text. Everything but site, recorded_on and
-- text comes from utterance_facts (migration 005), refreshed when the meeting is written.
with

facts as (
    select meeting_id, utterance_id, utterance_index, speaker_label, participant_id, voice_id, role,
        start_s, end_s, duration_s, word_count
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
        u.text
    from facts as f
    inner join source_utterances as u
        on u.meeting_id = f.meeting_id and u.utterance_index = f.utterance_index
    left join source_meetings as m on m.meeting_id = f.meeting_id
)

select * from final
