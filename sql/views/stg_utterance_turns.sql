-- one row per utterance, numbered in time order (start_s, then utterance_index) within its meeting
-- and assigned to a speaking turn: a maximal run of consecutive utterances by the same voice.
-- The columns of stg_utterances plus position and turn_no, both from utterance_facts (numbered
-- when the meeting is written).
with

utterances as (
    select * from stg_utterances
),

positions as (
    select utterance_id, position, turn_no
    from utterance_facts
),

final as (
    select
        utterances.*,
        positions.position,
        positions.turn_no
    from utterances
    inner join positions on positions.utterance_id = utterances.utterance_id
)

select * from final
