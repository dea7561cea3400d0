"""Exit codes and summaries that never contradict themselves (issue 15, items 6 and 8).

Each case here used to say two things at once: a DSN libpq cannot even parse was "cannot
connect" (exit 3, as if retrying could help); `advise` counted "111 of 86 tables"; a check
whose migrations stopped before any table existed reported `tables_checked: 39`; `diff`
spoke of specs it never had; `coverage` called `auth.users` "neither specified nor live"
because it never read `auth`.  Catalog reads use the real database (`db`).
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemaverify import api
from schemaverify.cli import app
from schemaverify.errors import EXIT_CONNECT, EXIT_USAGE, UsageError
from schemaverify.model.findings import make
from schemaverify.model.schema import Catalog
from schemaverify.pipeline import check as check_pipeline
from schemaverify.pipeline import envdiff
from schemaverify.pipeline.report import (
    ADVISE,
    CHECK,
    DIFF,
    Report,
    checked_text,
    clean_text,
    source_text,
)
from schemaverify.reports import json_report, junit
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.dsn import resolve_dsn
from schemaverify.sources.live import LiveSide, SourceOptions
from schemaverify.sources.specs import patterns as patterns_file
from schemaverify.sources.specs.load import load_specs

REPO = Path(__file__).resolve().parent.parent
ERRORS = REPO / "src" / "schemaverify" / "errors.py"
README = REPO / "README.md"

SPECS = {
    "orders.yaml": "table: orders\ncolumns:\n  - {name: id, type: integer, primary_key: true}\n",
    "items.yaml": "table: items\ncolumns:\n  - {name: id, type: integer, primary_key: true}\n",
}


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(
        app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A specs folder in a working directory without configuration or DSN in the environment."""
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text in SPECS.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for var in ("SCHEMAVERIFY_DSN", "DATABASE_URL", "PGHOST", "PGDATABASE", "PGSERVICE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- a DSN libpq cannot parse is a usage error (2), not "cannot connect" (3) -------------

MALFORMED = {
    "the issue's typo": ("postgres//oops", None),
    "a password with a blank": ("host=h password=Pw Secret77", "Secret77"),
    "an unknown URI parameter": ("postgresql://u:Hidden99@h/db?nosuch=1", "Hidden99"),
    "an unknown keyword": ("host=h nosuchkey=1 password=Hidden99", "Hidden99"),
}


@pytest.mark.parametrize(("dsn", "secret"), list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_dsn_libpq_refuses_is_a_usage_error(project: Path, dsn: str, secret: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_dsn(dsn)
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE
    assert message.startswith("the DSN ") and " is not valid: " in message
    assert "\n" not in message
    if secret is not None:
        assert secret not in message and "***" in message


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--specs", "specs"],
        ["advise"],
        ["coverage", "--specs", "specs"],
        ["snapshot"],
        ["access"],
    ],
    ids=lambda c: c[0],
)
def test_every_command_exits_2_on_a_malformed_dsn(project: Path, command: list[str]) -> None:
    for args, env in (
        ([*command, "--dsn", "postgres//oops"], None),
        (command, {"DATABASE_URL": "postgres//oops"}),
    ):
        result = invoke(*args, env=env)
        assert result.exit_code == EXIT_USAGE, (args, result.output, result.stderr)
        assert result.stderr.startswith("the DSN postgres//oops is not valid: "), result.stderr
        assert "cannot connect" not in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_diff_exits_2_on_a_malformed_dsn(project: Path) -> None:
    result = invoke("diff", "--from", "dsn:postgres//oops", "--to", "dsn:host=h nosuch=1")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith("the DSN postgres//oops is not valid: ")


def test_a_wellformed_dsn_that_cannot_connect_still_exits_3(project: Path) -> None:
    dsn = f"postgresql://app:Secret77@127.0.0.1:{closed_port()}/app"
    result = invoke("check", "--dsn", dsn, "--specs", "specs", "--connect-timeout", "3")
    assert result.exit_code == EXIT_CONNECT, result.output
    assert result.stderr.startswith("cannot connect to ") and "Secret77" not in result.stderr


# --- the internal error's exit code is documented -----------------------------------------


def _exit_codes() -> dict[str, int]:
    text = ERRORS.read_text(encoding="utf-8")
    return {name: int(code) for name, code in re.findall(r"^(EXIT_\w+) = (\d+)$", text, re.M)}


def test_every_exit_code_is_in_the_readme_table() -> None:
    codes = _exit_codes()
    assert codes["EXIT_INTERNAL"] == 4
    text = README.read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", section, re.M))
    assert set(rows) == {str(code) for code in codes.values()}
    assert "internal error" in rows["4"]


def test_the_action_documents_every_exit_code_it_can_output() -> None:
    """The action's `exit-code` output is the tool's: a CI job that branches on it must be
    able to tell "schemaverify broke" (4) from drift (1) and bad input (2)."""
    text = README.read_text(encoding="utf-8")
    outputs = re.search(r"Outputs: `exit-code` \(([^)]*)\)", text)
    assert outputs is not None
    listed = set(re.findall(r"\b(\d) [a-z]", outputs.group(1)))
    assert listed == {"0", "1", "2", "3", "4"}, outputs.group(1)
    assert "4 internal error" in outputs.group(1)


# --- "N of M tables": N never exceeds M ----------------------------------------------------

FUNCTIONS = """
CREATE TABLE notes (id int PRIMARY KEY, body text);
CREATE FUNCTION f1() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
CREATE FUNCTION f2() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 2';
CREATE FUNCTION f3() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 3';
"""


def test_advise_counts_only_tables_among_the_tables(db: Any, project: Path) -> None:
    """Advice on a function names the function as its `table`: counted, one table and three
    functions made "4 of 1 tables" (the issue's "111 of 86 tables")."""
    db.run(FUNCTIONS)
    result = invoke("advise", "--dsn", db.dsn, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    functions = {f["table"] for f in report["findings"] if f["kind"].startswith("function_")}
    assert functions == {"public.f1", "public.f2", "public.f3"}
    summary = report["summary"]
    assert summary["tables_checked"] == 1
    assert summary["tables_with_findings"] <= summary["tables_checked"]
    notes = {f["table"] for f in report["findings"]} & {"public.notes"}
    assert summary["tables_with_findings"] == len(notes)


# --- a run whose migrations stopped checked no table -------------------------------------


def _stopped(files: int = 1, path: str = "migrations/001_init.sql") -> LiveSide:
    failed = make(
        "",
        "migration_failed",
        path,
        'syntax error at or near "tabel"',
        location=f"{path}:1:8",
    )
    return LiveSide(
        None,
        (failed,),
        {"kind": "migrations", "description": "migrations migrations (embedded PostgreSQL)"},
        {"files": files, "applied": 0, "failed": 1, "skipped": files - 1},
    )


def test_a_stopped_check_says_no_table_was_checked_in_every_field(project: Path) -> None:
    specs = load_specs(Path("specs"))
    patterns = patterns_file.load_patterns(None)
    report = check_pipeline.build_report(specs, _stopped(), schemas=("public",), patterns=patterns)
    assert report.schema_read is False
    assert report.tables_checked == 0 and report.tables == ()
    assert report.summary.tables_checked == 0
    data = json_report.report_dict(report)
    assert data["summary"]["tables_checked"] == 0
    assert data["summary"]["schema_read"] is False


def test_a_stopped_check_through_the_api(project: Path) -> None:
    """`report.tables_checked` is what an API user reads: it said 2 (every spec)."""
    folder = project / "migrations"
    folder.mkdir()
    (folder / "001_init.sql").write_text("create tabel orders();\n", encoding="utf-8")
    report = api.check("specs", migrations=folder, preset="none")
    assert report.failed and not report.schema_read
    assert report.tables_checked == 0
    assert json.loads(json_report.render(report))["summary"]["tables_checked"] == 0


def test_a_diff_with_a_stopped_side_checked_no_table() -> None:
    catalog = Catalog(tables=(), schemas=("public",), source={})
    live = LiveSide(catalog, (), {"kind": "snapshot", "description": "snapshot a.json"})
    other = _stopped(path="branch/001_init.sql")
    for before, after in ((_stopped(), live), (live, _stopped()), (_stopped(), other)):
        report = envdiff.build_report(before, after, schemas=("public",))
        assert report.schema_read is False
        assert report.summary.tables_checked == 0
        assert json_report.report_dict(report)["summary"]["schema_read"] is False


# --- diff does not speak of specs ------------------------------------------------------


def test_diff_reports_speak_of_the_two_sides_not_of_specs(db: Any, project: Path) -> None:
    db.run("CREATE TABLE orders (id int PRIMARY KEY); CREATE TABLE items (id int PRIMARY KEY);")
    side = SourceOptions(dsn=db.dsn)
    report = envdiff.run_diff(side, side)
    assert report.command == DIFF and not report.findings
    texts = [source_text(report), clean_text(report), checked_text(report)]
    assert clean_text(report) == "2 tables are the same in --from and --to"
    assert source_text(report).startswith("compared --from ") and " with --to " in texts[0]
    assert checked_text(report) == "from comparing 2 tables of --from with --to"
    assert not any("spec" in text for text in texts), texts
    xml = junit.render(report)
    assert "spec" not in xml, xml
    assert json_report.report_dict(report)["specs"] is None
    for fmt in ("junit", "table", "markdown"):
        result = invoke("diff", "--from", db.dsn, "--to", db.dsn, "--format", fmt)
        assert result.exit_code == 0 and "spec" not in result.stdout, (fmt, result.stdout)
    terminal = invoke("diff", "--from", db.dsn, "--to", db.dsn).stdout
    assert "2 tables are the same in --from and --to" in terminal


def test_check_and_advise_keep_their_own_words() -> None:
    def report(command: str, tables: int) -> Report:
        names = tuple(f"public.t{i}" for i in range(tables))
        return Report(
            findings=(),
            tables_checked=tables,
            tables=names,
            command=command,
            source={"description": "db/app"},
        )

    assert clean_text(report(CHECK, 39)) == "39 tables match their specs"
    assert clean_text(report(CHECK, 1)) == "1 table matches its spec"
    assert checked_text(report(CHECK, 1)) == "from checking 1 documented table"
    assert source_text(report(CHECK, 3)) == "checked against db/app"
    assert clean_text(report(ADVISE, 44)) == "no advice on 44 tables"
    assert "spec" not in checked_text(report(ADVISE, 44))
    assert clean_text(report(DIFF, 1)) == "1 table is the same in --from and --to"


# --- coverage reads the schemas foreign keys point into --------------------------------------

AUTH = """
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY);
CREATE TABLE auth.sessions (id uuid PRIMARY KEY);
CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users);
"""

PROFILES = """
table: profiles
columns:
  - {name: id, type: uuid, primary_key: true, references: auth.users.id}
  - {name: ghost_id, type: uuid, references: ghosts.id}
"""


def _coverage(*args: str) -> dict[str, Any]:
    result = invoke("coverage", "--specs", "specs", "--format", "json", *args)
    assert result.exit_code == 0, result.output + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_coverage_finds_foreign_key_targets_in_other_schemas(db: Any, tmp_path: Path) -> None:
    db.run(AUTH)
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "profiles.yaml").write_text(PROFILES.lstrip(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        report = _coverage("--dsn", db.dsn)
    dangling = [d["table"] for d in report["dangling_references"]]
    assert dangling == ["public.ghosts"]  # auth.users is live: not "neither specified nor live"
    assert report["unread_references"] == []
    # Reading auth for the lookup reports none of its tables: only --schema's are in scope.
    assert report["summary"]["live_tables"] == 1
    assert [u["table"] for u in report["undocumented"]] == []
    assert report["schemas"] == ["public"]


def test_the_lookup_costs_no_extra_catalog_query(db: Any) -> None:
    db.run(AUTH)
    one = read_catalog(db.dsn, ("public",))
    two = read_catalog(db.dsn, ("public", "auth"))
    assert "auth.users" in {t.qualified for t in two.tables}
    assert two.query_count == one.query_count


def test_schemas_to_read_adds_foreign_key_targets_only_for_coverage(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "profiles.yaml").write_text(PROFILES.lstrip(), encoding="utf-8")
    (folder / "tenant.yaml").write_text(
        "table: accounts\ncolumns:\n  - {name: id, type: int, primary_key: true}\n"
        "  - {name: parent, type: int, references: accounts.id}\n"
        "  - {name: plan, type: int, references: billing.plans.id}\n",
        encoding="utf-8",
    )
    specs = load_specs(folder)
    assert check_pipeline.schemas_to_read(specs, ("public",)) == ("public",)
    assert check_pipeline.schemas_to_read(specs, ("public",), referenced=True) == (
        "public",
        "auth",
        "billing",
    )
    # Templates (a glob): a key to the template's own schema points into each tenant.
    assert check_pipeline.schemas_to_read(specs, ("tenant_*",), referenced=True) == (
        "tenant_*",
        "auth",
        "billing",
    )


def test_coverage_from_a_snapshot_says_which_targets_it_could_not_look_up(
    db: Any, tmp_path: Path
) -> None:
    """A snapshot holds only the schemas it recorded: asking it for `auth` would fail the
    run, so a target there is "in a schema not read", never claimed missing."""
    db.run(AUTH)
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "profiles.yaml").write_text(PROFILES.lstrip(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        taken = invoke("snapshot", "--dsn", db.dsn, "-o", "public.json")
        assert taken.exit_code == 0, taken.output
        report = _coverage("--snapshot", "public.json")
        assert [d["table"] for d in report["dangling_references"]] == ["public.ghosts"]
        [unread] = report["unread_references"]
        assert unread["table"] == "auth.users"
        assert unread["referenced_by"][0].startswith("specs/profiles.yaml:")
        text = invoke("coverage", "--specs", "specs", "--snapshot", "public.json")
        assert text.exit_code == 0, text.output
        shown = " ".join(text.stdout.split())  # the table title wraps to the table's width
        assert "referenced by a foreign key, in a schema not read from the snapshot" in shown
        assert "1 dangling reference; 1 foreign-key target in schemas not read" in shown
