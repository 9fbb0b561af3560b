-- one row per meeting × interrupting voice × interrupted voice (pairs with at least one overlap).
-- Definitions of overlap and interruption: see stg_overlaps (diarisation 'overlap' track).
with

overlap_events as (
    select * from stg_overlaps
),

final as (
    select
        meeting_id,
        interrupter_voice_id,
        any_value(interrupter_role) as interrupter_role,
        interrupted_voice_id,
        any_value(interrupted_role) as interrupted_role,
        count(*) as overlap_count,
        sum(overlap_s) as overlap_s,
        count(*) filter (where is_interruption) as interruption_count,
        min(start_s) filter (where is_interruption) as first_interruption_s
    from overlap_events
    group by meeting_id, interrupter_voice_id, interrupted_voice_id
)

select * from final
