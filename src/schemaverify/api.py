"""The public Python API: what a test suite or a notebook needs, without the CLI.

    import schemaverify as sv

    report = sv.check("specs", dsn="postgresql://app@db/app")
    for fact in report.facts:
        print(fact.id, fact.status)

    specs = sv.load_specs("specs")
    catalog = sv.read_catalog("postgresql://app@db/app", schemas=["public"])
    verification = sv.compare(specs, catalog)

Everything here is the same code the CLI runs; errors are `schemaverify.errors`
exceptions (SpecError, UsageError, ConnectError) carrying the CLI's message and exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from schemaverify.model.schema import Catalog
from schemaverify.model.spec import SpecSet
from schemaverify.pipeline.report import Report
from schemaverify.rules import DiffOptions, Verification
from schemaverify.sources.code.scan import CodeScan
from schemaverify.sources.live import SourceOptions
from schemaverify.sources.specs import patterns as patterns_file


def load_specs(path: str | Path, *, access_patterns: str | Path | None = None) -> SpecSet:
    """The specs of a folder (searched recursively) or of one file, validated."""
    from schemaverify.sources.specs.load import load_specs as load

    patterns = patterns_file.load_patterns(Path(access_patterns) if access_patterns else None)
    return load(
        Path(path),
        access_kinds=patterns.kinds,
        access_roles=(*patterns.client_roles, *patterns.service_roles),
    )


def read_catalog(dsn: str, schemas: Sequence[str] = ("public",)) -> Catalog:
    """The live schema of `schemas` (names or globs such as `tenant_*`), in one read-only
    snapshot with the CLI's default timeouts."""
    from schemaverify.sources.catalog import read_catalog as read

    return read(dsn, tuple(schemas))


def compare(
    specs: SpecSet,
    catalog: Catalog,
    *,
    schemas: Sequence[str] = ("public",),
    access_patterns: str | Path | None = None,
    types: Sequence[str] = (),
) -> Verification:
    """Facts and findings of `specs` against `catalog`: no severity overrides, ignores or
    baseline (those belong to a run: see `check`).  A spec type that neither PostgreSQL,
    `types` nor the catalog knows raises SpecError, as in `check`."""
    from schemaverify.rules import compare as run
    from schemaverify.sources.specs import typecheck

    typecheck.require_resolved(specs, types, catalog)

    patterns = patterns_file.load_patterns(Path(access_patterns) if access_patterns else None)
    options = DiffOptions(patterns=patterns, undocumented_schemas=tuple(schemas))
    return run(specs, catalog, options)


def check(
    specs: str | Path,
    *,
    dsn: str | None = None,
    migrations: str | Path | None = None,
    snapshot: str | Path | None = None,
    preset: str | None = None,
    schemas: Sequence[str] = ("public",),
    fail_on: str = "error",
    access_patterns: str | Path | None = None,
    types: Sequence[str] = (),
) -> Report:
    """What `schemaverify check` computes, as a Report (findings, facts, summary).

    Exactly one source: `dsn`, `migrations` (applied to an embedded PostgreSQL) or
    `snapshot`.  `report.failed` is what the exit code would say.
    """
    from schemaverify.pipeline.check import run_check

    source = SourceOptions(
        dsn=dsn,
        migrations=str(migrations) if migrations is not None else None,
        snapshot=str(snapshot) if snapshot is not None else None,
        preset=preset,
    )
    return run_check(
        Path(specs),
        source,
        schemas=tuple(schemas),
        fail_on=fail_on,
        access_patterns=Path(access_patterns) if access_patterns else None,
        types=tuple(types),
    )


def scan_code(code: str | Path) -> CodeScan:
    """Every reference the code under `code` makes to the database (no database needed):
    `.references` are CodeReference values, in file and position order."""
    from schemaverify.sources.code.scan import scan_code as scan

    return scan(Path(code))


def usage(
    code: str | Path,
    *,
    specs: str | Path | None = None,
    dsn: str | None = None,
    migrations: str | Path | None = None,
    snapshot: str | Path | None = None,
    preset: str | None = None,
    schemas: Sequence[str] = ("public",),
    fail_on: str = "error",
    access_patterns: str | Path | None = None,
) -> Report:
    """What `schemaverify usage` computes: the code's findings against one source, and
    `report.usage` (the references per table).  With `specs`, unused documented tables."""
    from schemaverify.pipeline.usage import run_usage

    source = SourceOptions(
        dsn=dsn,
        migrations=str(migrations) if migrations is not None else None,
        snapshot=str(snapshot) if snapshot is not None else None,
        preset=preset,
    )
    return run_usage(
        Path(code),
        source,
        specs_path=Path(specs) if specs is not None else None,
        schemas=tuple(schemas),
        patterns=patterns_file.load_patterns(Path(access_patterns) if access_patterns else None),
        fail_on=fail_on,
    )
