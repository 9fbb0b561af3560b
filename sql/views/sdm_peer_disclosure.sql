-- one row per meeting with utterances: peer workers sharing lived experience, how often and when.
-- Counts utterances labelled peer_self_disclosure by the current tagger model version (null while
-- untagged) where the codebook's role rule lets the label count: by role 'peer' only
-- (tag_role_rule). Labels on speakers not yet mapped to a participant are candidates, counted
-- apart in candidate_count (with their ids) and not as disclosures until the speaker is mapped;
-- labels on other roles do not count. first_disclosure_pct = position of the first disclosure in
-- the meeting (0 = start, 100 = end of the last utterance).
with

staged as (
    select meeting_id, last_end_s, tagger_model_version
    from meeting_facts
),

hits as (
    select meeting_id, utterance_id, start_s
    from stg_tag_hits
    where tag = 'peer_self_disclosure'
),

candidates as (
    select meeting_id, count(*) as candidate_count, list(utterance_id order by start_s, utterance_id) as candidate_utterance_ids
    from utterance_facts
    where peer_self_disclosure_candidate
    group by meeting_id
),

per_meeting as (
    select
        meeting_id,
        count(*) as disclosure_count,
        min(start_s) as first_disclosure_s,
        list(start_s order by start_s, utterance_id) as disclosure_start_s,
        list(utterance_id order by start_s, utterance_id) as evidence_utterance_ids
    from hits
    group by meeting_id
),

final as (
    select
        m.meeting_id,
        m.tagger_model_version,
        case when m.tagger_model_version is not null then coalesce(p.disclosure_count, 0) end as disclosure_count,
        case when m.tagger_model_version is not null then coalesce(c.candidate_count, 0) end as candidate_count,
        coalesce(c.candidate_utterance_ids, []) as candidate_utterance_ids,
        p.first_disclosure_s,
        100 * p.first_disclosure_s / nullif(m.last_end_s, 0) as first_disclosure_pct,
        coalesce(p.disclosure_start_s, []) as disclosure_start_s,
        coalesce(p.evidence_utterance_ids, []) as evidence_utterance_ids
    from staged as m
    left join per_meeting as p on p.meeting_id = m.meeting_id
    left join candidates as c on c.meeting_id = m.meeting_id
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tag_validation_status as validation
    on validation.tagger_model_version = final.tagger_model_version and validation.tag = 'peer_self_disclosure'
