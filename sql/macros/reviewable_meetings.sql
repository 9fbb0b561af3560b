-- one row per meeting whose consent lets raters see and hear it in the review app: consent given
-- and 'review' in its scope. One rule for every page of the app (queue, items, audio, speakers):
-- `where meeting_id in (select meeting_id from reviewable_meetings())`.
create or replace macro reviewable_meetings() as table
select meeting_id
from meetings
where consent_status = 'given' and list_contains(consent_scope, 'review');
