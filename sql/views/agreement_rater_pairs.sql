-- one row per tag × pair of raters (rater_a < rater_b): Cohen's κ over the utterances both answered.
-- κ = (p_o − p_e) / (1 − p_e) with p_o the share of items given the same answer and
-- p_e = yes_a · yes_b + (1 − yes_a) · (1 − yes_b), each rater's yes-rate taken on those items.
-- κ is null when p_e = 1 (both gave one and the same answer to every item): it is undefined.
with

current_answers as (
    select * from rating_current where not is_stale
),

paired as (
    select
        a.tag,
        a.rater_id as rater_a,
        b.rater_id as rater_b,
        a.value as value_a,
        b.value as value_b
    from current_answers as a
    inner join current_answers as b
        on a.utterance_id = b.utterance_id
        and a.tag = b.tag
        and a.rater_id < b.rater_id
),

rates as (
    select
        tag,
        rater_a,
        rater_b,
        count(*) as n_items,
        avg(case when value_a = value_b then 1.0 else 0.0 end)::double as p_observed,
        avg(case when value_a then 1.0 else 0.0 end)::double as yes_rate_a,
        avg(case when value_b then 1.0 else 0.0 end)::double as yes_rate_b
    from paired
    group by tag, rater_a, rater_b
),

expected as (
    select
        *,
        yes_rate_a * yes_rate_b + (1 - yes_rate_a) * (1 - yes_rate_b) as p_expected
    from rates
),

final as (
    select
        tag,
        rater_a,
        rater_b,
        n_items,
        p_observed,
        p_expected,
        case when p_expected < 1 then (p_observed - p_expected) / (1 - p_expected) end as cohen_kappa
    from expected
)

select * from final
