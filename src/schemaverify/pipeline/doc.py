"""`schemaverify doc` as one function: the check's facts and the catalog they were read from,
arranged as the reference (pipeline/reference.py), in one read of the source."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemaverify import __version__
from schemaverify.errors import UsageError
from schemaverify.pipeline.check import build_report, schemas_to_read
from schemaverify.pipeline.reference import Reference, Stamp, build
from schemaverify.pipeline.report import Report
from schemaverify.sources import tenants
from schemaverify.sources.live import SourceOptions, open_live
from schemaverify.sources.specs import patterns as patterns_file

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Documented:
    reference: Reference
    report: Report
    """The check the reference was made from (its findings for the caller's exit code)."""


def stamp_date(given: str | None, source: dict[str, object]) -> str | None:
    """The stamp's date: the option's, else the snapshot's `created_at` (its day), else none,
    so that the same source always gives the same reference."""
    if given is not None:
        if not _DATE.fullmatch(given):
            raise UsageError(f"--date must be YYYY-MM-DD, not {given!r}")
        return given
    created = source.get("created_at")
    if isinstance(created, str) and _DATE.match(created):
        return created[:10]
    return None


def run_doc(
    specs_path: Path,
    source: SourceOptions,
    *,
    schemas: Sequence[str] = ("public",),
    access_patterns: Path | None = None,
    types: Collection[str] = (),
    comments: bool = False,
    date: str | None = None,
    cache: bool = False,
    code: Path | None = None,
) -> Documented | None:
    """The reference of the specs against the source; None when the source produced no
    schema (a migration failed), as there is nothing to mark the document with.  `cache`
    uses the spec cache as `check` does (sources/specs/cache.py); `code` is a code base
    to scan (pipeline/usage.py), whose references fill each table's code line."""
    from schemaverify.sources.specs.load import load_specs

    patterns = patterns_file.load_patterns(access_patterns)
    specs = load_specs(
        specs_path,
        access_kinds=patterns.kinds,
        access_roles=(*patterns.client_roles, *patterns.service_roles),
        cache=cache,
    )
    scan = None
    wanted = schemas_to_read(specs, schemas)
    if code is not None:
        from schemaverify.pipeline.usage import excluded_paths, schemas_named
        from schemaverify.sources.code.scan import scan_code

        migrations = Path(source.migrations) if source.migrations else None
        scan = scan_code(code, exclude=excluded_paths(code, migrations, ()), cache=cache)
        wanted = schemas_named(scan, None, wanted, snapshot=bool(source.snapshot))
    with open_live(source, wanted) as live:
        report = build_report(
            specs,
            live,
            schemas=schemas,
            patterns=patterns,
            specs_path=str(specs_path),
            types=types,
            comments=comments,
        )
        if live.catalog is None:
            return None
        catalog = live.catalog
        checked = tenants.expand(specs, schemas, catalog.schemas)
        stamp = Stamp(
            source=str(report.source.get("description") or report.source.get("kind") or ""),
            server_version=catalog.server_version,
            tool_version=__version__,
            date=stamp_date(date, report.source),
            specs=str(specs_path),
        )
        usage = None
        if scan is not None:
            from schemaverify.pipeline.usage import usage_report

            usage = usage_report(scan, live, None, patterns=patterns).usage
        reference = build(
            checked.specs,
            catalog,
            report.facts,
            patterns,
            tenants.resolve(schemas, catalog.schemas),
            stamp,
            usage,
        )
        return Documented(reference, report)
