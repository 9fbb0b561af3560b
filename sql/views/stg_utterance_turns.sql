-- one row per utterance, numbered in time order (start_s, then utterance_index) within its meeting
-- and assigned to a speaking turn: a maximal run of consecutive utterances by the same voice.
with

staged as (
    select * from stg_utterances
),

ordered as (
    select
        *,
        row_number() over by_time as position,
        lag(voice_id) over by_time as previous_voice_id
    from staged
    window by_time as (partition by meeting_id order by start_s, utterance_index)
),

numbered as (
    select
        * exclude (previous_voice_id),
        sum(case when previous_voice_id is distinct from voice_id then 1 else 0 end) over (
            partition by meeting_id order by position rows between unbounded preceding and current row
        ) as turn_no
    from ordered
),

final as (
    select * from numbered
)

select * from final
