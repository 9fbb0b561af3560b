-- one row per analysable meeting with a correction in effect: the word error rate of the machine
-- transcript against the corrected one (the reference). wer = (substitutions + deletions +
-- insertions) / reference_words, words compared case-folded without edge punctuation, aligned with
-- the fewest edits within each stretch of audio between instants no word covers (computed in
-- Python when the words change: dialogic.corrections.word_errors). Only as complete as the
-- correction: a meeting corrected in part has its uncorrected words counted as right.
with

errors as (
    select * from transcript_word_error_facts
    where meeting_id in (select meeting_id from analysable_meetings())
),

revisions as (
    select
        meeting_id,
        count(*) as revisions,
        max(edited_at) as last_edited_at
    from transcript_revision_status
    where in_effect
    group by meeting_id
),

edited as (
    select meeting_id, count(*) as edited_utterances
    from utterances
    where revision_id is not null
    group by meeting_id
),

final as (
    select
        e.meeting_id,
        e.reference_words,
        e.machine_words,
        e.hits,
        e.substitutions,
        e.deletions,
        e.insertions,
        (e.substitutions + e.deletions + e.insertions) / nullif(e.reference_words, 0) as wer,
        coalesce(r.revisions, 0) as revisions,
        coalesce(d.edited_utterances, 0) as edited_utterances,
        r.last_edited_at,
        e.computed_at
    from errors as e
    left join revisions as r on r.meeting_id = e.meeting_id
    left join edited as d on d.meeting_id = e.meeting_id
)

select * from final
