-- Owner, options and privileges of every relation read, one row per relation
-- and grantee (a relation whose every privilege was revoked gives one row
-- with a NULL grantee).  A NULL relacl means the default ACL, the owner
-- holding everything: acldefault spells it out, so the two look alike.
-- Grantee 0 is PUBLIC.  reloptions is read as text (security_invoker is a
-- view option from PostgreSQL 15 on; the text reads the same on 14).
-- Column privileges (attacl) are not read.
SELECT c.oid,
       pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text,
       c.reloptions::pg_catalog.text[],
       g.grantee,
       g.privileges
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT CASE WHEN a.grantee = 0 THEN 'public'
                ELSE pg_catalog.pg_get_userbyid(a.grantee)::pg_catalog.text END AS grantee,
           pg_catalog.array_agg(pg_catalog.lower(a.privilege_type) ORDER BY a.privilege_type)
               AS privileges
    FROM pg_catalog.aclexplode(
        COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner))) AS a
    GROUP BY a.grantee
) g ON true
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND (NOT c.relispartition OR %(partitions)s)
