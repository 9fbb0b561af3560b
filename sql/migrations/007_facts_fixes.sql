-- Analytics facts, corrections to migration 005 (its tables stay):
--
-- - meeting_facts drops tagger_activated_at. Tagging any meeting re-activates its tagger version
--   (tagger_models.activated_at = now) without refreshing the other meetings of that version, so
--   the stored copy went stale. stg_current_tagger reads activated_at from tagger_models.
-- - tag_hit_facts takes its turn context (followed_role, answered_by_role, answer_start_s) from
--   speaking_turn_facts; utterance_facts drops its copy of it.
--
-- (This migration first also replaced five of 005's macros, defined voice_of, role_of and
-- compute_speaker_roles, and rebuilt window_facts. The macros now live in sql/macros/, and
-- dialogic.db rebuilds every fact table when they change.) A fresh database runs 005 (empty
-- tables) and then this file, and ends with the same schema.

alter table meeting_facts drop column tagger_activated_at;
alter table utterance_facts drop column turn_previous_role;
alter table utterance_facts drop column turn_next_role;
alter table utterance_facts drop column turn_next_start_s;
