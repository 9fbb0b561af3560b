-- zero rows expected: one row per meeting × voice; speech, word and turn shares each sum to 100 %
-- in every meeting with speech; nothing negative; all speech of stg_utterances accounted for, and
-- speech beyond it only as the voices' wordless speech (wordless_s)
select 'duplicate voice' as failure, meeting_id, voice_id as detail
from voice_share_participant group by meeting_id, voice_id having count(*) > 1
union all
select 'negative speech_s', meeting_id, voice_id from voice_share_participant where speech_s < 0
union all
select 'speech_pct sums to ' || sum(speech_pct)::varchar, meeting_id, null
from voice_share_participant group by meeting_id
having sum(speech_s) > 0 and abs(sum(speech_pct) - 100) > 1e-6
union all
select 'words_pct sums to ' || sum(words_pct)::varchar, meeting_id, null
from voice_share_participant group by meeting_id
having sum(word_count) > 0 and abs(sum(words_pct) - 100) > 1e-6
union all
select 'turns_pct sums to ' || sum(turns_pct)::varchar, meeting_id, null
from voice_share_participant group by meeting_id
having sum(turn_count) > 0 and abs(sum(turns_pct) - 100) > 1e-6
union all
select 'speech_s differs from stg_utterances', v.meeting_id, null
from (select meeting_id, sum(speech_s - wordless_s) as speech_s from voice_share_participant group by meeting_id) as v
inner join (select meeting_id, sum(duration_s) as speech_s from stg_utterances group by meeting_id) as u
    on u.meeting_id = v.meeting_id
where abs(v.speech_s - u.speech_s) > 1e-6
