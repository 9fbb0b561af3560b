-- one row per meeting with utterances: how evenly speaking time is spread.
-- Shannon entropy of speech shares in bits (0 = one voice holds all speech); *_entropy_norm
-- divides by log2(n) of the n voices (or roles) in voice_share_participant (voice_share_role),
-- silent registered ones included, so 1 = perfectly even (null when n < 2).
-- Gini of speech_s over the same n (0 = even, towards 1 = one voice speaks).
-- professional = clinician + peer; lay = network + service_user; other_speech_pct = other + unknown.
-- Every figure here is of speaking time: null for a meeting without times (imported plain text;
-- timing_note says so), whose shares by words are in voice_share_participant.words_pct.
with

shares as (
    select 'voice' as level, meeting_id, speech_s from voice_share_participant
    union all
    select 'role' as level, meeting_id, speech_s from voice_share_role
),

roles as (
    select meeting_id, role, speech_s, speech_pct from voice_share_role
),

ranks as (
    select
        level,
        meeting_id,
        speech_s,
        row_number() over (partition by level, meeting_id order by speech_s) as rank_asc,
        count(*) over (partition by level, meeting_id) as n,
        sum(speech_s) over (partition by level, meeting_id) as total_s
    from shares
),

spread as (
    select
        level,
        meeting_id,
        any_value(n) as n,
        case when count(speech_s) = count(*) then
            -- 0.0 minus, not unary minus: one voice holding all speech is 0 bits, never -0.0
            0.0 - sum(case when speech_s > 0 then (speech_s / total_s) * log2(speech_s / total_s) else 0 end)
        end as entropy_bits,
        sum((2 * rank_asc - n - 1) * speech_s) / nullif(any_value(n) * any_value(total_s), 0) as gini,
        any_value(total_s) as speech_s
    from ranks
    group by level, meeting_id
),

role_groups as (
    select
        meeting_id,
        coalesce(sum(speech_pct) filter (where role = 'service_user'), 0) as service_user_speech_pct,
        coalesce(sum(speech_pct) filter (where role in ('clinician', 'peer')), 0) as professional_speech_pct,
        coalesce(sum(speech_pct) filter (where role in ('network', 'service_user')), 0) as lay_speech_pct,
        coalesce(sum(speech_pct) filter (where role in ('other', 'unknown')), 0) as other_speech_pct
    from roles
    group by meeting_id
    having count(speech_s) = count(*)  -- a meeting without times has no share of time to split
),

final as (
    select
        r.meeting_id,
        r.speech_s,
        v.n as voice_count,
        v.entropy_bits as voice_entropy_bits,
        v.entropy_bits / nullif(log2(v.n), 0) as voice_entropy_norm,
        v.gini as voice_gini,
        r.n as role_count,
        r.entropy_bits as role_entropy_bits,
        r.entropy_bits / nullif(log2(r.n), 0) as role_entropy_norm,
        r.gini as role_gini,
        g.service_user_speech_pct,
        g.professional_speech_pct,
        g.lay_speech_pct,
        g.other_speech_pct,
        g.professional_speech_pct / nullif(g.lay_speech_pct, 0) as professional_to_lay_ratio
    from spread as r
    inner join spread as v on v.meeting_id = r.meeting_id and v.level = 'voice'
    left join role_groups as g on g.meeting_id = r.meeting_id
    where r.level = 'role'
)

-- a meeting from which a participant's speech was withdrawn is incomplete, and says so; one whose
-- transcript was imported says what its times are (timing_note)
select
    final.*,
    consent_note(meeting.withdrawn_participants) as consent_note,
    timing_note(meeting.source, meeting.timed) as timing_note
from final
left join meetings as meeting on meeting.meeting_id = final.meeting_id
