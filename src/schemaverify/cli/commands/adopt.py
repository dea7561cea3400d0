"""`schemaverify adopt`: write the database's facts into the specs."""

from __future__ import annotations

import sys

import typer

from schemaverify.cli.commands.options import LIVE, TABLES, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import handles_errors, say_lines


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", *LIVE)
    def adopt(
        settings: Settings,
        table: list[str] = TABLES,
        only: list[str] = typer.Option(
            [],
            "--only",
            # model.edits.ADOPT_KINDS, spelled out: importing it costs `--help` 30 ms.
            metavar="[columns|keys|indexes|foreign_keys|rls|values|api]",
            help="Adopt only this kind of fact (repeatable). Default: all.",
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Print a unified diff of the changes; write nothing."
        ),
        new: bool = typer.Option(
            False, "--new", help="Also write a spec for each live table that has none."
        ),
        date: str | None = typer.Option(
            None, "--date", metavar="YYYY-MM-DD", help="Date of the stamp. Default: today (UTC)."
        ),
    ) -> None:
        """Write the database's facts into the specs: replace documented values that differ,
        add undocumented columns, indexes and foreign keys, classify policies into access
        kinds, and stamp tables whose every fact is verified.  Comments, prose, key order and
        layout are kept."""
        from schemaverify.cli.commands.live import read_live
        from schemaverify.escape import visible
        from schemaverify.pipeline.adopt import run
        from schemaverify.pipeline.check import schemas_to_read
        from schemaverify.sources.specs.load import load_specs
        from schemaverify.sources.specs.patterns import load_patterns

        kinds = run.check_kinds(only)
        day = run.check_date(date) if date is not None else None
        patterns = load_patterns(settings.access_patterns.value)
        specs = load_specs(
            settings.specs.value,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
        )
        run.select(specs, table)  # an unknown --table fails before the database is read
        options = run.AdoptOptions(
            schemas=settings.schemas.value,
            tables=tuple(table),
            kinds=kinds,
            date=day,
            new=new,
            types=settings.types.value,
            comments=settings.comments.value == "strict",
        )
        with read_live(settings, schemas_to_read(specs, settings.schemas.value)) as read:
            result = run.adopt(settings.specs.value, specs, read.live, patterns, options)
        for item in result.left:
            where = f"{item.table} {item.kind}" + (f" {item.object}" if item.object else "")
            say_lines(f"left: {where}: {item.reason}")
        if dry_run:
            for change in result.changes:
                sys.stdout.write(change.diff())
            return
        for change in result.changes:
            run.write(change)
            what = "new" if change.before is None else "updated"
            stamp = ", stamped verified" if change.stamped else ""
            sys.stdout.write(f"{visible(str(change.path))}: {what}{stamp}\n")
        if not result.changes:
            sys.stdout.write(f"{result.tables} specs already state the database's facts\n")
