-- zero rows expected: one row per meeting; the count equals its evidence ids; role counts fit in it
select 'duplicate meeting' as failure, meeting_id, null as detail
from sdm_options_discussed group by meeting_id having count(*) > 1
union all
select 'count <> evidence ids', meeting_id, option_utterance_count::varchar
from sdm_options_discussed
where tagger_model_version is not null and option_utterance_count <> len(evidence_utterance_ids)
union all
select 'role counts exceed total', meeting_id, null
from sdm_options_discussed
where by_professionals_count + by_service_user_count + by_network_count > option_utterance_count
union all
select 'counts without tagger', meeting_id, null
from sdm_options_discussed where tagger_model_version is null and option_utterance_count is not null
