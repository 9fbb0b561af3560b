-- one row per meeting with utterances: how evenly speaking time is spread.
-- Shannon entropy of speech shares in bits (0 = one voice holds all speech); *_entropy_norm
-- divides by log2(n) of the n voices (or roles) in voice_share_participant (voice_share_role),
-- silent registered ones included, so 1 = perfectly even (null when n < 2).
-- Gini of speech_s over the same n (0 = even, towards 1 = one voice speaks).
-- professional = clinician + peer; lay = network + service_user; other_speech_pct = other + unknown.
with

voices as (
    select meeting_id, speech_s from voice_share_participant
),

roles as (
    select meeting_id, role, speech_s, speech_pct from voice_share_role
),

voice_ranks as (
    select
        meeting_id,
        speech_s,
        row_number() over (partition by meeting_id order by speech_s) as rank_asc,
        count(*) over (partition by meeting_id) as n,
        sum(speech_s) over (partition by meeting_id) as total_s
    from voices
),

voice_balance as (
    select
        meeting_id,
        any_value(n) as voice_count,
        -sum(case when speech_s > 0 then (speech_s / total_s) * log2(speech_s / total_s) else 0 end)
            as voice_entropy_bits,
        sum((2 * rank_asc - n - 1) * speech_s) / nullif(any_value(n) * any_value(total_s), 0) as voice_gini
    from voice_ranks
    group by meeting_id
),

role_ranks as (
    select
        meeting_id,
        role,
        speech_s,
        speech_pct,
        row_number() over (partition by meeting_id order by speech_s) as rank_asc,
        count(*) over (partition by meeting_id) as n,
        sum(speech_s) over (partition by meeting_id) as total_s
    from roles
),

role_balance as (
    select
        meeting_id,
        any_value(n) as role_count,
        -sum(case when speech_s > 0 then (speech_s / total_s) * log2(speech_s / total_s) else 0 end)
            as role_entropy_bits,
        sum((2 * rank_asc - n - 1) * speech_s) / nullif(any_value(n) * any_value(total_s), 0) as role_gini,
        coalesce(sum(speech_pct) filter (where role = 'service_user'), 0) as service_user_speech_pct,
        coalesce(sum(speech_pct) filter (where role in ('clinician', 'peer')), 0) as professional_speech_pct,
        coalesce(sum(speech_pct) filter (where role in ('network', 'service_user')), 0) as lay_speech_pct,
        coalesce(sum(speech_pct) filter (where role in ('other', 'unknown')), 0) as other_speech_pct,
        any_value(total_s) as speech_s
    from role_ranks
    group by meeting_id
),

final as (
    select
        r.meeting_id,
        r.speech_s,
        v.voice_count,
        v.voice_entropy_bits,
        v.voice_entropy_bits / nullif(log2(v.voice_count), 0) as voice_entropy_norm,
        v.voice_gini,
        r.role_count,
        r.role_entropy_bits,
        r.role_entropy_bits / nullif(log2(r.role_count), 0) as role_entropy_norm,
        r.role_gini,
        r.service_user_speech_pct,
        r.professional_speech_pct,
        r.lay_speech_pct,
        r.other_speech_pct,
        r.professional_speech_pct / nullif(r.lay_speech_pct, 0) as professional_to_lay_ratio
    from role_balance as r
    inner join voice_balance as v on v.meeting_id = r.meeting_id
)

select * from final
