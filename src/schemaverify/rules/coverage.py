"""Documentation coverage: which live tables have specs, and which specs have tables.

Unlike `check`, coverage ignores what is inside the tables; it answers "how
much of this database is documented at all", which is the first question on
a schema with hundreds of tables and a handful of specs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemaverify.model.schema import Catalog
from schemaverify.model.spec import SpecSet
from schemaverify.model.usage import Usage

_TABLE_KINDS = ("table", "partitioned table")


@dataclass(frozen=True)
class UndocumentedTable:
    table: str
    columns: int
    kind: str


@dataclass(frozen=True)
class MissingTable:
    table: str
    spec: str


@dataclass(frozen=True)
class DanglingReference:
    """A table a spec's foreign key points to that is neither specified nor live."""

    table: str
    referenced_by: tuple[str, ...]
    """`spec-path:line` of each foreign key naming it."""


@dataclass(frozen=True)
class UnreadReference:
    """A table a spec's foreign key points to, in a schema the source did not give: a
    snapshot records only the schemas it was taken of.  Whether it exists is unknown, so it
    is neither counted live nor reported dangling."""

    table: str
    referenced_by: tuple[str, ...]


@dataclass(frozen=True)
class UsedTable:
    """A live table code reaches (`coverage --code`) that no spec documents."""

    table: str
    files: int
    first: str
    """`path:line:column` of its first reference."""


@dataclass(frozen=True)
class CodeCoverage:
    """What a code scan adds: the documentation's blind spots as the code sees them."""

    code: str
    used_undocumented: tuple[UsedTable, ...]
    documented_unused: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    schemas: tuple[str, ...]
    live_tables: int
    documented: tuple[str, ...]
    undocumented: tuple[UndocumentedTable, ...]
    missing: tuple[MissingTable, ...]
    dangling: tuple[DanglingReference, ...]
    source: dict[str, str]
    code: CodeCoverage | None = None
    unread: tuple[UnreadReference, ...] = ()
    """Foreign-key targets in schemas that were not read (only a snapshot leaves any)."""

    @property
    def ratio(self) -> float:
        """Share of live tables (in the checked schemas) that have a spec; 1.0 for none."""
        return len(self.documented) / self.live_tables if self.live_tables else 1.0


def code_coverage(specs: SpecSet, usage: Usage) -> CodeCoverage:
    """Tables (and views) the code reaches without a spec, and specs no code names."""
    specified = specs.by_name()
    used = []
    for name, refs in usage.by_object:
        if name in specified or all(r.target == "function" for r in refs):
            continue
        used.append(UsedTable(name, len({r.path for r in refs}), refs[0].place))
    reached = {name for name, _ in usage.by_object}
    return CodeCoverage(
        code=usage.code,
        used_undocumented=tuple(used),
        documented_unused=tuple(sorted(n for n in specified if n not in reached)),
    )


def compute(
    specs: SpecSet, catalog: Catalog, schemas: Sequence[str], usage: Usage | None = None
) -> Coverage:
    live = {t.qualified: t for t in catalog.tables if t.kind in _TABLE_KINDS}
    relations = {t.qualified for t in catalog.tables}
    in_scope = {name: t for name, t in live.items() if t.schema in schemas}
    specified = specs.by_name()
    referenced: dict[str, list[str]] = {}
    unread: dict[str, list[str]] = {}
    read = set(catalog.schemas)
    for spec in specs.specs:
        for position, fk in enumerate(spec.table.foreign_keys):
            # Only a schema that was read can say a table is not there.
            found = referenced if fk.ref_schema in read else unread
            found.setdefault(fk.ref_qualified, []).append(spec.where(f"fk:{position}"))
    return Coverage(
        schemas=tuple(schemas),
        live_tables=len(in_scope),
        documented=tuple(sorted(n for n in in_scope if n in specified)),
        undocumented=tuple(
            UndocumentedTable(n, len(t.columns), t.kind)
            for n, t in sorted(in_scope.items())
            if n not in specified
        ),
        missing=tuple(
            # A spec for a view (or foreign table) has its relation: it is not missing.
            MissingTable(n, s.where("table"))
            for n, s in sorted(specified.items())
            if n not in relations
        ),
        dangling=tuple(
            DanglingReference(n, tuple(sorted(places)))
            for n, places in sorted(referenced.items())
            if n not in specified and n not in live
        ),
        source=dict(catalog.source),
        code=code_coverage(specs, usage) if usage is not None else None,
        unread=tuple(
            UnreadReference(n, tuple(sorted(places)))
            for n, places in sorted(unread.items())
            if n not in specified
        ),
    )
