"""Hostile identifiers from a real database draw no structure of their own in any report a
person or a log parser reads (issue 9, item 5).

A quoted PostgreSQL identifier may hold any character but NUL.  Tables, columns, indexes,
policies, a schema and roles are named below with what each output would otherwise obey: a
blank line and a heading (Markdown), a lone CR (a Markdown table row, a terminal line), ESC
and OSC sequences (colours, screen clears, OSC 8 links, OSC 52 clipboard writes), C1 CSI, a
line that GitHub Actions runs as a workflow command, `@mentions`, `#123` references, Rich
markup, bidi overrides and line separators.  Each is read by the real catalog reader and run
through the CLI in every human-facing format, and the output is checked by the rules of its
reader: the Actions runner's command parser, a CommonMark parser, a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console
from typer.testing import CliRunner

from pgserver import Server, TestDatabase
from schemaverify.cli import app
from schemaverify.escape import html_text, log_safe, visible, workflow_data
from schemaverify.model.findings import make
from schemaverify.pipeline.check import run_check
from schemaverify.reports import github as report_github
from schemaverify.reports import markdown as report_markdown
from schemaverify.reports.table import print_report
from schemaverify.rules.coverage import compute
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions
from schemaverify.sources.specs.load import load_specs

BLANK_LINE = "\n\n# Heading [link](http://evil)"
LONE_CR = "cr\r| forged | row |"
OSC8 = "\x1b]8;;http://evil\x07click\x1b]8;;\x07"
CLEAR = "\x1b[2J"
OSC52 = "\x1b]52;c;cHduZWQ=\x07"
COMMAND = "\n::error file=x::pwned"
LEGACY = "x ##[error]legacy"
WRAPPED = "padding padding padding padding ::error file=w::wrapped"
"""No control character: at 40 columns Rich wraps a schema line or a title before `::error`."""
MENTION = "@octocat"
ISSUE = "fixes #123"
SUMMARY = "</summary></details>"
MARKUP = "[bold]x[/bold]"
RICH_LINK = "[link=http://evil]y"
PIPE = "a|b"
TICKS = "``b`"
LSEP = "sep\u2028line"
RLO = "\u202eevil"
C1 = "csi\x9b31m"
DEL = "del\x7f"
TAB = "tab\tx"

NAMES = [
    BLANK_LINE, LONE_CR, OSC8, CLEAR, OSC52, COMMAND, LEGACY, WRAPPED, MENTION, ISSUE,
    SUMMARY, MARKUP, RICH_LINK, PIPE, TICKS, LSEP, RLO, C1, DEL, TAB,
]  # fmt: skip
SCHEMA = "\n::error file=s::schema \x1b[31m"
ROLES = ["\n::error file=r::role", "::warning::role", "[red]role\x1b]52;c;eA==\x07"]
"""Roles are cluster-wide: created by the module fixture and dropped after it."""
POLICIES = [BLANK_LINE, OSC8, COMMAND, MENTION, SUMMARY]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(roles: list[str]) -> str:
    statements = ["CREATE TABLE public.docs (id integer PRIMARY KEY);"]
    for name in NAMES:
        statements.append(f"CREATE TABLE public.{q(name)} (id integer);")
        statements.append(f"ALTER TABLE public.docs ADD COLUMN {q(name)} integer;")
        statements.append(f"CREATE INDEX {q('ix' + name)} ON public.docs (id);")
    statements.append("ALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;")
    statements.append("GRANT SELECT ON public.docs TO PUBLIC;")
    for name in POLICIES:
        statements.append(
            f"CREATE POLICY {q(name)} ON public.docs FOR SELECT TO PUBLIC USING (true);"
        )
    for role in roles:
        statements.append(f"GRANT SELECT, INSERT ON public.docs TO {q(role)};")
    for schema in (SCHEMA, WRAPPED):
        statements.append(f"CREATE SCHEMA {q(schema)};")
        statements.append(f"CREATE TABLE {q(schema)}.{q(OSC52)} (id integer);")
    return "\n".join(statements)


SPEC = """
table: docs
columns:
  - {name: id, type: integer, primary_key: true}
indexes:
  - primary_key: true
rls:
  access_matrix:
    public: {select: none}
"""


@pytest.fixture(scope="module")
def roles(pg_server: Server) -> Iterator[list[str]]:
    suffix = str(id(pg_server) % 100_000)
    names = [role + suffix for role in ROLES]
    admin = TestDatabase(name="postgres", dsn=pg_server.admin_dsn, server=pg_server)
    admin.run("".join(f"CREATE ROLE {q(name)} NOLOGIN;" for name in names))
    try:
        yield names
    finally:
        admin.run("".join(f"DROP ROLE IF EXISTS {q(name)};" for name in names))


@pytest.fixture(scope="module")
def template(pg_server: Server, roles: list[str]) -> Iterator[str]:
    with pg_server.template(_ddl(roles)) as name:
        yield name


@pytest.fixture
def db(pg_server: Server, template: str) -> Iterator[TestDatabase]:
    with pg_server.copy(template) as database:
        yield database


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "docs.yaml").write_text(SPEC.lstrip(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(
        app, list(args), env={"COLUMNS": "300", **(env or {})}, catch_exceptions=False
    )


def check(db: TestDatabase, *args: str, env: dict[str, str] | None = None) -> str:
    result = invoke(
        "check", "--dsn", db.dsn, "--specs", "specs", "--schema", "public", "--schema", SCHEMA,
        "--schema", WRAPPED, *args, env=env,
    )  # fmt: skip
    assert result.exit_code == 1, result.output + result.stderr
    return str(result.stdout)


# --- what each reader obeys -----------------------------------------------------------------

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_COMMANDS = "set-env|set-output|save-state|add-mask|add-path|add-matcher|remove-matcher|debug|"
_COMMANDS += "warning|error|notice|group|endgroup|echo|stop-commands"
_RUNNER_V2 = re.compile(rf"::({_COMMANDS})( [^\n]*?)?::", re.IGNORECASE)


def assert_no_raw_controls(text: str, colour: bool = False) -> None:
    """Only the renderer's own newlines (and, in colour, its own SGR sequences)."""
    if colour:
        text = _SGR.sub("", text)
    found = _FORBIDDEN.search(text)
    assert found is None, (repr(found.group()), text[max(0, found.start() - 40) : found.end()])


def runner_lines(text: str) -> list[str]:
    """Lines as the Actions runner reads them: CR, LF and CRLF end a line (splitlines also
    splits on the other separators, which is stricter)."""
    return text.splitlines()


def runner_commands(text: str) -> list[str]:
    """Lines the runner would take for a workflow command: `::name ...::` after leading
    whitespace (TryParseV2), or `##[` anywhere in the line (the legacy TryParse), with the
    colour codes a log viewer may drop removed too."""
    commands = []
    for line in runner_lines(text):
        plain = _SGR.sub("", line)
        if _RUNNER_V2.match(plain.lstrip()) or plain.lstrip().startswith("::") or "##[" in plain:
            commands.append(line)
    return commands


def tokens(text: str) -> list[Token]:
    flat: list[Token] = []
    for token in MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)


def html_tags(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


# --- the CLI, each format -------------------------------------------------------------------


def test_table_format_prints_no_control_character_and_no_command(
    db: TestDatabase, specs: Path, tmp_path: Path
) -> None:
    stdout = check(db, "--format", "table", "--output", f"table={tmp_path / 'report.txt'}")
    saved = (tmp_path / "report.txt").read_text(encoding="utf-8")
    for text in (stdout, saved):
        assert_no_raw_controls(text)
        assert runner_commands(text) == []
        assert "\x1b" not in text
        # Shown, visibly: the reader sees what the name holds.
        assert visible(OSC8) in text and "\\n::error file=x::pwned" in text
        assert "cr\\r| forged | row |" in text and "sep\\u2028line" in text
        assert "\\u202eevil" in text and "csi\\x9b31m" in text and "tab\\tx" in text
        # Rich markup in a name is data, drawn literally.
        assert MARKUP in text and RICH_LINK in text
        # The hostile schema has its own summary line, escaped like any name.
        assert re.search(
            r"^  \\n::error file=s::schema \\x1b\[31m +0 error, 0 warning, 1 info", text, re.M
        ), text


def test_terminal_in_colour_has_no_escape_sequence_from_data(db: TestDatabase, specs: Path) -> None:
    stdout = check(db, "--format", "table", env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[" in stdout  # colour is on: the only escape sequences are Rich's SGR
    assert_no_raw_controls(stdout, colour=True)
    assert re.findall(r"\x1b(?!\[[0-9;]*m)", stdout) == []
    assert runner_commands(stdout) == []


def test_narrow_terminal_wraps_no_name_into_a_command(db: TestDatabase, specs: Path) -> None:
    """Rich wraps a long title or cell: the wrapped line may start anywhere in a name."""
    report = run_check(specs, SourceOptions(dsn=db.dsn), schemas=("public", SCHEMA, WRAPPED))
    buffer = StringIO()
    print_report(report, Console(file=buffer, width=40, no_color=True, highlight=False))
    text = buffer.getvalue()
    assert runner_commands(text) == []
    wrapped = [line for line in text.splitlines() if line.lstrip().startswith("\u200b::error")]
    assert wrapped  # the wrap happened; the zero-width space is all that was added
    assert "#\u200b#[error]legacy" in text


def test_advise_names_hostile_indexes_in_every_format(db: TestDatabase, specs: Path) -> None:
    """Index names reach reports through `advise` (duplicate_index), which renders alike."""
    base = ("advise", "--dsn", db.dsn, "--schema", "public", "--format")
    outputs = {fmt: invoke(*base, fmt) for fmt in ("table", "markdown", "github")}
    for fmt, result in outputs.items():
        assert result.exit_code in (0, 1), result.output + result.stderr
        assert "duplicate_index" in result.stdout, fmt
        assert_no_raw_controls(result.stdout)
        assert "\x1b" not in result.stdout
        if fmt != "github":
            assert runner_commands(result.stdout) == [], fmt
    assert "ix\\\\x1b\\]8;;http:&#8203;//evil" in outputs["markdown"].stdout
    assert "ix\\x1b[2J" in outputs["table"].stdout
    github = runner_lines(outputs["github"].stdout)
    assert all(re.fullmatch(r"::(error|warning|notice) [^:]*::.*", line) for line in github)


def test_github_format_is_one_command_per_finding(db: TestDatabase, specs: Path) -> None:
    report = run_check(specs, SourceOptions(dsn=db.dsn), schemas=("public", SCHEMA, WRAPPED))
    # The model keeps every name raw, from each kind of object: escaping is the renderers'.
    for name in NAMES:
        assert any(f.table == f"public.{name}" for f in report.findings), name
        assert any(f.object == name for f in report.findings), name  # column_undocumented
    mismatch = next(f for f in report.findings if f.kind == "rls_matrix_mismatch")
    assert all(policy in mismatch.message for policy in POLICIES)
    assert f"{SCHEMA}.{OSC52}" in {f.table for f in report.findings}
    stdout = check(db, "--format", "github")
    assert_no_raw_controls(stdout)
    lines = runner_lines(stdout)
    assert len(lines) == len(report.findings)
    for line, finding in zip(lines, report.findings, strict=True):
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        assert match, line  # properties hold no ":" (escaped), so the head ends where ours does
        assert match.group(3) == workflow_data(finding.message)
    assert "%0A%3A%3Aerror file=x%3A%3Apwned" in stdout  # COMMAND's title property
    assert "\\x1b]8;;http%3A//evil\\x07click" in stdout  # OSC8's title property


def test_markdown_format_draws_nothing_from_names(
    db: TestDatabase, specs: Path, tmp_path: Path
) -> None:
    report = run_check(specs, SourceOptions(dsn=db.dsn), schemas=("public", SCHEMA, WRAPPED))
    stdout = check(db, "--format", "markdown", "--output", f"markdown={tmp_path / 'r.md'}")
    saved = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert saved == stdout or stdout == ""
    text = saved
    assert_no_raw_controls(text)
    assert runner_commands(text) == []
    parsed = tokens(text)

    headings = [t for t in parsed if t.type == "heading_open"]
    assert [t.tag for t in headings] == ["h2"]  # `## schemaverify ❌`, ours
    assert [t for t in parsed if t.type in ("link_open", "image")] == []
    assert {t.content for t in parsed if t.type == "html_inline"} == {"<br>"}  # ours
    blocks = [t.content for t in parsed if t.type == "html_block"]
    sections = report.by_table()
    assert len(blocks) == 2 * len(sections)  # each <details><summary> line and its </details>
    for block in blocks:
        assert block.count("\n") == 1, block  # one line each: nothing broke out
        tags = html_tags(block)
        assert tags in (["details", "summary", "b", "/b", "/summary"], ["/details"]), block

    # Every table keeps its rows: the summary, then one per section, a row per finding.
    rows_per_table: list[int] = []
    cells_per_row: list[int] = []
    for token in parsed:
        if token.type == "table_open":
            rows_per_table.append(0)
        elif token.type == "tr_open":
            rows_per_table[-1] += 1
            cells_per_row.append(0)
        elif token.type in ("th_open", "td_open"):
            cells_per_row[-1] += 1
    assert rows_per_table[1:] == [1 + len(found) for found in sections.values()]
    assert rows_per_table[0] + sum(rows_per_table[1:]) == len(cells_per_row)
    assert set(cells_per_row[rows_per_table[0] :]) == {5}  # severity, kind, object, message, where

    # Rendered, nothing notifies, references an issue or autolinks.
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    for quiet in ("@octocat", "#123", "http://evil", "</summary></details>"):
        assert quiet not in rendered, quiet
    assert "@\u200boctocat" in rendered and "#\u200b123" in rendered


def test_access_and_coverage_views_escape_names(
    db: TestDatabase, specs: Path, roles: list[str]
) -> None:
    access = invoke("access", "--dsn", db.dsn, "--table", "public.docs")
    assert access.exit_code == 0, access.output + access.stderr
    coverage = invoke("coverage", "--dsn", db.dsn, "--specs", "specs", "--schema", "public")
    assert coverage.exit_code == 0, coverage.output + coverage.stderr
    for text in (access.stdout, coverage.stdout):
        assert_no_raw_controls(text)
        assert "\x1b" not in text
        assert runner_commands(text) == []
    assert visible(roles[0]) in access.stdout and visible(roles[2]) in access.stdout
    assert "[red]role" in access.stdout  # a role name is no Rich markup
    assert visible(COMMAND) in coverage.stdout and MARKUP in coverage.stdout


def test_narrow_access_and_coverage_views(db: TestDatabase, specs: Path) -> None:
    from schemaverify.reports.access import print_table
    from schemaverify.reports.coverage import render_table
    from schemaverify.rules.accessmatrix import table_access
    from schemaverify.sources.specs import patterns as patterns_module

    catalog = read_catalog(db.dsn, ["public"])
    patterns = patterns_module.load_patterns(None)
    matrices = [table_access(t, catalog, patterns) for t in catalog.tables]
    buffer = StringIO()
    print_table(matrices, Console(file=buffer, width=40, no_color=True), {})
    cov = compute(load_specs(specs), catalog, ("public",))
    render_table(cov, Console(file=buffer, width=40, no_color=True))
    text = buffer.getvalue()
    assert runner_commands(text) == []
    assert_no_raw_controls(text)
    assert any(line.lstrip().startswith("\u200b::") for line in text.splitlines())


# --- the escaping functions, pure ---------------------------------------------------------


def test_visible_shows_every_control_and_bidi_character() -> None:
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0x202E, 0x2067]:
        shown = visible(f"a{chr(code)}b")
        assert _FORBIDDEN.search(shown) is None and shown.startswith("a\\") and len(shown) > 3
    assert visible("\n\r\t\x1b\x9b\u2028") == "\\n\\r\\t\\x1b\\x9b\\u2028"
    assert visible("Café Orders, 'x'::text ~ '^\\d+$'") == "Café Orders, 'x'::text ~ '^\\d+$'"


def test_markdown_cells_treat_a_lone_cr_as_a_line_break() -> None:
    assert report_markdown.cell("a\rb\r\nc\nd") == "a<br>b<br>c<br>d"
    assert report_markdown.cell("x\u2028y\x85z\x1b") == "x\\\\u2028y\\\\x85z\\\\x1b"
    assert report_markdown.cell("@octocat #1 www.x.io http://x") == (
        "@&#8203;octocat \\#&#8203;1 www&#8203;.x.io http:&#8203;//x"
    )
    assert html_text("a\r\n\nb</summary>") == "a\\r\\n\\nb&lt;/summary&gt;"


def test_log_safe_stops_both_runner_parsers_and_keeps_the_layout() -> None:
    text = "ok\n  ::error::a\n\x1b[1m::notice::b\x1b[0m\nsee ##[error]c\n"
    safe = log_safe(text)
    assert runner_commands(safe) == []
    assert safe.replace("\u200b", "") == text


def test_github_annotation_escapes_as_the_runner_unescapes() -> None:
    finding = make("public.t\x1b[2J", "column_missing", "c", "100% a\r\nb\x1b[2J\u202e")
    assert report_github.annotation(finding) == (
        "::error title=column_missing (public.t\\x1b[2J)::100%25 a%0D%0Ab\\x1b[2J\\u202e"
    )
