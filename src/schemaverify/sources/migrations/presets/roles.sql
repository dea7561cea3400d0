-- schemaverify: the role migrations run as, in every preset (applied first, by the superuser).
--
-- As on hosted Supabase (and RDS, Cloud SQL), `postgres` is not a superuser: it
-- owns the database postgres, hence schema public (owned by pg_database_owner),
-- and may create roles and databases.  PostgreSQL then refuses it COPY ... PROGRAM,
-- COPY to or from server files, pg_read_file, server-side lo_import/lo_export,
-- ALTER SYSTEM and untrusted languages.  It is deliberately a member of none of
-- pg_read_server_files, pg_write_server_files, pg_execute_server_program.

CREATE ROLE postgres LOGIN CREATEROLE CREATEDB REPLICATION BYPASSRLS;
ALTER DATABASE postgres OWNER TO postgres;

-- pg_dump output (seed files) sets it; Supabase allows it (supautils.privileged_role_allowed_configs).
GRANT SET ON PARAMETER session_replication_role TO postgres;
