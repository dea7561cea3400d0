"""`schemaverify check` from the command line: every exit code, the JSON contract, redaction."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.findings import KINDS

SPEC = """
table: orders
columns:
  - name: id
    type: uuid
    primary_key: true
  - name: total
    type: numeric
  - name: shipped_at
    type: timestamptz
    nullable: true
indexes:
  - primary_key: true
  - columns: [shipped_at DESC]
"""

CLEAN_SQL = """
CREATE TABLE orders (id uuid PRIMARY KEY, total numeric(12,2) NOT NULL, shipped_at timestamptz);
CREATE INDEX orders_shipped ON orders (shipped_at DESC);
"""


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(SPEC.lstrip(), encoding="utf-8")
    return folder


def invoke(*args: str, env: dict[str, str] | None = None):
    runner = CliRunner()
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def test_clean_database_exits_0(db, specs: Path) -> None:
    db.run(CLEAN_SQL)
    result = invoke("check", "--dsn", db.dsn, "--specs", str(specs))
    assert result.exit_code == 0, result.output
    assert "1 tables match their specs" in result.output


def test_drift_exits_1_with_json_report(db, specs: Path) -> None:
    db.run("CREATE TABLE orders (id uuid PRIMARY KEY, total integer, shipped_at timestamptz)")
    result = invoke("check", "--dsn", db.dsn, "--specs", str(specs), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1
    assert report["source"]["kind"] == "dsn"
    assert report["summary"]["error"] == 2 and report["summary"]["warning"] == 1
    assert report["summary"]["failed"] is True
    rows = [(f["table"], f["kind"], f["object"], f["severity"]) for f in report["findings"]]
    assert rows == [
        ("public.orders", "column_type_mismatch", "total", "error"),
        ("public.orders", "column_nullability_mismatch", "total", "error"),
        ("public.orders", "index_missing", "btree (shipped_at DESC)", "warning"),
    ]
    first = report["findings"][0]
    assert set(first) >= {"expected", "actual", "message", "spec", "caused_by"}
    assert first["spec"] == f"{specs}/orders.yaml:6"
    assert first["expected"] == "numeric" and first["actual"] == "integer"
    assert all(f["kind"] in KINDS for f in report["findings"])


def test_fail_on_threshold(db, specs: Path) -> None:
    db.run(CLEAN_SQL + "CREATE TABLE stray (id int);")
    assert invoke("check", "--dsn", db.dsn, "--specs", str(specs)).exit_code == 0
    info = invoke("check", "--dsn", db.dsn, "--specs", str(specs), "--fail-on", "info")
    assert info.exit_code == 1
    assert "table_undocumented" in info.output
    db.run("DROP INDEX orders_shipped")
    never = invoke("check", "--dsn", db.dsn, "--specs", str(specs), "--fail-on", "never")
    assert never.exit_code == 0
    assert (
        invoke("check", "--dsn", db.dsn, "--specs", str(specs), "--fail-on", "warning").exit_code
        == 1
    )


def test_dsn_from_environment_and_output_files(db, specs: Path, tmp_path: Path) -> None:
    db.run(CLEAN_SQL)
    out = tmp_path / "report.json"
    result = invoke(
        "check", "--specs", str(specs), "--output", f"json={out}", env={"SCHEMAVERIFY_DSN": db.dsn}
    )
    assert result.exit_code == 0, result.output
    assert "match their specs" in result.output
    assert json.loads(out.read_text())["findings"] == []


def test_broken_spec_exits_2_with_place(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "bad.yaml").write_text(
        textwrap.dedent(
            """\
            table: bad
            columns:
              - name: id
                typ: uuid
            """
        ),
        encoding="utf-8",
    )
    result = invoke("check", "--dsn", "postgresql://nobody@127.0.0.1:1/x", "--specs", str(folder))
    assert result.exit_code == 2
    assert f"{folder}/bad.yaml:4:" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_usage_errors_exit_2(specs: Path) -> None:
    result = invoke("check", "--dsn", "x", "--migrations", "y", "--specs", str(specs))
    assert result.exit_code == 2
    assert "exactly one source" in result.stderr
    assert invoke("check", "--dsn", "x", "--fail-on", "sometimes").exit_code == 2


def test_unreachable_host_exits_3_fast_without_password(specs: Path) -> None:
    secret = "s3cr3t-pw"
    start = time.monotonic()
    result = invoke(
        "check",
        "--dsn",
        f"postgresql://app:{secret}@127.0.0.1:1/app",
        "--specs",
        str(specs),
        "--connect-timeout",
        "3",
    )
    assert time.monotonic() - start < 10
    assert result.exit_code == 3
    assert secret not in result.output + result.stderr
    assert "127.0.0.1" in result.stderr
    assert "***" in result.stderr


def test_python_dash_m_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "schemaverify", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("schemaverify ")
