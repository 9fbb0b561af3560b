-- zero rows expected: one row per meeting × role; count equals evidence ids; share within 0–100 %
select 'duplicate row' as failure, meeting_id, role as detail
from sdm_persuasion group by meeting_id, role having count(*) > 1
union all
select 'count <> evidence ids', meeting_id, role
from sdm_persuasion where persuasion_count <> len(evidence_utterance_ids)
union all
select 'persuasion_pct out of range', meeting_id, role
from sdm_persuasion where persuasion_pct < 0 or persuasion_pct > 100
