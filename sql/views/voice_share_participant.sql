-- one row per meeting × voice: every registered participant of a meeting that has utterances
-- (silent ones with zeros) plus every unmapped diarised speaker that spoke ('unmapped:<label>').
-- speech_s sums utterance durations; a turn is a maximal run of consecutive utterances by one voice.
-- *_pct are shares of the meeting's total (null when the meeting's total is 0).
-- Speaking voices are summed per meeting × voice in voice_facts when the meeting is written.
-- A meeting without times (imported plain text) has null speech_s and speech_pct for every voice,
-- silent ones too: its shares are words_pct and turns_pct (timing_note says so).
-- diarised_speech_s is the voice's turn time (speakers.speech_s of the speakers mapped to it:
-- speech with or without words, docs/sql.md "Utterance time against turn time"), so a voice whose
-- speech got no words shows it here while its utterance-time shares are 0.
with

spoken as (
    select meeting_id, voice_id, participant_id, role, speech_s, word_count, utterance_count,
        turn_count, longest_turn_s
    from voice_facts
),

source_participants as (
    select meeting_id, participant_id, role
    from participants
),

meeting_timing as (
    select meeting_id, count(speech_s) = count(*) as timed
    from spoken
    group by meeting_id
),

silent as (
    select
        p.meeting_id,
        p.participant_id as voice_id,
        p.participant_id,
        p.role,
        case when t.timed then 0.0 end as speech_s,
        0 as word_count,
        0 as utterance_count,
        0 as turn_count,
        null as longest_turn_s
    from source_participants as p
    inner join meeting_timing as t on t.meeting_id = p.meeting_id
    anti join spoken as v on v.meeting_id = p.meeting_id and v.voice_id = p.participant_id
),

voices as (
    select * from spoken
    union all by name
    select * from silent
),

diarised as (
    select r.meeting_id, voice_of(r.participant_id, r.speaker_label) as voice_id, sum(s.speech_s) as diarised_speech_s
    from compute_speaker_roles(null) as r
    inner join speakers as s on s.meeting_id = r.meeting_id and s.speaker_label = r.speaker_label
    group by all
),

final as (
    select
        meeting_id,
        voice_id,
        participant_id,
        role,
        speech_s,
        word_count,
        utterance_count,
        turn_count,
        100 * speech_s / nullif(sum(speech_s) over by_meeting, 0) as speech_pct,
        100 * word_count / nullif(sum(word_count) over by_meeting, 0) as words_pct,
        100 * turn_count / nullif(sum(turn_count) over by_meeting, 0) as turns_pct,
        longest_turn_s,
        speech_s / nullif(turn_count, 0) as mean_turn_s,
        d.diarised_speech_s
    from voices
    left join diarised as d using (meeting_id, voice_id)
    window by_meeting as (partition by meeting_id)
)

-- a meeting from which a participant's speech was withdrawn is incomplete, and says so; one whose
-- transcript was imported says what its times are (timing_note)
select
    final.*,
    consent_note(meeting.withdrawn_participants) as consent_note,
    timing_note(meeting.source, meeting.timed) as timing_note
from final
left join meetings as meeting on meeting.meeting_id = final.meeting_id
