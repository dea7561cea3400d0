"""Schema-per-tenant: `--schema 'tenant_*'` applies the same specs to every matching schema."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.errors import SpecError, UsageError
from schemaverify.pipeline.check import run_check, schemas_to_read
from schemaverify.pipeline.report import Report
from schemaverify.reports.json_report import report_dict
from schemaverify.reports.table import render
from schemaverify.sources import tenants
from schemaverify.sources.catalog.reader import STATEMENTS, read_catalog
from schemaverify.sources.live import SourceOptions
from schemaverify.sources.specs.load import load_specs

TENANT_SQL = """
CREATE SCHEMA "{s}";
CREATE TABLE "{s}".customers (id uuid PRIMARY KEY, email text NOT NULL);
CREATE TABLE "{s}".orders (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES "{s}".customers (id),
  plan_id integer REFERENCES public.plans (id),
  total numeric(12,2) NOT NULL
);
"""

SPECS = {
    # No `schema:`: templates for every schema the --schema globs match.
    "customers": """
        table: customers
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: email, type: text}
        """,
    "orders": """
        table: orders
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: customer_id, type: uuid, references: customers.id}
          - {name: plan_id, type: integer, nullable: true}
          - {name: total, type: numeric}
        """,
    # A shared table: it states its schema, so it is checked in public only.
    "plans": """
        table: plans
        schema: public
        columns:
          - {name: id, type: integer, primary_key: true}
        """,
}


def write_specs(folder: Path, specs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in specs.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def tenant_sql(*schemas: str) -> str:
    return "".join(TENANT_SQL.format(s=s) for s in schemas)


@pytest.fixture
def tenant_db(db):
    """Five tenants: a and b clean, c drifted, d missing `orders`, e empty; plus look-alikes
    that `tenant_*` must not match (`_` is literal) and the shared `public.plans`."""
    db.run("CREATE TABLE public.plans (id integer PRIMARY KEY);")
    db.run(tenant_sql("tenant_a", "tenant_b", "tenant_c", "tenantxa"))
    db.run("ALTER TABLE tenant_c.orders ALTER COLUMN total TYPE integer;")
    db.run(
        "CREATE SCHEMA tenant_d; CREATE TABLE tenant_d.customers (id uuid PRIMARY KEY, "
        "email text NOT NULL);"
    )
    db.run("CREATE SCHEMA tenant_e;")
    return db


def by_table(report: Report) -> dict[str, list[tuple[str, str | None]]]:
    grouped: dict[str, list[tuple[str, str | None]]] = {}
    for f in report.findings:
        grouped.setdefault(f.table, []).append((f.kind, f.object))
    return grouped


def test_specs_apply_to_every_matching_schema(tenant_db, tmp_path: Path) -> None:
    folder = write_specs(tmp_path / "specs", SPECS)
    report = run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("tenant_*",))
    assert by_table(report) == {
        "tenant_c.orders": [("column_type_mismatch", "total")],
        "tenant_d.orders": [("table_missing", None)],
        "tenant_e.customers": [("table_missing", None)],
        "tenant_e.orders": [("table_missing", None)],
    }
    # 2 templates x 5 tenants (tenantxa is no match: `_` is literal), and public.plans.
    assert report.tables_checked == 11
    assert "public.plans" in report.tables and "tenantxa.orders" not in report.tables
    missing = next(f for f in report.findings if f.table == "tenant_d.orders")
    assert missing.spec == f"{folder / 'orders.yaml'}:1"


def test_foreign_keys_of_templates_point_into_the_same_tenant(tenant_db, tmp_path: Path) -> None:
    # tenant_b.orders references tenant_a's customers: a cross-tenant reference is drift.
    tenant_db.run(
        "ALTER TABLE tenant_b.orders DROP CONSTRAINT orders_customer_id_fkey;"
        "ALTER TABLE tenant_b.orders ADD FOREIGN KEY (customer_id) REFERENCES tenant_a.customers;"
    )
    folder = write_specs(tmp_path / "specs", SPECS)
    report = run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("tenant_*",))
    [mismatch] = [f for f in report.findings if f.table == "tenant_b.orders"]
    assert (mismatch.kind, mismatch.object) == ("fk_mismatch", "customer_id")
    assert "tenant_a.customers" in mismatch.message
    assert not [f for f in report.findings if f.table == "tenant_a.orders"]


def test_glob_schema_in_a_spec_keeps_qualified_references(tenant_db, tmp_path: Path) -> None:
    specs = {
        "orders": """
            table: orders
            schema: tenant_*
            columns:
              - {name: id, type: uuid, primary_key: true}
              - {name: customer_id, type: uuid, references: customers.id}
              - {name: plan_id, type: integer, nullable: true, references: public.plans.id}
              - {name: total, type: numeric}
            """
    }
    folder = write_specs(tmp_path / "specs", specs)
    # No --schema glob needed: the spec names its own; public is read for undocumented tables.
    report = run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("public",))
    assert by_table(report) == {
        "tenant_c.orders": [("column_type_mismatch", "total")],
        "tenant_d.orders": [("table_missing", None)],
        "tenant_e.orders": [("table_missing", None)],
        "public.plans": [("table_undocumented", None)],
    }
    assert report.tables_checked == 5


def test_a_spec_naming_one_tenant_overrides_the_template(tenant_db, tmp_path: Path) -> None:
    own = """
        table: orders
        schema: tenant_c
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: customer_id, type: uuid, references: customers.id}
          - {name: plan_id, type: integer, nullable: true}
          - {name: total, type: integer}
        """
    folder = write_specs(tmp_path / "specs", {**SPECS, "orders_c": own})
    report = run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("tenant_*",))
    assert "tenant_c.orders" not in by_table(report)
    assert report.tables_checked == 11


def test_two_templates_for_one_table_are_a_spec_error(tenant_db, tmp_path: Path) -> None:
    spec = "table: customers\nschema: {}\ncolumns:\n  - {{name: id, type: uuid}}\n"
    folder = write_specs(
        tmp_path / "specs", {"a": spec.format("tenant_*"), "b": spec.format("tenant_?")}
    )
    with pytest.raises(SpecError) as caught:
        run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("public",))
    assert "table tenant_a.customers is already described by" in str(caught.value)


def test_a_glob_matching_no_schema_is_a_usage_error(tenant_db, tmp_path: Path) -> None:
    folder = write_specs(tmp_path / "specs", SPECS)
    with pytest.raises(UsageError, match=r"--schema 'tenants_\*' matches no schema of"):
        run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("tenants_*",))
    result = CliRunner().invoke(
        app,
        ["check", "--dsn", tenant_db.dsn, "--specs", str(folder), "--schema", "nobody_*"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "--schema 'nobody_*' matches no schema of" in result.output


def test_like_wildcards_in_schema_names_are_literal(db) -> None:
    db.run('CREATE SCHEMA a_b; CREATE SCHEMA axb; CREATE SCHEMA "a%b"; CREATE SCHEMA "a\\b";')
    assert read_catalog(db.dsn, ["a_*"]).schemas == ("a_b",)
    assert read_catalog(db.dsn, ["a%*"]).schemas == ("a%b",)
    assert read_catalog(db.dsn, ["a\\*"]).schemas == ("a\\b",)
    assert read_catalog(db.dsn, ["a?b"]).schemas == ("a%b", "a\\b", "a_b", "axb")
    # A plain name is exact, with or without a glob beside it.
    assert read_catalog(db.dsn, ["axb", "a_*"]).schemas == ("axb", "a_b")
    # The Python matcher agrees with the SQL one.
    for glob in ("a_*", "a%*", "a\\*", "a?b", "*"):
        expected = read_catalog(db.dsn, [glob]).schemas
        live = read_catalog(db.dsn, ["*"]).schemas
        assert tenants.matching(glob, live) == expected


def test_globs_never_match_system_schemas(db) -> None:
    schemas = read_catalog(db.dsn, ["*"]).schemas
    assert "public" in schemas
    assert not [s for s in schemas if s.startswith("pg_") or s == "information_schema"]


def test_query_count_is_the_same_for_2_and_50_tenants(db) -> None:
    db.run("CREATE TABLE public.plans (id integer PRIMARY KEY);")
    db.run(tenant_sql(*(f"tenant_{i:02d}" for i in range(2))))
    small = read_catalog(db.dsn, ["tenant_*"])
    db.run(tenant_sql(*(f"tenant_{i:02d}" for i in range(2, 50))))
    large = read_catalog(db.dsn, ["tenant_*"])
    assert len(small.schemas) == 2 and len(large.schemas) == 50
    assert len(small.tables) == 4 and len(large.tables) == 100
    assert small.query_count == large.query_count == STATEMENTS


def test_json_and_terminal_reports_count_per_schema(tenant_db, tmp_path: Path) -> None:
    folder = write_specs(tmp_path / "specs", SPECS)
    report = run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("tenant_*",))
    summary = report_dict(report)["summary"]
    zero = {"error": 0, "warning": 0, "info": 0}
    assert summary["schemas"] == {
        "public": zero,
        "tenant_a": zero,
        "tenant_b": zero,
        "tenant_c": {"error": 1, "warning": 0, "info": 0},
        "tenant_d": {"error": 1, "warning": 0, "info": 0},
        "tenant_e": {"error": 2, "warning": 0, "info": 0},
    }
    text = render(report)
    assert "per schema:" in text
    assert "  tenant_e  2 error, 0 warning, 0 info" in text
    assert "3 other schemas: no findings" in text


def test_one_schema_reports_as_before(db, tmp_path: Path) -> None:
    db.run("CREATE TABLE plans (id integer PRIMARY KEY);")
    folder = write_specs(tmp_path / "specs", {"plans": SPECS["plans"]})
    report = run_check(folder, SourceOptions(dsn=db.dsn))
    assert report_dict(report)["summary"]["schemas"] == {
        "public": {"error": 0, "warning": 0, "info": 0}
    }
    assert "per schema" not in render(report) and "schemas" not in render(report)


def test_config_schemas_take_globs(tenant_db, tmp_path: Path) -> None:
    write_specs(tmp_path / "specs", SPECS)
    (tmp_path / "schemaverify.toml").write_text(
        f'specs = "specs"\nschemas = ["tenant_*"]\ndsn = "{tenant_db.dsn}"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        app,
        ["check", "--config", str(tmp_path / "schemaverify.toml"), "--format", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["tables_checked"] == 11
    assert {f["table"] for f in report["findings"]} == {
        "tenant_c.orders",
        "tenant_d.orders",
        "tenant_e.customers",
        "tenant_e.orders",
    }


def test_templates_do_not_read_public(tmp_path: Path) -> None:
    folder = write_specs(tmp_path / "specs", SPECS)
    specs = load_specs(folder)
    assert schemas_to_read(specs, ["tenant_*"]) == ("tenant_*", "public")  # plans states it
    only_templates = load_specs(write_specs(tmp_path / "t", {"orders": SPECS["orders"]}))
    assert schemas_to_read(only_templates, ["tenant_*"]) == ("tenant_*",)
    assert schemas_to_read(only_templates, ["public"]) == ("public",)


@pytest.mark.parametrize(
    ("glob", "like"),
    [("tenant_*", "tenant\\_%"), ("a%?", "a\\%_"), ("a\\b*", "a\\\\b%"), ("x", "x")],
)
def test_like_pattern(glob: str, like: str) -> None:
    assert tenants.like_pattern(glob) == like


def test_snapshot_source_takes_tenant_globs(tenant_db, tmp_path: Path) -> None:
    """`check --snapshot` with `--schema 'tenant_*'` matches among the recorded schemas."""
    from schemaverify.sources import snapshot

    folder = write_specs(tmp_path / "specs", SPECS)
    live = read_catalog(tenant_db.dsn, ["public", "tenant_*"])
    path = tmp_path / "live.json"
    snapshot.write(live, path)
    from_snapshot = run_check(folder, SourceOptions(snapshot=str(path)), schemas=("tenant_*",))
    from_dsn = run_check(folder, SourceOptions(dsn=tenant_db.dsn), schemas=("tenant_*",))
    assert from_snapshot.findings == from_dsn.findings
    assert by_table(from_snapshot)["tenant_c.orders"] == [("column_type_mismatch", "total")]


def test_coverage_takes_tenant_globs(tenant_db, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from schemaverify.cli import app

    folder = write_specs(tmp_path / "specs", SPECS)
    result = CliRunner().invoke(
        app,
        [
            "coverage",
            "--dsn",
            tenant_db.dsn,
            "--specs",
            str(folder),
            "-s",
            "tenant_*",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    missing = {m["table"] for m in report["specs_without_table"]}
    assert missing == {"tenant_d.orders", "tenant_e.customers", "tenant_e.orders"}
    assert "tenantxa.orders" not in report["documented"]
    assert "tenant_a.orders" in report["documented"]
