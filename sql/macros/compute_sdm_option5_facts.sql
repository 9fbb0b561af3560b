-- one row per tagged meeting of only_meeting (or all): the OPTION-5-style proxy, from
-- tag_hit_facts and meeting_facts. Items and their limits: sql/views/sdm_option5_proxy.sql.
-- In a meeting without times (an imported plain-text transcript) "after the answer" of item 5 is
-- read in turn order: a later speaking turn than the service user's answering one.
create or replace macro compute_sdm_option5_facts(only_meeting) as table
with

current_tagger as (
    select meeting_id, tagger_model_version as model_version
    from meeting_facts
    where tagger_model_version is not null and (only_meeting is null or meeting_id = only_meeting)
),

hits as (
    select meeting_id, utterance_id, tag, role, start_s, turn_no, answered_by_role, answer_start_s,
        role in ('clinician', 'peer') as by_professional
    from tag_hit_facts
    where tag in ('option_discussion', 'preference_elicitation')
        and (only_meeting is null or meeting_id = only_meeting)
),

first_option_turn as (
    select meeting_id, min(turn_no) as turn_no
    from hits
    where tag = 'option_discussion'
    group by meeting_id
),

first_answer as (
    select meeting_id, min(answer_start_s) as answer_start_s, min(turn_no) + 1 as answer_turn_no
    from hits
    where tag = 'preference_elicitation' and by_professional and answered_by_role = 'service_user'
    group by meeting_id
),

evidence as (
    select
        h.meeting_id,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.by_professional) as item1_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.role in ('service_user', 'network')) as item2_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.turn_no > f.turn_no) as item3_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'preference_elicitation' and h.by_professional) as item4_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.by_professional
                and coalesce(h.start_s >= a.answer_start_s, h.turn_no > a.answer_turn_no))
            as item5_evidence_ids
    from hits as h
    left join first_option_turn as f on f.meeting_id = h.meeting_id
    left join first_answer as a on a.meeting_id = h.meeting_id
    group by h.meeting_id
),

items as (
    select
        c.meeting_id,
        c.model_version as tagger_model_version,
        least(len(coalesce(e.item1_evidence_ids, [])), 4) as item1_options_raised,
        least(len(coalesce(e.item2_evidence_ids, [])), 4) as item2_deliberation_shared,
        least(len(coalesce(e.item3_evidence_ids, [])), 4) as item3_options_revisited,
        least(len(coalesce(e.item4_evidence_ids, [])), 4) as item4_preferences_elicited,
        least(len(coalesce(e.item5_evidence_ids, [])), 4) as item5_preferences_used,
        coalesce(e.item1_evidence_ids, []) as item1_evidence_ids,
        coalesce(e.item2_evidence_ids, []) as item2_evidence_ids,
        coalesce(e.item3_evidence_ids, []) as item3_evidence_ids,
        coalesce(e.item4_evidence_ids, []) as item4_evidence_ids,
        coalesce(e.item5_evidence_ids, []) as item5_evidence_ids
    from current_tagger as c
    left join evidence as e on e.meeting_id = c.meeting_id
),

final as (
    select
        meeting_id,
        tagger_model_version,
        5 * (item1_options_raised + item2_deliberation_shared + item3_options_revisited
            + item4_preferences_elicited + item5_preferences_used) as score_0_100,
        * exclude (meeting_id, tagger_model_version)
    from items
)

select * from final;
