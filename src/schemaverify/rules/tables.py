"""Whether each documented table exists, and which live tables no spec documents."""

from __future__ import annotations

from schemaverify.model.facts import DRIFT, Fact
from schemaverify.model.findings import Finding, make
from schemaverify.model.schema import Catalog, Table
from schemaverify.model.spec import TableSpec
from schemaverify.rules import messages

KINDS = ("table_missing", "table_undocumented", "table_is_partition")
SUBJECTS = ("table",)

TABLE_KINDS = ("table", "partitioned table")


def missing(spec: TableSpec, catalog: Catalog) -> tuple[Fact, Finding]:
    """A documented table the read did not return: absent, or a partition (not read on its own:
    it has its parent's columns, keys and indexes, so the parent is what to document)."""
    where = spec.where("table")
    fact = Fact(spec.qualified, "table", None, DRIFT, spec.qualified, None, where)
    parent = next((p.parent for p in catalog.partitions if p.qualified == spec.qualified), None)
    kind = "table_missing" if parent is None else "table_is_partition"
    details: dict[str, object]
    if parent is None:
        same_name = tuple(t.qualified for t in catalog.tables if t.name == spec.table.name)
        details = {"same_name": same_name}
    else:
        details = {"partition_of": parent}
    text = messages.message(kind, None, spec.qualified, None, details)
    finding = make(
        spec.qualified,
        kind,
        None,
        text,
        expected=spec.qualified,
        actual=None,
        spec=where,
        details=details,
    )
    return fact, finding


def undocumented(table: Table) -> Finding:
    details = {"relkind": table.kind, "columns": len(table.columns)}
    return make(
        table.qualified,
        "table_undocumented",
        None,
        messages.message("table_undocumented", None, None, table.qualified, details),
        expected=None,
        actual=table.qualified,
        details=details,
    )
