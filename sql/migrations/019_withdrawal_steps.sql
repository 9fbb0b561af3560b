-- Consent withdrawal as a resumable operation (issue #19): a withdrawal is recorded as pending
-- before anything is deleted, and every later command finishes one left half done.
--
-- consent_withdrawals.state:
--   'pending'  recorded; nothing deleted yet
--   'deleted'  the rows are deleted (rows_removed says which); the file still holds their bytes
--              in free blocks until it is rewritten
--   'complete' the file was rewritten: no byte of the withdrawn rows remains
-- withdrawal_id ties the row to the request in the `<db>.withdrawal.json` journal beside the file.
-- (DuckDB 1.5 cannot add a column with a constraint, so the writers always give a value.)
alter table consent_withdrawals add column withdrawal_id varchar;
alter table consent_withdrawals add column state varchar default 'complete';
alter table consent_withdrawals add column completed_at timestamp;
update consent_withdrawals
set state = 'complete', completed_at = withdrawn_at, withdrawal_id = 'w-legacy-' || cast(epoch_us(withdrawn_at) as varchar)
where withdrawal_id is null;
