-- schemaverify shim of Supabase's pg_graphql extension (written in Rust; the
-- embedded PostgreSQL build lacks it).
--
-- The schemas graphql and graphql_public, graphql.resolve() and
-- graphql_public.graphql() have pg_graphql's signatures and Supabase's grants,
-- so that migrations granting on them or comment directives (`@graphql(...)`)
-- apply.  No GraphQL is resolved: both functions answer every query with a
-- GraphQL errors response saying so ({"data": null, "errors": [{"message": ...}]}),
-- the shape pg_graphql itself uses for a query it cannot run.

CREATE SEQUENCE graphql.seq_schema_version AS integer CYCLE;

CREATE FUNCTION graphql.get_schema_version() RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path = ''
    AS $$ SELECT last_value FROM graphql.seq_schema_version $$;

CREATE FUNCTION graphql.increment_schema_version() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ''
    AS $$ BEGIN
    PERFORM pg_catalog.nextval('graphql.seq_schema_version');
END $$;

-- The JSON of a `@graphql({...})` directive in a comment, or NULL.
CREATE FUNCTION graphql.comment_directive(comment_ text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN
    RETURN pg_catalog.substring(comment_, '@graphql\((.+)\)')::jsonb;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END $$;

CREATE FUNCTION graphql.resolve(
    query text,
    variables jsonb DEFAULT '{}'::jsonb,
    "operationName" text DEFAULT NULL::text,
    extensions jsonb DEFAULT NULL::jsonb
) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    RETURN pg_catalog.jsonb_build_object(
        'data', NULL,
        'errors', pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
            'message', 'schemaverify: pg_graphql is a stand-in; GraphQL is not resolved in a migration check')));
END $$;

-- graphql_public is Supabase's (its API's schema); the graphql() entry point is
-- what Supabase's grant_pg_graphql_access() puts there when pg_graphql is created,
-- replacing the placeholder that answers "pg_graphql extension is not enabled".
DO $$ BEGIN
    IF pg_catalog.to_regnamespace('graphql_public') IS NULL THEN
        CREATE SCHEMA graphql_public;
    END IF;
    DROP FUNCTION IF EXISTS graphql_public.graphql(text, text, jsonb, jsonb);
END $$;

CREATE FUNCTION graphql_public.graphql(
    "operationName" text DEFAULT NULL::text,
    query text DEFAULT NULL::text,
    variables jsonb DEFAULT NULL::jsonb,
    extensions jsonb DEFAULT NULL::jsonb
) RETURNS jsonb
    LANGUAGE sql
    AS $$
    SELECT graphql.resolve(
        query := query,
        variables := COALESCE(variables, '{}'),
        "operationName" := "operationName",
        extensions := extensions)
$$;

-- Supabase's grants, for the roles of its platform that exist in this cluster.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN
        SELECT rolname FROM pg_catalog.pg_roles
        WHERE rolname IN ('postgres', 'anon', 'authenticated', 'service_role')
    LOOP
        EXECUTE pg_catalog.format(
            'GRANT USAGE ON SCHEMA graphql TO %1$I;'
            'GRANT SELECT ON ALL TABLES IN SCHEMA graphql TO %1$I;'
            'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphql TO %1$I;'
            'GRANT ALL ON ALL SEQUENCES IN SCHEMA graphql TO %1$I;'
            'GRANT ALL ON FUNCTION graphql_public.graphql(text, text, jsonb, jsonb) TO %1$I', r);
    END LOOP;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
        GRANT USAGE ON SCHEMA graphql TO postgres WITH GRANT OPTION;
        GRANT USAGE ON SCHEMA graphql_public TO postgres WITH GRANT OPTION;
    END IF;
END $$;
