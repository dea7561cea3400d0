"""Shapes against a real catalog: reading and checking with one parse per shape gives
exactly what one parse per text gives.

The schema is written the way real ones are, so that its texts share shapes: every table
has policies naming itself and its parent, partial-index predicates, CHECK lists and
defaults with per-table literals; and names chosen to trip a careless abstraction (a
table named like a function or a keyword sqlglot knows, a quoted mixed-case table, a
second schema, literals that read as numbers, regclass and array literals).  The same
catalog is read twice, with shapes and with shapes turned off, and the two must be equal
object for object, as must every policy's access kinds and the check's verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgserver import TestDatabase
from schemaverify.model import normalize, shapes
from schemaverify.pipeline import check
from schemaverify.pipeline.check import run_check
from schemaverify.reports import json_report
from schemaverify.rules import access, values
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions
from schemaverify.sources.specs.load import load_specs
from schemaverify.sources.specs.patterns import load_patterns

_NAMES = ("invoices", "now", "value", "level", "tasks", "position", "status", "if")


def _table(i: int, name: str, parent: str, schema: str = "public") -> str:
    q = f"{schema}.{name}"
    literal = ("open", "-1", "12.5", "a b", "day")[i % 5]
    return f"""
CREATE TABLE {q} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id bigint REFERENCES {schema}.{parent} (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  user_id uuid NOT NULL DEFAULT auth.uid(),
  kind text NOT NULL DEFAULT '{literal}' CHECK (kind IN ('{literal}', 'k{i}', 'other')),
  amount numeric(12,2) NOT NULL DEFAULT {i}.5 CHECK (amount BETWEEN -{i} AND {1000 + i}),
  quantity integer CHECK (quantity = ANY ('{{1,{i}}}'::int[])),
  seq bigint DEFAULT nextval('{schema}.seq_{i}'::regclass),
  created_at timestamptz NOT NULL DEFAULT now() - interval '{i} days',
  deleted_at timestamptz
);
CREATE INDEX ON {q} (organization_id, created_at DESC) WHERE deleted_at IS NULL AND amount >= {i};
CREATE INDEX ON {q} (kind) WHERE kind <> '{literal}' AND quantity > -{i};
CREATE INDEX ON {q} ((lower(kind) || '{i}'))
  WHERE date_trunc('day', created_at AT TIME ZONE 'UTC') > '2024-01-0{1 + i % 9}';
ALTER TABLE {q} ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON {q} FOR ALL TO authenticated
  USING (user_id = (SELECT auth.uid())) WITH CHECK ({name}.user_id = (SELECT auth.uid()));
CREATE POLICY members ON {q} FOR SELECT TO authenticated USING (EXISTS (
  SELECT 1 FROM public.organization_members m
  WHERE m.organization_id = {name}.organization_id AND m.user_id = (SELECT auth.uid())));
CREATE POLICY admins ON {q} FOR UPDATE TO authenticated USING (EXISTS (
  SELECT 1 FROM {schema}.{parent} p WHERE p.id = {name}.parent_id AND p.organization_id IN (
    SELECT organization_id FROM public.organization_members
    WHERE user_id = (SELECT auth.uid()) AND role IN ('admin', '{literal}'))));
CREATE POLICY quoted ON {q} FOR DELETE TO authenticated
  USING (kind = '{literal}' AND amount > {i} AND "{name}".quantity IS NOT NULL);
"""


def _schema() -> str:
    parts = [
        """
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT NULL::uuid $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA tenant_a;
CREATE TABLE public.organization_members (
  organization_id uuid NOT NULL, user_id uuid NOT NULL, role text NOT NULL,
  PRIMARY KEY (organization_id, user_id));
CREATE TABLE public.root (id bigint PRIMARY KEY, organization_id uuid);
CREATE TABLE tenant_a.root (id bigint PRIMARY KEY, organization_id uuid);
CREATE TABLE public."Mixed" (id bigint PRIMARY KEY, "Label" text CHECK ("Label" <> 'x'));
"""
    ]
    for i in range(24):
        schema = "tenant_a" if i % 4 == 3 else "public"
        parts.append(f"CREATE SEQUENCE {schema}.seq_{i};")
    previous = {"public": "root", "tenant_a": "root"}
    for i in range(24):
        schema = "tenant_a" if i % 4 == 3 else "public"
        name = f"{_NAMES[i % len(_NAMES)]}_{i}" if i % 3 else f"t{i}"
        if i in (5, 13):
            name = "value" if i == 5 else "position"  # alone: names sqlglot and PG know
        parts.append(_table(i, name, previous[schema], schema))
        previous[schema] = name
    return "\n".join(parts)


def _clear() -> None:
    normalize._SHAPES.clear()
    normalize._RESULTS.clear()
    normalize._ORIGINS.clear()
    normalize._expression.cache_clear()
    values._SHAPES.clear()
    access._shaped.cache_clear()
    access._branch_kinds.cache_clear()
    access._effective_roles.cache_clear()
    access._tree.cache_clear()


@pytest.fixture
def unshaped(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Shapes turned off: every text is parsed on its own."""
    _clear()
    monkeypatch.setattr(shapes, "shape_of", lambda *args, **kwargs: None)
    yield
    _clear()


def test_a_catalog_read_with_shapes_equals_one_read_text_by_text(
    db: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.run(_schema())
    _clear()
    shaped = read_catalog(db.dsn, ("public", "tenant_a"))
    # Some texts did share a shape (otherwise this test would test nothing).
    assert sum(1 for result in normalize._SHAPES.values() if result is not None) >= 5
    assert len(normalize._RESULTS) >= 40
    patterns = load_patterns(None)
    shaped_kinds = {
        (t.qualified, p.name): (
            access.classify_policy(p, patterns),
            access.effective_roles(p, patterns),
            access.branch_kinds(p, patterns),
        )
        for t in shaped.tables
        for p in (t.rls.policies if t.rls else ())
    }
    checks = {
        (t.qualified, c.name, column): values.check_values(c.expression, column)
        for t in shaped.tables
        for c in t.checks
        for column in c.columns
    }
    _clear()
    monkeypatch.setattr(shapes, "shape_of", lambda *args, **kwargs: None)
    direct = read_catalog(db.dsn, ("public", "tenant_a"))
    assert not normalize._SHAPES
    assert direct.tables == shaped.tables
    assert {
        (t.qualified, p.name): (
            access.classify_policy(p, patterns),
            access.effective_roles(p, patterns),
            access.branch_kinds(p, patterns),
        )
        for t in direct.tables
        for p in (t.rls.policies if t.rls else ())
    } == shaped_kinds
    assert {
        (t.qualified, c.name, column): values.check_values(c.expression, column)
        for t in direct.tables
        for c in t.checks
        for column in c.columns
    } == checks
    _clear()


def test_a_check_with_shapes_gives_the_verdict_of_one_without(
    db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.run(_schema())
    specs = tmp_path / "specs"
    specs.mkdir()
    for i, name in enumerate(("t0", "now_1", "value_2", "value", "tasks_4")):
        kind = ("open", "-1", "12.5", "a b", "day")[i]
        (specs / f"{name}.yaml").write_text(
            f"""table: {name}
columns:
  - {{name: organization_id, type: uuid}}
  - {{name: quantity, type: integer, nullable: true}}
  - {{name: deleted_at, type: timestamptz, nullable: true}}
  - {{name: kind, type: text, default: "'{kind}'", values: ['{kind}', k{i}, other]}}
  - {{name: amount, type: "numeric(12,2)", default: "{i}.5"}}
  - {{name: created_at, type: timestamptz, default: "now() - interval '{i} days'"}}
indexes:
  - columns: [organization_id, created_at DESC]
    where: "deleted_at IS NULL AND amount >= {i}"
  - columns: [kind]
    where: "kind <> '{kind}' AND quantity > -{i + 1}"
rls:
  access: [owner, organization, admin]
""",
            encoding="utf-8",
        )

    def verdict() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
        report = run_check(specs, SourceOptions(dsn=db.dsn), fail_on="never")
        findings = sorted((f.table, f.kind, f.message) for f in report.findings)
        facts = sorted((fact.id, fact.status, str(fact.actual)) for fact in report.facts)
        return findings, facts

    _clear()
    with_shapes = verdict()
    _clear()
    monkeypatch.setattr(shapes, "shape_of", lambda *args, **kwargs: None)
    without = verdict()
    _clear()
    assert with_shapes == without
    # The planted drift is seen: table 4's second predicate differs (-5 against -4).
    assert ("public.tasks_4", "index_mismatch") in {(t, k) for t, k, _ in with_shapes[0]}


def test_a_check_normalizes_only_what_a_spec_documents(
    db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undocumented tables come verbatim (their texts as PostgreSQL printed them), and the
    report is the one of a check that normalized every table."""
    db.run(_schema())
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "t0.yaml").write_text(
        "table: t0\ncolumns:\n  - {name: kind, type: text, default: \"'open'\"}\n"
        "indexes:\n  - columns: [kind]\n    where: \"kind <> 'open' AND quantity > 0\"\n"
        "rls:\n  access: [owner, organization, admin]\n",
        encoding="utf-8",
    )
    spec_set = load_specs(specs)
    wanted = check.documented(spec_set, ("public",))
    catalog = read_catalog(db.dsn, ("public", "tenant_a"), normalized=wanted)
    by_name = catalog.by_name()
    assert not by_name["public.t0"].verbatim
    other = by_name["public.now_1"]
    assert other.verbatim
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute("SET search_path = pg_catalog, pg_temp")  # as the reader reads
        raw = conn.execute(
            "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy "
            "WHERE polrelid = 'public.now_1'::regclass AND polname = 'members'"
        ).fetchone()
    assert other.rls is not None and raw is not None
    assert [p.using for p in other.rls.policies if p.name == "members"] == [raw[0]]
    full = read_catalog(db.dsn, ("public", "tenant_a"))
    assert by_name["public.t0"] == full.by_name()["public.t0"]

    def report() -> str:
        return json_report.render(run_check(specs, SourceOptions(dsn=db.dsn), fail_on="never"))

    lazy = report()
    monkeypatch.setattr(check, "documented", lambda specs, schemas: None)
    assert report() == lazy
