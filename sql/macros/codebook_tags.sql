-- one row per tag of the codebook (dialogic/tagging/codebook.toml), in its order: tag, its
-- position (tag_order, 1, 2, …) and its title for people. Generated from the codebook's one tag
-- list when the database is opened, so views that list every tag never name one.
create or replace macro codebook_tags() as table
select * from (values
{%- for t in tags %}
    ({{ t.name | sql_string }}, {{ loop.index }}, {{ t.title | sql_string }}){{ "," if not loop.last }}
{%- endfor %}
) as codebook(tag, tag_order, title);
