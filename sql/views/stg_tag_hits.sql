-- one row per utterance × tag that the current tagger model version labelled true, with the
-- utterance's speaking turn and the roles of the turns just before and after it.
-- followed_role = role of the previous speaking turn ('none' when the utterance's turn opens the meeting);
-- answered_by_role = role of the next speaking turn ('none' when it closes the meeting).
-- Read from utterance_facts, where labels and turn context are stored when the meeting is written.
with

facts as (
    select * from utterance_facts
    where option_discussion_label or preference_elicitation_label or persuasion_label
        or peer_self_disclosure_label
),

hits as (
    select *, 'option_discussion' as tag, option_discussion_p as probability
    from facts where option_discussion_label
    union all
    select *, 'preference_elicitation' as tag, preference_elicitation_p as probability
    from facts where preference_elicitation_label
    union all
    select *, 'persuasion' as tag, persuasion_p as probability
    from facts where persuasion_label
    union all
    select *, 'peer_self_disclosure' as tag, peer_self_disclosure_p as probability
    from facts where peer_self_disclosure_label
),

final as (
    select
        meeting_id,
        utterance_id,
        tag,
        probability,
        tagger_model_version as model_version,
        voice_id,
        participant_id,
        role,
        start_s,
        end_s,
        turn_no,
        coalesce(turn_previous_role, 'none') as followed_role,
        coalesce(turn_next_role, 'none') as answered_by_role,
        turn_next_start_s as answer_start_s
    from hits
)

select * from final
