-- Relations of the requested schemas, one row each.  Every query takes the
-- same two parameters: `schemas` (text[] of schema names) and `partitions`
-- (boolean, true to include partitions, which are skipped by default because
-- they inherit their parent's shape).  Comments avoid the percent sign: the
-- driver reads placeholders everywhere in the text.
SELECT c.oid,
       n.nspname,
       c.relname,
       c.relkind,
       c.relrowsecurity,
       c.relforcerowsecurity
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND (NOT c.relispartition OR %(partitions)s)
