"""`schemaverify coverage`: how much of the live schema the specs document."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..cliutil import handles_errors, warn_finding, write_output
from ..errors import UsageError
from .check import DsnOpt, MigrationsOpt, PresetOpt, SchemaOpt, SnapshotOpt, SpecsOpt
from .config import (
    AccessPatternsOpt,
    AllowPartialOpt,
    ConfigOpt,
    ContinueOnErrorOpt,
    MigrationStatementTimeoutOpt,
    MigrationTimeoutOpt,
)


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def coverage(
        specs: Path | None = SpecsOpt,
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        snapshot: str | None = SnapshotOpt,
        preset: str | None = PresetOpt,
        schema: list[str] | None = SchemaOpt,
        fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
        output: Path | None = typer.Option(None, "--output", "-o", help="Write to FILE."),
        min_coverage: float | None = typer.Option(
            None, "--min", help="Exit 1 when the documented share is below this (0-100)."
        ),
        config: Path | None = ConfigOpt,
        continue_on_error: bool = ContinueOnErrorOpt,
        allow_partial: bool = AllowPartialOpt,
        access_patterns: Path | None = AccessPatternsOpt,
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
    ) -> None:
        """List undocumented live tables, specs without tables, and the documented share."""
        from rich.console import Console

        from .. import access, tenants
        from ..checker import schemas_to_read
        from ..coverage import compute
        from ..report_coverage import render_json, render_table
        from ..sources import open_live
        from ..specload import load_specs
        from .config import settings

        if fmt not in ("table", "json"):
            raise UsageError(f"--format must be table or json, not {fmt!r}")
        resolved = settings(
            {
                "config": config,
                "specs": specs,
                "dsn": dsn,
                "migrations": migrations,
                "snapshot": snapshot,
                "preset": preset,
                "schemas": schema,
                "access_patterns": access_patterns,
                "migration_statement_timeout": migration_statement_timeout,
                "migration_timeout": migration_timeout,
            }
        )
        schema = list(resolved.schemas.value)
        patterns = access.load_patterns(resolved.access_patterns.value)
        spec_set = load_specs(
            resolved.specs.value,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
        )
        source = resolved.source_options(
            continue_on_error=continue_on_error, allow_partial=allow_partial
        )
        with open_live(source, schemas_to_read(spec_set, schema)) as live:
            for f in live.findings:
                warn_finding(f.location or f.object, f.message)
            if live.catalog is None:
                raise typer.Exit(1)
            # Tenant globs resolve as in `check`: templates become one spec per matched schema.
            where = live.description.get("description") or "the database"
            tenants.check_matched(spec_set, schema, live.catalog.schemas, where)
            cov = compute(
                tenants.expand(spec_set, schema, live.catalog.schemas),
                live.catalog,
                tenants.resolve(schema, live.catalog.schemas),
            )
            failed = any(f.severity == "error" for f in live.findings)
            counts = live.migrations
        if fmt == "json":
            text = render_json(cov)
            if output:
                write_output(output, text)
            else:
                sys.stdout.write(text)
        else:
            render_table(cov, Console(highlight=False))
            if output:
                write_output(output, render_json(cov))
        if min_coverage is not None and not cov.live_tables:
            # 0 of 0 is no evidence of documentation: nothing was read to measure.
            why = (
                f" ({counts['failed']} of {counts['files']} migration files failed)"
                if counts and counts.get("failed")
                else ""
            )
            warn_finding(
                None,
                f"--min {min_coverage:g}: no live table was read in {', '.join(cov.schemas)}"
                f"{why}: there is no documented share to measure",
            )
            raise typer.Exit(1)
        if min_coverage is not None and cov.ratio * 100 < min_coverage:
            raise typer.Exit(1)
        if failed:  # a failed migration (--continue-on-error): the schema is partial
            raise typer.Exit(1)
