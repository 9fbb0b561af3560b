-- one row per meeting with utterances: were treatment or care options discussed, when first, by whom.
-- Counts utterances labelled option_discussion by the meeting's current tagger model version;
-- counts are null (not 0) while the meeting has no tags. evidence_utterance_ids in time order.
-- Kept for the name and columns analysts use: a thin view over sdm_tags (the SDM view family,
-- parameterised by tag), which has the same figures for every tag of the codebook.
select
    meeting_id,
    tagger_model_version,
    hit_count as option_utterance_count,
    by_professionals_count,
    by_service_user_count,
    by_network_count,
    first_s as first_option_s,
    first_role as first_option_role,
    hit_roles as option_roles,
    evidence_utterance_ids,
    validation_status
from sdm_tags
where tag = 'option_discussion'
