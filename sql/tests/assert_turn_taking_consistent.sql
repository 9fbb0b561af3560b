-- zero rows expected: one row per meeting; gaps non-negative; interruptions are a subset of overlaps;
-- turn_count matches the voices' turns
select 'duplicate meeting' as failure, meeting_id, null as detail
from turn_taking group by meeting_id having count(*) > 1
union all
select 'negative gap', meeting_id, gap_s::varchar from turn_taking where gap_s < 0 or longest_gap_s < 0
union all
select 'more interruptions than overlaps', meeting_id, null from turn_taking where interruption_count > overlap_count
union all
select 'turn_count differs from voice_share_participant', t.meeting_id, null
from turn_taking as t
inner join (select meeting_id, sum(turn_count) as turns from voice_share_participant group by meeting_id) as v
    on v.meeting_id = t.meeting_id
where t.turn_count <> v.turns
