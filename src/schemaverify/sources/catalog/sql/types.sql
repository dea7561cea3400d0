-- Types defined outside PostgreSQL's own schemas: enums, domains, ranges,
-- multiranges, free-standing composite types and extensions' base types,
-- in every schema (a spec writes `mood` or `vector` without the schema the
-- type lives in, and extensions often sit in their own `extensions`
-- schema), so this ignores the schemas parameter.  Names and kinds resolve a
-- spec's type names; an enum's labels are the values its columns allow.  Array types (each type's
-- `_name` twin) and the row types of tables are left out; a table's row
-- type is known from the relations query.
SELECT n.nspname::pg_catalog.text,
       t.typname::pg_catalog.text,
       t.typtype::pg_catalog.text,
       CASE WHEN t.typtype = 'e' THEN ARRAY(
           SELECT e.enumlabel::pg_catalog.text
           FROM pg_catalog.pg_enum e
           WHERE e.enumtypid = t.oid
           ORDER BY e.enumsortorder
       ) END AS labels
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
LEFT JOIN pg_catalog.pg_type a ON a.typarray = t.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND t.typtype IN ('b', 'c', 'd', 'e', 'm', 'r')
  AND (t.typtype <> 'c' OR c.relkind = 'c')
  AND a.oid IS NULL
ORDER BY 1, 2
