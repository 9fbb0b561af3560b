-- validation_item_truth: one row per sample item × tag, and a consensus only where two raters
-- agreed or a third adjudicated (never from one rater, never against an agreement)
select sample_id, utterance_id, tag, 'duplicate' as problem
from validation_item_truth group by sample_id, utterance_id, tag having count(*) > 1
union all
select sample_id, utterance_id, tag, 'consensus without two raters' from validation_item_truth
where consensus is not null and n_raters < 2
union all
select sample_id, utterance_id, tag, 'consensus against the two raters' from validation_item_truth
where status = 'agreed' and consensus is distinct from value_a
union all
select sample_id, utterance_id, tag, 'undecided disagreement given a consensus' from validation_item_truth
where status = 'needs adjudication' and consensus is not null
