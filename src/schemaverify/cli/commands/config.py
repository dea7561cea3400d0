"""`schemaverify config`: the effective configuration and where each value came from.

It takes the flags of every setting, so it answers "what would this check use?"; the
options themselves are declared once, in `options.py`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from schemaverify.cli.commands.options import LIVE, format_option, takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import check_format, handles_errors

FORMATS = ("table", "json")


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
    @app.command("config")
    @handles_errors
    @takes("specs", *LIVE, "fail_on", "baseline", drop=("continue_on_error", "allow_partial"))
    def config_command(
        settings: Settings,
        fmt: str = format_option(FORMATS),
    ) -> None:
        """Show the effective configuration and where each value comes from.

        Takes the same options as `check`, so it answers "what would this check use?".
        DSNs are shown with their password redacted.
        """
        check_format(fmt, FORMATS)
        if fmt == "json":
            sys.stdout.write(render_json(settings))
        else:
            print_table(settings)
