-- The arithmetic a tag's probability came from: 'fp32', or 'bf16' where the tagger ran its
-- encoder in bfloat16 (see dialogic.tagging.precision). Rows written before this column
-- existed were all fp32.

-- (DuckDB 1.5.5 cannot add a NOT NULL column, nor set NOT NULL in the transaction that adds it to
-- a table with a primary key: so the column is added, filled, then given its default.)
alter table tags add column precision varchar;
update tags set precision = 'fp32';
alter table tags alter column precision set default 'fp32';
