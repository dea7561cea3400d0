-- schemaverify shim of the pgsodium extension (a C extension over libsodium,
-- with a server root key, that the embedded PostgreSQL build lacks).
--
-- What migrations touch is reproduced: the roles pgsodium_keyiduser,
-- pgsodium_keyholder and pgsodium_keymaker (created if missing, and granted to
-- postgres WITH ADMIN OPTION as on Supabase's PG15-era projects), the key_status
-- and key_type enums, the table pgsodium.key, the views valid_key and
-- decrypted_key, and pgsodium.create_key(), which records a key (no key material:
-- keys derived from key_id are what it creates) and returns its valid_key row.
-- Every function that needs real cryptography exists with pgsodium's signature,
-- so that functions calling it can be created and GRANT lines apply, and raises
-- feature_not_supported when called.  Not reproduced: transparent column
-- encryption (SECURITY LABEL FOR pgsodium needs its C label provider), the
-- masking views and event trigger, and create_key() with a raw_key.

-- Roles are cluster-wide: a trusted extension's script runs as the bootstrap
-- superuser, which may create them; an earlier install (or the preset) may have.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['pgsodium_keyiduser', 'pgsodium_keyholder', 'pgsodium_keymaker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE pg_catalog.format(
                'CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION', r);
        END IF;
    END LOOP;
END $$;

DO $$
DECLARE
    grant_ text;
BEGIN
    FOREACH grant_ IN ARRAY ARRAY[
        'pgsodium_keyholder:pgsodium_keymaker', 'pgsodium_keyiduser:pgsodium_keymaker',
        'pgsodium_keyiduser:pgsodium_keyholder'
    ] LOOP
        IF NOT pg_catalog.pg_has_role(pg_catalog.split_part(grant_, ':', 2),
                                      pg_catalog.split_part(grant_, ':', 1), 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT %I TO %I',
                pg_catalog.split_part(grant_, ':', 1), pg_catalog.split_part(grant_, ':', 2));
        END IF;
    END LOOP;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres')
       AND NOT pg_catalog.pg_has_role('postgres', 'pgsodium_keymaker', 'USAGE WITH ADMIN OPTION') THEN
        GRANT pgsodium_keyiduser, pgsodium_keyholder, pgsodium_keymaker TO postgres WITH ADMIN OPTION;
    END IF;
END $$;

CREATE TYPE pgsodium.key_status AS ENUM ('default', 'valid', 'invalid', 'expired');

CREATE TYPE pgsodium.key_type AS ENUM (
    'aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash',
    'generichash', 'kdf', 'secretbox', 'secretstream', 'stream_xchacha20'
);

CREATE TYPE pgsodium._key_id_context AS (key_id bigint, key_context bytea);
CREATE TYPE pgsodium.crypto_box_keypair AS (public bytea, secret bytea);
CREATE TYPE pgsodium.crypto_sign_keypair AS (public bytea, secret bytea);
CREATE TYPE pgsodium.crypto_kx_keypair AS (public bytea, secret bytea);
CREATE TYPE pgsodium.crypto_kx_session AS (rx bytea, tx bytea);
CREATE TYPE pgsodium.crypto_signcrypt_keypair AS (public bytea, secret bytea);
CREATE TYPE pgsodium.crypto_signcrypt_state_key AS (state bytea, shared_key bytea);

CREATE SEQUENCE pgsodium.key_key_id_seq;

CREATE TABLE pgsodium.key (
    id uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    status pgsodium.key_status DEFAULT 'valid',
    created timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires timestamptz,
    key_type pgsodium.key_type,
    key_id bigint DEFAULT pg_catalog.nextval('pgsodium.key_key_id_seq'),
    key_context bytea DEFAULT '\x7067736f6469756d'::bytea,
    name text UNIQUE,
    associated_data text DEFAULT 'associated',
    raw_key bytea,
    raw_key_nonce bytea,
    parent_key uuid REFERENCES pgsodium.key (id),
    comment text,
    user_data text,
    CONSTRAINT key_key_context_check CHECK (pg_catalog.length(key_context) = 8),
    CONSTRAINT pgsodium_raw CHECK (
        CASE WHEN raw_key IS NOT NULL
            THEN key_id IS NULL AND key_context IS NULL AND parent_key IS NOT NULL
            ELSE key_id IS NOT NULL AND key_context IS NOT NULL AND parent_key IS NULL
        END)
);
ALTER SEQUENCE pgsodium.key_key_id_seq OWNED BY pgsodium.key.key_id;
CREATE INDEX key_status_idx ON pgsodium.key (status) WHERE status IN ('valid', 'default');
CREATE UNIQUE INDEX key_status_idx1 ON pgsodium.key (status) WHERE status = 'default';
CREATE UNIQUE INDEX key_key_id_key_context_key_type_idx
    ON pgsodium.key (key_id, key_context, key_type);
SELECT pg_catalog.pg_extension_config_dump('pgsodium.key', '');

CREATE FUNCTION pgsodium._schemaverify_no_crypto(call text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    RAISE EXCEPTION 'schemaverify: no cryptography in a migration check (pgsodium.%)', call
        USING ERRCODE = 'feature_not_supported',
              HINT = 'pgsodium is a stand-in: keys are recorded in pgsodium.key, nothing is encrypted or decrypted.';
END $$;

CREATE VIEW pgsodium.valid_key AS
    SELECT k.id, k.name, k.status, k.key_type, k.key_id, k.key_context, k.created, k.expires,
           k.associated_data
    FROM pgsodium.key AS k
    WHERE k.status IN ('valid', 'default')
      AND (k.expires IS NULL OR k.expires > pg_catalog.now());

CREATE VIEW pgsodium.decrypted_key AS
    SELECT k.id, k.status, k.created, k.expires, k.key_type, k.key_id, k.key_context, k.name,
           k.associated_data, k.raw_key,
           CASE WHEN k.raw_key IS NOT NULL
               THEN pgsodium._schemaverify_no_crypto('decrypted_key.decrypted_raw_key') END
               AS decrypted_raw_key,
           k.raw_key_nonce, k.parent_key, k.comment
    FROM pgsodium.key AS k;

CREATE FUNCTION pgsodium.create_key(
    key_type pgsodium.key_type DEFAULT 'aead-det',
    name text DEFAULT NULL,
    raw_key bytea DEFAULT NULL,
    raw_key_nonce bytea DEFAULT NULL,
    parent_key uuid DEFAULT NULL,
    key_context bytea DEFAULT '\x7067736f6469756d'::bytea,
    expires timestamptz DEFAULT NULL,
    associated_data text DEFAULT ''
) RETURNS pgsodium.valid_key
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    new_id uuid;
    result pgsodium.valid_key;
BEGIN
    IF raw_key IS NOT NULL THEN
        -- A raw key is stored encrypted by its parent key: that needs libsodium.
        PERFORM pgsodium._schemaverify_no_crypto('create_key with a raw_key');
    END IF;
    INSERT INTO pgsodium.key (key_type, name, key_context, expires, associated_data)
    VALUES (create_key.key_type, create_key.name, create_key.key_context,
            create_key.expires, create_key.associated_data)
    RETURNING id INTO new_id;
    SELECT v.* INTO result FROM pgsodium.valid_key AS v WHERE v.id = new_id;
    RETURN result;
END $$;
ALTER FUNCTION pgsodium.create_key(pgsodium.key_type, text, bytea, bytea, uuid, bytea, timestamptz, text)
    OWNER TO pgsodium_keymaker;

-- The cryptographic functions: pgsodium's signatures, each raising when called.
-- (name, argument list, result, role granted EXECUTE as pgsodium does)
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN
        SELECT * FROM (VALUES
            ('crypto_aead_det_encrypt', 'message bytea, additional bytea, key bytea, nonce bytea DEFAULT NULL', 'bytea', 'pgsodium_keyholder'),
            ('crypto_aead_det_encrypt', 'message bytea, additional bytea, key_id bigint, context bytea DEFAULT ''pgsodium'', nonce bytea DEFAULT NULL', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_det_encrypt', 'message bytea, additional bytea, key_uuid uuid', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_det_encrypt', 'message bytea, additional bytea, key_uuid uuid, nonce bytea', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_det_decrypt', 'message bytea, additional bytea, key bytea, nonce bytea DEFAULT NULL', 'bytea', 'pgsodium_keyholder'),
            ('crypto_aead_det_decrypt', 'message bytea, additional bytea, key_id bigint, context bytea DEFAULT ''pgsodium'', nonce bytea DEFAULT NULL', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_det_decrypt', 'message bytea, additional bytea, key_uuid uuid', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_det_decrypt', 'message bytea, additional bytea, key_uuid uuid, nonce bytea', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_det_keygen', '', 'bytea', 'pgsodium_keymaker'),
            ('crypto_aead_det_noncegen', '', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_ietf_encrypt', 'message bytea, additional bytea, nonce bytea, key bytea', 'bytea', 'pgsodium_keyholder'),
            ('crypto_aead_ietf_encrypt', 'message bytea, additional bytea, nonce bytea, key_id bigint, context bytea DEFAULT ''pgsodium''', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_ietf_encrypt', 'message bytea, additional bytea, nonce bytea, key_uuid uuid', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_ietf_decrypt', 'message bytea, additional bytea, nonce bytea, key bytea', 'bytea', 'pgsodium_keyholder'),
            ('crypto_aead_ietf_decrypt', 'message bytea, additional bytea, nonce bytea, key_id bigint, context bytea DEFAULT ''pgsodium''', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_ietf_decrypt', 'message bytea, additional bytea, nonce bytea, key_uuid uuid', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_aead_ietf_keygen', '', 'bytea', 'pgsodium_keymaker'),
            ('crypto_aead_ietf_noncegen', '', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_secretbox', 'message bytea, nonce bytea, key bytea', 'bytea', 'pgsodium_keyholder'),
            ('crypto_secretbox', 'message bytea, nonce bytea, key_id bigint, context bytea DEFAULT ''pgsodium''', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_secretbox', 'message bytea, nonce bytea, key_uuid uuid', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_secretbox_open', 'message bytea, nonce bytea, key bytea', 'bytea', 'pgsodium_keyholder'),
            ('crypto_secretbox_open', 'message bytea, nonce bytea, key_id bigint, context bytea DEFAULT ''pgsodium''', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_secretbox_open', 'message bytea, nonce bytea, key_uuid uuid', 'bytea', 'pgsodium_keyiduser'),
            ('crypto_secretbox_keygen', '', 'bytea', 'pgsodium_keymaker'),
            ('crypto_secretbox_noncegen', '', 'bytea', 'pgsodium_keyiduser'),
            ('derive_key', 'key_id bigint, key_len integer DEFAULT 32, context bytea DEFAULT ''pgsodium''', 'bytea', 'pgsodium_keymaker'),
            ('randombytes_buf', 'size integer', 'bytea', 'pgsodium_keyiduser'),
            ('randombytes_new_seed', '', 'bytea', 'pgsodium_keyiduser'),
            ('randombytes_random', '', 'integer', 'pgsodium_keyiduser')
        ) AS v (name, args, result, role)
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE FUNCTION pgsodium.%I(%s) RETURNS %s LANGUAGE plpgsql VOLATILE AS %L',
            f.name, f.args, f.result,
            pg_catalog.format('BEGIN PERFORM pgsodium._schemaverify_no_crypto(%L); RETURN NULL; END',
                              f.name));
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION pgsodium.%I(%s) FROM PUBLIC',
            f.name, pg_catalog.regexp_replace(f.args, ' DEFAULT [^,]*', '', 'g'));
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION pgsodium.%I(%s) TO %I',
            f.name, pg_catalog.regexp_replace(f.args, ' DEFAULT [^,]*', '', 'g'), f.role);
    END LOOP;
END $$;

-- pgsodium's grants (3.x): the key table to the key maker, the valid keys and
-- create_key() to key id users; Supabase's after-create script adds service_role.
-- (_schemaverify_no_crypto keeps PUBLIC's EXECUTE: it only raises, with the callers' rights.)
REVOKE ALL ON FUNCTION pgsodium.create_key(pgsodium.key_type, text, bytea, bytea, uuid, bytea, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgsodium.create_key(pgsodium.key_type, text, bytea, bytea, uuid, bytea, timestamptz, text)
    TO pgsodium_keyiduser;
GRANT USAGE ON SCHEMA pgsodium TO pgsodium_keyiduser, pgsodium_keyholder, pgsodium_keymaker;
GRANT SELECT, INSERT, UPDATE, DELETE ON pgsodium.key TO pgsodium_keymaker;
GRANT USAGE ON SEQUENCE pgsodium.key_key_id_seq TO pgsodium_keymaker;
GRANT SELECT ON pgsodium.valid_key TO pgsodium_keyiduser;
GRANT SELECT ON pgsodium.decrypted_key TO pgsodium_keyholder;
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
        GRANT EXECUTE ON FUNCTION pgsodium.crypto_aead_det_encrypt(bytea, bytea, uuid, bytea),
            pgsodium.crypto_aead_det_decrypt(bytea, bytea, uuid, bytea),
            pgsodium.crypto_aead_det_keygen() TO service_role;
    END IF;
END $$;
