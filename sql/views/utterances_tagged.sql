-- one row per utterance: the columns of stg_utterances plus, as columns, each tag's probability
-- (<tag>_p) and label (<tag>_label) from the meeting's current tagger model version (null when
-- not tagged). The tag columns are pivoted into utterance_facts when the meeting is written.
with

facts as (
    select * from utterance_facts
),

source_utterances as (
    select meeting_id, utterance_index, text
    from utterances
),

source_meetings as (
    select meeting_id, site, recorded_on
    from meetings
),

final as (
    select
        f.utterance_id,
        f.meeting_id,
        m.site,
        m.recorded_on,
        f.utterance_index,
        f.speaker_label,
        f.participant_id,
        f.voice_id,
        f.role,
        f.start_s,
        f.end_s,
        f.duration_s,
        f.word_count,
        u.text,
        f.tagger_model_version,
        f.option_discussion_p,
        f.option_discussion_label,
        f.preference_elicitation_p,
        f.preference_elicitation_label,
        f.persuasion_p,
        f.persuasion_label,
        f.peer_self_disclosure_p,
        f.peer_self_disclosure_label
    from facts as f
    inner join source_utterances as u
        on u.meeting_id = f.meeting_id and u.utterance_index = f.utterance_index
    left join source_meetings as m on m.meeting_id = f.meeting_id
)

select * from final
