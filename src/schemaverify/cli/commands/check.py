"""`schemaverify check`: prove the specs against a live schema."""

from __future__ import annotations

from pathlib import Path

import typer

from schemaverify.cli.commands.options import (
    LIVE,
    NO_CACHE,
    REPORT_OUTPUT,
    WRITE_BASELINE,
    format_option,
    takes,
)
from schemaverify.cli.config import Settings
from schemaverify.cli.util import ReportOutputs, handles_errors, record_baseline


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", *LIVE, "fail_on", "baseline")
    def check(
        settings: Settings,
        fmt: str = format_option(),
        output: list[str] = REPORT_OUTPUT,
        no_cache: bool = NO_CACHE,
        write_baseline: Path | None = WRITE_BASELINE,
    ) -> None:
        """Check YAML specs against a live database (or migrations) and report every mismatch."""
        outputs = ReportOutputs.parse(fmt, output)
        run_and_report(settings, outputs, cache=not no_cache, write_baseline=write_baseline)


def run_and_report(
    settings: Settings, outputs: ReportOutputs, *, cache: bool, write_baseline: Path | None
) -> None:
    """Check, then either record the findings (`--write-baseline`, `schemaverify baseline`)
    or report them with the baseline applied; exits with the run's code."""
    from schemaverify.pipeline import baseline as baselines
    from schemaverify.pipeline.check import run_check

    # Loaded before the database is read: a malformed baseline fails fast (exit 2).
    applied = settings.baseline.value if write_baseline is None else None
    accepted = baselines.load(applied) if applied is not None else None
    previous = (
        baselines.load(write_baseline)
        if write_baseline is not None and write_baseline.exists()
        else None
    )
    report = run_check(
        settings.specs.value,
        settings.source_options(),
        schemas=settings.schemas.value,
        fail_on=settings.fail_on.value,
        access_patterns=settings.access_patterns.value,
        severity=settings.severity_overrides(),
        cache=cache,
        types=settings.types.value,
        comments=settings.comments.value == "strict",
    )
    if write_baseline is not None:
        record_baseline(report, write_baseline, previous, read=report.schema_read)
        return
    if accepted is not None:
        report = baselines.apply(report, accepted, fail_on_stale=settings.fail_on_stale.value)
    raise typer.Exit(outputs.emit(report))
