-- zero rows expected: one row per meeting with utterances × codebook tag; counts equal their
-- evidence lists and add up by role; candidates only where the tag has a rule by role; position
-- 0–100 %
select 'row count differs from meetings × codebook tags' as failure, null as meeting_id,
    (select count(*) from sdm_tags)::varchar as detail
where (select count(*) from sdm_tags) <> (select count(*) from meeting_facts) * (select count(*) from codebook_tags())
union all
select 'duplicate meeting × tag', meeting_id, tag
from sdm_tags group by meeting_id, tag having count(*) > 1
union all
select 'count <> evidence ids', meeting_id, tag
from sdm_tags
where hit_count is not null and (hit_count <> len(evidence_utterance_ids) or hit_count <> len(hit_start_s))
union all
select 'candidates <> candidate ids', meeting_id, tag
from sdm_tags where candidate_count is not null and candidate_count <> len(candidate_utterance_ids)
union all
select 'by-role counts exceed the count', meeting_id, tag
from sdm_tags where by_professionals_count + by_service_user_count + by_network_count > hit_count
union all
select 'counts for an untagged meeting', meeting_id, tag
from sdm_tags where tagger_model_version is null and hit_count is not null
union all
select 'first_pct out of range', meeting_id, tag
from sdm_tags where first_pct < 0 or first_pct > 100
