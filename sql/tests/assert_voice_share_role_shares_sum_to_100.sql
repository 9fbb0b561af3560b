-- zero rows expected: one row per meeting × role; shares sum to 100 % in every meeting with speech
select 'duplicate role' as failure, meeting_id, role as detail
from voice_share_role group by meeting_id, role having count(*) > 1
union all
select 'speech_pct sums to ' || sum(speech_pct)::varchar, meeting_id, null
from voice_share_role group by meeting_id
having sum(speech_s) > 0 and abs(sum(speech_pct) - 100) > 1e-6
union all
select 'turns_pct sums to ' || sum(turns_pct)::varchar, meeting_id, null
from voice_share_role group by meeting_id
having sum(turn_count) > 0 and abs(sum(turns_pct) - 100) > 1e-6
union all
select 'negative speech_s', meeting_id, role from voice_share_role where speech_s < 0
