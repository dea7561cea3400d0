"""Comments: read from pg_description, compared with `purpose` and column notes when asked
(`comments: strict`), and written from the specs by `comments-sql`, on a real server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from pgserver import TestDatabase
from schemaverify.cli import app
from schemaverify.pipeline.check import run_check
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions

DDL = 'CREATE TABLE "Orders" (id int PRIMARY KEY, status text NOT NULL, "Odd Name" text);\n'

SPEC = """\
table: '"Orders"'
{mode}purpose: "Customer orders: one row per checkout, it's \\\\ the ledger"
columns:
  - {{name: id, type: integer, primary_key: true}}
  - {{name: status, type: text, note: "Where the order is"}}
  - {{name: '"Odd Name"', type: text, nullable: true, note: "quoted 'name'"}}
"""


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _specs(folder: Path, mode: str = "comments: strict\n") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(SPEC.format(mode=mode), encoding="utf-8")
    return folder


def _found(report: Any) -> list[tuple[str, str | None]]:
    return sorted((f.kind, f.object or "") for f in report.findings)


def test_comments_are_read_from_the_catalog(db: TestDatabase) -> None:
    db.run(
        DDL + "COMMENT ON TABLE \"Orders\" IS 'the ledger';\n"
        "COMMENT ON COLUMN \"Orders\".status IS 'where it is';\n"
    )
    (table,) = read_catalog(db.dsn).tables
    assert table.comment == "the ledger"
    assert {c.name: c.comment for c in table.columns} == {
        "id": None,
        "status": "where it is",
        "Odd Name": None,
    }


def test_strict_reports_missing_then_comments_sql_makes_them_agree(
    db: TestDatabase, tmp_path: Path
) -> None:
    db.run(DDL)
    folder = _specs(tmp_path / "specs")
    report = run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never")
    assert _found(report) == [
        ("comment_missing", ""),
        ("comment_missing", "Odd Name"),
        ("comment_missing", "status"),
    ]
    assert {f.severity for f in report.findings} == {"info"}
    result = invoke("comments-sql", "--specs", str(folder))
    assert result.exit_code == 0, result.output
    assert "COMMENT ON COLUMN \"public\".\"Orders\".\"Odd Name\" IS 'quoted ''name''';" in (
        result.stdout
    )
    db.run(result.stdout)  # the statements are valid SQL, quotes and backslash included
    report = run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never")
    assert report.findings == ()
    comment_facts = [f for f in report.facts if f.subject.endswith(".comment")]
    assert len(comment_facts) == 3 and {f.status for f in comment_facts} == {"verified"}
    (table,) = read_catalog(db.dsn).tables
    assert table.comment == "Customer orders: one row per checkout, it's \\ the ledger"


def test_a_different_comment_is_a_mismatch(db: TestDatabase, tmp_path: Path) -> None:
    db.run(
        DDL + "COMMENT ON COLUMN \"Orders\".status IS 'Where   the order\nis';\n"
        "COMMENT ON TABLE \"Orders\" IS 'Old text';\n"
    )
    report = run_check(_specs(tmp_path / "specs"), SourceOptions(dsn=db.dsn), fail_on="never")
    found = {(f.kind, f.object): f for f in report.findings}
    assert set(found) == {("comment_mismatch", None), ("comment_missing", "Odd Name")}
    assert found[("comment_mismatch", None)].severity == "warning"
    assert "the table's comment is 'Old text'" in found[("comment_mismatch", None)].message


def test_comments_are_compared_only_when_asked(db: TestDatabase, tmp_path: Path) -> None:
    db.run(DDL)
    folder = _specs(tmp_path / "specs", mode="")
    assert run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never").findings == ()
    config = tmp_path / "schemaverify.toml"
    config.write_text(f'specs = "{folder}"\ncomments = "strict"\n', encoding="utf-8")
    result = invoke("check", "--config", str(config), "--dsn", db.dsn, "-f", "json")
    assert result.stdout, result.stderr
    kinds = {f["kind"] for f in json.loads(result.stdout)["findings"]}
    assert kinds == {"comment_missing"}
    _specs(folder, mode='comments: "off"\n')  # the spec's own word wins
    result = invoke("check", "--config", str(config), "--dsn", db.dsn, "-f", "json")
    assert json.loads(result.stdout)["findings"] == []
    config.write_text('comments = "always"\n', encoding="utf-8")
    bad = invoke("check", "--config", str(config), "--dsn", db.dsn)
    assert bad.exit_code == 2 and "comments: unknown value 'always'" in bad.stderr


def test_a_line_break_in_a_spec_path_cannot_end_the_sql_comment(tmp_path: Path) -> None:
    from schemaverify.model.schema import Table
    from schemaverify.model.spec import SpecSet, TableSpec
    from schemaverify.reports.comments_sql import render

    spec = TableSpec(Table("public", "t"), path="a\rDROP TABLE x;\u2028.yaml", purpose="p")
    text = render(SpecSet((spec,)), "specs\rDROP")
    assert [
        line for line in text.splitlines() if "DROP" in line and not line.startswith("--")
    ] == []


def test_a_spec_of_a_view_gets_comment_on_view_with_a_source(
    db: TestDatabase, tmp_path: Path
) -> None:
    db.run("CREATE TABLE base (id int PRIMARY KEY);\nCREATE VIEW shown AS SELECT id FROM base;\n")
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "shown.yaml").write_text(
        "table: shown\npurpose: What the app shows\ncolumns:\n"
        "  - {name: id, type: integer, nullable: true, note: The key}\n",
        encoding="utf-8",
    )
    plain = invoke("comments-sql", "--specs", str(folder))
    assert 'COMMENT ON TABLE "public"."shown"' in plain.stdout  # no source: taken for a table
    result = invoke("comments-sql", "--specs", str(folder), "--dsn", db.dsn)
    assert result.exit_code == 0, result.output
    assert 'COMMENT ON VIEW "public"."shown" IS \'What the app shows\';' in result.stdout
    db.run(result.stdout)  # PostgreSQL takes it (COMMENT ON TABLE would be refused)
    (view,) = [t for t in read_catalog(db.dsn).tables if t.name == "shown"]
    assert view.comment == "What the app shows"
    assert view.columns[0].comment == "The key"
