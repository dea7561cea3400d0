"""`schemaverify baseline`: record today's findings so that the gate fails only on new ones."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import typer

from ..cliutil import handles_errors, warn_finding, write_output
from .check import DsnOpt, MigrationsOpt, PresetOpt, SchemaOpt, SnapshotOpt, SpecsOpt
from .config import (
    AccessPatternsOpt,
    AllowPartialOpt,
    ConfigOpt,
    ConnectTimeoutOpt,
    LockTimeoutOpt,
    MigrationStatementTimeoutOpt,
    MigrationTimeoutOpt,
    StatementTimeoutOpt,
    settings,
)


def register(app: typer.Typer) -> None:
    @app.command("baseline")
    @handles_errors
    def baseline_command(
        specs: Path | None = SpecsOpt,
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        snapshot: str | None = SnapshotOpt,
        preset: str | None = PresetOpt,
        continue_on_error: bool = typer.Option(
            False, "--continue-on-error", help="Roll back a failing migration file and go on."
        ),
        schema: list[str] | None = SchemaOpt,
        output: Path | None = typer.Option(
            None,
            "--output",
            "-o",
            help="Baseline file to write. Default: `baseline` from the configuration, else "
            "schemaverify-baseline.json.",
        ),
        config: Path | None = ConfigOpt,
        allow_partial: bool = AllowPartialOpt,
        access_patterns: Path | None = AccessPatternsOpt,
        statement_timeout: int | None = StatementTimeoutOpt,
        lock_timeout: int | None = LockTimeoutOpt,
        connect_timeout: int | None = ConnectTimeoutOpt,
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
    ) -> None:
        """Record the current findings in a baseline file; `check --baseline` then accepts them.

        Entries are keyed by fingerprint (table|kind|object), sorted, one per finding.
        When the file already exists, the `reason` and `expires` of entries that still
        occur are kept.
        """
        from .. import baseline as baselines
        from ..checker import run_check
        from ..config import DEFAULT_BASELINE

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
                "statement_timeout": statement_timeout,
                "lock_timeout": lock_timeout,
                "connect_timeout": connect_timeout,
                "migration_statement_timeout": migration_statement_timeout,
                "migration_timeout": migration_timeout,
            }
        )
        target = output or resolved.baseline.value or resolved.in_root(DEFAULT_BASELINE)
        # Read the old file first: a malformed one stops the run before the database is touched.
        previous = baselines.load(target) if target.exists() else None
        report = run_check(
            resolved.specs.value,
            resolved.source_options(
                continue_on_error=continue_on_error, allow_partial=allow_partial
            ),
            schemas=resolved.schemas.value,
            access_patterns=resolved.access_patterns.value,
            severity=resolved.severity_overrides(),
        )
        if not report.schema_read:
            # A failed migration stopped the run: recording now would drop every table entry.
            for f in report.findings:
                warn_finding(f.location or f.spec or f.object, f.message)
            warn_finding(None, f"no schema was read; {target} left unchanged")
            raise typer.Exit(1)
        text = baselines.record(report.findings, created=datetime.date.today(), previous=previous)
        write_output(target, text, "baseline")
        count = len({f.fingerprint for f in report.findings})
        kept = sum(1 for e in previous.entries if e.reason or e.expires) if previous else 0
        note = " (reason and expires kept from the previous file)" if kept else ""
        sys.stdout.write(f"recorded {count} findings in {target}{note}\n")
