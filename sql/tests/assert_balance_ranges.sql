-- zero rows expected: one row per meeting; normalised entropy and Gini in [0, 1];
-- professional + lay + other shares make 100 % when anyone spoke
select 'duplicate meeting' as failure, meeting_id, null as detail
from balance group by meeting_id having count(*) > 1
union all
select 'voice_entropy_norm out of [0, 1]', meeting_id, voice_entropy_norm::varchar
from balance where voice_entropy_norm < -1e-9 or voice_entropy_norm > 1 + 1e-9
union all
select 'role_entropy_norm out of [0, 1]', meeting_id, role_entropy_norm::varchar
from balance where role_entropy_norm < -1e-9 or role_entropy_norm > 1 + 1e-9
union all
select 'gini out of [0, 1]', meeting_id, voice_gini::varchar
from balance where voice_gini < -1e-9 or voice_gini > 1 or role_gini < -1e-9 or role_gini > 1
union all
select 'role groups do not sum to 100', meeting_id, null
from balance
where speech_s > 0 and abs(professional_speech_pct + lay_speech_pct + other_speech_pct - 100) > 1e-6
