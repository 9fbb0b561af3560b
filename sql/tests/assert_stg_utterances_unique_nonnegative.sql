-- zero rows expected: one row per utterance, no negative durations or word counts, known roles
select 'duplicate utterance_id' as failure, meeting_id, utterance_id as detail
from stg_utterances group by meeting_id, utterance_id having count(*) > 1
union all
select 'negative duration_s', meeting_id, utterance_id from stg_utterances where duration_s < 0
union all
select 'negative word_count', meeting_id, utterance_id from stg_utterances where word_count < 0
union all
select 'unknown role ' || role, meeting_id, utterance_id from stg_utterances
where role not in ('service_user', 'network', 'clinician', 'peer', 'other', 'unknown')
