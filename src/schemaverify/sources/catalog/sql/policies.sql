-- Row-level security policies.  polroles holds role oids, 0 meaning PUBLIC.
SELECT p.polrelid,
       p.polname,
       p.polcmd,
       p.polpermissive,
       ARRAY(
           SELECT CASE WHEN r.oid = 0 THEN 'public'
                       ELSE pg_catalog.pg_get_userbyid(r.oid)::pg_catalog.text END
           FROM pg_catalog.unnest(p.polroles) AS r(oid)
       ) AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid),
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
FROM pg_catalog.pg_policy p
JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND (NOT c.relispartition OR %(partitions)s)
