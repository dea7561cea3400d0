"""Limits of applying migrations: per statement, for the whole run, and in memory.

A migration folder is untrusted input to a CI gate: an endless DO loop or a
`pg_sleep(600)` must end in a `migration_failed` at its statement within the
limit, and a file of millions of statements must not take the machine's
memory.  Each limit is tested small on a real embedded server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schemaverify.sources.migrations import Limits, migrated_database, runner
from schemaverify.sources.migrations.sqltext import scan


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as in test_migrations, so built once)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


def exists(dsn: str, table: str) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("select to_regclass(%s) is not null", (table,)).fetchone()
    return bool(row and row[0])


def test_statement_timeout_ends_endless_statements_at_their_place(
    cache_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "001_loop.sql").write_text(
        "create table a (id int);\n\ndo $$\nbegin\n  loop\n  end loop;\nend\n$$;\n"
    )
    (tmp_path / "002_sleep.sql").write_text("select 1;\n  select pg_sleep(600);\n")
    (tmp_path / "003_after.sql").write_text("create table after_them (id int);\n")
    started = time.monotonic()
    with migrated_database(
        str(tmp_path),
        continue_on_error=True,
        progress=False,
        limits=Limits(statement_timeout_ms=300, timeout_s=120),
    ) as run:
        elapsed = time.monotonic() - started
        failed = [f for f in run.findings if f.kind == "migration_failed"]
        # The loop's own line (PL/pgSQL names it), and the pg_sleep statement.
        assert [f.location for f in failed] == [
            f"{tmp_path}/001_loop.sql:5:3",
            f"{tmp_path}/002_sleep.sql:2:3",
        ]
        for finding in failed:
            assert finding.extra["limit"] == "migration_statement_timeout"
            assert finding.extra["sqlstate"] == "57014"
            assert "statement timeout of 300 ms" in finding.message
            assert "--migration-statement-timeout" in finding.message
        assert "statement at line 3: do $$" in failed[0].message
        # A statement timeout fails one file; with --continue-on-error the rest still applies.
        assert run.applied == (f"{tmp_path}/003_after.sql",)
        assert exists(run.dsn, "after_them") and not exists(run.dsn, "a")
    assert elapsed < 60


def test_wall_clock_limit_cancels_and_applies_no_further_file(
    cache_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "001_base.sql").write_text("create table base (id int);\n")
    # pg_dump output turns the statement timeout off: the wall-clock limit still holds.
    (tmp_path / "002_sleep.sql").write_text(
        "set statement_timeout = 0;\ncreate table during (id int);\nselect pg_sleep(600);\n"
    )
    (tmp_path / "003_loop.sql").write_text("do $$ begin loop end loop; end $$;\n")
    (tmp_path / "004_after.sql").write_text("create table after_it (id int);\n")
    started = time.monotonic()
    with migrated_database(
        str(tmp_path),
        continue_on_error=True,  # even so: past the limit nothing more runs
        progress=False,
        limits=Limits(statement_timeout_ms=300_000, timeout_s=2),
    ) as run:
        elapsed = time.monotonic() - started
        assert run.stopped
        [finding] = run.findings
        assert finding.kind == "migration_failed"
        assert finding.location == f"{tmp_path}/002_sleep.sql:3:1"
        assert finding.extra["limit"] == "migration_timeout"
        assert "wall-clock limit of 2 s" in finding.message
        assert "no further file is applied" in finding.message
        assert "--migration-timeout" in finding.message
        assert run.applied == (f"{tmp_path}/001_base.sql",)
        assert exists(run.dsn, "base")
        assert not exists(run.dsn, "during")  # the cancelled file was rolled back
        assert not exists(run.dsn, "after_it")
    assert elapsed < 60


def test_a_file_sent_in_chunks_places_errors_like_a_whole_one(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHUNK_STATEMENTS", 3)
    body = "".join(f"create table t{i} (id int);\n" for i in range(1, 8))
    # A syntax error (the server's position) in the third chunk, after blanked BEGIN/COMMIT.
    (tmp_path / "001_syntax.sql").write_text("begin;\n" + body + "selec 1;\ncommit;\n")
    # A runtime error without position: the statement after the last one answered.
    (tmp_path / "002_runtime.sql").write_text(
        "".join(f"create table u{i} (id int);\n" for i in range(1, 8)) + ";\nselect 1/0;\n"
    )
    (tmp_path / "003_ok.sql").write_text(
        "".join(f"create table v{i} (id int);\n" for i in range(1, 10))
    )
    with migrated_database(str(tmp_path), continue_on_error=True, progress=False) as run:
        failed = [
            (f.location, f.extra["sqlstate"]) for f in run.findings if f.kind == "migration_failed"
        ]
        assert failed == [
            (f"{tmp_path}/001_syntax.sql:9:1", "42601"),
            (f"{tmp_path}/002_runtime.sql:9:1", "22012"),
        ]
        assert run.applied == (f"{tmp_path}/003_ok.sql",)
        assert exists(run.dsn, "v9") and not exists(run.dsn, "t1") and not exists(run.dsn, "u1")


def test_statement_list_costs_offsets_not_objects() -> None:
    """A `Statement` per `SELECT 1;` was ~330 bytes each; offsets and a shared words tuple
    are ~25."""
    text = "SELECT 1;\n" * 20_000
    tracemalloc.start()
    try:
        statements = scan(text)
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(statements) == 20_000
    assert used / len(statements) < 64
    assert statements[19_998].text == "SELECT 1;"
    assert statements.index_at(len(text) - 3) == 19_999


MEMORY_PROBE = """
import json, resource, sys
from schemaverify.sources.migrations import migrated_database
import schemaverify.sources.embedded, psycopg  # imported before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with migrated_database(sys.argv[1], progress=False) as run:
    places = [(f.location, f.extra.get("sqlstate")) for f in run.findings]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
print(json.dumps({"growth": (after - before) * scale, "places": places}))
"""
GROWTH_BOUND = 100 * 1024 * 1024
"""Peak RSS growth of applying a 4 MB file of 400,000 statements (the runner that kept every
result took 1.5 GB; now it is the file text, the compact statement list and one chunk)."""


def test_huge_file_applies_in_bounded_memory_and_places_its_error(
    cache_dir: Path, tmp_path: Path
) -> None:
    lines = ["SELECT 1;"] * 400_000
    lines[399_998] = "SELECT 1/0;"  # statement 399,999: an error without position
    folder = tmp_path / "migrations"
    folder.mkdir()
    target = folder / "001_huge.sql"
    target.write_text("\n".join(lines) + "\n")
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["places"] == [[f"{target}:399999:1", "22012"]]
    assert result["growth"] < GROWTH_BOUND, result["growth"] / 2**20


@pytest.mark.parametrize(
    ("flags", "config", "expected"),
    [
        (["--migration-statement-timeout", "250"], "", "statement timeout of 250 ms"),
        ([], "migration_statement_timeout = 350\n", "statement timeout of 350 ms"),
    ],
    ids=["flag", "config"],
)
def test_the_limits_reach_a_check_run(
    cache_dir: Path, tmp_path: Path, flags: list[str], config: str, expected: str
) -> None:
    """The flag and the configuration key, through the CLI, limit the real run."""
    from typer.testing import CliRunner

    from schemaverify.cli import app

    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_sleep.sql").write_text("select pg_sleep(600);\n")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "t.yaml").write_text("table: t\ncolumns:\n  - {name: id, type: int}\n")
    (tmp_path / "schemaverify.toml").write_text(config)
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        result = CliRunner().invoke(
            app,
            ["check", "--migrations", "migrations", "--specs", "specs", "--format", "json", *flags],
        )
    assert time.monotonic() - started < 60
    assert result.exit_code == 1, result.output
    (failed,) = [
        f for f in json.loads(result.stdout)["findings"] if f["kind"] == "migration_failed"
    ]
    assert expected in failed["message"]
