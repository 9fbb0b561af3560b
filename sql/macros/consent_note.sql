-- The note a view carries for a meeting from which participants' speech was withdrawn
-- (meetings.withdrawn_participants): null for a complete meeting.
create or replace macro consent_note(withdrawn_participants) as
    case when len(withdrawn_participants) > 0 then
        'incomplete: the speech of ' || len(withdrawn_participants) || ' participant'
        || case when len(withdrawn_participants) > 1 then 's were' else ' was' end || ' withdrawn'
    end;
