-- one row per rater × meeting: the rater's latest OPTION-5 score of the whole meeting, items 0–4
-- and score_0_100 = 5 × their sum (the scale of sdm_option5_proxy.score_0_100).
with

ranked as (
    select *, row_number() over (partition by rater_id, meeting_id order by score_id desc) as recency_rank
    from meeting_scores
),

final as (
    select
        rater_id, meeting_id, item1, item2, item3, item4, item5,
        5 * (item1 + item2 + item3 + item4 + item5) as score_0_100,
        created_at
    from ranked
    where recency_rank = 1
)

select * from final
