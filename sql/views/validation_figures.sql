-- one row per validation sample × tag × figure: every figure of the last `dialogic validate
-- report` for that sample, with its 95 % interval and the number of items (or meetings) it rests
-- on; tag is null for figures of the whole sample (speaker_accuracy, word_error, option5_icc_*).
-- reason says why a figure or its interval is undefined.
select sample_id, tagger_model_version, tag, figure, value, low, high, n, reason, computed_at
from validation_estimates
