"""`schemaverify lint` and `schemaverify spec-schema`: check specs without a database.

Lint is the cheap pre-commit gate: it runs the same loader as `check`, with the same
configured `specs` and `access_patterns`, so a spec that lints clean never fails `check`
for being malformed.
"""

from __future__ import annotations

import json

import typer

from schemaverify.cli.commands.options import takes
from schemaverify.cli.config import Settings
from schemaverify.cli.util import handles_errors


def register(app: typer.Typer) -> None:
    @app.command()
    @handles_errors
    @takes("specs", "access_patterns", "config", sources=())
    def lint(settings: Settings) -> None:
        """Validate YAML specs (format, types, expressions, references); no database needed.

        A column type must be PostgreSQL's, a known extension's, listed under `types` in
        the configuration, or schema-qualified (`public.mood`)."""
        from schemaverify.sources.specs.load import load_specs
        from schemaverify.sources.specs.patterns import load_patterns

        patterns = load_patterns(settings.access_patterns.value)
        loaded = load_specs(
            settings.specs.value,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
            types=settings.types.value,
        )
        count = len(loaded.specs)
        typer.echo(f"{count} spec{'' if count == 1 else 's'} OK")

    @app.command("spec-schema")
    @handles_errors
    def spec_schema() -> None:
        """Print the JSON Schema of the spec format (for editors: yaml-language-server)."""
        from schemaverify.sources.specs.jsonschema import spec_json_schema

        typer.echo(json.dumps(spec_json_schema(), indent=2))
