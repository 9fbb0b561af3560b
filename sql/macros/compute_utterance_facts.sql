-- one row per utterance of only_meeting (every meeting when null), from the base tables. A tag's
-- <tag>_label is the current model's label where the codebook's role rule lets it count
-- (tag_role_rule = 'applies'); peer_self_disclosure_candidate is the model's label while the
-- speaker's role is unknown (shown to raters, not counted until the speaker is mapped).
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
    select utterance_id, meeting_id, tag, probability, label, model_version
    from tags
    where only_meeting is null or meeting_id = only_meeting
),

current_tagger as (
    select meeting_id, model_version from compute_current_tagger(only_meeting)
),

current_tags as (
    select
        t.utterance_id,
        any_value(t.model_version) as tagger_model_version,
        max(t.probability) filter (where t.tag = 'option_discussion') as option_discussion_p,
        bool_or(t.label) filter (where t.tag = 'option_discussion') as option_discussion_label,
        max(t.probability) filter (where t.tag = 'preference_elicitation') as preference_elicitation_p,
        bool_or(t.label) filter (where t.tag = 'preference_elicitation') as preference_elicitation_label,
        max(t.probability) filter (where t.tag = 'persuasion') as persuasion_p,
        bool_or(t.label) filter (where t.tag = 'persuasion') as persuasion_label,
        max(t.probability) filter (where t.tag = 'peer_self_disclosure') as peer_self_disclosure_p,
        bool_or(t.label) filter (where t.tag = 'peer_self_disclosure') as peer_self_disclosure_label
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
        t.tagger_model_version,
        t.option_discussion_p,
        t.option_discussion_label and tag_role_rule('option_discussion', n.role) = 'applies' as option_discussion_label,
        t.preference_elicitation_p,
        t.preference_elicitation_label and tag_role_rule('preference_elicitation', n.role) = 'applies'
            as preference_elicitation_label,
        t.persuasion_p,
        t.persuasion_label and tag_role_rule('persuasion', n.role) = 'applies' as persuasion_label,
        t.peer_self_disclosure_p,
        t.peer_self_disclosure_label and tag_role_rule('peer_self_disclosure', n.role) = 'applies'
            as peer_self_disclosure_label,
        t.peer_self_disclosure_label and tag_role_rule('peer_self_disclosure', n.role) = 'candidate'
            as peer_self_disclosure_candidate
    from numbered as n
    left join current_tags as t on t.utterance_id = n.utterance_id
)

select * from final;
