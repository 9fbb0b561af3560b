-- zero rows expected: one current tagger model version per meeting
select 'several current versions' as failure, meeting_id, count(*)::varchar as detail
from stg_current_tagger group by meeting_id having count(*) > 1
