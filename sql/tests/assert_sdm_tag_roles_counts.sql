-- zero rows expected: one row per meeting × tag × role; counts equal their evidence lists, shares
-- within 0–100 %, and the roles' counts add up to sdm_tags' count for the meeting and tag
select 'duplicate meeting × tag × role' as failure, meeting_id, tag || ' ' || role as detail
from sdm_tag_roles group by meeting_id, tag, role having count(*) > 1
union all
select 'count <> evidence ids', meeting_id, tag || ' ' || role
from sdm_tag_roles where hit_count <> len(evidence_utterance_ids)
union all
select 'hit_pct out of range', meeting_id, tag || ' ' || role
from sdm_tag_roles where hit_pct < 0 or hit_pct > 100
union all
select 'answered by the service user exceeds the count', meeting_id, tag || ' ' || role
from sdm_tag_roles where answered_by_service_user_count > hit_count
union all
select 'roles do not add up to sdm_tags', r.meeting_id, r.tag
from (select meeting_id, tag, sum(hit_count) as hit_count from sdm_tag_roles group by meeting_id, tag) as r
inner join sdm_tags as t on t.meeting_id = r.meeting_id and t.tag = r.tag
where r.hit_count <> t.hit_count
