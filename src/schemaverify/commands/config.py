"""`schemaverify config`: the effective configuration and where each value came from.

Also home of the options every configurable command shares (`--config`,
`--baseline`, ...), so that check, coverage and baseline spell them alike.
This module imports nothing from `check` at import time: `check` imports it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..cliutil import handles_errors
from ..errors import UsageError

if TYPE_CHECKING:
    from ..config import Settings

ConfigOpt = typer.Option(
    None,
    "--config",
    help="Configuration file: a schemaverify.toml, or a pyproject.toml with a tool.schemaverify "
    "table. Default: the nearest one in this folder or a parent.",
)
BaselineOpt = typer.Option(
    None,
    "--baseline",
    help="Baseline file: findings recorded there are accepted (see `schemaverify baseline`).",
)
NoBaselineOpt = typer.Option(
    False, "--no-baseline", help="Ignore the configured baseline: report every finding."
)
FailOnStaleOpt = typer.Option(
    None,
    "--fail-on-stale/--no-fail-on-stale",
    help="Exit 1 when baseline entries no longer occur. Default: false.",
)
FailOnOpt = typer.Option(
    None,
    "--fail-on",
    help="Exit 1 on findings at or above: error|warning|info|never. Default: error.",
)
AccessPatternsOpt = typer.Option(
    None, "--access-patterns", help="YAML file adding RLS access kinds or patterns."
)
StatementTimeoutOpt = typer.Option(
    None, "--statement-timeout", help="Per-query timeout in milliseconds. Default: 30000."
)
LockTimeoutOpt = typer.Option(
    None, "--lock-timeout", help="Lock wait in milliseconds. Default: 5000."
)
ConnectTimeoutOpt = typer.Option(None, "--connect-timeout", help="Seconds. Default: 10.")
MigrationStatementTimeoutOpt = typer.Option(
    None,
    "--migration-statement-timeout",
    help="Limit of one migration statement, in milliseconds. Default: 300000.",
)
MigrationTimeoutOpt = typer.Option(
    None,
    "--migration-timeout",
    help="Wall-clock limit of applying all migrations, in seconds. Default: 1800.",
)
ContinueOnErrorOpt = typer.Option(
    False, "--continue-on-error", help="Roll back a failing migration file and go on."
)
AllowPartialOpt = typer.Option(
    False,
    "--allow-partial",
    help="Read a snapshot taken of a migration history with failed files (refused otherwise).",
)


def settings(cli: dict[str, Any]) -> Settings:
    """Resolve the run's settings from its flags and the configuration; print file warnings."""
    from ..config import emit_warnings, resolve

    resolved = resolve(cli)
    emit_warnings(resolved)
    return resolved


def render_json(resolved: Settings) -> str:
    values: dict[str, Any] = {}
    severity: dict[str, Any] = {}
    for key, value, origin in resolved.display():
        if key.startswith("severity."):
            severity[key.removeprefix("severity.")] = {"value": value, "source": origin}
        else:
            values[key] = {"value": value, "source": origin}
    values["severity"] = severity
    document = {
        "config_file": resolved.config_file,
        "settings": values,
        "warnings": list(resolved.warnings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def print_table(resolved: Settings) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    where = resolved.config_file or "none found (built-in defaults)"
    console.print(Text(f"configuration file: {where}", style="bold"))
    grid = Table(box=None, show_header=True, header_style="dim", pad_edge=False, expand=False)
    grid.add_column("setting", no_wrap=True)
    grid.add_column("value", overflow="fold")
    grid.add_column("source", no_wrap=True, style="dim")
    for key, value, origin in resolved.display():
        if value is None:
            shown = Text("—", style="dim")
        elif isinstance(value, list):
            shown = Text(", ".join(value))
        elif isinstance(value, bool):
            shown = Text(str(value).lower())
        else:
            shown = Text(str(value))
        grid.add_row(key, shown, origin)
    console.print(grid)


def register(app: typer.Typer) -> None:
    from .check import DsnOpt, MigrationsOpt, PresetOpt, SchemaOpt, SnapshotOpt, SpecsOpt

    @app.command("config")
    @handles_errors
    def config_command(
        config: Path | None = ConfigOpt,
        fmt: str = typer.Option("table", "--format", "-f", help="table | json"),
        specs: Path | None = SpecsOpt,
        dsn: str | None = DsnOpt,
        migrations: str | None = MigrationsOpt,
        snapshot: str | None = SnapshotOpt,
        preset: str | None = PresetOpt,
        schema: list[str] | None = SchemaOpt,
        fail_on: str | None = FailOnOpt,
        baseline: Path | None = BaselineOpt,
        no_baseline: bool = NoBaselineOpt,
        fail_on_stale: bool | None = FailOnStaleOpt,
        access_patterns: Path | None = AccessPatternsOpt,
        statement_timeout: int | None = StatementTimeoutOpt,
        lock_timeout: int | None = LockTimeoutOpt,
        connect_timeout: int | None = ConnectTimeoutOpt,
        migration_statement_timeout: int | None = MigrationStatementTimeoutOpt,
        migration_timeout: int | None = MigrationTimeoutOpt,
    ) -> None:
        """Show the effective configuration and where each value comes from.

        Takes the same options as `check`, so it answers "what would this check use?".
        DSNs are shown with their password redacted.
        """
        if fmt not in ("table", "json"):
            raise UsageError(f"--format must be table or json, not {fmt!r}")
        resolved = settings(
            {
                "config": config,
                "specs": specs,
                "dsn": dsn,
                "migrations": migrations,
                "snapshot": snapshot,
                "preset": preset,
                "schemas": schema,
                "fail_on": fail_on,
                "baseline": baseline,
                "no_baseline": no_baseline,
                "fail_on_stale": fail_on_stale,
                "access_patterns": access_patterns,
                "statement_timeout": statement_timeout,
                "lock_timeout": lock_timeout,
                "connect_timeout": connect_timeout,
                "migration_statement_timeout": migration_statement_timeout,
                "migration_timeout": migration_timeout,
            }
        )
        if fmt == "json":
            sys.stdout.write(render_json(resolved))
        else:
            print_table(resolved)
