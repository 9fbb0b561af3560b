-- zero rows expected: exactly the utterances of stg_utterances, once each, with a probability and a
-- label column for every tag of the codebook
select 'row count differs from stg_utterances' as failure, null as meeting_id,
    (select count(*) from utterances_tagged)::varchar || ' vs ' || (select count(*) from stg_utterances)::varchar as detail
where (select count(*) from utterances_tagged) <> (select count(*) from stg_utterances)
union all
select 'duplicate utterance_id', meeting_id, utterance_id
from utterances_tagged group by meeting_id, utterance_id having count(*) > 1
union all
select 'probability out of [0, 1]', meeting_id, utterance_id from utterances_tagged
-- every <tag>_p column the view generates from the codebook's tag list
where len(list_filter(list_value(*columns('_p$')), p -> p < 0 or p > 1)) > 0
union all
select 'a codebook tag without its columns', null, tag from codebook_tags()
where tag || '_p' not in (select column_name from duckdb_columns() where table_name = 'utterances_tagged')
    or tag || '_label' not in (select column_name from duckdb_columns() where table_name = 'utterances_tagged')
