-- one row per utterance × tag that the current tagger model version labelled true, with the
-- utterance's speaking turn and the roles of the turns just before and after it.
-- followed_role = role of the previous speaking turn ('none' when the utterance's turn opens the meeting);
-- answered_by_role = role of the next speaking turn ('none' when it closes the meeting).
-- Stored in tag_hit_facts (compute_tag_hit_facts, migration 007) when the meeting is written.
with

final as (
    select
        meeting_id,
        utterance_id,
        tag,
        probability,
        model_version,
        voice_id,
        participant_id,
        role,
        start_s,
        end_s,
        turn_no,
        followed_role,
        answered_by_role,
        answer_start_s
    from tag_hit_facts
)

select * from final
