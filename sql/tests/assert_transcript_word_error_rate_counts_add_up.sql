-- transcript_word_error_rate: the alignment accounts for every word on both sides, no more words
-- than the tables hold, and a row for each analysable meeting with a correction in effect
with

counts as (
    select
        meeting_id,
        (select count(*) from words as w where w.meeting_id = r.meeting_id) as words_stored,
        (select count(*) from machine_words as w where w.meeting_id = r.meeting_id) as machine_words_stored
    from transcript_word_error_rate as r
)

select r.meeting_id, 'reference words do not add up' as problem
from transcript_word_error_rate as r
where r.hits + r.substitutions + r.deletions <> r.reference_words
union all
select meeting_id, 'machine words do not add up' from transcript_word_error_rate
where hits + substitutions + insertions <> machine_words
union all
select r.meeting_id, 'more words than stored' from transcript_word_error_rate as r
inner join counts as c using (meeting_id)
where r.reference_words > c.words_stored or r.machine_words > c.machine_words_stored
union all
select meeting_id, 'corrected meeting without a word error rate' from transcript_revision_status
where in_effect and meeting_id in (select meeting_id from analysable_meetings())
  and meeting_id not in (select meeting_id from transcript_word_error_rate)
