-- Analytics facts: what the analytics views need, worked out once when a meeting's rows are
-- written instead of on every query. Numbering speaking turns means sorting every meeting's
-- utterances; done in a view that took 6–43 s per view on 10 million utterances. The views in
-- sql/views read these tables with plain group-bys.
--
-- The facts are derived data. They are rebuilt for one meeting by
-- dialogic.analytics.refresh_meeting_facts (after its utterances, speakers, participants, turns
-- or tags change) and for the whole database by refresh_all_facts; both insert what the
-- compute_* table macros below return, so the definitions live in one place. Each macro takes
-- a meeting_id, or null for every meeting. sql/tests/assert_*_facts_fresh.sql compare the tables
-- with the macros, so stale facts fail the suite.
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

-- one row per tagged meeting of only_meeting (or all): its current tagger version, the latest
-- activated_at among versions with rows for the meeting (ties: the greater model_version);
-- versions missing from tagger_models are ignored
create macro compute_current_tagger(only_meeting) as table
select
    v.meeting_id,
    arg_max(v.model_version, (m.activated_at, v.model_version)) as model_version
from (
    select distinct meeting_id, model_version
    from tags
    where only_meeting is null or meeting_id = only_meeting
) as v
inner join tagger_models as m on m.model_version = v.model_version
group by v.meeting_id;

-- one row per utterance of only_meeting (every meeting when null), from the base tables
create macro compute_utterance_facts(only_meeting) as table
with

source_utterances as (
    select utterance_id, meeting_id, utterance_index, speaker_label, start_s, end_s, text
    from utterances
    where only_meeting is null or meeting_id = only_meeting
),

source_speakers as (
    select meeting_id, speaker_label, participant_id
    from speakers
    where only_meeting is null or meeting_id = only_meeting
),

source_participants as (
    select meeting_id, participant_id, role
    from participants
    where only_meeting is null or meeting_id = only_meeting
),

source_tags as (
    select utterance_id, meeting_id, tag, probability, label, model_version
    from tags
    where only_meeting is null or meeting_id = only_meeting
),

current_tagger as (
    select meeting_id, model_version from compute_current_tagger(only_meeting)
),

current_tags as (
    select
        t.utterance_id,
        any_value(t.model_version) as tagger_model_version,
        max(t.probability) filter (where t.tag = 'option_discussion') as option_discussion_p,
        bool_or(t.label) filter (where t.tag = 'option_discussion') as option_discussion_label,
        max(t.probability) filter (where t.tag = 'preference_elicitation') as preference_elicitation_p,
        bool_or(t.label) filter (where t.tag = 'preference_elicitation') as preference_elicitation_label,
        max(t.probability) filter (where t.tag = 'persuasion') as persuasion_p,
        bool_or(t.label) filter (where t.tag = 'persuasion') as persuasion_label,
        max(t.probability) filter (where t.tag = 'peer_self_disclosure') as peer_self_disclosure_p,
        bool_or(t.label) filter (where t.tag = 'peer_self_disclosure') as peer_self_disclosure_label
    from source_tags as t
    semi join current_tagger as c on c.meeting_id = t.meeting_id and c.model_version = t.model_version
    group by t.utterance_id
),

voiced as (
    select
        u.meeting_id,
        u.utterance_id,
        u.utterance_index,
        u.speaker_label,
        p.participant_id,
        coalesce(p.participant_id, 'unmapped:' || coalesce(u.speaker_label, 'none')) as voice_id,
        coalesce(p.role, 'unknown') as role,
        u.start_s,
        u.end_s,
        u.end_s - u.start_s as duration_s,
        -- a regex split cost 20x more on 10 million utterances
        len(list_filter(string_split(u.text, ' '), lambda w: w <> ''))::integer as word_count
    from source_utterances as u
    left join source_speakers as s
        on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
    left join source_participants as p
        on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
),

ordered as (
    select
        *,
        row_number() over by_time as position,
        lag(voice_id) over by_time is distinct from voice_id as is_turn_start
    from voiced
    window by_time as (partition by meeting_id order by start_s, utterance_index)
),

numbered as (
    select
        *,
        sum(is_turn_start::integer) over (
            partition by meeting_id order by position rows between unbounded preceding and current row
        ) as turn_no
    from ordered
),

turn_context as (
    select
        meeting_id,
        turn_no,
        lag(role) over by_turn as turn_previous_role,
        lead(role) over by_turn as turn_next_role,
        lead(start_s) over by_turn as turn_next_start_s
    from (
        select meeting_id, turn_no, any_value(role) as role, min(start_s) as start_s
        from numbered
        group by meeting_id, turn_no
    )
    window by_turn as (partition by meeting_id order by turn_no)
),

final as (
    select
        n.meeting_id,
        n.utterance_id,
        n.utterance_index,
        n.position,
        n.speaker_label,
        n.participant_id,
        n.voice_id,
        n.role,
        n.start_s,
        n.end_s,
        n.duration_s,
        n.word_count,
        n.turn_no,
        n.is_turn_start,
        c.turn_previous_role,
        c.turn_next_role,
        c.turn_next_start_s,
        t.tagger_model_version,
        t.option_discussion_p,
        t.option_discussion_label,
        t.preference_elicitation_p,
        t.preference_elicitation_label,
        t.persuasion_p,
        t.persuasion_label,
        t.peer_self_disclosure_p,
        t.peer_self_disclosure_label
    from numbered as n
    inner join turn_context as c on c.meeting_id = n.meeting_id and c.turn_no = n.turn_no
    left join current_tags as t on t.utterance_id = n.utterance_id
)

select * from final;

-- one row per meeting × speaking turn of only_meeting, from utterance_facts
create macro compute_speaking_turn_facts(only_meeting) as table
with

utterance_turns as (
    select *
    from utterance_facts
    where only_meeting is null or meeting_id = only_meeting
),

turns as (
    select
        meeting_id,
        turn_no,
        any_value(voice_id) as voice_id,
        any_value(participant_id) as participant_id,
        any_value(role) as role,
        min(start_s) as start_s,
        max(end_s) as end_s,
        sum(duration_s) as speech_s,
        sum(word_count) as word_count,
        count(*) as utterance_count,
        arg_min(utterance_id, position) as first_utterance_id,
        arg_max(utterance_id, position) as last_utterance_id
    from utterance_turns
    group by meeting_id, turn_no
),

final as (
    select
        *,
        lag(voice_id) over by_turn as previous_voice_id,
        lag(role) over by_turn as previous_role,
        lag(end_s) over by_turn as previous_end_s,
        lead(role) over by_turn as next_role,
        lead(start_s) over by_turn as next_start_s
    from turns
    window by_turn as (partition by meeting_id order by turn_no)
)

select * from final;

-- one row per meeting × voice that spoke in only_meeting, from speaking_turn_facts
create macro compute_voice_facts(only_meeting) as table
select
    meeting_id,
    voice_id,
    any_value(participant_id) as participant_id,
    any_value(role) as role,
    sum(speech_s) as speech_s,
    sum(word_count) as word_count,
    sum(utterance_count) as utterance_count,
    count(*) as turn_count,
    max(speech_s) as longest_turn_s
from speaking_turn_facts
where only_meeting is null or meeting_id = only_meeting
group by meeting_id, voice_id;

-- one row per meeting with utterances (only_meeting, or all), from speaking_turn_facts and
-- utterance_facts; a gap is a positive silence between the end of a turn and the next turn's start
create macro compute_meeting_facts(only_meeting) as table
with

speaking_turns as (
    select meeting_id, start_s, end_s, speech_s, word_count, utterance_count,
        start_s - previous_end_s as gap_s
    from speaking_turn_facts
    where only_meeting is null or meeting_id = only_meeting
),

tagger as (
    select u.meeting_id, max(u.tagger_model_version) as model_version
    from utterance_facts as u
    where (only_meeting is null or u.meeting_id = only_meeting) and u.tagger_model_version is not null
    group by u.meeting_id
),

per_meeting as (
    select
        meeting_id,
        sum(utterance_count) as utterance_count,
        count(*) as turn_count,
        sum(speech_s) as speech_s,
        sum(word_count) as word_count,
        max(end_s) as last_end_s,
        count(*) filter (where gap_s > 0) as gap_count,
        coalesce(sum(gap_s) filter (where gap_s > 0), 0) as gap_s,
        avg(gap_s) filter (where gap_s > 0) as mean_gap_s,
        median(gap_s) filter (where gap_s > 0) as median_gap_s,
        max(gap_s) filter (where gap_s > 0) as longest_gap_s
    from speaking_turns
    group by meeting_id
),

final as (
    select
        p.*,
        t.model_version as tagger_model_version,
        m.activated_at as tagger_activated_at
    from per_meeting as p
    left join tagger as t on t.meeting_id = p.meeting_id
    left join tagger_models as m on m.model_version = t.model_version
)

select * from final;

-- one row per utterance × tag labelled true in only_meeting (or all), from utterance_facts
create macro compute_tag_hit_facts(only_meeting) as table
with

facts as (
    select meeting_id, utterance_id, tagger_model_version as model_version, voice_id, participant_id,
        role, start_s, end_s, turn_no,
        coalesce(turn_previous_role, 'none') as followed_role,
        coalesce(turn_next_role, 'none') as answered_by_role,
        turn_next_start_s as answer_start_s,
        [
            {'tag': 'option_discussion', 'probability': option_discussion_p, 'label': option_discussion_label},
            {'tag': 'preference_elicitation', 'probability': preference_elicitation_p, 'label': preference_elicitation_label},
            {'tag': 'persuasion', 'probability': persuasion_p, 'label': persuasion_label},
            {'tag': 'peer_self_disclosure', 'probability': peer_self_disclosure_p, 'label': peer_self_disclosure_label}
        ] as scored
    from utterance_facts
    where (only_meeting is null or meeting_id = only_meeting)
        and (option_discussion_label or preference_elicitation_label or persuasion_label
            or peer_self_disclosure_label)
),

unnested as (
    select * exclude (scored), unnest(scored, recursive := true)
    from facts
),

final as (
    select meeting_id, utterance_id, tag, probability, model_version, voice_id, participant_id, role,
        start_s, end_s, turn_no, followed_role, answered_by_role, answer_start_s
    from unnested
    where label
)

select * from final;

-- one row per tagged meeting of only_meeting (or all): the OPTION-5-style proxy, from
-- tag_hit_facts and meeting_facts. Items and their limits: sql/views/sdm_option5_proxy.sql.
create macro compute_sdm_option5_facts(only_meeting) as table
with

current_tagger as (
    select meeting_id, tagger_model_version as model_version
    from meeting_facts
    where tagger_model_version is not null and (only_meeting is null or meeting_id = only_meeting)
),

hits as (
    select meeting_id, utterance_id, tag, role, start_s, turn_no, answered_by_role, answer_start_s,
        role in ('clinician', 'peer') as by_professional
    from tag_hit_facts
    where tag in ('option_discussion', 'preference_elicitation')
        and (only_meeting is null or meeting_id = only_meeting)
),

first_option_turn as (
    select meeting_id, min(turn_no) as turn_no
    from hits
    where tag = 'option_discussion'
    group by meeting_id
),

first_answer as (
    select meeting_id, min(answer_start_s) as answer_start_s
    from hits
    where tag = 'preference_elicitation' and by_professional and answered_by_role = 'service_user'
    group by meeting_id
),

evidence as (
    select
        h.meeting_id,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.by_professional) as item1_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.role in ('service_user', 'network')) as item2_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.turn_no > f.turn_no) as item3_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'preference_elicitation' and h.by_professional) as item4_evidence_ids,
        list(h.utterance_id order by h.start_s, h.utterance_id)
            filter (where h.tag = 'option_discussion' and h.by_professional and h.start_s >= a.answer_start_s)
            as item5_evidence_ids
    from hits as h
    left join first_option_turn as f on f.meeting_id = h.meeting_id
    left join first_answer as a on a.meeting_id = h.meeting_id
    group by h.meeting_id
),

items as (
    select
        c.meeting_id,
        c.model_version as tagger_model_version,
        least(len(coalesce(e.item1_evidence_ids, [])), 4) as item1_options_raised,
        least(len(coalesce(e.item2_evidence_ids, [])), 4) as item2_deliberation_shared,
        least(len(coalesce(e.item3_evidence_ids, [])), 4) as item3_options_revisited,
        least(len(coalesce(e.item4_evidence_ids, [])), 4) as item4_preferences_elicited,
        least(len(coalesce(e.item5_evidence_ids, [])), 4) as item5_preferences_used,
        coalesce(e.item1_evidence_ids, []) as item1_evidence_ids,
        coalesce(e.item2_evidence_ids, []) as item2_evidence_ids,
        coalesce(e.item3_evidence_ids, []) as item3_evidence_ids,
        coalesce(e.item4_evidence_ids, []) as item4_evidence_ids,
        coalesce(e.item5_evidence_ids, []) as item5_evidence_ids
    from current_tagger as c
    left join evidence as e on e.meeting_id = c.meeting_id
),

final as (
    select
        meeting_id,
        tagger_model_version,
        5 * (item1_options_raised + item2_deliberation_shared + item3_options_revisited
            + item4_preferences_elicited + item5_preferences_used) as score_0_100,
        * exclude (meeting_id, tagger_model_version)
    from items
)

select * from final;

-- one row per meeting × time window × role of only_meeting (or all), from utterance_facts;
-- window_s = window length in seconds. Windows are [window_index * window_s,
-- (window_index + 1) * window_s) from 0 to the meeting's last utterance end. An utterance crossing
-- a boundary gives each window the seconds inside it; its words and the utterance itself count in
-- the window where it starts. Every role that speaks somewhere in the meeting has a row in every
-- window (zeros when silent there). speech_pct = the role's share of the window's speech (null
-- for a silent window). The view macro voice_share_window_at(window_s) calls this one.
create macro compute_voice_share_windows(only_meeting, window_s) as table
with

staged as (
    select meeting_id, role, start_s, end_s, word_count
    from utterance_facts
    where only_meeting is null or meeting_id = only_meeting
),

pieces as (
    select
        meeting_id,
        role,
        start_s,
        end_s,
        word_count,
        unnest(range(
            floor(start_s / window_s)::bigint,
            floor(greatest(end_s, start_s) / window_s)::bigint + 1
        )) as window_index
    from staged
),

clipped as (
    select
        meeting_id,
        role,
        window_index,
        greatest(least(end_s, (window_index + 1) * window_s) - greatest(start_s, window_index * window_s), 0) as speech_s,
        case when window_index = floor(start_s / window_s) then word_count else 0 end as word_count,
        case when window_index = floor(start_s / window_s) then 1 else 0 end as utterance_count
    from pieces
),

per_window as (
    select meeting_id, window_index, role,
        sum(speech_s) as speech_s,
        sum(word_count) as word_count,
        sum(utterance_count) as utterance_count
    from clipped
    group by meeting_id, window_index, role
),

meeting_windows as (
    select meeting_id, unnest(range(0, max(window_index) + 1)) as window_index
    from per_window
    group by meeting_id
),

meeting_roles as (
    select distinct meeting_id, role from per_window
),

grid as (
    select w.meeting_id, w.window_index, r.role
    from meeting_windows as w
    inner join meeting_roles as r on r.meeting_id = w.meeting_id
),

final as (
    select
        g.meeting_id,
        g.window_index,
        g.window_index * window_s as window_start_s,
        (g.window_index + 1) * window_s as window_end_s,
        g.role,
        coalesce(p.speech_s, 0) as speech_s,
        coalesce(p.word_count, 0) as word_count,
        coalesce(p.utterance_count, 0) as utterance_count,
        100 * coalesce(p.speech_s, 0)
            / nullif(sum(coalesce(p.speech_s, 0)) over (partition by g.meeting_id, g.window_index), 0)
            as speech_pct
    from grid as g
    left join per_window as p
        on p.meeting_id = g.meeting_id and p.window_index = g.window_index and p.role = g.role
)

select * from final;

-- one row per meeting × 2-minute window × role of only_meeting (or all): the default windows
create macro compute_window_facts(only_meeting) as table
select * from compute_voice_share_windows(only_meeting, 120);

-- one row per overlap in only_meeting (or all), from the diarisation 'overlap' track
create macro compute_overlap_facts(only_meeting) as table
with

diarised as (
    select meeting_id, turn_index, speaker_label, start_s, end_s
    from turns
    where track = 'overlap' and (only_meeting is null or meeting_id = only_meeting)
),

source_speakers as (
    select meeting_id, speaker_label, participant_id
    from speakers
    where only_meeting is null or meeting_id = only_meeting
),

source_participants as (
    select meeting_id, participant_id, role
    from participants
    where only_meeting is null or meeting_id = only_meeting
),

voiced as (
    select
        d.meeting_id,
        d.turn_index,
        coalesce(p.participant_id, 'unmapped:' || d.speaker_label) as voice_id,
        coalesce(p.role, 'unknown') as role,
        d.start_s,
        d.end_s
    from diarised as d
    left join source_speakers as s
        on s.meeting_id = d.meeting_id and s.speaker_label = d.speaker_label
    left join source_participants as p
        on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
),

with_floor as (
    select
        *,
        max(end_s) over earlier as floor_end_s,
        arg_max(voice_id, end_s) over earlier as floor_voice_id,
        arg_max(role, end_s) over earlier as floor_role
    from voiced
    window earlier as (
        partition by meeting_id order by start_s, turn_index
        rows between unbounded preceding and 1 preceding
    )
),

final as (
    select
        meeting_id,
        turn_index,
        start_s,
        voice_id as interrupter_voice_id,
        role as interrupter_role,
        floor_voice_id as interrupted_voice_id,
        floor_role as interrupted_role,
        least(end_s, floor_end_s) - start_s as overlap_s,
        (floor_end_s - start_s >= 1.0 and floor_end_s <= end_s) as is_interruption
    from with_floor
    where start_s < floor_end_s and voice_id <> floor_voice_id
)

select * from final;

-- Back-fill databases that already hold meetings (same statements as refresh_all_facts).
insert into utterance_facts by name select * from compute_utterance_facts(null);
insert into speaking_turn_facts by name select * from compute_speaking_turn_facts(null);
insert into voice_facts by name select * from compute_voice_facts(null);
insert into meeting_facts by name select * from compute_meeting_facts(null);
insert into tag_hit_facts by name select * from compute_tag_hit_facts(null);
insert into sdm_option5_facts by name select * from compute_sdm_option5_facts(null);
insert into window_facts by name select * from compute_window_facts(null);
insert into overlap_facts by name select * from compute_overlap_facts(null);
