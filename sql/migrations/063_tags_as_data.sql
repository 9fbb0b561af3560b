-- Tags are data (#24): no column or constraint of the schema names a tag, so a tag added to the
-- codebook (dialogic/tagging/codebook.toml) needs no migration. Every stored row is kept.
--
-- 1. tags and ratings lose the CHECK that listed the four tag names (DuckDB cannot drop a
--    constraint, so each table is rebuilt with the same columns, defaults and keys and its rows
--    copied). The tag column is still checked for the codebook's name format; the codebook itself
--    decides which names exist (the tagger's artifact and the review app check against it).
-- 2. utterance_facts loses its wide <tag>_p / <tag>_label / <tag>_candidate columns; the same
--    values move to utterance_tag_facts, one row per utterance × tag (long form). The values are
--    carried over by column-name pattern (no tag is named here); the facts are also rebuilt from
--    the base tables when this database is next opened, since the macros changed with them.
--    Wide columns for analysts are generated from the codebook's list in utterances_tagged.

create table tags_long (
    utterance_id  varchar not null,
    meeting_id    varchar not null,
    tag           varchar not null check (regexp_full_match(tag, '[a-z][a-z0-9_]*')),
    probability   double not null check (probability between 0 and 1),
    label         boolean not null,
    threshold     double not null,
    model_version varchar not null,
    tagged_at     timestamp not null default current_timestamp,
    precision     varchar default 'fp32',
    primary key (utterance_id, tag, model_version)
);
insert into tags_long by name select * from tags;
drop table tags;
alter table tags_long rename to tags;

create table ratings_long (
    rating_id      bigint primary key default nextval('ratings_id_seq'),
    rater_id       varchar not null,
    utterance_id   varchar not null,
    meeting_id     varchar not null,
    tag            varchar not null check (regexp_full_match(tag, '[a-z][a-z0-9_]*')),
    value          boolean not null,
    note           varchar,
    utterance_text varchar not null,         -- the text the rater judged (re-processing may change it)
    created_at     timestamp not null default current_timestamp,
    queue          varchar default 'training'
);
insert into ratings_long by name select * from ratings;
drop table ratings;
alter table ratings_long rename to ratings;

-- one row per utterance × tag scored by the meeting's current tagger (definitions:
-- sql/macros/compute_utterance_tag_facts.sql)
create table utterance_tag_facts (
    meeting_id    varchar not null,
    utterance_id  varchar not null,
    tag           varchar not null,
    model_version varchar not null,
    probability   double not null,
    label         boolean not null,   -- the model's label where the codebook's role rule lets it count
    candidate     boolean not null    -- the model's label while the rule waits on the speaker's role
);

insert into utterance_tag_facts
with

probabilities as (
    unpivot (select utterance_id, columns(c -> regexp_matches(c, '_p$') and c <> 'speaker_label') from utterance_facts)
    on columns(* exclude (utterance_id)) into name tag value probability
),

labels as (
    unpivot (select utterance_id, columns(c -> regexp_matches(c, '_label$') and c <> 'speaker_label') from utterance_facts)
    on columns(* exclude (utterance_id)) into name tag value label
),

candidates as (
    unpivot (select utterance_id, columns(c -> regexp_matches(c, '_candidate$') and c <> 'speaker_label') from utterance_facts)
    on columns(* exclude (utterance_id)) into name tag value candidate
)

select
    f.meeting_id,
    f.utterance_id,
    regexp_replace(p.tag, '_p$', '') as tag,
    f.tagger_model_version as model_version,
    p.probability,
    coalesce(l.label, false) as label,
    coalesce(c.candidate, false) as candidate
from utterance_facts as f
inner join probabilities as p on p.utterance_id = f.utterance_id
left join labels as l on l.utterance_id = f.utterance_id and l.tag = regexp_replace(p.tag, '_p$', '_label')
left join candidates as c on c.utterance_id = f.utterance_id and c.tag = regexp_replace(p.tag, '_p$', '_candidate')
where f.tagger_model_version is not null;

create table utterance_facts_long (
    meeting_id           varchar not null,
    utterance_id         varchar not null,
    utterance_index      integer not null,
    position             bigint not null,
    speaker_label        varchar,
    participant_id       varchar,
    voice_id             varchar not null,
    role                 varchar not null,
    start_s              double,
    end_s                double,
    duration_s           double,
    word_count           integer not null,
    turn_no              bigint not null,
    is_turn_start        boolean not null,
    tagger_model_version varchar
);
insert into utterance_facts_long by name
select columns(c -> c = 'speaker_label' or not regexp_matches(c, '_(p|label|candidate)$')) from utterance_facts;
drop table utterance_facts;
alter table utterance_facts_long rename to utterance_facts;
