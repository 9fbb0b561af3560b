-- one row per transcript revision: whether it is in effect in the stored transcript, and in which
-- form. A revision is in effect until a processing run that stored new machine output for its
-- meeting could not replay it; params and before are those of its latest replay (the ids and
-- speaker labels of the run it was replayed on), else as it was made.
with

revisions as (
    select * from transcript_revisions
),

latest_replay as (
    select
        revision_id,
        arg_max(replayed, replay_id) as replayed,
        arg_max(reason, replay_id) as reason,
        arg_max(params, replay_id) as params,
        arg_max(before, replay_id) as before,
        arg_max(run_id, replay_id) as run_id,
        max(replayed_at) as replayed_at,
        count(*) as replays
    from transcript_revision_replays
    group by revision_id
),

final as (
    select
        r.revision_id,
        r.meeting_id,
        r.editor,
        r.edited_at,
        r.kind,
        r.target_ids,
        coalesce(l.replayed, true) as in_effect,
        coalesce(l.params, r.params) as params,
        coalesce(l.before, r.before) as before,
        r.after,
        r.speaker_labels,
        coalesce(l.replays, 0) as replays,
        l.run_id as last_replay_run_id,
        l.replayed_at as last_replayed_at,
        l.reason as not_replayed_reason
    from revisions as r
    left join latest_replay as l on l.revision_id = r.revision_id
)

select * from final
