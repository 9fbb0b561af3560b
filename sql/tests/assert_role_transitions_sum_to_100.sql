-- zero rows expected: one row per meeting × from_role × to_role; shares sum to 100 %;
-- a meeting with k speaking turns has k − 1 transitions
select 'duplicate transition' as failure, meeting_id, from_role || ' > ' || to_role as detail
from role_transitions group by meeting_id, from_role, to_role having count(*) > 1
union all
select 'transition_pct sums to ' || sum(transition_pct)::varchar, meeting_id, null
from role_transitions group by meeting_id having abs(sum(transition_pct) - 100) > 1e-6
union all
select 'from_role_pct sums to ' || sum(from_role_pct)::varchar, meeting_id, from_role
from role_transitions group by meeting_id, from_role having abs(sum(from_role_pct) - 100) > 1e-6
union all
select 'transitions <> turns - 1', r.meeting_id, null
from (select meeting_id, sum(transition_count) as n from role_transitions group by meeting_id) as r
inner join turn_taking as t on t.meeting_id = r.meeting_id
where r.n <> t.turn_count - 1
