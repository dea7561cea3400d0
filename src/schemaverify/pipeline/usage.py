"""`usage` as a run: scan the code, read the live side on the schemas the code and the
specs name, compare, and hand the reports one Report (every format, baselines, the gate).

The code is scanned first: the schemas its references name (`.schema('billing')`,
`billing.invoices` in SQL) must be read, or every such reference would look missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from schemaverify.model.findings import Finding
from schemaverify.model.spec import SpecSet
from schemaverify.model.usage import CodeReference, Usage
from schemaverify.pipeline import Pipeline
from schemaverify.pipeline.report import Report
from schemaverify.rules.access import AccessPatterns
from schemaverify.rules.usage import SYSTEM_SCHEMAS, UsageOptions, by_table, compare_usage
from schemaverify.sources.code.scan import CodeScan, scan_code
from schemaverify.sources.live import LiveSide, SourceOptions, open_live

DEFAULT_EXCLUDED = ("supabase/migrations",)
"""Folders under the scanned code that hold the schema, not code using it."""


def excluded_paths(code: Path, migrations: Path | None, extra: Sequence[Path]) -> list[Path]:
    paths = [code / d for d in DEFAULT_EXCLUDED]
    if migrations is not None:
        paths.append(migrations)
    paths.extend(extra)
    return paths


def schemas_named(
    scan: CodeScan, specs: SpecSet | None, schemas: Sequence[str], *, snapshot: bool = False
) -> tuple[str, ...]:
    """The schemas to read: the requested ones, the specs', and those the code names, but
    not PostgreSQL's own (nothing there is the application's) and, from a snapshot, not
    the code's: a snapshot holds only what it recorded, and a pull request's code must not
    be able to stop the check by naming another schema (rules/usage.py reports them)."""
    wanted = list(dict.fromkeys(schemas))
    for ref in scan.references if not snapshot else ():
        if (
            ref.schema
            and ref.target != "bucket"
            and ref.schema not in wanted
            and ref.schema not in SYSTEM_SCHEMAS
        ):
            wanted.append(ref.schema)
    for spec in specs.specs if specs is not None else ():
        if spec.table.schema not in wanted:
            wanted.append(spec.table.schema)
    return tuple(wanted)


def usage_report(
    scan: CodeScan,
    live: LiveSide,
    specs: SpecSet | None,
    *,
    patterns: AccessPatterns,
    fail_on: str = "error",
    severity: Mapping[str, str] | None = None,
    specs_path: str | None = None,
) -> Report:
    findings: list[Finding] = list(live.findings)
    by_object: tuple[tuple[str, tuple[CodeReference, ...]], ...] = ()
    documented = tuple(s.qualified for s in specs.specs) if specs is not None else ()
    named: set[str] = set(documented)
    catalog = live.catalog
    if catalog is not None:
        options = UsageOptions(patterns=patterns, documented=documented)
        found, resolved = compare_usage(scan.references, catalog, options, scan.problems)
        findings.extend(found)
        grouped = by_table(resolved)
        by_object = tuple((name, tuple(refs)) for name, refs in sorted(grouped.items()))
        named.update(item.qualified for item in resolved if item.table is not None)
        named.update(f.table for f in found if f.kind == "code_table_missing")
    usage = Usage(
        code=scan.root,
        files=scan.files,
        lines=scan.lines,
        references=scan.references,
        by_object=by_object,
        problems=tuple(f"{path}: {problem}" for path, problem in scan.problems),
    )
    pipeline = (
        Pipeline.for_specs(specs, dict(severity or {}))
        if specs is not None
        else Pipeline(severity=dict(severity or {}))
    )
    source: dict[str, object] = dict(live.description)
    if live.migrations is not None:
        source["migrations"] = dict(live.migrations)
    return Report(
        findings=pipeline.run(findings),
        # The tables the code names (found or not) and the documented ones (used or not).
        tables_checked=len(named),
        source=source,
        specs=specs_path,
        fail_on=fail_on,
        schema_read=catalog is not None,
        usage=usage,
    )


def run_usage(
    code: Path,
    source: SourceOptions,
    *,
    specs_path: Path | None,
    schemas: Sequence[str] = ("public",),
    patterns: AccessPatterns,
    fail_on: str = "error",
    severity: Mapping[str, str] | None = None,
    exclude: Sequence[Path] = (),
    cache: bool = True,
    jobs: int | None = None,
) -> Report:
    specs: SpecSet | None = None
    if specs_path is not None:
        from schemaverify.sources.specs.load import load_specs

        specs = load_specs(
            specs_path,
            access_kinds=patterns.kinds,
            access_roles=(*patterns.client_roles, *patterns.service_roles),
            cache=cache,
        )
    scan = scan_code(
        code,
        exclude=excluded_paths(
            code, Path(source.migrations) if source.migrations else None, exclude
        ),
        jobs=jobs,
        cache=cache,
    )
    wanted = schemas_named(scan, specs, schemas, snapshot=bool(source.snapshot))
    with open_live(source, wanted) as live:
        return usage_report(
            scan,
            live,
            specs,
            patterns=patterns,
            fail_on=fail_on,
            severity=severity,
            specs_path=str(specs_path) if specs_path is not None else None,
        )
