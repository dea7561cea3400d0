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
       ) END AS parent
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_class c
       ON c.relnamespace = n.oid
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
