-- zero rows expected: one row per meeting × window × role; shares sum to 100 % in every window
-- with speech; the windows together hold exactly the meeting's speech seconds (its utterances' and
-- its voices' wordless speech)
select 'duplicate window × role' as failure, meeting_id, window_index::varchar || ' ' || role as detail
from voice_share_window group by meeting_id, window_index, role having count(*) > 1
union all
select 'speech_pct sums to ' || sum(speech_pct)::varchar, meeting_id, window_index::varchar
from voice_share_window group by meeting_id, window_index
having sum(speech_s) > 0 and abs(sum(speech_pct) - 100) > 1e-6
union all
select 'negative speech_s', meeting_id, window_index::varchar from voice_share_window where speech_s < 0
union all
select 'window speech differs from stg_utterances', w.meeting_id, null
from (select meeting_id, sum(speech_s) as speech_s from voice_share_window group by meeting_id) as w
inner join (select meeting_id, sum(duration_s) as speech_s from stg_utterances group by meeting_id) as u
    on u.meeting_id = w.meeting_id
left join (select meeting_id, sum(wordless_s) as wordless_s from voice_share_participant group by meeting_id) as v
    on v.meeting_id = w.meeting_id
where abs(w.speech_s - u.speech_s - coalesce(v.wordless_s, 0)) > 1e-6
