-- one row per meeting with utterances: peer workers sharing lived experience, how often and when.
-- Counts utterances labelled peer_self_disclosure by the current tagger model version (null while
-- untagged) where the codebook's role rule lets the label count: by role 'peer' only
-- (tag_role_rule). Labels on speakers not yet mapped to a participant are candidates, counted
-- apart in candidate_count (with their ids) and not as disclosures until the speaker is mapped;
-- labels on other roles do not count. first_disclosure_pct = position of the first disclosure in
-- the meeting (0 = start, 100 = end of the last utterance).
-- Kept for the name and columns analysts use: a thin view over sdm_tags (the SDM view family,
-- parameterised by tag), which has the same figures for every tag of the codebook.
select
    meeting_id,
    tagger_model_version,
    hit_count as disclosure_count,
    candidate_count,
    candidate_utterance_ids,
    first_s as first_disclosure_s,
    first_pct as first_disclosure_pct,
    hit_start_s as disclosure_start_s,
    evidence_utterance_ids,
    validation_status
from sdm_tags
where tag = 'peer_self_disclosure'
