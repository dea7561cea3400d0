"""The command line's conventions (issue 15, items 3, 4 and 7): what `-o FILE` writes, which
baseline a run applies without being told, and help that reads like other tools' help.

Baselines and report files run against the real test database; help text, the extension
table and completion need none.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperArgument, TyperGroup, TyperOption
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.cli.commands import ORDER
from schemaverify.cli.commands.options import choices_metavar
from schemaverify.cli.util import REPORT_EXTENSIONS, ReportOutputs, format_of, output_target
from schemaverify.errors import UsageError
from schemaverify.reports.formats import FORMATS

ORDERS = """\
table: orders
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: total, type: numeric}
"""
DRIFTED = "CREATE TABLE orders (id uuid PRIMARY KEY, total integer NOT NULL);"
"""One finding: total is integer, documented as numeric."""
ADVISED = """
CREATE TABLE authors (id int PRIMARY KEY);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors);
"""
"""One piece of advice: books.author_id is a foreign key without an index."""


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


def commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder, the current directory, with one spec."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "orders.yaml").write_text(ORDERS, encoding="utf-8")
    return tmp_path


# --- -o FILE: the extension names the format ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("r.json", "json"),
        ("r.sarif", "sarif"),
        ("r.sarif.json", "sarif"),
        ("out/r.xml", "junit"),
        ("R.MD", "markdown"),
        ("r.txt", "table"),
        ("r.out", None),
        ("report", None),
        (".json", None),  # a hidden file named json, no extension
    ],
)
def test_the_extension_names_the_format(name: str, fmt: str | None) -> None:
    assert format_of(Path(name)) == fmt


def test_every_extension_names_a_format_the_registry_writes() -> None:
    assert set(REPORT_EXTENSIONS.values()) <= set(FORMATS)


def test_output_target_prefers_an_explicit_format_and_refuses_what_it_cannot_tell() -> None:
    assert output_target("github=annotations.log", FORMATS) == ("github", Path("annotations.log"))
    assert output_target("sarif=r.json", FORMATS) == ("sarif", Path("r.json"))
    assert output_target("r.md", FORMATS) == ("markdown", Path("r.md"))
    with pytest.raises(UsageError) as unknown:
        output_target("report.out", FORMATS)
    assert str(unknown.value) == (
        "--output report.out: cannot tell the format from the extension .out; use .json, "
        ".sarif, .xml for junit, .md for markdown, .txt for table, or name the format: "
        "FORMAT=report.out (table, json, sarif, junit, github, markdown)"
    )
    with pytest.raises(UsageError, match="the file has no extension"):
        output_target("report", FORMATS)
    with pytest.raises(UsageError, match=r"\.sarif names sarif, which this command does not"):
        output_target("m.sarif", ("table", "json"))
    with pytest.raises(UsageError, match="unknown format 'yaml'"):
        output_target("yaml=r.yaml", FORMATS)
    with pytest.raises(UsageError, match="no file after json="):
        output_target("json=", FORMATS)


def test_standard_output_keeps_the_format_no_file_holds() -> None:
    assert ReportOutputs.parse("json", ["r.json"]).to_stdout is False
    assert ReportOutputs.parse("json", ["r.sarif"]).to_stdout is True
    assert ReportOutputs.parse("table", ["r.txt"]).to_stdout is True  # the terminal view


def test_every_report_command_writes_each_file_in_its_extensions_format(
    db: Any, project: Path
) -> None:
    db.run(DRIFTED)
    names = ["r.json", "r.sarif", "r.xml", "r.md", "r.txt", "github=r.log"]
    result = invoke("check", "--dsn", db.dsn, *(a for n in names for a in ("-o", n)))
    assert result.exit_code == 1, result.output
    assert "column_type_mismatch" in result.stdout  # the terminal table still
    report = json.loads(Path("r.json").read_text(encoding="utf-8"))
    assert [f["kind"] for f in report["findings"]] == ["column_type_mismatch"]
    sarif = json.loads(Path("r.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    junit = ET.fromstring(Path("r.xml").read_text(encoding="utf-8"))
    assert junit.tag in ("testsuites", "testsuite")
    assert Path("r.md").read_text(encoding="utf-8").startswith("## schemaverify")
    text = Path("r.txt").read_text(encoding="utf-8")
    assert "column_type_mismatch" in text and "\x1b" not in text
    assert Path("r.log").read_text(encoding="utf-8").startswith("::error")

    # The same meaning in advise, diff and usage.
    db.run(ADVISED)
    advised = invoke("advise", "--dsn", db.dsn, "-o", "a.json", "--fail-on", "never")
    assert advised.exit_code == 0, advised.output
    advice = json.loads(Path("a.json").read_text(encoding="utf-8"))["findings"]
    assert "fk_without_index" in {f["kind"] for f in advice}
    diffed = invoke("diff", "--from", db.dsn, "--to", db.dsn, "-o", "d.md")
    assert diffed.exit_code == 0, diffed.output
    assert Path("d.md").read_text(encoding="utf-8").startswith("## schemaverify")
    (project / "app").mkdir()
    (project / "app" / "main.ts").write_text(
        "await supabase.from('no_such_table').select('id')\n", encoding="utf-8"
    )
    used = invoke("usage", "--code", "app", "--dsn", db.dsn, "-o", "u.json", "--fail-on", "never")
    assert used.exit_code == 0, used.output
    kinds = {f["kind"] for f in json.loads(Path("u.json").read_text(encoding="utf-8"))["findings"]}
    assert "code_table_missing" in kinds

    # access writes its matrix by extension too, and the terminal still shows the grid.
    shown = invoke("access", "--dsn", db.dsn, "-o", "m.json", "-o", "m.txt")
    assert shown.exit_code == 0, shown.output
    assert [t["table"] for t in json.loads(Path("m.json").read_text())["tables"]] == [
        "public.authors",
        "public.books",
        "public.orders",
    ]
    assert "public.orders" in Path("m.txt").read_text() and "public.orders" in shown.stdout


def test_an_unknown_extension_fails_before_the_database_is_read(project: Path) -> None:
    """Exit 2 (usage), not 3: the DSN points nowhere and is never tried."""
    nowhere = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"
    for command in (["check"], ["advise"], ["diff", "--from", nowhere, "--to", nowhere]):
        dsn = [] if command[0] == "diff" else ["--dsn", nowhere]
        result = invoke(*command, *dsn, "-o", "report.out")
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(
            "--output report.out: cannot tell the format from the extension .out;"
        ), command
    assert not Path("report.out").exists()


def test_import_md_writes_its_folder_with_out_dir_and_still_takes_the_old_o(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("### `notes`\n\n**Estimated Columns**:\n- `id` (uuid, PRIMARY KEY)\n")
    result = invoke("import-md", doc, "--out-dir", tmp_path / "specs")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (tmp_path / "specs" / "notes.yaml").is_file()
    old = invoke("import-md", doc, "-o", tmp_path / "old")
    assert old.exit_code == 0, old.output
    assert old.stderr == "import-md: --out/-o DIR is deprecated; write --out-dir DIR\n"
    assert (tmp_path / "old" / "notes.yaml").is_file()
    both = invoke("import-md", doc, "-o", tmp_path / "a", "--out-dir", tmp_path / "b")
    assert both.exit_code == 2


# --- baselines are found --------------------------------------------------------------------


def _json(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_check_applies_the_baseline_it_finds_and_says_so(db: Any, project: Path) -> None:
    db.run(DRIFTED)
    recorded = invoke("baseline", "--dsn", db.dsn)
    assert recorded.stdout == "recorded 1 finding in schemaverify-baseline.json\n"

    found = invoke("check", "--dsn", db.dsn)
    assert found.exit_code == 0, found.output
    summary = found.stdout.strip().splitlines()[-1]
    assert "(baseline schemaverify-baseline.json: 1 accepted)" in summary
    report = _json(invoke("check", "--dsn", db.dsn, "-f", "json"))
    assert report["baseline"]["path"] == "schemaverify-baseline.json"
    assert report["summary"]["baselined"] == 1

    ignored = invoke("check", "--dsn", db.dsn, "--no-baseline")
    assert ignored.exit_code == 1
    assert "baseline" not in ignored.stdout.strip().splitlines()[-1]
    shown = _json(invoke("config", "--dsn", db.dsn, "-f", "json"))["settings"]["baseline"]
    assert shown == {"value": "schemaverify-baseline.json", "source": "found"}


def test_the_baseline_is_found_at_the_project_root_from_a_subfolder(
    db: Any, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.run(DRIFTED)
    (project / "schemaverify.toml").write_text('specs = "specs"\n', encoding="utf-8")
    assert invoke("baseline", "--dsn", db.dsn).exit_code == 0
    monkeypatch.chdir(project / "specs")
    result = invoke("check", "--dsn", db.dsn)
    assert result.exit_code == 0, result.output
    # Outside the current folder, a path is shown whole (as every configured path is).
    root = Path(os.path.realpath(project))
    assert f"(baseline {root / 'schemaverify-baseline.json'}: 1 accepted)" in result.stdout


def test_check_write_baseline_is_the_baseline_command(db: Any, project: Path) -> None:
    db.run(DRIFTED)
    assert invoke("baseline", "--dsn", db.dsn, "-o", "a.json").exit_code == 0
    written = invoke("check", "--dsn", db.dsn, "--write-baseline", "b.json")
    assert written.exit_code == 0, written.output
    assert written.stdout == "recorded 1 finding in b.json\n"
    assert Path("a.json").read_bytes() == Path("b.json").read_bytes()

    # Recording over the found file is no conflict, and keeps what people wrote.
    data = json.loads(Path("a.json").read_text())
    data["entries"][0]["reason"] = "totals move to numeric later"
    Path("schemaverify-baseline.json").write_text(json.dumps(data), encoding="utf-8")
    again = invoke("check", "--dsn", db.dsn, "--write-baseline", "schemaverify-baseline.json")
    assert again.exit_code == 0, again.output
    assert "(reason and expires kept from the previous file)" in again.stdout
    entry = json.loads(Path("schemaverify-baseline.json").read_text())["entries"][0]
    assert entry["reason"] == "totals move to numeric later"

    both = invoke("check", "--dsn", db.dsn, "--baseline", "a.json", "--write-baseline", "c.json")
    assert both.exit_code == 2
    assert both.stderr == "give --baseline or --write-baseline, not both\n"


def test_advise_finds_only_its_own_baseline(db: Any, project: Path) -> None:
    """A check baseline at the default place (or configured) is never compared with advice:
    every entry would be stale.  advise finds schemaverify-advise-baseline.json."""
    db.run(DRIFTED + ADVISED)
    assert invoke("baseline", "--dsn", db.dsn).exit_code == 0  # check's, found by check
    (project / "schemaverify.toml").write_text(
        'baseline = "schemaverify-baseline.json"\n', encoding="utf-8"
    )
    plain = _json(invoke("advise", "--dsn", db.dsn, "-f", "json"))
    assert plain["baseline"] is None and plain["stale_baseline"] == []
    assert "public.books|fk_without_index|author_id" in {
        f["fingerprint"] for f in plain["findings"]
    }

    own = "schemaverify-advise-baseline.json"
    recorded = invoke("advise", "--dsn", db.dsn, "--write-baseline", own)
    assert recorded.exit_code == 0, recorded.output
    applied = invoke("advise", "--dsn", db.dsn, "-f", "json", "--fail-on", "info")
    assert applied.exit_code == 0, applied.output
    report = _json(applied)
    assert report["findings"] == [] and report["baseline"]["path"] == own
    assert report["summary"]["stale"] == 0
    terminal = invoke("advise", "--dsn", db.dsn)
    assert f"(baseline {own}: " in terminal.stdout
    assert invoke("advise", "--dsn", db.dsn, "--no-baseline", "--fail-on", "info").exit_code == 1


def test_usage_finds_only_its_own_baseline(db: Any, project: Path) -> None:
    db.run(DRIFTED)
    (project / "app").mkdir()
    (project / "app" / "main.ts").write_text(
        "await supabase.from('no_such_table').select('id')\n", encoding="utf-8"
    )
    args = ("usage", "--code", "app", "--dsn", db.dsn)
    assert invoke("baseline", "--dsn", db.dsn).exit_code == 0  # check's
    first = invoke(*args, "-f", "json")
    assert first.exit_code == 1
    assert _json(first)["baseline"] is None
    own = "schemaverify-usage-baseline.json"
    assert invoke(*args, "--write-baseline", own).exit_code == 0
    again = invoke(*args, "-f", "json")
    assert again.exit_code == 0, again.output
    assert _json(again)["baseline"]["path"] == own
    # Recording again over the found file is allowed.
    assert invoke(*args, "--write-baseline", own).exit_code == 0


# --- help -----------------------------------------------------------------------------------


def _help(*args: str) -> str:
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.output
    text: str = result.stdout
    return text


def test_commands_are_listed_in_the_order_users_meet_them() -> None:
    text = _help()
    listed = re.findall(r"^  ([a-z-]+)  ", text.split("Commands:")[1], re.MULTILINE)
    assert listed == list(ORDER)
    assert set(commands()) == set(ORDER)  # a new command is placed, not appended blindly
    for line in text.split("Commands:")[1].splitlines():
        assert not line.endswith("..."), line  # every summary whole at 80 columns


def test_shell_completion_is_offered_and_completes_choices() -> None:
    text = _help()
    assert "--install-completion" in text and "--show-completion" in text
    env = {
        **os.environ,
        "_SCHEMAVERIFY_COMPLETE": "complete_bash",
        "COMP_WORDS": "schemaverify check --format ",
        "COMP_CWORD": "3",
    }
    done = subprocess.run(
        [sys.executable, "-m", "schemaverify"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == list(FORMATS)
    env["COMP_WORDS"], env["COMP_CWORD"] = "schemaverify ba", "1"
    done = subprocess.run(
        [sys.executable, "-m", "schemaverify"], env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["baseline"]


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    """`schemaverify --help` under 0.3 s: measured as CPU time (the best of three), which a
    loaded test machine does not inflate as it does wall time."""
    code = (
        "import sys\n"
        "from schemaverify.cli import main\n"
        "sys.argv = ['schemaverify', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('psycopg', 'sqlglot', 'rich', 'yaml', 'ruamel', 'tree_sitter',"
        " 'schemaverify.model.schema', 'schemaverify.pipeline')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy"
        " or any(m.startswith(h + '.') for h in heavy)), file=sys.stderr)\n"
    )
    times = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip() == "[]", done.stderr
    assert min(times) < 0.3, times


def _options() -> list[tuple[str, TyperOption]]:
    return [
        (name, param)
        for name, command in commands().items()
        for param in command.params
        if isinstance(param, TyperOption)
    ]


def test_every_value_has_a_placeholder_naming_it() -> None:
    """A value option shows what to write (`DSN`, `FILE`, `MS`, `[a|b]`), never typer's type
    (`<float>`, `<path>`) or a lower-case name."""
    placeholder = re.compile(r"\[[a-z_]+(\|[a-z_]+)+\]|(\[FORMAT=\])?[A-Z][A-Z0-9_.-]*")
    for name, param in _options():
        if param.is_flag or param.name == "help":
            continue
        assert param.metavar is not None, (name, param.name)
        assert placeholder.fullmatch(param.metavar), (name, param.name, param.metavar)
    for name, command in commands().items():
        for param in command.params:
            if isinstance(param, TyperArgument):
                assert param.metavar in ("PATH", "FILE"), (name, param.name)


def test_choices_are_shown_as_click_shows_them() -> None:
    check = _help("check")
    assert "-f, --format [table|json|sarif|junit|github|markdown]" in check
    assert "--fail-on [error|warning|info|never]" in check
    assert "--preset [supabase|none]" in check
    assert "--supabase-grants [current|legacy]" in check
    for command in ("access", "coverage", "config"):
        assert "-f, --format [table|json]" in _help(command), command
    from schemaverify.model.edits import ADOPT_KINDS

    assert f"--only {choices_metavar(ADOPT_KINDS)}" in _help("adopt")


def test_defaults_are_written_one_way() -> None:
    """`Default: X.` in the text, never typer's `[default: X]` or `(default ...)`."""
    for name, param in _options():
        help_text = param.help or ""
        assert "[default" not in help_text and "(default" not in help_text.lower(), (name, param)
        assert "the default" not in help_text, (name, param.name)
        if param.default not in (None, False, [], ()) and param.name != "help":
            assert param.show_default is False or not param.show_default, (name, param.name)
    for name in commands():
        text = _help(name)
        assert "[default:" not in text, name
        for found in re.finditer(r"\bdefault\b", text, re.IGNORECASE):
            shown = text[found.start() - 40 : found.end() + 20]
            assert text[found.start() : found.end() + 1] == "Default:", (name, shown)


def test_output_means_one_file_everywhere() -> None:
    """`-o` is one output file in every command; import-md's folder is `--out-dir`."""
    for name, command in commands().items():
        for param in command.params:
            if isinstance(param, TyperOption) and "-o" in param.opts and not param.hidden:
                assert param.opts == ["--output", "-o"] or param.opts == ["-o", "--output"], name
                assert param.metavar in ("FILE", "[FORMAT=]FILE"), name
    assert "--out-dir DIR" in _help("import-md")
    assert "--write-baseline FILE" in _help("check")


# --- lint [PATH...] -------------------------------------------------------------------------


def test_lint_takes_files_and_folders(project: Path) -> None:
    (project / "more").mkdir()
    (project / "more" / "customers.yml").write_text(
        "table: customers\ncolumns:\n  - {name: id, type: uuid}\n", encoding="utf-8"
    )
    (project / "single.yaml").write_text(
        "table: invoices\ncolumns:\n  - {name: id, type: uuid}\n", encoding="utf-8"
    )
    result = invoke("lint", "specs", "more", "single.yaml")
    assert (result.exit_code, result.stdout) == (0, "3 specs OK\n"), result.output
    # A file named twice, itself and within its folder, is one spec.
    twice = invoke("lint", "specs/orders.yaml", "specs", "./specs/orders.yaml")
    assert (twice.exit_code, twice.stdout) == (0, "1 spec OK\n"), twice.output
    assert invoke("lint").stdout == "1 spec OK\n"  # the configured specs by default


def test_lint_reports_every_path_problem_together(project: Path) -> None:
    (project / "copy").mkdir()
    (project / "copy" / "orders.yaml").write_text(ORDERS, encoding="utf-8")
    (project / "bad.yaml").write_text("table: bad\ncolums: []\n", encoding="utf-8")
    result = invoke("lint", "specs", "copy", "bad.yaml", "missing")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bad.yaml:2: unknown key 'colums' (did you mean 'columns'?)",
        "copy/orders.yaml:1: table public.orders is already described by specs/orders.yaml:1",
        "missing: no specs found: no such file or folder",
    ]
    both = invoke("lint", "specs", "--specs", "specs")
    assert both.exit_code == 2
    assert both.stderr == "give the specs as PATH arguments or with --specs, not both\n"
