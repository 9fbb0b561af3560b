-- zero rows expected: exactly the utterances of stg_utterances, once each
select 'row count differs from stg_utterances' as failure, null as meeting_id,
    (select count(*) from utterances_tagged)::varchar || ' vs ' || (select count(*) from stg_utterances)::varchar as detail
where (select count(*) from utterances_tagged) <> (select count(*) from stg_utterances)
union all
select 'duplicate utterance_id', meeting_id, utterance_id
from utterances_tagged group by meeting_id, utterance_id having count(*) > 1
union all
select 'probability out of [0, 1]', meeting_id, utterance_id from utterances_tagged
where not (coalesce(option_discussion_p, 0) between 0 and 1 and coalesce(persuasion_p, 0) between 0 and 1
    and coalesce(preference_elicitation_p, 0) between 0 and 1 and coalesce(peer_self_disclosure_p, 0) between 0 and 1)
