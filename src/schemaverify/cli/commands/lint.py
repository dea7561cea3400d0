"""`schemaverify lint` and `schemaverify spec-schema`: check specs without a database.

Lint is the cheap pre-commit gate: it runs the same loader as `check`, with the same
configured `specs` and `access_patterns`, so a spec that lints clean never fails `check`
for being malformed.  Like ruff and yamllint it takes the files and folders to lint as
arguments (pre-commit passes the changed files), the configured `specs` by default.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from schemaverify.cli.commands.options import takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import handles_errors
from schemaverify.errors import SpecError, UsageError

if TYPE_CHECKING:
    from schemaverify.model.spec import SpecSet, TableSpec


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", "access_patterns", "config", sources=())
    def lint(
        paths: list[Path] = typer.Argument(None, metavar="PATH", hidden=True),
        *,
        settings: Settings,
    ) -> None:
        """Validate YAML specs (format, types, expressions, references); no database needed.

        Each PATH is a spec file or a folder of them (searched recursively). Default:
        --specs, else the configured specs, else specs.  A column type must be
        PostgreSQL's, a known extension's, listed under `types` in the configuration, or
        schema-qualified (`public.mood`)."""
        if paths and settings.specs.origin == "--specs":
            raise UsageError("give the specs as PATH arguments or with --specs, not both")
        targets = list(dict.fromkeys(paths)) if paths else [settings.specs.value]
        count = len(lint_paths(targets, settings).specs)
        typer.echo(f"{count} spec{'' if count == 1 else 's'} OK")

    @app.command("spec-schema")
    @handles_errors
    def spec_schema() -> None:
        """Print the JSON Schema of the spec format (for editors: yaml-language-server)."""
        from schemaverify.sources.specs.jsonschema import spec_json_schema

        typer.echo(json.dumps(spec_json_schema(), indent=2))


def lint_paths(targets: list[Path], settings: Settings) -> SpecSet:
    """The specs of every target, each loaded as `check --specs` would load it, with the
    problems of all of them raised together.  A file named twice (itself and in its
    folder) is one spec; a table described in two files is a problem, as in one folder."""
    from schemaverify.model.spec import SpecSet
    from schemaverify.sources.specs.load import load_specs
    from schemaverify.sources.specs.patterns import load_patterns

    patterns = load_patterns(settings.access_patterns.value)
    problems: list[tuple[str, int, str]] = []
    specs: list[TableSpec] = []
    seen: set[str] = set()
    first: dict[str, TableSpec] = {}
    for target in targets:
        try:
            loaded = load_specs(
                target,
                access_kinds=patterns.kinds,
                access_roles=(*patterns.client_roles, *patterns.service_roles),
                types=settings.types.value,
            )
        except SpecError as err:
            problems.extend(p for p in err.problems if p not in problems)
            continue
        for spec in loaded.specs:
            real = os.path.realpath(spec.path)
            if real in seen:
                continue
            seen.add(real)
            earlier = first.setdefault(spec.qualified, spec)
            if earlier is not spec:
                problems.append(
                    (
                        spec.path,
                        spec.line,
                        f"table {spec.qualified} is already described by {earlier.where()}",
                    )
                )
                continue
            specs.append(spec)
    if problems:
        raise SpecError(problems)
    return SpecSet(tuple(specs))
