-- zero rows expected: one row per meeting × interrupter × interrupted; counts consistent
select 'duplicate pair' as failure, meeting_id, interrupter_voice_id || ' > ' || interrupted_voice_id as detail
from interruptions group by meeting_id, interrupter_voice_id, interrupted_voice_id having count(*) > 1
union all
select 'more interruptions than overlaps', meeting_id, interrupter_voice_id
from interruptions where interruption_count > overlap_count
union all
select 'non-positive overlap_s', meeting_id, interrupter_voice_id from interruptions where overlap_s <= 0
