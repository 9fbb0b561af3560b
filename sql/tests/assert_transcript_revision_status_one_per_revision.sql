-- transcript_revision_status: one row per revision, and a revision in effect has a form to replay
select revision_id, 'missing or duplicated' as problem
from transcript_revisions
full join (select revision_id, count(*) as n from transcript_revision_status group by revision_id) as s using (revision_id)
where s.n is distinct from 1
union all
select revision_id, 'in effect without params or before' from transcript_revision_status
where in_effect and (params is null or before is null)
