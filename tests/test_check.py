"""Every finding kind against a real PostgreSQL: one table with the drift, one trap without.

One database holds all tables (one per scenario) and one check runs over it;
each test then looks at the findings of its own table.  That keeps the suite
fast while every assertion still comes from a real catalog.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pgserver import TestDatabase
from schemaverify.advise import ADVICE_KINDS
from schemaverify.checker import run_check
from schemaverify.findings import KINDS, Finding
from schemaverify.report import Report
from schemaverify.sources import SourceOptions
from schemaverify.values import shown

SETUP = """
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE service_role NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $f$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
  $f$ SELECT current_setting('request.jwt.claim.role', true) $f$;

CREATE TABLE customer_configs (id uuid PRIMARY KEY);
CREATE TABLE organizations (id uuid PRIMARY KEY);
CREATE TABLE organization_members (
  organization_id uuid NOT NULL, user_id uuid NOT NULL, role text NOT NULL
);

-- traps: everything here matches its spec despite different spellings
CREATE TABLE good (
  id int4 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  big int8 NOT NULL,
  flag bool NOT NULL DEFAULT false,
  at timestamptz NOT NULL DEFAULT now(),
  price DECIMAL(10,2) NOT NULL,
  name varchar(80) NOT NULL,
  tags _text,
  status text NOT NULL DEFAULT 'pending',
  session_id text NOT NULL,
  user_id uuid NOT NULL,
  customer_id uuid NOT NULL REFERENCES customer_configs (id) ON DELETE CASCADE,
  CONSTRAINT good_session_uq UNIQUE (session_id)
);
CREATE INDEX good_status_idx ON good (status) WHERE ((status)::text = 'pending'::text);
CREATE INDEX good_at_idx ON good (customer_id, at DESC);
CREATE INDEX good_tags_idx ON good USING gin (tags);
ALTER TABLE good ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON good FOR ALL TO authenticated USING ((select auth.uid()) = user_id);

CREATE TABLE undocumented_one (id int, note text);

CREATE TABLE cols (
  id uuid PRIMARY KEY,
  display_name text NOT NULL,
  amount integer NOT NULL,
  maybe text,
  state text NOT NULL DEFAULT 'new',
  extra jsonb
);

CREATE TABLE keys (id uuid NOT NULL, code text NOT NULL, other text NOT NULL);

CREATE TABLE idx (
  id uuid PRIMARY KEY, a int NOT NULL, b int NOT NULL, c int NOT NULL, d jsonb NOT NULL,
  e int NOT NULL, f timestamptz
);
CREATE INDEX idx_a_b ON idx (a, b);
CREATE INDEX idx_c ON idx (c);
CREATE INDEX idx_d ON idx USING btree (d);
CREATE INDEX idx_f ON idx (f) WHERE f IS NOT NULL;

CREATE TABLE fks (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customer_configs (id) ON DELETE SET NULL,
  org_id uuid NOT NULL REFERENCES customer_configs (id),
  other_id uuid NOT NULL
);

CREATE TABLE rls_off (id uuid PRIMARY KEY, organization_id uuid NOT NULL);

CREATE TABLE rls_org (id uuid PRIMARY KEY, organization_id uuid NOT NULL);
ALTER TABLE rls_org ENABLE ROW LEVEL SECURITY;
CREATE POLICY members ON rls_org FOR SELECT TO authenticated USING (
  organization_id IN (SELECT organization_id FROM organization_members
                      WHERE user_id = (select auth.uid())));

CREATE TABLE rls_leak (id uuid PRIMARY KEY);
ALTER TABLE rls_leak ENABLE ROW LEVEL SECURITY;
CREATE POLICY svc ON rls_leak TO service_role USING (true);
CREATE POLICY everyone ON rls_leak FOR SELECT TO anon USING (true);

CREATE TABLE rls_svc (id uuid PRIMARY KEY);
ALTER TABLE rls_svc ENABLE ROW LEVEL SECURITY;
CREATE POLICY svc_only ON rls_svc TO public USING (auth.role() = 'service_role');
"""

SPECS = {
    "good": """
        table: good
        columns:
          - {name: id, type: integer, primary_key: true}
          - {name: big, type: bigint}
          - {name: flag, type: boolean, default: "false"}
          - {name: at, type: timestamp with time zone, default: "now()"}
          - {name: price, type: numeric}
          - {name: name, type: character varying(80)}
          - {name: tags, type: "text[]", nullable: true}
          - {name: status, type: text, default: "'pending'::text"}
          - {name: session_id, type: text, unique: true}
          - {name: user_id, type: uuid}
          - {name: customer_id, type: uuid, references: customer_configs.id}
        indexes:
          - primary_key: true
          - columns: [session_id]
            unique: true
          - columns: [status]
            where: "(status = 'pending')"
          - columns: [customer_id, at DESC]
          - columns: [tags]
            method: gin
        foreign_keys:
          - columns: [customer_id]
            references: {table: customer_configs, columns: [id]}
            on_delete: cascade
        rls:
          access: [owner]
    """,
    "gone": """
        table: gone
        columns:
          - {name: id, type: uuid}
    """,
    "cols": """
        table: cols
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: name, type: text}
          - {name: amount, type: bigint}
          - {name: maybe, type: text}
          - {name: state, type: text, default: "'open'"}
    """,
    "keys": """
        table: keys
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: code, type: text, unique: true}
          - {name: other, type: text}
    """,
    "idx": """
        table: idx
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: a, type: integer}
          - {name: b, type: integer}
          - {name: c, type: integer}
          - {name: d, type: jsonb}
          - {name: e, type: integer}
          - {name: f, type: timestamptz, nullable: true}
          - {name: g, type: integer}
        indexes:
          - columns: [a, b DESC]
          - columns: [c]
            unique: true
          - columns: [d]
            method: gin
          - columns: [e]
          - columns: [f]
            where: f IS NULL
          - columns: [g]
    """,
    "fks": """
        table: fks
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: customer_id, type: uuid}
          - {name: org_id, type: uuid}
          - {name: other_id, type: uuid}
        foreign_keys:
          - columns: [customer_id]
            references: {table: customer_configs}
            on_delete: cascade
          - columns: [org_id]
            references: {table: organizations}
          - columns: [other_id]
            references: {table: customer_configs}
    """,
    "rls_off": """
        table: rls_off
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: organization_id, type: uuid}
        rls:
          access: [organization]
    """,
    "rls_org": """
        table: rls_org
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: organization_id, type: uuid}
        rls:
          access: [organization]
    """,
    "rls_leak": """
        table: rls_leak
        columns:
          - {name: id, type: uuid, primary_key: true}
        rls:
          access: [service_role_only]
    """,
    "rls_svc": """
        table: rls_svc
        columns:
          - {name: id, type: uuid, primary_key: true}
        rls:
          access: [service_role_only]
    """,
}

UNRELATED = ("customer_configs", "organizations", "organization_members")


def write_specs(folder: Path, specs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in specs.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def report(pg_server, tmp_path_factory: pytest.TempPathFactory) -> Report:
    database = pg_server.create_database()
    try:
        database.run(SETUP)
        folder = write_specs(tmp_path_factory.mktemp("specs"), SPECS)
        yield run_check(folder, SourceOptions(dsn=database.dsn))
    finally:
        pg_server.drop_database(database.name)


def of(report: Report, table: str) -> list[Finding]:
    return [f for f in report.findings if f.table == f"public.{table}"]


def kinds(report: Report, table: str) -> list[tuple[str, str | None]]:
    return sorted((f.kind, f.object) for f in of(report, table))


def test_traps_produce_nothing(report: Report) -> None:
    assert of(report, "good") == []


def test_table_missing(report: Report) -> None:
    [f] = of(report, "gone")
    assert (f.kind, f.severity, f.object) == ("table_missing", "error", None)
    assert f.spec and f.spec.endswith("gone.yaml:1")


def test_table_undocumented_is_info(report: Report) -> None:
    [f] = of(report, "undocumented_one")
    assert (f.kind, f.severity) == ("table_undocumented", "info")
    assert "2 columns" in f.message
    for name in UNRELATED:
        assert kinds(report, name) == [("table_undocumented", None)]


def test_column_findings(report: Report) -> None:
    found = {(f.kind, f.object): f for f in of(report, "cols")}
    assert sorted(found) == [
        ("column_default_mismatch", "state"),
        ("column_missing", "name"),
        ("column_nullability_mismatch", "maybe"),
        ("column_type_mismatch", "amount"),
        ("column_undocumented", "display_name"),
        ("column_undocumented", "extra"),
    ]
    missing = found[("column_missing", "name")]
    assert "renamed to display_name" in missing.message
    assert missing.severity == "error"
    assert missing.spec and missing.spec.endswith("cols.yaml:4")
    # expected/actual are model values; values.shown is their report form.
    assert shown(found[("column_type_mismatch", "amount")].actual) == "integer"
    assert shown(found[("column_type_mismatch", "amount")].expected) == "bigint"
    assert shown(found[("column_nullability_mismatch", "maybe")].actual) == "NULL"
    assert found[("column_default_mismatch", "state")].severity == "warning"
    assert found[("column_undocumented", "extra")].severity == "warning"


def test_key_findings(report: Report) -> None:
    assert kinds(report, "keys") == [("primary_key_mismatch", "id"), ("unique_missing", "code")]


def test_index_findings(report: Report) -> None:
    found = {f.kind: [] for f in of(report, "idx")}
    for f in of(report, "idx"):
        found[f.kind].append(f)
    mismatches = {shown(f.actual): f.message for f in found["index_mismatch"]}
    assert len(found["index_mismatch"]) == 4, mismatches
    messages = " | ".join(f.message for f in found["index_mismatch"])
    assert "key order is a ASC, b ASC" in messages
    assert "it is not unique" in messages
    assert "method is btree, documented gin" in messages
    assert "predicate is WHERE" in messages
    missing = sorted(shown(f.expected) for f in found["index_missing"])
    assert missing == ["btree (e)", "btree (g)"]
    by_expected = {shown(f.expected): f for f in found["index_missing"]}
    assert by_expected["btree (g)"].caused_by == "public.idx|column_missing|g"
    assert by_expected["btree (e)"].caused_by is None


def test_fk_findings(report: Report) -> None:
    found = {(f.kind, f.object): f for f in of(report, "fks")}
    assert sorted(found) == [
        ("fk_mismatch", "customer_id"),
        ("fk_mismatch", "org_id"),
        ("fk_missing", "other_id"),
    ]
    assert (
        "ON DELETE is SET NULL, documented CASCADE" in found[("fk_mismatch", "customer_id")].message
    )
    assert "references public.customer_configs(id)" in found[("fk_mismatch", "org_id")].message


def test_rls_disabled_folds_policy_finding(report: Report) -> None:
    found = {f.kind: f for f in of(report, "rls_off")}
    assert sorted(found) == ["rls_disabled", "rls_policy_missing"]
    assert found["rls_policy_missing"].caused_by == found["rls_disabled"].fingerprint
    assert report.summary.consequences >= 2


def test_rls_organization_policy_satisfies(report: Report) -> None:
    assert of(report, "rls_org") == []


def test_rls_access_violation(report: Report) -> None:
    found = {(f.kind, f.object) for f in of(report, "rls_leak")}
    assert ("rls_access_violation", "everyone") in found
    assert ("rls_access_violation", "svc") not in found


def test_service_role_test_in_expression_counts_as_service_role(report: Report) -> None:
    assert of(report, "rls_svc") == []


def test_every_kind_exercised(report: Report) -> None:
    seen = {f.kind for f in report.findings}
    # Advice kinds come from `advise` (test_advise.py), rls_matrix_mismatch from specs stating
    # an access matrix (test_accessmatrix.py).
    core = {
        k
        for k in KINDS
        if not k.startswith("migration_") and k not in ADVICE_KINDS and k != "rls_matrix_mismatch"
    }
    assert core <= seen, core - seen


def test_report_fails_at_error(report: Report) -> None:
    assert report.failed
    assert report.summary.by_severity["error"] > 0


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        ("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", None),
        ("id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BY DEFAULT"),
        ("id bigserial PRIMARY KEY", "not an identity column"),
    ],
)
def test_column_identity_on_a_real_server(
    db: TestDatabase, tmp_path: Path, ddl: str, expected: str | None
) -> None:
    import schemaverify as sv

    db.run(f"CREATE TABLE ids ({ddl})")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "ids.yaml").write_text(
        "table: ids\ncolumns:\n  - {name: id, type: bigint, primary_key: true, identity: always}\n"
    )
    report = sv.check(specs, dsn=db.dsn)
    found = [f for f in report.findings if f.kind == "column_identity_mismatch"]
    fact = next(f for f in report.facts if f.id == "public.ids|column.identity|id")
    if expected is None:
        assert found == [] and fact.status == "verified"
    else:
        assert len(found) == 1 and expected in found[0].message
        assert fact.status == "drift"
