"""The report: everything a renderer needs, and nothing about where it came from.

Renderers (one module per format) take a `Report` and return text; none of
them knows about the database, YAML or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemaverify.model.facts import Fact
from schemaverify.model.findings import Finding, Summary, at_or_above, summarize
from schemaverify.model.usage import Usage


def consequences_of(findings: tuple[Finding, ...] | list[Finding]) -> dict[str, list[Finding]]:
    """The findings caused by each root (by its fingerprint), for the formats that fold
    consequences under their cause."""
    prints = {f.fingerprint for f in findings}
    children: dict[str, list[Finding]] = {}
    for f in findings:
        if f.caused_by and f.caused_by in prints and f.caused_by != f.fingerprint:
            children.setdefault(f.caused_by, []).append(f)
    return children


if TYPE_CHECKING:
    from schemaverify.pipeline.baseline import Outcome


FOLDED_NAMES = 3
"""File names shown in the folded line of a root migration failure's consequences."""


def folded_text(group: list[Finding]) -> str:
    """`24 later failures caused by this one: a.sql, b.sql, c.sql and 21 more`."""
    files = list(dict.fromkeys(str(f.extra.get("file") or f.object or "") for f in group))
    shown = ", ".join(files[:FOLDED_NAMES])
    more = f" and {len(files) - FOLDED_NAMES} more" if len(files) > FOLDED_NAMES else ""
    noun = "later failure" if len(group) == 1 else "later failures"
    return f"{len(group)} {noun} caused by this one: {shown}{more}"


def group_title(table: str, findings: list[Finding]) -> str:
    """What a group of findings is about: its table, or for findings about no table the
    migrations (a failed statement) or the code (a reference `usage` could not resolve)."""
    if table:
        return table
    code = {f.kind.startswith("code_") for f in findings}
    return {frozenset({True}): "code", frozenset({True, False}): "migrations and code"}.get(
        frozenset(code), "migrations"
    )


NOT_READ = "no table was checked: the migrations failed before the schema could be read"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    tables_checked: int
    """The documented tables to check; the summary counts 0 when no schema was read."""
    source: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Redacted description of the live side (kind, dsn/migrations/snapshot, server version)."""
    specs: str | None = None
    """The specs folder the check used."""
    fail_on: str = "error"
    tables: tuple[str, ...] = ()
    """Qualified names of the documented tables checked, in spec order, so that formats listing
    passing checks (JUnit) can show tables without findings; empty when no catalog was read
    (a failed migration stopped the run), so nothing is reported as passing unchecked."""
    baseline: Outcome | None = None
    """What `--baseline` did: findings it accepted (already left out of `findings`), stale
    and expired entries.  None when no baseline was used."""
    schemas: tuple[str, ...] = ()
    """The schemas checked (specs applied, or undocumented tables reported), globs resolved;
    empty when unknown (the summary then takes the schemas from the findings' tables)."""
    schema_read: bool = True
    """False when the live side produced no schema (a failed migration stopped the run):
    no table was checked, whatever the specs hold."""
    facts: tuple[Fact, ...] = ()
    """One per statement of the specs checked (facts.py): verified, drift or unverifiable."""
    usage: Usage | None = None
    """What `schemaverify usage` scanned and found; None for every other command."""

    @property
    def migrations(self) -> dict[str, int] | None:
        """`{files, applied, failed, skipped}` of the migration run, if the source was one."""
        counts = self.source.get("migrations")
        return counts if isinstance(counts, dict) else None

    @property
    def summary(self) -> Summary:
        # No schema read (the migrations stopped first): no table was checked at all, however
        # many specs there were to check (`tables_checked` counts those).
        checked = self.tables_checked if self.schema_read else 0
        return summarize(list(self.findings), checked, schemas=self.schemas, tables=self.tables)

    @property
    def failed(self) -> bool:
        if self.baseline is not None and self.baseline.failed:
            return True
        return any(at_or_above(f.severity, self.fail_on) for f in self.findings)

    def by_table(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            grouped.setdefault(f.table, []).append(f)
        return grouped


@dataclass(frozen=True)
class Place:
    """A finding's place in a file, parsed once for the formats that link to files
    (SARIF, GitHub annotations, JUnit, Markdown) instead of each splitting strings."""

    path: str
    line: int | None = None
    column: int | None = None


def place_of(finding: Finding) -> Place | None:
    """`location` (`path:line:column`, e.g. a migration statement) wins over `spec`
    (`path:line`), as in the terminal report; None for findings without a place.

    Numbers are taken from the right so that a path may itself contain colons."""
    text = finding.location or finding.spec
    if not text:
        return None
    numbers: list[int] = []
    path = text
    while len(numbers) < 2:
        head, sep, tail = path.rpartition(":")
        if not (sep and head and tail.isdigit()):
            break
        numbers.insert(0, int(tail))
        path = head
    if not numbers:
        return Place(text)
    return Place(path, numbers[0], numbers[1] if len(numbers) == 2 else None)
