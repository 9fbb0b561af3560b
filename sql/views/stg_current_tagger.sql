-- one row per tagged meeting with utterances: the tagger model version whose labels the analytics
-- views use. It is the most recently activated version (tagger_models.activated_at; ties broken
-- by the higher model_version) among the versions that have tag rows for that meeting. Versions
-- with tag rows but no tagger_models row are ignored. Chosen when the meeting's facts are
-- refreshed (meeting_facts).
with

final as (
    select meeting_id, tagger_model_version as model_version, tagger_activated_at as activated_at
    from meeting_facts
    where tagger_model_version is not null
)

select * from final
