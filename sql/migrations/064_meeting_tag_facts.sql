-- The meeting-level tag counts at write time (#24): since tags are stored long (063), sdm_tags and
-- the views over it counted the 40 million utterance × tag rows of a 10,000-meeting database on
-- every query (2-5 s a view, docs/sql.md "Speed"). meeting_tag_facts keeps one row per meeting ×
-- tag that the meeting's current tagger scored, filled by compute_meeting_tag_facts like every
-- other fact table; the connection that applies this migration rebuilds every fact table (the
-- macros changed). No column names a tag.
create table meeting_tag_facts (
    meeting_id              varchar not null,
    tag                     varchar not null,
    model_version           varchar not null,
    hit_count               bigint not null,   -- labels that count under the codebook's role rule
    by_professionals_count  bigint not null,
    by_service_user_count   bigint not null,
    by_network_count        bigint not null,
    candidate_count         bigint not null,   -- labels waiting on an unmapped speaker's role
    candidate_utterance_ids varchar[] not null,
    first_s                 double,
    first_role              varchar,
    hit_roles               varchar[] not null,
    hit_start_s             double[] not null,
    evidence_utterance_ids  varchar[] not null
);
