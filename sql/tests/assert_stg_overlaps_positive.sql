-- zero rows expected: one row per overlapping diarised turn, positive overlap, two different voices
select 'duplicate overlap' as failure, meeting_id, turn_index::varchar as detail
from stg_overlaps group by meeting_id, turn_index having count(*) > 1
union all
select 'non-positive overlap_s', meeting_id, turn_index::varchar from stg_overlaps where overlap_s <= 0
union all
select 'voice overlaps itself', meeting_id, turn_index::varchar
from stg_overlaps where interrupter_voice_id = interrupted_voice_id
