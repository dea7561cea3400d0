"""`schemaverify baseline`: record today's findings so that the gate fails only on new ones."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import typer

from schemaverify.cli.commands.options import LIVE, output_file, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import handles_errors, warn_finding, write_output


def register(app: typer.Typer) -> None:
    @app.command("baseline")
    @handles_errors
    @takes("specs", *LIVE)
    def baseline_command(
        settings: Settings,
        output: Path | None = output_file(
            "Baseline file to write. Default: `baseline` from the configuration, else "
            "schemaverify-baseline.json."
        ),
    ) -> None:
        """Record the current findings in a baseline file; `check --baseline` then accepts them.

        Entries are keyed by fingerprint (table|kind|object), sorted, one per finding.
        When the file already exists, the `reason` and `expires` of entries that still
        occur are kept.
        """
        from schemaverify.cli.config import DEFAULT_BASELINE
        from schemaverify.pipeline import baseline as baselines
        from schemaverify.pipeline.check import run_check

        target = output or settings.baseline.value or settings.in_root(DEFAULT_BASELINE)
        # Read the old file first: a malformed one stops the run before the database is touched.
        previous = baselines.load(target) if target.exists() else None
        report = run_check(
            settings.specs.value,
            settings.source_options(),
            schemas=settings.schemas.value,
            access_patterns=settings.access_patterns.value,
            severity=settings.severity_overrides(),
            types=settings.types.value,
            comments=settings.comments.value == "strict",
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
