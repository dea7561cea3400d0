-- Relations of the requested schemas, one row each, plus one row with a NULL
-- oid for a requested schema that holds no relation (so an empty tenant
-- schema is told apart from no schema at all).  Every query takes the same
-- three parameters: `schemas` (text[] of schema names), `patterns` (text[]
-- of LIKE patterns, from schema globs such as tenant_*; they never match the
-- system schemas) and `partitions` (boolean, true to include partitions,
-- which are skipped by default because they inherit their parent's shape).
-- Comments avoid the percent sign: the driver reads placeholders everywhere
-- in the text.
SELECT c.oid,
       n.nspname,
       c.relname,
       c.relkind,
       c.relrowsecurity,
       c.relforcerowsecurity
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_class c
       ON c.relnamespace = n.oid
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND (NOT c.relispartition OR %(partitions)s)
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
