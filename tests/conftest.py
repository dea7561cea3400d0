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

SHARED_CLUSTER_CACHE = "schemaverify-cache"
"""The session's cluster cache under pytest's base temp folder, shared by the migration tests'
`cache_dir` fixtures so the Supabase cluster is built once per session."""

_made_cache: Path | None = None
"""The throwaway $SCHEMAVERIFY_CACHE_DIR this session created (None: the caller set one)."""


def pytest_configure(config: pytest.Config) -> None:
    # The spec cache and the embedded-cluster cache of CLI runs go to a throwaway folder,
    # not the developer's ~/.cache (a test that needs its own sets the variable itself).
    global _made_cache
    if not os.environ.get("SCHEMAVERIFY_CACHE_DIR"):
        _made_cache = Path(tempfile.mkdtemp(prefix="schemaverify-test-cache-"))
        os.environ["SCHEMAVERIFY_CACHE_DIR"] = str(_made_cache)
    if _PLAN.error:
        raise pytest.UsageError(f"test servers: {_PLAN.error}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the throwaway cache: its clusters are 60 MB or more, and one was left in /tmp
    by every session before, whatever the result."""
    if _made_cache is not None:
        from schemaverify.sources.embedded import _remove_tree

        _remove_tree(_made_cache)  # cached clusters are read-only: a plain rmtree fails


@pytest.fixture(scope="session", autouse=True)
def _remove_cluster_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Delete the cluster caches the session built under pytest's base temp folder, the shared
    one and those of single tests (`tmp_path / "cache"`), 30 MB or more each. pytest keeps
    the base temp folders of the last three sessions for inspection, but a cached cluster
    explains no failure, and pytest's own cleanup cannot delete its read-only folders when
    not root. Everything else a failed test left there stays."""
    yield
    from schemaverify.sources.embedded import _remove_tree

    base = tmp_path_factory.getbasetemp()
    _remove_tree(base / SHARED_CLUSTER_CACHE)
    for clusters in [*base.glob("*/clusters"), *base.glob("*/*/clusters")]:
        _remove_tree(clusters)


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
