"""Code references against a real PostgreSQL catalog: each usage finding kind with a
database that has the drift and one that does not.

References are written by hand here (the scanners have their own pure tests), so a
failure points at the comparison, not at parsing.  The schema is Supabase-like: the API
roles, tables granted to them as Supabase grants, RLS with an owner policy, a
service-role-only table (RLS on, no policy), a view, a foreign key for embedding, and a
function callable by authenticated but not by anon.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pgserver
from pgserver import TestDatabase
from schemaverify.model.findings import Finding
from schemaverify.model.schema import Catalog
from schemaverify.model.usage import CodeReference
from schemaverify.pipeline.usage import usage_report
from schemaverify.reports.json_report import render
from schemaverify.rules.usage import UsageOptions, compare_usage
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.code.scan import CodeScan
from schemaverify.sources.live import LiveSide
from schemaverify.sources.specs import patterns as patterns_file

SQL = (
    pgserver.SUPABASE_ROLES_SQL
    + """
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE SCHEMA billing;
CREATE TABLE customers (id uuid PRIMARY KEY, name text NOT NULL, user_id uuid);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id uuid NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers(id),
  status text NOT NULL DEFAULT 'new',
  total numeric NOT NULL,
  user_id uuid
);
CREATE TABLE audit_log (id bigint PRIMARY KEY, action text);
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, amount numeric);
CREATE VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY 1;
GRANT USAGE ON SCHEMA public, billing TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA billing TO service_role;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own orders" ON orders FOR ALL TO authenticated
  USING (user_id = (select auth.uid())) WITH CHECK (user_id = (select auth.uid()));
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY "read customers" ON customers FOR SELECT TO anon, authenticated USING (true);
CREATE FUNCTION place_order(c uuid) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$;
REVOKE EXECUTE ON FUNCTION place_order(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION place_order(uuid) TO authenticated, service_role;
CREATE FUNCTION internal_job() RETURNS void LANGUAGE sql AS $$ SELECT $$;
REVOKE EXECUTE ON FUNCTION internal_job() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION internal_job() TO service_role;
"""
)


@pytest.fixture
def catalog(db: TestDatabase) -> Catalog:
    db.run(SQL)
    return read_catalog(db.dsn, ("public", "billing"))


def ref(
    name: str | None,
    operation: str = "select",
    *,
    path: str = "app/page.ts",
    line: int = 1,
    **fields: object,
) -> CodeReference:
    via = fields.pop("via", "supabase-js")
    return CodeReference(path, line, 1, str(via), operation, name, **fields)  # type: ignore[arg-type]


def _compare(refs: list[CodeReference], catalog: Catalog, **options: object) -> list[Finding]:
    patterns = patterns_file.load_patterns(None)
    found, _ = compare_usage(refs, catalog, UsageOptions(patterns=patterns, **options))  # type: ignore[arg-type]
    return found


def _kinds(findings: list[Finding]) -> list[tuple[str, str, str | None]]:
    return sorted((f.kind, f.table, f.object) for f in findings)


def test_existing_names_and_columns_pass(catalog: Catalog) -> None:
    refs = [
        ref("orders", columns=("id", "status", "total"), privilege="service"),
        ref("customers", embedded_in="orders", columns=("name",)),
        ref("orders", "insert", columns=("customer_id", "total"), privilege="service"),
        ref("order_totals", columns=("customer_id", "total")),
        ref("invoices", schema="billing", columns=("amount",), via="sql"),
        ref("place_order", "rpc", target="function", privilege="public"),
        ref("avatars", "storage", target="bucket", privilege="public"),
        ref("orders", all_columns=True),
    ]
    assert _compare(refs, catalog) == []


def test_missing_tables_functions_and_embeds(catalog: Catalog) -> None:
    refs = [
        ref("order", line=3),
        ref("order", line=9),
        ref("nowhere", "rpc", target="function", path="worker/jobs.py"),
        ref("shipments", embedded_in="orders", line=4),
        ref("ghost", schema="unread_schema"),
    ]
    findings = _compare(refs, catalog)
    assert _kinds(findings) == [
        ("code_reference_unresolved", "", None),  # a schema the source did not read
        ("code_table_missing", "public.nowhere", None),
        ("code_table_missing", "public.order", None),
        ("code_table_missing", "public.shipments", None),
    ]
    unread = next(f for f in findings if f.kind == "code_reference_unresolved")
    assert unread.message == "table not checked: schema unread_schema was not read from the source"
    order = next(f for f in findings if f.table == "public.order")
    assert order.location == "app/page.ts:3:1"
    assert dict(order.details)["places"] == ["app/page.ts:3:1", "app/page.ts:9:1"]
    assert "did you mean orders?" in order.message
    assert order.fingerprint == "public.order|code_table_missing|app/page.ts table -"
    embedded = next(f for f in findings if f.table == "public.shipments")
    assert "embedded resource shipments in a select on orders" in embedded.message


def test_embedding_by_foreign_key_name_or_column_is_no_missing_table(catalog: Catalog) -> None:
    refs = [
        ref("orders"),
        ref("orders_customer_fk", embedded_in="orders", columns=("name",)),
        ref("customer_id", embedded_in="orders", columns=("name", "nickname")),
    ]
    findings = _compare(refs, catalog)
    assert _kinds(findings) == [("code_column_missing", "public.customers", "nickname")]


def test_missing_columns_one_finding_per_file_with_a_suggestion(catalog: Catalog) -> None:
    refs = [
        ref("orders", columns=("id", "totl"), line=2),
        ref("orders", "update", columns=("totl",), line=7),
        ref("orders", columns=("totl",), path="app/other.ts"),
        ref("order_totals", columns=("customer", "total")),
        ref("invoices", schema="billing", columns=("amount", "Amount"), via="sql"),
    ]
    findings = _compare(refs, catalog)
    assert _kinds(findings) == [
        ("code_column_missing", "billing.invoices", "Amount"),
        ("code_column_missing", "public.order_totals", "customer"),
        ("code_column_missing", "public.orders", "totl"),
        ("code_column_missing", "public.orders", "totl"),
    ]
    first = next(f for f in findings if f.object == "totl" and f.location == "app/page.ts:2:1")
    assert first.message.startswith("code names column totl (select/update), which public.orders")
    assert "did you mean total?" in first.message
    assert len({f.fingerprint for f in findings}) == 4


def test_public_client_writes_refused_by_rls_are_denied(catalog: Catalog) -> None:
    refs = [
        # RLS on, no policy: neither anon nor authenticated may write (or read) a row.
        ref("audit_log", "insert", privilege="public", columns=("action",)),
        # The same call with the service role passes (BYPASSRLS).
        ref("audit_log", "insert", privilege="service", path="app/admin.ts"),
        # authenticated may insert its own orders: allowed for one of the two roles.
        ref("orders", "insert", privilege="public"),
        # Unknown clients are not judged.
        ref("audit_log", "delete", privilege="unknown"),
        # Readable by both; writable by neither (SELECT-only policy).
        ref("customers", "select", privilege="public"),
        ref("customers", "upsert", privilege="public", path="app/form.tsx"),
        # anon may not execute place_order, authenticated may: allowed.
        ref("place_order", "rpc", target="function", privilege="public"),
        ref("internal_job", "rpc", target="function", privilege="public"),
        # The service role holds no privilege on billing.invoices... it does: passes.
        ref("invoices", "update", schema="billing", privilege="service"),
    ]
    findings = _compare(refs, catalog)
    assert _kinds(findings) == [
        ("code_access_denied", "public.audit_log", "insert"),
        ("code_access_denied", "public.customers", "upsert"),
        ("code_access_denied", "public.internal_job", "rpc"),
    ]
    audit = next(f for f in findings if f.table == "public.audit_log")
    assert audit.severity == "warning"
    assert audit.message.startswith("a client with the public key runs insert on public.audit_log")
    assert "anon and authenticated may not do" in audit.message


def test_service_role_without_privilege_is_denied(catalog: Catalog, db: TestDatabase) -> None:
    db.run("REVOKE ALL ON billing.invoices FROM service_role;")
    fresh = read_catalog(db.dsn, ("public", "billing"))
    findings = _compare([ref("invoices", "delete", schema="billing", privilege="service")], fresh)
    assert _kinds(findings) == [("code_access_denied", "billing.invoices", "delete")]
    assert "the service role runs delete" in findings[0].message


def test_unresolved_references_are_reported_never_guessed(catalog: Catalog) -> None:
    reason = "table name from variable tableName"
    refs = [
        ref(None, unresolved=reason, line=4),
        ref(None, "insert", unresolved=reason, line=8),
        ref(None, unresolved="SQL does not parse: unexpected token", via="sql", path="q.py"),
    ]
    findings = _compare(refs, catalog)
    assert _kinds(findings) == [
        ("code_reference_unresolved", "", None),
        ("code_reference_unresolved", "", None),
    ]
    first = next(f for f in findings if f.location == "app/page.ts:4:1")
    assert first.message == "table not checked: table name from variable tableName (2 places)"
    assert first.severity == "info"


def test_documented_tables_no_code_names_are_unused(catalog: Catalog) -> None:
    documented = ("public.orders", "public.customers", "public.audit_log")
    refs = [ref("orders"), ref("customers", embedded_in="orders")]
    assert _kinds(_compare(refs, catalog, documented=documented)) == [
        ("table_unused", "public.audit_log", None)
    ]
    with_open = [*refs, ref(None, unresolved="table name from variable t")]
    unused = [f for f in _compare(with_open, catalog, documented=documented) if f.table]
    assert (
        unused[0].message == "no scanned code names public.audit_log (1 unresolved reference might)"
    )
    every = [*refs, ref("audit_log", "delete", privilege="service")]
    assert _compare(every, catalog, documented=documented) == []


def test_json_report_carries_references_per_object(catalog: Catalog, tmp_path: Path) -> None:
    refs = (
        ref("orders", columns=("id",), privilege="service"),
        ref("customers", embedded_in="orders", columns=("name",), privilege="service"),
        ref("avatars", "storage", target="bucket"),
        ref(None, unresolved="table name from variable t", line=5),
        ref("ghost", line=6),
    )
    scan = CodeScan(root="app", files=1, lines=10, parsed=1, references=refs)
    live = LiveSide(catalog=catalog, description={"kind": "dsn"})
    report = usage_report(scan, live, None, patterns=patterns_file.load_patterns(None))
    data = json.loads(render(report))
    usage = data["usage"]
    assert usage["code"] == "app" and usage["files"] == 1 and usage["references"] == 5
    assert sorted(usage["objects"]) == ["public.customers", "public.orders"]
    assert usage["objects"]["public.customers"][0]["embedded_in"] == "orders"
    assert usage["objects"]["public.orders"][0] == {
        "path": "app/page.ts",
        "line": 1,
        "column": 1,
        "via": "supabase-js",
        "operation": "select",
        "target": "table",
        "schema": None,
        "name": "orders",
        "columns": ["id"],
        "all_columns": False,
        "partial": False,
        "privilege": "service",
        "embedded_in": None,
        "unresolved": None,
    }
    assert [b["name"] for b in usage["buckets"]] == ["avatars"]
    assert [u["unresolved"] for u in usage["unresolved"]] == ["table name from variable t"]
    assert [u["name"] for u in usage["unmatched"]] == ["ghost"]
    assert [f["kind"] for f in data["findings"]] == [
        "code_reference_unresolved",
        "code_table_missing",
    ]
    assert report.failed  # code_table_missing is an error


def test_computed_fields_system_columns_partitions_and_overloads(
    catalog: Catalog, db: TestDatabase
) -> None:
    """What PostgREST and PostgreSQL resolve beyond plain columns and tables: no error."""
    db.run(
        """
        CREATE FUNCTION order_label(orders) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
        CREATE FUNCTION customer_orders(customers) RETURNS SETOF orders
          LANGUAGE sql AS $$ SELECT * FROM orders $$;
        CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE events_2026 PARTITION OF events
          FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE FUNCTION place_order(c text) RETURNS bigint LANGUAGE sql AS $$ SELECT 2::bigint $$;
        GRANT EXECUTE ON FUNCTION place_order(text) TO anon;
        """
    )
    fresh = read_catalog(db.dsn, ("public", "billing"))
    refs = [
        ref("orders", columns=("id", "order_label", "count", "xmin", "ctid")),
        ref("customers"),
        ref("customer_orders", embedded_in="customers", columns=("id",)),
        ref("events_2026", columns=("id", "at"), via="sql"),
        ref("pg_stat_activity", via="sql"),
        ref("tables", schema="information_schema", via="sql"),
        ref("place_order", "rpc", target="function", privilege="public"),
    ]
    assert _compare(refs, fresh) == []
    # Still errors: a column no function or table has, a missing partition child.
    wrong = [ref("orders", columns=("label",)), ref("events_2025", via="sql")]
    assert _kinds(_compare(wrong, fresh)) == [
        ("code_column_missing", "public.orders", "label"),
        ("code_table_missing", "public.events_2025", None),
    ]


def test_a_missing_table_function_and_embed_of_one_name_are_three_findings(
    catalog: Catalog,
) -> None:
    refs = [
        ref("orders"),
        ref("ghost", embedded_in="orders", line=2),
        ref("ghost", line=3),
        ref("ghost", "rpc", target="function", line=4),
    ]
    findings = _compare(refs, catalog)
    assert len({f.fingerprint for f in findings}) == 3


def test_files_the_scan_could_not_read_are_findings(catalog: Catalog) -> None:
    patterns = patterns_file.load_patterns(None)
    problems = [("app/big.js", "skipped, 3,000,000 bytes"), ("app/x.py", "line 3: syntax error")]
    found, _ = compare_usage([], catalog, UsageOptions(patterns=patterns), problems)
    assert [(f.kind, f.location, f.severity) for f in found] == [
        ("code_scan_incomplete", "app/big.js", "info"),
        ("code_scan_incomplete", "app/x.py", "info"),
    ]
    assert found[0].message == "not fully scanned: skipped, 3,000,000 bytes"
