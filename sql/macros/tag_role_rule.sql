-- The codebook's rules by speaker role (docs/codebook.md, "Rules by role"), one scalar macro so
-- that SQL and Python (dialogic.tagging.codebook.tag_role_rule) apply the same rule:
-- 'applies' when a label of this tag counts for a speaker of this role, 'candidate' while the
-- speaker's role is unknown and the tag depends on it (shown to raters, not counted), and
-- 'not_applicable' when the codebook rules the tag out for the role.
-- peer_self_disclosure is a peer worker's disclosure: it applies to role 'peer' only.
create or replace macro tag_role_rule(tag, role) as
    case
        when tag <> 'peer_self_disclosure' then 'applies'
        when coalesce(role, 'unknown') = 'unknown' then 'candidate'
        when role = 'peer' then 'applies'
        else 'not_applicable'
    end;
