-- zero rows expected: one row per utterance × tag, all from the meeting's current version
select 'duplicate utterance × tag' as failure, meeting_id, utterance_id || ' ' || tag as detail
from stg_current_tags group by meeting_id, utterance_id, tag having count(*) > 1
union all
select 'not the current version', t.meeting_id, t.model_version
from stg_current_tags as t
inner join stg_current_tagger as c on c.meeting_id = t.meeting_id
where t.model_version <> c.model_version
