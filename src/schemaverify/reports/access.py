"""Rendering of access matrices (`schemaverify access`): a terminal grid, or JSON.

Kept apart from accessmatrix.py, which computes, so that the computation has no rich
dependency and one more format is one more function here.  Names of tables, roles and
policies reach the grid as `Text` through `escape.terminal`, and the printed lines pass
`escape.log_safe`, as in the check report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import StringIO
from typing import Any

from rich.console import Console, Group
from rich.table import Table as Grid
from rich.text import Text

from schemaverify.escape import guarded, terminal
from schemaverify.model.vocabulary import PUBLIC
from schemaverify.rules.accessmatrix import ALL_ROWS, COMMANDS, NO_ROWS, NONE, Cell, TableAccess

ACCESS_SCHEMA_VERSION = 1
"""Version of the JSON document; bumped only when a field changes meaning."""

_STYLE = {NONE: "dim", NO_ROWS: "green", ALL_ROWS: "bold red"}


def _role(role: str) -> str:
    return "PUBLIC" if role == PUBLIC else role


def _cell_data(cell: Cell) -> dict[str, Any]:
    return {
        "access": str(cell),
        "level": cell.level,
        "scopes": list(cell.scopes),
        "restricted_by": list(cell.restricted_by),
        "reason": cell.reason,
        "policies": list(cell.policies),
    }


def to_data(matrices: Sequence[TableAccess], source: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON document: versioned, roles in matrix order, commands in COMMANDS order."""
    tables = []
    for matrix in matrices:
        table = matrix.table
        rls = table.rls
        tables.append(
            {
                "table": table.qualified,
                "kind": table.kind,
                "owner": table.owner,
                "rls": {
                    "enabled": bool(rls and rls.enabled),
                    "forced": bool(rls and rls.forced),
                },
                "matrix": {
                    _role(role): {
                        command: _cell_data(cell)
                        for command, cell in zip(COMMANDS, cells, strict=True)
                    }
                    for role, cells in matrix.rows()
                },
            }
        )
    return {
        "schema_version": ACCESS_SCHEMA_VERSION,
        "source": dict(source),
        "commands": list(COMMANDS),
        "tables": tables,
    }


def render_json(matrices: Sequence[TableAccess], source: Mapping[str, Any]) -> str:
    from schemaverify.reports.json_report import dumps

    return dumps(to_data(matrices, source))


def _title(matrix: TableAccess) -> Text:
    table = matrix.table
    rls = table.rls
    state = "RLS on" if rls and rls.enabled else "RLS off"
    if rls and rls.forced:
        state += ", forced"
    if table.kind not in ("table", "partitioned table"):
        state = "no RLS of its own"
    text = Text(terminal(table.qualified), style="bold")
    owner = terminal(table.owner) if table.owner else "?"
    text.append(f"  {table.kind}, owner {owner}, {state}", style="dim")
    return text


def _grid(matrix: TableAccess) -> Grid:
    grid = Grid(
        title=_title(matrix),
        title_justify="left",
        box=None,
        show_header=True,
        header_style="dim",
        pad_edge=False,
        expand=False,
    )
    grid.add_column("role", no_wrap=True)
    for command in COMMANDS:
        grid.add_column(command, overflow="fold")
    for role, cells in matrix.rows():
        grid.add_row(
            Text(terminal(_role(role))),  # Text: a role named "[bold]x" is no markup
            *(Text(terminal(str(cell)), style=_STYLE.get(cell.level, "")) for cell in cells),
        )
    return grid


def print_table(
    matrices: Sequence[TableAccess], console: Console, source: Mapping[str, Any]
) -> None:
    with guarded(console):
        where = source.get("description") or source.get("dsn") or ""
        if where:
            console.print(Text(f"access of {terminal(str(where))}", style="dim"))
        if not matrices:
            console.print("no table")
            return
        console.print(Group(*(_grid(m) for m in matrices)))


def render_text(matrices: Sequence[TableAccess], source: Mapping[str, Any]) -> str:
    """The terminal grid without colour, for files and pipes."""
    buffer = StringIO()
    print_table(matrices, Console(file=buffer, width=160, no_color=True, highlight=False), source)
    return buffer.getvalue()
