-- schemaverify shim of the http extension (pgsql-http 1.6, a C extension over
-- libcurl that the embedded PostgreSQL build lacks).
--
-- The types and functions have pgsql-http's names and signatures, so that
-- migrations creating functions over them, and GRANT ... ON FUNCTION lines of
-- pulled dumps, apply.  A migration check has no network: every function that
-- would send a request raises feature_not_supported (0A000), naming the call and
-- the host only (a URL's query string may carry a key).  The pure helpers are
-- real: http_header(), urlencode(), text_to_bytea(), bytea_to_text(), and the
-- curl options, which are kept for the session (any CURLOPT_* name is accepted).

CREATE DOMAIN http_method AS text;

CREATE TYPE http_header AS (field varchar, value varchar);

CREATE TYPE http_response AS (
    status integer,
    content_type varchar,
    headers @extschema@.http_header[],
    content varchar
);

CREATE TYPE http_request AS (
    method @extschema@.http_method,
    uri varchar,
    headers @extschema@.http_header[],
    content_type varchar,
    content varchar
);

CREATE FUNCTION _schemaverify_no_network(call text, method text, uri varchar)
    RETURNS @extschema@.http_response
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    host text := pg_catalog.substring(uri, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]*)');
BEGIN
    RAISE EXCEPTION 'schemaverify: no network in a migration check (% %)',
        call, pg_catalog.upper(method) || COALESCE(' ' || host, '')
        USING ERRCODE = 'feature_not_supported',
              HINT = 'http is a stand-in: no request is ever sent from a migration check.';
END $$;

CREATE FUNCTION http(request @extschema@.http_request) RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http', (request).method, (request).uri) $$;

CREATE FUNCTION http_get(uri varchar) RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_get', 'GET', uri) $$;

CREATE FUNCTION http_get(uri varchar, data jsonb) RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_get', 'GET', uri) $$;

CREATE FUNCTION http_post(uri varchar, content varchar, content_type varchar)
    RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_post', 'POST', uri) $$;

CREATE FUNCTION http_post(uri varchar, data jsonb) RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_post', 'POST', uri) $$;

CREATE FUNCTION http_put(uri varchar, content varchar, content_type varchar)
    RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_put', 'PUT', uri) $$;

CREATE FUNCTION http_patch(uri varchar, content varchar, content_type varchar)
    RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_patch', 'PATCH', uri) $$;

CREATE FUNCTION http_delete(uri varchar) RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_delete', 'DELETE', uri) $$;

CREATE FUNCTION http_delete(uri varchar, content varchar, content_type varchar)
    RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_delete', 'DELETE', uri) $$;

CREATE FUNCTION http_head(uri varchar) RETURNS @extschema@.http_response
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._schemaverify_no_network('http_head', 'HEAD', uri) $$;

CREATE FUNCTION http_header(field varchar, value varchar) RETURNS @extschema@.http_header
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT ROW(field, value)::@extschema@.http_header $$;

-- Percent-encoding of everything but RFC 3986's unreserved characters (as curl_easy_escape).
CREATE FUNCTION urlencode(string bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT COALESCE(pg_catalog.string_agg(
        CASE WHEN b BETWEEN 48 AND 57 OR b BETWEEN 65 AND 90 OR b BETWEEN 97 AND 122
                  OR b IN (45, 46, 95, 126)
             THEN pg_catalog.chr(b)
             ELSE '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
        END, '' ORDER BY i), '')
    FROM (SELECT i, pg_catalog.get_byte(string, i) AS b
          FROM pg_catalog.generate_series(0, pg_catalog.length(string) - 1) AS i) AS bytes
$$;

CREATE FUNCTION urlencode(string varchar) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT @extschema@.urlencode(pg_catalog.convert_to(string, 'UTF8')) $$;

-- A JSON object as a form body or query string: key=value pairs joined by '&'.
CREATE FUNCTION urlencode(data jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT COALESCE(pg_catalog.string_agg(
        @extschema@.urlencode(pg_catalog.convert_to(key, 'UTF8')) || '='
            || @extschema@.urlencode(pg_catalog.convert_to(value, 'UTF8')), '&'), '')
    FROM pg_catalog.jsonb_each_text(data)
$$;

CREATE FUNCTION text_to_bytea(data text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT pg_catalog.convert_to(data, 'UTF8') $$;

CREATE FUNCTION bytea_to_text(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT pg_catalog.convert_from(data, 'UTF8') $$;

-- Curl options last for the session, as in pgsql-http; here in a temporary table.
CREATE FUNCTION http_set_curlopt(curlopt varchar, value varchar) RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    AS $$
#variable_conflict use_column
DECLARE
    opt text := pg_catalog.upper(http_set_curlopt.curlopt);
BEGIN
    IF opt IS NULL OR opt !~ '^CURLOPT_[A-Z0-9_]+$' THEN
        RAISE EXCEPTION 'curl option ''%'' is not supported', http_set_curlopt.curlopt
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.to_regclass('pg_temp.schemaverify_http_curlopt') IS NULL THEN
        CREATE TEMPORARY TABLE schemaverify_http_curlopt (curlopt text PRIMARY KEY, value text);
    END IF;
    INSERT INTO pg_temp.schemaverify_http_curlopt AS o (curlopt, value)
        VALUES (opt, http_set_curlopt.value)
        ON CONFLICT (curlopt) DO UPDATE SET value = EXCLUDED.value;
    RETURN true;
END $$;

CREATE FUNCTION http_reset_curlopt() RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    IF pg_catalog.to_regclass('pg_temp.schemaverify_http_curlopt') IS NOT NULL THEN
        DELETE FROM pg_temp.schemaverify_http_curlopt;
    END IF;
    RETURN true;
END $$;

CREATE FUNCTION http_list_curlopt() RETURNS TABLE (curlopt text, value text)
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    IF pg_catalog.to_regclass('pg_temp.schemaverify_http_curlopt') IS NOT NULL THEN
        RETURN QUERY SELECT o.curlopt, o.value FROM pg_temp.schemaverify_http_curlopt AS o
            ORDER BY o.curlopt;
    END IF;
END $$;
