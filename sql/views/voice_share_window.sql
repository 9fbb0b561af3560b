-- one row per meeting × 2-minute window × role: voice_share_window_at(120), stored in window_facts
-- when the meeting is written; see that macro for definitions. Other window lengths:
-- select * from voice_share_window_at(60).
with

final as (
    select
        meeting_id,
        window_index,
        window_start_s,
        window_end_s,
        role,
        speech_s,
        word_count,
        utterance_count,
        speech_pct
    from window_facts
)

select * from final
