-- Speech that got no words: stretches of a diarised speaker's turns (overlap track) that no
-- utterance overlaps, neither a current one nor one the recogniser first wrote. The voice-share
-- views add them to utterance time, so a voice whose speech got no words keeps its share of
-- speaking time (docs/sql.md, "Speaking time"). Filled by compute_wordless_speech_facts; the
-- connection that applies this migration rebuilds every fact table (the macros changed).
-- one row per meeting × diarised speaker × stretch of wordless speech (its turns merged where they
-- overlap or touch)
create table wordless_speech_facts (
    meeting_id     varchar not null,
    speaker_label  varchar not null,
    stretch_index  bigint not null,
    start_s        double not null,
    end_s          double not null,
    speech_s       double not null,
    turn_count     bigint not null
);
