"""`schemaverify access`: the effective access matrix of tables, role x command.

Answers "who can do what to which rows" from grants, RLS, BYPASSRLS, ownership and
policies together (accessmatrix.py); rendered by report_access.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..cliutil import handles_errors, warn_finding, write_output
from ..errors import UsageError
from .check import DsnOpt, MigrationsOpt, PresetOpt, SchemaOpt, SnapshotOpt
from .config import (
    AccessPatternsOpt,
    AllowPartialOpt,
    ConfigOpt,
    ConnectTimeoutOpt,
    ContinueOnErrorOpt,
    LockTimeoutOpt,
    MigrationStatementTimeoutOpt,
    MigrationTimeoutOpt,
    StatementTimeoutOpt,
    settings,
)

FORMATS = ("table", "json")


def parse_table(text: str) -> tuple[str, str]:
    """`name`, `schema.name` or `"Quoted"."Name"` as (schema, name), folded like SQL."""
    from ..normalize import identifier

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
    def access_command(
        table: list[str] = typer.Option(
            [],
            "--table",
            "-t",
            help="Table to show, NAME or SCHEMA.NAME (repeatable). "
            "Default: every relation of the schemas read.",
        ),
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        snapshot: str | None = SnapshotOpt,
        preset: str | None = PresetOpt,
        schema: list[str] | None = SchemaOpt,
        fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Also write the matrix to FILE (in --format)."
        ),
        access_patterns: Path | None = AccessPatternsOpt,
        statement_timeout: int | None = StatementTimeoutOpt,
        lock_timeout: int | None = LockTimeoutOpt,
        connect_timeout: int | None = ConnectTimeoutOpt,
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
        config: Path | None = ConfigOpt,
        continue_on_error: bool = ContinueOnErrorOpt,
        allow_partial: bool = AllowPartialOpt,
    ) -> None:
        """Show the effective access matrix of tables: who may do what to which rows.

        For each role (anon, authenticated, service_role, PUBLIC, every grantee and policy
        role) and command, from grants, RLS, BYPASSRLS, ownership and policies together.
        """
        from rich.console import Console

        from .. import access
        from ..accessmatrix import table_access
        from ..report_access import print_table, render_json, render_text
        from ..sources import open_live

        if fmt not in FORMATS:
            raise UsageError(f"--format must be table or json, not {fmt!r}")
        resolved = settings(
            {
                "config": config,
                "dsn": dsn,
                "migrations": migrations,
                "snapshot": snapshot,
                "preset": preset,
                "schemas": schema,
                "access_patterns": access_patterns,
                "statement_timeout": statement_timeout,
                "lock_timeout": lock_timeout,
                "connect_timeout": connect_timeout,
                "migration_statement_timeout": migration_statement_timeout,
                "migration_timeout": migration_timeout,
            }
        )
        wanted = [parse_table(t) for t in table]
        schemas = tuple(dict.fromkeys((*resolved.schemas.value, *(schema for schema, _ in wanted))))
        patterns = access.load_patterns(resolved.access_patterns.value)
        source = resolved.source_options(
            continue_on_error=continue_on_error, allow_partial=allow_partial
        )
        with open_live(source, schemas) as live:
            for f in live.findings:
                warn_finding(f.location or f.object, f.message)
            if live.catalog is None:
                raise typer.Exit(1)
            catalog, described = live.catalog, live.description
            failed = any(f.severity == "error" for f in live.findings)
        if wanted:
            selected = []
            for schema_name, name in wanted:
                found = catalog.table(f"{schema_name}.{name}")
                if found is None:
                    raise UsageError(
                        f"--table {schema_name}.{name}: no such table or view in the schemas "
                        f"read ({', '.join(catalog.schemas)})"
                    )
                selected.append(found)
        else:
            selected = list(catalog.tables)
        matrices = [table_access(t, catalog, patterns) for t in selected]
        if fmt == "json":
            text = render_json(matrices, described)
            sys.stdout.write(text)
        else:
            print_table(matrices, Console(highlight=False), described)
            text = render_text(matrices, described)
        if output is not None:
            write_output(output, text)
        if failed:  # a failed migration (--continue-on-error): the schema is partial
            raise typer.Exit(1)
