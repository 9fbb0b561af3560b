-- one row per meeting × voice that spoke in only_meeting, from speaking_turn_facts
create or replace macro compute_voice_facts(only_meeting) as table
select
    meeting_id,
    voice_id,
    any_value(participant_id) as participant_id,
    any_value(role) as role,
    sum(speech_s) as speech_s,
    sum(word_count) as word_count,
    sum(utterance_count) as utterance_count,
    count(*) as turn_count,
    max(speech_s) as longest_turn_s
from speaking_turn_facts
where only_meeting is null or meeting_id = only_meeting
group by meeting_id, voice_id;
