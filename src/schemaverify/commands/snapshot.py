"""`schemaverify snapshot`: write the live schema as a versioned, deterministic JSON file.

The file is what `check --snapshot`, `coverage --snapshot` and `diff` read instead of a
database: a CI job can then check specs with no network access to production, and a
committed snapshot shows schema changes in code review.  See `snapshot.py` for the format.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import typer

from ..cliutil import handles_errors, warn_finding
from ..errors import UsageError
from .check import DsnOpt, MigrationsOpt, PresetOpt
from .config import ContinueOnErrorOpt, MigrationStatementTimeoutOpt, MigrationTimeoutOpt


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    @handles_errors
    def snapshot_command(
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        preset: str | None = PresetOpt,
        continue_on_error: bool = ContinueOnErrorOpt,
        schema: list[str] = typer.Option(
            ["public"], "--schema", "-s", help="Schema to record (repeatable). Default: public."
        ),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Write the snapshot to FILE. Default: standard output."
        ),
        timestamp: bool = typer.Option(
            False,
            "--timestamp",
            help="Record when the snapshot was taken (created_at); snapshots of an unchanged "
            "database then differ.",
        ),
        statement_timeout: int = typer.Option(
            30000, "--statement-timeout", help="Per-query timeout in milliseconds."
        ),
        lock_timeout: int = typer.Option(5000, "--lock-timeout", help="Lock wait in milliseconds."),
        connect_timeout: int = typer.Option(10, "--connect-timeout", help="Seconds."),
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
    ) -> None:
        """Write the live schema (a database, or migrations applied to an embedded PostgreSQL)
        as a JSON snapshot that check, coverage and diff can read offline."""
        from .. import snapshot
        from ..config import with_migration_limits
        from ..sources import SourceOptions, open_live

        if preset not in (None, "supabase", "none"):
            raise UsageError(f"--preset must be supabase or none, not {preset!r}")
        if preset is not None and not migrations:
            raise UsageError("--preset applies to --migrations only")
        source = SourceOptions(
            dsn=dsn,
            migrations=migrations,
            preset=preset,
            continue_on_error=continue_on_error,
            statement_timeout_ms=statement_timeout,
            lock_timeout_ms=lock_timeout,
            connect_timeout_s=connect_timeout,
        )
        source = with_migration_limits(source, migration_statement_timeout, migration_timeout)
        schemas = tuple(dict.fromkeys(schema or ["public"]))
        with open_live(source, schemas) as live:
            for f in live.findings:
                warn_finding(f.location or f.object, f"{f.severity}: {f.message}")
            if live.catalog is None:
                warn_finding(None, "no snapshot written: the migrations did not apply")
                raise typer.Exit(1)
            catalog, description = live.catalog, live.description
            # A history with failed or skipped files gives a partial schema: the snapshot
            # says so, and readers refuse it unless --allow-partial.
            record = (
                snapshot.migrations_record(live.migrations, live.findings)
                if live.migrations is not None
                else None
            )
        created = datetime.now(timezone.utc).isoformat(timespec="seconds") if timestamp else None
        if output is None:
            sys.stdout.write(
                snapshot.dump(catalog, source=description, created_at=created, migrations=record)
            )
        else:
            snapshot.write(
                catalog, output, source=description, created_at=created, migrations=record
            )
            warn_finding(
                None,
                f"wrote {output}: {len(catalog.tables)} relations of schema "
                f"{', '.join(catalog.schemas)}"
                + (
                    f" (partial: {record.failed} of {record.files} migration files failed, "
                    f"{record.skipped} skipped)"
                    if record is not None and record.partial
                    else ""
                ),
            )
        # A migration that failed (with --continue-on-error) leaves a partial schema: the
        # snapshot is written, for inspection, but the run does not pass.
        if any(f.severity == "error" for f in live.findings):
            raise typer.Exit(1)
