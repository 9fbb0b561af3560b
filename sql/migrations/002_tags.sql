-- Utterance tags from the transformer classifiers. Re-tagging with a new model version adds
-- rows; old versions stay for comparison. The current version is the most recently activated
-- row of tagger_models.

create table tagger_models (
    model_version varchar primary key,      -- '<name>-v<N>', e.g. 'dialogic-tagger-v1'
    name          varchar not null,
    version       integer not null,
    thresholds    json not null,            -- {tag: threshold chosen on dev}
    metrics       json,                     -- test-split figures from the model card
    sha256        varchar,                  -- of the artifact's weight file
    activated_at  timestamp not null default current_timestamp
);

-- one row per utterance × tag × model version
create table tags (
    utterance_id  varchar not null,
    meeting_id    varchar not null,
    tag           varchar not null check (tag in ('persuasion', 'option_discussion', 'preference_elicitation', 'peer_self_disclosure')),
    probability   double not null check (probability between 0 and 1),
    label         boolean not null,
    threshold     double not null,
    model_version varchar not null,
    tagged_at     timestamp not null default current_timestamp,
    primary key (utterance_id, tag, model_version)
);
