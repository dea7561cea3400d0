-- schemaverify shim of the uuid-ossp extension (the embedded PostgreSQL build lacks it).
--
-- Same function names and signatures as uuid-ossp 1.1, so that migrations and
-- column defaults using them are accepted.  v3 and v4 are real; v1, v1mc and v5
-- need a MAC address or SHA-1, which this build cannot provide: they raise an
-- error when called (a DDL default that names them is still accepted).

CREATE FUNCTION uuid_nil() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;

CREATE FUNCTION uuid_ns_dns() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION uuid_ns_url() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION uuid_ns_oid() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION uuid_ns_x500() RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION uuid_generate_v4() RETURNS uuid
    LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT pg_catalog.gen_random_uuid() $$;

-- RFC 4122 version 3: MD5 of namespace bytes || name, with version and variant bits set.
CREATE FUNCTION uuid_generate_v3(namespace uuid, name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT pg_catalog.encode(
        pg_catalog.set_byte(
            pg_catalog.set_byte(h, 6, (pg_catalog.get_byte(h, 6) & 15) | 48),
            8, (pg_catalog.get_byte(h, 8) & 63) | 128),
        'hex')::uuid
    FROM (SELECT pg_catalog.decode(
        pg_catalog.md5(pg_catalog.uuid_send(namespace) || pg_catalog.convert_to(name, 'UTF8')),
        'hex') AS h) AS digest
$$;

CREATE FUNCTION uuid_generate_v1() RETURNS uuid
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'uuid_generate_v1() is not available in schemaverify''s embedded PostgreSQL'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION uuid_generate_v1mc() RETURNS uuid
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'uuid_generate_v1mc() is not available in schemaverify''s embedded PostgreSQL'
        USING ERRCODE = 'feature_not_supported';
END $$;

CREATE FUNCTION uuid_generate_v5(namespace uuid, name text) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ BEGIN
    RAISE EXCEPTION 'uuid_generate_v5() (SHA-1) is not available in schemaverify''s embedded PostgreSQL'
        USING ERRCODE = 'feature_not_supported';
END $$;
