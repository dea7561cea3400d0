"""Stand-in extensions for what the embedded build lacks and Supabase offers.

Every test runs the statements real Supabase histories contain, as the
migration role (`postgres`, not a superuser), on a real embedded server with
the `supabase` preset and with none.  Each test works inside one transaction
that is rolled back, so the servers are shared by the module and every test
starts from the preset's state: CREATE EXTENSION, CREATE ROLE and their grants
are all transactional.  Before the stand-ins existed, every CREATE EXTENSION
here failed with `extension "..." is not available`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from schemaverify.sources import embedded
from schemaverify.sources.embedded import EmbeddedServer
from schemaverify.sources.migrations import presets

STANDINS = ("pg_net", "http", "pgjwt", "supabase_vault", "pgsodium", "pg_graphql", "pgtap")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as in test_embedded, so built once)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def supabase(cache_dir: Path) -> Iterator[EmbeddedServer]:
    with EmbeddedServer("supabase") as server:
        yield server


@pytest.fixture(scope="module")
def bare(cache_dir: Path) -> Iterator[EmbeddedServer]:
    with EmbeddedServer(None) as server:
        yield server


def _session(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(dsn) as conn:
        try:
            yield conn
        finally:
            conn.rollback()


@pytest.fixture
def sb(supabase: EmbeddedServer) -> Iterator[psycopg.Connection[Any]]:
    """The migration role on the supabase preset, in a transaction rolled back afterwards."""
    yield from _session(supabase.migration_dsn)


@pytest.fixture
def plain(bare: EmbeddedServer) -> Iterator[psycopg.Connection[Any]]:
    """The migration role on a bare cluster (schema `extensions` made as a history does)."""
    for conn in _session(bare.migration_dsn):
        conn.execute("CREATE SCHEMA extensions")
        yield conn


def run(conn: psycopg.Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    cur = conn.execute(sql.encode())
    return cur.fetchall() if cur.description else []


def one(conn: psycopg.Connection[Any], sql: str) -> Any:
    rows = run(conn, sql)
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


def fails(conn: psycopg.Connection[Any], sql: str, error: type[Exception]) -> str:
    """Run `sql` in a savepoint; it must raise `error`; return the message."""
    with pytest.raises(error) as caught, conn.transaction():
        conn.execute(sql.encode())
    return str(caught.value)


def extension(conn: psycopg.Connection[Any], name: str) -> tuple[str, str, str] | None:
    rows = run(
        conn,
        "SELECT extnamespace::regnamespace::text, extversion, extowner::regrole::text"
        f" FROM pg_catalog.pg_extension WHERE extname = '{name}'",
    )
    return rows[0] if rows else None


# --------------------------------------------------------------------------- packages


def test_every_standin_is_a_trusted_package_with_its_scripts() -> None:
    """Pure: control, install script, and both directions of every accepted older version."""
    files = presets.shim_extension_files()
    for name in STANDINS:
        shim = presets._SHIMS[name]
        control = files[f"{name}.control"]
        assert "trusted = true" in control
        assert f"default_version = '{shim.version}'" in control
        assert files[f"{name}--{shim.version}.sql"].strip()
        for old in shim.older:
            assert f"{name}--{old}--{shim.version}.sql" in files
            assert f"{name}--{shim.version}--{old}.sql" in files
    assert "schema = 'vault'" in files["supabase_vault.control"]
    assert "requires = 'pgcrypto'" in files["pgjwt.control"]


def test_cache_key_changes_with_a_standin_script(monkeypatch: pytest.MonkeyPatch) -> None:
    binaries = embedded.locate_binaries()
    before = embedded.cache_key(binaries, "none")
    real_read = presets._read

    def edited(*parts: str) -> str:
        text = real_read(*parts)
        return text + "\n-- edited\n" if parts == ("shims", "pgtap--1.3.3.sql") else text

    monkeypatch.setattr(presets, "_read", edited)
    assert embedded.cache_key(binaries, "none") != before


# --------------------------------------------------------------------------- lifecycle


LIFECYCLE = [
    ("pg_net", "create extension if not exists pg_net with schema extensions", "extensions"),
    ("http", "create extension http with schema extensions", "extensions"),
    ("pgjwt", 'CREATE EXTENSION IF NOT EXISTS "pgjwt" CASCADE', "public"),
    ("pgtap", "create extension pgtap with schema extensions", "extensions"),
    ("supabase_vault", "create extension supabase_vault", "vault"),
    ("pgsodium", "create extension pgsodium", "pgsodium"),
    ("pg_graphql", "create extension pg_graphql", "graphql"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "create", "schema"), LIFECYCLE, ids=[c[0] for c in LIFECYCLE])
def test_standin_creates_drops_recreates_and_updates(
    plain: psycopg.Connection[Any], name: str, create: str, schema: str
) -> None:
    version = presets._SHIMS[name].version
    run(plain, create)
    assert extension(plain, name) == (schema, version, "postgres")
    run(plain, f'CREATE EXTENSION IF NOT EXISTS "{name}" WITH SCHEMA {schema}')
    run(plain, f'ALTER EXTENSION "{name}" UPDATE')
    run(plain, f"ALTER EXTENSION \"{name}\" UPDATE TO '{version}'")
    assert extension(plain, name) == (schema, version, "postgres")
    run(plain, f'DROP EXTENSION "{name}"')
    assert extension(plain, name) is None
    run(plain, create)
    for old in presets._SHIMS[name].older:
        run(plain, f"ALTER EXTENSION \"{name}\" UPDATE TO '{old}'")
        assert extension(plain, name) == (schema, old, "postgres")
        run(plain, f'ALTER EXTENSION "{name}" UPDATE')
        assert extension(plain, name) == (schema, version, "postgres")


def test_an_older_pinned_version_installs_and_updates_to_the_default(
    plain: psycopg.Connection[Any],
) -> None:
    run(plain, "CREATE EXTENSION pgtap WITH SCHEMA extensions VERSION '1.2.0'")
    assert extension(plain, "pgtap") == ("extensions", "1.2.0", "postgres")
    run(plain, "ALTER EXTENSION pgtap UPDATE")
    assert extension(plain, "pgtap") == ("extensions", "1.3.3", "postgres")


def test_fixed_schemas_and_requirements_are_those_of_the_real_extensions(
    plain: psycopg.Connection[Any],
) -> None:
    fails(
        plain, "CREATE EXTENSION supabase_vault WITH SCHEMA extensions", errors.FeatureNotSupported
    )
    fails(plain, "CREATE EXTENSION pgjwt WITH SCHEMA extensions", errors.UndefinedObject)


SPELLINGS = [
    ("pg_net", "create extension if not exists pg_net with schema extensions;"),
    ("pg_net", 'CREATE EXTENSION IF NOT EXISTS "pg_net" WITH SCHEMA "extensions";'),
    ("pgjwt", 'CREATE EXTENSION IF NOT EXISTS "pgjwt" WITH SCHEMA "extensions";'),
    ("http", "create extension http with schema extensions;"),
    ("http", 'CREATE EXTENSION IF NOT EXISTS "http" WITH SCHEMA "extensions";'),
    ("pgtap", "create extension pgtap with schema extensions;"),
    ("pgtap", 'CREATE EXTENSION IF NOT EXISTS "pgtap" WITH SCHEMA "extensions";'),
    ("supabase_vault", 'CREATE EXTENSION IF NOT EXISTS "supabase_vault" WITH SCHEMA "vault";'),
    # A pulled dump creates the schema first (the extension does not own it).
    (
        "pgsodium",
        'CREATE SCHEMA IF NOT EXISTS "pgsodium"; CREATE EXTENSION IF NOT EXISTS "pgsodium" WITH'
        ' SCHEMA "pgsodium";',
    ),
    ("pgsodium", "create extension pgsodium;"),
    ("pg_graphql", "create extension pg_graphql;"),
    ("pg_graphql", 'CREATE EXTENSION IF NOT EXISTS "pg_graphql" WITH SCHEMA "graphql";'),
]


@pytest.mark.parametrize(("name", "statement"), SPELLINGS)
def test_supabase_spellings_apply_as_the_migration_role(
    sb: psycopg.Connection[Any], name: str, statement: str
) -> None:
    run(sb, statement)
    assert extension(sb, name) is not None
    run(sb, f'CREATE EXTENSION IF NOT EXISTS "{name}"')


# --------------------------------------------------------------------------- pg_net


def test_pg_net_records_requests_in_schema_net_and_never_sends(sb: psycopg.Connection[Any]) -> None:
    run(sb, "create extension if not exists pg_net with schema extensions")
    assert extension(sb, "pg_net") == ("extensions", "0.19.5", "postgres")
    ids = run(
        sb,
        """SELECT net.http_get('https://example.com/a', '{"q": "x y"}'),
                  net.http_post(url := 'https://example.com/hook', body := '{"id": 1}'),
                  net.http_delete('https://example.com/a?z=1', '{"k": "&"}')""",
    )[0]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 3
    queued = run(
        sb,
        "SELECT method, url, headers, convert_from(body, 'UTF8'), timeout_milliseconds"
        " FROM net.http_request_queue ORDER BY id",
    )
    assert queued == [
        ("GET", "https://example.com/a?q=x%20y", {}, None, 5000),
        ("POST", "https://example.com/hook", {"Content-Type": "application/json"}, '{"id": 1}',
         5000),
        ("DELETE", "https://example.com/a?z=1&k=%26", {}, None, 5000),
    ]  # fmt: skip
    assert one(sb, "SELECT count(*) FROM net._http_response") == 0
    fails(
        sb,
        """SELECT net.http_post('https://e.com', '{}',
                                 headers := '{"Content-Type": "text/plain"}')""",
        errors.RaiseException,
    )
    message = fails(sb, "SELECT net._await_response(1)", errors.FeatureNotSupported)
    assert message.startswith("schemaverify: no network in a migration check")


def test_pg_net_functions_take_pulled_dump_grants_and_webhook_bodies(
    sb: psycopg.Connection[Any],
) -> None:
    run(sb, 'CREATE EXTENSION IF NOT EXISTS "pg_net" WITH SCHEMA "extensions"')
    run(sb, "SET check_function_bodies = on")
    for statement in (
        'GRANT ALL ON FUNCTION "net"."http_get"("url" "text", "params" "jsonb", "headers" "jsonb",'
        ' "timeout_milliseconds" integer) TO "anon"',
        'GRANT ALL ON FUNCTION "net"."http_post"("url" "text", "body" "jsonb", "params" "jsonb",'
        ' "headers" "jsonb", "timeout_milliseconds" integer) TO "service_role"',
        'GRANT ALL ON FUNCTION "net"."http_delete"("url" "text", "params" "jsonb", "headers"'
        ' "jsonb",'
        ' "timeout_milliseconds" integer, "body" "jsonb") TO "authenticated"',
        "CREATE TABLE public.orders (id bigint PRIMARY KEY)",
        """CREATE FUNCTION public.notify_order() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             PERFORM net.http_post(url := 'https://hooks.example.com/order',
                                   body := jsonb_build_object('id', NEW.id));
             RETURN NEW;
           END $$""",
        "CREATE TRIGGER orders_notify AFTER INSERT ON public.orders"
        " FOR EACH ROW EXECUTE FUNCTION public.notify_order()",
        "INSERT INTO public.orders VALUES (7)",
    ):
        run(sb, statement)
    assert one(sb, "SELECT convert_from(body, 'UTF8') FROM net.http_request_queue") == '{"id": 7}'
    assert one(sb, "SELECT has_schema_privilege('anon', 'net', 'USAGE')") is True


# --------------------------------------------------------------------------- http


HTTP_CALLS = [
    ("http_get('https://api.example.com/v1?key=s3cr3t')", "http_get GET"),
    ("http_get('https://api.example.com/v1', '{\"a\": 1}'::jsonb)", "http_get GET"),
    ("http_post('https://u:pw@api.example.com/x', 'body', 'text/plain')", "http_post POST"),
    ("http_post('https://api.example.com/x', '{\"a\": 1}'::jsonb)", "http_post POST"),
    ("http_put('https://api.example.com/x', 'b', 'text/plain')", "http_put PUT"),
    ("http_patch('https://api.example.com/x', 'b', 'text/plain')", "http_patch PATCH"),
    ("http_delete('https://api.example.com/x')", "http_delete DELETE"),
    ("http_delete('https://api.example.com/x', 'b', 'text/plain')", "http_delete DELETE"),
    ("http_head('https://api.example.com/x')", "http_head HEAD"),
    ("http(('GET', 'https://api.example.com/', NULL, NULL, NULL)::extensions.http_request)",
     "http GET"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "label"), HTTP_CALLS)
def test_http_calls_fail_with_no_network(
    sb: psycopg.Connection[Any], call: str, label: str
) -> None:
    run(sb, "create extension http with schema extensions")
    message = fails(sb, f"SELECT extensions.{call}", errors.FeatureNotSupported)
    first = message.splitlines()[0]
    assert first == f"schemaverify: no network in a migration check ({label} api.example.com)"
    assert "s3cr3t" not in message and "pw" not in message


def test_http_helpers_work_and_pulled_dump_grants_apply(sb: psycopg.Connection[Any]) -> None:
    run(sb, "create extension http with schema extensions")
    assert run(
        sb,
        """SELECT extensions.urlencode('a b&c/é'),
                  extensions.urlencode('{"q": "x y", "n": 1}'::jsonb),
                  (extensions.http_header('Authorization', 'Bearer t')).value,
                  extensions.bytea_to_text(extensions.text_to_bytea('hé'))""",
    ) == [("a%20b%26c%2F%C3%A9", "n=1&q=x%20y", "Bearer t", "hé")]
    assert run(
        sb,
        "SELECT extensions.http_set_curlopt('CURLOPT_TIMEOUT', '5'),"
        " extensions.http_set_curlopt('curlopt_timeout', '7')",
    ) == [(True, True)]
    assert run(sb, "SELECT * FROM extensions.http_list_curlopt()") == [("CURLOPT_TIMEOUT", "7")]
    run(sb, "SELECT extensions.http_reset_curlopt()")
    assert run(sb, "SELECT * FROM extensions.http_list_curlopt()") == []
    fails(sb, "SELECT extensions.http_set_curlopt('rm -rf', '1')", errors.InvalidParameterValue)
    for statement in (
        'GRANT ALL ON FUNCTION "extensions"."http_get"("uri" character varying) TO "anon"',
        'GRANT ALL ON FUNCTION "extensions"."http_get"("uri" character varying, "data" "jsonb") TO'
        ' "authenticated"',
        'GRANT ALL ON FUNCTION "extensions"."http_post"("uri" character varying, "content"'
        " character varying,"
        ' "content_type" character varying) TO "service_role"',
        'GRANT ALL ON FUNCTION "extensions"."http"("request" "extensions"."http_request") TO'
        ' "anon"',
        'GRANT ALL ON FUNCTION "extensions"."urlencode"("string" character varying) TO "anon"',
        'GRANT ALL ON FUNCTION "extensions"."http_set_curlopt"("curlopt" character varying,'
        ' "value" character varying) TO "service_role"',
    ):
        run(sb, statement)
    # The grant takes effect (postgres holds the grant option, as on Supabase), not just a warning.
    granted = (
        "SELECT 'authenticated=X/postgres' = ANY (proacl::text[]) FROM pg_catalog.pg_proc"
        " WHERE oid = 'extensions.http_head(varchar)'::regprocedure"
    )
    assert one(sb, granted) is False
    run(
        sb,
        'GRANT ALL ON FUNCTION "extensions"."http_head"("uri" character varying) TO'
        ' "authenticated"',
    )
    assert one(sb, granted) is True


# --------------------------------------------------------------------------- pgjwt


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(payload: str, secret: str, alg: str = "HS256") -> str:
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    signables = _b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    signables += "." + _b64url(payload.encode())
    return signables + "." + _b64url(hmac.new(secret.encode(), signables.encode(), digest).digest())


JWT_IO = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
"""jwt.io's example token: HS256 over its default payload with secret `your-256-bit-secret`."""


@pytest.mark.parametrize("fixture", ["sb", "plain"])
def test_pgjwt_signs_and_verifies_the_jwt_io_vector(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    conn: psycopg.Connection[Any] = request.getfixturevalue(fixture)
    run(conn, 'CREATE EXTENSION IF NOT EXISTS "pgjwt" WITH SCHEMA "extensions" CASCADE')
    payload = '{"sub":"1234567890","name":"John Doe","iat":1516239022}'
    assert _jwt(payload, "your-256-bit-secret") == JWT_IO
    signed = one(conn, f"SELECT extensions.sign('{payload}'::json, 'your-256-bit-secret')")
    assert signed == JWT_IO
    verified = run(conn, f"SELECT * FROM extensions.verify('{JWT_IO}', 'your-256-bit-secret')")
    assert verified == [
        ({"alg": "HS256", "typ": "JWT"},
         {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}, True)
    ]  # fmt: skip
    assert one(conn, f"SELECT valid FROM extensions.verify('{JWT_IO}', 'wrong')") is False


def test_pgjwt_other_algorithms_and_expiry(sb: psycopg.Connection[Any]) -> None:
    run(sb, "create extension pgjwt with schema extensions")
    payload = '{"role":"authenticated","exp":4102444800}'
    for alg in ("HS384", "HS512"):
        signed = one(
            sb, f"SELECT extensions.sign('{payload}'::json, 'k' || repeat('x', 200), '{alg}')"
        )
        assert signed == _jwt(payload, "k" + "x" * 200, alg)
        assert one(
            sb, f"SELECT valid FROM extensions.verify('{signed}', 'k' || repeat('x', 200), '{alg}')"
        )
    expired = _jwt('{"exp":1000}', "s")
    assert one(sb, f"SELECT valid FROM extensions.verify('{expired}', 's')") is False
    not_yet = _jwt('{"nbf":4102444800}', "s")
    assert one(sb, f"SELECT valid FROM extensions.verify('{not_yet}', 's')") is False
    fails(sb, "SELECT extensions.sign('{}'::json, 's', 'RS256')", errors.InvalidParameterValue)
    assert (
        one(sb, "SELECT extensions.url_decode(extensions.url_encode('\\xfbff'::bytea))")
        == b"\xfb\xff"
    )
    assert one(sb, "SELECT extensions.try_cast_double('nope')") is None
    run(
        sb,
        'GRANT ALL ON FUNCTION "extensions"."sign"("payload" "json", "secret" "text", "algorithm"'
        ' "text") TO "anon"',
    )
    run(
        sb,
        'GRANT ALL ON FUNCTION "extensions"."verify"("token" "text", "secret" "text", "algorithm"'
        ' "text") TO "anon"',
    )


# --------------------------------------------------------------------------- vault


def test_vault_secrets_round_trip_unencrypted_with_supabase_grants(
    sb: psycopg.Connection[Any],
) -> None:
    run(sb, 'CREATE EXTENSION IF NOT EXISTS "supabase_vault" WITH SCHEMA "vault"')
    secret_id = one(sb, "SELECT vault.create_secret('s3cret', 'service_key', 'for the webhook')")
    row = run(
        sb,
        "SELECT name, description, secret, decrypted_secret FROM vault.decrypted_secrets"
        f" WHERE id = '{secret_id}'",
    )
    assert row == [
        ("service_key", "for the webhook", "schemaverify-unencrypted:czNjcmV0", "s3cret")
    ]
    run(sb, f"SELECT vault.update_secret('{secret_id}', 'n3w', new_description := 'rotated')")
    assert run(
        sb,
        f"SELECT decrypted_secret, description FROM vault.decrypted_secrets WHERE id ="
        f" '{secret_id}'",
    ) == [("n3w", "rotated")]
    # As on Supabase: postgres reads and deletes, writes only through the functions.
    fails(sb, "INSERT INTO vault.secrets (secret) VALUES ('x')", errors.InsufficientPrivilege)
    fails(sb, "SELECT vault.create_secret('x', 'service_key')", errors.UniqueViolation)
    run(sb, "SET LOCAL ROLE service_role")
    assert one(sb, "SELECT decrypted_secret FROM vault.decrypted_secrets") == "n3w"
    run(sb, "RESET ROLE")
    run(sb, "SET LOCAL ROLE anon")
    fails(sb, "SELECT * FROM vault.decrypted_secrets", errors.InsufficientPrivilege)
    run(sb, "RESET ROLE")
    run(sb, "SET check_function_bodies = on")
    run(
        sb,
        """CREATE FUNCTION public.hook_key() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
           SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = 'service_key' $$""",
    )
    assert one(sb, "SELECT public.hook_key()") == "n3w"
    fails(sb, "SELECT vault._crypto_aead_det_decrypt('x', 'y', 1)", errors.FeatureNotSupported)


# --------------------------------------------------------------------------- pgsodium


def test_pgsodium_creates_its_roles_once_and_keys(plain: psycopg.Connection[Any]) -> None:
    run(plain, "create extension pgsodium")
    roles = run(
        plain,
        "SELECT r.rolname, m.admin_option FROM pg_catalog.pg_auth_members AS m"
        " JOIN pg_catalog.pg_roles AS r ON r.oid = m.roleid"
        " WHERE m.member = 'postgres'::regrole AND r.rolname LIKE 'pgsodium%' ORDER BY 1",
    )
    assert roles == [
        ("pgsodium_keyholder", True),
        ("pgsodium_keyiduser", True),
        ("pgsodium_keymaker", True),
    ]
    run(plain, "DROP EXTENSION pgsodium")
    run(
        plain, 'CREATE EXTENSION IF NOT EXISTS "pgsodium" WITH SCHEMA "pgsodium"'
    )  # roles exist now
    key = run(
        plain, "SELECT id, name, status::text, key_type::text FROM pgsodium.create_key(name := 'k')"
    )
    assert key[0][1:] == ("k", "valid", "aead-det")
    assert one(plain, "SELECT count(*) FROM pgsodium.valid_key WHERE name = 'k'") == 1
    run(plain, "CREATE ROLE app_user")
    run(plain, "GRANT pgsodium_keyiduser TO app_user")
    message = fails(
        plain,
        f"SELECT pgsodium.crypto_aead_det_encrypt('m'::bytea, 'a'::bytea, '{key[0][0]}'::uuid)",
        errors.FeatureNotSupported,
    )
    assert message.startswith("schemaverify: no cryptography in a migration check")
    fails(plain, "SELECT pgsodium.create_key(raw_key := 'x'::bytea)", errors.FeatureNotSupported)


def test_pgsodium_pulled_dump_grants_apply(sb: psycopg.Connection[Any]) -> None:
    run(sb, 'CREATE SCHEMA IF NOT EXISTS "pgsodium"')
    run(sb, 'CREATE EXTENSION IF NOT EXISTS "pgsodium" WITH SCHEMA "pgsodium"')
    for statement in (
        'GRANT ALL ON FUNCTION "pgsodium"."crypto_aead_det_decrypt"("message" "bytea",'
        ' "additional" "bytea",'
        ' "key_uuid" "uuid", "nonce" "bytea") TO "service_role"',
        'GRANT ALL ON FUNCTION "pgsodium"."crypto_aead_det_encrypt"("message" "bytea",'
        ' "additional" "bytea",'
        ' "key_id" bigint, "context" "bytea", "nonce" "bytea") TO "authenticated"',
        'GRANT SELECT ON TABLE "pgsodium"."valid_key" TO "authenticated"',
        "GRANT pgsodium_keyiduser TO authenticated",
    ):
        run(sb, statement)
    assert (
        one(
            sb,
            "SELECT has_function_privilege('service_role',"
            " 'pgsodium.crypto_aead_det_encrypt(bytea, bytea, uuid, bytea)', 'EXECUTE')",
        )
        is True
    )


# --------------------------------------------------------------------------- pg_graphql


def test_pg_graphql_signatures_grants_and_errors_answer(sb: psycopg.Connection[Any]) -> None:
    run(sb, "create extension pg_graphql")
    assert extension(sb, "pg_graphql") == ("graphql", "1.5.11", "postgres")
    signatures = run(
        sb,
        "SELECT p.oid::regprocedure::text, pg_get_function_arguments(p.oid),"
        " pg_get_function_result(p.oid) FROM pg_proc AS p"
        " WHERE p.oid IN ('graphql.resolve'::regproc, 'graphql_public.graphql'::regproc) ORDER BY"
        " 1",
    )
    assert signatures == [
        ("graphql.resolve(text,jsonb,text,jsonb)",
         'query text, variables jsonb DEFAULT \'{}\'::jsonb, "operationName" text DEFAULT'
         ' NULL::text,'
         " extensions jsonb DEFAULT NULL::jsonb", "jsonb"),
        ("graphql_public.graphql(text,text,jsonb,jsonb)",
         '"operationName" text DEFAULT NULL::text, query text DEFAULT NULL::text,'
         " variables jsonb DEFAULT NULL::jsonb, extensions jsonb DEFAULT NULL::jsonb", "jsonb"),
    ]  # fmt: skip
    answer = one(
        sb,
        "SELECT graphql_public.graphql(query := '{ todosCollection { edges { node { id } } } }')",
    )
    assert answer["data"] is None
    assert answer["errors"][0]["message"].startswith("schemaverify: pg_graphql is a stand-in")
    run(
        sb,
        'GRANT ALL ON FUNCTION "graphql_public"."graphql"("operationName" "text", "query" "text",'
        ' "variables" "jsonb", "extensions" "jsonb") TO "anon"',
    )
    run(sb, "COMMENT ON SCHEMA public IS e'@graphql({\"inflect_names\": true})'")
    assert one(sb, "SELECT graphql.comment_directive(obj_description('public'::regnamespace))") == {
        "inflect_names": True
    }
    run(sb, "SET LOCAL ROLE anon")
    assert "errors" in one(sb, "SELECT graphql.resolve('{ __typename }')")


# --------------------------------------------------------------------------- pgtap


def test_pgtap_produces_tap_lines(sb: psycopg.Connection[Any]) -> None:
    run(sb, "create extension pgtap with schema extensions")
    run(
        sb, "CREATE TABLE public.notes (id bigint PRIMARY KEY, body text NOT NULL, tag varchar(20))"
    )
    run(sb, "ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY")
    run(sb, "CREATE POLICY owner_reads ON public.notes FOR SELECT USING (true)")
    run(
        sb,
        "CREATE FUNCTION public.add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT"
        " a + b'",
    )
    assert one(sb, "SELECT plan(16)") == "1..16"
    lines = [
        one(sb, "SELECT ok(true, 'it runs')"),
        one(sb, "SELECT is(public.add(1, 2), 3, 'adds')"),
        one(sb, "SELECT is(public.add(1, 1), 3, 'adds wrong')"),
        one(sb, "SELECT isnt(1, 2)"),
        one(sb, "SELECT has_table('public'::name, 'notes'::name)"),
        one(sb, "SELECT hasnt_table('ghosts')"),
        one(sb, "SELECT has_column('notes', 'body')"),
        one(
            sb, "SELECT col_type_is('public', 'notes', 'tag', 'character varying(20)', 'tag type')"
        ),
        one(sb, "SELECT col_not_null('notes', 'body')"),
        one(sb, "SELECT has_function('public', 'add', ARRAY['int4', 'integer'])"),
        one(sb, "SELECT policies_are('public', 'notes', ARRAY['owner_reads'])"),
        one(sb, "SELECT results_eq('SELECT 1 UNION ALL SELECT 2', ARRAY[1, 2], 'rows')"),
        one(sb, "SELECT throws_ok('INSERT INTO public.notes (id) VALUES (1)', '23502')"),
        one(sb, "SELECT lives_ok('SELECT 1', 'lives')"),
        one(sb, "SELECT pass('passes')"),
    ]
    run(sb, "SET LOCAL ROLE authenticated")  # tests switch roles between assertions
    lines.append(one(sb, "SELECT ok(current_user = 'authenticated', 'as authenticated')"))
    assert lines == [
        "ok 1 - it runs",
        "ok 2 - adds",
        'not ok 3 - adds wrong\n# Failed test 3: "adds wrong"\n#         have: 2\n#         want:'
        " 3",
        "ok 4",
        "ok 5 - Table public.notes should exist",
        "ok 6 - Table ghosts should not exist",
        "ok 7 - Column notes.body should exist",
        "ok 8 - tag type",
        "ok 9 - Column notes.body should be NOT NULL",
        "ok 10 - Function public.add(int4, integer) should exist",
        "ok 11 - Table public.notes should have the correct policies",
        "ok 12 - rows",
        "ok 13 - threw 23502",
        "ok 14 - lives",
        "ok 15 - passes",
        "ok 16 - as authenticated",
    ]
    assert [r[0] for r in run(sb, "SELECT * FROM finish()")] == [
        "# Looks like you failed 1 test of 16"
    ]


def test_pgtap_failures_say_why(plain: psycopg.Connection[Any]) -> None:
    run(plain, "create extension pgtap with schema extensions")
    run(plain, "SET search_path = public, extensions")
    run(plain, "CREATE TABLE t (id int, x text)")
    run(plain, "CREATE POLICY a ON t USING (true)")
    run(plain, "SELECT * FROM no_plan()")
    assert one(plain, "SELECT col_type_is('t', 'id', 'bigint')") == (
        'not ok 1 - Column t.id should be type bigint\n# Failed test 1: "Column t.id should be'
        ' type bigint"'
        "\n#         have: integer\n#         want: bigint"
    )
    assert one(plain, "SELECT policies_are('t', ARRAY['b'])").endswith(
        "\n#     Extra policies:\n#         a\n#     Missing policies:\n#         b"
    )
    assert one(plain, "SELECT results_eq('VALUES (1), (2)', 'VALUES (1), (3)')").endswith(
        "\n#     Results differ beginning at row 2:\n#         have: (2)\n#         want: (3)"
    )
    assert one(plain, "SELECT throws_ok('SELECT 1', '22012')").endswith(
        "\n#       caught: no exception\n#       wanted: 22012"
    )
    assert one(plain, "SELECT throws_ok('SELECT 1/0', 'P0001', 'boom', 'wrong error')").endswith(
        "\n#       caught: 22012: division by zero\n#       wanted: P0001: boom"
    )
    assert one(plain, "SELECT lives_ok('SELECT 1/0')").endswith(
        "\n#         died: 22012: division by zero"
    )
    assert one(plain, "SELECT ok(NULL, 'null')").endswith("\n#     (test result was NULL)")
    assert one(plain, "SELECT diag('two' || chr(10) || 'lines')") == "# two\n# lines"
    assert [r[0] for r in run(plain, "SELECT * FROM finish()")] == [
        "1..7",
        "# Looks like you failed 7 tests of 7",
    ]
    fails(
        plain, "SELECT plan(1); SELECT ok(false); SELECT * FROM finish(true)", errors.RaiseException
    )
