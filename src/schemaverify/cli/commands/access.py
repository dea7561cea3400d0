"""`schemaverify access`: the effective access matrix of tables, role x command.

Answers "who can do what to which rows" from grants, RLS, BYPASSRLS, ownership and
policies together (accessmatrix.py); rendered by report_access.py.
"""

from __future__ import annotations

import sys

import typer

from schemaverify.cli.commands.live import read_live
from schemaverify.cli.commands.options import (
    LIVE,
    TABLES,
    format_option,
    load_patterns,
    report_output,
    takes,
)
from schemaverify.cli.config import Settings
from schemaverify.cli.util import ReportOutputs, handles_errors, write_output
from schemaverify.errors import UsageError

FORMATS = ("table", "json")


def parse_table(text: str) -> tuple[str, str]:
    """`name`, `schema.name` or `"Quoted"."Name"` as (schema, name), folded like SQL."""
    from schemaverify.model.normalize import identifier

    parts: list[str] = []
    current = ""
    quoted = False
    for char in text.strip():
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if quoted or len(parts) > 2 or not all(p.strip() for p in parts):
        raise UsageError(f"--table {text}: expected NAME or SCHEMA.NAME")
    try:
        names = [identifier(p.strip()) for p in parts]
    except ValueError as err:
        raise UsageError(f"--table {text}: {err}") from None
    return (names[0], names[1]) if len(names) == 2 else ("public", names[0])


def register(app: typer.Typer) -> None:
    @app.command("access")
    @handles_errors
    @takes(*LIVE)
    def access_command(
        *,
        table: list[str] = TABLES,
        settings: Settings,
        fmt: str = format_option(FORMATS),
        output: list[str] = report_output(FORMATS),
    ) -> None:
        """Show the effective access matrix of tables: who may do what to which rows.

        For each role (anon, authenticated, service_role, PUBLIC, every grantee and policy
        role) and command, from grants, RLS, BYPASSRLS, ownership and policies together.
        """
        from rich.console import Console

        from schemaverify.reports.access import print_table, render_json, render_text
        from schemaverify.rules.accessmatrix import table_access

        outputs = ReportOutputs.parse(fmt, output, FORMATS)
        wanted = [parse_table(t) for t in table]
        schemas = tuple(dict.fromkeys((*settings.schemas.value, *(s for s, _ in wanted))))
        patterns = load_patterns(settings.access_patterns.value)
        with read_live(settings, schemas) as read:
            catalog, described = read.catalog, read.live.description
        selected = list(catalog.tables) if not wanted else []
        for schema, name in wanted:
            found = catalog.table(f"{schema}.{name}")
            if found is None:
                raise UsageError(
                    f"--table {schema}.{name}: no such table or view in the schemas "
                    f"read ({', '.join(catalog.schemas)})"
                )
            selected.append(found)
        tables = catalog.by_name()
        matrices = [table_access(t, catalog, patterns, tables=tables) for t in selected]
        renderers = {"json": render_json, "table": render_text}
        for out_fmt, path in outputs.files:
            write_output(path, renderers[out_fmt](matrices, described))
        if fmt == "table":
            print_table(matrices, Console(highlight=False), described)
        elif outputs.to_stdout:
            sys.stdout.write(render_json(matrices, described))
        if read.partial:
            raise typer.Exit(1)
