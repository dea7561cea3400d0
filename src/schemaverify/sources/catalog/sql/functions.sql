-- Functions and procedures of the requested schemas, without those an
-- extension installed (pgvector alone brings hundreds into public).  Only
-- what security advice needs: SECURITY DEFINER, the function's own
-- search_path setting (proconfig entries read 'search_path=...'), the owner
-- and who holds EXECUTE (a NULL proacl is the default: owner and PUBLIC).
SELECT n.nspname,
       p.proname,
       pg_catalog.pg_get_function_identity_arguments(p.oid),
       pg_catalog.pg_get_function_result(p.oid),
       p.prosecdef,
       (SELECT pg_catalog.substr(s, 13)
        FROM pg_catalog.unnest(p.proconfig) AS s
        WHERE pg_catalog.left(s, 12) = 'search_path='
        LIMIT 1) AS search_path,
       pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text,
       ARRAY(
           SELECT CASE WHEN a.grantee = 0 THEN 'public'
                       ELSE pg_catalog.pg_get_userbyid(a.grantee)::pg_catalog.text END
           FROM pg_catalog.aclexplode(
               COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS a
           WHERE a.privilege_type = 'EXECUTE'
           ORDER BY 1
       ) AS executors
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE (n.nspname = ANY(%(schemas)s)
       OR (n.nspname LIKE ANY(%(patterns)s)
           AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
  AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
        AND d.objid = p.oid
        AND d.deptype = 'e'
  )
