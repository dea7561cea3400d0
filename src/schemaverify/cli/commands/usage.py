"""`schemaverify usage`: which code reads and writes each table, and where the code and
the database disagree.

Same sources, formats, `--output`, `--fail-on`, baselines and exit codes as `check`.
Specs are optional: with them, documented tables no code names are reported
(`table_unused`); the default `specs` folder is read only when it exists.
"""

from __future__ import annotations

from pathlib import Path

import typer

from schemaverify.cli.commands.options import (
    CODE,
    LIVE,
    NO_CACHE,
    REPORT_OUTPUT,
    WRITE_BASELINE,
    format_option,
    load_patterns,
    takes,
)
from schemaverify.cli.config import Settings
from schemaverify.cli.util import ReportOutputs, handles_errors, record_baseline
from schemaverify.errors import UsageError


def register(app: typer.Typer) -> None:
    @app.command("usage")
    @handles_errors
    @takes("specs", *LIVE, "fail_on", "baseline", baselines="usage")
    def usage_command(
        settings: Settings,
        code: Path | None = CODE,
        exclude: list[Path] = typer.Option(
            [],
            "--exclude",
            metavar="DIR",
            help="Folder under --code not to scan (repeatable). Always skipped: the migrations "
            "folder, supabase/migrations, node_modules, build output and hidden folders.",
        ),
        jobs: int | None = typer.Option(
            None,
            "--jobs",
            "-j",
            metavar="N",
            min=1,
            help="Parse files in N processes. Default: one per usable core.",
        ),
        fmt: str = format_option(),
        output: list[str] = REPORT_OUTPUT,
        no_cache: bool = NO_CACHE,
        write_baseline: Path | None = WRITE_BASELINE,
    ) -> None:
        """Report which code reads and writes each table, and code the database refutes.

        Finds supabase-js and supabase-py calls (.from/.table/.rpc/storage, with their
        columns), and SQL in query()/execute() calls, sql`` templates and .sql files;
        reports names and columns the database lacks, operations its access refuses to the
        client, and documented tables no code uses.
        """
        from schemaverify.pipeline import baseline as baselines
        from schemaverify.pipeline.usage import run_usage

        outputs = ReportOutputs.parse(fmt, output)
        if code is None:
            raise UsageError("give --code DIR: the code base to scan")
        if not code.is_dir():
            raise UsageError(f"--code {code}: not a folder")
        if settings.baseline.value and write_baseline is not None:
            raise UsageError("give --baseline or --write-baseline, not both")
        # Loaded before anything is scanned or read: a malformed baseline fails fast (exit 2).
        accepted = baselines.load(settings.baseline.value) if settings.baseline.value else None
        previous = (
            baselines.load(write_baseline)
            if write_baseline is not None and write_baseline.exists()
            else None
        )
        specs: Path | None = settings.specs.value
        if settings.specs.origin == "default" and not settings.specs.value.exists():
            specs = None
        report = run_usage(
            code,
            settings.source_options(),
            specs_path=specs,
            schemas=settings.schemas.value,
            patterns=load_patterns(settings.access_patterns.value),
            fail_on=settings.fail_on.value,
            severity=settings.severity_overrides(),
            exclude=exclude,
            cache=not no_cache,
            jobs=jobs,
        )
        if write_baseline is not None:
            record_baseline(report, write_baseline, previous, read=report.schema_read)
            return
        if accepted is not None:
            report = baselines.apply(report, accepted, fail_on_stale=settings.fail_on_stale.value)
        raise typer.Exit(outputs.emit(report))
