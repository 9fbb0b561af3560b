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
