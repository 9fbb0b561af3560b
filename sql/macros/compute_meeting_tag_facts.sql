-- one row per meeting × tag of only_meeting (every meeting when null) that the meeting's current
-- tagger scored, from utterance_tag_facts, utterance_facts and tag_hit_facts: the counts and
-- evidence lists of sdm_tags, kept at write time so that the SDM views read one row per meeting ×
-- tag instead of every utterance × tag. Counts are labels that count under the codebook's role
-- rule; candidates (labels waiting on an unmapped speaker's role) are counted apart. Lists are in
-- time order (start, then utterance id).
create or replace macro compute_meeting_tag_facts(only_meeting) as table
with

scored as (
    select meeting_id, utterance_id, tag, model_version, candidate
    from utterance_tag_facts
    where only_meeting is null or meeting_id = only_meeting
),

starts as (
    select meeting_id, utterance_id, start_s
    from utterance_facts
    where only_meeting is null or meeting_id = only_meeting
),

per_scored as (
    select
        s.meeting_id,
        s.tag,
        any_value(s.model_version) as model_version,
        count(*) filter (where s.candidate) as candidate_count,
        coalesce(
            list(s.utterance_id order by u.start_s, s.utterance_id) filter (where s.candidate), []
        ) as candidate_utterance_ids
    from scored as s
    inner join starts as u on u.meeting_id = s.meeting_id and u.utterance_id = s.utterance_id
    group by s.meeting_id, s.tag
),

hits as (
    select meeting_id, tag, utterance_id, role, start_s
    from tag_hit_facts
    where only_meeting is null or meeting_id = only_meeting
),

per_hit as (
    select
        meeting_id,
        tag,
        count(*) as hit_count,
        count(*) filter (where role in ('clinician', 'peer')) as by_professionals_count,
        count(*) filter (where role = 'service_user') as by_service_user_count,
        count(*) filter (where role = 'network') as by_network_count,
        min(start_s) as first_s,
        (list(role order by start_s, utterance_id))[1] as first_role,  -- ties by utterance id
        list(distinct role order by role) as hit_roles,
        list(start_s order by start_s, utterance_id) as hit_start_s,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id, tag
),

final as (
    select
        s.meeting_id,
        s.tag,
        s.model_version,
        coalesce(h.hit_count, 0) as hit_count,
        coalesce(h.by_professionals_count, 0) as by_professionals_count,
        coalesce(h.by_service_user_count, 0) as by_service_user_count,
        coalesce(h.by_network_count, 0) as by_network_count,
        s.candidate_count,
        s.candidate_utterance_ids,
        h.first_s,
        h.first_role,
        coalesce(h.hit_roles, []) as hit_roles,
        coalesce(h.hit_start_s, []) as hit_start_s,
        coalesce(h.evidence_utterance_ids, []) as evidence_utterance_ids
    from per_scored as s
    left join per_hit as h on h.meeting_id = s.meeting_id and h.tag = s.tag
)

select * from final;
