"""Migrations applied to a throwaway embedded server: failures and hazards, each at its place.

The fixtures under tests/fixtures/migrations are small realistic histories;
the expected places below were read off those files by hand.  Each test that
applies migrations starts its own embedded server (tens of milliseconds from
the session's cluster cache) and asserts as much as it can on that one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

import pgserver
from schemaverify.model.findings import KINDS
from schemaverify.sources.migrations import (
    MigrationRun,
    discover,
    migrated_database,
    read_files,
    resolve_preset,
)
from schemaverify.sources.migrations.lint import non_transactional, transaction_control
from schemaverify.sources.migrations.sqltext import split

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "migrations"
REL = "tests/fixtures/migrations"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as in test_embedded, so built once)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative targets, as users type them: findings must cite paths as given."""
    monkeypatch.chdir(FIXTURES.parent.parent.parent)


def places(run: MigrationRun, kind: str | None = None) -> list[str]:
    return [f.location or "" for f in run.findings if kind is None or f.kind == kind]


def rows(dsn: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql.encode()).fetchall()


# --------------------------------------------------------------------------- discovery


def test_discover_directory_file_and_glob(in_repo: None) -> None:
    assert [p.name for p in discover(f"{REL}/failures")] == [
        "20240101000000_base.sql",
        "20240102000000_orders_typo.sql",
        "20240103000000_invoices.sql",
        "20240104000000_email_again.sql",
    ]
    single = f"{REL}/realistic/plpgsql_body.sql"
    assert discover(single) == [Path(single)]
    globbed = discover(f"{REL}/realistic/*/*.sql")
    assert [p.name for p in globbed] == [
        "20240101000000_order_total.sql",
        "20240101000000_orders.sql",
        "20240102000000_customers.sql",
        "20240102000000_order_total_cents.sql",
    ]
    assert str(globbed[0]).startswith(REL)  # relative paths stay relative


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nowhere/at/all", "nowhere/at/all: no such file or directory"),
        (f"{REL}/realistic/*.nothing", "no migration files match this pattern"),
        (f"{REL}/supabase_app", "no *.sql files in this directory"),
    ],
)
def test_discover_errors_are_usage_errors(in_repo: None, target: str, message: str) -> None:
    from schemaverify.errors import UsageError

    with pytest.raises(UsageError, match=message.replace("*", r"\*")):
        discover(target)


def test_preset_follows_the_supabase_layout(in_repo: None) -> None:
    supabase = f"{REL}/supabase_app/supabase/migrations"
    assert resolve_preset(supabase, None) == "supabase"
    assert resolve_preset(f"{supabase}/20240101000000_profiles.sql", None) == "supabase"
    assert resolve_preset(f"{supabase}/*.sql", None) == "supabase"
    assert resolve_preset(f"{REL}/clean", None) == "none"
    assert resolve_preset(supabase, "none") == "none"
    assert resolve_preset(f"{REL}/clean", "supabase") == "supabase"
    from schemaverify.errors import UsageError

    with pytest.raises(UsageError, match="unknown preset"):
        resolve_preset(supabase, "firebase")


def test_new_finding_kinds_are_registered() -> None:
    assert KINDS["migration_failed"].severity == "error"
    assert KINDS["migration_version_conflict"].severity == "error"
    assert KINDS["migration_non_transactional"].severity == "error"
    assert KINDS["migration_explicit_transaction"].severity == "warning"


# --------------------------------------------------------------------------- splitting


def test_splitter_keeps_hidden_semicolons_inside_statements() -> None:
    text = (
        "select 'a;b', E'c\\';d', \"x;y\" from t; -- c;\n"
        "/* a /* nested; */ comment; */ select $q$ ; $q$;\n"
        "create function f() returns int language sql\n"
        "begin atomic select case when true then 1 end; end;\n"
        "create table t2 (a int check (a > 0));\n"
        "select 1"
    )
    statements = split(text)
    assert [s.words[:2] for s in statements] == [
        ("select", "from"),
        ("select",),
        ("create", "function"),
        ("create", "table"),
        ("select",),
    ]
    assert statements[1].start == text.index("select $q$")
    assert statements[2].text.endswith("end; end;")
    assert statements[4].text == "select 1"


def test_split_statements_each_run_alone_on_a_real_server(db: pgserver.TestDatabase) -> None:
    """The splitter agrees with the server: every statement of the clean history runs alone."""
    files = read_files(discover(str(FIXTURES / "clean")))
    count = 0
    for mfile in files:
        for statement in mfile.statements:
            db.run(statement.text)
            count += 1
    assert count == 6


def test_statement_classification() -> None:
    def words(sql: str) -> tuple[str, ...]:
        return split(sql)[0].words

    assert non_transactional(words("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)"))
    assert non_transactional(words("drop index concurrently if exists i"))
    assert non_transactional(words("VACUUM (ANALYZE) t")) == "VACUUM"
    assert non_transactional(words("alter system set work_mem = '1MB'")) == "ALTER SYSTEM"
    assert non_transactional(words("create database x")) == "CREATE DATABASE"
    assert non_transactional(words("reindex (verbose) table concurrently t"))
    assert non_transactional(words("create index i on t (concurrently)")) is None
    assert non_transactional(words("cluster t using i")) is None
    assert transaction_control(words("BEGIN")) == "BEGIN"
    assert transaction_control(words("start transaction isolation level serializable"))
    assert transaction_control(words("commit")) == "COMMIT"
    assert transaction_control(words("rollback to savepoint s")) is None
    assert transaction_control(words("commit prepared 'x'")) is None
    assert transaction_control(words("do $$ begin perform 1; end $$")) is None


# --------------------------------------------------------------------------- applying


def test_clean_history_applies(cache_dir: Path, in_repo: None) -> None:
    with migrated_database(f"{REL}/clean", progress=False) as run:
        assert run.findings == ()
        assert not run.stopped
        assert run.preset == "none"
        assert (
            run.applied
            == run.files
            == (
                f"{REL}/clean/20240101000000_projects.sql",
                f"{REL}/clean/20240102000000_tasks.sql",
            )
        )
        tables = rows(run.dsn, "select relname from pg_class where relname in ('projects','tasks')")
        assert sorted(t[0] for t in tables) == ["projects", "tasks"]
        assert rows(run.dsn, "select open_tasks(1)") == [(0,)]


def test_syntax_error_stops_the_run_at_its_line(cache_dir: Path, in_repo: None) -> None:
    with migrated_database(f"{REL}/failures", progress=False) as run:
        assert run.stopped
        assert run.applied == (f"{REL}/failures/20240101000000_base.sql",)
        [finding] = run.findings
        assert finding.kind == "migration_failed"
        assert finding.severity == "error"
        assert finding.table == ""
        assert finding.object == f"{REL}/failures/20240102000000_orders_typo.sql"
        # `wher customer_id is not null;` is line 9; the typo starts at column 5.
        assert finding.location == f"{REL}/failures/20240102000000_orders_typo.sql:9:5"
        assert finding.spec is None
        assert finding.extra == {
            "file": f"{REL}/failures/20240102000000_orders_typo.sql",
            "line": 9,
            "column": 5,
            "sqlstate": "42601",
            "statement": "create index orders_customer_id_idx",
            "error": 'syntax error at or near "wher"',
        }
        assert 'syntax error at or near "wher"' in finding.message
        assert "42601" in finding.message
        assert "statement at line 7: create index orders_customer_id_idx" in finding.message
        # The failing file was rolled back as a whole: its first statement left nothing.
        assert rows(run.dsn, "select to_regclass('orders') is null") == [(True,)]


def test_continue_on_error_reports_every_failure(cache_dir: Path, in_repo: None) -> None:
    with migrated_database(f"{REL}/failures", continue_on_error=True, progress=False) as run:
        assert not run.stopped
        assert places(run) == [
            f"{REL}/failures/20240102000000_orders_typo.sql:9:5",
            # `add column email` (line 5): the server gives no position for this error;
            # the statement is found by replaying the file and the column by the name.
            f"{REL}/failures/20240104000000_email_again.sql:5:16",
        ]
        second = run.findings[1]
        assert second.extra["sqlstate"] == "42701"
        assert second.extra["statement"] == "alter table customers"
        assert 'column "email" of relation "customers" already exists' in second.message
        assert run.applied == (
            f"{REL}/failures/20240101000000_base.sql",
            f"{REL}/failures/20240103000000_invoices.sql",
        )
        # The failing last file is rolled back too: its first (valid) statement is undone.
        phone = "select count(*) from information_schema.columns where column_name = 'phone'"
        assert rows(run.dsn, phone) == [(0,)]
        assert rows(run.dsn, "select to_regclass('invoices') is not null") == [(True,)]


def test_realistic_broken_migrations_fail_at_their_exact_lines(
    cache_dir: Path, in_repo: None
) -> None:
    with migrated_database(
        f"{REL}/realistic/**/*.sql", continue_on_error=True, progress=False
    ) as run:
        failed = {
            f.location: (f.extra["sqlstate"], f.message)
            for f in run.findings
            if f.kind == "migration_failed"
        }
    expected = {
        # MySQL's inline `INDEX idx_page_views_path (path)`: PostgreSQL reads a column of
        # type idx_page_views_path; the finding points at it and explains.
        f"{REL}/realistic/mysql_inline_index.sql:6:11": ("42704", "MySQL syntax"),
        # `references customers (id)` on line 6, a table only the next file creates.
        f"{REL}/realistic/forward_reference/20240101000000_orders.sql:6:20": (
            "42P01",
            'relation "customers" does not exist',
        ),
        # CREATE OR REPLACE FUNCTION with another return type: line 4, the statement.
        f"{REL}/realistic/return_type/20240102000000_order_total_cents.sql:4:1": (
            "42P13",
            "cannot change return type of existing function",
        ),
        # A typo inside a PL/pgSQL body: the server maps it into the file.
        f"{REL}/realistic/plpgsql_body.sql:4:5": ("42601", 'syntax error at or near "retrun"'),
        # A runtime error inside a DO block: the PL/pgSQL line is mapped into the file.
        f"{REL}/realistic/do_block_runtime.sql:5:5": ("22012", "division by zero"),
    }
    assert set(failed) == set(expected)
    for place, (sqlstate, text) in expected.items():
        assert failed[place][0] == sqlstate
        assert text in failed[place][1], failed[place][1]


def test_supabase_preset_provides_what_migrations_assume(cache_dir: Path, in_repo: None) -> None:
    target = f"{REL}/supabase_app/supabase/migrations"
    with migrated_database(target, progress=False) as run:
        assert run.preset == "supabase"
        assert run.findings == ()
        dsn = run.dsn
        roles = rows(
            dsn,
            "select rolname, rolbypassrls, rolcanlogin from pg_roles where rolname in "
            "('anon','authenticated','service_role','authenticator') order by rolname",
        )
        assert roles == [
            ("anon", False, False),
            ("authenticated", False, False),
            ("authenticator", False, True),
            ("service_role", True, False),
        ]
        sub = "6f1c0b8e-0000-4000-8000-000000000001"
        with psycopg.connect(dsn) as conn:
            conn.execute(f"""select set_config('request.jwt.claims',
                '{{"sub": "{sub}", "role": "authenticated", "email": "a@example.com"}}', true)""")
            claims = conn.execute("select auth.uid()::text, auth.role(), auth.email()").fetchone()
            assert claims == (sub, "authenticated", "a@example.com")
            conn.execute("select set_config('request.jwt.claim.sub', %s, true)", [sub[:-1] + "2"])
            assert conn.execute("select auth.uid()::text").fetchone() == (sub[:-1] + "2",)
            assert conn.execute("select auth.jwt() ->> 'email'").fetchone() == ("a@example.com",)
            conn.rollback()
            # Unqualified uuid_generate_v4() resolves through the database search_path.
            assert conn.execute("select uuid_generate_v4() is not null").fetchone() == (True,)
        extensions = rows(
            dsn,
            "select extname, extnamespace::regnamespace::text from pg_extension "
            "where extname in ('vector','pg_trgm','uuid-ossp') order by 1",
        )
        # Only what the history created (vector) or a new hosted project has (uuid-ossp):
        # pg_trgm is available on Supabase, not installed.
        assert extensions == [
            ("uuid-ossp", "extensions"),
            ("vector", "extensions"),
        ]
        assert rows(
            dsn,
            "select t.typnamespace::regnamespace::text, a.atttypmod from pg_attribute a "
            "join pg_type t on t.oid = a.atttypid "
            "where a.attrelid = 'public.profiles'::regclass and a.attname = 'embedding'",
        ) == [("extensions", 384)]
        assert rows(
            dsn, "select tablename from pg_publication_tables where pubname = 'supabase_realtime'"
        ) == [("profiles",)]
        assert rows(dsn, "select jobname from cron.job") == [("purge-profiles",)]
        assert rows(dsn, "select id from storage.buckets") == [("avatars",)]
        assert rows(dsn, "select has_schema_privilege('anon', 'auth', 'usage')") == [(True,)]


def test_supabase_migrations_fail_without_the_preset(cache_dir: Path, in_repo: None) -> None:
    target = f"{REL}/supabase_app/supabase/migrations"
    with migrated_database(target, preset="none", progress=False) as run:
        assert run.preset == "none"
        assert run.stopped
        [finding] = run.findings
        # `... with schema extensions;` on line 2: the schema only the preset creates.
        assert finding.location == f"{target}/20240101000000_profiles.sql:2:56"
        assert finding.extra["sqlstate"] == "3F000"


def test_deployment_hazards_are_reported_and_the_history_still_applies(
    cache_dir: Path, in_repo: None
) -> None:
    target = f"{REL}/hazards"
    with migrated_database(target, progress=False) as run:
        assert not run.stopped
        assert [(f.kind, f.location) for f in run.findings] == [
            (
                "migration_version_conflict",
                f"{target}/20240101000000_accounts_index.sql:1:1",
            ),
            ("migration_non_transactional", f"{target}/20240102000000_big_index.sql:2:1"),
            ("migration_non_transactional", f"{target}/20240102000000_big_index.sql:4:1"),
            ("migration_explicit_transaction", f"{target}/20240103000000_explicit_tx.sql:1:1"),
            ("migration_explicit_transaction", f"{target}/20240103000000_explicit_tx.sql:5:1"),
        ]
        conflict = run.findings[0]
        assert conflict.extra["conflicts_with"] == f"{target}/20240101000000_accounts.sql"
        assert "CREATE INDEX CONCURRENTLY" in run.findings[1].message
        assert "VACUUM" in run.findings[2].message
        assert run.findings[3].severity == "warning"
        # Everything was applied: the concurrent index outside a transaction, the rest inside.
        indexes = rows(run.dsn, "select indexname from pg_indexes where tablename = 'accounts'")
        assert sorted(i[0] for i in indexes) == [
            "accounts_lower_name_idx",
            "accounts_name_idx",
            "accounts_pkey",
        ]
        assert rows(
            run.dsn,
            "select count(*) from information_schema.columns "
            "where table_name = 'accounts' and column_name = 'email'",
        ) == [(1,)]


def test_files_that_manage_transactions_or_cannot_be_decoded(
    cache_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "001_base.sql").write_text("create table t (id int primary key);\n")
    # BEGIN/COMMIT are ignored: the later failure rolls back the whole file, `early` too.
    (tmp_path / "002_commit_early.sql").write_text(
        "begin;\ncreate table early (id int);\ncommit;\n\ncreate table late (x nosuchtype);\n"
    )
    (tmp_path / "003_latin1.sql").write_bytes(b"-- caf\xe9\ncreate table c (id int);\n")
    # Outside a transaction (CONCURRENTLY), what ran before a failure stays applied.
    (tmp_path / "004_concurrent.sql").write_text(
        "create index concurrently t_id_idx on t (id);\ncreate index bad on t (nosuchcolumn);\n"
    )
    # A deferred constraint fails at COMMIT, without position: the replay still finds line 4.
    (tmp_path / "005_deferred.sql").write_text(
        "create table p (id int primary key);\n"
        "create table c (id int primary key,\n"
        "    p_id int references p (id) deferrable initially deferred);\n"
        "insert into c values (1, 42);\n"
    )
    with migrated_database(str(tmp_path), continue_on_error=True, progress=False) as run:
        failed = [f for f in run.findings if f.kind == "migration_failed"]
        assert [f.location for f in failed] == [
            f"{tmp_path}/002_commit_early.sql:5:22",
            f"{tmp_path}/003_latin1.sql:1:7",
            f"{tmp_path}/004_concurrent.sql:2:24",
            f"{tmp_path}/005_deferred.sql:4:1",
        ]
        assert failed[3].extra["sqlstate"] == "23503"
        assert "not valid UTF-8" in failed[1].message
        assert "stay applied" in failed[2].message
        assert rows(run.dsn, "select to_regclass('early') is null") == [(True,)]
        assert rows(run.dsn, "select to_regclass('t_id_idx') is not null") == [(True,)]


def test_server_is_gone_after_an_error_inside_the_block(cache_dir: Path, in_repo: None) -> None:
    import psutil

    run_dir = None
    with (
        pytest.raises(RuntimeError, match="check crashed"),
        migrated_database(f"{REL}/clean", progress=False) as run,
    ):
        host = conninfo_to_dict(run.dsn)["host"]
        assert isinstance(host, str)
        run_dir = Path(host)
        assert run_dir.exists()
        raise RuntimeError("check crashed")
    assert run_dir is not None and not run_dir.exists()
    leftovers = [
        proc.pid
        for proc in psutil.process_iter(["cmdline"])
        if str(run_dir) in " ".join(proc.info.get("cmdline") or [])
    ]
    assert leftovers == []


# --------------------------------------------------------------------------- the example


EXAMPLE_DRIFTS = {
    # (kind, table, object) of every error and warning `make demo` must report.
    ("column_missing", "public.cart_abandonments", "recovery_email_sent_at"),
    ("column_type_mismatch", "public.product_embeddings", "embedding"),
    ("column_nullability_mismatch", "public.whatsapp_templates", "category"),
    ("fk_mismatch", "public.funnel_alert_rules", "funnel_id"),
    ("rls_disabled", "public.circuit_breaker_telemetry", None),
    ("rls_policy_missing", "public.circuit_breaker_telemetry", "service_role_only"),
    ("column_undocumented", "public.notifications", "action_url"),
    ("rls_access_violation", "public.chart_annotations", "Anyone can read chart annotations"),
}


def test_example_project_reports_exactly_its_deliberate_drifts(cache_dir: Path) -> None:
    """`make demo`: the example's migrations against the specs of docs/UNDOCUMENTED_TABLES.md."""
    import json
    import subprocess
    import sys

    repo = FIXTURES.parent.parent.parent
    if not any((repo / "specs").glob("*.yaml")):
        pytest.skip("specs/ is not generated yet (schemaverify import-md)")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemaverify",
            "check",
            "--migrations",
            "examples/supabase/migrations",
            "--specs",
            "specs",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=repo,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    findings = report["findings"]
    serious = {
        (f["kind"], f["table"], f["object"])
        for f in findings
        if f["severity"] in ("error", "warning") and f["kind"] != "index_missing"
    }
    assert serious == EXAMPLE_DRIFTS
    missing_indexes = [f for f in findings if f["kind"] == "index_missing"]
    assert [f["table"] for f in missing_indexes] == ["public.error_logs"]
    assert "context" in missing_indexes[0]["object"]
    undocumented = sorted(f["table"] for f in findings if f["kind"] == "table_undocumented")
    assert undocumented == [
        "public.conversations",
        "public.customer_configs",
        "public.domains",
        "public.organization_members",
        "public.organizations",
    ]
    assert not [f for f in findings if f["kind"].startswith("migration_")]


def test_a_killed_session_is_placed_at_its_statement_and_the_run_reconnects(
    cache_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "001_kill.sql").write_text(
        "create table a (id int);\nselect pg_terminate_backend(pg_backend_pid());\n"
    )
    # COPY ... TO STDOUT and a large result are read and dropped, not refused.
    (tmp_path / "002_after.sql").write_text(
        "create table b (id int);\ncopy (select 1) to stdout;\nselect generate_series(1, 100000);\n"
    )
    with migrated_database(str(tmp_path), continue_on_error=True, progress=False) as run:
        [finding] = run.findings
        assert finding.location == f"{tmp_path}/001_kill.sql:2:1"
        assert finding.extra["sqlstate"] == "57P01"
        assert "the server closed the connection" in finding.message
        assert run.applied == (f"{tmp_path}/002_after.sql",)
        assert rows(run.dsn, "select to_regclass('a') is null, to_regclass('b') is not null") == [
            (True, True)
        ]


def test_progress_shows_file_names_as_text_not_markup(capsys: pytest.CaptureFixture[str]) -> None:
    """A file named like Rich markup (`[/red].sql`) is shown as its name, never parsed."""
    from schemaverify.sources.migrations.progress import RichReporter

    reporter = RichReporter()
    reporter.begin_files(2)
    for name in ("[/red].sql", "[bold]x\x1b[2J.sql"):
        reporter.file_started(name)
        reporter.file_done(name, False)
    reporter.close()
    err = capsys.readouterr().err
    assert "✗ [/red].sql failed" in err
    assert "✗ [bold]x\\x1b[2J.sql failed" in err


def test_symlink_loops_are_no_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Path.resolve` raises RuntimeError on a symlink loop: layout detection and shown paths
    must not."""
    from schemaverify.cli.config import shown_path
    from schemaverify.sources.migrations import looks_like_supabase

    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    monkeypatch.chdir(tmp_path)
    assert looks_like_supabase(str(loop / "x.sql")) is False
    assert shown_path(loop / "x.sql") == str(Path("loop") / "x.sql")
