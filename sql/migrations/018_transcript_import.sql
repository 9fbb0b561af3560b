-- Imported human transcripts (issue #13): a meeting may come from a transcript file (VTT, SRT,
-- ELAN, TextGrid, CSV/TSV, plain text) instead of, or besides, its recording.
--
-- meetings.source: 'audio' (speech recognition and diarisation), 'transcript' (the transcript
-- alone) or 'audio+transcript' (the transcript's utterances; the recording gives the duration
-- and the review app's clips). meetings.timed: false when the transcript has no times (plain
-- text, or a CSV without start and end): its utterances' start_s and end_s are null, never
-- invented, and every time-based figure of the views is null for it (timing_note says why).
-- A meeting without a recording has a null audio_path.
-- (DuckDB 1.5 cannot add a column with a constraint, so existing rows get the defaults — every
-- meeting stored before this migration came from audio — and the writers always give a value.)
alter table meetings alter column audio_path drop not null;
alter table meetings add column transcript_path varchar;
alter table meetings add column transcript_sha256 varchar;
alter table meetings add column transcript_warnings varchar[];  -- e.g. speakers matching no participant
alter table meetings add column source varchar default 'audio';
-- last of this table's changes: DuckDB 1.5 fails to commit a column added after a boolean column
-- with a default in one transaction
alter table meetings add column timed boolean default true;

alter table pipeline_runs add column transcript_sha256 varchar;

-- untimed utterances and speakers: no start, end or speech time
alter table utterances alter column start_s drop not null;
alter table utterances alter column end_s drop not null;
alter table speakers alter column speech_s drop not null;

-- the analytics facts of an untimed meeting carry nulls where a figure needs times
alter table utterance_facts alter column start_s drop not null;
alter table utterance_facts alter column end_s drop not null;
alter table utterance_facts alter column duration_s drop not null;
alter table speaking_turn_facts alter column start_s drop not null;
alter table speaking_turn_facts alter column end_s drop not null;
alter table speaking_turn_facts alter column speech_s drop not null;
alter table voice_facts alter column speech_s drop not null;
alter table voice_facts alter column longest_turn_s drop not null;
alter table meeting_facts alter column speech_s drop not null;
alter table meeting_facts alter column last_end_s drop not null;
alter table meeting_facts alter column gap_count drop not null;
alter table meeting_facts alter column gap_s drop not null;
alter table tag_hit_facts alter column start_s drop not null;
alter table tag_hit_facts alter column end_s drop not null;
