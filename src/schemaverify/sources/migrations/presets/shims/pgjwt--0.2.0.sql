-- schemaverify shim of the pgjwt extension (not part of the embedded PostgreSQL build).
--
-- A real, pure-SQL implementation of pgjwt's functions, with its names and
-- signatures: sign() and verify() make and check HS256, HS384 and HS512 tokens
-- (RFC 7519) with pgcrypto's hmac() (schemaverify's pgcrypto shim computes it
-- from PostgreSQL's own sha256/384/512).  Other algorithms raise.  verify()'s
-- `valid` is the signature check and, when the payload has them, nbf <= now < exp.

CREATE FUNCTION url_encode(data bytea) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    -- base64url without padding: '+/' become '-_'; '=' and encode()'s line breaks go.
    SELECT pg_catalog.translate(pg_catalog.encode(data, 'base64'), E'+/=\n', '-_')
$$;

CREATE FUNCTION url_decode(data text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT pg_catalog.decode(
        pg_catalog.rpad(pg_catalog.translate(data, '-_', '+/'),
                        ((pg_catalog.length(data) + 3) / 4) * 4, '='),
        'base64')
$$;

CREATE FUNCTION algorithm_sign(signables text, secret text, algorithm text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    hash text := CASE algorithm
        WHEN 'HS256' THEN 'sha256' WHEN 'HS384' THEN 'sha384' WHEN 'HS512' THEN 'sha512' END;
BEGIN
    IF hash IS NULL THEN
        RAISE EXCEPTION 'pgjwt: algorithm % is not supported (HS256, HS384 or HS512)', algorithm
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN @extschema@.url_encode(@extschema:pgcrypto@.hmac(signables, secret, hash));
END $$;

CREATE FUNCTION sign(payload json, secret text, algorithm text DEFAULT 'HS256') RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT signables || '.' || @extschema@.algorithm_sign(signables, secret, algorithm)
    FROM (SELECT
        @extschema@.url_encode(pg_catalog.convert_to(
            '{"alg":"' || algorithm || '","typ":"JWT"}', 'UTF8'))
        || '.'
        || @extschema@.url_encode(pg_catalog.convert_to(payload::text, 'UTF8')) AS signables
    ) AS parts
$$;

CREATE FUNCTION try_cast_double(inp text) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN
    RETURN inp::double precision;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

CREATE FUNCTION verify(token text, secret text, algorithm text DEFAULT 'HS256')
    RETURNS TABLE (header json, payload json, valid boolean)
    LANGUAGE sql STABLE
    AS $$
    SELECT jwt.header, jwt.payload,
        jwt.signature_ok AND pg_catalog.tstzrange(
            pg_catalog.to_timestamp(@extschema@.try_cast_double(jwt.payload ->> 'nbf')),
            pg_catalog.to_timestamp(@extschema@.try_cast_double(jwt.payload ->> 'exp'))
        ) @> CURRENT_TIMESTAMP
    FROM (SELECT
        pg_catalog.convert_from(@extschema@.url_decode(part[1]), 'UTF8')::json AS header,
        pg_catalog.convert_from(@extschema@.url_decode(part[2]), 'UTF8')::json AS payload,
        part[3] = @extschema@.algorithm_sign(part[1] || '.' || part[2], secret, algorithm)
            AS signature_ok
        FROM pg_catalog.regexp_split_to_array(token, '\.') AS part
    ) AS jwt
$$;
