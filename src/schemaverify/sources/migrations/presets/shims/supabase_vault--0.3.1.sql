-- schemaverify shim of Supabase Vault (supabase_vault 0.3.1, a C extension over
-- libsodium that the embedded PostgreSQL build lacks).
--
-- vault.secrets, vault.decrypted_secrets, vault.create_secret() and
-- vault.update_secret() have Vault's names, columns, signatures and grants, and
-- work: a secret created is read back from decrypted_secrets.  SECRETS ARE NOT
-- ENCRYPTED: the `secret` column holds 'schemaverify-unencrypted:' followed by
-- the base64 of the plain text.  A migration check is a throwaway cluster, but
-- never point it at real secrets.  The internal _crypto_aead_det_* functions
-- exist (they are granted on) and raise when called.

CREATE FUNCTION vault._crypto_aead_det_noncegen() RETURNS bytea
    LANGUAGE sql VOLATILE
    -- 16 bytes, like Vault's nonces; nothing is encrypted with them here.
    AS $$ SELECT pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) $$;

CREATE FUNCTION vault._schemaverify_no_crypto(call text) RETURNS bytea
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    RAISE EXCEPTION 'schemaverify: no cryptography in a migration check (%)', call
        USING ERRCODE = 'feature_not_supported',
              HINT = 'supabase_vault is a stand-in: secrets are stored unencrypted, read them from vault.decrypted_secrets.';
END $$;

CREATE FUNCTION vault._crypto_aead_det_encrypt(
    message bytea, additional bytea, key_id bigint,
    context bytea DEFAULT 'pgsodium', nonce bytea DEFAULT NULL
) RETURNS bytea
    LANGUAGE sql VOLATILE
    AS $$ SELECT vault._schemaverify_no_crypto('vault._crypto_aead_det_encrypt') $$;

CREATE FUNCTION vault._crypto_aead_det_decrypt(
    message bytea, additional bytea, key_id bigint,
    context bytea DEFAULT 'pgsodium', nonce bytea DEFAULT NULL
) RETURNS bytea
    LANGUAGE sql VOLATILE
    AS $$ SELECT vault._schemaverify_no_crypto('vault._crypto_aead_det_decrypt') $$;

CREATE TABLE vault.secrets (
    id uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    name text,
    description text NOT NULL DEFAULT '',
    secret text NOT NULL,
    key_id uuid,
    nonce bytea DEFAULT vault._crypto_aead_det_noncegen(),
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX secrets_name_idx ON vault.secrets (name) WHERE name IS NOT NULL;
COMMENT ON TABLE vault.secrets IS
    'schemaverify stand-in of Supabase Vault: secrets are stored NOT encrypted';
SELECT pg_catalog.pg_extension_config_dump('vault.secrets', '');

CREATE FUNCTION vault._schemaverify_store(plain text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT 'schemaverify-unencrypted:'
        || pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(plain, 'UTF8'), 'base64'), E'\n', '')
$$;

CREATE FUNCTION vault._schemaverify_read(stored text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT CASE WHEN pg_catalog.starts_with(stored, 'schemaverify-unencrypted:')
        THEN pg_catalog.convert_from(pg_catalog.decode(pg_catalog.substr(stored, 26), 'base64'), 'UTF8')
    END
$$;

CREATE VIEW vault.decrypted_secrets AS
    SELECT s.id, s.name, s.description, s.secret,
           vault._schemaverify_read(s.secret) AS decrypted_secret,
           s.key_id, s.nonce, s.created_at, s.updated_at
    FROM vault.secrets AS s;

CREATE FUNCTION vault.create_secret(
    new_secret text,
    new_name text DEFAULT NULL,
    new_description text DEFAULT '',
    new_key_id uuid DEFAULT NULL
) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    rec record;
BEGIN
    INSERT INTO vault.secrets (secret, name, description)
    VALUES (vault._schemaverify_store(new_secret), new_name, new_description)
    RETURNING * INTO rec;
    RETURN rec.id;
END $$;

CREATE FUNCTION vault.update_secret(
    secret_id uuid,
    new_secret text DEFAULT NULL,
    new_name text DEFAULT NULL,
    new_description text DEFAULT NULL,
    new_key_id uuid DEFAULT NULL
) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ''
    AS $$ BEGIN
    UPDATE vault.secrets AS s SET
        secret = COALESCE(vault._schemaverify_store(new_secret), s.secret),
        name = COALESCE(new_name, s.name),
        description = COALESCE(new_description, s.description),
        updated_at = CURRENT_TIMESTAMP
    WHERE s.id = secret_id;
END $$;

-- Vault's grants: nothing for PUBLIC; Supabase's after-create script then gives
-- postgres (with grant option) and service_role the schema, reads and deletes of
-- the secrets, and the two functions; inserts and updates go through them.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA vault FROM PUBLIC;
-- Called with the caller's rights (decrypted_secrets, the _crypto_* stand-ins):
-- one decodes base64, the other only raises.
GRANT EXECUTE ON FUNCTION vault._schemaverify_read(text), vault._schemaverify_no_crypto(text) TO PUBLIC;
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN
        SELECT rolname FROM pg_catalog.pg_roles WHERE rolname IN ('postgres', 'service_role')
    LOOP
        EXECUTE pg_catalog.format(
            'GRANT USAGE ON SCHEMA vault TO %1$I %2$s;'
            'GRANT SELECT, DELETE ON vault.secrets, vault.decrypted_secrets TO %1$I %2$s;'
            'GRANT EXECUTE ON FUNCTION vault.create_secret(text, text, text, uuid),'
            ' vault.update_secret(uuid, text, text, text, uuid),'
            ' vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) TO %1$I %2$s',
            r, CASE WHEN r = 'postgres' THEN 'WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END $$;
