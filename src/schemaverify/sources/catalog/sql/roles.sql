-- Every role of the cluster but the predefined pg_* ones: superuser and
-- BYPASSRLS decide whether row-level security applies to a role, and the
-- roles it is a member of lend it their privileges and policies.  Roles are
-- cluster-wide, so this ignores the schemas parameter.
SELECT r.rolname::pg_catalog.text,
       r.rolsuper,
       r.rolbypassrls,
       ARRAY(
           SELECT g.rolname::pg_catalog.text
           FROM pg_catalog.pg_auth_members m
           JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
           WHERE m.member = r.oid
           ORDER BY 1
       ) AS member_of
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
