"""Hostile identifiers round-trip: real DDL -> catalog -> spec match -> every report format.

Names with double quotes, mixed case, spaces, reserved words, non-ASCII letters
and report-format punctuation (`%`, `,`, `:`, `|`, `*`, `_`, backticks, `<`,
`[`) are created in a real database, named in specs the way
docs/spec-format.md says (SQL rules: unquoted names fold ASCII letters to
lower case, a quoted name keeps its case, `""` is a double quote inside it),
checked clean, then drifted: each finding names the object exactly, in every
format, after that format's own escaping is undone.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pgserver import Server, TestDatabase
from schemaverify.cli import app
from schemaverify.pipeline.check import run_check
from schemaverify.reports.formats import FORMATS
from schemaverify.reports.markdown import cell
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions

CAFE = "Sales Dept.Café Orders"
ODD = "Sales Dept.Odd: 50%, x|y"
MIXED = "public.MixedCase"
ALERT = "Sales Dept.[red]alert"
"""Undocumented, in a schema only coverage is asked about: its name is no Rich markup."""
HOSTILE_COLUMN = "a|b*c_d`e<f>[bold]g"

DDL = r"""
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Café Orders" (
  id integer PRIMARY KEY,
  "select" text NOT NULL,
  "user" text NOT NULL UNIQUE,
  "Mixed""Quote" integer NOT NULL,
  "naïve-col" text,
  ÄRGER integer,
  CamelCase text
);
CREATE INDEX "Idx ""odd"" name" ON "Sales Dept"."Café Orders" ("Mixed""Quote" DESC, "naïve-col");
CREATE INDEX cafe_lower_select ON "Sales Dept"."Café Orders" (lower("select")) WHERE "user" <> '';
ALTER TABLE "Sales Dept"."Café Orders" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Owners: read ""own"" rows" ON "Sales Dept"."Café Orders"
  FOR SELECT USING ("user" = current_user);

CREATE TABLE "Sales Dept"."Odd: 50%, x|y" (
  id integer PRIMARY KEY,
  "order" integer REFERENCES "Sales Dept"."Café Orders" (id),
  "a|b*c_d`e<f>[bold]g" text
);

CREATE TABLE "Sales Dept"."[red]alert" (id integer);

CREATE TABLE public."MixedCase" (
  "Id" integer PRIMARY KEY,
  "Parent" integer REFERENCES "Sales Dept"."Café Orders" (id) ON DELETE CASCADE
);
"""

SPECS = {
    # Unquoted names fold their ASCII letters only: ÄRGER is the column "Ärger", as in SQL.
    "cafe.yaml": r"""
table: '"Café Orders"'
schema: '"Sales Dept"'
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: select, type: text}
  - {name: '"user"', type: text, unique: true}
  - {name: '"Mixed""Quote"', type: integer}
  - {name: '"naïve-col"', type: text, nullable: true}
  - {name: ÄRGER, type: integer, nullable: true}
  - {name: CamelCase, type: text, nullable: true}
indexes:
  - primary_key: true
  - columns: ['"Mixed""Quote" DESC', '"naïve-col"']
  - columns: ['(lower("select"))']
    where: "\"user\" <> ''"
rls:
  policies:
    - name: 'Owners: read "own" rows'
      command: select
      using: '"user" = current_user'
""",
    "odd.yaml": r"""
table: '"Odd: 50%, x|y"'
schema: '"Sales Dept"'
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: '"order"', type: integer, nullable: true, references: '"Sales Dept"."Café Orders".id'}
  - {name: '"a|b*c_d`e<f>[bold]g"', type: text, nullable: true}
""",
    "mixed.yaml": r"""
table: '"MixedCase"'
columns:
  - {name: '"Id"', type: integer, primary_key: true}
  - {name: '"Parent"', type: integer, nullable: true}
foreign_keys:
  - columns: ['"Parent"']
    references: {table: '"Sales Dept"."Café Orders"', columns: [id]}
    on_delete: cascade
""",
}

DRIFT = r"""
ALTER TABLE "Sales Dept"."Café Orders" ALTER COLUMN "Mixed""Quote" TYPE bigint;
DROP INDEX "Sales Dept"."Idx ""odd"" name";
ALTER TABLE "Sales Dept"."Odd: 50%, x|y" DROP COLUMN "a|b*c_d`e<f>[bold]g";
"""

EXPECTED_DRIFT = [
    (CAFE, "column_type_mismatch", 'Mixed"Quote'),
    (CAFE, "index_missing", 'btree (Mixed"Quote DESC, naïve-col)'),
    (ODD, "column_missing", HOSTILE_COLUMN),
]


@pytest.fixture(scope="module")
def template(pg_server: Server) -> Iterator[str]:
    """The DDL, run once per server; each test gets a copy."""
    with pg_server.template(DDL) as name:
        yield name


@pytest.fixture
def db(pg_server: Server, template: str) -> Iterator[TestDatabase]:
    with pg_server.copy(template) as database:
        yield database


@pytest.fixture
def hostile(db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text in SPECS.items():
        (folder / name).write_text(text.lstrip(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "300"}, catch_exceptions=False)


def test_catalog_keeps_every_name_as_stored(hostile: Path, db: TestDatabase) -> None:
    catalog = read_catalog(db.dsn, ["public", "Sales Dept"])
    assert [t.qualified for t in catalog.tables] == [CAFE, ODD, ALERT, MIXED]  # "S" < "[" < "p"
    cafe = catalog.table(CAFE)
    assert cafe is not None
    assert [c.name for c in cafe.columns] == [
        "id",
        "select",
        "user",
        'Mixed"Quote',
        "naïve-col",
        "Ärger",  # PostgreSQL folds only ASCII letters of an unquoted name
        "camelcase",
    ]
    assert 'Idx "odd" name' in [ix.name for ix in cafe.indexes]
    assert cafe.rls is not None
    assert [p.name for p in cafe.rls.policies] == ['Owners: read "own" rows']
    odd = catalog.table(ODD)
    assert odd is not None and odd.column(HOSTILE_COLUMN) is not None


def test_specs_naming_them_exactly_check_clean(hostile: Path, db: TestDatabase) -> None:
    report = run_check(hostile, SourceOptions(dsn=db.dsn))
    assert [(f.table, f.kind, f.object) for f in report.findings] == []
    assert sorted(report.tables) == sorted([CAFE, ODD, MIXED])


def test_wrong_case_is_a_different_name(hostile: Path, db: TestDatabase) -> None:
    """`MixedCase` unquoted means mixedcase: the spec names a table that does not exist."""
    text = (hostile / "mixed.yaml").read_text(encoding="utf-8")
    (hostile / "mixed.yaml").write_text(
        text.replace("table: '\"MixedCase\"'", "table: MixedCase"), encoding="utf-8"
    )
    report = run_check(hostile, SourceOptions(dsn=db.dsn))
    found = [(f.table, f.kind) for f in report.findings]
    assert ("public.mixedcase", "table_missing") in found
    assert (MIXED, "table_undocumented") in found
    missing = next(f for f in report.findings if f.kind == "table_missing")
    assert "a table of that name exists" not in missing.message  # different name, not schema


def _unescape_github(text: str, prop: bool) -> str:
    if prop:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _parse_github(line: str) -> tuple[str, dict[str, str], str]:
    match = re.fullmatch(r"::(\w+) (.*?)::(.*)", line)
    assert match, line
    props = {}
    for item in match.group(2).split(","):  # commas inside values are escaped
        key, _, value = item.partition("=")
        props[key] = _unescape_github(value, prop=True)
    return match.group(1), props, _unescape_github(match.group(3), prop=False)


def test_drift_names_each_object_exactly_in_every_format(
    hostile: Path, db: TestDatabase, tmp_path: Path
) -> None:
    db.run(DRIFT)
    out = tmp_path / "out"
    out.mkdir()
    outputs = [a for fmt in FORMATS for a in ("--output", f"{fmt}={out / fmt}")]
    result = invoke("check", "--dsn", db.dsn, "--specs", "specs", *outputs)
    assert result.exit_code == 1, result.output + result.stderr
    texts = {fmt: (out / fmt).read_text(encoding="utf-8") for fmt in FORMATS}

    # JSON: the contract, exact.
    report = json.loads(texts["json"])
    findings = report["findings"]
    assert [(f["table"], f["kind"], f["object"]) for f in findings] == EXPECTED_DRIFT
    by_fingerprint = {f["fingerprint"]: f for f in findings}
    assert list(by_fingerprint) == [f"{t}|{k}|{o}" for t, k, o in EXPECTED_DRIFT]
    assert findings[0]["message"] == 'column Mixed"Quote is bigint, documented as integer'
    assert findings[2]["spec"] == "specs/odd.yaml:6"

    # SARIF: one result per finding, fingerprinted, at its spec line, the table as location.
    sarif = json.loads(texts["sarif"])
    results = sarif["runs"][0]["results"]
    assert [r["partialFingerprints"]["schemaverify/v1"] for r in results] == list(by_fingerprint)
    for result_, finding in zip(results, findings, strict=True):
        assert result_["ruleId"] == finding["kind"]
        assert result_["message"]["text"] == finding["message"]
        location = result_["locations"][0]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == finding["table"]
        assert (
            location["physicalLocation"]["artifactLocation"]["uri"]
            == (finding["spec"].rsplit(":", 1)[0])
        )

    # JUnit: test cases named by table, failures typed by kind with the exact message.
    suite = ET.fromstring(texts["junit"])
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {CAFE, ODD, MIXED}
    failures = [
        (name, failure.get("type"), failure.get("message"))
        for name, case in cases.items()
        for failure in case.iter("failure")
    ]
    expected_failures = [
        (f["table"], f["kind"], f["message"]) for f in findings if f["severity"] == "error"
    ]
    assert sorted(failures) == sorted(expected_failures)
    quiet = "".join(out.text or "" for out in cases[CAFE].iter("system-out"))
    assert 'index_missing: no index btree (Mixed"Quote DESC, naïve-col)' in quiet  # a warning
    odd_failure = next(cases[ODD].iter("failure"))
    assert f"object: {HOSTILE_COLUMN}" in (odd_failure.text or "")

    # GitHub: properties and message unescape to the exact table, kind and message.
    lines = [line for line in texts["github"].splitlines() if line]
    assert len(lines) == len(findings)
    for line, finding in zip(lines, findings, strict=True):
        command, props, message = _parse_github(line)
        assert command == {"error": "error", "warning": "warning"}[finding["severity"]]
        assert props["title"] == f"{finding['kind']} ({finding['table']})"
        assert props["file"] + ":" + props["line"] == finding["spec"]
        assert message == finding["message"]
    assert "%25" in lines[2] and "%3A" in lines[2] and "%2C" in lines[2]  # ODD's title

    # Markdown: the escaped names are there, and no name breaks a table row.
    markdown = texts["markdown"]
    for _, _, obj in EXPECTED_DRIFT:
        assert cell(obj) in markdown
    assert cell(HOSTILE_COLUMN) != HOSTILE_COLUMN
    tables: list[list[int]] = []  # unescaped "|" per line, per block of table lines
    previous_was_row = False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous_was_row:
            tables.append([])
        if is_row:
            tables[-1].append(len(re.findall(r"(?<!\\)\|", line)))
        previous_was_row = is_row
    assert len(tables) >= 3  # the summary and one per table with findings
    for counts in tables:
        assert len(set(counts)) == 1, counts

    # Terminal table: names printed literally (no Rich markup applied to `[bold]`).
    terminal = texts["table"] + result.stdout
    assert 'Mixed"Quote' in terminal
    assert CAFE in terminal and ODD in terminal
    assert HOSTILE_COLUMN in terminal


def test_baseline_round_trips_hostile_fingerprints(hostile: Path, db: TestDatabase) -> None:
    """A table name with `|` (the fingerprint separator) and objects with `"` and `|`."""
    db.run(DRIFT)
    recorded = invoke("baseline", "--dsn", db.dsn, "--specs", "specs", "-o", "baseline.json")
    assert recorded.exit_code == 0, recorded.output + recorded.stderr
    entries = json.loads(Path("baseline.json").read_text(encoding="utf-8"))["entries"]
    assert sorted((e["table"], e["kind"], e["object"]) for e in entries) == sorted(EXPECTED_DRIFT)
    checked = invoke(
        "check", "--dsn", db.dsn, "--specs", "specs", "--baseline", "baseline.json",
        "--format", "json", "--fail-on-stale",
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output + checked.stderr
    report = json.loads(checked.stdout)
    assert report["findings"] == [] and report["stale_baseline"] == []
    assert sorted((f["table"], f["kind"], f["object"]) for f in report["baselined"]) == sorted(
        EXPECTED_DRIFT
    )


def test_coverage_of_a_mixed_case_schema(hostile: Path, db: TestDatabase) -> None:
    args = ("coverage", "--dsn", db.dsn, "--specs", "specs", "--schema", "Sales Dept")
    result = invoke(*args, "--schema", "public", "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    coverage = json.loads(result.stdout)
    assert sorted(coverage["documented"]) == sorted([CAFE, ODD, MIXED])
    assert [u["table"] for u in coverage["undocumented"]] == [ALERT]
    assert coverage["specs_without_table"] == []
    terminal = invoke(*args)
    assert terminal.exit_code == 0, terminal.output + terminal.stderr
    assert ALERT in terminal.stdout
