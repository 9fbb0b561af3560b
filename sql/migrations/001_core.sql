-- Core tables: one meeting's consented audio and everything derived from it.
-- Derived rows (speakers, turns, words, utterances) are replaced together, in one
-- transaction, when a meeting is processed again with other models.

create table meetings (
    meeting_id        varchar primary key,
    audio_path        varchar not null,
    audio_sha256      varchar,
    duration_s        double,
    recorded_on       date,
    site              varchar,
    consent_status    varchar not null,
    consent_scope     varchar[] not null,
    consent_reference varchar,
    manifest_path     varchar,
    processing_key    varchar,          -- audio sha256 + model versions that produced the derived rows
    processed_at      timestamp
);

create table participants (
    meeting_id     varchar not null,
    participant_id varchar not null,
    role           varchar not null check (role in ('service_user', 'network', 'clinician', 'peer', 'other')),
    pseudonym      varchar,
    relation       varchar,
    profession     varchar,
    primary key (meeting_id, participant_id)
);

-- one row per meeting × diarised speaker label; participant_id stays null until mapped
create table speakers (
    meeting_id     varchar not null,
    speaker_label  varchar not null,
    participant_id varchar,
    speech_s       double not null,
    mapped_at      timestamp,
    mapped_by      varchar,
    primary key (meeting_id, speaker_label)
);

-- one row per diarisation turn; track 'overlap' keeps overlapping speech,
-- track 'exclusive' has at most one speaker at a time (used to attach words)
create table turns (
    meeting_id    varchar not null,
    track         varchar not null check (track in ('overlap', 'exclusive')),
    turn_index    integer not null,
    speaker_label varchar not null,
    start_s       double not null,
    end_s         double not null,
    primary key (meeting_id, track, turn_index)
);

-- one row per utterance: a speaker's consecutive words, split at long pauses and sentence ends
create table utterances (
    utterance_id    varchar primary key,     -- '<meeting_id>/u<index, 5 digits>'
    meeting_id      varchar not null,
    utterance_index integer not null,
    speaker_label   varchar,                 -- null when no diarised speaker overlapped the words
    start_s         double not null,
    end_s           double not null,
    text            varchar not null,
    unique (meeting_id, utterance_index)
);

-- one row per transcribed word
create table words (
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

-- one row per processing attempt of one meeting
create table pipeline_runs (
    run_id          varchar primary key,
    meeting_id      varchar not null,
    audio_sha256    varchar,
    processing_key  varchar,
    status          varchar not null check (status in ('processed', 'unchanged', 'skipped', 'failed')),
    reason          varchar,
    asr_model       varchar,
    diarisation_model varchar,
    models          json,                   -- name, version, source and weight sha256 of every model used
    options         json,
    timings_s       json,                   -- seconds per stage
    started_at      timestamp not null,
    finished_at     timestamp,
    dialogic_version varchar
);
