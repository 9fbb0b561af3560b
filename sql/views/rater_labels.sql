-- one row per utterance × tag that raters answered without a tie: the majority of the raters'
-- current (non-stale) answers. `dialogic train` reads this as rater-confirmed training data.
with

current_answers as (
    select * from rating_current where not is_stale
),

utterance_rows as (
    select * from utterances
),

speaker_roles as (
    select meeting_id, speaker_label, role from compute_speaker_roles(null)
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
        speaker_roles.role as speaker_role,
        votes.tag,
        votes.n_yes * 2 > votes.n_raters as label,
        votes.n_raters,
        votes.n_yes
    from votes
    inner join utterance_rows on votes.utterance_id = utterance_rows.utterance_id
    left join speaker_roles
        on speaker_roles.meeting_id = utterance_rows.meeting_id
        and speaker_roles.speaker_label = utterance_rows.speaker_label
    where votes.n_yes * 2 <> votes.n_raters  -- a tie is no majority
)

select * from final
