-- validation_answers: one answer per sample × utterance × rater × tag, and only blind queues
select sample_id, utterance_id, rater_id, tag, 'duplicate' as problem
from validation_answers group by sample_id, utterance_id, rater_id, tag having count(*) > 1
union all
select sample_id, utterance_id, rater_id, tag, 'not blind' from validation_answers
where queue not in ('validation', 'adjudication')
