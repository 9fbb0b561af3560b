-- one row per overlap: a diarised turn on the 'overlap' track that starts while another voice
-- still holds the floor. The floor holder is the voice whose earlier-starting turn ends last.
-- overlap_s is how long both speak at once. An interruption is an overlap of at least 1.0 s
-- after which the floor holder stops first (its turn ends no later than the overlapping one):
-- the floor changes hands. Brief overlaps and back-channels inside a longer turn are not
-- interruptions. Words and utterances use the exclusive track, which cannot show overlap.
-- Computed by compute_overlap_facts (migration 007) when the meeting is written.
with

final as (
    select
        meeting_id,
        turn_index,
        start_s,
        interrupter_voice_id,
        interrupter_role,
        interrupted_voice_id,
        interrupted_role,
        overlap_s,
        is_interruption
    from overlap_facts
)

select * from final
