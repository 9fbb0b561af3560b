-- one row per utterance × tag that the current tagger model version labelled true, with the
-- utterance's speaking turn and the roles of the turns just before and after it.
-- followed_role = role of the previous speaking turn ('none' when the utterance's turn opens the meeting);
-- answered_by_role = role of the next speaking turn ('none' when it closes the meeting).
with

hits as (
    select utterance_id, meeting_id, tag, probability, model_version
    from stg_current_tags
    where label
),

utterance_turns as (
    select utterance_id, meeting_id, voice_id, participant_id, role, start_s, end_s, turn_no
    from stg_utterance_turns
),

speaking_turns as (
    select meeting_id, turn_no, previous_role, next_role, next_start_s, end_s as turn_end_s
    from stg_speaking_turns
),

final as (
    select
        h.meeting_id,
        h.utterance_id,
        h.tag,
        h.probability,
        h.model_version,
        u.voice_id,
        u.participant_id,
        u.role,
        u.start_s,
        u.end_s,
        u.turn_no,
        coalesce(t.previous_role, 'none') as followed_role,
        coalesce(t.next_role, 'none') as answered_by_role,
        t.next_start_s as answer_start_s
    from hits as h
    inner join utterance_turns as u on u.utterance_id = h.utterance_id
    inner join speaking_turns as t on t.meeting_id = u.meeting_id and t.turn_no = u.turn_no
)

select * from final
