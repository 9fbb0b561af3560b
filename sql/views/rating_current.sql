-- one row per rater × utterance × tag: the rater's latest answer.
-- Ratings are append-only, so the latest row (highest rating_id) is the current answer.
-- An answer is stale when the utterance is gone or its text changed since the rater judged it
-- (re-processing a meeting replaces its utterances); agreement and training data skip those.
with

answers as (
    select * from ratings
),

utterance_rows as (
    select * from utterances
),

ranked as (
    select
        *,
        row_number() over (
            partition by rater_id, utterance_id, tag order by rating_id desc
        ) as recency_rank
    from answers
),

final as (
    select
        ranked.rating_id,
        ranked.rater_id,
        ranked.utterance_id,
        ranked.meeting_id,
        ranked.tag,
        ranked.value,
        ranked.note,
        ranked.utterance_text,
        ranked.created_at,
        (utterance_rows.utterance_id is null
            or utterance_rows.text <> ranked.utterance_text) as is_stale
    from ranked
    left join utterance_rows on ranked.utterance_id = utterance_rows.utterance_id
    where ranked.recency_rank = 1
)

select * from final
