-- one row per tagger model version × tag that any meeting is tagged with: how well that version's
-- tag is known to agree with this study's raters, from the latest validation sample whose report
-- was computed (`dialogic validate report`). validation_status is the sentence every view that
-- counts tags carries, e.g. 'validated on 280 items (sample v001): κ 0.71 [0.62, 0.79], F1 0.76';
-- 'not validated on this study' when no report exists for the version.
with

versions as (
    select distinct t.model_version as tagger_model_version, n.tag
    from tagger_models as t
    cross join (select unnest(['persuasion', 'option_discussion', 'preference_elicitation', 'peer_self_disclosure']) as tag) as n
),

latest_sample as (
    select tagger_model_version, arg_max(sample_id, computed_at) as sample_id
    from validation_estimates
    group by tagger_model_version
),

figures as (
    select e.tagger_model_version, e.tag, e.figure, e.value, e.low, e.high, e.n
    from validation_estimates as e
    inner join latest_sample as l using (tagger_model_version, sample_id)
),

pivoted as (
    select
        tagger_model_version,
        tag,
        max(n) filter (where figure = 'kappa') as items,
        max(value) filter (where figure = 'kappa') as kappa,
        max(low) filter (where figure = 'kappa') as kappa_low,
        max(high) filter (where figure = 'kappa') as kappa_high,
        max(value) filter (where figure = 'f1') as f1,
        max(value) filter (where figure = 'precision') as precision,
        max(value) filter (where figure = 'recall') as recall
    from figures
    group by tagger_model_version, tag
),

final as (
    select
        v.tagger_model_version,
        v.tag,
        l.sample_id,
        p.items,
        p.kappa,
        p.kappa_low,
        p.kappa_high,
        p.f1,
        p.precision,
        p.recall,
        case
            when l.sample_id is null then 'not validated on this study'
            when p.kappa is null then 'validation incomplete (sample ' || l.sample_id || ')'
            else 'validated on ' || p.items || ' items (sample ' || l.sample_id || '): κ ' || printf('%.2f', p.kappa)
                || coalesce(' [' || printf('%.2f', p.kappa_low) || ', ' || printf('%.2f', p.kappa_high) || ']', '')
                || coalesce(', F1 ' || printf('%.2f', p.f1), '')
        end as validation_status
    from versions as v
    left join latest_sample as l on l.tagger_model_version = v.tagger_model_version
    left join pivoted as p on p.tagger_model_version = v.tagger_model_version and p.tag = v.tag
)

select * from final
