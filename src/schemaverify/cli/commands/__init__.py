"""CLI commands, one module each.

Every module here defines `register(app)`; `cli.py` calls them all so that a
command is added by adding a file, and command modules import their heavy
dependencies (psycopg, sqlglot, rich tables) inside the command function to
keep `schemaverify --help` fast.

`schemaverify --help` lists the commands in the order a user meets them (ORDER), not
by module name: the gate and its cheap twin first, the other reports next, then what
writes files, then the helpers.  A command missing from ORDER comes last.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

ORDER: dict[str, str] = {
    "check": "Check the specs against a database, migrations or a snapshot.",
    "lint": "Validate spec files without a database.",
    "advise": "Security and performance advice on a schema, no spec needed.",
    "usage": "Which code reads and writes each table, and where it errs.",
    "diff": "The differences between two schemas, reported like check.",
    "coverage": "How much of the live schema the specs document.",
    "access": "Who may do what to which rows: the effective access matrix.",
    "baseline": "Record check's findings: check --write-baseline FILE.",
    "snapshot": "Write the live schema to a JSON file, to check offline.",
    "doc": "Write the specs as a Markdown reference, each fact verified.",
    "adopt": "Write the database's facts into the specs.",
    "import-md": "Turn Markdown table documentation into specs.",
    "comments-sql": "The specs' prose as COMMENT ON statements (a migration).",
    "config": "Show the effective configuration and where it comes from.",
    "spec-schema": "Print the JSON Schema of the spec format, for editors.",
}
"""Command name -> its line in `schemaverify --help`, in the order listed there.  The
lines are written for the listing (click cuts a docstring's first sentence at the width
of the terminal, mid-word); each command's own help keeps its docstring."""


def _name(info: typer.models.CommandInfo) -> str:
    """The name typer gives a command: its own, else its function's with `-` for `_`."""
    if info.name:
        return info.name
    callback = info.callback
    return getattr(callback, "__name__", "").replace("_", "-")


def register_all(app: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    rank = {name: i for i, name in enumerate(ORDER)}
    app.registered_commands.sort(key=lambda c: (rank.get(_name(c), len(rank)), _name(c)))
    for command in app.registered_commands:
        short = ORDER.get(_name(command))
        if short is not None and command.short_help is None:
            command.short_help = short
