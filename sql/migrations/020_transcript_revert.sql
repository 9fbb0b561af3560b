-- A correction can be undone (issue #21): a 'revert' revision replaces what an earlier revision
-- left with what it read, so the history stays append-only (nothing is updated or deleted).
-- DuckDB cannot alter a CHECK constraint, so the table is rebuilt with the new kind, its rows
-- and its sequence kept; the views read it by name and are recreated after the migrations.
create table transcript_revisions_019 (
    revision_id    bigint primary key default nextval('transcript_revisions_id_seq'),
    meeting_id     varchar not null,
    editor         varchar not null,          -- the rater who made it
    edited_at      timestamp not null default current_timestamp,
    kind           varchar not null check (kind in ('reassign', 'split', 'merge', 'edit_words', 'rename_speaker', 'revert')),
    target_ids     varchar[] not null,        -- the utterance ids it was made on (the speaker, for a rename; 'revision N' for a revert)
    params         json not null,             -- what was asked (dialogic.corrections.edits, by kind)
    before         json not null,             -- the utterances it read: [{utterance_id, speaker_label, words}]
    after          json not null,             -- the utterances it left (empty: removed)
    speaker_labels varchar[] not null         -- every speaker named in before and after
);
insert into transcript_revisions_019 select * from transcript_revisions;
drop table transcript_revisions;
alter table transcript_revisions_019 rename to transcript_revisions;
