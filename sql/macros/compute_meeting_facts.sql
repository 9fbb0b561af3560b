-- one row per meeting with utterances (only_meeting, or all), from speaking_turn_facts and
-- utterance_facts; a gap is a positive silence between the end of a turn and the next turn's start.
-- The current version's activated_at is not kept: it moves whenever the version tags a meeting.
-- A meeting without times (an imported plain-text transcript) has null speech, end and gap
-- figures: counting its gaps would give 0, a number that looks exact and is not.
create or replace macro compute_meeting_facts(only_meeting) as table
with

speaking_turns as (
    select meeting_id, start_s, end_s, speech_s, word_count, utterance_count,
        start_s - previous_end_s as gap_s
    from speaking_turn_facts
    where only_meeting is null or meeting_id = only_meeting
),

tagger as (
    select u.meeting_id, max(u.tagger_model_version) as model_version
    from utterance_facts as u
    where (only_meeting is null or u.meeting_id = only_meeting) and u.tagger_model_version is not null
    group by u.meeting_id
),

per_meeting as (
    select
        meeting_id,
        sum(utterance_count) as utterance_count,
        count(*) as turn_count,
        sum(speech_s) as speech_s,
        sum(word_count) as word_count,
        max(end_s) as last_end_s,
        case when count(start_s) = count(*) then count(*) filter (where gap_s > 0) end as gap_count,
        case when count(start_s) = count(*) then coalesce(sum(gap_s) filter (where gap_s > 0), 0) end as gap_s,
        avg(gap_s) filter (where gap_s > 0) as mean_gap_s,
        median(gap_s) filter (where gap_s > 0) as median_gap_s,
        max(gap_s) filter (where gap_s > 0) as longest_gap_s
    from speaking_turns
    group by meeting_id
),

final as (
    select
        p.*,
        t.model_version as tagger_model_version
    from per_meeting as p
    left join tagger as t on t.meeting_id = p.meeting_id
)

select * from final;
