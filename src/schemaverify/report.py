"""The report: everything a renderer needs, and nothing about where it came from.

Renderers (one module per format) take a `Report` and return text; none of
them knows about the database, YAML or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .findings import Finding, Summary, at_or_above, summarize

if TYPE_CHECKING:
    from .baseline import Outcome


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    tables_checked: int
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

    @property
    def summary(self) -> Summary:
        return summarize(
            list(self.findings), self.tables_checked, schemas=self.schemas, tables=self.tables
        )

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
