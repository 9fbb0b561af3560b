-- one row per tag × rater: Cohen's κ between the current model's labels and the rater's
-- current answers, over the utterances the rater answered and the model tagged.
-- κ = (p_o − p_e) / (1 − p_e) as in agreement_rater_pairs; null when p_e = 1.
with

current_answers as (
    select * from rating_current where not is_stale
),

model_labels as (
    select * from rating_model_tags
),

paired as (
    select
        current_answers.tag,
        current_answers.rater_id,
        current_answers.value as rater_value,
        model_labels.label as model_value
    from current_answers
    inner join model_labels
        on current_answers.utterance_id = model_labels.utterance_id
        and current_answers.tag = model_labels.tag
),

rates as (
    select
        tag,
        rater_id,
        count(*) as n,
        avg(case when rater_value = model_value then 1.0 else 0.0 end)::double as p_observed,
        avg(case when rater_value then 1.0 else 0.0 end)::double as yes_rate_rater,
        avg(case when model_value then 1.0 else 0.0 end)::double as yes_rate_model
    from paired
    group by tag, rater_id
),

expected as (
    select
        *,
        yes_rate_rater * yes_rate_model + (1 - yes_rate_rater) * (1 - yes_rate_model) as p_expected
    from rates
),

final as (
    select
        tag,
        rater_id,
        n,
        p_observed,
        p_expected,
        case when p_expected < 1 then (p_observed - p_expected) / (1 - p_expected) end as kappa
    from expected
)

select * from final
