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
from schemaverify.model.findings import KINDS

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
    assert "✓ 1 table matches its spec" in result.output


def test_drift_exits_1_with_json_report(db, specs: Path) -> None:
    db.run("CREATE TABLE orders (id uuid PRIMARY KEY, total integer, shipped_at timestamptz)")
    result = invoke("check", "--dsn", db.dsn, "--specs", str(specs), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["schema_version"] == 4
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
    assert "1 table matches its spec" in result.output
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


def test_migration_errors_on_stderr_are_escaped(tmp_path: Path) -> None:
    """`coverage`, `access` and `snapshot` print a failed migration's error on stderr: the SQL
    error quotes a name from the file, which must draw no terminal escape or log line there."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_evil.sql").write_text(
        'select * from "evil\x1b]0;owned\x07\n::error::x";\n', encoding="utf-8"
    )
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "t.yaml").write_text("table: t\ncolumns:\n  - name: id\n    type: int\n")
    for command in (
        ["coverage", "--specs", str(tmp_path / "specs")],
        ["access"],
        ["snapshot"],
    ):
        result = CliRunner().invoke(
            app, [*command, "--migrations", str(folder)], catch_exceptions=False
        )
        assert result.exit_code == 1, result.output
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr
        assert '"evil\\x1b]0;owned\\x07\\n::error::x"' in result.stderr, result.stderr
        assert not any(line.startswith("::") for line in result.stderr.splitlines())


def test_error_messages_quoting_data_stay_one_line_each(tmp_path: Path) -> None:
    """A usage error quoting a path with control characters: visible escapes, and no
    carriage return splitting it into lines the log shows as separate ones."""
    bad = tmp_path / "spe\rcs\x1b[2J"
    result = CliRunner().invoke(app, ["lint", "--specs", str(bad)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert "spe\\rcs\\x1b[2J" in result.stderr, result.stderr


def test_output_file_write_errors_name_the_file(tmp_path: Path) -> None:
    """Every command writing `-o FILE` says which file could not be written, exit 2."""
    from schemaverify.model.schema import Catalog
    from schemaverify.sources import snapshot

    snap = tmp_path / "snap.json"
    snap.write_text(
        snapshot.dump(Catalog(tables=(), server_version=180000, schemas=("public",))),
        encoding="utf-8",
    )
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "t.yaml").write_text("table: t\ncolumns:\n  - name: id\n    type: int\n")
    target = tmp_path / "a-directory.json"  # -o picks the format from the extension
    target.mkdir()
    for command in (
        ["coverage", "--specs", str(tmp_path / "specs")],
        ["coverage", "--specs", str(tmp_path / "specs"), "--format", "json"],
        ["access"],
        ["check", "--specs", str(tmp_path / "specs")],
    ):
        result = CliRunner().invoke(
            app, [*command, "--snapshot", str(snap), "-o", str(target)], catch_exceptions=False
        )
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr == f"{target}: cannot write report: Is a directory\n", command
