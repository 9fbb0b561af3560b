-- Consent withdrawal (`dialogic consent withdraw`): what was removed, when and under which
-- consent reference — counts of rows, never their content.
create table consent_withdrawals (
    withdrawn_at   timestamp not null default current_timestamp,
    meeting_id     varchar not null,
    participant_id varchar,                -- null: the whole meeting
    reference      varchar not null,       -- where the withdrawal is documented
    withdrawn_by   varchar not null,
    rows_removed   json not null           -- table -> rows deleted
);

-- Participants whose speech was withdrawn from a meeting that otherwise stays: the views say
-- such a meeting is incomplete.
alter table meetings add column withdrawn_participants varchar[];
