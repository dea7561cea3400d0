"""CLI commands, one module each.

Every module here defines `register(app)`; `cli.py` calls them all so that a
command is added by adding a file, and command modules import their heavy
dependencies (psycopg, sqlglot, rich tables) inside the command function to
keep `schemaverify --help` fast.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
