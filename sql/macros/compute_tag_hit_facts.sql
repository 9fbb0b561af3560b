-- one row per utterance × tag labelled true in only_meeting (or all), from utterance_facts, with
-- the turn context of the utterance's speaking turn from speaking_turn_facts
create or replace macro compute_tag_hit_facts(only_meeting) as table
with

facts as (
    select meeting_id, utterance_id, tagger_model_version as model_version, voice_id, participant_id,
        role, start_s, end_s, turn_no,
        [
            {'tag': 'option_discussion', 'probability': option_discussion_p, 'label': option_discussion_label},
            {'tag': 'preference_elicitation', 'probability': preference_elicitation_p, 'label': preference_elicitation_label},
            {'tag': 'persuasion', 'probability': persuasion_p, 'label': persuasion_label},
            {'tag': 'peer_self_disclosure', 'probability': peer_self_disclosure_p, 'label': peer_self_disclosure_label}
        ] as scored
    from utterance_facts
    where (only_meeting is null or meeting_id = only_meeting)
        and (option_discussion_label or preference_elicitation_label or persuasion_label
            or peer_self_disclosure_label)
),

turn_context as (
    select
        meeting_id,
        turn_no,
        coalesce(previous_role, 'none') as followed_role,
        coalesce(next_role, 'none') as answered_by_role,
        next_start_s as answer_start_s
    from speaking_turn_facts
    where only_meeting is null or meeting_id = only_meeting
),

unnested as (
    select * exclude (scored), unnest(scored, recursive := true)
    from facts
),

final as (
    select u.meeting_id, u.utterance_id, u.tag, u.probability, u.model_version, u.voice_id,
        u.participant_id, u.role, u.start_s, u.end_s, u.turn_no,
        c.followed_role, c.answered_by_role, c.answer_start_s
    from unnested as u
    inner join turn_context as c on c.meeting_id = u.meeting_id and c.turn_no = u.turn_no
    where u.label
)

select * from final;
