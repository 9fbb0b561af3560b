-- Validation built in: a random sample of a study's own utterances, rated blind by two raters
-- (a third adjudicates disagreements), against which the tagger's error is measured.

-- one row per sample drawn by `dialogic validate sample`
create table validation_samples (
    sample_id            varchar primary key,   -- 'v001', 'v002', ...
    created_at           timestamp not null default current_timestamp,
    seed                 bigint not null,
    n_requested          integer not null,
    n_drawn              integer not null,
    meetings             varchar[],             -- null: every meeting in scope
    tagger_model_version varchar not null,      -- whose labels defined the strata
    population           bigint not null,       -- utterances the sample stands for
    design               varchar not null       -- how strata were formed and items allocated
);

-- one row per sampled utterance, with its stratum and sampling weight
create table validation_items (
    sample_id        varchar not null,
    utterance_id     varchar not null,
    meeting_id       varchar not null,
    role             varchar not null,          -- the speaker's role when drawn
    predicted        varchar not null,          -- the stratum's predicted tag ('none': no tag)
    stratum          varchar not null,
    stratum_size     bigint not null,           -- utterances of the population in the stratum
    stratum_sampled  integer not null,          -- of them drawn
    weight           double not null,           -- stratum_size / stratum_sampled (1 / inclusion probability)
    draw_order       integer not null,          -- the random order raters see the items in
    primary key (sample_id, utterance_id)
);

-- Which queue an answer came from: 'training' (the model's least certain first; model shown to
-- raters who are not blind), 'validation' (random sample order, model hidden) or 'adjudication'
-- (a third rater on a validation item the first two disagreed on). Estimates use only the last two.
-- (DuckDB 1.5.5 cannot add a NOT NULL column, nor set NOT NULL in the transaction that adds it to
-- a table with a primary key: so the column is added, filled, then given its default.)
alter table ratings add column queue varchar;
update ratings set queue = 'training';
alter table ratings alter column queue set default 'training';

-- The figures of the last `dialogic validate report`, so that views and exports can carry them.
create table validation_estimates (
    sample_id            varchar not null,
    tagger_model_version varchar not null,
    tag                  varchar,               -- null for figures of the whole sample
    figure               varchar not null,      -- prevalence, precision, recall, f1, kappa, rater_kappa, ...
    value                double,
    low                  double,                -- 95 % bootstrap interval
    high                 double,
    n                    bigint not null,
    reason               varchar,               -- why a figure is undefined
    computed_at          timestamp not null default current_timestamp
);
