"""The primary key and documented unique column sets."""

from __future__ import annotations

from schemaverify.model.schema import Table
from schemaverify.model.values import Columns
from schemaverify.rules.context import TableContext

KINDS = ("primary_key_mismatch", "unique_missing")
SUBJECTS = ("primary_key", "unique")


def compare_primary_key(ctx: TableContext) -> None:
    expected = ctx.spec.table.primary_key
    actual = ctx.live.primary_key
    found = Columns(actual.columns, actual.without_overlaps) if actual else None
    if expected is None:
        # Strict: the spec states "no primary key".
        if ctx.strict and actual is not None:
            ctx.drift(
                "primary_key",
                "primary_key_mismatch",
                ", ".join(actual.columns),
                None,
                found,
                ctx.where("table"),
            )
        return
    stated = Columns(expected.columns, expected.without_overlaps)
    key = ", ".join(expected.columns)
    where = ctx.where("primary_key")
    if actual is not None and found == stated:
        ctx.verified("primary_key", key, stated, found, where)
        return
    ctx.drift(
        "primary_key",
        "primary_key_mismatch",
        key,
        stated,
        found,
        where,
        caused_by=ctx.cause(expected.columns),
    )


UniqueSet = tuple[frozenset[str], str | None]
"""A column set enforced as unique, and its `WITHOUT OVERLAPS` column (None for plain
equality): a temporal key does not make its columns unique the plain way."""


def unique_sets(live: Table) -> set[UniqueSet]:
    """Column sets the live table enforces as unique (constraints, full unique indexes, pkey)."""
    temporal = {u.name for u in live.uniques if u.without_overlaps}
    pk = live.primary_key
    if pk is not None and pk.without_overlaps:
        temporal.add(pk.name)
    sets = {_unique_set(u.columns, u.without_overlaps) for u in live.uniques}
    sets.update(
        (frozenset(i.columns), None)
        for i in live.indexes
        if i.unique
        and i.predicate is None
        and not any(k.is_expression for k in i.keys)
        and (i.constraint is None or i.constraint not in temporal)
    )
    if pk is not None:
        sets.add(_unique_set(pk.columns, pk.without_overlaps))
    return sets


def _unique_set(columns: tuple[str, ...], without_overlaps: bool) -> UniqueSet:
    return frozenset(columns), columns[-1] if without_overlaps and columns else None


def compare_uniques(ctx: TableContext) -> None:
    enforced = unique_sets(ctx.live)
    for unique in ctx.spec.table.uniques:
        key = ", ".join(unique.columns)
        stated = Columns(unique.columns, unique.without_overlaps)
        line = f"unique:{','.join(unique.columns)}"
        where = ctx.where(line if line in ctx.spec.lines else f"column:{unique.columns[0]}")
        if _unique_set(unique.columns, unique.without_overlaps) in enforced:
            ctx.verified("unique", key, stated, stated, where)
            continue
        otherwise = _unique_set(unique.columns, not unique.without_overlaps) in enforced
        ctx.drift(
            "unique",
            "unique_missing",
            key,
            stated,
            None,
            where,
            caused_by=ctx.cause(unique.columns),
            details={"temporal": not unique.without_overlaps} if otherwise else None,
        )
