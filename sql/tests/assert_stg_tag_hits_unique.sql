-- zero rows expected: one row per utterance × tag, each placed in a speaking turn
select 'duplicate hit' as failure, meeting_id, utterance_id || ' ' || tag as detail
from stg_tag_hits group by meeting_id, utterance_id, tag having count(*) > 1
union all
select 'hit without turn', meeting_id, utterance_id from stg_tag_hits where turn_no is null
