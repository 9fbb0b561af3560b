-- one row per meeting whose consent lets it be analysed: consent given and 'analyse' in its
-- scope. The analytics facts (and so every analytics view) are computed for these meetings only.
create or replace macro analysable_meetings() as table
select meeting_id
from meetings
where consent_status = 'given' and list_contains(consent_scope, 'analyse');
