"""`schemaverify check`: prove the specs against a live schema."""

from __future__ import annotations

import typer

from schemaverify.cli.commands.options import LIVE, NO_CACHE, REPORT_OUTPUT, format_option, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import ReportOutputs, handles_errors


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", *LIVE, "fail_on", "baseline")
    def check(
        settings: Settings,
        fmt: str = format_option(),
        output: list[str] = REPORT_OUTPUT,
        no_cache: bool = NO_CACHE,
    ) -> None:
        """Check YAML specs against a live database (or migrations) and report every mismatch."""
        from schemaverify.pipeline import baseline as baselines
        from schemaverify.pipeline.check import run_check

        outputs = ReportOutputs.parse(fmt, output)
        # Loaded before the database is read: a malformed baseline fails fast (exit 2).
        accepted = baselines.load(settings.baseline.value) if settings.baseline.value else None
        report = run_check(
            settings.specs.value,
            settings.source_options(),
            schemas=settings.schemas.value,
            fail_on=settings.fail_on.value,
            access_patterns=settings.access_patterns.value,
            severity=settings.severity_overrides(),
            cache=not no_cache,
            types=settings.types.value,
            comments=settings.comments.value == "strict",
        )
        if accepted is not None:
            report = baselines.apply(report, accepted, fail_on_stale=settings.fail_on_stale.value)
        raise typer.Exit(outputs.emit(report))
