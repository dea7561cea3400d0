"""Coverage renderers: JSON (versioned like the check report) and a terminal view.

The terminal view escapes names as the check report does (`escape.terminal` into `Text`,
printed lines through `escape.log_safe`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from schemaverify.escape import guarded, terminal
from schemaverify.reports.json_report import dumps
from schemaverify.rules.coverage import Coverage

COVERAGE_SCHEMA_VERSION = 1


def coverage_dict(cov: Coverage) -> dict[str, Any]:
    return {
        "schema_version": COVERAGE_SCHEMA_VERSION,
        "source": cov.source,
        "schemas": list(cov.schemas),
        "summary": {
            "live_tables": cov.live_tables,
            "documented": len(cov.documented),
            "undocumented": len(cov.undocumented),
            "specs_without_table": len(cov.missing),
            "dangling_references": len(cov.dangling),
            "coverage": round(cov.ratio, 4),
        },
        "documented": list(cov.documented),
        "undocumented": [
            {"table": u.table, "columns": u.columns, "kind": u.kind} for u in cov.undocumented
        ],
        "specs_without_table": [{"table": m.table, "spec": m.spec} for m in cov.missing],
        "dangling_references": [
            {"table": d.table, "referenced_by": list(d.referenced_by)} for d in cov.dangling
        ],
        "unread_references": [
            {"table": r.table, "referenced_by": list(r.referenced_by)} for r in cov.unread
        ],
        "code": _code_dict(cov),
    }


def _code_dict(cov: Coverage) -> dict[str, Any] | None:
    """`coverage --code`: null without a scan (keys are only ever added)."""
    if cov.code is None:
        return None
    return {
        "code": cov.code.code,
        "used_undocumented": [
            {"table": u.table, "files": u.files, "first": u.first}
            for u in cov.code.used_undocumented
        ],
        "documented_unused": list(cov.code.documented_unused),
    }


def render_json(cov: Coverage) -> str:
    return dumps(coverage_dict(cov))


def render_table(cov: Coverage, console: Console) -> None:
    with guarded(console):
        _print_table(cov, console)


def _print_table(cov: Coverage, console: Console) -> None:
    if cov.undocumented:
        grid = Table(title="live tables without a spec", title_justify="left")
        grid.add_column("table")
        grid.add_column("columns", justify="right")
        for u in cov.undocumented:
            grid.add_row(Text(terminal(u.table)), str(u.columns))  # Text: names are no markup
        console.print(grid)
    if cov.missing:
        grid = Table(title="specs whose table does not exist", title_justify="left")
        grid.add_column("table")
        grid.add_column("spec", style="dim")
        for m in cov.missing:
            grid.add_row(Text(terminal(m.table)), Text(terminal(m.spec)))
        console.print(grid)
    if cov.dangling:
        grid = Table(
            title="referenced by a foreign key, neither specified nor live", title_justify="left"
        )
        grid.add_column("table")
        grid.add_column("referenced by", style="dim")
        for d in cov.dangling:
            grid.add_row(Text(terminal(d.table)), Text("\n".join(map(terminal, d.referenced_by))))
        console.print(grid)
    if cov.unread:
        grid = Table(
            title="referenced by a foreign key, in a schema not read from the snapshot",
            title_justify="left",
        )
        grid.add_column("table")
        grid.add_column("referenced by", style="dim")
        for ref in cov.unread:
            grid.add_row(
                Text(terminal(ref.table)), Text("\n".join(map(terminal, ref.referenced_by)))
            )
        console.print(grid)
    if cov.code is not None and cov.code.used_undocumented:
        grid = Table(title="used by code but undocumented", title_justify="left")
        grid.add_column("table")
        grid.add_column("files", justify="right")
        grid.add_column("first use", style="dim")
        for used in cov.code.used_undocumented:
            grid.add_row(Text(terminal(used.table)), str(used.files), Text(terminal(used.first)))
        console.print(grid)
    if cov.code is not None and cov.code.documented_unused:
        grid = Table(
            title=f"documented but unused by the code in {terminal(cov.code.code)}",
            title_justify="left",
        )
        grid.add_column("table")
        for name in cov.code.documented_unused:
            grid.add_row(Text(terminal(name)))
        console.print(grid)
    line = Text()
    line.append(f"{len(cov.documented)} of {cov.live_tables} live tables documented ", style="bold")
    line.append(f"({cov.ratio:.0%})")
    line.append(
        f"; {_count(len(cov.missing), 'spec', 'specs')} without a table; "
        f"{_count(len(cov.dangling), 'dangling reference', 'dangling references')}"
    )
    if cov.unread:
        line.append(
            f"; {_count(len(cov.unread), 'foreign-key target', 'foreign-key targets')} "
            "in schemas not read"
        )
    console.print(line)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
