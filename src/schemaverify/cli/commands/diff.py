"""`schemaverify diff`: the differences between two real schemas, reported like `check`.

Each side is a DSN, a snapshot file or a migrations folder, so the same command compares
branch migrations with production, staging with production, or today with last release's
snapshot.  Formats, `--output`, `--fail-on` and exit codes are exactly check's.

The configuration file applies as for `check` (`schemas`, `fail_on`, `preset` for a
migrations side, timeouts and migration limits) except its source: `dsn`, `dsn_env`,
`migrations` and `snapshot` never become a side, nor do $SCHEMAVERIFY_DSN or
$DATABASE_URL; the sides are only ever `--from` and `--to`.
"""

from __future__ import annotations

import typer

from schemaverify.cli.commands.options import REPORT_OUTPUT, format_option, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import ReportOutputs, handles_errors
from schemaverify.errors import UsageError

_SIDE_HELP = (
    "a DSN (postgresql://... or key=value), a snapshot file (*.json) or migrations (a folder, "
    "*.sql file or glob); prefix dsn:, snapshot: or migrations: to say which."
)


def register(app: typer.Typer) -> None:
    @app.command("diff")
    @handles_errors
    @takes("source", "schemas", "fail_on", "timeouts", "config", sources=())
    def diff_command(
        *,
        from_: str = typer.Option(
            ..., "--from", metavar="SIDE", help="The reference schema: " + _SIDE_HELP
        ),
        to: str = typer.Option(
            ..., "--to", metavar="SIDE", help="The schema compared with it: " + _SIDE_HELP
        ),
        settings: Settings,
        fmt: str = format_option(),
        output: list[str] = REPORT_OUTPUT,
    ) -> None:
        """Report how the --to schema differs from the --from schema, in check's findings.

        The configuration applies except its source (dsn, dsn_env, migrations, snapshot):
        the two sides are only ever --from and --to.
        """
        from schemaverify.pipeline.envdiff import FROM, TO, parse_source, run_diff

        outputs = ReportOutputs.parse(fmt, output)
        base = settings.side_options()
        before = parse_source(from_, FROM, base)
        after = parse_source(to, TO, base)
        if settings.preset.origin == "--preset" and not (before.migrations or after.migrations):
            raise UsageError("--preset applies to a migrations side only")
        report = run_diff(
            before,
            after,
            schemas=settings.schemas.value,
            fail_on=settings.fail_on.value,
            severity=settings.severity_overrides(),
        )
        raise typer.Exit(outputs.emit(report))
