-- Every role of the cluster but the predefined pg_* ones: superuser and
-- BYPASSRLS decide whether row-level security applies to a role, and the
-- roles it is a member of lend it their privileges and policies.  Roles are
-- cluster-wide; the schemas parameter only selects the schemas whose USAGE
-- is listed (a table is reachable only through a schema its role may use).
SELECT r.rolname::pg_catalog.text,
       r.rolsuper,
       r.rolbypassrls,
       ARRAY(
           SELECT g.rolname::pg_catalog.text
           FROM pg_catalog.pg_auth_members m
           JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
           WHERE m.member = r.oid
           ORDER BY 1
       ) AS member_of,
       ARRAY(
           SELECT n.nspname::pg_catalog.text
           FROM pg_catalog.pg_namespace n
           WHERE (n.nspname = ANY(%(schemas)s)
                  OR (n.nspname LIKE ANY(%(patterns)s)
                      AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
             AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
           ORDER BY 1
       ) AS schema_usage
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
