"""Whether each documented table exists, and which live tables no spec documents."""

from __future__ import annotations

from schemaverify.model.facts import DRIFT, Fact
from schemaverify.model.findings import Finding, make
from schemaverify.model.schema import Catalog, Table
from schemaverify.model.spec import TableSpec
from schemaverify.rules import messages

KINDS = ("table_missing", "table_undocumented")
SUBJECTS = ("table",)

TABLE_KINDS = ("table", "partitioned table")


def missing(spec: TableSpec, catalog: Catalog) -> tuple[Fact, Finding]:
    same_name = tuple(t.qualified for t in catalog.tables if t.name == spec.table.name)
    where = spec.where("table")
    fact = Fact(spec.qualified, "table", None, DRIFT, spec.qualified, None, where)
    details = {"same_name": same_name}
    text = messages.message("table_missing", None, spec.qualified, None, details)
    finding = make(
        spec.qualified,
        "table_missing",
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
