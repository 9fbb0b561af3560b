-- zero rows expected: one row per meeting × turn, consecutive turns change voice, no negative speech
select 'duplicate turn' as failure, meeting_id, turn_no::varchar as detail
from stg_speaking_turns group by meeting_id, turn_no having count(*) > 1
union all
select 'consecutive turns by one voice', meeting_id, turn_no::varchar
from stg_speaking_turns where previous_voice_id = voice_id
union all
select 'negative speech_s', meeting_id, turn_no::varchar from stg_speaking_turns where speech_s < 0
