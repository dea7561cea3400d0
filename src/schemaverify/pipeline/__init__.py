"""One post-processing pipeline for every source of findings.

Comparisons (rules/), migrations, advice and coverage all hand their findings here, and
each step runs exactly once, in this order: the spec's own `ignore` rules, the
configuration's severity overrides, and the report order.
The baseline comes after, in baseline.py, on the finished report (it needs the whole
report to tell stale entries apart).  Before this module, severities were applied by
the diff engine and by advice separately, so an override for a migration kind took
effect in `advise` but not in `check`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from schemaverify.model.findings import Finding, sort_findings
from schemaverify.model.spec import IgnoreRule, SpecSet


@dataclass(frozen=True)
class Pipeline:
    severity: Mapping[str, str] = field(default_factory=dict)
    """Per-kind severity overrides (the configuration's `severity` table)."""
    ignores: Mapping[str, tuple[IgnoreRule, ...]] = field(default_factory=dict)
    """Per-table `ignore` rules of the specs."""

    @classmethod
    def for_specs(cls, specs: SpecSet | None, severity: Mapping[str, str] | None) -> Pipeline:
        rules = {s.qualified: s.ignore for s in specs.specs if s.ignore} if specs else {}
        return cls(severity=dict(severity or {}), ignores=rules)

    def run(self, findings: Iterable[Finding]) -> tuple[Finding, ...]:
        kept = [
            f.with_severity(self.severity[f.kind]) if f.kind in self.severity else f
            for f in findings
            if not self._ignored(f)
        ]
        return tuple(sort_findings(kept))

    def _ignored(self, finding: Finding) -> bool:
        return any(
            rule.kind == finding.kind and (rule.object is None or rule.object == finding.object)
            for rule in self.ignores.get(finding.table, ())
        )
