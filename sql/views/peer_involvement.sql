-- one row per meeting with utterances: how peer workers take part.
-- peer_turns_after_service_user = peer speaking turns directly following a service-user turn
-- (evidence: the first utterance of each such turn). Disclosure figures come from
-- sdm_peer_disclosure (null while the meeting is untagged). peer_speech_s and peer_speech_pct
-- are null for a meeting without times (imported plain text; timing_note says so).
with

roles as (
    select meeting_id, role, voice_count, speech_s, speech_pct, turn_count
    from voice_share_role
),

speaking_turns as (
    select meeting_id, role, previous_role, first_utterance_id, start_s
    from stg_speaking_turns
),

disclosures as (
    select meeting_id, disclosure_count, first_disclosure_s
    from sdm_peer_disclosure
),

peer_share as (
    select
        meeting_id,
        coalesce(sum(voice_count) filter (where role = 'peer'), 0) as peer_count,
        case when count(speech_s) = count(*) then coalesce(sum(speech_s) filter (where role = 'peer'), 0) end
            as peer_speech_s,
        case when count(speech_s) = count(*) then coalesce(sum(speech_pct) filter (where role = 'peer'), 0) end
            as peer_speech_pct,
        coalesce(sum(turn_count) filter (where role = 'peer'), 0) as peer_turn_count
    from roles
    group by meeting_id
),

peer_follows as (
    select
        meeting_id,
        count(*) as peer_turns_after_service_user,
        list(first_utterance_id order by start_s) as evidence_utterance_ids
    from speaking_turns
    where role = 'peer' and previous_role = 'service_user'
    group by meeting_id
),

final as (
    select
        s.meeting_id,
        s.peer_count,
        s.peer_speech_s,
        s.peer_speech_pct,
        s.peer_turn_count,
        coalesce(f.peer_turns_after_service_user, 0) as peer_turns_after_service_user,
        100 * coalesce(f.peer_turns_after_service_user, 0) / nullif(s.peer_turn_count, 0)
            as peer_turns_after_service_user_pct,
        d.disclosure_count as peer_disclosure_count,
        d.first_disclosure_s as first_peer_disclosure_s,
        coalesce(f.evidence_utterance_ids, []) as evidence_utterance_ids
    from peer_share as s
    left join peer_follows as f on f.meeting_id = s.meeting_id
    left join disclosures as d on d.meeting_id = s.meeting_id
)

-- every figure leaves with the measured error of the tagger that produced it
select final.*, coalesce(validation.validation_status, case when current_version.model_version is not null then 'not validated on this study' end)
    as validation_status,
    timing_note(meeting.source, meeting.timed) as timing_note
from final
left join meetings as meeting on meeting.meeting_id = final.meeting_id
left join stg_current_tagger as current_version on current_version.meeting_id = final.meeting_id
left join tag_validation_status as validation
    on validation.tagger_model_version = current_version.model_version and validation.tag = 'peer_self_disclosure'
