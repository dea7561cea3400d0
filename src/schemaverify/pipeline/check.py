"""The check pipeline as one function the CLI and tests call: specs + live side -> report."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from schemaverify.model.facts import Fact
from schemaverify.model.spec import SpecSet
from schemaverify.pipeline import Pipeline
from schemaverify.pipeline.report import Report
from schemaverify.rules import DiffOptions, access, compare
from schemaverify.sources import tenants
from schemaverify.sources.live import LiveSide, SourceOptions, open_live
from schemaverify.sources.specs import patterns as patterns_file
from schemaverify.sources.specs import typecheck


def schemas_to_read(specs: SpecSet, schemas: Sequence[str]) -> tuple[str, ...]:
    """The requested schemas (names and globs) plus every schema a spec names, so a spec is
    never reported missing merely because its schema was not read.  When `schemas` holds a
    glob, specs stating no schema are templates for the matched schemas (see tenants.py):
    their default `public` is then not needed."""
    wanted = list(dict.fromkeys(schemas))
    templates = any(tenants.is_glob(s) for s in wanted)
    for spec in specs.specs:
        if templates and not tenants.stated_schema(spec):
            continue
        if spec.table.schema not in wanted:
            wanted.append(spec.table.schema)
    return tuple(wanted)


def build_report(
    specs: SpecSet,
    live: LiveSide,
    *,
    schemas: Sequence[str],
    patterns: access.AccessPatterns,
    fail_on: str = "error",
    severity: dict[str, str] | None = None,
    specs_path: str | None = None,
    types: Collection[str] = (),
    comments: bool = False,
) -> Report:
    """Compare the specs with the live side.  Globs in `schemas` and in specs are resolved
    against the schemas the catalog holds: templates become one spec per matched schema
    (tenants.expand), and a glob matching no schema is a UsageError.  A type name that
    neither PostgreSQL, the configured `types` nor the catalog knows is a SpecError."""
    findings = list(live.findings)
    facts: tuple[Fact, ...] = ()
    checked = specs
    checked_schemas: tuple[str, ...] = ()
    if live.catalog is not None:
        catalog = live.catalog
        where = live.description.get("description") or "the database"
        typecheck.require_resolved(specs, types, catalog, where)
        tenants.check_matched(specs, schemas, catalog.schemas, where)
        checked = tenants.expand(specs, schemas, catalog.schemas)
        undocumented = tenants.resolve(schemas, catalog.schemas)
        options = DiffOptions(
            patterns=patterns, undocumented_schemas=undocumented, comments=comments
        )
        verification = compare(checked, catalog, options)
        findings.extend(verification.findings)
        facts = verification.facts
        checked_schemas = tuple(
            dict.fromkeys([*undocumented, *(s.table.schema for s in checked.specs)])
        )
    source: dict[str, object] = dict(live.description)
    if live.migrations is not None:
        source["migrations"] = dict(live.migrations)
    read = live.catalog is not None
    return Report(
        # Severity overrides and ignores reach the source's own findings (migrations) too.
        findings=Pipeline.for_specs(checked, severity).run(findings),
        facts=facts,
        tables_checked=len(checked.specs),
        source=source,
        schema_read=read,
        specs=specs_path,
        fail_on=fail_on,
        tables=tuple(s.qualified for s in checked.specs) if live.catalog is not None else (),
        schemas=checked_schemas,
    )


def run_check(
    specs_path: Path,
    source: SourceOptions,
    *,
    schemas: Sequence[str] = ("public",),
    fail_on: str = "error",
    access_patterns: Path | None = None,
    severity: dict[str, str] | None = None,
    cache: bool = False,
    types: Collection[str] = (),
    comments: bool = False,
) -> Report:
    """Load the specs (from the spec cache when `cache`, see speccache.py), read the
    live side and compare."""
    from schemaverify.sources.specs.load import load_specs

    patterns = patterns_file.load_patterns(access_patterns)
    with _gc_paused():
        specs = load_specs(
            specs_path,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
            cache=cache,
        )
        with open_live(source, schemas_to_read(specs, schemas)) as live:
            return build_report(
                specs,
                live,
                schemas=schemas,
                patterns=patterns,
                fail_on=fail_on,
                severity=severity,
                specs_path=str(specs_path),
                types=types,
                comments=comments,
            )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one check.

    A check builds ~10^5 long-lived objects per 10,000 tables (specs, catalog, findings);
    the collector would rescan them again and again as they accumulate (a quarter of the
    time of a large check).  What a check allocates holds few reference cycles (parsed
    expressions are cached by text), so little waits for the one collection at the end.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
