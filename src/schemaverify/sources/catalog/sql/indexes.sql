-- Every index of every relation read.  indkey lists the indexed columns in
-- order, key columns first and then INCLUDE columns (indnkeyatts tells them
-- apart); 0 marks an expression key, whose text `exprs` holds at the same
-- position (computed only for indexes that have one: most have none).
-- indoption bit 1 is DESC.  `conname` is the primary key, unique or
-- exclusion constraint the index backs (pg_constraint rows of foreign keys
-- also carry a conindid: the referenced table's index).  indnullsnotdistinct
-- is new in PostgreSQL 15 (double braces: see constraints.sql).
SELECT i.indrelid,
       ic.relname,
       am.amname,
       i.indisunique,
       i.indisprimary,
       i.indnkeyatts,
       i.indkey::pg_catalog.int2[],
       i.indoption::pg_catalog.int2[],
       CASE WHEN 0 = ANY (i.indkey::pg_catalog.int2[]) THEN ARRAY(
           SELECT CASE WHEN k.attnum = 0
                       THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::pg_catalog.int4, true) END
           FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
           ORDER BY k.ord
       ) END AS exprs,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid),
       con.conname,
       {{indnullsnotdistinct}} AS nulls_not_distinct
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_constraint con
       ON con.conindid = i.indexrelid
      AND con.conrelid = i.indrelid
      AND con.contype IN ('p', 'u', 'x')
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND (NOT c.relispartition OR %(partitions)s)
