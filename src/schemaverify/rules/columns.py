"""Columns: each documented column exists with its type, nullability and default;
live columns the spec does not list are observed (`column_undocumented`)."""

from __future__ import annotations

from schemaverify.model.schema import Column
from schemaverify.model.values import Generation, Nullability
from schemaverify.rules.context import TableContext

KINDS = (
    "column_missing",
    "column_undocumented",
    "column_type_mismatch",
    "column_nullability_mismatch",
    "column_default_mismatch",
    "column_identity_mismatch",
    "column_generated_mismatch",
)
SUBJECTS = (
    "column",
    "column.type",
    "column.nullable",
    "column.default",
    "column.identity",
    "column.generated",
)

# PostgreSQL records no nullability for the columns of views (attnotnull is always false):
# a view spec's `nullable` is documentation only.
_VIEW_KINDS = ("view", "materialized view")


def compare(ctx: TableContext) -> None:
    documented = {c.name for c in ctx.spec.table.columns}
    undocumented = [c for c in ctx.live.columns if c.name not in documented]
    live = {c.name: c for c in reversed(ctx.live.columns)}  # the first of a name, as column()
    for col in ctx.spec.table.columns:
        where = ctx.where(f"column:{col.name}")
        actual = live.get(col.name)
        if actual is None:
            renames = tuple(c.name for c in undocumented if col.type.accepts(c.type))
            finding = ctx.drift(
                "column",
                "column_missing",
                col.name,
                col.type,
                None,
                where,
                details={"renames": renames},
            )
            ctx.missing[col.name] = finding.fingerprint
            for subject in _stated(col, ctx.strict):
                ctx.unverifiable(subject, col.name, _value(col, subject), where, "column_missing")
            continue
        ctx.verified("column", col.name, col.type, actual.type, where)
        _type(ctx, col, actual, where)
        _nullability(ctx, col, actual, where)
        _default(ctx, col, actual, where)
        _identity(ctx, col, actual, where)
        _generated(ctx, col, actual, where)
    for col in undocumented:
        finding = ctx.observe("column_undocumented", col.name, None, col.type, ctx.where("table"))
        ctx.undocumented[col.name] = finding.fingerprint


def _stated(col: Column, strict: bool) -> list[str]:
    subjects = ["column.type"]
    if col.nullable is not None:
        subjects.append("column.nullable")
    if col.default is not None or strict:
        subjects.append("column.default")
    if col.identity is not None and not strict:
        subjects.append("column.identity")
    if (col.generated is not None or col.generated_kind is not None) and not strict:
        subjects.append("column.generated")
    return subjects


def _value(col: Column, subject: str) -> object:
    if subject == "column.type":
        return col.type
    if subject == "column.nullable":
        return Nullability(bool(col.nullable))
    if subject == "column.identity":
        return col.identity
    if subject == "column.generated":
        return Generation(col.generated, col.generated_kind)
    return fill(col)


def _type(ctx: TableContext, col: Column, actual: Column, where: str) -> None:
    # A spec type without modifier accepts any modifier; in strict mode (a spec made from
    # another catalog) the modifier is stated, so the types must be equal.
    same = col.type == actual.type if ctx.strict else col.type.accepts(actual.type)
    if same:
        ctx.verified("column.type", col.name, col.type, actual.type, where)
    else:
        ctx.drift("column.type", "column_type_mismatch", col.name, col.type, actual.type, where)


_NULLABILITY = {(n, v): Nullability(n, v) for n in (False, True) for v in (False, True)}
"""The four values, shared: two per documented column of a large check otherwise."""


def _nullability(ctx: TableContext, col: Column, actual: Column, where: str) -> None:
    if col.nullable is None:
        return
    stated = _NULLABILITY[col.nullable, col.not_null_validated]
    if ctx.live.kind in _VIEW_KINDS:
        ctx.unverifiable("column.nullable", col.name, stated, where, "not_recorded")
        return
    live = _NULLABILITY[bool(actual.nullable), actual.not_null_validated]
    if stated == live:
        ctx.verified("column.nullable", col.name, stated, live, where)
    else:
        ctx.drift("column.nullable", "column_nullability_mismatch", col.name, stated, live, where)


def fill(col: Column) -> str | None:
    """Everything that fills a column nobody writes: default, identity or generation (what
    strict mode compares; a spec states only `default` otherwise)."""
    if col.generated is not None:
        return str(Generation(col.generated, col.generated_kind))
    if col.identity is not None:
        return f"GENERATED {col.identity.upper()} AS IDENTITY"
    return col.default


def _default(ctx: TableContext, col: Column, actual: Column, where: str) -> None:
    if col.default is not None and col.default != actual.default:
        ctx.drift(
            "column.default",
            "column_default_mismatch",
            col.name,
            col.default,
            actual.default,
            where,
        )
    elif ctx.strict and fill(col) != fill(actual):
        ctx.drift(
            "column.default",
            "column_default_mismatch",
            col.name,
            fill(col),
            fill(actual),
            where,
        )
    elif col.default is not None or ctx.strict:
        ctx.verified("column.default", col.name, fill(col), fill(actual), where)


def _identity(ctx: TableContext, col: Column, actual: Column, where: str) -> None:
    # Strict mode compares identity as part of the column's fill (_default).
    if col.identity is None or ctx.strict:
        return
    if col.identity == actual.identity:
        ctx.verified("column.identity", col.name, col.identity, actual.identity, where)
        return
    ctx.drift(
        "column.identity",
        "column_identity_mismatch",
        col.name,
        col.identity,
        actual.identity,
        where,
    )


def _generated(ctx: TableContext, col: Column, actual: Column, where: str) -> None:
    """A stated generation: its expression and its kind (stored or virtual) where stated.

    Strict mode compares generation as part of the column's fill (_default)."""
    if (col.generated is None and col.generated_kind is None) or ctx.strict:
        return
    stated = Generation(col.generated, col.generated_kind)
    live = Generation(actual.generated, actual.generated_kind) if actual.generated else None
    same = live is not None and (
        (col.generated is None or col.generated == actual.generated)
        and (col.generated_kind is None or col.generated_kind == actual.generated_kind)
    )
    if same:
        ctx.verified("column.generated", col.name, stated, live, where)
    else:
        ctx.drift("column.generated", "column_generated_mismatch", col.name, stated, live, where)
