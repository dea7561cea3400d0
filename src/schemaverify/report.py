"""The report: everything a renderer needs, and nothing about where it came from.

Renderers (one module per format) take a `Report` and return text; none of
them knows about the database, YAML or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, Summary, at_or_above, summarize


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    tables_checked: int
    source: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Redacted description of the live side (kind, dsn/migrations/snapshot, server version)."""
    specs: str | None = None
    """The specs folder the check used."""
    fail_on: str = "error"

    @property
    def summary(self) -> Summary:
        return summarize(list(self.findings), self.tables_checked)

    @property
    def failed(self) -> bool:
        return any(at_or_above(f.severity, self.fail_on) for f in self.findings)

    def by_table(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            grouped.setdefault(f.table, []).append(f)
        return grouped
