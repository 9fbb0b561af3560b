-- Fidelity raters, their login sessions and their answers about the model's tags.
-- Answers are append-only: a changed answer is a new row, and the view rating_current
-- picks each rater's latest answer, so the history of every judgement is kept.

-- one row per rater account
create table raters (
    rater_id      varchar primary key,       -- login name
    password_hash varchar not null,          -- 'scrypt$<n>$<r>$<p>$<salt hex>$<key hex>'
    blind         boolean not null default false, -- hide the model's probabilities from this rater
    created_at    timestamp not null default current_timestamp
);

-- one row per login; the cookie holds a random token, only its sha256 is stored
create table review_sessions (
    token_sha256 varchar primary key,
    rater_id     varchar not null,
    csrf_token   varchar not null,
    created_at   timestamp not null default current_timestamp,
    expires_at   timestamp not null,
    ended_at     timestamp                   -- set at logout
);

create sequence ratings_id_seq;

-- one row per answer a rater gave about one tag of one utterance; never updated or deleted
create table ratings (
    rating_id      bigint primary key default nextval('ratings_id_seq'),
    rater_id       varchar not null,
    utterance_id   varchar not null,
    meeting_id     varchar not null,
    tag            varchar not null check (tag in ('persuasion', 'option_discussion', 'preference_elicitation', 'peer_self_disclosure')),
    value          boolean not null,
    note           varchar,
    utterance_text varchar not null,         -- the text the rater judged (re-processing may change it)
    created_at     timestamp not null default current_timestamp
);
