-- zero rows expected: one row per tagged meeting; items 0–4 = min(evidence ids, 4); score = 5 × sum
select 'duplicate meeting' as failure, meeting_id, null as detail
from sdm_option5_proxy group by meeting_id having count(*) > 1
union all
select 'score out of 0–100', meeting_id, score_0_100::varchar
from sdm_option5_proxy where score_0_100 < 0 or score_0_100 > 100
union all
select 'score <> 5 × items', meeting_id, score_0_100::varchar
from sdm_option5_proxy
where score_0_100 <> 5 * (item1_options_raised + item2_deliberation_shared + item3_options_revisited
    + item4_preferences_elicited + item5_preferences_used)
union all
select 'item <> min(evidence, 4)', meeting_id, null
from sdm_option5_proxy
where item1_options_raised <> least(len(item1_evidence_ids), 4)
    or item2_deliberation_shared <> least(len(item2_evidence_ids), 4)
    or item3_options_revisited <> least(len(item3_evidence_ids), 4)
    or item4_preferences_elicited <> least(len(item4_evidence_ids), 4)
    or item5_preferences_used <> least(len(item5_evidence_ids), 4)
