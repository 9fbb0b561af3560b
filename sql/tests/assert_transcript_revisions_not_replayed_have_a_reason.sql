-- transcript_revisions_not_replayed: each names the run that could not replay it, and why
select revision_id, 'no run or reason' as problem
from transcript_revisions_not_replayed
where run_id is null or reason is null or reason = ''
