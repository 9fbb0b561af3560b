-- one row per meeting × role with utterances, in meetings tagged by a current tagger model version:
-- how many of the role's utterances were labelled persuasion (pressure towards one option).
-- persuasion_pct = share of the role's own utterances; per_hour uses the role's utterance time.
-- Kept for the name and columns analysts use: a thin view over sdm_tag_roles (the SDM view family,
-- parameterised by tag), which has the same figures for every tag of the codebook.
select
    meeting_id,
    role,
    utterance_count,
    hit_count as persuasion_count,
    hit_pct as persuasion_pct,
    per_speech_hour as persuasion_per_speech_hour,
    first_s as first_persuasion_s,
    evidence_utterance_ids,
    validation_status
from sdm_tag_roles
where tag = 'persuasion'
