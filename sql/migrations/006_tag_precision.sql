-- The arithmetic a tag's probability came from: 'fp32', or 'bf16' where the tagger ran its
-- encoder in bfloat16 (see dialogic.tagging.precision). Rows written before this column
-- existed were all fp32.

alter table tags add column precision varchar not null default 'fp32';
