-- zero rows expected: one row per meeting; count equals evidence ids and start times; position 0–100 %
select 'duplicate meeting' as failure, meeting_id, null as detail
from sdm_peer_disclosure group by meeting_id having count(*) > 1
union all
select 'count <> evidence ids', meeting_id, disclosure_count::varchar
from sdm_peer_disclosure
where tagger_model_version is not null
    and (disclosure_count <> len(evidence_utterance_ids) or disclosure_count <> len(disclosure_start_s))
union all
select 'first_disclosure_pct out of range', meeting_id, first_disclosure_pct::varchar
from sdm_peer_disclosure where first_disclosure_pct < 0 or first_disclosure_pct > 100
