-- one row per utterance × tag labelled true in only_meeting (or all), from utterance_tag_facts and
-- utterance_facts, with the turn context of the utterance's speaking turn from speaking_turn_facts
create or replace macro compute_tag_hit_facts(only_meeting) as table
with

facts as (
    select f.meeting_id, f.utterance_id, t.tag, t.probability, t.model_version, f.voice_id,
        f.participant_id, f.role, f.start_s, f.end_s, f.turn_no
    from utterance_tag_facts as t
    inner join utterance_facts as f on f.meeting_id = t.meeting_id and f.utterance_id = t.utterance_id
    where (only_meeting is null or t.meeting_id = only_meeting) and t.label
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

final as (
    select u.meeting_id, u.utterance_id, u.tag, u.probability, u.model_version, u.voice_id,
        u.participant_id, u.role, u.start_s, u.end_s, u.turn_no,
        c.followed_role, c.answered_by_role, c.answer_start_s
    from facts as u
    inner join turn_context as c on c.meeting_id = u.meeting_id and c.turn_no = u.turn_no
)

select * from final;
