"""Terminal report: findings grouped by table, consequences folded under their cause.

Every string from the model goes through `escape.terminal` into a Rich `Text` (never a markup
string), and what is printed through `escape.log_safe`: the report is read in terminals and CI
logs, where a name must start no line, escape sequence or workflow command.
"""

from __future__ import annotations

from io import StringIO

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from schemaverify.escape import guarded, terminal
from schemaverify.model.findings import Finding
from schemaverify.pipeline.report import (
    NOT_READ,
    Report,
    consequences_of,
    folded_text,
    group_title,
)
from schemaverify.reports import baseline_view as baseline

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _title(table: str, findings: list[Finding]) -> str:
    return terminal(group_title(table, findings))


def _table_for(name: str, findings: list[Finding]) -> Table:
    grid = Table(
        title=Text(_title(name, findings), style="bold"),
        title_justify="left",
        show_header=True,
        header_style="dim",
        expand=False,
        pad_edge=False,
    )
    # The place goes under the message rather than in a column of its own, so
    # the message keeps most of the width in an 80-column terminal or CI log.
    grid.add_column("severity", no_wrap=True)
    grid.add_column("kind", no_wrap=True)
    grid.add_column("object", overflow="fold", max_width=28)
    grid.add_column("message", overflow="fold", ratio=1, min_width=24)
    children = consequences_of(findings)
    folded = {id(child) for group in children.values() for child in group}
    for f in findings:
        if id(f) in folded:
            continue
        _row(grid, f, indent="")
        group = children.get(f.fingerprint, [])
        if not name and group:
            # Migration failures caused by this one: one line, not one row each (a missing
            # extension in a first file of 25 would otherwise bury itself under 24).
            _folded_row(grid, f, group)
            continue
        for child in group:
            _row(grid, child, indent="  └ ")
    return grid


def _folded_row(grid: Table, root: Finding, group: list[Finding]) -> None:
    grid.add_row(
        Text(root.severity, style=_STYLE.get(root.severity, "")),
        Text(f"  └ {len(group)} consequence{'' if len(group) == 1 else 's'}", style="dim"),
        Text(""),
        Text(terminal(folded_text(group)), style="dim"),
    )


def _row(grid: Table, f: Finding, indent: str) -> None:
    # Text, not str: a str cell is Rich markup, and a name like "a[bold]b" is data.
    message = Text(terminal(f.message))
    place = f.location or f.spec
    if place:
        message.append("\n" + terminal(place), style="dim")
    grid.add_row(
        Text(f.severity, style=_STYLE.get(f.severity, "")),
        Text(indent + f.kind, style="dim" if indent else ""),
        Text(terminal(f.object or "")),
        message,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def migrations_line(report: Report) -> Text | None:
    """`migrations: 1 of 25 files applied, 24 failed, 0 skipped` for a migrations source."""
    counts = report.migrations
    if counts is None:
        return None
    text = Text("migrations: ", style="bold")
    text.append(f"{counts.get('applied', 0)} of {_count(counts.get('files', 0), 'file')} applied")
    failed = counts.get("failed", 0)
    text.append(", ")
    text.append(f"{failed} failed", style="bold red" if failed else "")
    text.append(f", {counts.get('skipped', 0)} skipped")
    return text


def summary_line(report: Report) -> Text:
    s = report.summary
    text = Text()
    if not report.schema_read:
        text.append(f"{_count(s.total, 'finding')}", style="bold")
        text.append(f"; {NOT_READ}")
        if s.consequences:
            text.append(
                f" ({_count(s.root_causes, 'root cause')}, {_count(s.consequences, 'consequence')})"
            )
        text.append(baseline.summary_suffix(report))
        verdict = "FAIL" if report.failed else "pass"
        text.append(
            f"  [{verdict} at --fail-on {report.fail_on}]",
            style="bold red" if report.failed else "green",
        )
        return text
    if not report.findings:
        text.append(f"✓ {s.tables_checked} tables match their specs", style="bold green")
        if len(s.by_schema) > 1:
            text.append(f" in {len(s.by_schema)} schemas", style="bold green")
        text.append(baseline.summary_suffix(report))
        if report.failed:  # only stale baseline entries under --fail-on-stale
            text.append("  [FAIL at --fail-on-stale]", style="bold red")
        return text
    text.append(f"{s.total} findings", style="bold")
    text.append(f" in {s.tables_with_findings} of {s.tables_checked} tables: ")
    parts = [(f"{s.by_severity[k]} {k}", _STYLE[k]) for k in ("error", "warning", "info")]
    for i, (label, style) in enumerate(parts):
        if i:
            text.append(", ")
        text.append(label, style=style)
    if s.consequences:
        text.append(
            f" ({_count(s.root_causes, 'root cause')}, {_count(s.consequences, 'consequence')})"
        )
    text.append(baseline.summary_suffix(report))
    verdict = "FAIL" if report.failed else "pass"
    text.append(
        f"  [{verdict} at --fail-on {report.fail_on}]",
        style="bold red" if report.failed else "green",
    )
    return text


def schema_lines(report: Report) -> list[Text]:
    """One line per schema with findings, and a count of the others, when more than one
    schema was checked (schema-per-tenant); nothing otherwise."""
    by_schema = report.summary.by_schema
    if len(by_schema) < 2 or not report.findings:
        return []
    lines = [Text("per schema:", style="bold")]
    names = {name: terminal(name) for name in by_schema}
    width = max(len(name) for name in names.values())
    clean = 0
    for name, counts in by_schema.items():
        if not any(counts.values()):
            clean += 1
            continue
        line = Text(f"  {names[name]:<{width}}  ")
        for i, severity in enumerate(("error", "warning", "info")):
            if i:
                line.append(", ")
            line.append(f"{counts[severity]} {severity}", style=_STYLE[severity])
        lines.append(line)
    if clean:
        lines.append(Text(f"  {clean} other schema{'s' if clean > 1 else ''}: no findings"))
    return lines


def render(report: Report) -> str:
    """Plain-text rendering (no colour) for files and pipes."""
    buffer = StringIO()
    print_report(report, Console(file=buffer, width=160, no_color=True, highlight=False))
    return buffer.getvalue()


def print_report(report: Report, console: Console) -> None:
    with guarded(console):
        source = report.source.get("description") or report.source.get("dsn") or ""
        if source:
            console.print(Text(f"checked against {terminal(str(source))}", style="dim"))
        groups = [_table_for(name, items) for name, items in report.by_table().items()]
        if groups:
            console.print(Group(*groups))
        for style, note in baseline.notes(report):
            # soft_wrap: fingerprints stay whole
            console.print(Text(terminal(note), style=style), soft_wrap=True)
        for line in schema_lines(report):
            console.print(line)
        counts = migrations_line(report)
        if counts is not None:
            console.print(counts)
        console.print(summary_line(report))
