-- zero rows expected: one row per meeting × asking role × followed role; count equals evidence ids
select 'duplicate row' as failure, meeting_id, asking_role || ' after ' || followed_role as detail
from sdm_preference_elicitation group by meeting_id, asking_role, followed_role having count(*) > 1
union all
select 'count <> evidence ids', meeting_id, asking_role
from sdm_preference_elicitation where elicitation_count <> len(evidence_utterance_ids)
union all
select 'more answers than elicitations', meeting_id, asking_role
from sdm_preference_elicitation where answered_by_service_user_count > elicitation_count
