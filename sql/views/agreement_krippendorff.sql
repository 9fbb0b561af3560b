-- one row per tag: Krippendorff's α (nominal) across all raters' current answers.
-- For yes/no answers the coincidence matrix has one off-diagonal cell: an utterance answered by
-- m ≥ 2 raters, y of them yes, adds y · (m − y) / (m − 1) to o(yes, no) and as much to o(no, yes).
-- With n_yes = Σ y, n_no = Σ (m − y), n = n_yes + n_no over those utterances:
--   α = 1 − D_o / D_e = 1 − (n − 1) · 2 · o(yes, no) / (2 · n_yes · n_no)
-- α is null when every answer is the same (no variation: D_e = 0). Utterances answered by one
-- rater only cannot be paired and do not count, as in Krippendorff's definition.
with

current_answers as (
    select * from rating_current where not is_stale
),

units as (
    select
        tag,
        utterance_id,
        count(*) as m,
        count(*) filter (where value) as y
    from current_answers
    group by tag, utterance_id
    having count(*) >= 2
),

raters_in_units as (
    select
        current_answers.tag,
        count(distinct current_answers.rater_id) as n_raters
    from current_answers
    inner join units
        on current_answers.tag = units.tag
        and current_answers.utterance_id = units.utterance_id
    group by current_answers.tag
),

coincidences as (
    select
        tag,
        count(*) as n_items,
        sum(y * (m - y) / (m - 1))::double as o_yes_no,
        sum(y)::double as n_yes,
        sum(m - y)::double as n_no
    from units
    group by tag
),

final as (
    select
        coincidences.tag,
        coincidences.n_items,
        raters_in_units.n_raters,
        case
            when coincidences.n_yes * coincidences.n_no > 0
            then 1 - (coincidences.n_yes + coincidences.n_no - 1) * coincidences.o_yes_no
                / (coincidences.n_yes * coincidences.n_no)
        end as alpha
    from coincidences
    inner join raters_in_units on coincidences.tag = raters_in_units.tag
)

select * from final
