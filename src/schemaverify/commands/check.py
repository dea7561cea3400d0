"""`schemaverify check`: prove the specs against a live schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..cliutil import handles_errors
from ..errors import EXIT_CLEAN, EXIT_DRIFT, UsageError
from ..formats import FORMATS, renderer

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
        try:
            path.write_text(renderer(out_fmt)(report), encoding="utf-8")
        except OSError as err:
            raise UsageError(f"{path}: cannot write report: {err.strerror}") from None
    if fmt == "table":
        from rich.console import Console

        from ..report_table import print_report

        print_report(report, Console(highlight=False))
    elif not any(path for f, path in outputs if f == fmt):
        sys.stdout.write(renderer(fmt)(report))


def exit_code(report: Report) -> int:
    return EXIT_DRIFT if report.failed else EXIT_CLEAN


SpecsOpt = typer.Option(Path("specs"), "--specs", help="Folder (or file) of YAML specs.")
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
PresetOpt = typer.Option(
    None, "--preset", help="supabase | none (default: supabase for supabase/migrations folders)."
)
SchemaOpt = typer.Option(
    ["public"], "--schema", "-s", help="Schema to check (repeatable). Default: public."
)


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    def check(
        specs: Path = SpecsOpt,
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        preset: str | None = PresetOpt,
        continue_on_error: bool = typer.Option(
            False, "--continue-on-error", help="Roll back a failing migration file and go on."
        ),
        schema: list[str] = SchemaOpt,
        fmt: str = typer.Option("table", "--format", "-f", help="Output format: table | json."),
        output: list[str] = typer.Option(
            [], "--output", "-o", help="Write the report to FILE, or FORMAT=FILE (repeatable)."
        ),
        fail_on: str = typer.Option(
            "error", "--fail-on", help="Exit 1 on findings at or above: error|warning|info|never."
        ),
        access_patterns: Path | None = typer.Option(
            None, "--access-patterns", help="YAML file adding RLS access kinds or patterns."
        ),
        statement_timeout: int = typer.Option(
            30000, "--statement-timeout", help="Per-query timeout in milliseconds."
        ),
        lock_timeout: int = typer.Option(5000, "--lock-timeout", help="Lock wait in milliseconds."),
        connect_timeout: int = typer.Option(10, "--connect-timeout", help="Seconds."),
    ) -> None:
        """Check YAML specs against a live database (or migrations) and report every mismatch."""
        from ..checker import run_check
        from ..findings import FAIL_ON
        from ..sources import SourceOptions

        if fail_on not in FAIL_ON:
            raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
        if fmt not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if preset not in (None, "supabase", "none"):
            raise UsageError(f"--preset must be supabase or none, not {preset!r}")
        if preset is not None and not migrations:
            raise UsageError("--preset applies to --migrations only")
        outputs = parse_outputs(output, fmt)
        report = run_check(
            specs,
            SourceOptions(
                dsn=dsn,
                migrations=migrations,
                preset=preset,
                continue_on_error=continue_on_error,
                statement_timeout_ms=statement_timeout,
                lock_timeout_ms=lock_timeout,
                connect_timeout_s=connect_timeout,
            ),
            schemas=schema,
            fail_on=fail_on,
            access_patterns=access_patterns,
        )
        emit(report, fmt, outputs)
        raise typer.Exit(exit_code(report))
