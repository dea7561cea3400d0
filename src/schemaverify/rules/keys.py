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
    found = Columns(actual.columns) if actual else None
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
    stated = Columns(expected.columns)
    key = ", ".join(expected.columns)
    where = ctx.where("primary_key")
    if actual is not None and actual.columns == expected.columns:
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


def unique_sets(live: Table) -> set[frozenset[str]]:
    """Column sets the live table enforces as unique (constraints, full unique indexes, pkey)."""
    sets = {frozenset(u.columns) for u in live.uniques}
    sets.update(
        frozenset(i.columns)
        for i in live.indexes
        if i.unique and i.predicate is None and not any(k.is_expression for k in i.keys)
    )
    if live.primary_key is not None:
        sets.add(frozenset(live.primary_key.columns))
    return sets


def compare_uniques(ctx: TableContext) -> None:
    enforced = unique_sets(ctx.live)
    for unique in ctx.spec.table.uniques:
        key = ", ".join(unique.columns)
        stated = Columns(unique.columns)
        line = f"unique:{','.join(unique.columns)}"
        where = ctx.where(line if line in ctx.spec.lines else f"column:{unique.columns[0]}")
        if frozenset(unique.columns) in enforced:
            ctx.verified("unique", key, stated, stated, where)
            continue
        ctx.drift(
            "unique",
            "unique_missing",
            key,
            stated,
            None,
            where,
            caused_by=ctx.cause(unique.columns),
        )
