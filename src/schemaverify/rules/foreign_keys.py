"""Documented foreign keys, matched by their columns: target and stated actions."""

from __future__ import annotations

from typing import Any

from schemaverify.model.schema import ForeignKey
from schemaverify.rules.context import TableContext

KINDS = ("fk_missing", "fk_mismatch")
SUBJECTS = ("foreign_key",)


def _target(fk: ForeignKey) -> str:
    return f"{fk.ref_qualified}({', '.join(fk.ref_columns)})"


def differences(spec: ForeignKey, live: ForeignKey) -> list[tuple[str, Any, Any]]:
    """(what, documented, live) for the target, each stated action, PERIOD and enforcement."""
    found: list[tuple[str, Any, Any]] = []
    if (spec.ref_qualified, spec.ref_columns) != (live.ref_qualified, live.ref_columns):
        found.append(("target", _target(spec), _target(live)))
    if spec.on_delete is not None and spec.on_delete != live.on_delete:
        found.append(("on_delete", spec.on_delete, live.on_delete))
    if spec.on_update is not None and spec.on_update != live.on_update:
        found.append(("on_update", spec.on_update, live.on_update))
    # A documented key is a promise the database keeps: one it does not enforce, or a
    # temporal (PERIOD) one where a plain one is documented, is another constraint.
    if spec.period != live.period:
        found.append(("period", spec.period, live.period))
    if spec.enforced != live.enforced:
        found.append(("enforced", spec.enforced, live.enforced))
    return found


def compare(ctx: TableContext) -> None:
    accounted: set[int] = set()
    for position, fk in enumerate(ctx.spec.table.foreign_keys):
        where = ctx.where(f"fk:{position}")
        key = ", ".join(fk.columns)
        candidates = [
            (i, c) for i, c in enumerate(ctx.live.foreign_keys) if c.columns == fk.columns
        ]
        equal = [i for i, c in candidates if not differences(fk, c)]
        if equal:
            chosen = next((i for i in equal if i not in accounted), equal[0])
            accounted.add(chosen)
            ctx.verified("foreign_key", key, fk, ctx.live.foreign_keys[chosen], where)
            continue
        if not candidates:
            ctx.drift(
                "foreign_key",
                "fk_missing",
                key,
                fk,
                None,
                where,
                caused_by=ctx.cause(fk.columns),
            )
            continue
        i, closest = min(candidates, key=lambda ic: len(differences(fk, ic[1])))
        accounted.add(i)
        ctx.drift(
            "foreign_key",
            "fk_mismatch",
            key,
            fk,
            closest,
            where,
            details={"differences": differences(fk, closest)},
        )
    if not ctx.strict:
        return
    for i, fk in enumerate(ctx.live.foreign_keys):
        if i in accounted:
            continue
        ctx.observe(
            "fk_mismatch",
            fk.name or ", ".join(fk.columns),
            None,
            fk,
            ctx.where("table"),
            caused_by=next(
                (ctx.undocumented[c] for c in fk.columns if c in ctx.undocumented), None
            ),
            obj=", ".join(fk.columns),
        )
