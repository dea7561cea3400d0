-- Columns of every relation read, in column order; the default (or the
-- generation expression of a generated column) comes from pg_attrdef, the
-- comment from pg_description.
-- attnum is returned so that index and constraint keys (attnum arrays) are
-- named from these rows instead of one subquery per index or constraint.
SELECT a.attrelid,
       a.attnum,
       a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid),
       a.attidentity,
       a.attgenerated,
       ds.description
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description ds
       ON ds.objoid = a.attrelid
      AND ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND ds.objsubid = a.attnum
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND (NOT c.relispartition OR %(partitions)s)
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
