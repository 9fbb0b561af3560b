-- one row per validation sample item × rater × tag: the rater's latest blind answer (from the
-- validation or adjudication queue; answers given in the training queue, where the model may be
-- shown, never count). Stale answers (the utterance's text changed since) are left out.
with

items as (
    select sample_id, utterance_id from validation_items
),

blind_answers as (
    select
        rating_id, rater_id, utterance_id, tag, value, queue, utterance_text,
        row_number() over (partition by rater_id, utterance_id, tag order by rating_id desc) as recency_rank
    from ratings
    where queue in ('validation', 'adjudication')
),

final as (
    select
        items.sample_id,
        a.utterance_id,
        a.rater_id,
        a.tag,
        a.value,
        a.queue
    from blind_answers as a
    inner join items on items.utterance_id = a.utterance_id
    inner join utterances as u on u.utterance_id = a.utterance_id and u.text = a.utterance_text
    where a.recency_rank = 1
)

select * from final
