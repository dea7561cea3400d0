"""`schemaverify diff`: the differences between two real schemas, reported like `check`.

Each side is a DSN, a snapshot file or a migrations folder, so the same command compares
branch migrations with production, staging with production, or today with last release's
snapshot.  Formats, `--output`, `--fail-on` and exit codes are exactly check's.
"""

from __future__ import annotations

import typer

from ..cliutil import handles_errors
from ..errors import UsageError
from ..formats import FORMATS
from .check import PresetOpt, emit, exit_code, parse_outputs
from .config import AllowPartialOpt, MigrationStatementTimeoutOpt, MigrationTimeoutOpt

_SIDE_HELP = (
    "a DSN (postgresql://... or key=value), a snapshot file (*.json) or migrations (a folder, "
    "*.sql file or glob); prefix dsn:, snapshot: or migrations: to say which."
)


def register(app: typer.Typer) -> None:
    @app.command("diff")
    @handles_errors
    def diff_command(
        from_: str = typer.Option(..., "--from", help="The reference schema: " + _SIDE_HELP),
        to: str = typer.Option(..., "--to", help="The schema compared with it: " + _SIDE_HELP),
        schema: list[str] = typer.Option(
            ["public"], "--schema", "-s", help="Schema to compare (repeatable). Default: public."
        ),
        preset: str | None = PresetOpt,
        continue_on_error: bool = typer.Option(
            False, "--continue-on-error", help="Roll back a failing migration file and go on."
        ),
        fmt: str = typer.Option(
            "table", "--format", "-f", help=f"Output format: {' | '.join(FORMATS)}."
        ),
        output: list[str] = typer.Option(
            [], "--output", "-o", help="Write the report to FILE, or FORMAT=FILE (repeatable)."
        ),
        fail_on: str = typer.Option(
            "error", "--fail-on", help="Exit 1 on findings at or above: error|warning|info|never."
        ),
        statement_timeout: int = typer.Option(
            30000, "--statement-timeout", help="Per-query timeout in milliseconds."
        ),
        lock_timeout: int = typer.Option(5000, "--lock-timeout", help="Lock wait in milliseconds."),
        connect_timeout: int = typer.Option(10, "--connect-timeout", help="Seconds."),
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
        allow_partial: bool = AllowPartialOpt,
    ) -> None:
        """Report how the --to schema differs from the --from schema, in check's findings."""
        from ..config import with_migration_limits
        from ..envdiff import FROM, TO, parse_source, run_diff
        from ..findings import FAIL_ON
        from ..sources import SourceOptions

        if fail_on not in FAIL_ON:
            raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
        if fmt not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if preset not in (None, "supabase", "none"):
            raise UsageError(f"--preset must be supabase or none, not {preset!r}")
        outputs = parse_outputs(output, fmt)
        base = SourceOptions(
            preset=preset,
            continue_on_error=continue_on_error,
            statement_timeout_ms=statement_timeout,
            lock_timeout_ms=lock_timeout,
            connect_timeout_s=connect_timeout,
            allow_partial=allow_partial,
        )
        base = with_migration_limits(base, migration_statement_timeout, migration_timeout)
        before = parse_source(from_, FROM, base)
        after = parse_source(to, TO, base)
        if preset is not None and not (before.migrations or after.migrations):
            raise UsageError("--preset applies to a migrations side only")
        report = run_diff(before, after, schemas=schema or ["public"], fail_on=fail_on)
        emit(report, fmt, outputs)
        raise typer.Exit(exit_code(report))
