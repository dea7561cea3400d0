-- schemaverify shim of the pgcrypto extension (the embedded PostgreSQL build has no OpenSSL).
--
-- Enough for schema migrations: digest() and hmac() for md5 and the SHA-2
-- family are real (built on PostgreSQL's own md5/sha*); gen_random_bytes()
-- uses random() and is NOT cryptographically strong; crypt() and gen_salt()
-- exist so that functions naming them can be created, and raise when called.
-- The PGP functions are not provided.

CREATE FUNCTION digest(data bytea, algorithm text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    CASE pg_catalog.lower(algorithm)
        WHEN 'md5' THEN RETURN pg_catalog.decode(pg_catalog.md5(data), 'hex');
        WHEN 'sha224' THEN RETURN pg_catalog.sha224(data);
        WHEN 'sha256' THEN RETURN pg_catalog.sha256(data);
        WHEN 'sha384' THEN RETURN pg_catalog.sha384(data);
        WHEN 'sha512' THEN RETURN pg_catalog.sha512(data);
        ELSE RAISE EXCEPTION 'digest algorithm % is not available in schemaverify''s embedded PostgreSQL', algorithm
            USING ERRCODE = 'feature_not_supported';
    END CASE;
END $$;

CREATE FUNCTION digest(data text, algorithm text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.digest(pg_catalog.convert_to(data, 'UTF8'), algorithm) $$;

CREATE FUNCTION hmac(data bytea, key bytea, algorithm text) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    block int := CASE WHEN pg_catalog.lower(algorithm) IN ('sha384', 'sha512') THEN 128 ELSE 64 END;
    k bytea := key;
    ipad bytea;
    opad bytea;
BEGIN
    IF pg_catalog.length(k) > block THEN
        k := @extschema@.digest(k, algorithm);
    END IF;
    k := k || pg_catalog.decode(pg_catalog.repeat('00', block - pg_catalog.length(k)), 'hex');
    ipad := k;
    opad := k;
    FOR i IN 0 .. block - 1 LOOP
        ipad := pg_catalog.set_byte(ipad, i, pg_catalog.get_byte(k, i) # 54);
        opad := pg_catalog.set_byte(opad, i, pg_catalog.get_byte(k, i) # 92);
    END LOOP;
    RETURN @extschema@.digest(opad || @extschema@.digest(ipad || data, algorithm), algorithm);
END $$;

CREATE FUNCTION hmac(data text, key text, algorithm text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.hmac(pg_catalog.convert_to(data, 'UTF8'),
                                 pg_catalog.convert_to(key, 'UTF8'), algorithm) $$;

CREATE FUNCTION gen_random_bytes(count integer) RETURNS bytea
    LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$
    SELECT pg_catalog.decode(pg_catalog.string_agg(
        pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.floor(pg_catalog.random() * 256)::int), 2, '0'),
        ''), 'hex')
    FROM pg_catalog.generate_series(1, count)
$$;

CREATE FUNCTION gen_random_uuid() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$ SELECT pg_catalog.gen_random_uuid() $$;

CREATE FUNCTION crypt(password text, salt text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'crypt() is not available in schemaverify''s embedded PostgreSQL'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION gen_salt(type text) RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'gen_salt() is not available in schemaverify''s embedded PostgreSQL'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION gen_salt(type text, rounds integer) RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'gen_salt() is not available in schemaverify''s embedded PostgreSQL'
        USING ERRCODE = 'feature_not_supported';
END $$;
