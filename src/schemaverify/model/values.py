"""Model values as text and as JSON: the one place that spells them.

Findings and facts carry model values (a TypeRef, a nullability, an Index, a ForeignKey,
a Policy, a set of access kinds); prose and serialized forms are made from them here, at
the edge.  Two JSON forms exist because two contracts do:

* `shown()` is what the `expected`/`actual` fields of a *finding* have always held (a
  type's text, "NOT NULL", an index described in one line), kept so that tools reading
  report version 1 keep working;
* `data()` is the structured form of a *fact*'s values (an index as its keys, method,
  uniqueness and predicate), for tools that merge verified facts into documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schemaverify.model.schema import CheckConstraint, ForeignKey, Index, IndexKey, Policy, TypeRef


@dataclass(frozen=True)
class Nullability:
    """A column's NULL / NOT NULL: a value of its own so that it prints as SQL does."""

    nullable: bool
    validated: bool = True
    """False for PostgreSQL 18's `NOT NULL ... NOT VALID`: existing rows may hold NULL."""

    def __str__(self) -> str:
        if self.nullable:
            return "NULL"
        return "NOT NULL" if self.validated else "NOT NULL NOT VALID"


@dataclass(frozen=True)
class Generation:
    """How a generated column is computed: its expression and `stored` or `virtual`, either
    possibly not stated (a spec may state only one)."""

    expression: str | None
    kind: str | None = None

    def __str__(self) -> str:
        text = f"GENERATED ALWAYS AS ({self.expression or '...'})"
        return text + (f" {self.kind.upper()}" if self.kind else "")


@dataclass(frozen=True)
class Switch:
    """An on/off property whose two states have names (`enabled`/`disabled`)."""

    on: bool
    on_text: str
    off_text: str

    def __str__(self) -> str:
        return self.on_text if self.on else self.off_text


@dataclass(frozen=True)
class Columns:
    """An ordered column list (a primary key, a unique set)."""

    names: tuple[str, ...]
    without_overlaps: bool = False
    """The last column is `WITHOUT OVERLAPS` (a temporal key, PostgreSQL 18)."""

    def __str__(self) -> str:
        names = list(self.names)
        if self.without_overlaps and names:
            names[-1] += " WITHOUT OVERLAPS"
        return f"({', '.join(names)})"


@dataclass(frozen=True)
class AccessKinds:
    """Access kinds of the RLS vocabulary (documented, or granted by policies)."""

    kinds: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(self.kinds) if self.kinds else "none"


@dataclass(frozen=True)
class AllowedValues:
    """The values a column may hold: documented (`values:`), or what an enum type or CHECK
    constraint allows, in their order."""

    values: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(repr(v) for v in self.values) if self.values else "none"


@dataclass(frozen=True)
class CellAccess:
    """The access words a spec states for one cell of the access matrix (`rows: owner`)."""

    words: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(self.words)


def key_text(key: IndexKey) -> str:
    return key.expression + (" DESC" if key.descending else "")


def index_text(index: Index) -> str:
    keys = ", ".join(key_text(k) for k in index.keys)
    text = f"{'unique ' if index.unique else ''}{index.method} ({keys})"
    if index.nulls_not_distinct:
        text += " NULLS NOT DISTINCT"
    if index.predicate:
        text += f" WHERE {index.predicate}"
    elif index.partial_any:
        text += " (partial)"
    return text


def index_key(index: Index) -> str:
    """An index's identity: method and key columns, in order, with direction.

    Not the predicate and not the name: a documented index is matched by its columns
    (see rules/indexes.py), and its identity must not move when a predicate is reworded.
    """
    return f"{index.method} ({', '.join(key_text(k) for k in index.keys)})"


def fk_text(fk: ForeignKey) -> str:
    columns, ref_columns = list(fk.columns), list(fk.ref_columns)
    if fk.period and columns and ref_columns:
        columns[-1], ref_columns[-1] = f"PERIOD {columns[-1]}", f"PERIOD {ref_columns[-1]}"
    text = f"({', '.join(columns)}) -> {fk.ref_qualified}({', '.join(ref_columns)})"
    if fk.on_delete:
        text += f" ON DELETE {fk.on_delete.upper()}"
    if fk.on_update:
        text += f" ON UPDATE {fk.on_update.upper()}"
    if not fk.enforced:
        text += " NOT ENFORCED"
    return text


def check_text(check: CheckConstraint) -> str:
    text = f"CHECK {check.expression}"
    if not check.enforced:
        text += " NOT ENFORCED"
    if not check.validated:
        text += " NOT VALID"
    return text


def policy_text(policy: Policy) -> str:
    text = (
        f"{'PERMISSIVE' if policy.permissive else 'RESTRICTIVE'} FOR {policy.command.upper()} "
        f"TO {', '.join(policy.roles)}"
    )
    if policy.using:
        text += f" USING ({policy.using})"
    if policy.with_check:
        text += f" WITH CHECK ({policy.with_check})"
    return text


def text(value: Any) -> str:
    """A value in a sentence."""
    if value is None:
        return "none"
    if isinstance(value, Index):
        return index_text(value)
    if isinstance(value, ForeignKey):
        return fk_text(value)
    if isinstance(value, Policy):
        return policy_text(value)
    if isinstance(value, CheckConstraint):
        return check_text(value)
    return str(value)


def shown(value: Any) -> Any:
    """The report-version-1 JSON form of a finding's `expected` / `actual`."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Columns):
        return list(value.names)
    if isinstance(value, AccessKinds):
        return list(value.kinds)
    if isinstance(value, (list, tuple)):
        return [shown(v) for v in value]
    return text(value)


def data(value: Any) -> Any:
    """The structured JSON form of a fact's value."""
    # By exact type first: a large report asks for a million values, and the chain of
    # isinstance tests below (which a subclass, a mapping or a sequence still takes) made
    # a policy pass a dozen of them.  Each class's form is the one function of `_DATA`.
    convert = _DATA.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    for kind, convert in _DATA.items():
        if isinstance(value, kind):
            return convert(value)
    if isinstance(value, Mapping):
        return {str(k): data(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [data(v) for v in value]
    return str(value)


def _same(value: Any) -> Any:
    return value


def _nullability_data(value: Nullability) -> Any:
    return value.nullable if value.validated else "not valid"


def _generation_data(value: Generation) -> Any:
    return _drop_none({"expression": value.expression, "kind": value.kind})


def _columns_data(value: Columns) -> Any:
    if value.without_overlaps:
        return {"columns": list(value.names), "without_overlaps": True}
    return list(value.names)


def _check_data(value: CheckConstraint) -> Any:
    return _drop_none(
        {
            "name": value.name,
            "expression": value.expression,
            "columns": list(value.columns),
            "enforced": None if value.enforced else False,
            "validated": None if value.validated else False,
        }
    )


def _index_data(value: Index) -> Any:
    return _drop_none(
        {
            "keys": [_key_data(k) for k in value.keys],
            "method": value.method,
            "unique": value.unique,
            "predicate": value.predicate,
            "partial": True if value.partial_any else None,
            "include": list(value.include) or None,
            "nulls_not_distinct": True if value.nulls_not_distinct else None,
            "name": value.name,
        }
    )


def _fk_data(value: ForeignKey) -> Any:
    return _drop_none(
        {
            "columns": list(value.columns),
            "references": {
                "schema": value.ref_schema,
                "table": value.ref_table,
                "columns": list(value.ref_columns),
            },
            "on_delete": value.on_delete,
            "on_update": value.on_update,
            "period": True if value.period else None,
            "enforced": False if not value.enforced else None,
            "name": value.name,
        }
    )


def _policy_data(value: Policy) -> Any:
    return _drop_none(
        {
            "name": value.name,
            "command": value.command,
            "roles": list(value.roles),
            "permissive": value.permissive,
            "using": value.using,
            "with_check": value.with_check,
        }
    )


_DATA: dict[type[Any], Callable[[Any], Any]] = {
    str: _same,
    bool: _same,
    int: _same,
    float: _same,
    type(None): _same,
    TypeRef: str,
    Nullability: _nullability_data,
    Switch: lambda value: value.on,
    Generation: _generation_data,
    Columns: _columns_data,
    AccessKinds: lambda value: list(value.kinds),
    CellAccess: lambda value: list(value.words),
    AllowedValues: lambda value: list(value.values),
    CheckConstraint: _check_data,
    Index: _index_data,
    ForeignKey: _fk_data,
    Policy: _policy_data,
}
"""Each value class's JSON form, in the order `data` tests a subclass against them."""


def _key_data(key: IndexKey) -> dict[str, Any]:
    out: dict[str, Any] = {"expression" if key.is_expression else "column": key.expression}
    if key.descending:
        out["descending"] = True
    return out


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None}
