-- meeting_option5_scores: one row per rater × meeting, its score on 0–100
select rater_id, meeting_id, 'duplicate' as problem
from meeting_option5_scores group by rater_id, meeting_id having count(*) > 1
union all
select rater_id, meeting_id, 'out of range' from meeting_option5_scores where score_0_100 not between 0 and 100
