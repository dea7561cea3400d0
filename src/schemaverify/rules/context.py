"""What every comparator works on: one documented table, its live twin, and where to
record facts and findings.

The comparators (one module per object kind, see engine.py) never build prose and never
decide severities: they record a `Fact` for every statement of the spec and, for each
statement the source contradicts, one `Finding` with the same table, kind and key, whose
message messages.py writes from the values.  Strict mode (`diff`, where the spec was made
from another catalog and states everything) lives in the same comparators: `strict`
makes an unstated value mean "none" and makes live-only objects findings.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from schemaverify.model.facts import DRIFT, UNVERIFIABLE, VERIFIED, Fact
from schemaverify.model.findings import Finding, make
from schemaverify.model.schema import Catalog, Table, UserType
from schemaverify.model.spec import TableSpec
from schemaverify.rules import access, messages


@dataclass(frozen=True)
class DiffOptions:
    patterns: access.AccessPatterns
    undocumented_schemas: tuple[str, ...] = ("public",)
    """Schemas whose live tables without a spec are reported as `table_undocumented`."""
    strict: bool = False
    """The specs state everything (they were made from another catalog, `schemaverify
    diff`): None means "none", not "not stated", and whatever the live side has beyond the
    specs is reported too, views included."""
    comments: bool = False
    """Compare `purpose` and column notes with COMMENT ON (config `comments = "strict"`);
    a spec's own `comments:` overrides it."""


@dataclass
class TableContext:
    spec: TableSpec
    live: Table
    catalog: Catalog
    options: DiffOptions
    facts: list[Fact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    """Documented columns the live table lacks -> fingerprint of their `column_missing`."""
    undocumented: dict[str, str] = field(default_factory=dict)
    """Live columns the spec lacks -> fingerprint of their `column_undocumented`."""
    tables: Mapping[str, Table] = field(default_factory=dict)
    """The catalog's relations by qualified name (built once per comparison): the tables a
    view reads, for its access matrix."""
    enums: Mapping[str, tuple[UserType, ...]] = field(default_factory=dict)
    """The catalog's enum types by name (built once per comparison): a column's allowed
    values."""

    _where: dict[str | None, str] = field(default_factory=dict, init=False, repr=False)
    """`where()` per key: a spec's dozens of facts share a few locations."""

    @functools.cached_property
    def table(self) -> str:
        """Qualified name of the documented table (once: every fact carries it)."""
        return self.spec.qualified

    @property
    def strict(self) -> bool:
        return self.options.strict

    def where(self, key: str | None = None) -> str:
        found = self._where.get(key)
        if found is None:
            found = self._where[key] = self.spec.where(key)
        return found

    def cause(self, columns: tuple[str, ...] | list[str]) -> str | None:
        """The `column_missing` a finding about these columns follows from, if any."""
        for column in columns:
            if column in self.missing:
                return self.missing[column]
        return None

    # -- recording -----------------------------------------------------------------

    def verified(
        self, subject: str, key: str | None, expected: Any, actual: Any, spec: str
    ) -> None:
        self.facts.append(Fact(self.table, subject, key, VERIFIED, expected, actual, spec))

    def unverifiable(
        self, subject: str, key: str | None, expected: Any, spec: str, reason: str
    ) -> None:
        self.facts.append(
            Fact(self.table, subject, key, UNVERIFIABLE, expected, None, spec, reason)
        )

    def drift(
        self,
        subject: str,
        kind: str,
        key: str | None,
        expected: Any,
        actual: Any,
        spec: str,
        *,
        caused_by: str | None = None,
        obj: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A contradicted statement: its fact, and its one finding."""
        self.facts.append(Fact(self.table, subject, key, DRIFT, expected, actual, spec))
        return self.observe(
            kind, key, expected, actual, spec, caused_by=caused_by, obj=obj, details=details
        )

    def observe(
        self,
        kind: str,
        key: str | None,
        expected: Any,
        actual: Any,
        spec: str | None,
        *,
        caused_by: str | None = None,
        obj: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A finding no documented statement is behind (an undocumented column, and in
        strict mode every live-only object)."""
        finding = make(
            self.table,
            kind,
            key if obj is None else obj,
            messages.message(kind, key if obj is None else obj, expected, actual, details or {}),
            expected=expected,
            actual=actual,
            spec=spec,
            caused_by=caused_by,
            key=key,
            details=details,
        )
        self.findings.append(finding)
        return finding
