-- one row per meeting with utterances: pace of turn-taking, silences and overlaps.
-- meeting_min = meetings.duration_s / 60, or the last utterance end when duration_s is null.
-- A gap is the silence between the end of one speaking turn and the start of the next (turns
-- always change voice); turns that start before the previous ends are not gaps. Overlap and
-- interruption counts come from stg_overlaps (diarisation 'overlap' track). Turn and gap
-- figures are summed per meeting in meeting_facts when the meeting is written.
-- A meeting whose transcript was imported has no diarisation: its overlap and interruption
-- figures are null (not 0); without times its minutes, rates and gaps are null too (timing_note).
with

turn_stats as (
    select meeting_id, turn_count, last_end_s, gap_count, gap_s, mean_gap_s, median_gap_s, longest_gap_s
    from meeting_facts
),

overlap_events as (
    select meeting_id, overlap_s, is_interruption
    from stg_overlaps
),

source_meetings as (
    select meeting_id, duration_s, source, timed, coalesce(source, 'audio') = 'audio' as diarised
    from meetings
),

overlap_stats as (
    select
        meeting_id,
        count(*) as overlap_count,
        sum(overlap_s) as overlap_s,
        count(*) filter (where is_interruption) as interruption_count
    from overlap_events
    group by meeting_id
),

final as (
    select
        t.meeting_id,
        coalesce(m.duration_s, t.last_end_s) / 60 as meeting_min,
        t.turn_count,
        t.turn_count / nullif(coalesce(m.duration_s, t.last_end_s) / 60, 0) as turns_per_min,
        t.gap_count,
        t.gap_s,
        t.mean_gap_s,
        t.median_gap_s,
        t.longest_gap_s,
        case when m.diarised then coalesce(o.overlap_count, 0) end as overlap_count,
        case when m.diarised then coalesce(o.overlap_s, 0) end as overlap_s,
        case when m.diarised then coalesce(o.interruption_count, 0) end as interruption_count,
        case when m.diarised then coalesce(o.interruption_count, 0) end
            / nullif(coalesce(m.duration_s, t.last_end_s) / 60, 0) as interruptions_per_min,
        timing_note(m.source, m.timed) as timing_note
    from turn_stats as t
    left join source_meetings as m on m.meeting_id = t.meeting_id
    left join overlap_stats as o on o.meeting_id = t.meeting_id
)

select * from final
