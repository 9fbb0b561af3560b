-- tagger_validation_summary: one row per tagger version
select tagger_model_version, 'duplicate' as problem
from tagger_validation_summary group by tagger_model_version having count(*) > 1
