-- one row per meeting with utterances: peer workers sharing lived experience, how often and when.
-- Counts utterances by role 'peer' labelled peer_self_disclosure by the current tagger model
-- version (null while untagged); labels on other roles' utterances are counted apart in
-- non_peer_label_count and not treated as disclosures. first_disclosure_pct = position of the
-- first disclosure in the meeting (0 = start, 100 = end of the last utterance).
with

staged as (
    select meeting_id, last_end_s, tagger_model_version
    from meeting_facts
),

hits as (
    select meeting_id, utterance_id, role, start_s
    from stg_tag_hits
    where tag = 'peer_self_disclosure'
),

per_meeting as (
    select
        meeting_id,
        count(*) filter (where role = 'peer') as disclosure_count,
        count(*) filter (where role <> 'peer') as non_peer_label_count,
        min(start_s) filter (where role = 'peer') as first_disclosure_s,
        list(start_s order by start_s, utterance_id) filter (where role = 'peer') as disclosure_start_s,
        list(utterance_id order by start_s, utterance_id) filter (where role = 'peer') as evidence_utterance_ids
    from hits
    group by meeting_id
),

final as (
    select
        m.meeting_id,
        m.tagger_model_version,
        case when m.tagger_model_version is not null then coalesce(p.disclosure_count, 0) end as disclosure_count,
        case when m.tagger_model_version is not null then coalesce(p.non_peer_label_count, 0) end as non_peer_label_count,
        p.first_disclosure_s,
        100 * p.first_disclosure_s / nullif(m.last_end_s, 0) as first_disclosure_pct,
        coalesce(p.disclosure_start_s, []) as disclosure_start_s,
        coalesce(p.evidence_utterance_ids, []) as evidence_utterance_ids
    from staged as m
    left join per_meeting as p on p.meeting_id = m.meeting_id
)

select * from final
