-- one row per meeting × speaking turn of only_meeting, from utterance_facts
create or replace macro compute_speaking_turn_facts(only_meeting) as table
with

utterance_turns as (
    select *
    from utterance_facts
    where only_meeting is null or meeting_id = only_meeting
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

select * from final;
