"""`schemaverify check`: prove the specs against a live schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..cliutil import handles_errors, write_output
from ..errors import EXIT_CLEAN, EXIT_DRIFT, UsageError
from ..formats import FORMATS, renderer
from .config import (
    AccessPatternsOpt,
    AllowPartialOpt,
    BaselineOpt,
    ConfigOpt,
    ConnectTimeoutOpt,
    FailOnOpt,
    FailOnStaleOpt,
    LockTimeoutOpt,
    MigrationStatementTimeoutOpt,
    MigrationTimeoutOpt,
    NoBaselineOpt,
    StatementTimeoutOpt,
)

if TYPE_CHECKING:
    from ..report import Report


def parse_outputs(outputs: list[str], default_format: str) -> list[tuple[str, Path]]:
    """`--output FILE` (in --format) or `--output FORMAT=FILE`, repeatable."""
    parsed = []
    for item in outputs:
        fmt, sep, path = item.partition("=")
        if sep and fmt in FORMATS:
            parsed.append((fmt, Path(path)))
        elif sep and fmt.isidentifier():
            raise UsageError(f"--output {item}: unknown format {fmt!r} ({', '.join(FORMATS)})")
        else:
            parsed.append((default_format, Path(item)))
    return parsed


def emit(report: Report, fmt: str, outputs: list[tuple[str, Path]]) -> None:
    """Write each requested file, then the terminal view on stdout."""
    for out_fmt, path in outputs:
        write_output(path, renderer(out_fmt)(report))
    if fmt == "table":
        from rich.console import Console

        from ..report_table import print_report

        print_report(report, Console(highlight=False))
    elif not any(path for f, path in outputs if f == fmt):
        sys.stdout.write(renderer(fmt)(report))


def exit_code(report: Report) -> int:
    return EXIT_DRIFT if report.failed else EXIT_CLEAN


# Options default to None so that "not given" is visible and the configuration file can
# supply the value (see config.resolve); the built-in defaults live in config.py.
SpecsOpt = typer.Option(None, "--specs", help="Folder (or file) of YAML specs. Default: specs.")
DsnOpt = typer.Option(
    None,
    "--dsn",
    help="Connection string. Default: $SCHEMAVERIFY_DSN, $DATABASE_URL or libpq PG* variables.",
)
MigrationsOpt = typer.Option(
    None,
    "--migrations",
    help="Apply these *.sql migrations (folder, file or glob) to a throwaway embedded PostgreSQL.",
)
SnapshotOpt = typer.Option(
    None,
    "--snapshot",
    help="Read the live schema from a snapshot file (`schemaverify snapshot`), offline.",
)
PresetOpt = typer.Option(
    None, "--preset", help="supabase | none (default: supabase for supabase/migrations folders)."
)
SchemaOpt = typer.Option(
    None, "--schema", "-s", help="Schema to check (repeatable). Default: public."
)


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def check(
        specs: Path | None = SpecsOpt,
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        snapshot: str | None = SnapshotOpt,
        preset: str | None = PresetOpt,
        continue_on_error: bool = typer.Option(
            False, "--continue-on-error", help="Roll back a failing migration file and go on."
        ),
        schema: list[str] | None = SchemaOpt,
        fmt: str = typer.Option(
            "table", "--format", "-f", help=f"Output format: {' | '.join(FORMATS)}."
        ),
        output: list[str] = typer.Option(
            [], "--output", "-o", help="Write the report to FILE, or FORMAT=FILE (repeatable)."
        ),
        fail_on: str | None = FailOnOpt,
        access_patterns: Path | None = AccessPatternsOpt,
        statement_timeout: int | None = StatementTimeoutOpt,
        lock_timeout: int | None = LockTimeoutOpt,
        connect_timeout: int | None = ConnectTimeoutOpt,
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
        config: Path | None = ConfigOpt,
        allow_partial: bool = AllowPartialOpt,
        baseline: Path | None = BaselineOpt,
        no_baseline: bool = NoBaselineOpt,
        fail_on_stale: bool | None = FailOnStaleOpt,
        no_cache: bool = typer.Option(
            False, "--no-cache", help="Load every spec file again; do not use the spec cache."
        ),
    ) -> None:
        """Check YAML specs against a live database (or migrations) and report every mismatch."""
        from .. import baseline as baselines
        from ..checker import run_check
        from .config import settings

        resolved = settings(
            {
                "config": config,
                "specs": specs,
                "dsn": dsn,
                "migrations": migrations,
                "snapshot": snapshot,
                "preset": preset,
                "schemas": schema,
                "fail_on": fail_on,
                "access_patterns": access_patterns,
                "statement_timeout": statement_timeout,
                "lock_timeout": lock_timeout,
                "connect_timeout": connect_timeout,
                "migration_statement_timeout": migration_statement_timeout,
                "migration_timeout": migration_timeout,
                "baseline": baseline,
                "no_baseline": no_baseline,
                "fail_on_stale": fail_on_stale,
            }
        )
        if fmt not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        outputs = parse_outputs(output, fmt)
        # Loaded before the database is read: a malformed baseline fails fast (exit 2).
        accepted = baselines.load(resolved.baseline.value) if resolved.baseline.value else None
        report = run_check(
            resolved.specs.value,
            resolved.source_options(
                continue_on_error=continue_on_error, allow_partial=allow_partial
            ),
            schemas=resolved.schemas.value,
            fail_on=resolved.fail_on.value,
            access_patterns=resolved.access_patterns.value,
            severity=resolved.severity_overrides(),
            cache=not no_cache,
        )
        if accepted is not None:
            report = baselines.apply(report, accepted, fail_on_stale=resolved.fail_on_stale.value)
        emit(report, fmt, outputs)
        raise typer.Exit(exit_code(report))
