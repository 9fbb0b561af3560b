-- Analytics facts: what the analytics views need, worked out once when a meeting's rows are
-- written instead of on every query. Numbering speaking turns means sorting every meeting's
-- utterances; done in a view that took 6–43 s per view on 10 million utterances. The views in
-- sql/views read these tables with plain group-bys.
--
-- The facts are derived data. They are rebuilt for one meeting by
-- dialogic.facts.refresh_meeting_facts (after its utterances, speakers, participants, turns or
-- tags change) and for the whole database by refresh_all_facts; both insert what the
-- compute_<table> macros of sql/macros/ return, so the definitions live in one place. Each macro
-- takes a meeting_id, or null for every meeting. dialogic.db fills the tables (again) whenever
-- those macros change. sql/tests/assert_*_facts_fresh.sql compare the tables with the macros, so
-- stale facts fail the suite.
--
-- (This migration first also created the compute_* macros; they now live in sql/macros/, one
-- current definition per file, recreated on every connection.)
--
-- No primary keys: an index would slow the bulk rebuild of 10 million rows; the assertion
-- queries check the grains instead.

-- one row per utterance (exclusive diarisation track), in time order within its meeting
create table utterance_facts (
    meeting_id                   varchar not null,
    utterance_id                 varchar not null,
    utterance_index              integer not null,
    position                     bigint not null,   -- 1, 2, … in time order (start_s, then utterance_index)
    speaker_label                varchar,
    participant_id               varchar,           -- null until the speaker is mapped
    voice_id                     varchar not null,  -- participant_id, or 'unmapped:<label>' / 'unmapped:none'
    role                         varchar not null,  -- participants.role, 'unknown' until mapped
    start_s                      double not null,
    end_s                        double not null,
    duration_s                   double not null,
    word_count                   integer not null,  -- space-separated tokens of the text
    turn_no                      bigint not null,   -- speaking turn: maximal run of one voice, 1, 2, …
    is_turn_start                boolean not null,
    turn_previous_role           varchar,           -- role of the speaking turn before this one's (null: first)
    turn_next_role               varchar,           -- role of the speaking turn after this one's (null: last)
    turn_next_start_s            double,            -- when that next turn starts
    tagger_model_version         varchar,           -- the meeting's current tagger version, null if untagged
    option_discussion_p          double,
    option_discussion_label      boolean,
    preference_elicitation_p     double,
    preference_elicitation_label boolean,
    persuasion_p                 double,
    persuasion_label             boolean,
    peer_self_disclosure_p       double,
    peer_self_disclosure_label   boolean
);

-- one row per meeting × speaking turn
create table speaking_turn_facts (
    meeting_id         varchar not null,
    turn_no            bigint not null,
    voice_id           varchar not null,
    participant_id     varchar,
    role               varchar not null,
    start_s            double not null,
    end_s              double not null,
    speech_s           double not null,   -- sum of the turn's utterance durations
    word_count         bigint not null,
    utterance_count    bigint not null,
    first_utterance_id varchar not null,
    last_utterance_id  varchar not null,
    previous_voice_id  varchar,
    previous_role      varchar,
    previous_end_s     double,
    next_role          varchar,
    next_start_s       double
);

-- one row per meeting × voice that spoke
create table voice_facts (
    meeting_id      varchar not null,
    voice_id        varchar not null,
    participant_id  varchar,
    role            varchar not null,
    speech_s        double not null,
    word_count      bigint not null,
    utterance_count bigint not null,
    turn_count      bigint not null,
    longest_turn_s  double not null
);

-- one row per meeting with utterances
create table meeting_facts (
    meeting_id           varchar not null,
    utterance_count      bigint not null,
    turn_count           bigint not null,
    speech_s             double not null,
    word_count           bigint not null,
    last_end_s           double not null,
    gap_count            bigint not null,   -- turns starting after the previous turn ended
    gap_s                double not null,
    mean_gap_s           double,
    median_gap_s         double,
    longest_gap_s        double,
    tagger_model_version varchar,
    tagger_activated_at  timestamp
);

-- one row per utterance × tag labelled true by the meeting's current tagger version, with the
-- turn context the SDM views need (definitions: sql/views/stg_tag_hits.sql)
create table tag_hit_facts (
    meeting_id       varchar not null,
    utterance_id     varchar not null,
    tag              varchar not null,
    probability      double not null,
    model_version    varchar not null,
    voice_id         varchar not null,
    participant_id   varchar,
    role             varchar not null,
    start_s          double not null,
    end_s            double not null,
    turn_no          bigint not null,
    followed_role    varchar not null,  -- role of the previous speaking turn, 'none' at the start
    answered_by_role varchar not null,  -- role of the next speaking turn, 'none' at the end
    answer_start_s   double
);

-- one row per tagged meeting: sdm_option5_proxy (definitions in sql/views/sdm_option5_proxy.sql),
-- kept because its five ordered evidence lists over a million tag hits take about a second
create table sdm_option5_facts (
    meeting_id                 varchar not null,
    tagger_model_version       varchar not null,
    score_0_100                bigint  not null,
    item1_options_raised       bigint  not null,
    item2_deliberation_shared  bigint  not null,
    item3_options_revisited    bigint  not null,
    item4_preferences_elicited bigint  not null,
    item5_preferences_used     bigint  not null,
    item1_evidence_ids         varchar[] not null,
    item2_evidence_ids         varchar[] not null,
    item3_evidence_ids         varchar[] not null,
    item4_evidence_ids         varchar[] not null,
    item5_evidence_ids         varchar[] not null
);

-- one row per meeting × 2-minute window × role: voice_share_window, kept because 10 million
-- utterances cut into windows take seconds (definitions: compute_voice_share_windows below)
create table window_facts (
    meeting_id      varchar not null,
    window_index    bigint not null,
    window_start_s  double not null,
    window_end_s    double not null,
    role            varchar not null,
    speech_s        double not null,
    word_count      bigint not null,
    utterance_count bigint not null,
    speech_pct      double
);

-- one row per overlap on the diarisation 'overlap' track (definitions: sql/views/stg_overlaps.sql)
create table overlap_facts (
    meeting_id           varchar not null,
    turn_index           integer not null,
    start_s              double not null,
    interrupter_voice_id varchar not null,
    interrupter_role     varchar not null,
    interrupted_voice_id varchar not null,
    interrupted_role     varchar not null,
    overlap_s            double not null,
    is_interruption      boolean not null
);
