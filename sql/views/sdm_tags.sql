-- one row per meeting with utterances × codebook tag: how often the meeting's current tagger
-- model version labelled the tag, by whom and when. The one SDM view family is this long view
-- (and sdm_tag_roles, by role); sdm_options_discussed and sdm_peer_disclosure are kept as thin
-- views over it for the names analysts use.
-- Counts are labels that count under the codebook's role rule (tag_role_rule); labels waiting on
-- an unmapped speaker's role are candidates, counted apart in candidate_count. Counts are null
-- (not 0) while the meeting has no tags, or when its tagger does not score the tag (a tagger
-- trained before the tag joined the codebook). first_pct = position of the first hit in the
-- meeting (0 = start, 100 = end of the last utterance); lists are in time order.
with

meetings as (
    select meeting_id, last_end_s, tagger_model_version from meeting_facts
),

codebook as (
    select tag from codebook_tags()
),

-- counts and evidence of every scored tag, kept at write time (compute_meeting_tag_facts)
scored as (
    select * from meeting_tag_facts
),

final as (
    select
        m.meeting_id,
        c.tag,
        m.tagger_model_version,
        s.hit_count,
        s.by_professionals_count,
        s.by_service_user_count,
        s.by_network_count,
        s.candidate_count,
        coalesce(s.candidate_utterance_ids, []) as candidate_utterance_ids,
        s.first_s,
        100 * s.first_s / nullif(m.last_end_s, 0) as first_pct,
        s.first_role,
        coalesce(s.hit_roles, []) as hit_roles,
        coalesce(s.hit_start_s, []) as hit_start_s,
        coalesce(s.evidence_utterance_ids, []) as evidence_utterance_ids
    from meetings as m
    cross join codebook as c
    left join scored as s on s.meeting_id = m.meeting_id and s.tag = c.tag
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tag_validation_status as validation
    on validation.tagger_model_version = final.tagger_model_version and validation.tag = final.tag
