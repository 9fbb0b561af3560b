-- one row per tagged meeting: an OPTION-5-style shared-decision-making indicator (0–100) computed
-- from utterance tags. It is NOT an OPTION-5 rating: no rater watched the meeting, tags are model
-- output with known error rates, and items 2, 3 and 5 are only rough stand-ins (see docs/sql.md).
-- Each item scores 0–4 as min(count of evidence utterances, 4); score_0_100 = 5 × sum of items.
-- professional = clinician or peer. Evidence ids are in time order.
--   item1_options_raised       professionals' option_discussion utterances
--   item2_deliberation_shared  service user's and network's option_discussion utterances
--   item3_options_revisited    option_discussion utterances in speaking turns after the first
--                              turn that discussed options (options come back, are compared)
--   item4_preferences_elicited professionals' preference_elicitation utterances
--   item5_preferences_used     professionals' option_discussion utterances starting after the
--                              service user answered (next turn) a professional's elicitation
-- Computed by compute_sdm_option5_facts (sql/macros/) into sdm_option5_facts when the meeting is
-- written: five ordered evidence lists over a million tag hits took about a second per query.
with

final as (
    select
        meeting_id,
        tagger_model_version,
        score_0_100,
        item1_options_raised,
        item2_deliberation_shared,
        item3_options_revisited,
        item4_preferences_elicited,
        item5_preferences_used,
        item1_evidence_ids,
        item2_evidence_ids,
        item3_evidence_ids,
        item4_evidence_ids,
        item5_evidence_ids
    from sdm_option5_facts
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when final.tagger_model_version is not null then 'not validated on this study' end)
    as validation_status
from final
left join tagger_validation_summary as validation on validation.tagger_model_version = final.tagger_model_version
