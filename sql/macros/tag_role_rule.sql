-- The codebook's rules by speaker role (docs/codebook.md, "Rules by role"), one scalar macro so
-- that SQL and Python (dialogic.tagging.codebook.tag_role_rule) apply the same rule:
-- 'applies' when a label of this tag counts for a speaker of this role, 'candidate' while the
-- speaker's role is unknown and the tag depends on it (shown to raters, not counted), and
-- 'not_applicable' when the codebook rules the tag out for the role.
-- Generated from the codebook's tag list (codebook.toml, each tag's counts_for) when the
-- database is opened: a tag without a rule applies to every role.
create or replace macro tag_role_rule(tag, role) as
{%- set ruled = tags | selectattr('counts_for') | list %}
{%- if ruled %}
    case
{%- for t in ruled %}
        when tag = {{ t.name | sql_string }} then
            case
                when coalesce(role, 'unknown') = 'unknown' then 'candidate'
                when role in ({% for r in t.counts_for %}{{ r | sql_string }}{{ ", " if not loop.last }}{% endfor %}) then 'applies'
                else 'not_applicable'
            end
{%- endfor %}
        else 'applies'
    end;
{%- else %}
    'applies';
{%- endif %}
