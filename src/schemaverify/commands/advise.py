"""`schemaverify advise`: security and performance advice on a live schema, no spec needed.

Same sources, formats, `--output`, `--fail-on` and exit codes as `check` (see advise.py
for the checks).  A baseline is only ever the one named with `--baseline`: the configured
`baseline` holds check's findings, which advice never produces, so applying it would
report every entry as stale.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import typer

from ..cliutil import handles_errors, warn_finding, write_output
from ..errors import UsageError
from ..formats import FORMATS
from .check import (
    DsnOpt,
    MigrationsOpt,
    PresetOpt,
    SchemaOpt,
    SnapshotOpt,
    emit,
    exit_code,
    parse_outputs,
)
from .config import (
    AccessPatternsOpt,
    AllowPartialOpt,
    ConfigOpt,
    ConnectTimeoutOpt,
    FailOnOpt,
    FailOnStaleOpt,
    LockTimeoutOpt,
    MigrationStatementTimeoutOpt,
    MigrationTimeoutOpt,
    StatementTimeoutOpt,
    settings,
)


def register(app: typer.Typer) -> None:
    @app.command("advise")
    @handles_errors
    def advise_command(
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        snapshot: str | None = SnapshotOpt,
        preset: str | None = PresetOpt,
        continue_on_error: bool = typer.Option(
            False, "--continue-on-error", help="Roll back a failing migration file and go on."
        ),
        schema: list[str] | None = SchemaOpt,
        exposed_schema: list[str] = typer.Option(
            [],
            "--exposed-schema",
            help="Schema the API (PostgREST) serves to clients (repeatable). Default: public.",
        ),
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
        baseline: Path | None = typer.Option(
            None,
            "--baseline",
            help="Accept the advice findings recorded in this file (see --write-baseline).",
        ),
        write_baseline: Path | None = typer.Option(
            None,
            "--write-baseline",
            help="Record today's advice findings in this baseline file instead of reporting.",
        ),
        fail_on_stale: bool | None = FailOnStaleOpt,
    ) -> None:
        """Report security and performance advice on a live schema, no spec needed.

        Flags what a reviewer of a Supabase database would: tables open to the anon key,
        unconditional anon writes, security definer views and functions, per-row auth.uid()
        calls, redundant policies, unindexed foreign keys and duplicate indexes.
        """
        from .. import access
        from .. import baseline as baselines
        from ..advise import DEFAULT_EXPOSED, AdviceOptions, advice_report
        from ..normalize import identifier
        from ..sources import open_live

        resolved = settings(
            {
                "config": config,
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
                "fail_on_stale": fail_on_stale,
            }
        )
        if fmt not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if baseline is not None and write_baseline is not None:
            raise UsageError("give --baseline or --write-baseline, not both")
        outputs = parse_outputs(output, fmt)
        exposed: list[str] = []
        for text in exposed_schema or DEFAULT_EXPOSED:
            try:
                exposed.append(identifier(text))
            except ValueError as err:
                raise UsageError(f"--exposed-schema {text}: {err}") from None
        options = AdviceOptions(
            patterns=access.load_patterns(resolved.access_patterns.value),
            exposed_schemas=tuple(dict.fromkeys(exposed)),
        )
        # Loaded before the database is read: a malformed baseline fails fast (exit 2).
        accepted = baselines.load(baseline) if baseline is not None else None
        previous = (
            baselines.load(write_baseline)
            if write_baseline is not None and write_baseline.exists()
            else None
        )
        schemas = tuple(dict.fromkeys((*resolved.schemas.value, *options.exposed_schemas)))
        source = resolved.source_options(
            continue_on_error=continue_on_error, allow_partial=allow_partial
        )
        with open_live(source, schemas) as live:
            read = live.catalog is not None
            report = advice_report(
                live,
                options,
                fail_on=resolved.fail_on.value,
                severity=resolved.severity_overrides(),
            )
        if write_baseline is not None:
            if not read:  # a failed migration stopped the run: nothing to record
                for f in report.findings:
                    warn_finding(f.location or f.object, f.message)
                warn_finding(None, f"no schema was read; {write_baseline} left unchanged")
                raise typer.Exit(1)
            text = baselines.record(
                report.findings, created=datetime.date.today(), previous=previous
            )
            write_output(write_baseline, text, "baseline")
            count = len({f.fingerprint for f in report.findings})
            sys.stdout.write(f"recorded {count} findings in {write_baseline}\n")
            return
        if accepted is not None:
            report = baselines.apply(report, accepted, fail_on_stale=resolved.fail_on_stale.value)
        emit(report, fmt, outputs)
        raise typer.Exit(exit_code(report))
