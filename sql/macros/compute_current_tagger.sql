-- one row per tagged meeting of only_meeting (or all): its current tagger version, the latest
-- activated_at among versions with rows for the meeting (ties: the greater model_version);
-- versions missing from tagger_models are ignored
create or replace macro compute_current_tagger(only_meeting) as table
select
    v.meeting_id,
    arg_max(v.model_version, (m.activated_at, v.model_version)) as model_version
from (
    select distinct meeting_id, model_version
    from tags
    where only_meeting is null or meeting_id = only_meeting
) as v
inner join tagger_models as m on m.model_version = v.model_version
group by v.meeting_id;
