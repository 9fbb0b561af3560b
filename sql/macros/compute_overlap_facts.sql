-- one row per overlap in only_meeting (or all), from the diarisation 'overlap' track
create or replace macro compute_overlap_facts(only_meeting) as table
with

diarised as (
    select meeting_id, turn_index, speaker_label, start_s, end_s
    from turns
    where track = 'overlap' and (only_meeting is null or meeting_id = only_meeting)
      and meeting_id in (select meeting_id from analysable_meetings())  -- consent covers analysis
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
