"""`schemaverify comments-sql`: the specs' purposes and column notes as COMMENT ON statements."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from schemaverify.cli.commands.options import LIVE, takes
from schemaverify.cli.config import SOURCE_KEYS, Settings
from schemaverify.cli.util import handles_errors, write_output


def register(app: typer.Typer) -> None:
    @app.command("comments-sql")
    @handles_errors
    @takes("specs", *LIVE)
    def comments_sql(
        settings: Settings,
        output: Path | None = typer.Option(
            None, "--output", "-o", metavar="FILE", help="Write the SQL to FILE."
        ),
    ) -> None:
        """Print COMMENT ON statements from the specs' purposes and column notes (a migration).

        With a source (--dsn, --migrations, --snapshot, or the configured one), specs of views
        get COMMENT ON VIEW (PostgreSQL refuses COMMENT ON TABLE there); without, every spec
        is taken for a table."""
        from schemaverify.reports.comments_sql import render
        from schemaverify.sources.specs.load import load_specs
        from schemaverify.sources.specs.patterns import load_patterns

        patterns = load_patterns(settings.access_patterns.value)
        loaded = load_specs(
            settings.specs.value,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
        )
        kinds = None
        if any(getattr(settings, key).value for key in SOURCE_KEYS):
            from schemaverify.cli.commands.live import read_live
            from schemaverify.pipeline.check import schemas_to_read

            with read_live(settings, schemas_to_read(loaded, settings.schemas.value)) as read:
                kinds = {t.qualified: t.kind for t in read.catalog.tables}
        text = render(loaded, str(settings.specs.value), kinds)
        if output is not None:
            write_output(output, text, "SQL")
        else:
            sys.stdout.write(text)
