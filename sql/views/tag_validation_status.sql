-- one row per tagger model version × tag that any meeting is tagged with: what is known of how
-- well that version's tag agrees with this study's raters. validation_status is the sentence every
-- view, export and report that counts tags carries; status is its short form:
--   'not validated'         no validation sample drawn for the version
--                           → 'not validated on this study'
--   'in progress'           a sample exists, but no estimate recorded on at least the study's
--                           minimum of decided items → 'validation in progress (k of n rated, sample v001)'
--   'validated'             recorded on >= min items, the bar figure's lower 95 % bound >= the bar,
--                           and κ's lower bound above 0 (agreement better than chance shown)
--                           → 'validated (bar met: κ lower bound 0.64 >= 0.60) on 280 items (sample v001): κ …, F1 …'
--                           (with another bar figure: '…: recall lower bound 0.90 >= 0.60; κ lower bound 0.12 > 0) …')
--   'failed validation'     recorded on >= min items, and the lower bound is below the bar, or
--                           κ's lower bound is not above 0 (or undefined) whatever the bar figure
-- Only `dialogic validate record` writes validation_estimates: looking at a report changes nothing.
-- k (items rated) is read live from the latest sample's consensus, so progress shows as raters rate.
with

versions as (
    select distinct t.model_version as tagger_model_version, n.tag
    from tagger_models as t
    cross join (select tag from codebook_tags()) as n
),

-- one row even if the table is empty (the defaults of migration 060), so statuses never vanish
settings as (
    select
        coalesce(any_value(min_items_per_tag), 100) as min_items_per_tag,
        coalesce(any_value(bar_figure), 'kappa') as bar_figure,
        coalesce(any_value(bar_low), 0.6) as bar_low
    from validation_settings
),

latest_drawn as (
    select tagger_model_version, arg_max(sample_id, created_at) as drawn_sample_id
    from validation_samples
    group by tagger_model_version
),

rated as (
    select t.sample_id, t.tag, count(*) filter (where t.consensus is not null) as items_rated
    from validation_item_truth as t
    group by t.sample_id, t.tag
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
        f.tagger_model_version,
        f.tag,
        max(f.n) filter (where f.figure = 'kappa') as items,
        max(f.value) filter (where f.figure = 'kappa') as kappa,
        max(f.low) filter (where f.figure = 'kappa') as kappa_low,
        max(f.high) filter (where f.figure = 'kappa') as kappa_high,
        max(f.value) filter (where f.figure = 'f1') as f1,
        max(f.low) filter (where f.figure = 'f1') as f1_low,
        max(f.high) filter (where f.figure = 'f1') as f1_high,
        max(f.value) filter (where f.figure = 'precision') as precision,
        max(f.value) filter (where f.figure = 'recall') as recall,
        max(f.low) filter (where f.figure = s.bar_figure) as bar_value_low
    from figures as f
    cross join settings as s
    group by f.tagger_model_version, f.tag
),

judged as (
    select
        v.tagger_model_version,
        v.tag,
        coalesce(l.sample_id, d.drawn_sample_id) as sample_id,
        p.items,
        p.kappa,
        p.kappa_low,
        p.kappa_high,
        p.f1,
        p.f1_low,
        p.f1_high,
        p.precision,
        p.recall,
        coalesce(r.items_rated, 0) as items_rated,
        s.min_items_per_tag as items_needed,
        s.bar_figure,
        s.bar_low,
        p.bar_value_low,
        case
            when d.drawn_sample_id is null and l.sample_id is null then 'not validated'
            when coalesce(p.items, 0) < s.min_items_per_tag then 'in progress'
            when p.bar_value_low >= s.bar_low and p.kappa_low > 0 then 'validated'
            else 'failed validation'
        end as status,
        coalesce(p.bar_value_low >= s.bar_low, false) as bar_met,
        d.drawn_sample_id
    from versions as v
    cross join settings as s
    left join latest_drawn as d on d.tagger_model_version = v.tagger_model_version
    left join rated as r on r.sample_id = d.drawn_sample_id and r.tag = v.tag
    left join latest_sample as l on l.tagger_model_version = v.tagger_model_version
    left join pivoted as p on p.tagger_model_version = v.tagger_model_version and p.tag = v.tag
),

final as (
    select
        tagger_model_version,
        tag,
        sample_id,
        items,
        kappa,
        kappa_low,
        kappa_high,
        f1,
        precision,
        recall,
        case status
            when 'not validated' then 'not validated on this study'
            when 'in progress' then 'validation in progress (' || items_rated || ' of ' || items_needed || ' rated, sample '
                || drawn_sample_id || ')'
            else
                case
                    when status = 'validated' then 'validated (bar met: '
                    when bar_met then 'failed validation (bar met: '
                    else 'failed validation (bar not met: '
                end
                || replace(bar_figure, 'kappa', 'κ') || ' lower bound '
                || coalesce(printf('%.2f', bar_value_low), 'undefined')
                || case when bar_met then ' >= ' else ' < ' end || printf('%.2f', bar_low)
                || case
                    when bar_met and not coalesce(kappa_low > 0, false)
                        then ', but κ lower bound ' || coalesce(printf('%.2f', kappa_low), 'undefined')
                            || ' is not above 0: agreement better than chance not shown'
                    when status = 'validated' and bar_figure <> 'kappa'
                        then '; κ lower bound ' || printf('%.2f', kappa_low) || ' > 0'
                    else ''
                end
                || ') on ' || items || ' items (sample ' || sample_id || '): κ '
                || coalesce(printf('%.2f', kappa), '—')
                || coalesce(' [' || printf('%.2f', kappa_low) || ', ' || printf('%.2f', kappa_high) || ']', '')
                || coalesce(', F1 ' || printf('%.2f', f1), '')
                || coalesce(' [' || printf('%.2f', f1_low) || ', ' || printf('%.2f', f1_high) || ']', '')
        end as validation_status,
        status,
        items_rated,
        items_needed
    from judged
)

select * from final
