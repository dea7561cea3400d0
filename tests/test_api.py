"""The public Python API does what the CLI does, without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemaverify as sv
from pgserver import TestDatabase

SPEC = """\
table: orders
columns:
  - {name: id, type: bigint, primary_key: true}
  - {name: total, type: "numeric(10,2)"}
"""


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(SPEC)
    return folder


def test_check_compare_and_facts(db: TestDatabase, specs: Path) -> None:
    db.run("CREATE TABLE orders (id bigint PRIMARY KEY, total integer NOT NULL)")
    report = sv.check(specs, dsn=db.dsn)
    assert isinstance(report, sv.Report)
    assert [f.kind for f in report.findings] == ["column_type_mismatch"]
    assert report.failed
    status = {f.id: f.status for f in report.facts}
    assert status["public.orders|column.type|total"] == "drift"
    assert status["public.orders|column.type|id"] == "verified"

    loaded = sv.load_specs(specs)
    catalog = sv.read_catalog(db.dsn, ["public"])
    verification = sv.compare(loaded, catalog)
    assert [f.fingerprint for f in verification.findings] == [
        f.fingerprint for f in report.findings
    ]
    assert {f.id for f in verification.facts} == set(status)


def test_errors_are_the_cli_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("table: [\n")
    with pytest.raises(sv.SpecError) as caught:
        sv.load_specs(bad)
    assert "bad.yaml:" in str(caught.value)
    with pytest.raises(AttributeError):
        _ = sv.no_such_thing  # type: ignore[attr-defined]


def test_usage_and_scan_code(db: TestDatabase, specs: Path, tmp_path: Path) -> None:
    db.run("CREATE TABLE orders (id bigint PRIMARY KEY, total integer NOT NULL)")
    code = tmp_path / "app"
    code.mkdir()
    (code / "page.ts").write_text(
        "export async function load(supabase: any) {\n"
        "  return supabase.from('orders').select('id, totl').eq('id', 1)\n"
        "}\n"
    )
    scan = sv.scan_code(code)
    assert [(r.name, r.columns, r.line) for r in scan.references] == [("orders", ("id", "totl"), 2)]
    assert isinstance(scan.references[0], sv.CodeReference)
    report = sv.usage(code, specs=specs, dsn=db.dsn)
    assert [(f.kind, f.object) for f in report.findings] == [("code_column_missing", "totl")]
    assert report.usage is not None and report.usage.of("public.orders") == scan.references
