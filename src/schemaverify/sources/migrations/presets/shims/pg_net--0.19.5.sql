-- schemaverify shim of Supabase's pg_net extension (a C extension with a
-- background worker; the embedded PostgreSQL build has neither).
--
-- A migration check must never reach the network, so nothing is ever sent:
-- net.http_get/http_post/http_delete validate their arguments as pg_net does,
-- record the request in net.http_request_queue and return its id, exactly the
-- part of pg_net a migration, a trigger or a webhook can observe in the same
-- transaction.  No response ever arrives in net._http_response; the calls that
-- wait for one (net._await_response, net.http_collect_response) and the worker
-- checks say so when called.
--
-- The objects live in schema net whatever WITH SCHEMA names, as with pg_net
-- (Supabase itself runs `CREATE EXTENSION pg_net SCHEMA extensions`).

CREATE SCHEMA IF NOT EXISTS net;

CREATE DOMAIN net.http_method AS text
    CHECK (VALUE ILIKE 'get' OR VALUE ILIKE 'post' OR VALUE ILIKE 'delete');

CREATE TYPE net.request_status AS ENUM ('PENDING', 'SUCCESS', 'ERROR');

CREATE TYPE net.http_response AS (status_code integer, headers jsonb, body text);

CREATE TYPE net.http_response_result AS (
    status net.request_status,
    message text,
    response net.http_response
);

CREATE UNLOGGED TABLE net.http_request_queue (
    id bigserial NOT NULL,
    method net.http_method NOT NULL,
    url text NOT NULL,
    headers jsonb,
    body bytea,
    timeout_milliseconds integer NOT NULL
);

CREATE UNLOGGED TABLE net._http_response (
    id bigint,
    status_code integer,
    content_type text,
    headers jsonb,
    content text,
    timed_out boolean,
    error_msg text,
    created timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX _http_response_created_idx ON net._http_response (created);

-- Percent-encoding of everything but RFC 3986's unreserved characters, byte by
-- byte over UTF-8 (what curl_easy_escape does for pg_net).
CREATE FUNCTION net._urlencode_string(string varchar) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT COALESCE(pg_catalog.string_agg(
        CASE WHEN b BETWEEN 48 AND 57 OR b BETWEEN 65 AND 90 OR b BETWEEN 97 AND 122
                  OR b IN (45, 46, 95, 126)
             THEN pg_catalog.chr(b)
             ELSE '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
        END, '' ORDER BY i), '')
    FROM (SELECT i, pg_catalog.get_byte(raw, i) AS b
          FROM (SELECT pg_catalog.convert_to(string, 'UTF8') AS raw) AS r,
               pg_catalog.generate_series(0, pg_catalog.length(raw) - 1) AS i) AS bytes
$$;

CREATE FUNCTION net._encode_url_with_params_array(url text, params_array text[]) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT CASE
        WHEN pg_catalog.cardinality(params_array) = 0 THEN url
        WHEN pg_catalog.strpos(url, '?') > 0 THEN url || '&' || pg_catalog.array_to_string(params_array, '&')
        ELSE url || '?' || pg_catalog.array_to_string(params_array, '&')
    END
$$;

CREATE FUNCTION net._params_array(params jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT COALESCE(pg_catalog.array_agg(
        net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    FROM pg_catalog.jsonb_each_text(COALESCE(params, '{}'::jsonb))
$$;

CREATE FUNCTION net.http_get(
    url text,
    params jsonb DEFAULT '{}'::jsonb,
    headers jsonb DEFAULT '{}'::jsonb,
    timeout_milliseconds integer DEFAULT 5000
) RETURNS bigint
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$
    INSERT INTO net.http_request_queue (method, url, headers, timeout_milliseconds)
    VALUES ('GET', net._encode_url_with_params_array(url, net._params_array(params)),
            headers, timeout_milliseconds)
    RETURNING id
$$;

CREATE FUNCTION net.http_post(
    url text,
    body jsonb DEFAULT '{}'::jsonb,
    params jsonb DEFAULT '{}'::jsonb,
    headers jsonb DEFAULT '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds integer DEFAULT 5000
) RETURNS bigint
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    AS $$
DECLARE
    request_id bigint;
    sent jsonb := COALESCE(headers, '{}'::jsonb);
BEGIN
    -- As pg_net: the body is JSON, so the header says so or is added.
    IF NOT sent ? 'Content-Type' THEN
        sent := sent || '{"Content-Type": "application/json"}'::jsonb;
    END IF;
    IF NOT (sent ->> 'Content-Type') ILIKE 'application/json' THEN
        RAISE EXCEPTION 'net.http_post: Content-Type must be "application/json" (got %)',
            sent ->> 'Content-Type';
    END IF;
    INSERT INTO net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    VALUES ('POST', net._encode_url_with_params_array(url, net._params_array(params)),
            sent, pg_catalog.convert_to(body::text, 'UTF8'), timeout_milliseconds)
    RETURNING id INTO request_id;
    RETURN request_id;
END $$;

CREATE FUNCTION net.http_delete(
    url text,
    params jsonb DEFAULT '{}'::jsonb,
    headers jsonb DEFAULT '{}'::jsonb,
    timeout_milliseconds integer DEFAULT 5000,
    body jsonb DEFAULT NULL
) RETURNS bigint
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$
    INSERT INTO net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    VALUES ('DELETE', net._encode_url_with_params_array(url, net._params_array(params)),
            headers, pg_catalog.convert_to(body::text, 'UTF8'), timeout_milliseconds)
    RETURNING id
$$;

CREATE FUNCTION net._schemaverify_no_network(what text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'schemaverify: no network in a migration check (%)', what
        USING ERRCODE = 'feature_not_supported',
              HINT = 'pg_net is a stand-in: requests are recorded in net.http_request_queue, never sent, so no response arrives.';
END $$;

CREATE FUNCTION net._await_response(request_id bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    AS $$ BEGIN
    PERFORM net._schemaverify_no_network('net._await_response ' || request_id);
    RETURN false;
END $$;

CREATE FUNCTION net._http_collect_response(request_id bigint, async boolean DEFAULT true)
    RETURNS net.http_response_result
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    AS $$ BEGIN
    PERFORM net._schemaverify_no_network('net._http_collect_response ' || request_id);
    RETURN NULL;
END $$;

CREATE FUNCTION net.http_collect_response(request_id bigint, async boolean DEFAULT true)
    RETURNS net.http_response_result
    LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    AS $$ BEGIN
    PERFORM net._schemaverify_no_network('net.http_collect_response ' || request_id);
    RETURN NULL;
END $$;

-- The background worker does not exist: asking about it says so.
CREATE FUNCTION net.check_worker_is_up() RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    PERFORM net._schemaverify_no_network('net.check_worker_is_up: there is no pg_net worker');
END $$;

CREATE FUNCTION net.worker_restart() RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    PERFORM net._schemaverify_no_network('net.worker_restart: there is no pg_net worker');
    RETURN false;
END $$;

CREATE FUNCTION net.wait_until_running() RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    PERFORM net._schemaverify_no_network('net.wait_until_running: there is no pg_net worker');
END $$;

-- Waking a worker that does not exist changes nothing a migration can see.
CREATE FUNCTION net.wake() RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN NULL; END $$;

-- pg_net's own grants, then the ones Supabase's grant_pg_net_access() event
-- trigger adds, for the roles of its platform that exist in this cluster.
GRANT USAGE ON SCHEMA net TO PUBLIC;
GRANT ALL ON ALL SEQUENCES IN SCHEMA net TO PUBLIC;
GRANT ALL ON ALL TABLES IN SCHEMA net TO PUBLIC;
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN
        SELECT rolname FROM pg_catalog.pg_roles
        WHERE rolname IN ('supabase_functions_admin', 'postgres', 'anon', 'authenticated', 'service_role')
    LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA net TO %I', r);
    END LOOP;
END $$;
