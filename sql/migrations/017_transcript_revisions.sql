-- Corrections of the transcript by a person (the review app's transcript editor).
--
-- utterances and words hold the CURRENT transcript, corrected where someone corrected it, so
-- every view, tag and export reads the corrected text; machine_utterances and machine_words keep
-- what the models produced, written by each processing run, for comparison (word error rate).
-- Every correction appends one transcript_revisions row; none is ever updated or deleted (except
-- by a consent withdrawal). A re-run that stores new machine output replays the revisions onto it
-- and records each one's outcome in transcript_revision_replays.

-- a word an editor typed has no recogniser probability
alter table words alter column probability drop not null;

-- the last revision that changed the utterance; null: as the machine made it
alter table utterances add column revision_id bigint;

-- one row per utterance as the last processing run produced it
create table machine_utterances (
    utterance_id    varchar primary key,
    meeting_id      varchar not null,
    utterance_index integer not null,
    speaker_label   varchar,
    start_s         double not null,
    end_s           double not null,
    text            varchar not null,
    unique (meeting_id, utterance_index)
);

-- one row per word as the last processing run produced it
create table machine_words (
    meeting_id    varchar not null,
    word_index    integer not null,
    utterance_id  varchar not null,
    speaker_label varchar,
    start_s       double not null,
    end_s         double not null,
    word          varchar not null,
    probability   double not null,
    primary key (meeting_id, word_index)
);

-- meetings stored before this migration were never corrected: their rows are the machine's
insert into machine_utterances
select utterance_id, meeting_id, utterance_index, speaker_label, start_s, end_s, text from utterances;
insert into machine_words
select meeting_id, word_index, utterance_id, speaker_label, start_s, end_s, word, probability from words;

create sequence transcript_revisions_id_seq;

-- one row per correction, in the order they were made
create table transcript_revisions (
    revision_id    bigint primary key default nextval('transcript_revisions_id_seq'),
    meeting_id     varchar not null,
    editor         varchar not null,          -- the rater who made it
    edited_at      timestamp not null default current_timestamp,
    kind           varchar not null check (kind in ('reassign', 'split', 'merge', 'edit_words', 'rename_speaker')),
    target_ids     varchar[] not null,        -- the utterance ids it was made on (the speaker, for a rename)
    params         json not null,             -- what was asked (dialogic.corrections.edits, by kind)
    before         json not null,             -- the utterances it read: [{utterance_id, speaker_label, words}]
    after          json not null,             -- the utterances it left (empty: removed)
    speaker_labels varchar[] not null         -- every speaker named in before and after
);

create sequence transcript_revision_replays_id_seq;

-- one row per revision × processing run that stored new machine output for its meeting
create table transcript_revision_replays (
    replay_id   bigint primary key default nextval('transcript_revision_replays_id_seq'),
    run_id      varchar not null,
    meeting_id  varchar not null,
    revision_id bigint not null,
    replayed    boolean not null,
    reason      varchar,                    -- why it could not be replayed
    params      json,                       -- the revision as replayed: ids and speakers of the new run
    before      json,                       -- the utterances it was replayed on
    replayed_at timestamp not null default current_timestamp
);

-- one row per meeting with a correction in effect: its machine words against its corrected words,
-- aligned in Python (dialogic.corrections.word_errors) each time either changes
create table transcript_word_error_facts (
    meeting_id      varchar primary key,
    reference_words integer not null,       -- corrected words (after normalisation)
    machine_words   integer not null,
    hits            integer not null,
    substitutions   integer not null,
    deletions       integer not null,
    insertions      integer not null,
    computed_at     timestamp not null
);

-- who may correct transcripts in the review app (`dialogic raters add NAME --editor`)
alter table raters add column can_edit boolean default false;
