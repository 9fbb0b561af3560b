-- one row per utterance of only_meeting (every meeting when null), from the base tables.
-- tagger_model_version is the meeting's current tagger when it scored the utterance; the tags
-- themselves are utterance_tag_facts (compute_utterance_tag_facts), one row per tag.
create or replace macro compute_utterance_facts(only_meeting) as table
with

source_utterances as (
    select utterance_id, meeting_id, utterance_index, speaker_label, start_s, end_s, text
    from utterances
    where (only_meeting is null or meeting_id = only_meeting)
      and meeting_id in (select meeting_id from analysable_meetings())  -- consent covers analysis
),

speaker_roles as (
    select meeting_id, speaker_label, participant_id, role
    from compute_speaker_roles(only_meeting)
),

source_tags as (
    select utterance_id, meeting_id, model_version
    from tags
    where only_meeting is null or meeting_id = only_meeting
),

current_tagger as (
    select meeting_id, model_version from compute_current_tagger(only_meeting)
),

current_tags as (
    select
        t.utterance_id,
        any_value(t.model_version) as tagger_model_version
    from source_tags as t
    semi join current_tagger as c on c.meeting_id = t.meeting_id and c.model_version = t.model_version
    group by t.utterance_id
),

voiced as (
    select
        u.meeting_id,
        u.utterance_id,
        u.utterance_index,
        u.speaker_label,
        r.participant_id,
        voice_of(r.participant_id, u.speaker_label) as voice_id,
        role_of(r.role) as role,
        u.start_s,
        u.end_s,
        u.end_s - u.start_s as duration_s,
        -- a regex split cost 20x more on 10 million utterances
        len(list_filter(string_split(u.text, ' '), lambda w: w <> ''))::integer as word_count
    from source_utterances as u
    left join speaker_roles as r
        on r.meeting_id = u.meeting_id and r.speaker_label = u.speaker_label
),

ordered as (
    select
        *,
        row_number() over by_time as position,
        lag(voice_id) over by_time is distinct from voice_id as is_turn_start
    from voiced
    window by_time as (partition by meeting_id order by start_s, utterance_index)
),

numbered as (
    select
        *,
        sum(is_turn_start::integer) over (
            partition by meeting_id order by position rows between unbounded preceding and current row
        ) as turn_no
    from ordered
),

final as (
    select
        n.meeting_id,
        n.utterance_id,
        n.utterance_index,
        n.position,
        n.speaker_label,
        n.participant_id,
        n.voice_id,
        n.role,
        n.start_s,
        n.end_s,
        n.duration_s,
        n.word_count,
        n.turn_no,
        n.is_turn_start,
        t.tagger_model_version
    from numbered as n
    left join current_tags as t on t.utterance_id = n.utterance_id
)

select * from final;
