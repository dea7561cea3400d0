"""The check pipeline as one function the CLI and tests call: specs + live side -> report."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Collection, Iterator, Sequence
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


def schemas_to_read(
    specs: SpecSet, schemas: Sequence[str], *, referenced: bool = False
) -> tuple[str, ...]:
    """The requested schemas (names and globs) plus every schema a spec names, so a spec is
    never reported missing merely because its schema was not read.  When `schemas` holds a
    glob, specs stating no schema are templates for the matched schemas (see tenants.py):
    their default `public` is then not needed.

    With `referenced`, also the schemas the specs' foreign keys point into (`auth` for a
    key to `auth.users`), for `coverage`, which looks the targets up: a target in a schema
    not read is not "neither specified nor live".  They join the same catalog queries (the
    schemas are a parameter), so the number of queries stays what it was.  A template's key
    to its own schema points into each tenant, which the glob already reads."""
    wanted = list(dict.fromkeys(schemas))
    templates = any(tenants.is_glob(s) for s in wanted)
    for spec in specs.specs:
        template = templates and not tenants.stated_schema(spec)
        if not template and spec.table.schema not in wanted:
            wanted.append(spec.table.schema)
        if not referenced:
            continue
        for fk in spec.table.foreign_keys:
            target = fk.ref_schema
            if template and target == spec.table.schema:
                continue
            if target not in wanted and not tenants.is_glob(target):
                wanted.append(target)
    return tuple(wanted)


def documented(specs: SpecSet, schemas: Sequence[str]) -> Callable[[str, str], bool]:
    """Which relations a check compares beyond their name: the documented ones (a template
    documents its table in every schema a glob matches, see tenants.py).  The catalog
    normalizes the expressions of these only; every other table is read for its name,
    kind and privileges, which is all its `table_undocumented` finding and a documented
    view's access need."""
    templates = any(tenants.is_glob(s) for s in schemas)
    qualified: set[str] = set()
    names: set[str] = set()
    for spec in specs.specs:
        if templates and not tenants.stated_schema(spec):
            names.add(spec.table.name)
        else:
            qualified.add(spec.qualified)

    def wanted(schema: str, name: str) -> bool:
        return name in names or f"{schema}.{name}" in qualified

    return wanted


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
    # No schema read (the migrations stopped first): not one table was checked, whatever
    # the specs hold, and no field of the report may say otherwise.
    tables = tuple(s.qualified for s in checked.specs) if read else ()
    return Report(
        # Severity overrides and ignores reach the source's own findings (migrations) too.
        findings=Pipeline.for_specs(checked, severity).run(findings),
        facts=facts,
        tables_checked=len(tables),
        source=source,
        schema_read=read,
        specs=specs_path,
        fail_on=fail_on,
        tables=tables,
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
        with open_live(source, schemas_to_read(specs, schemas), documented(specs, schemas)) as live:
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
