-- zero rows expected: one row per meeting; peer turns after service-user turns fit in peer turns
select 'duplicate meeting' as failure, meeting_id, null as detail
from peer_involvement group by meeting_id having count(*) > 1
union all
select 'more follow-ups than peer turns', meeting_id, null
from peer_involvement where peer_turns_after_service_user > peer_turn_count
union all
select 'count <> evidence ids', meeting_id, null
from peer_involvement where peer_turns_after_service_user <> len(evidence_utterance_ids)
union all
select 'peer_speech_pct out of range', meeting_id, null
from peer_involvement where peer_speech_pct < 0 or peer_speech_pct > 100 + 1e-9
