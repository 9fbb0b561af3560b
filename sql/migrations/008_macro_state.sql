-- The definitions the analytics facts were last computed with: the sha256 over every file of
-- sql/macros/. dialogic.db recreates the macros on each connection and, when this hash differs
-- (a new dialogic version changed a macro, or a database from before sql/macros/ existed), rebuilds
-- every fact table from the base tables in the same transaction.

-- one row: the macros' hash and when the facts were rebuilt with them
create table macro_state (
    macros_sha256 varchar not null,
    facts_built_at timestamp not null
);
