-- one row per tagger model version: its validation status on this study, all four tags in one
-- sentence (from tag_validation_status), for views and exports that show every tag.
select
    tagger_model_version,
    string_agg(tag || ': ' || validation_status, '; ' order by tag) as validation_status
from tag_validation_status
group by tagger_model_version
