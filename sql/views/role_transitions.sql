-- one row per meeting × from_role × to_role: how often a speaking turn by to_role directly
-- follows one by from_role (the matrix of who follows whom; same-role pairs are two voices
-- of one role, e.g. two network members). transition_pct is the share of all the meeting's
-- transitions; from_role_pct the share of from_role's transitions (each from_role sums to 100).
with

speaking_turns as (
    select meeting_id, previous_role, role
    from stg_speaking_turns
    where previous_role is not null
),

counted as (
    select meeting_id, previous_role as from_role, role as to_role, count(*) as transition_count
    from speaking_turns
    group by meeting_id, previous_role, role
),

final as (
    select
        meeting_id,
        from_role,
        to_role,
        transition_count,
        100 * transition_count / sum(transition_count) over (partition by meeting_id) as transition_pct,
        100 * transition_count / sum(transition_count) over (partition by meeting_id, from_role) as from_role_pct
    from counted
)

select * from final
