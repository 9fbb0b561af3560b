-- one row per meeting × speaking turn (a maximal run of consecutive utterances by one voice).
-- speech_s sums the turn's utterance durations (pauses inside the turn are not speech);
-- previous_* / next_* describe the turns just before and after (null at the meeting's edges).
with

final as (
    select
        meeting_id,
        turn_no,
        voice_id,
        participant_id,
        role,
        start_s,
        end_s,
        speech_s,
        word_count,
        utterance_count,
        first_utterance_id,
        last_utterance_id,
        previous_voice_id,
        previous_role,
        previous_end_s,
        next_role,
        next_start_s
    from speaking_turn_facts
)

select * from final
