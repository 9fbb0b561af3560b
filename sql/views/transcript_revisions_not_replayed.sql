-- one row per transcript revision that the latest processing run of its meeting could not replay
-- onto the new machine transcript (its words, times or speakers were no longer there): the
-- correction is kept here, not applied, for an editor to redo.
with

status as (
    select * from transcript_revision_status
),

final as (
    select
        revision_id,
        meeting_id,
        editor,
        edited_at,
        kind,
        target_ids,
        params,
        last_replay_run_id as run_id,
        last_replayed_at as replayed_at,
        not_replayed_reason as reason
    from status
    where not in_effect
)

select * from final
