from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pgserver
from pgserver import Server, TestDatabase

REPO = Path(__file__).resolve().parent.parent

_PLAN = pgserver.plan()


def pytest_configure(config: pytest.Config) -> None:
    # The spec cache and the embedded-cluster cache of CLI runs go to a throwaway folder,
    # not the developer's ~/.cache (a test that needs its own sets the variable itself).
    os.environ.setdefault(
        "SCHEMAVERIFY_CACHE_DIR", tempfile.mkdtemp(prefix="schemaverify-test-cache-")
    )
    if _PLAN.error:
        raise pytest.UsageError(f"test servers: {_PLAN.error}")


@pytest.fixture(
    scope="session",
    params=list(_PLAN.candidates),
    ids=[candidate.id for candidate in _PLAN.candidates],
)
def pg_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """One server per available PostgreSQL major version; every test using it runs on each.

    pytest keeps one instance of a session fixture at a time and groups the
    tests by parameter, so the servers run one after the other, not together.
    """
    candidate: pgserver.Candidate = request.param
    if candidate.kind == "none":
        pytest.fail(candidate.description, pytrace=False)
    with pgserver.start(candidate) as server:
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
        pytest.skip(f"the test server {pg_server.id} has no pgvector extension")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"schemaverify test server {c.id}: {c.description}" for c in _PLAN.candidates] + [
        f"schemaverify test servers: {note}" for note in _PLAN.notes
    ]
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not pgserver.STARTED:
        return
    used = ", ".join(
        f"{s.id} = PostgreSQL {s.major}.{s.version % 10000}"
        f" ({'pgvector' if s.has_pgvector else 'no pgvector'}; {s.label})"
        for s in pgserver.STARTED
    )
    terminalreporter.write_line(f"schemaverify test servers used: {used}")


def _assert_unique_fingerprints() -> None:
    """Every report any test builds in this process has unique fingerprints: identity is the
    structural key, and a baseline entry must accept exactly one finding."""
    from collections import Counter

    from schemaverify.pipeline.report import Report

    original = Report.__init__

    def checked(self: Report, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        twice = [p for p, n in Counter(f.fingerprint for f in self.findings).items() if n > 1]
        assert not twice, f"findings of one report share fingerprints: {twice}"

    Report.__init__ = checked  # type: ignore[method-assign]


_assert_unique_fingerprints()
