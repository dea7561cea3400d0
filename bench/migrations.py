"""Benchmark: `schemaverify check --migrations` against the floor of applying the same files.

Measured in one run, on this machine:

* cold: `schemaverify check --migrations DIR --specs SPECS` with an empty
  cluster cache (initdb + preset + migrations + check), as a fresh process;
* warm: the same command again (the cluster comes from the cache);
* floor: `psql` applying the same migration files to an already running
  server with the same preset (a fresh database cloned from the preset each
  time), i.e. the least any tool could spend on applying the history.

Usage: python bench/migrations.py [--migrations DIR] [--specs DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from schemaverify.sources import embedded  # noqa: E402
from schemaverify.sources.migrations import discover, resolve_preset  # noqa: E402


def _schemaverify() -> list[str]:
    exe = Path(sys.executable).with_name("schemaverify")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "schemaverify"]


def time_check(migrations: str, specs: str, cache: Path) -> float:
    env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(cache)}
    argv = [*_schemaverify(), "check", "--migrations", migrations, "--specs", specs]
    argv += ["--format", "json"]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed (exit {done.returncode}):\n{done.stderr}")
    return elapsed


def time_floor(migrations: str, preset: str, runs: int) -> list[float]:
    """psql applies the files to a running server; each run gets a fresh copy of the preset."""
    import psycopg

    files = [str(p) for p in discover(migrations)]
    psql = str(embedded.locate_binaries().bin_dir / "psql")
    timings = []
    with embedded.EmbeddedServer(None if preset == "none" else preset) as server:
        admin = psycopg.conninfo.make_conninfo(server.dsn, dbname="template1")
        for n in range(runs):
            name = f"floor_{n}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE postgres'.encode())
                path = '"$user", public, extensions'
                conn.execute(f'ALTER DATABASE "{name}" SET search_path TO {path}'.encode())
            dsn = psycopg.conninfo.make_conninfo(server.dsn, dbname=name)
            argv = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn]
            for path in files:
                argv += ["-f", path]
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=False)
            timings.append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(f"psql failed:\n{done.stderr}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", default="examples/supabase/migrations")
    parser.add_argument("--specs", default="specs")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.chdir(REPO)
    preset = resolve_preset(args.migrations, None)
    files = discover(args.migrations)

    with tempfile.TemporaryDirectory(prefix="schemaverify-bench-cache-") as tmp:
        cache = Path(tmp)
        cold = time_check(args.migrations, args.specs, cache)
        warm = [time_check(args.migrations, args.specs, cache) for _ in range(args.runs)]
        floor = time_floor(args.migrations, preset, args.runs)

    warm_median = statistics.median(warm)
    floor_median = statistics.median(floor)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"migrations: {args.migrations} ({len(files)} files, preset {preset}); specs: {args.specs}"
    )
    print(f"cold  check --migrations (empty cache): {cold:6.3f} s")
    print(
        f"warm  check --migrations (median of {args.runs}): {warm_median:6.3f} s  "
        f"(min {min(warm):.3f}, max {max(warm):.3f})"
    )
    print(
        f"floor psql -f on a running server (median of {args.runs}): {floor_median:6.3f} s  "
        f"(min {min(floor):.3f}, max {max(floor):.3f})"
    )
    print(f"ratio warm / floor: {warm_median / floor_median:5.1f}x")
    print(f"ratio cold / floor: {cold / floor_median:5.1f}x")


if __name__ == "__main__":
    main()
