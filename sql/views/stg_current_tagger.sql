-- one row per tagged meeting with utterances: the tagger model version whose labels the analytics
-- views use. It is the most recently activated version (tagger_models.activated_at; ties broken
-- by the higher model_version) among the versions that have tag rows for that meeting. Versions
-- with tag rows but no tagger_models row are ignored. Chosen when the meeting's facts are
-- refreshed (meeting_facts); activated_at is read from tagger_models, where tagging any meeting
-- with the version moves it.
with

facts as (
    select meeting_id, tagger_model_version as model_version
    from meeting_facts
    where tagger_model_version is not null
),

models as (
    select model_version, activated_at
    from tagger_models
),

final as (
    select f.meeting_id, f.model_version, m.activated_at
    from facts as f
    left join models as m on m.model_version = f.model_version
)

select * from final
