"""`schemaverify snapshot`: write the live schema as a versioned, deterministic JSON file.

The file is what `check --snapshot`, `coverage --snapshot` and `diff` read instead of a
database: a CI job can then check specs with no network access to production, and a
committed snapshot shows schema changes in code review.  See `snapshot.py` for the format.

The configuration applies as for `check` (`dsn`/`dsn_env`/`migrations`, `schemas`,
`preset`, timeouts); a configured `snapshot` is where `check` reads, never this command's
input, so it is not read here.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import typer

from schemaverify.cli.commands.live import read_live
from schemaverify.cli.commands.options import output_file, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import handles_errors, warn_finding


def register(app: typer.Typer) -> None:
    @app.command("snapshot")
    @handles_errors
    @takes(
        "source",
        "schemas",
        "timeouts",
        "config",
        sources=("dsn", "migrations"),
        drop=("allow_partial",),
    )
    def snapshot_command(
        settings: Settings,
        output: Path | None = output_file("Write the snapshot to FILE. Default: standard output."),
        timestamp: bool = typer.Option(
            False,
            "--timestamp",
            help="Record when the snapshot was taken (created_at); snapshots of an unchanged "
            "database then differ.",
        ),
    ) -> None:
        """Write the live schema (a database, or migrations applied to an embedded PostgreSQL)
        as a JSON snapshot that check, coverage and diff can read offline."""
        from schemaverify.sources import snapshot

        schemas = settings.schemas.value
        nothing = "no snapshot written: the migrations did not apply"
        with read_live(settings, schemas, with_severity=True, nothing_read=nothing) as read:
            catalog, description, live = read.catalog, read.live.description, read.live
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
            partial = (
                f" (partial: {record.failed} of {record.files} migration files failed, "
                f"{record.skipped} skipped)"
                if record is not None and record.partial
                else ""
            )
            warn_finding(
                None,
                f"wrote {output}: {len(catalog.tables)} relations of schema "
                f"{', '.join(catalog.schemas)}{partial}",
            )
        # A migration that failed (with --continue-on-error) leaves a partial schema: the
        # snapshot is written, for inspection, but the run does not pass.
        if read.partial:
            raise typer.Exit(1)
