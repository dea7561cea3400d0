"""`schemaverify coverage` on a real database: documented, undocumented and missing tables."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from schemaverify.cli import app

SPECS = {
    "documented.yaml": """
table: documented
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: owner_id, type: uuid, references: owners.id}
  - {name: ghost_id, type: uuid, references: ghosts.id}
""",
    "owners.yaml": """
table: owners
columns:
  - {name: id, type: uuid, primary_key: true}
""",
    "planned.yaml": """
table: planned
columns:
  - {name: id, type: uuid}
""",
}


def _specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text in SPECS.items():
        (folder / name).write_text(text.lstrip(), encoding="utf-8")
    return folder


def test_coverage_json(db, tmp_path: Path) -> None:
    db.run(
        """
        CREATE TABLE owners (id uuid PRIMARY KEY);
        CREATE TABLE documented (id uuid PRIMARY KEY, owner_id uuid NOT NULL REFERENCES owners);
        CREATE TABLE legacy (id int, a text, b text);
        CREATE TABLE audit_log (id bigint);
        CREATE VIEW v AS SELECT 1 AS one;
        CREATE SCHEMA other;
        CREATE TABLE other.elsewhere (id int);
        """
    )
    folder = _specs(tmp_path)
    result = CliRunner().invoke(
        app, ["coverage", "--dsn", db.dsn, "--specs", str(folder), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["summary"] == {
        "live_tables": 4,
        "documented": 2,
        "undocumented": 2,
        "specs_without_table": 1,
        "dangling_references": 1,
        "coverage": 0.5,
    }
    assert report["undocumented"] == [
        {"table": "public.audit_log", "columns": 1, "kind": "table"},
        {"table": "public.legacy", "columns": 3, "kind": "table"},
    ]
    assert report["specs_without_table"] == [
        {"table": "public.planned", "spec": f"{folder}/planned.yaml:1"}
    ]
    [dangling] = report["dangling_references"]
    assert dangling["table"] == "public.ghosts"
    assert dangling["referenced_by"][0].startswith(f"{folder}/documented.yaml:")

    table = CliRunner().invoke(app, ["coverage", "--dsn", db.dsn, "--specs", str(folder)])
    assert table.exit_code == 0
    assert "2 of 4 live tables documented (50%)" in table.output
    assert "public.legacy" in table.output

    gate = CliRunner().invoke(
        app, ["coverage", "--dsn", db.dsn, "--specs", str(folder), "--min", "75"]
    )
    assert gate.exit_code == 1

    wide = CliRunner().invoke(
        app,
        [
            "coverage",
            "--dsn",
            db.dsn,
            "--specs",
            str(folder),
            "-s",
            "public",
            "-s",
            "other",
            "--format",
            "json",
        ],
    )
    assert json.loads(wide.stdout)["summary"]["live_tables"] == 5
