-- one row per tagged meeting: the tagger model version whose labels the analytics views use.
-- It is the most recently activated version (tagger_models.activated_at; ties broken by the
-- higher model_version) among the versions that have tag rows for that meeting. Versions with
-- tag rows but no tagger_models row are ignored.
with

tagged_versions as (
    select distinct meeting_id, model_version
    from tags
),

models as (
    select model_version, activated_at
    from tagger_models
),

final as (
    select
        v.meeting_id,
        arg_max(v.model_version, (m.activated_at, v.model_version)) as model_version,
        max(m.activated_at) as activated_at
    from tagged_versions as v
    inner join models as m on m.model_version = v.model_version
    group by v.meeting_id
)

select * from final
