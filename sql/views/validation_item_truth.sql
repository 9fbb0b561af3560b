-- one row per validation sample item × tag: the model's label (the sample's tagger version, the
-- codebook's role rule applied), the two validation raters' answers, the adjudicator's, and the
-- consensus: the raters' shared answer, else the adjudicator's; null while undecided (status
-- 'incomplete': fewer than two raters; 'needs adjudication': they disagree and no third rater
-- has answered). weight = the item's sampling weight (1 / inclusion probability).
with

items as (
    select i.*, s.tagger_model_version
    from validation_items as i
    inner join validation_samples as s using (sample_id)
),

tag_names as (
    select tag from codebook_tags()
),

answers as (
    select * from validation_answers
),

votes as (
    select
        sample_id, utterance_id, tag,
        count(*) filter (where queue = 'validation') as n_raters,
        list(value order by rater_id) filter (where queue = 'validation') as rater_values,
        list(rater_id order by rater_id) filter (where queue = 'validation') as rater_ids,
        any_value(value) filter (where queue = 'adjudication') as adjudicated
    from answers
    group by sample_id, utterance_id, tag
),

-- only the sampled utterances' rows: a semi join on the (small) items, so that a database
-- without a sample reads no tags at all and one with a sample skips most of them
model as (
    select t.utterance_id, t.tag, t.model_version, t.label
    from tags as t
    semi join items as i
        on i.meeting_id = t.meeting_id and i.utterance_id = t.utterance_id and i.tagger_model_version = t.model_version
),

roles as (
    select u.utterance_id, u.role
    from utterance_facts as u
    semi join items as i on i.meeting_id = u.meeting_id and i.utterance_id = u.utterance_id
),

final as (
    select
        i.sample_id,
        i.utterance_id,
        i.meeting_id,
        i.stratum,
        i.weight,
        n.tag,
        coalesce(r.role, i.role) as role,
        m.label and tag_role_rule(n.tag, coalesce(r.role, i.role)) = 'applies' as model_label,
        coalesce(v.n_raters, 0) as n_raters,
        v.rater_ids[1] as rater_a,
        v.rater_values[1] as value_a,
        v.rater_ids[2] as rater_b,
        v.rater_values[2] as value_b,
        v.adjudicated,
        case
            when coalesce(v.n_raters, 0) < 2 then null
            when v.rater_values[1] = v.rater_values[2] then v.rater_values[1]
            else v.adjudicated
        end as consensus,
        case
            when coalesce(v.n_raters, 0) < 2 then 'incomplete'
            when v.rater_values[1] = v.rater_values[2] then 'agreed'
            when v.adjudicated is not null then 'adjudicated'
            else 'needs adjudication'
        end as status
    from items as i
    cross join tag_names as n
    left join votes as v on v.sample_id = i.sample_id and v.utterance_id = i.utterance_id and v.tag = n.tag
    left join model as m on m.utterance_id = i.utterance_id and m.tag = n.tag and m.model_version = i.tagger_model_version
    left join roles as r on r.utterance_id = i.utterance_id
)

select * from final
