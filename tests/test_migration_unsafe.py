"""Migrations that would act outside the database: found before anything runs, never sent.

A migration folder in a CI gate is untrusted code.  The statement scan is pure
(tokens, so comments never match and literals that are code are looked into);
the folder tests prove on a real embedded server that a flagged file never
runs: its shell command leaves no marker file, its tables do not exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.model.findings import KINDS
from schemaverify.sources.migrations import migrated_database
from schemaverify.sources.migrations.lint import unsafe_uses


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as in test_migrations, so built once)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


@pytest.mark.parametrize(
    ("sql", "commands"),
    [
        ("copy e from program 'env'", ["COPY ... FROM PROGRAM"]),
        ("COPY (SELECT 1) TO PROGRAM 'id'", ["COPY ... TO PROGRAM"]),
        ("copy t to '/tmp/out.csv'", ["COPY ... TO a server file"]),
        ("copy t (a, b) from E'/etc/passwd' with (format csv)", ["COPY ... FROM a server file"]),
        ("select pg_read_file('/etc/passwd')", ["pg_read_file()"]),
        ("select pg_catalog.pg_read_binary_file('/etc/passwd')", ["pg_read_binary_file()"]),
        ("select * from pg_ls_dir('.')", ["pg_ls_dir()"]),
        ("select pg_stat_file('postgresql.conf')", ["pg_stat_file()"]),
        ("select lo_import('/etc/passwd')", ["lo_import()"]),
        ("select lo_export(16385, '/tmp/x')", ["lo_export()"]),
        ("ALTER SYSTEM SET shared_preload_libraries = 'evil'", ["ALTER SYSTEM"]),
        ("create extension if not exists plpython3u", ["CREATE EXTENSION plpython3u"]),
        ('create extension "plperlu" with schema x', ["CREATE EXTENSION plperlu"]),
        ("create language pltclu", ["CREATE LANGUAGE pltclu"]),
        ("create function f() returns int as 'evil.so', 'f' language c", ["LANGUAGE c"]),
        ("create function f() returns int language 'C' as 'evil.so'", ["LANGUAGE c"]),
        ("create function f() returns int language internal as 'int4in'", ["LANGUAGE internal"]),
        ("create function f() returns int language plperlu as $$ 1 $$", ["LANGUAGE plperlu"]),
        ("do language plpython3u $$ import os $$", ["LANGUAGE plpython3u"]),
        ("select dblink_connect('host=attacker.example')", ["dblink_connect()"]),
        ("select * from dblink('host=x', 'select 1') as t(x int)", ["dblink()"]),
        ("import foreign schema public from server remote into local", ["IMPORT FOREIGN SCHEMA"]),
        ("grant pg_execute_server_program to app", ["GRANT pg_execute_server_program"]),
        # Inside code literals: DO bodies, function bodies, EXECUTE strings.
        ("do $$ begin execute 'COPY t TO PROGRAM ''id'''; end $$", ["COPY ... TO PROGRAM"]),
        (
            "do $do$ begin execute format('COPY %I FROM PROGRAM %L', 't', 'env'); end $do$",
            ["COPY ... FROM PROGRAM"],
        ),
        (
            "create function f() returns void language plpgsql as $f$\n"
            "begin\n  perform pg_read_file('/etc/passwd');\nend $f$",
            ["pg_read_file()"],
        ),
        (
            "create function f() returns void language plpgsql as $f$ begin "
            "execute $q$alter system set fsync = off$q$; end $f$",
            ["ALTER SYSTEM"],
        ),
    ],
)
def test_unsafe_statements_are_recognised(sql: str, commands: list[str]) -> None:
    assert [use.command for use in unsafe_uses(sql)] == commands


@pytest.mark.parametrize(
    "sql",
    [
        "copy t from stdin",
        "copy (select 1 from t) to stdout with (format csv)",
        "-- copy t to program 'id'\nselect 1",
        "/* alter system set fsync = off; /* nested */ pg_read_file('x') */ select 1",
        "select 'copy t to program ''id'''",
        "comment on function f() is 'never COPY t TO PROGRAM ''id'' here'",
        "insert into docs values ($$pg_read_file('/etc/passwd')$$)",
        "create extension if not exists pgcrypto",
        "create extension dblink",
        "create or replace trusted procedural language plpgsql",
        "create function f() returns int language sql as $$ select 1 $$",
        "select copy from t",
        "create table system (language text, program text, extension int)",
        'select "pg_read_file" from t',
    ],
)
def test_safe_statements_and_comments_are_not_flagged(sql: str) -> None:
    if sql.startswith("insert into docs"):
        # A dollar-quoted literal is scanned as code (it is how bodies are written): the
        # price of finding `EXECUTE $q$...$q$` is this false positive, never one in a comment.
        assert [u.command for u in unsafe_uses(sql)] == ["pg_read_file()"]
        return
    assert unsafe_uses(sql) == []


def hostile_folder(root: Path, marker: Path) -> Path:
    root.mkdir()
    (root / "001_base.sql").write_text("create table accounts (id int primary key);\n")
    (root / "002_exfiltrate.sql").write_text(
        "create table e (line text);\n"
        "-- copy e from program 'env' (a comment: not a finding)\n"
        "copy e from program 'env';\n"
        "\n"
        f"  copy (select 1) to program 'touch {marker}';\n"
    )
    (root / "003_do_block.sql").write_text(
        "create table later (id int);\n"
        "do $$\n"
        "begin\n"
        f"  execute 'COPY later TO PROGRAM ''touch {marker}''';\n"
        "end\n"
        "$$;\n"
    )
    (root / "004_fine.sql").write_text("create table fine (id int);\n")
    return root


def test_unsafe_files_stop_the_run_before_anything_runs(cache_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    target = hostile_folder(tmp_path / "migrations", marker)
    with migrated_database(str(target), progress=False) as run:
        assert run.stopped
        assert run.dsn == ""  # no server was started at all
        assert run.applied == ()
        unsafe = [f for f in run.findings if f.kind == "migration_unsafe"]
        assert [f.location for f in unsafe] == [
            f"{target}/002_exfiltrate.sql:3:1",
            f"{target}/002_exfiltrate.sql:5:3",
            f"{target}/003_do_block.sql:2:1",
        ]
        assert all(f.severity == "error" for f in unsafe)
        assert "COPY ... FROM PROGRAM" in unsafe[0].message
        assert "COPY ... TO PROGRAM" in unsafe[1].message
        assert "COPY ... TO PROGRAM (inside the literal at line 2)" in unsafe[2].message
        assert unsafe[0].extra["file"] == f"{target}/002_exfiltrate.sql"
        assert (unsafe[1].extra["line"], unsafe[1].extra["column"]) == (5, 3)
        assert unsafe[1].extra["statement"] == f"copy (select 1) to program 'touch {marker}';"
        # Two unsafe statements of one file never share an identity (baselines key on it).
        assert len({f.fingerprint for f in unsafe}) == 3
    assert not marker.exists()
    assert KINDS["migration_unsafe"].severity == "error"


def test_continue_on_error_skips_only_the_unsafe_files(cache_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    target = hostile_folder(tmp_path / "migrations", marker)
    with migrated_database(str(target), continue_on_error=True, progress=False) as run:
        assert not run.stopped
        assert run.applied == (f"{target}/001_base.sql", f"{target}/004_fine.sql")
        assert [f.kind for f in run.findings] == ["migration_unsafe"] * 3
        with psycopg.connect(run.dsn) as conn:
            present = conn.execute(
                "select to_regclass('accounts') is not null, to_regclass('fine') is not null, "
                "to_regclass('e') is null, to_regclass('later') is null"
            ).fetchone()
        assert present == (True, True, True, True)
    assert not marker.exists()


def test_check_reports_unsafe_migrations_and_fails(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "pwned"
    hostile_folder(tmp_path / "migrations", marker)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "accounts.yaml").write_text("table: accounts\ncolumns:\n  - {name: id, type: int}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app,
        ["check", "--migrations", "migrations", "--specs", "specs", "--format", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["kind"], f["location"]) for f in findings if f["kind"] == "migration_unsafe"] == [
        ("migration_unsafe", "migrations/002_exfiltrate.sql:3:1"),
        ("migration_unsafe", "migrations/002_exfiltrate.sql:5:3"),
        ("migration_unsafe", "migrations/003_do_block.sql:2:1"),
    ]
    assert not marker.exists()
