"""The check pipeline as one function the CLI and tests call: specs + live side -> report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import access
from .diff import DiffOptions, compare
from .findings import sort_findings
from .report import Report
from .sources import LiveSide, SourceOptions, open_live
from .spec import SpecSet


def schemas_to_read(specs: SpecSet, schemas: Sequence[str]) -> tuple[str, ...]:
    """The requested schemas plus every schema a spec names, so a spec is never
    reported missing merely because its schema was not read."""
    wanted = list(dict.fromkeys(schemas))
    for spec in specs.specs:
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
) -> Report:
    findings = list(live.findings)
    if live.catalog is not None:
        options = DiffOptions(
            patterns=patterns, undocumented_schemas=tuple(schemas), severity=severity or {}
        )
        findings.extend(compare(specs, live.catalog, options))
    return Report(
        findings=tuple(sort_findings(findings)),
        tables_checked=len(specs.specs),
        source=dict(live.description),
        specs=specs_path,
        fail_on=fail_on,
        tables=tuple(s.qualified for s in specs.specs) if live.catalog is not None else (),
    )


def run_check(
    specs_path: Path,
    source: SourceOptions,
    *,
    schemas: Sequence[str] = ("public",),
    fail_on: str = "error",
    access_patterns: Path | None = None,
    severity: dict[str, str] | None = None,
) -> Report:
    from .specload import load_specs

    patterns = access.load_patterns(access_patterns)
    specs = load_specs(specs_path, access_kinds=patterns.kinds)
    with open_live(source, schemas_to_read(specs, schemas)) as live:
        return build_report(
            specs,
            live,
            schemas=schemas,
            patterns=patterns,
            fail_on=fail_on,
            severity=severity,
            specs_path=str(specs_path),
        )
