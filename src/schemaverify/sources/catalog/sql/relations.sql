-- Relations of the requested schemas, one row each, plus one row with a NULL
-- oid for a requested schema that holds no relation (so an empty tenant
-- schema is told apart from no schema at all).  Every query takes the same
-- three parameters: `schemas` (text[] of schema names), `patterns` (text[]
-- of LIKE patterns, from schema globs such as tenant_*; they never match the
-- system schemas) and `partitions` (boolean, true to include partitions,
-- which are skipped by default because they inherit their parent's shape).
-- Comments avoid the percent sign: the driver reads placeholders everywhere
-- in the text.
-- Partitions that are skipped still get a row, with `skipped` true and their
-- parent named, so that a spec naming one is told "is a partition of" rather
-- than "missing"; the other queries skip them.
-- A view lists the relations it reads (its rewrite rule depends on them), so
-- that a security_invoker view's access comes from its tables' policies.
-- The table's comment comes from pg_description.
SELECT c.oid,
       n.nspname,
       c.relname,
       c.relkind,
       c.relrowsecurity,
       c.relforcerowsecurity,
       c.relispartition AND NOT %(partitions)s AS skipped,
       CASE WHEN c.relispartition THEN (
           SELECT pn.nspname || '.' || p.relname
           FROM pg_catalog.pg_inherits i
           JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
           JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
           WHERE i.inhrelid = c.oid
       ) END AS parent,
       CASE WHEN c.relkind = 'v' THEN ARRAY(
           SELECT DISTINCT bn.nspname || '.' || b.relname
           FROM pg_catalog.pg_rewrite r
           JOIN pg_catalog.pg_depend d
             ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
            AND d.objid = r.oid
            AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
            AND d.refobjid <> c.oid
           JOIN pg_catalog.pg_class b ON b.oid = d.refobjid
           JOIN pg_catalog.pg_namespace bn ON bn.oid = b.relnamespace
           WHERE r.ev_class = c.oid
             AND b.relkind IN ('r', 'p', 'v', 'm', 'f')
           ORDER BY 1
       ) END AS reads,
       ds.description
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_class c
       ON c.relnamespace = n.oid
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
LEFT JOIN pg_catalog.pg_description ds
       ON ds.objoid = c.oid
      AND ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND ds.objsubid = 0
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
