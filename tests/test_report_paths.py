"""Paths from the repository root in SARIF, annotations, JUnit and Markdown (issue 15, item 9).

GitHub resolves `file=`, SARIF's `%SRCROOT%` and JUnit's `file` against the repository
root.  Run from a subfolder (`cd db && schemaverify check`), the reports named
`specs/orders.yaml` where the repository has `db/specs/orders.yaml`, and an absolute
`--migrations "$PWD/..."` gave absolute paths GitHub places nowhere.  The root here is a
real git repository made in tmp_path; the end-to-end case reads a real catalog (`db`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.model.findings import make, sort_findings
from schemaverify.pipeline.baseline import Entry, Outcome
from schemaverify.pipeline.report import Report
from schemaverify.reports import github, junit, markdown, sarif
from schemaverify.reports.paths import WORKSPACE, Rebase, find_root, rooted


@pytest.fixture(autouse=True)
def no_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI sets $GITHUB_WORKSPACE for the whole job; each test says what it wants."""
    monkeypatch.delenv(WORKSPACE, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository (`git init`) with the project in its subfolder `db`."""
    root = tmp_path / "repo"
    (root / "db" / "specs").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


# --- the root ---------------------------------------------------------------------------


def test_the_root_is_the_nearest_folder_holding_git(repo: Path, tmp_path: Path) -> None:
    assert find_root(repo / "db" / "specs", {}) == repo
    assert find_root(repo, {}) == repo
    plain = tmp_path / "plain" / "sub"
    plain.mkdir(parents=True)
    assert find_root(plain, {}) == plain  # no repository: the current folder


def test_a_git_file_marks_a_root_too(tmp_path: Path) -> None:
    """A worktree or a submodule has a `.git` file, not a folder."""
    worktree = tmp_path / "wt"
    (worktree / "sub").mkdir(parents=True)
    (worktree / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n", encoding="utf-8")
    assert find_root(worktree / "sub", {}) == worktree


def test_github_workspace_wins_when_set(repo: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    assert find_root(repo / "db", {WORKSPACE: str(workspace)}) == workspace
    # Set but no folder (a stale variable): the repository as usual.
    assert find_root(repo / "db", {WORKSPACE: str(tmp_path / "gone")}) == repo
    assert find_root(repo / "db", {WORKSPACE: ""}) == repo


def test_the_environment_variable_is_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKSPACE, str(repo / "db"))
    monkeypatch.chdir(repo / "db" / "specs")
    assert find_root() == repo / "db"
    assert Rebase().path("a.yaml") == "specs/a.yaml"


# --- rebasing a path ----------------------------------------------------------------------


def test_paths_inside_the_root_become_relative_to_it(repo: Path) -> None:
    paths = Rebase(repo, cwd=repo / "db")
    assert paths.path("specs/orders.yaml") == "db/specs/orders.yaml"
    assert paths.path("./specs/orders.yaml") == "db/specs/orders.yaml"
    assert paths.path(str(repo / "db" / "specs" / "orders.yaml")) == "db/specs/orders.yaml"
    assert paths.path("../supabase/migrations/001.sql") == "supabase/migrations/001.sql"
    assert paths.path("specs") == "db/specs"
    assert paths.path(".") == "db"
    assert Rebase(repo, cwd=repo).path(".") == "."


def test_paths_outside_the_root_stay_as_given_and_never_become_absolute(
    repo: Path, tmp_path: Path
) -> None:
    paths = Rebase(repo, cwd=repo / "db")
    outside = str(tmp_path / "elsewhere" / "001.sql")
    assert paths.path(outside) == outside  # absolute, as the user gave it
    assert paths.path("../../elsewhere/001.sql") == "../../elsewhere/001.sql"
    assert not os.path.isabs(paths.path("../../elsewhere/001.sql"))


def test_places_keep_their_line_and_column(repo: Path) -> None:
    paths = Rebase(repo, cwd=repo / "db")
    assert paths.place("specs/orders.yaml:5") == "db/specs/orders.yaml:5"
    assert paths.place("lib/errors.ts:16:46") == "db/lib/errors.ts:16:46"
    assert paths.place("specs/a:b.yaml:3") == "db/specs/a:b.yaml:3"  # a colon in a name
    assert paths.place("specs/orders.yaml") == "db/specs/orders.yaml"
    assert paths.place(None) is None and paths.place("") == ""


def test_a_symlinked_root_is_the_same_root(repo: Path, tmp_path: Path) -> None:
    """$GITHUB_WORKSPACE may name the checkout through a symlink; the current folder is
    the physical one."""
    link = tmp_path / "link"
    link.symlink_to(repo, target_is_directory=True)
    paths = Rebase(link, cwd=repo / "db")
    assert paths.path("specs/orders.yaml") == "db/specs/orders.yaml"


# --- every format that places findings on files -------------------------------------------


def _report(repo: Path) -> Report:
    """A spec finding, a migration finding with an absolute path, a code finding, a finding
    without a place, and a stale baseline entry: every path a format shows."""
    migration = repo / "db" / "supabase" / "migrations" / "001_init.sql"
    findings = [
        make(
            "public.orders",
            "column_missing",
            "coupon_code",
            "column coupon_code (text) does not exist",
            spec="specs/orders.yaml:5",
        ),
        make(
            "",
            "migration_failed",
            str(migration),
            'syntax error at or near "TABL"',
            location=f"{migration}:3:5",
        ),
        make(
            "public.ghosts",
            "code_table_missing",
            "ghosts",
            "the code reads public.ghosts, which does not exist",
            location="lib/errors.ts:16:46",
        ),
        make("public.audit_log", "table_undocumented", None, "table public.audit_log has no spec"),
    ]
    stale = Entry("public.gone|column_missing|x", "public.gone", "column_missing", "x", line=7)
    outcome = Outcome("schemaverify-baseline.json", 1, (), (), (stale,), fail_on_stale=True)
    return Report(
        findings=tuple(sort_findings(findings)),
        tables_checked=2,
        specs="specs",
        tables=("public.orders",),
        baseline=outcome,
        source={"kind": "migrations", "description": "migrations supabase/migrations"},
    )


EXPECTED = {
    "db/specs/orders.yaml",
    "db/supabase/migrations/001_init.sql",
    "db/lib/errors.ts",
}


def test_sarif_uris_are_from_the_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "db")
    run = json.loads(sarif.render(_report(repo)))["runs"][0]
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in run["results"]
        for loc in result["locations"]
    }
    assert uris == EXPECTED | {"db/specs"}  # the undocumented table points at the folder
    assert all(
        loc["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for result in run["results"]
        for loc in result["locations"]
    )
    [migration] = [r for r in run["results"] if r["ruleId"] == "migration_failed"]
    region = migration["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 5}
    assert "repository root" in run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]


def test_annotations_name_files_from_the_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "db")
    lines = github.render(_report(repo)).splitlines()
    files = {m.group(1) for line in lines if (m := re.search(r"file=([^,:]+)", line))}
    assert files == EXPECTED | {"db/schemaverify-baseline.json"}
    assert "file=db/lib/errors.ts,line=16,col=46," in "\n".join(lines)
    assert "file=db/schemaverify-baseline.json,line=7," in lines[-1]


def test_junit_files_are_from_the_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "db")
    tree = ET.fromstring(junit.render(_report(repo)).split("\n", 1)[1])
    files = {case.get("file") for case in tree.iter("testcase") if case.get("file")}
    assert files == {"db/specs/orders.yaml", "db/schemaverify-baseline.json"}
    texts = "\n".join(f.text or "" for f in tree.iter("failure"))
    assert "db/supabase/migrations/001_init.sql:3:5" in texts
    assert str(repo) not in texts
    properties = {p.get("name"): p.get("value") for p in tree.iter("property")}
    assert properties["specs"] == "db/specs"


def test_markdown_places_are_from_the_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "db")
    text = markdown.render(_report(repo))
    for place in (
        "db/specs/orders.yaml:5",
        "db/supabase/migrations/001_init.sql:3:5",
        "db/lib/errors.ts:16:46",
    ):
        assert f"| {markdown.cell(place)} |" in text, place
    assert str(repo) not in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    wheres = [row.rstrip(" |").rsplit(" | ", 1)[1] for row in rows]
    assert wheres and not any(os.path.isabs(where) for where in wheres), wheres


def test_identity_and_text_are_never_rewritten(repo: Path) -> None:
    report = _report(repo)
    again = rooted(report, Rebase(repo, cwd=repo / "db"))
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in report.findings]
    assert [f.message for f in again.findings] == [f.message for f in report.findings]
    objects = {f.kind: f.object for f in again.findings}
    assert objects["column_missing"] == "coupon_code" and objects["code_table_missing"] == "ghosts"
    # A migration finding is about a file: its object is that file, from the root too.
    assert objects["migration_failed"] == "db/supabase/migrations/001_init.sql"
    assert again.summary == report.summary and again.failed == report.failed
    assert again.baseline is not None and again.baseline.path == "db/schemaverify-baseline.json"


def test_without_a_repository_paths_stay_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    lines = github.render(_report(tmp_path / "nowhere")).splitlines()
    assert any("file=specs/orders.yaml,line=5," in line for line in lines)
    assert any("file=lib/errors.ts,line=16,col=46," in line for line in lines)


# --- end to end: a check run from a subfolder of a repository ----------------------------

SPEC = """\
table: orders
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: coupon_code, type: text}
"""


def test_check_from_a_subfolder_reports_paths_from_the_root(
    db: Any, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.run("CREATE TABLE orders (id integer PRIMARY KEY);")
    (repo / "db" / "specs" / "orders.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(repo / "db")

    def run(fmt: str) -> str:
        result = CliRunner().invoke(
            app,
            ["check", "--dsn", db.dsn, "--specs", "specs", "--format", fmt],
            env={"COLUMNS": "200"},
            catch_exceptions=False,
        )
        assert result.exit_code == 1, result.output
        return str(result.stdout)

    results = json.loads(run("sarif"))["runs"][0]["results"]
    [missing] = [r for r in results if r["ruleId"] == "column_missing"]
    location = missing["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "db/specs/orders.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4}
    assert "::error file=db/specs/orders.yaml,line=4," in run("github")
    # The JSON report keeps the paths as given: its reader runs where the command ran.
    [finding] = [f for f in json.loads(run("json"))["findings"] if f["kind"] == "column_missing"]
    assert finding["spec"] == "specs/orders.yaml:4"
