-- zero rows expected: positions 1..n without gaps, turns numbered 1..k without gaps, per meeting
select 'positions not 1..n' as failure, meeting_id, count(*)::varchar as detail
from stg_utterance_turns group by meeting_id
having max(position) <> count(*) or count(distinct position) <> count(*)
union all
select 'turn numbers not 1..k', meeting_id, max(turn_no)::varchar
from stg_utterance_turns group by meeting_id
having min(turn_no) <> 1 or max(turn_no) <> count(distinct turn_no)
