-- one row per meeting × diarised speaker × stretch of wordless speech of only_meeting: the
-- speaker's turns on the overlap track that no utterance overlaps in time (a current one, or a
-- machine one, so speech a correction moved to another speaker is not counted twice), merged
-- where they overlap or touch (a merged speaker's turns may overlap). Meetings without times have
-- no turns and no rows.
create or replace macro compute_wordless_speech_facts(only_meeting) as table
with

source_turns as (
    select meeting_id, speaker_label, start_s, end_s
    from turns
    where track = 'overlap' and end_s > start_s and (only_meeting is null or meeting_id = only_meeting)
),

source_spans as (
    select meeting_id, start_s, end_s from utterances
    where start_s is not null and (only_meeting is null or meeting_id = only_meeting)
    union all
    select meeting_id, start_s, end_s from machine_utterances
    where start_s is not null and (only_meeting is null or meeting_id = only_meeting)
),

-- reach_s: the latest end of every span starting at or before start_s; a turn overlaps some span
-- exactly when the last span starting before the turn ends reaches past the turn's start
reaches as (
    select meeting_id, start_s, max(max(end_s)) over (partition by meeting_id order by start_s) as reach_s
    from source_spans
    group by meeting_id, start_s
),

wordless as (
    select t.meeting_id, t.speaker_label, t.start_s, t.end_s
    from source_turns as t
    asof left join reaches as r on r.meeting_id = t.meeting_id and r.start_s < t.end_s
    where r.reach_s is null or r.reach_s <= t.start_s
),

starts as (
    select
        *,
        coalesce(
            start_s > max(end_s) over (
                partition by meeting_id, speaker_label order by start_s, end_s
                rows between unbounded preceding and 1 preceding
            ),
            true
        ) as starts_stretch
    from wordless
),

numbered as (
    select
        *,
        sum(starts_stretch::integer) over (
            partition by meeting_id, speaker_label order by start_s, end_s rows unbounded preceding
        ) - 1 as stretch_index
    from starts
),

final as (
    select
        meeting_id,
        speaker_label,
        stretch_index,
        min(start_s) as start_s,
        max(end_s) as end_s,
        max(end_s) - min(start_s) as speech_s,
        count(*) as turn_count
    from numbered
    group by meeting_id, speaker_label, stretch_index
)

select * from final;
