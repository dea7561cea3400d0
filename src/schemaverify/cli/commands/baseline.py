"""`schemaverify baseline`: record today's findings so that the gate fails only on new ones.

The same as `check --write-baseline FILE` (one code path, check.run_and_report), kept
under its own name because it came first and because its file has a default: `-o`, else
the configured `baseline`, else schemaverify-baseline.json in the project root, which is
where `check` finds it.  Advice and code findings are recorded by `advise
--write-baseline` and `usage --write-baseline`, each in its own file.
"""

from __future__ import annotations

from pathlib import Path

import typer

from schemaverify.cli.commands.check import run_and_report
from schemaverify.cli.commands.options import LIVE, output_file, takes
from schemaverify.cli.config import DEFAULT_BASELINE, Settings
from schemaverify.cli.util import ReportOutputs, handles_errors


def register(app: typer.Typer) -> None:
    @app.command("baseline")
    @handles_errors
    @takes("specs", *LIVE)
    def baseline_command(
        settings: Settings,
        output: Path | None = output_file(
            "Baseline file to write. Default: the configured baseline, else "
            "schemaverify-baseline.json."
        ),
    ) -> None:
        """Record check's findings in a baseline file: `check --write-baseline FILE`, where
        FILE may be left out.

        Entries are keyed by fingerprint (table|kind|object), sorted, one per finding.
        When the file already exists, the `reason` and `expires` of entries that still
        occur are kept.  `check` applies schemaverify-baseline.json (or the configured
        baseline) without being told.
        """
        target = output or settings.baseline.value or settings.in_root(DEFAULT_BASELINE)
        run_and_report(settings, ReportOutputs("table"), cache=False, write_baseline=target)
