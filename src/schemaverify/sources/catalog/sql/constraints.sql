-- Primary key, unique, foreign key and check constraints.  conkey (attnums, in key
-- order) is named from the columns query; the referenced columns of a
-- foreign key are named here, as the referenced table may be in a schema
-- that is not read.  Of PostgreSQL 18's not-null rows (contype 'n') only the
-- NOT VALID ones are read: nullability itself comes from attnotnull, which
-- a NOT VALID not-null sets too.  A check constraint comes with its
-- expression as PostgreSQL prints it; exclusion constraints are not part of
-- the model.  A foreign key referencing a partitioned table also gets
-- one internal row per referenced partition on the same table (conparentid
-- pointing at the real one): skipped.  The double-braced names are columns
-- newer servers have; the reader puts in each one, or its value on older
-- servers (catalog/reader.py, VERSIONED).
SELECT con.conrelid,
       con.conname,
       con.contype,
       con.conkey,
       rn.nspname,
       rc.relname,
       CASE WHEN con.contype = 'f' THEN ARRAY(
           SELECT a.attname
           FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
           ORDER BY k.ord
       ) END AS ref_columns,
       con.confdeltype,
       con.confupdtype,
       {{conenforced}} AS enforced,
       {{conperiod}} AS period,
       CASE WHEN con.contype = 'c'
            THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       con.convalidated
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_constraint parent ON parent.oid = con.conparentid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND (NOT c.relispartition OR %(partitions)s)
  AND (con.contype IN ('p', 'u', 'f', 'c') OR (con.contype = 'n' AND NOT con.convalidated))
  AND (parent.oid IS NULL OR parent.conrelid <> con.conrelid)
