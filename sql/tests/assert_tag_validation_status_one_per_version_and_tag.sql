-- tag_validation_status: one row per tagger version × tag, each with a status sentence
select tagger_model_version, tag, 'duplicate' as problem
from tag_validation_status group by tagger_model_version, tag having count(*) > 1
union all
select tagger_model_version, tag, 'no status' from tag_validation_status where validation_status is null
