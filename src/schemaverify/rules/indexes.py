"""Documented indexes, matched by structure (key columns), never by name.

A documented index is verified by a live index with the same key columns and no
difference in uniqueness, method, key order or predicate; otherwise the closest live
index on those columns is reported as `index_mismatch` with the differences as data, or
`index_missing` when there is none.  In strict mode every live index no documented one
accounts for is reported too.
"""

from __future__ import annotations

from typing import Any

from schemaverify.model.schema import Index, Table
from schemaverify.model.values import index_key, key_text
from schemaverify.rules.context import TableContext

KINDS = ("index_missing", "index_mismatch")
SUBJECTS = ("index",)

Difference = tuple[str, Any, Any]
"""(what, documented, live): `not_unique`, `unique`, `method`, `nulls_not_distinct`, `order`,
`not_partial`, `partial`, `predicate`."""


def differences(spec: Index, live: Index, documented_unique: bool) -> list[Difference]:
    found: list[Difference] = []
    if spec.unique and not live.unique:
        found.append(("not_unique", True, False))
    elif live.unique and not spec.unique and not documented_unique:
        found.append(("unique", False, True))
    if spec.method != live.method:
        found.append(("method", spec.method, live.method))
    if spec.unique and live.unique and spec.nulls_not_distinct != live.nulls_not_distinct:
        found.append(("nulls_not_distinct", spec.nulls_not_distinct, live.nulls_not_distinct))
    if [k.descending for k in spec.keys] != [k.descending for k in live.keys]:
        order = ", ".join(f"{k.expression} {'DESC' if k.descending else 'ASC'}" for k in live.keys)
        found.append(("order", ", ".join(key_text(k) for k in spec.keys), order))
    if spec.partial_any:
        if live.predicate is None:
            found.append(("not_partial", True, None))
    elif spec.predicate != live.predicate:
        if live.predicate is None:
            found.append(("not_partial", spec.predicate, None))
        elif spec.predicate is None:
            found.append(("partial", None, live.predicate))
        else:
            found.append(("predicate", spec.predicate, live.predicate))
    return found


def _documented_unique(ctx: TableContext) -> set[frozenset[str]]:
    sets = {frozenset(u.columns) for u in ctx.spec.table.uniques}
    if ctx.spec.table.primary_key is not None:
        sets.add(frozenset(ctx.spec.table.primary_key.columns))
    return sets


def compare(ctx: TableContext) -> None:
    documented_unique = _documented_unique(ctx)
    accounted: set[int] = set()
    keys: set[str] = set()
    live = [(i, c, c.columns) for i, c in enumerate(ctx.live.indexes)]
    for position, index in enumerate(ctx.spec.table.indexes):
        where = ctx.where(f"index:{position}")
        if index.primary:
            _primary(ctx, where)
            continue
        key = _unique_key(index_key(index), keys)
        columns = index.columns
        unique_doc = frozenset(columns) in documented_unique
        candidates = [(i, c) for i, c, live_columns in live if live_columns == columns]
        equal = [i for i, c in candidates if not differences(index, c, unique_doc)]
        if equal:
            chosen = next((i for i in equal if i not in accounted), equal[0])
            accounted.add(chosen)
            ctx.verified("index", key, index, ctx.live.indexes[chosen], where)
            continue
        cause = ctx.cause(index.columns)
        label = _label(index)
        if not candidates:
            ctx.drift("index", "index_missing", key, index, None, where, caused_by=cause, obj=label)
            continue
        i, closest = min(candidates, key=lambda ic: len(differences(index, ic[1], unique_doc)))
        accounted.add(i)
        ctx.drift(
            "index",
            "index_mismatch",
            key,
            index,
            closest,
            where,
            caused_by=cause,
            obj=label,
            details={"differences": differences(index, closest, unique_doc)},
        )
    if ctx.strict:
        _undocumented(ctx, ctx.live, accounted)


def _label(index: Index) -> str:
    """The object column of reports: the index as documented, in one line."""
    from schemaverify.model.values import index_text

    return index_text(index)


def _unique_key(key: str, taken: set[str]) -> str:
    """Two documented indexes on the same keys (a plain and a partial one) keep apart."""
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}#{n}", n + 1
    taken.add(candidate)
    return candidate


def _primary(ctx: TableContext, where: str) -> None:
    """`primary_key: true` in the index list: the primary key's own index."""
    pk = ctx.spec.table.primary_key
    if ctx.live.primary_key is not None:
        ctx.verified("index", "primary key", "primary key", "primary key", where)
        return
    cause = f"{ctx.table}|primary_key_mismatch|{', '.join(pk.columns)}" if pk else None
    ctx.drift(
        "index",
        "index_missing",
        "primary key",
        "primary key",
        None,
        where,
        caused_by=cause,
        details={"primary": True},
    )


def _undocumented(ctx: TableContext, live: Table, accounted: set[int]) -> None:
    for i, index in enumerate(live.indexes):
        if i in accounted or index.primary:
            continue
        ctx.observe(
            "index_mismatch",
            index.name or index_key(index),
            None,
            index,
            ctx.where("table"),
            caused_by=next(
                (ctx.undocumented[c] for c in index.columns if c in ctx.undocumented), None
            ),
            obj=_label(index),
        )
