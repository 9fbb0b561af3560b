-- one row per overlap: a diarised turn on the 'overlap' track that starts while another voice
-- still holds the floor. The floor holder is the voice whose earlier-starting turn ends last.
-- overlap_s is how long both speak at once. An interruption is an overlap of at least 1.0 s
-- after which the floor holder stops first (its turn ends no later than the overlapping one):
-- the floor changes hands. Brief overlaps and back-channels inside a longer turn are not
-- interruptions. Words and utterances use the exclusive track, which cannot show overlap.
with

diarised as (
    select meeting_id, turn_index, speaker_label, start_s, end_s
    from turns
    where track = 'overlap'
),

source_speakers as (
    select meeting_id, speaker_label, participant_id
    from speakers
),

source_participants as (
    select meeting_id, participant_id, role
    from participants
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

select * from final
