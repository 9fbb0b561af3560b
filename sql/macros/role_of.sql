-- a voice's role: the mapped participant's role, 'unknown' until mapped
create or replace macro role_of(mapped_role) as
    coalesce(mapped_role, 'unknown');
