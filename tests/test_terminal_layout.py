"""The terminal report at any width from 60 columns up: nothing lost, breaks where a reader
looks for them, and the width a pipe or CI log gets.

Golden files (tests/golden/terminal/) hold the demo's report (`make demo`: the findings of
examples/supabase/migrations against specs/, copied here so that the rendering is tested on
its own) at 60, 80 and 120 columns and as a pipe renders it without `COLUMNS`.  Set
SCHEMAVERIFY_UPDATE_GOLDEN=1 to rewrite them after an intended change.  Whatever the golden
files say, every rendering is also checked against the findings themselves: each message,
object, kind, place and table name is there whole and in order, in its column (table) or its
block (stacked), no line is wider than the width, and a word that fits its column is never cut.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from pgserver import TestDatabase
from schemaverify.model.findings import Finding, make, sort_findings
from schemaverify.pipeline.baseline import Entry, Outcome
from schemaverify.pipeline.report import Report, consequences_of
from schemaverify.reports import markdown as report_markdown
from schemaverify.reports.table import (
    MESSAGE_MIN,
    PIPE_WIDTH,
    line_ranges,
    print_report,
    render,
    report_width,
    stdout_console,
    summary_line,
    wrap_text,
)

GOLDEN = Path(__file__).parent / "golden" / "terminal"
REPO = Path(__file__).resolve().parent.parent

DEMO_SOURCE = {
    "kind": "migrations",
    "description": "migrations examples/supabase/migrations (embedded PostgreSQL, preset "
    "supabase, grants current)",
    "migrations": {"files": 13, "applied": 13, "failed": 0, "skipped": 0},
}
RLS_OFF = "public.circuit_breaker_telemetry|rls_disabled|"


def _demo_findings() -> list[Finding]:
    """The findings of `make demo`, as its JSON report gives them."""
    f = make
    return [
        f("public.cart_abandonments", "column_missing", "recovery_email_sent_at",
          "column recovery_email_sent_at (timestamp with time zone) does not exist",
          spec="specs/cart_abandonments.yaml:28"),
        f("public.chart_annotations", "rls_access_violation", "Anyone can read chart annotations",
          "policy 'Anyone can read chart annotations' grants public_read access to anon, which "
          "the spec does not document (documented: organization)",
          spec="specs/chart_annotations.yaml:46"),
        f("public.circuit_breaker_telemetry", "rls_disabled", None,
          "row-level security is off on public.circuit_breaker_telemetry; documented as enabled",
          spec="specs/circuit_breaker_telemetry.yaml:42"),
        f("public.circuit_breaker_telemetry", "rls_policy_missing", "service_role_only",
          "no policy grants the documented 'service_role_only' access",
          spec="specs/circuit_breaker_telemetry.yaml:43", caused_by=RLS_OFF),
        f("public.conversations", "table_undocumented", None,
          "table public.conversations (6 columns) has no spec"),
        f("public.customer_configs", "table_undocumented", None,
          "table public.customer_configs (6 columns) has no spec"),
        f("public.domains", "table_undocumented", None,
          "table public.domains (5 columns) has no spec"),
        f("public.error_logs", "index_missing", "gin (context)", "no index gin (context)",
          spec="specs/error_logs.yaml:44"),
        f("public.funnel_alert_rules", "values_unenforced", "time_window",
          "column time_window: nothing in the database enforces the documented values "
          "'1 hour', '1 day', '1 week'; any value may be stored",
          spec="specs/funnel_alert_rules.yaml:29"),
        f("public.funnel_alert_rules", "fk_mismatch", "funnel_id",
          "foreign key funnel_alert_rules_funnel_id_fkey on (funnel_id) differs: ON DELETE is "
          "SET NULL, documented CASCADE",
          spec="specs/funnel_alert_rules.yaml:52"),
        f("public.notifications", "column_undocumented", "action_url",
          "column action_url (text) exists but is not in the spec",
          spec="specs/notifications.yaml:5"),
        f("public.organization_members", "table_undocumented", None,
          "table public.organization_members (5 columns) has no spec"),
        f("public.organizations", "table_undocumented", None,
          "table public.organizations (4 columns) has no spec"),
        f("public.product_embeddings", "column_type_mismatch", "embedding",
          "column embedding is vector(768), documented as vector(1536)",
          spec="specs/product_embeddings.yaml:24"),
        f("public.translation_statistics", "values_unenforced", "language_pair",
          "column language_pair: nothing in the database enforces the documented values "
          "'en-es', 'en-fr'; any value may be stored",
          spec="specs/translation_statistics.yaml:18"),
        f("public.whatsapp_templates", "column_nullability_mismatch", "category",
          "column category is NULL, documented as NOT NULL",
          spec="specs/whatsapp_templates.yaml:25"),
    ]  # fmt: skip


DEMO = Report(
    findings=tuple(sort_findings(_demo_findings())),
    tables_checked=39,
    source=DEMO_SOURCE,
    specs="specs",
    schemas=("public",),
)

FIRST = "supabase/migrations/20240101000000_create_extensions_and_the_first_tables.sql"


def _hard_findings() -> list[Finding]:
    """Shapes the demo lacks: a migration failure with folded consequences, code places deep
    in a tree, a name with no break in it, wide characters, a consequence of a long kind."""
    later = [
        make("", "migration_failed", f"supabase/migrations/2024010{i}_next.sql",
             f'relation "t{i}" does not exist', location=f"supabase/migrations/2024010{i}_next"
             f".sql:{i}:1", caused_by=f"|migration_failed|{FIRST}")
        for i in range(2, 6)
    ]  # fmt: skip
    return [
        make("", "migration_failed", FIRST, 'extension "vector" is not available',
             location=f"{FIRST}:12:1"),
        *later,
        make("", "code_reference_unresolved", None,
             "table not checked: table name from variable FEATURE_FLAGS_TABLE",
             location="examples/shop/app/(dashboard)/settings/flags/actions.ts:36:6"),
        make("public.a_table_whose_name_is_as_long_as_postgresql_allows_it_to_be_63c",
             "column_nullability_mismatch",
             "a_column_whose_name_is_as_long_as_postgresql_allows_it_to_be_63",
             "column a_column_whose_name_is_as_long_as_postgresql_allows_it_to_be_63 is NULL, "
             "documented as NOT NULL",
             spec="specs/tenants/eu-west/a_table_whose_name_is_as_long_as_postgresql_allows_it"
             "_to_be_63c.yaml:1234"),
        make("public.a_table_whose_name_is_as_long_as_postgresql_allows_it_to_be_63c",
             "column_type_mismatch",
             "a_column_whose_name_is_as_long_as_postgresql_allows_it_to_be_63",
             "column is numeric, documented as integer",
             caused_by="public.a_table_whose_name_is_as_long_as_postgresql_allows_it_to_be_63c"
             "|column_nullability_mismatch|"
             "a_column_whose_name_is_as_long_as_postgresql_allows_it_to_be_63"),
        make("public.注文履歴テーブル", "column_missing", "配送先住所",
             "column 配送先住所 (text) does not exist; 注文履歴テーブルの説明を確認してください",
             spec="specs/注文履歴テーブル.yaml:7"),
        make("public.orders", "column_missing", "x" * 90, "column " + "x" * 90 + " is missing",
             spec="specs/orders.yaml:3"),
    ]  # fmt: skip


HARD = Report(
    findings=tuple(sort_findings(_hard_findings())),
    tables_checked=3,
    source={"description": "postgresql://app@db.example.com:5432/app"},
)


def _render(report: Report, width: int) -> str:
    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=width, no_color=True, highlight=False))
    return buffer.getvalue()


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SCHEMAVERIFY_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (see the module doc)"


# --- reading a rendering back -------------------------------------------------------------

_BOX = re.compile("[┏┓┗┛┡┩└┘┳┻╇┃━─│┼┬┴├┤╋┣┫]")


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _streams(rendered: str) -> dict[str, str]:
    """What a reader gets from each part of a rendering, spaces and line breaks left out:
    `text` for the lines outside tables (titles, stacked blocks, summary), and one stream per
    table column, its cells read top to bottom across every table."""
    text: list[str] = []
    columns: dict[int, list[str]] = {}
    for line in rendered.splitlines():
        if line.startswith("│"):
            for i, cell in enumerate(line.strip("│").split("│")):
                columns.setdefault(i, []).append(_squeezed(cell))
        elif not _BOX.match(line):
            text.append(_squeezed(line))
    names = ("severity", "kind", "object", "message")
    streams = {"text": "".join(text)}
    streams.update({names[i]: "".join(cells) for i, cells in columns.items()})
    return streams


def _folded(report: Report) -> set[int]:
    """The migration failures a root failure's line stands for (the report folds them)."""
    children = consequences_of(report.findings)
    return {id(c) for f in report.findings if not f.table for c in children.get(f.fingerprint, [])}


def _assert_nothing_lost(report: Report, rendered: str, width: int) -> None:
    for number, line in enumerate(rendered.splitlines(), 1):
        assert cell_len(line) <= width, f"line {number} is {cell_len(line)} cells: {line!r}"
    streams = _streams(rendered)
    table = "message" in streams
    folded = _folded(report)
    for f in report.findings:
        if id(f) in folded:  # shown as `N consequences` and their files, under the root
            assert "consequences" in streams["kind" if table else "text"]
            continue
        place = f.location or f.spec or ""
        if table:
            shown = f"{f.message}{place}"
            assert _squeezed(shown) in streams["message"], (width, f.message)
            assert _squeezed(f.object or "") in streams["object"], (width, f.object)
            assert f.kind in streams["kind"], (width, f.kind)
        else:
            head = f"{f.severity}{f.kind}{f.object or ''}"
            assert _squeezed(f"{head}{f.message}{place}") in streams["text"], (width, f.message)
        for word in f.message.split():
            assert _squeezed(word) in streams["message" if table else "text"], (width, word)
        if f.table:
            assert _squeezed(f.table) in streams["text"], (width, f.table)
    assert _squeezed(str(summary_line(report))) in streams["text"]


def _assert_words_whole(report: Report, rendered: str, column_width: int) -> None:
    """A word of a message no wider than the column it is shown in starts and ends on one
    line: only longer words are broken (at `/`, `_`, `.`, or between two characters)."""
    lines = {_squeezed(line.strip("│").split("│")[-1]) for line in rendered.splitlines()}
    lines |= {_squeezed(line) for line in rendered.splitlines()}
    joined = "\n".join(lines)
    for f in report.findings:
        for word in f.message.split():
            if cell_len(word) <= column_width:
                assert word in joined, word


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize("width", [60, 80, 120])
def test_demo_report_matches_its_golden_file_and_loses_nothing(width: int) -> None:
    rendered = _render(DEMO, width)
    _golden(f"demo-{width}.txt", rendered)
    _assert_nothing_lost(DEMO, rendered, width)
    _assert_words_whole(DEMO, rendered, MESSAGE_MIN)


def test_demo_report_through_a_pipe_is_wide_and_whole() -> None:
    stream = io.StringIO()  # no terminal, no COLUMNS: what `make demo | cat` and CI logs get
    width = report_width(stream, {})
    assert width == PIPE_WIDTH
    console = stdout_console(stream, {})
    print_report(DEMO, console)
    rendered = stream.getvalue()
    _golden("demo-pipe.txt", rendered)
    _assert_nothing_lost(DEMO, rendered, PIPE_WIDTH)
    assert rendered == render(DEMO)  # files and pipes render alike
    # Not cropped or wrapped at Rich's 80-column guess: the tables use the width.
    assert max(cell_len(line) for line in rendered.splitlines()) > 120
    summary = [line for line in rendered.splitlines() if line.startswith("16 findings")]
    assert summary == [str(summary_line(DEMO))]


def test_golden_files_show_the_layouts() -> None:
    """60 columns cannot hold the four columns of the demo: one block per finding; 80 can."""
    narrow, standard = _render(DEMO, 60), _render(DEMO, 80)
    assert "┃" not in narrow and "│" not in narrow
    assert "  error    column_missing  recovery_email_sent_at\n" in narrow
    assert "┃severity ┃ kind" in standard
    # The place is on a line of its own, under the message.
    assert "│ specs/cart_abandonments.yaml:28│" in standard
    assert "\n    specs/cart_abandonments.yaml:28\n" in narrow


# --- every width --------------------------------------------------------------------------


@pytest.mark.parametrize("report", [DEMO, HARD], ids=["demo", "hard"])
def test_no_width_from_60_up_loses_a_character(report: Report) -> None:
    layouts = set()
    for width in range(60, 200):
        rendered = _render(report, width)
        _assert_nothing_lost(report, rendered, width)
        layouts.add("┃" in rendered)
    if report is DEMO:
        assert layouts == {True, False}  # both layouts were exercised


def test_below_60_columns_nothing_is_lost_either() -> None:
    for width in (20, 30, 40, 59):
        _assert_nothing_lost(DEMO, _render(DEMO, width), width)


def test_hard_shapes_render_whole_in_both_layouts() -> None:
    stacked, table = _render(HARD, 60), _render(HARD, 190)
    assert "┃" not in stacked and "┃" in table
    # The migration failures caused by the first are one line under it, in both layouts.
    assert stacked.count("later failures caused by this one") == 1
    assert "4 consequences" in stacked and "4 consequences" in table
    # Wide characters count two cells: no line of either layout is wider than its width.
    assert "配送先住所" in stacked and "配送先住所" in table


def test_long_paths_break_after_a_slash() -> None:
    place = "examples/shop/app/(dashboard)/settings/flags/actions.ts:36:6"
    wide = [line.strip(" │") for line in _render(HARD, 190).splitlines()]
    assert place in wide  # whole where it fits
    at_60 = [line.strip() for line in _render(HARD, 60).splitlines()]
    assert "examples/shop/app/(dashboard)/settings/flags/" in at_60
    assert "actions.ts:36:6" in at_60
    at_40 = [line.strip() for line in _render(HARD, 40).splitlines()]
    assert "examples/shop/app/(dashboard)/" in at_40
    assert "settings/flags/actions.ts:36:6" in at_40


# --- line breaking ------------------------------------------------------------------------


def _lines(s: str, width: int, phrases: tuple[int, ...] = ()) -> list[str]:
    return [s[a:b].rstrip() for a, b in line_ranges(s, width, phrases)]


def test_words_then_path_boundaries_then_identifier_punctuation() -> None:
    assert _lines("column recovery_email_sent_at does not exist", 24) == [
        "column",
        "recovery_email_sent_at",
        "does not exist",
    ]
    assert _lines("specs/chart_annotations.yaml:46", 24) == [
        "specs/",
        "chart_annotations.yaml",
        ":46",
    ]
    assert _lines("examples/shop/worker/translations.py:67:48", 30) == [
        "examples/shop/worker/",
        "translations.py:67:48",
    ]
    assert _lines("public.circuit_breaker_telemetry;", 20) == [
        "public.circuit_",
        "breaker_telemetry;",
    ]
    assert _lines("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert _lines("  └ indented", 8) == ["  └", "indented"]


def test_phrases_break_before_spaces() -> None:
    s = "16 findings in 9 of 39 tables: 7 error (15 root causes, 1 consequence)"
    phrases = (s.index("7 error"), s.index("(15"))
    assert _lines(s, 45, phrases) == [
        "16 findings in 9 of 39 tables: 7 error",
        "(15 root causes, 1 consequence)",
    ]
    # Without phrases the same width breaks inside the parentheses.
    assert _lines(s, 45)[1].startswith("(15") is False


def test_wrapped_text_keeps_styles_and_hard_line_breaks() -> None:
    text = Text("message text\n")
    text.append("specs/a_rather_long_spec_name.yaml:12", style="dim")
    lines = wrap_text(text, 20)
    assert [line.plain for line in lines] == [
        "message text",
        "specs/",
        "a_rather_long_spec_",
        "name.yaml:12",
    ]
    assert all(span.style == "dim" for line in lines[1:] for span in line.spans)
    assert lines[1].spans  # the style followed the text onto its lines


@given(
    st.text(alphabet=st.sampled_from([*"ab /_.:-(),;", "注", "é", "\u200b"]), max_size=120),
    st.integers(min_value=1, max_value=50),
)
def test_line_ranges_cover_every_character_once(s: str, width: int) -> None:
    ranges = line_ranges(s, width)
    assert "".join(s[a:b] for a, b in ranges) == s
    assert all(a <= b for a, b in ranges)
    for a, b in ranges:
        line = s[a:b].rstrip()
        assert cell_len(line) <= width or len(line) == 1, (line, width)


# --- the width of standard output ---------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_width_of_a_pipe_is_columns_else_wide() -> None:
    pipe = io.StringIO()
    assert report_width(pipe, {}) == PIPE_WIDTH
    assert report_width(pipe, {"COLUMNS": "60"}) == 60
    assert report_width(pipe, {"COLUMNS": "0"}) == PIPE_WIDTH
    assert report_width(pipe, {"COLUMNS": "wide"}) == PIPE_WIDTH
    assert report_width(_Tty(), {"COLUMNS": "60"}) is None  # a terminal: Rich measures it
    assert stdout_console(pipe, {"COLUMNS": "72"}).width == 72
    assert stdout_console(pipe, {}).width == PIPE_WIDTH


SPEC = """\
table: orders
columns:
  - name: id
    type: uuid
    primary_key: true
  - name: shipped_at_documented_but_never_created
    type: timestamptz
"""


def _pipe(db_dsn: str, specs: Path, columns: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    result = subprocess.run(
        [sys.executable, "-m", "schemaverify", "check", "--dsn", db_dsn, "--specs", str(specs)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


def test_cli_through_a_pipe_uses_columns_else_a_wide_width(
    db: TestDatabase, tmp_path: Path
) -> None:
    db.run("CREATE TABLE orders (id uuid PRIMARY KEY, note text)")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "orders.yaml").write_text(SPEC, encoding="utf-8")
    missing = "shipped_at_documented_but_never_created"
    wide = _pipe(db.dsn, specs, None)
    # Not Rich's 80 columns: the message is one line, and the summary too.
    message = next(line for line in wide.splitlines() if f"column {missing}" in line)
    assert "does not exist" in message and cell_len(message) > 80
    assert max(cell_len(line) for line in wide.splitlines()) <= PIPE_WIDTH
    assert re.search(r"^2 findings in 1 of 1 table: 1 error, 1 warning, 0 info  \[FAIL", wide, re.M)
    narrow = _pipe(db.dsn, specs, "60")
    assert max(cell_len(line) for line in narrow.splitlines()) <= 60
    assert "┃" not in narrow  # stacked
    assert f"    column {missing}\n" in narrow or f"column\n    {missing}" in narrow
    squeezed = _squeezed(narrow)
    assert _squeezed(f"column {missing} (timestamp with time zone) does not exist") in squeezed


# --- summaries that never contradict themselves -------------------------------------------


def _summary(report: Report) -> str:
    return str(summary_line(report))


def test_one_finding_is_one_finding_in_the_terminal_and_in_markdown() -> None:
    one = dataclasses.replace(DEMO, findings=DEMO.findings[:1])
    assert _summary(one).startswith("1 finding in 1 of 39 tables: 1 error, 0 warning, 0 info")
    assert "**1 finding** from checking 39 documented tables." in report_markdown.render(one)
    clean = Report(findings=(), tables_checked=1, tables=("public.orders",))
    assert _summary(clean) == "✓ 1 table matches its spec"
    assert "\n1 table matches its spec.\n" in report_markdown.render(clean)
    many = Report(findings=(), tables_checked=2, tables=("public.a", "public.b"))
    assert "\nAll 2 tables match their specs.\n" in report_markdown.render(many)
    for report in (one, clean, HARD, DEMO):
        for text in (_render(report, 80), report_markdown.render(report)):
            assert not re.search(r"\b1 (finding|table|root cause|consequence|file|note)s\b", text)


def test_tables_counted_are_the_tables_listed() -> None:
    listed = len({f.table for f in DEMO.findings if f.table})
    assert listed == 14 and DEMO.summary.tables_with_findings == 9
    assert _summary(DEMO).startswith(
        "16 findings in 14 tables (9 of the 39 checked, 5 undocumented): 7 error"
    )
    titles = [line for line in _render(DEMO, 80).splitlines() if line.startswith("public.")]
    assert len(titles) == listed
    documented = dataclasses.replace(
        DEMO, findings=tuple(f for f in DEMO.findings if f.kind != "table_undocumented")
    )
    assert _summary(documented).startswith("11 findings in 9 of 39 tables:")
    # More tables with findings than checked (advice on tables of other schemas) is never
    # printed as "N of M" with N > M.
    for checked in (3, 9, 10):
        for report in (dataclasses.replace(r, tables_checked=checked) for r in (DEMO, documented)):
            pairs = re.findall(r"\b(\d+) of (?:the )?(\d+)\b", _summary(report))
            assert all(int(n) <= int(m) for n, m in pairs), _summary(report)
    assert "(9 checked, 5 undocumented)" in _summary(dataclasses.replace(DEMO, tables_checked=3))


def test_no_tick_beside_a_failing_verdict() -> None:
    stale = Entry("public.gone|column_missing|x", "public.gone", "column_missing", "x", line=3)
    outcome = Outcome("schemaverify-baseline.json", 1, (), (), (stale,), fail_on_stale=True)
    failing = Report(findings=(), tables_checked=2, baseline=outcome)
    assert failing.failed
    line = _summary(failing)
    assert "✓" not in line and "[FAIL at --fail-on-stale]" in line
    passing = dataclasses.replace(failing, baseline=dataclasses.replace(outcome, stale=()))
    assert _summary(passing).startswith("✓ 2 tables match their specs")
    assert all("✓" not in _summary(r) for r in (DEMO, HARD) if r.failed)


def test_findings_of_a_table_are_ordered_by_severity_then_kind() -> None:
    table = "public.orders"
    shuffled = [
        make(table, "column_undocumented", "extra", "column extra exists"),
        make(table, "values_unenforced", "status", "nothing enforces the values"),
        make(table, "column_type_mismatch", "total", "column total is integer"),
        make(table, "index_missing", "btree (a)", "no index btree (a)"),
        make(table, "column_missing", "coupon", "column coupon does not exist"),
        make("public.accounts", "table_undocumented", None, "table has no spec"),
    ]
    ordered = [(f.table, f.severity, f.kind) for f in sort_findings(shuffled)]
    assert ordered == [
        ("public.accounts", "info", "table_undocumented"),
        (table, "error", "column_missing"),
        (table, "error", "column_type_mismatch"),
        (table, "warning", "column_undocumented"),
        (table, "warning", "index_missing"),
        (table, "info", "values_unenforced"),
    ]
    # A severity raised by configuration moves the finding with it.
    raised = [f.with_severity("error") if f.kind == "index_missing" else f for f in shuffled]
    kinds = [f.kind for f in sort_findings(raised) if f.table == table]
    assert kinds[:3] == ["column_missing", "column_type_mismatch", "index_missing"]
    rendered = _render(Report(findings=tuple(sort_findings(shuffled)), tables_checked=1), 120)
    order = [rendered.index(kind) for kind in ("column_missing", "column_undocumented")]
    assert order == sorted(order)
