-- zero rows expected: one row per tagged meeting in sdm_option5_facts, equal to a recomputation
-- from tag_hit_facts and meeting_facts (compute_sdm_option5_facts).
with

stored as (
    select * from sdm_option5_facts
),

fresh as (
    select * from compute_sdm_option5_facts(null)
),

compared as (
    select
        coalesce(s.meeting_id, f.meeting_id) as meeting_id,
        case
            when f.meeting_id is null then 'stale sdm_option5_facts: meeting no longer tagged'
            when s.meeting_id is null then 'stale sdm_option5_facts: tagged meeting without facts'
            when (s.tagger_model_version, s.score_0_100, s.item1_options_raised, s.item2_deliberation_shared,
                  s.item3_options_revisited, s.item4_preferences_elicited, s.item5_preferences_used,
                  s.item1_evidence_ids, s.item2_evidence_ids, s.item3_evidence_ids, s.item4_evidence_ids,
                  s.item5_evidence_ids)
                is distinct from
                 (f.tagger_model_version, f.score_0_100, f.item1_options_raised, f.item2_deliberation_shared,
                  f.item3_options_revisited, f.item4_preferences_elicited, f.item5_preferences_used,
                  f.item1_evidence_ids, f.item2_evidence_ids, f.item3_evidence_ids, f.item4_evidence_ids,
                  f.item5_evidence_ids)
                then 'stale sdm_option5_facts: values differ'
        end as failure
    from stored as s
    full join fresh as f on f.meeting_id = s.meeting_id
)

select failure, meeting_id, null as detail from compared where failure is not null
union all
select 'duplicate meeting in sdm_option5_facts', meeting_id, null
from sdm_option5_facts group by meeting_id having count(*) > 1
