-- one row per meeting × speaking turn (a maximal run of consecutive utterances by one voice).
-- speech_s sums the turn's utterance durations (pauses inside the turn are not speech);
-- previous_* / next_* describe the turns just before and after (null at the meeting's edges).
with

utterance_turns as (
    select * from stg_utterance_turns
),

turns as (
    select
        meeting_id,
        turn_no,
        any_value(voice_id) as voice_id,
        any_value(participant_id) as participant_id,
        any_value(role) as role,
        min(start_s) as start_s,
        max(end_s) as end_s,
        sum(duration_s) as speech_s,
        sum(word_count) as word_count,
        count(*) as utterance_count,
        arg_min(utterance_id, position) as first_utterance_id,
        arg_max(utterance_id, position) as last_utterance_id
    from utterance_turns
    group by meeting_id, turn_no
),

final as (
    select
        *,
        lag(voice_id) over by_turn as previous_voice_id,
        lag(role) over by_turn as previous_role,
        lag(end_s) over by_turn as previous_end_s,
        lead(role) over by_turn as next_role,
        lead(start_s) over by_turn as next_start_s
    from turns
    window by_turn as (partition by meeting_id order by turn_no)
)

select * from final
