-- one row per meeting × time window × role of only_meeting (or all), from utterance_facts and
-- wordless_speech_facts (speech that got no words counts as speaking time, docs/sql.md);
-- window_s = window length in seconds. Windows are [window_index * window_s,
-- (window_index + 1) * window_s) from 0 to the end of the meeting's last speech (a meeting ending
-- exactly on a boundary has no window after it). An utterance or a wordless stretch crossing a
-- boundary gives each window the seconds inside it; its words and the utterance itself count in the window where it
-- starts, also when it lasts 0 s. Every role that speaks somewhere in the meeting has a row in
-- every window (zeros when silent there). speech_pct = the role's share of the window's speech
-- (null for a silent window). The view macro voice_share_window_at(window_s) calls this one.
create or replace macro compute_voice_share_windows(only_meeting, window_s) as table
with

utterance_spans as (
    select meeting_id, role, start_s, end_s, word_count, 1 as utterance_count
    from utterance_facts
    where only_meeting is null or meeting_id = only_meeting
),

-- speech that got no words (wordless_speech_facts) is speaking time too; a label without a
-- speakers row (a withdrawn participant's) has no voice and is left out
wordless_spans as (
    select w.meeting_id, role_of(r.role) as role, w.start_s, w.end_s, 0 as word_count, 0 as utterance_count
    from wordless_speech_facts as w
    inner join compute_speaker_roles(only_meeting) as r
        on r.meeting_id = w.meeting_id and r.speaker_label = w.speaker_label
    where only_meeting is null or w.meeting_id = only_meeting
),

staged as (
    select * from utterance_spans
    union all
    select * from wordless_spans
),

pieces as (
    select
        meeting_id,
        role,
        start_s,
        end_s,
        word_count,
        utterance_count,
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
        case when window_index = floor(start_s / window_s) then utterance_count else 0 end as utterance_count
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
