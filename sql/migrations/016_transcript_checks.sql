-- Raters' checks of the transcript on validation items: is the utterance given to the right
-- person, and how many of its words were misheard. From them the report estimates speaker-
-- attribution accuracy, word error and misattributed speech per meeting, with intervals.
create sequence transcript_checks_id_seq;

create table transcript_checks (
    check_id             bigint primary key default nextval('transcript_checks_id_seq'),
    rater_id             varchar not null,
    utterance_id         varchar not null,
    meeting_id           varchar not null,
    speaker_right        boolean,               -- null: the rater cannot tell
    right_participant_id varchar,               -- who it was, when the speaker is wrong and known
    misheard_words       integer not null check (misheard_words >= 0),
    word_count           integer not null,      -- words of the utterance as transcribed
    utterance_text       varchar not null,      -- the text the rater checked
    created_at           timestamp not null default current_timestamp
);
