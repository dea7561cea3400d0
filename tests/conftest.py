from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import Server, TestDatabase, session_server

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    with session_server() as server:
        yield server


@pytest.fixture
def db(pg_server: Server) -> Iterator[TestDatabase]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    database = pg_server.create_database()
    try:
        yield database
    finally:
        pg_server.drop_database(database.name)


@pytest.fixture
def needs_pgvector(pg_server: Server) -> None:
    if not pg_server.has_pgvector:
        pytest.skip("the test server has no pgvector extension")


def pytest_report_header(config: pytest.Config) -> str:
    return (
        "schemaverify test server: chosen at first use (SCHEMAVERIFY_TEST_DSN > docker > embedded)"
    )
