"""The verified reference as data: specs, the live catalog and one check's facts, arranged
by category and table for `schemaverify doc` (reports/reference.py writes the Markdown).

Every fact of the check lands on exactly one line of the reference (a column row, an index,
a policy, ...), and a fact no line is made for goes to its table's `other` list, so the
reference can never drop a verdict silently (tests/test_reference.py holds it to that).
What the database has and the document does not mention (live columns, indexes, foreign
keys, tables) is collected here as well, from the same catalog, so the renderer never
compares anything itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from schemaverify.model.facts import DRIFT, UNVERIFIABLE, VERIFIED, Fact
from schemaverify.model.schema import Catalog, Column, ForeignKey, Index, Policy, Table
from schemaverify.model.spec import ColumnDoc, TableSpec
from schemaverify.model.usage import CodeReference, Usage
from schemaverify.model.vocabulary import AccessPatterns
from schemaverify.rules import access, accessmatrix
from schemaverify.rules.accessmatrix import Cell
from schemaverify.rules.tables import TABLE_KINDS

UNCATEGORIZED = "Uncategorized"
DOCUMENTED, UNDOCUMENTED, MISSING = "documented", "undocumented", "missing"
"""How a diagram edge stands: in the spec and the database, only in the database, only in
the spec (or its table is missing)."""


def status_of(facts: Sequence[Fact]) -> str | None:
    """One line's verdict: differs when any of its facts drifts, unverifiable when any could
    not be shown, verified when all were; None for a line no statement is behind."""
    statuses = {f.status for f in facts}
    for status in (DRIFT, UNVERIFIABLE, VERIFIED):
        if status in statuses:
            return status
    return None


@dataclass(frozen=True)
class ColumnRow:
    column: Column
    """As documented."""
    doc: ColumnDoc | None
    live: Column | None
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class IndexRow:
    index: Index
    """As documented (`primary` for the primary key's own index)."""
    note: str | None
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class ForeignKeyRow:
    foreign_key: ForeignKey
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class PolicyRow:
    """A live policy and the access kinds it classifies as; `facts` are the statements of the
    spec it bears on (within the documented access, or a documented policy of this name)."""

    policy: Policy
    kinds: tuple[str, ...]
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class CodeUse:
    """The code of one file that reaches a table (`doc --code`): where first, and how."""

    path: str
    line: int
    operations: tuple[str, ...]
    """Sorted; `select` for a resource embedded in another table's select."""
    count: int
    """References in the file."""


def code_uses(refs: Iterable[CodeReference]) -> tuple[CodeUse, ...]:
    """One use per file, in path order."""
    grouped: dict[str, list[CodeReference]] = {}
    for ref in refs:
        grouped.setdefault(ref.path, []).append(ref)
    return tuple(
        CodeUse(
            path=path,
            line=min(r.line for r in group),
            operations=tuple(sorted({r.operation for r in group})),
            count=len(group),
        )
        for path, group in sorted(grouped.items())
    )


@dataclass(frozen=True)
class TableEntry:
    spec: TableSpec
    live: Table | None
    facts: tuple[Fact, ...]
    """The table's own statements: it exists, its primary key, uniques, RLS switch and
    access kinds, Data API exposure, comment, ... (each shown as one line)."""
    columns: tuple[ColumnRow, ...]
    indexes: tuple[IndexRow, ...]
    foreign_keys: tuple[ForeignKeyRow, ...]
    policies: tuple[PolicyRow, ...]
    """Live policies, by name."""
    missing_policies: tuple[Fact, ...]
    """Documented policies (`rls.policies`) the database does not have."""
    matrix: tuple[tuple[str, tuple[Cell, ...]], ...]
    """The access-matrix rows of the vocabulary's client and service roles that exist."""
    undocumented_columns: tuple[Column, ...]
    undocumented_indexes: tuple[Index, ...]
    undocumented_foreign_keys: tuple[ForeignKey, ...]
    code: tuple[CodeUse, ...] | None = None
    """The files that reach the table (`doc --code`); None when no code was scanned."""

    @property
    def all_facts(self) -> tuple[Fact, ...]:
        out = list(self.facts)
        rows: tuple[ColumnRow | IndexRow | ForeignKeyRow | PolicyRow, ...] = (
            *self.columns,
            *self.indexes,
            *self.foreign_keys,
            *self.policies,
        )
        for row in rows:
            out.extend(row.facts)
        out.extend(self.missing_policies)
        return tuple(out)


@dataclass(frozen=True)
class Edge:
    """A foreign key in a category's diagram (one per column list and target)."""

    source: str
    target: str
    columns: tuple[str, ...]
    state: str
    """DOCUMENTED, UNDOCUMENTED or MISSING."""
    nullable: bool
    """Some referencing column may be NULL: the row need not have a parent."""
    unique: bool
    """The referencing columns are unique: at most one child per parent."""


@dataclass(frozen=True)
class Category:
    name: str
    tables: tuple[TableEntry, ...]
    edges: tuple[Edge, ...]
    entities: tuple[str, ...]
    """The tables the diagram shows: the category's and the targets of its edges."""


@dataclass(frozen=True)
class Stamp:
    """What the verdicts were established against: text only from redacted values."""

    source: str
    server_version: int
    tool_version: str
    date: str | None
    specs: str


@dataclass(frozen=True)
class Reference:
    categories: tuple[Category, ...]
    undocumented_tables: tuple[Table, ...]
    """Live tables of the checked schemas that no spec documents."""
    live_tables: int
    """Tables (and partitioned tables) of the checked schemas."""
    stamp: Stamp

    @property
    def tables(self) -> tuple[TableEntry, ...]:
        return tuple(t for c in self.categories for t in c.tables)

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(f for t in self.tables for f in t.all_facts)


def build(
    specs: Sequence[TableSpec],
    catalog: Catalog,
    facts: Iterable[Fact],
    patterns: AccessPatterns,
    schemas: Sequence[str],
    stamp: Stamp,
    usage: Usage | None = None,
) -> Reference:
    """Arrange one check (`specs` as checked, globs expanded) by category and table, with
    the code that reaches each table when `usage` holds a scan."""
    by_table: dict[str, list[Fact]] = {}
    for fact in facts:
        by_table.setdefault(fact.table, []).append(fact)
    live = catalog.by_name()
    roles = accessmatrix.role_facts(catalog.roles)
    entries = [
        _entry(
            spec,
            live.get(spec.qualified),
            by_table.get(spec.qualified, []),
            catalog,
            roles,
            patterns,
            live,
        )
        for spec in specs
    ]
    if usage is not None:
        entries = [
            dataclasses.replace(entry, code=code_uses(usage.of(entry.spec.qualified)))
            for entry in entries
        ]
    grouped: dict[str, list[TableEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.spec.category or UNCATEGORIZED, []).append(entry)
    categories = tuple(
        _category(name, tuple(sorted(grouped[name], key=lambda e: e.spec.qualified)))
        for name in sorted(grouped, key=lambda n: (n == UNCATEGORIZED, n.casefold(), n))
    )
    documented = {s.qualified for s in specs}
    checked = set(schemas) | {s.table.schema for s in specs}
    in_schemas = [t for t in catalog.tables if t.schema in checked and t.kind in TABLE_KINDS]
    return Reference(
        categories=categories,
        undocumented_tables=tuple(
            sorted(
                (t for t in in_schemas if t.qualified not in documented), key=lambda t: t.qualified
            )
        ),
        live_tables=len(in_schemas),
        stamp=stamp,
    )


class _Facts:
    """One table's facts, taken out by subject and key as the lines that show them are made;
    what is left at the end has no line of its own."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self._left: dict[tuple[str, str | None], list[Fact]] = {}
        for fact in facts:
            self._left.setdefault((fact.subject, fact.key), []).append(fact)

    def take(self, subject: str, key: str | None) -> list[Fact]:
        return self._left.pop((subject, key), [])

    def take_subject(self, subject: str) -> list[Fact]:
        out: list[Fact] = []
        for wanted in [k for k in self._left if k[0] == subject]:
            out.extend(self._left.pop(wanted))
        return out

    def rest(self) -> list[Fact]:
        return [f for group in self._left.values() for f in group]


_COLUMN_SUBJECTS = (
    "column",
    "column.type",
    "column.nullable",
    "column.default",
    "column.identity",
    "column.generated",
    "column.values",
    "column.comment",
)
_TABLE_SUBJECTS = (
    "table",
    "primary_key",
    "unique",
    "rls.enabled",
    "rls.forced",
    "rls.access",
    "access_matrix",
    "table.api",
    "table.comment",
)


def _entry(
    spec: TableSpec,
    live: Table | None,
    facts: Sequence[Fact],
    catalog: Catalog,
    roles: accessmatrix.RoleFacts,
    patterns: AccessPatterns,
    tables: Mapping[str, Table],
) -> TableEntry:
    pool = _Facts(facts)
    documented = spec.table
    columns = tuple(
        ColumnRow(
            col,
            spec.columns_doc.get(col.name),
            live.column(col.name) if live is not None else None,
            tuple(f for subject in _COLUMN_SUBJECTS for f in pool.take(subject, col.name)),
        )
        for col in documented.columns
    )
    index_facts = pool.take_subject("index")
    indexes = tuple(
        IndexRow(index, spec.index_notes.get(position), _for_index(index, index_facts))
        for position, index in enumerate(documented.indexes)
    )
    fks = tuple(
        ForeignKeyRow(fk, tuple(pool.take("foreign_key", ", ".join(fk.columns))))
        for fk in documented.foreign_keys
    )
    policies: list[PolicyRow] = []
    for policy in sorted(live.rls.policies if live and live.rls else (), key=lambda p: p.name):
        bearing = [
            *pool.take("rls.policy_within_access", policy.name),
            *pool.take("rls.policy", policy.name),
        ]
        kinds = tuple(sorted(access.classify_policy(policy, patterns)))
        policies.append(PolicyRow(policy, kinds, tuple(bearing)))
    missing_policies = tuple(pool.take_subject("rls.policy"))
    own = [f for subject in _TABLE_SUBJECTS for f in pool.take_subject(subject)]
    # Whatever no line was made for (a subject added later, an index fact left over when two
    # documented indexes share keys) is still shown, with the table's own statements.
    own.extend(index_facts)
    own.extend(pool.rest())
    matrix: tuple[tuple[str, tuple[Cell, ...]], ...] = ()
    if live is not None:
        wanted = [r for r in (*patterns.client_roles, *patterns.service_roles) if roles.exists(r)]
        matrix = tuple(accessmatrix.table_access(live, catalog, patterns, wanted, tables).rows())
    return TableEntry(
        spec=spec,
        live=live,
        facts=tuple(own),
        columns=columns,
        indexes=indexes,
        foreign_keys=fks,
        policies=tuple(policies),
        missing_policies=missing_policies,
        matrix=matrix,
        undocumented_columns=_undocumented_columns(documented, live),
        undocumented_indexes=_undocumented_indexes(documented, live, facts),
        undocumented_foreign_keys=_undocumented_fks(documented, live),
    )


def _for_index(index: Index, pool: list[Fact]) -> tuple[Fact, ...]:
    """The fact of a documented index, taken from the table's index facts by its expected
    value (two documented indexes may share keys, so the key alone does not tell them)."""
    for i, fact in enumerate(pool):
        if fact.expected == index or (index.primary and fact.key == "primary key"):
            return (pool.pop(i),)
    return ()


def _undocumented_columns(spec: Table, live: Table | None) -> tuple[Column, ...]:
    if live is None:
        return ()
    names = {c.name for c in spec.columns}
    return tuple(c for c in live.columns if c.name not in names)


def _undocumented_indexes(
    spec: Table, live: Table | None, facts: Sequence[Fact]
) -> tuple[Index, ...]:
    """Live indexes no documented index was matched with, less those of a documented key
    (the primary key's index, a documented unique constraint's)."""
    if live is None:
        return ()
    matched = [f.actual for f in facts if f.subject == "index" and isinstance(f.actual, Index)]
    keys = {tuple(u.columns) for u in spec.uniques}
    documented_pk = spec.primary_key is not None or any(i.primary for i in spec.indexes)
    out = []
    for index in live.indexes:
        if index in matched:
            matched.remove(index)
            continue
        if index.primary and documented_pk:
            continue
        if index.unique and index.constraint and index.columns in keys:
            continue
        out.append(index)
    return tuple(out)


def _undocumented_fks(spec: Table, live: Table | None) -> tuple[ForeignKey, ...]:
    if live is None:
        return ()
    documented = {fk.columns for fk in spec.foreign_keys}
    return tuple(fk for fk in live.foreign_keys if fk.columns not in documented)


def _category(name: str, entries: tuple[TableEntry, ...]) -> Category:
    edges: list[Edge] = []
    for entry in entries:
        edges.extend(_edges(entry))
    edges.sort(key=lambda e: (e.source, e.target, e.columns))
    entities = dict.fromkeys(e.spec.qualified for e in entries)
    for edge in edges:
        entities.setdefault(edge.target, None)
    return Category(name, entries, tuple(edges), tuple(entities))


def _edges(entry: TableEntry) -> list[Edge]:
    source = entry.spec.qualified
    live = entry.live
    table = live or entry.spec.table
    out: list[Edge] = []
    live_fks = {fk.columns: fk for fk in live.foreign_keys} if live else {}
    for row in entry.foreign_keys:
        fk = row.foreign_key
        present = fk.columns in live_fks and status_of(row.facts) != UNVERIFIABLE
        state = DOCUMENTED if present else MISSING
        target = live_fks[fk.columns].ref_qualified if present else fk.ref_qualified
        out.append(Edge(source, target, fk.columns, state, *_cardinality(table, fk.columns)))
    for fk in entry.undocumented_foreign_keys:
        out.append(
            Edge(
                source, fk.ref_qualified, fk.columns, UNDOCUMENTED, *_cardinality(table, fk.columns)
            )
        )
    return out


def _cardinality(table: Table, columns: tuple[str, ...]) -> tuple[bool, bool]:
    nullable = any((c := table.column(name)) is None or c.nullable is not False for name in columns)
    keys = [u.columns for u in table.uniques]
    if table.primary_key is not None:
        keys.append(table.primary_key.columns)
    keys.extend(i.columns for i in table.indexes if i.unique and not i.predicate)
    unique = any(set(key) <= set(columns) for key in keys if key)
    return nullable, unique
