"""`schemaverify coverage`: how much of the live schema the specs document."""

from __future__ import annotations

from pathlib import Path

import typer

from schemaverify.cli.commands.live import read_live
from schemaverify.cli.commands.options import (
    CODE,
    LIVE,
    format_option,
    load_patterns,
    output_file,
    takes,
)
from schemaverify.cli.config import Settings
from schemaverify.cli.util import (
    check_format,
    handles_errors,
    warn_finding,
    write_or_print,
    write_output,
)

FORMATS = ("table", "json")


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", *LIVE)
    def coverage(
        settings: Settings,
        fmt: str = format_option(FORMATS),
        output: Path | None = output_file("Write the JSON report to FILE."),
        min_coverage: float | None = typer.Option(
            None,
            "--min",
            metavar="PERCENT",
            help="Exit 1 when the documented share is below PERCENT (0-100).",
        ),
        code: Path | None = CODE,
    ) -> None:
        """List undocumented live tables, specs without tables, and the documented share."""
        from rich.console import Console

        from schemaverify.pipeline.check import schemas_to_read
        from schemaverify.reports.coverage import render_json, render_table
        from schemaverify.rules.coverage import compute
        from schemaverify.sources import tenants
        from schemaverify.sources.specs.load import load_specs

        check_format(fmt, FORMATS)
        schemas = list(settings.schemas.value)
        patterns = load_patterns(settings.access_patterns.value)
        spec_set = load_specs(
            settings.specs.value,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
        )
        scan = None
        # The foreign keys' target schemas too (auth.users), except from a snapshot, which
        # holds only the schemas it recorded: there, targets elsewhere are "not read".
        wanted = schemas_to_read(spec_set, schemas, referenced=not settings.snapshot.value)
        if code is not None:
            from schemaverify.pipeline.usage import excluded_paths, schemas_named
            from schemaverify.sources.code.scan import scan_code

            migrations = settings.migrations.value
            scan = scan_code(
                code, exclude=excluded_paths(code, Path(migrations) if migrations else None, ())
            )
            wanted = schemas_named(scan, None, wanted, snapshot=bool(settings.snapshot.value))
        with read_live(settings, wanted) as read:
            catalog = read.catalog
            # Tenant globs resolve as in `check`: templates become one spec per matched schema.
            where = read.live.description.get("description") or "the database"
            tenants.check_matched(spec_set, schemas, catalog.schemas, where)
            usage = None
            if scan is not None:
                from schemaverify.pipeline.usage import usage_report

                usage = usage_report(scan, read.live, None, patterns=patterns).usage
            cov = compute(
                tenants.expand(spec_set, schemas, catalog.schemas),
                catalog,
                tenants.resolve(schemas, catalog.schemas),
                usage,
            )
        if fmt == "json":
            write_or_print(render_json(cov), output)
        else:
            render_table(cov, Console(highlight=False))
            if output is not None:
                write_output(output, render_json(cov))
        if min_coverage is not None and not cov.live_tables:
            # 0 of 0 is no evidence of documentation: nothing was read to measure.
            counts = read.live.migrations
            why = (
                f" ({counts['failed']} of {counts['files']} migration files failed)"
                if counts and counts.get("failed")
                else ""
            )
            warn_finding(
                None,
                f"--min {min_coverage:g}: no live table was read in {', '.join(cov.schemas)}"
                f"{why}: there is no documented share to measure",
            )
            raise typer.Exit(1)
        if min_coverage is not None and cov.ratio * 100 < min_coverage:
            raise typer.Exit(1)
        if read.partial:  # a failed migration (--continue-on-error): the schema is partial
            raise typer.Exit(1)
