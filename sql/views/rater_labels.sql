-- one row per utterance × tag that raters answered without a tie: the majority of the raters'
-- current (non-stale) answers. `dialogic train` reads this as rater-confirmed training data.
with

current_answers as (
    select * from rating_current where not is_stale
),

utterance_rows as (
    select * from utterances
),

speaker_rows as (
    select * from speakers
),

participant_rows as (
    select * from participants
),

votes as (
    select
        utterance_id,
        tag,
        count(*) as n_raters,
        count(*) filter (where value) as n_yes
    from current_answers
    group by utterance_id, tag
),

final as (
    select
        votes.utterance_id,
        utterance_rows.meeting_id,
        utterance_rows.text,
        participant_rows.role as speaker_role,
        votes.tag,
        votes.n_yes * 2 > votes.n_raters as label,
        votes.n_raters,
        votes.n_yes
    from votes
    inner join utterance_rows on votes.utterance_id = utterance_rows.utterance_id
    left join speaker_rows
        on speaker_rows.meeting_id = utterance_rows.meeting_id
        and speaker_rows.speaker_label = utterance_rows.speaker_label
    left join participant_rows
        on participant_rows.meeting_id = speaker_rows.meeting_id
        and participant_rows.participant_id = speaker_rows.participant_id
    where votes.n_yes * 2 <> votes.n_raters  -- a tie is no majority
)

select * from final
