"""The comparator registry and the one loop that runs it.

Each comparator module compares one object kind and declares the finding kinds and fact
subjects it produces; `COMPARATORS` lists them in the order they run (columns first:
the later ones name the missing columns their findings follow from).  Adding a kind over
data the model already holds means a `Kind` in findings.py, its comparison in one of
these modules (or a new module listed here) and its sentence in messages.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemaverify.model.facts import UNVERIFIABLE, Fact
from schemaverify.model.findings import Finding
from schemaverify.model.schema import Catalog
from schemaverify.model.spec import SpecSet, TableSpec
from schemaverify.model.values import AllowedValues, index_key
from schemaverify.rules import (
    access_matrix,
    api,
    checks,
    columns,
    comments,
    foreign_keys,
    indexes,
    keys,
    rls,
    tables,
    values,
)
from schemaverify.rules.context import DiffOptions, TableContext


@dataclass(frozen=True)
class Comparator:
    name: str
    kinds: tuple[str, ...]
    subjects: tuple[str, ...]
    run: Callable[[TableContext], None]


COMPARATORS: tuple[Comparator, ...] = (
    Comparator("columns", columns.KINDS, columns.SUBJECTS, columns.compare),
    Comparator("allowed values", values.KINDS, values.SUBJECTS, values.compare),
    Comparator(
        "primary key", ("primary_key_mismatch",), ("primary_key",), keys.compare_primary_key
    ),
    Comparator("uniques", ("unique_missing",), ("unique",), keys.compare_uniques),
    Comparator("indexes", indexes.KINDS, indexes.SUBJECTS, indexes.compare),
    Comparator("foreign keys", foreign_keys.KINDS, foreign_keys.SUBJECTS, foreign_keys.compare),
    Comparator("check constraints", checks.KINDS, checks.SUBJECTS, checks.compare),
    Comparator("row-level security", rls.KINDS, rls.SUBJECTS, rls.compare),
    Comparator("access matrix", access_matrix.KINDS, access_matrix.SUBJECTS, access_matrix.compare),
    Comparator("data api", api.KINDS, api.SUBJECTS, api.compare),
    Comparator("comments", comments.KINDS, comments.SUBJECTS, comments.compare),
)


@dataclass(frozen=True)
class Verification:
    """What a comparison established: a fact per documented statement, and the findings
    (the drift facts' findings plus live-only observations), unsorted and unfiltered: the
    pipeline (pipeline.py) applies ignores, severities and the order."""

    facts: tuple[Fact, ...]
    findings: tuple[Finding, ...]


def compare(specs: SpecSet, catalog: Catalog, options: DiffOptions) -> Verification:
    live = catalog.by_name()
    enums = values.enums_by_name(catalog.types)
    facts: list[Fact] = []
    findings: list[Finding] = []
    for spec in specs.specs:
        table = live.get(spec.qualified)
        if table is None:
            fact, finding = tables.missing(spec, catalog)
            facts.append(fact)
            facts.extend(_unverifiable(spec, finding.kind))
            findings.append(finding)
            continue
        ctx = TableContext(spec, table, catalog, options, tables=live, enums=enums)
        for comparator in COMPARATORS:
            comparator.run(ctx)
        facts.extend(ctx.facts)
        findings.extend(ctx.findings)
    documented = {s.qualified for s in specs.specs}
    findings.extend(
        tables.undocumented(t)
        for t in catalog.tables
        if t.qualified not in documented
        and t.schema in options.undocumented_schemas
        and (options.strict or t.kind in tables.TABLE_KINDS)
    )
    return Verification(tuple(facts), tuple(findings))


def _unverifiable(spec: TableSpec, reason: str) -> list[Fact]:
    """Every other statement of a missing table's spec (or of a partition's, which is not
    read on its own): nothing can be shown of them."""
    name, table = spec.qualified, spec.table
    out: list[Fact] = []

    def add(subject: str, key: str | None, expected: object, where: str) -> None:
        out.append(Fact(name, subject, key, UNVERIFIABLE, expected, None, where, reason))

    for col in table.columns:
        add("column", col.name, col.type, spec.where(f"column:{col.name}"))
    for name, doc in spec.columns_doc.items():
        if doc.values:
            add("column.values", name, AllowedValues(doc.values), spec.where(f"column:{name}"))
    if table.primary_key is not None:
        add("primary_key", ", ".join(table.primary_key.columns), None, spec.where("primary_key"))
    for unique in table.uniques:
        add("unique", ", ".join(unique.columns), None, spec.where("table"))
    for position, index in enumerate(table.indexes):
        key = "primary key" if index.primary else index_key(index)
        add("index", key, index, spec.where(f"index:{position}"))
    for position, fk in enumerate(table.foreign_keys):
        add("foreign_key", ", ".join(fk.columns), fk, spec.where(f"fk:{position}"))
    if table.rls is not None:
        add("rls.enabled", None, table.rls.enabled, spec.where("rls"))
        for kind in table.rls.access:
            add("rls.access", kind, kind, spec.where("rls.access"))
        for policy in table.rls.policies:
            add("rls.policy", policy.name, policy, spec.where(f"policy:{policy.name}"))
        for cell in table.rls.access_matrix:
            add("access_matrix", f"{cell.role} {cell.command}", cell.access, spec.where("rls"))
    if spec.api is not None:
        add("table.api", None, spec.api, spec.where("api"))
    return out


def kinds_produced() -> tuple[str, ...]:
    """Every finding kind a comparison can produce (the registry's declarations)."""
    out = list(tables.KINDS)
    for comparator in COMPARATORS:
        out.extend(k for k in comparator.kinds if k not in out)
    return tuple(out)


def subjects_produced() -> tuple[str, ...]:
    """Every fact subject a comparison can record (the registry's declarations)."""
    out = list(tables.SUBJECTS)
    for comparator in COMPARATORS:
        out.extend(s for s in comparator.subjects if s not in out)
    return tuple(out)
