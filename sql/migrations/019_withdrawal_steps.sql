-- Consent withdrawal as a resumable operation (issue #19): a withdrawal is recorded as pending
-- before anything is deleted, and every later command finishes one left half done.
--
-- consent_withdrawals.state:
--   'pending'  recorded; nothing deleted yet
--   'deleted'  the rows are deleted (rows_removed says which); the file still holds their bytes
--              in free blocks until it is rewritten
--   'complete' the file was rewritten: no byte of the withdrawn rows remains
-- withdrawal_id ties the row to the request in the `<db>.withdrawal.json` journal beside the file.
-- (DuckDB 1.5 cannot add a column with a constraint, so the writers always give a value; no
-- default, so a writer that forgets the state never records a withdrawal as complete.)
--
-- Withdrawals recorded before this migration committed their deletions before rewriting the file,
-- and a process killed in between left the words in the file's free blocks with nothing to say
-- so. They become 'deleted': the next command rewrites the file once, and completes them.
alter table consent_withdrawals add column withdrawal_id varchar;
alter table consent_withdrawals add column state varchar;
alter table consent_withdrawals add column completed_at timestamp;
update consent_withdrawals
set state = 'deleted',
    withdrawal_id = 'w-legacy-' || md5(concat_ws('/', withdrawn_at, meeting_id, participant_id, reference))
where withdrawal_id is null;
