-- Per utterance, the diarisation's own confidence in who spoke it: the mean attribution margin
-- over its speech frames (0 = two voices tied, 1 = every segmentation chunk named the same
-- speaker; dialogic.align.speaker_confidence). Null for imported transcripts, for hub pipelines
-- and for meetings processed before this migration. Speaker-check samples are stratified by it
-- (dialogic validate sample --for speakers), low confidence first.
alter table utterances add column speaker_confidence double;
alter table machine_utterances add column speaker_confidence double;

-- Samples of utterances for speaker checks (`dialogic validate sample --for speakers`): strata
-- are bands of speaker_confidence, the lowest oversampled and shown to raters first; weights
-- undo the oversampling. Kept apart from the tag samples (validation_samples), whose strata and
-- population differ.
create table speaker_check_samples (
    sample_id    varchar primary key,   -- 's001', 's002', ...
    created_at   timestamp not null default current_timestamp,
    seed         bigint not null,
    n_requested  integer not null,
    n_drawn      integer not null,
    meetings     varchar[],             -- null: every meeting in scope
    population   bigint not null,       -- utterances the sample stands for
    design       varchar not null
);

-- one row per sampled utterance: its confidence band, stratum size and weight
create table speaker_check_items (
    sample_id          varchar not null,
    utterance_id       varchar not null,
    meeting_id         varchar not null,
    speaker_confidence double,           -- when drawn; null: not known (counted as low)
    stratum            varchar not null,  -- 'low', 'middle', 'high'
    stratum_size       bigint not null,
    stratum_sampled    integer not null,
    weight             double not null,   -- stratum_size / stratum_sampled
    draw_order         integer not null,  -- low confidence first, random within a band
    primary key (sample_id, utterance_id)
);
