-- one row per meeting × role: the roles of the meeting's registered participants (zeros when
-- silent) plus 'unknown' when unmapped speakers spoke. Turns are counted per voice, so two
-- consecutive turns by two network members are two network turns.
-- *_pct are shares of the meeting's total (null when the meeting's total is 0). speech_s and
-- wordless_s are the voices' (speech that got no words included, see voice_share_participant);
-- mean_turn_s is utterance time per speaking turn.
with

voices as (
    select * from voice_share_participant
),

roles as (
    select
        meeting_id,
        role,
        count(*) as voice_count,
        count(*) filter (where speech_s > 0) as speaking_voice_count,
        sum(speech_s) as speech_s,
        sum(wordless_s) as wordless_s,
        sum(word_count) as word_count,
        sum(utterance_count) as utterance_count,
        sum(turn_count) as turn_count,
        max(longest_turn_s) as longest_turn_s
    from voices
    group by meeting_id, role
),

final as (
    select
        meeting_id,
        role,
        voice_count,
        speaking_voice_count,
        speech_s,
        word_count,
        utterance_count,
        turn_count,
        100 * speech_s / nullif(sum(speech_s) over by_meeting, 0) as speech_pct,
        100 * word_count / nullif(sum(word_count) over by_meeting, 0) as words_pct,
        100 * turn_count / nullif(sum(turn_count) over by_meeting, 0) as turns_pct,
        longest_turn_s,
        (speech_s - wordless_s) / nullif(turn_count, 0) as mean_turn_s,
        wordless_s
    from roles
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
