"""The Supabase preset as the hosted platform has it (issue 10, items 1 and 3).

Every statement here is one a real Supabase history contains (pulled dumps,
`supabase/migrations` folders of public projects), applied as the migration
role on a real embedded server with the supabase preset, exactly as
`check --migrations` applies them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from schemaverify.sources.embedded import EmbeddedServer
from schemaverify.sources.migrations import presets, read_files
from schemaverify.sources.migrations.presets import platform
from schemaverify.sources.migrations.runner import apply_files


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as test_embedded and test_containment)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


def query(dsn: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql.encode())
        return cur.fetchall() if cur.description else []


def apply(server: EmbeddedServer, tmp_path: Path, history: str) -> list[str]:
    """Apply `history` as one migration file, as `check --migrations` does; the failures."""
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    path = folder / f"2024010100000{len(list(folder.iterdir()))}_history.sql"
    path.write_text(history)
    outcome = apply_files(server.migration_dsn, read_files([path]))
    return [f"{f.location}: {f.message}" for f in outcome.findings]


# --------------------------------------------------------------------------- pure


def test_the_generator_is_deterministic() -> None:
    platform.supabase_sql.cache_clear()
    first = platform.supabase_sql()
    platform.supabase_sql.cache_clear()
    assert platform.supabase_sql() == first
    assert presets.preset_sql("supabase") == presets.preset_sql("supabase")
    assert first in presets.preset_sql("supabase")


def test_every_component_is_described_and_names_its_release() -> None:
    folder = Path(platform.__file__).parent / "supabase"
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(platform.COMPONENTS)
    for name in platform.COMPONENTS:
        part = platform.component(name)
        assert part.follows and part.sources, name
        assert f"follows {part.follows}" in platform.supabase_sql()


def test_a_malformed_description_names_file_and_path() -> None:
    bad = {"component": "x", "follows": "y", "tables": [{"schema": "auth", "name": "t"}]}
    with pytest.raises(platform.DescriptionError, match=r"x\.yaml: tables\[0\]\.columns: expected"):
        platform._Generator("x.yaml", bad).run()
    typo = {"component": "x", "follows": "y", "schemas": [{"name": "s", "ownr": "postgres"}]}
    with pytest.raises(platform.DescriptionError, match=r"schemas\[0\]: unknown key 'ownr'"):
        platform._Generator("x.yaml", typo).run()
    twice = {"component": "x", "follows": "y", "roles": [{"name": "a", "attributes": "LOGIN"}] * 2}
    with pytest.raises(platform.DescriptionError, match="role a is described twice"):
        platform._Generator("x.yaml", twice).run()
    library = {"component": "x", "follows": "y",
               "roles": [{"name": "a", "attributes": "LOGIN",
                          "settings": {"session_preload_libraries": "safeupdate"}}]}  # fmt: skip
    with pytest.raises(platform.DescriptionError, match="loads a library"):
        platform._Generator("x.yaml", library).run()


def test_function_identities_drop_defaults_and_quote_reserved_names() -> None:
    args = "prefix text, limits integer DEFAULT 100, s text DEFAULT 'a, b'::text, x int = 1"
    assert platform.identity_args(args) == "prefix text, limits integer, s text, x int"
    assert platform.ident("cast") == '"cast"'
    assert platform.ident("objects_bucketId_fkey") == '"objects_bucketId_fkey"'
    assert platform.ident("users") == "users"


def test_the_extension_plan_is_a_new_hosted_project() -> None:
    plan = platform.extension_plan()
    installed = {(e.name, e.schema) for e in plan.installed}
    assert installed == {
        ("pg_stat_statements", "extensions"),
        ("pgcrypto", "extensions"),
        ("uuid-ossp", "extensions"),
        ("supabase_vault", "vault"),
    }
    # Only made available on Supabase, so never pre-installed (a history's own
    # `create extension vector` would fail with "already exists").
    assert not {"vector", "pg_trgm", "pg_cron", "pg_graphql", "pg_net"} & {
        e.name for e in plan.installed
    }
    assert dict(plan.forced_schema) == {"pg_cron": "pg_catalog"}


# --------------------------------------------------------------------------- real server


@pytest.fixture(scope="module")
def server(cache_dir: Path) -> Iterator[EmbeddedServer]:
    """One server for the read-only checks of what the preset created."""
    with EmbeddedServer("supabase") as running:
        yield running


def test_a_new_project_has_exactly_the_hosted_extensions(server: EmbeddedServer) -> None:
    rows = query(
        server.dsn,
        "SELECT extname, extnamespace::regnamespace::text FROM pg_catalog.pg_extension ORDER BY 1",
    )
    expected = [
        ("pg_stat_statements", "extensions"),
        ("pgcrypto", "extensions"),
        ("plpgsql", "pg_catalog"),
        ("supabase_vault", "vault"),
        ("uuid-ossp", "extensions"),
    ]
    if not platform.shim_shipped("supabase_vault"):
        expected.remove(("supabase_vault", "vault"))
    assert rows == expected


def test_extension_enabling_in_all_its_spellings(cache_dir: Path, tmp_path: Path) -> None:
    history = """
create extension vector with schema extensions;
create extension if not exists "pg_trgm" with schema "public";
GRANT ALL ON FUNCTION "public"."gtrgm_in"("cstring") TO "anon";
GRANT ALL ON FUNCTION "public"."gtrgm_in"("cstring") TO "authenticated";
GRANT ALL ON FUNCTION "public"."similarity"("text", "text") TO "service_role";
create extension if not exists "uuid-ossp" with schema extensions;
CREATE EXTENSION IF NOT EXISTS "pgcrypto" WITH SCHEMA "extensions";
create extension pg_cron;
select cron.schedule('nightly', '0 3 * * *', 'select 1');
create extension hstore with schema extensions;
drop extension hstore;
create extension hstore with schema extensions;
alter extension vector update;
drop extension if exists vector;
create extension if not exists vector with schema extensions;
create table public.docs (id bigint primary key, body text, embedding extensions.vector(3));
create index docs_body_trgm on public.docs using gin (body gin_trgm_ops);
"""
    with EmbeddedServer("supabase") as srv:
        assert apply(srv, tmp_path, history) == []
        rows = query(
            srv.dsn,
            "SELECT extname, extnamespace::regnamespace::text FROM pg_catalog.pg_extension "
            "WHERE extname IN ('vector', 'pg_trgm', 'pg_cron', 'hstore') ORDER BY 1",
        )
        assert rows == [
            ("hstore", "extensions"),
            ("pg_cron", "pg_catalog"),
            ("pg_trgm", "public"),
            ("vector", "extensions"),
        ]
        assert query(srv.dsn, "SELECT jobname FROM cron.job") == [("nightly",)]


@pytest.mark.parametrize(
    "statement",
    [
        "create extension pg_cron",
        "create extension pg_cron with schema extensions",
        "create extension if not exists pg_cron with schema pg_catalog",
        'CREATE EXTENSION IF NOT EXISTS "pg_cron" WITH SCHEMA "public"',
    ],
)
def test_pg_cron_lands_in_pg_catalog_as_on_supabase(server: EmbeddedServer, statement: str) -> None:
    """Supabase's after-create script reinstalls pg_cron in pg_catalog, schema cron."""
    query(server.migration_dsn, statement)
    try:
        assert query(
            server.dsn,
            "SELECT extnamespace::regnamespace::text, extowner::regrole::text "
            "FROM pg_catalog.pg_extension WHERE extname = 'pg_cron'",
        ) == [("pg_catalog", "postgres")]
        assert query(server.migration_dsn, "SELECT cron.schedule('* * * * *', 'select 1') > 0") == [
            (True,)
        ]
    finally:
        query(server.migration_dsn, "DROP EXTENSION pg_cron")


def test_every_extension_available_here_is_creatable_by_postgres(server: EmbeddedServer) -> None:
    plan = platform.extension_plan()
    present = {row[0] for row in query(server.dsn, "SELECT name FROM pg_available_extensions")}
    creatable = []
    with psycopg.connect(server.migration_dsn) as conn:
        for name in plan.available:
            if name not in present:
                continue
            statement = f'CREATE EXTENSION IF NOT EXISTS "{name}" CASCADE'
            if name in plan.refused:
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute(statement.encode())
            else:
                conn.execute(statement.encode())
                creatable.append(name)
            conn.rollback()
    # What the wheel and schemaverify's stand-ins provide, at the least.
    expected = {"vector", "pg_trgm", "hstore", "citext", "moddatetime", "pg_cron", "uuid-ossp",
                "pgcrypto", "pg_stat_statements", "unaccent", "btree_gist"}  # fmt: skip
    assert expected <= set(creatable)


AUTH_TABLES = (
    "users", "identities", "sessions", "refresh_tokens", "mfa_factors", "mfa_challenges",
    "mfa_amr_claims", "audit_log_entries", "instances", "flow_state", "one_time_tokens",
    "sso_providers", "sso_domains", "saml_providers", "saml_relay_states", "schema_migrations",
)  # fmt: skip


def columns(dsn: str, table: str) -> list[tuple[object, ...]]:
    schema, name = table.split(".")
    return query(
        dsn,
        "SELECT column_name::text, data_type::text, is_nullable::text "
        "FROM information_schema.columns "
        f"WHERE table_schema = '{schema}' AND table_name = '{name}' ORDER BY ordinal_position",
    )


def test_the_platform_tables_exist_with_their_columns(server: EmbeddedServer) -> None:
    tables = [f"auth.{t}" for t in AUTH_TABLES] + [
        "storage.buckets", "storage.objects", "storage.migrations", "storage.s3_multipart_uploads",
        "storage.s3_multipart_uploads_parts", "realtime.messages", "realtime.subscription",
        "supabase_migrations.schema_migrations", "supabase_functions.hooks",
        "supabase_functions.migrations",
    ]  # fmt: skip
    for table in tables:
        assert query(server.dsn, f"SELECT to_regclass('{table}') IS NOT NULL") == [(True,)], table
    tz = "timestamp with time zone"
    assert columns(server.dsn, "auth.sessions") == [
        ("id", "uuid", "NO"), ("user_id", "uuid", "NO"), ("created_at", tz, "YES"),
        ("updated_at", tz, "YES"), ("factor_id", "uuid", "YES"), ("aal", "USER-DEFINED", "YES"),
        ("not_after", tz, "YES"), ("refreshed_at", "timestamp without time zone", "YES"),
        ("user_agent", "text", "YES"), ("ip", "inet", "YES"), ("tag", "text", "YES"),
        ("oauth_client_id", "uuid", "YES"), ("refresh_token_hmac_key", "text", "YES"),
        ("refresh_token_counter", "bigint", "YES"),
    ]  # fmt: skip
    assert [c[0] for c in columns(server.dsn, "auth.mfa_factors")] == [
        "id", "user_id", "friendly_name", "factor_type", "status", "created_at", "updated_at",
        "secret", "phone", "last_challenged_at", "web_authn_credential", "web_authn_aaguid",
        "last_webauthn_challenge_data",
    ]  # fmt: skip
    assert [c[0] for c in columns(server.dsn, "auth.refresh_tokens")] == [
        "instance_id", "id", "token", "user_id", "revoked", "created_at", "updated_at",
        "parent", "session_id",
    ]  # fmt: skip
    assert columns(server.dsn, "supabase_migrations.schema_migrations") == [
        ("version", "text", "NO"), ("statements", "ARRAY", "YES"), ("name", "text", "YES"),
    ]  # fmt: skip
    assert [c[0] for c in columns(server.dsn, "realtime.messages")] == [
        "topic", "extension", "payload", "event", "private", "updated_at", "inserted_at", "id",
    ]  # fmt: skip
    assert "level" in [c[0] for c in columns(server.dsn, "storage.objects")]
    enums = query(
        server.dsn,
        "SELECT t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) "
        "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid "
        "WHERE t.typnamespace = 'auth'::regnamespace AND t.typname IN ('aal_level', 'factor_type') "
        "GROUP BY 1 ORDER BY 1",
    )
    assert enums == [
        ("aal_level", ["aal1", "aal2", "aal3"]),
        ("factor_type", ["totp", "webauthn", "phone"]),
    ]
    rls = query(
        server.dsn,
        "SELECT c.oid::regclass::text FROM pg_catalog.pg_class c WHERE c.relrowsecurity AND "
        "c.oid IN ('auth.users'::regclass, 'auth.sessions'::regclass, 'storage.objects'::regclass, "
        "'realtime.messages'::regclass) ORDER BY 1",
    )
    assert rls == [
        ("auth.sessions",),
        ("auth.users",),
        ("realtime.messages",),
        ("storage.objects",),
    ]


def test_the_platform_functions_exist_with_their_signatures(server: EmbeddedServer) -> None:
    signatures = [
        "auth.uid()", "auth.role()", "auth.email()", "auth.jwt()",
        "realtime.send(jsonb,text,text,boolean)", "realtime.topic()",
        "realtime.broadcast_changes(text,text,text,text,text,record,record,text)",
        "storage.foldername(text)", "storage.filename(text)", "storage.extension(text)",
        "storage.search(text,text,integer,integer,integer,text,text,text)",
        "storage.get_size_by_bucket()", "supabase_functions.http_request()",
        "graphql_public.graphql(text,text,jsonb,jsonb)", "pgbouncer.get_auth(text)",
    ]  # fmt: skip
    for signature in signatures:
        found = query(server.dsn, f"SELECT to_regprocedure('{signature}') IS NOT NULL")
        assert found == [(True,)], signature
    assert query(
        server.migration_dsn,
        "SELECT storage.foldername('a/b/c.png'), storage.filename('a/b/c.png'), "
        "storage.extension('a/b/c.tar.gz'), storage.get_prefixes('a/b/c'), "
        "storage.get_level('a/b')",
    ) == [(["a", "b"], "c.png", "gz", ["a", "a/b"], 2)]
    assert query(server.migration_dsn, "SELECT graphql_public.graphql(query := '{x}')") == [
        ({"errors": [{"message": "pg_graphql extension is not enabled."}]},)
    ]


def test_function_bodies_are_checked_against_the_auth_tables(
    cache_dir: Path, tmp_path: Path
) -> None:
    history = """
set check_function_bodies = on;
create function public.has_mfa(uid uuid) returns boolean
    language sql stable security definer set search_path = ''
    as $$
    select exists (
        select 1 from auth.mfa_factors f
        join auth.sessions s on s.user_id = f.user_id
        where f.user_id = uid and f.status = 'verified' and s.aal = 'aal2'::auth.aal_level
    )
    $$;
create function public.revoke_sessions(uid uuid) returns void
    language sql security definer set search_path = ''
    as $$
    delete from auth.refresh_tokens
        where session_id in (select id from auth.sessions where user_id = uid);
    delete from auth.mfa_amr_claims
        where session_id in (select id from auth.sessions where user_id = uid);
    $$;
grant execute on function auth.uid() to anon, authenticated;
grant execute on function auth.jwt() to authenticated;
"""
    with EmbeddedServer("supabase") as srv:
        assert apply(srv, tmp_path, history) == []


def test_what_migrations_do_to_platform_objects_as_postgres(
    cache_dir: Path, tmp_path: Path
) -> None:
    history = """
create table public.profiles (id uuid primary key references auth.users (id) on delete cascade);
create table public.devices (
    id bigint generated always as identity primary key,
    session_id uuid references auth.sessions on delete cascade,
    factor_id uuid references auth.mfa_factors (id)
);
create function public.handle_new_user() returns trigger language plpgsql
    security definer set search_path = '' as $$
    begin insert into public.profiles (id) values (new.id); return new; end $$;
create trigger on_auth_user_created after insert on auth.users
    for each row execute function public.handle_new_user();
create policy "own folder" on storage.objects for select to authenticated
    using (bucket_id = 'docs' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "room members read" on realtime.messages for select to authenticated
    using (realtime.topic() = 'room:' || (select auth.uid())::text and extension = 'broadcast');
create policy "room members write" on realtime.messages for insert to authenticated
    with check (realtime.topic() like 'room:%');
create function public.broadcast_profile() returns trigger language plpgsql
    security definer set search_path = '' as $$
    begin
        perform realtime.broadcast_changes('profile:' || new.id::text, tg_op, tg_op,
            tg_table_name, tg_table_schema, new, old);
        return null;
    end $$;
create trigger profile_broadcast after insert on public.profiles
    for each row execute function public.broadcast_profile();
insert into storage.buckets (id, name) values ('docs', 'docs');
insert into auth.users (id, email) values ('6f1c0b8e-0000-4000-8000-000000000001', 'a@example.com');
"""
    with EmbeddedServer("supabase") as srv:
        assert apply(srv, tmp_path, history) == []
        assert query(srv.dsn, "SELECT count(*) FROM public.profiles") == [(1,)]
        policies = query(
            srv.dsn,
            "SELECT policyname::text FROM pg_policies WHERE schemaname = 'realtime' ORDER BY 1",
        )
        assert policies == [("room members read",), ("room members write",)]


def test_a_database_webhook_records_and_never_sends(cache_dir: Path, tmp_path: Path) -> None:
    history = """
create table public.orders (id bigint primary key, total numeric);
create trigger "order-created" after insert on public.orders
    for each row execute function supabase_functions.http_request(
        'http://x', 'POST', '{"Content-type":"application/json"}', '{}', '1000');
insert into public.orders values (1, 10);
"""
    with EmbeddedServer("supabase") as srv:
        assert apply(srv, tmp_path, history) == []
        assert query(
            srv.dsn,
            "SELECT hook_table_id::regclass::text, hook_name, request_id "
            "FROM supabase_functions.hooks",
        ) == [("orders", "order-created", None)]
        # With pg_net enabled (as the dashboard does with webhooks) the request is queued there.
        with_net = (
            "create extension if not exists pg_net with schema extensions;\n"
            "insert into public.orders values (2, 20);\n"
        )
        assert apply(srv, tmp_path, with_net) == []
        queued = "SELECT count(*) FROM supabase_functions.hooks WHERE request_id IS NOT NULL"
        assert query(srv.dsn, queued) == [(1,)]


def test_the_cli_history_table_takes_the_cli_insert(cache_dir: Path, tmp_path: Path) -> None:
    """What `supabase db push` runs (pkg/migration/history.go) after each file."""
    history = """
CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations
    (version text NOT NULL PRIMARY KEY);
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
SET lock_timeout = '4s';
INSERT INTO supabase_migrations.schema_migrations(version, name, statements)
    VALUES ('20240101000000', 'init', ARRAY['create table t (id int)']);
"""
    with EmbeddedServer("supabase") as srv:
        assert apply(srv, tmp_path, history) == []
        assert query(
            srv.dsn, "SELECT version, name FROM supabase_migrations.schema_migrations"
        ) == [("20240101000000", "init")]


def test_the_platform_roles_have_hosted_attributes(server: EmbeddedServer) -> None:
    rows = query(
        server.dsn,
        "SELECT rolname::text, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, "
        "rolreplication, rolbypassrls FROM pg_catalog.pg_roles WHERE rolname IN ("
        "'postgres', 'anon', 'authenticated', 'service_role', 'authenticator', 'pgbouncer', "
        "'supabase_functions_admin', 'supabase_auth_admin', 'supabase_storage_admin', "
        "'supabase_realtime_admin', 'dashboard_user', 'pgsodium_keyholder', "
        "'pgsodium_keyiduser', 'pgsodium_keymaker', 'supabase_admin') ORDER BY 1",
    )
    f, t = False, True
    assert rows == [
        ("anon", f, t, f, f, f, f, f),
        ("authenticated", f, t, f, f, f, f, f),
        ("authenticator", f, f, f, f, t, f, f),
        ("dashboard_user", f, t, t, t, f, t, f),
        ("pgbouncer", f, t, f, f, t, f, f),
        ("pgsodium_keyholder", f, t, f, f, f, f, f),
        ("pgsodium_keyiduser", f, t, f, f, f, f, f),
        ("pgsodium_keymaker", f, t, f, f, f, f, f),
        ("postgres", f, t, t, t, t, t, t),
        ("service_role", f, t, f, f, f, f, t),
        ("supabase_admin", t, t, t, t, t, t, t),
        ("supabase_auth_admin", f, f, f, f, t, f, f),
        ("supabase_functions_admin", f, f, t, f, t, f, f),
        ("supabase_realtime_admin", f, f, f, f, f, f, f),
        ("supabase_storage_admin", f, f, t, f, t, f, f),
    ]
    members = query(
        server.dsn,
        "SELECT m.roleid::regrole::text, m.member::regrole::text, m.admin_option, m.inherit_option "
        "FROM pg_catalog.pg_auth_members m WHERE m.member IN "
        "('authenticator'::regrole, 'postgres'::regrole) AND m.roleid IN ('anon'::regrole, "
        "'service_role'::regrole, 'supabase_functions_admin'::regrole, "
        "'pgsodium_keyholder'::regrole) ORDER BY 1, 2",
    )
    assert members == [
        ("anon", "authenticator", False, False),
        ("anon", "postgres", True, True),
        ("pgsodium_keyholder", "postgres", True, True),
        ("service_role", "authenticator", False, False),
        ("service_role", "postgres", True, True),
        ("supabase_functions_admin", "postgres", False, True),
    ]
    # Left out on purpose: CREATE SUBSCRIPTION would connect out from the checking machine.
    assert query(
        server.dsn, "SELECT pg_has_role('postgres', 'pg_create_subscription', 'MEMBER')"
    ) == [(False,)]


def test_the_preset_applies_on_a_fresh_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache of its own: the preset SQL is applied from scratch, not taken from a cache."""
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", str(tmp_path / "cache"))
    with EmbeddedServer("supabase") as srv:
        assert query(srv.dsn, "SELECT to_regclass('auth.one_time_tokens') IS NOT NULL") == [(True,)]
    assert any((tmp_path / "cache").rglob("meta.json"))
