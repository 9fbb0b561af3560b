-- Speakers as voices (issue: mappings follow voices, not labels).
--
-- speakers.embedding: the unit-length centroid of the speaker's voice from diarisation (CAM++,
-- 192 numbers; null for speakers stored before this column or from a pipeline that gives none).
-- A re-run carries a mapping to the new speaker whose voice matches, never by label alone.
-- speakers.longest_turn_s and speakers.doubtful: a speaker with under 2 % of the meeting's
-- diarised speech and no turn longer than 2 s is flagged doubtful (a fragment of another voice,
-- or noise), for a rater to merge or ignore.
alter table speakers add column embedding float[];
alter table speakers add column longest_turn_s double;
-- (DuckDB 1.5.5 cannot add a NOT NULL column, nor set NOT NULL in the transaction that adds it to
-- a table with a primary key: so the column is added, filled, then given its default.)
alter table speakers add column doubtful boolean;
update speakers set doubtful = false;
alter table speakers alter column doubtful set default false;

-- one row per stored mapping a re-run kept, moved to another label, or dropped
create table speaker_mapping_changes (
    run_id         varchar not null,
    meeting_id     varchar not null,
    participant_id varchar not null,
    from_label     varchar not null,
    to_label       varchar,                 -- null when dropped
    action         varchar not null check (action in ('kept', 'moved', 'dropped')),
    similarity     double,                  -- cosine of the two voices (best found, when dropped)
    reason         varchar not null,
    changed_at     timestamp not null default current_timestamp
);

-- A stable key for a person across meetings (a clinician or peer worker who attends many), from
-- the manifest's optional `person:`; their voice is enrolled from meetings where they are mapped.
alter table participants add column person_id varchar;
