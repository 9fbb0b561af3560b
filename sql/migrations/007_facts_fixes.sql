-- Analytics facts, corrections to migration 005 (its tables stay; macros replaced here):
--
-- - meeting_facts drops tagger_activated_at. Tagging any meeting re-activates its tagger version
--   (tagger_models.activated_at = now) without refreshing the other meetings of that version, so
--   the stored copy went stale. stg_current_tagger reads activated_at from tagger_models.
-- - Windows end at ceil(last utterance end / window_s): a meeting whose last utterance ended
--   exactly on a window boundary got an empty trailing window.
-- - The rule speaker → participant → voice and role is defined once (voice_of, role_of,
--   compute_speaker_roles) and used by the compute_* macros and the rater_labels view.
-- - tag_hit_facts takes its turn context (followed_role, answered_by_role, answer_start_s) from
--   speaking_turn_facts; utterance_facts drops its copy of it.
--
-- Dropping columns leaves the other stored values as they were; only window_facts changes
-- content, so only it is rebuilt, at the end (same statements as refresh_all_facts). A fresh
-- database runs 005 (empty tables) and then this file, and ends with the same schema.

-- a voice: the mapped participant, else 'unmapped:<speaker_label>' ('unmapped:none' without a label)
create or replace macro voice_of(mapped_participant_id, label) as
    coalesce(mapped_participant_id, 'unmapped:' || coalesce(label, 'none'));

-- a voice's role: the mapped participant's role, 'unknown' until mapped
create or replace macro role_of(mapped_role) as
    coalesce(mapped_role, 'unknown');

-- one row per diarised speaker of only_meeting (or all): the registered participant it is mapped
-- to and that participant's role, both null while unmapped. Join on (meeting_id, speaker_label),
-- then voice_of(participant_id, speaker_label) and role_of(role) give the voice and role.
create or replace macro compute_speaker_roles(only_meeting) as table
with

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

final as (
    select s.meeting_id, s.speaker_label, p.participant_id, p.role
    from source_speakers as s
    left join source_participants as p
        on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
)

select * from final;

alter table meeting_facts drop column tagger_activated_at;
alter table utterance_facts drop column turn_previous_role;
alter table utterance_facts drop column turn_next_role;
alter table utterance_facts drop column turn_next_start_s;

-- one row per utterance of only_meeting (every meeting when null), from the base tables
create or replace macro compute_utterance_facts(only_meeting) as table
with

source_utterances as (
    select utterance_id, meeting_id, utterance_index, speaker_label, start_s, end_s, text
    from utterances
    where only_meeting is null or meeting_id = only_meeting
),

speaker_roles as (
    select meeting_id, speaker_label, participant_id, role
    from compute_speaker_roles(only_meeting)
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
        r.participant_id,
        voice_of(r.participant_id, u.speaker_label) as voice_id,
        role_of(r.role) as role,
        u.start_s,
        u.end_s,
        u.end_s - u.start_s as duration_s,
        -- a regex split cost 20x more on 10 million utterances
        len(list_filter(string_split(u.text, ' '), lambda w: w <> ''))::integer as word_count
    from source_utterances as u
    left join speaker_roles as r
        on r.meeting_id = u.meeting_id and r.speaker_label = u.speaker_label
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
    left join current_tags as t on t.utterance_id = n.utterance_id
)

select * from final;

-- one row per meeting with utterances (only_meeting, or all), from speaking_turn_facts and
-- utterance_facts; a gap is a positive silence between the end of a turn and the next turn's start.
-- The current version's activated_at is not kept: it moves whenever the version tags a meeting.
create or replace macro compute_meeting_facts(only_meeting) as table
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
        t.model_version as tagger_model_version
    from per_meeting as p
    left join tagger as t on t.meeting_id = p.meeting_id
)

select * from final;

-- one row per utterance × tag labelled true in only_meeting (or all), from utterance_facts, with
-- the turn context of the utterance's speaking turn from speaking_turn_facts
create or replace macro compute_tag_hit_facts(only_meeting) as table
with

facts as (
    select meeting_id, utterance_id, tagger_model_version as model_version, voice_id, participant_id,
        role, start_s, end_s, turn_no,
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

turn_context as (
    select
        meeting_id,
        turn_no,
        coalesce(previous_role, 'none') as followed_role,
        coalesce(next_role, 'none') as answered_by_role,
        next_start_s as answer_start_s
    from speaking_turn_facts
    where only_meeting is null or meeting_id = only_meeting
),

unnested as (
    select * exclude (scored), unnest(scored, recursive := true)
    from facts
),

final as (
    select u.meeting_id, u.utterance_id, u.tag, u.probability, u.model_version, u.voice_id,
        u.participant_id, u.role, u.start_s, u.end_s, u.turn_no,
        c.followed_role, c.answered_by_role, c.answer_start_s
    from unnested as u
    inner join turn_context as c on c.meeting_id = u.meeting_id and c.turn_no = u.turn_no
    where u.label
)

select * from final;

-- one row per meeting × time window × role of only_meeting (or all), from utterance_facts;
-- window_s = window length in seconds. Windows are [window_index * window_s,
-- (window_index + 1) * window_s) from 0 to the meeting's last utterance end (a meeting ending
-- exactly on a boundary has no window after it). An utterance crossing a boundary gives each
-- window the seconds inside it; its words and the utterance itself count in the window where it
-- starts, also when it lasts 0 s. Every role that speaks somewhere in the meeting has a row in
-- every window (zeros when silent there). speech_pct = the role's share of the window's speech
-- (null for a silent window). The view macro voice_share_window_at(window_s) calls this one.
create or replace macro compute_voice_share_windows(only_meeting, window_s) as table
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
            greatest(ceil(end_s / window_s)::bigint, floor(start_s / window_s)::bigint + 1)
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

-- one row per overlap in only_meeting (or all), from the diarisation 'overlap' track
create or replace macro compute_overlap_facts(only_meeting) as table
with

diarised as (
    select meeting_id, turn_index, speaker_label, start_s, end_s
    from turns
    where track = 'overlap' and (only_meeting is null or meeting_id = only_meeting)
),

speaker_roles as (
    select meeting_id, speaker_label, participant_id, role
    from compute_speaker_roles(only_meeting)
),

voiced as (
    select
        d.meeting_id,
        d.turn_index,
        voice_of(r.participant_id, d.speaker_label) as voice_id,
        role_of(r.role) as role,
        d.start_s,
        d.end_s
    from diarised as d
    left join speaker_roles as r
        on r.meeting_id = d.meeting_id and r.speaker_label = d.speaker_label
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

-- Rebuild the windows of databases that already hold meetings (as refresh_all_facts does).
delete from window_facts;
insert into window_facts by name select * from compute_window_facts(null);
