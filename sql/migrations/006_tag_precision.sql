-- The arithmetic a tag's probability came from: 'fp32', or 'bf16' where the tagger ran its
-- encoder in bfloat16 (see dialogic.tagging.precision). Rows written before this column
-- existed were all fp32.

-- (DuckDB 1.5 cannot add a column with a constraint, nor set NOT NULL in the same transaction on a
-- table with a primary key, so existing rows get the default and the writers always give a value.)
alter table tags add column precision varchar default 'fp32';
