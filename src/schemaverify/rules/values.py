"""A column's documented `values` against what the database enforces.

The document lists a status column's values (`pending, sent, cancelled`); the database
enforces them, or not, in one of two ways: the column's type is an enum (its labels), or a
CHECK constraint on the column alone accepts exactly a list of literals, in any spelling
PostgreSQL stores: `status IN (...)`, `status = ANY (ARRAY[...])` with or without casts,
ORs of equalities, with an optional `status IS NULL` branch.  Several such checks all hold,
so the column allows what every one allows.  A check PostgreSQL does not enforce on every
row (PostgreSQL 18's NOT ENFORCED, or NOT VALID) enforces nothing; a check of another shape
(`length(status) < 10`) is not a list of values and is left alone.

Check expressions are parsed here, only for documented columns (nothing else reads them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlglot import exp

from schemaverify.model import normalize, shapes
from schemaverify.model.schema import CheckConstraint, Column, Table, UserType
from schemaverify.model.values import AllowedValues
from schemaverify.rules.context import TableContext

KINDS = ("values_mismatch", "values_unenforced")
SUBJECTS = ("column.values",)


def literal_set(tree: exp.Expr, column: str) -> frozenset[str] | None:
    """The literals `tree` limits `column` to, or None when it is no such list."""
    if isinstance(tree, exp.Or):
        left = literal_set(tree.this, column)
        right = literal_set(tree.expression, column)
        return None if left is None or right is None else left | right
    if isinstance(tree, exp.Is) and _is_column(tree.this, column):
        return frozenset() if isinstance(tree.expression, exp.Null) else None
    if isinstance(tree, exp.In) and _is_column(tree.this, column) and not tree.args.get("query"):
        found = [_literal(e) for e in tree.expressions]
        return None if any(v is None for v in found) else frozenset(str(v) for v in found)
    if isinstance(tree, exp.EQ):
        for side, other in ((tree.this, tree.expression), (tree.expression, tree.this)):
            if not _is_column(side, column):
                continue
            if isinstance(other, exp.Any):  # `= ANY ('{a,b}'::text[])`: an array literal
                inner = other.this
                if isinstance(inner, exp.Literal) and inner.is_string:
                    return array_literal(str(inner.this))
                return None
            value = _literal(other)
            return None if value is None else frozenset({value})
    return None


_ARRAY_ITEM = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^",{}]*?))\s*(?:,|$)')


def array_literal(text: str) -> frozenset[str] | None:
    """The elements of a one-dimensional array literal (`{a,"b c"}`), or None for anything
    else (nested arrays, NULL elements)."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    body = body[1:-1]
    if not body.strip():
        return frozenset()
    items: list[str] = []
    pos = 0
    while pos <= len(body):
        match = _ARRAY_ITEM.match(body, pos)
        if match is None or match.end() == pos:
            return None
        quoted, bare = match.groups()
        if quoted is not None:
            items.append(re.sub(r"\\(.)", r"\1", quoted))
        elif bare is None or not bare or bare.upper() == "NULL":
            return None
        else:
            items.append(bare)
        pos = match.end()
        if pos >= len(body):
            break
    return frozenset(items)


def _is_column(node: exp.Expr, column: str) -> bool:
    return isinstance(node, exp.Column) and not node.table and node.name == column


def _literal(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Literal):
        return str(node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}"
    return None


def enums_by_name(types: Sequence[UserType]) -> dict[str, tuple[UserType, ...]]:
    """Enum types by name, once per comparison (a name may exist in several schemas)."""
    found: dict[str, list[UserType]] = {}
    for t in types:
        if t.kind == "enum":
            found.setdefault(t.name, []).append(t)
    return {name: tuple(group) for name, group in found.items()}


def _enum(
    table: Table, column: Column, enums: Mapping[str, tuple[UserType, ...]]
) -> UserType | None:
    """The enum type of `column`: of the table's schema first, else the one of that name."""
    named = enums.get(column.type.name, ())
    for t in named:
        if t.schema == table.schema:
            return t
    return named[0] if len(named) == 1 else None


def compare(ctx: TableContext) -> None:
    documented = {n: d.values for n, d in ctx.spec.columns_doc.items() if d.values}
    if not documented:
        return
    for name, values in documented.items():
        column = ctx.live.column(name)
        if column is None:  # column_missing says it
            where = ctx.where(f"column:{name}")
            ctx.unverifiable("column.values", name, AllowedValues(values), where, "column_missing")
            continue
        _compare_column(ctx, column, values)


def _compare_column(ctx: TableContext, column: Column, values: tuple[str, ...]) -> None:
    where = ctx.where(f"column:{column.name}")
    expected = AllowedValues(values)
    allowed: frozenset[str] | None = None
    order: tuple[str, ...] = ()
    enforcers: list[str] = []
    ignored: list[str] = []
    enum = _enum(ctx.live, column, ctx.enums)
    if enum is not None and enum.labels:
        allowed, order = frozenset(enum.labels), enum.labels
        enforcers.append(f"enum {enum.qualified}")
    for check in ctx.live.checks:
        found = _check_values(check, column.name)
        if found is None:
            continue
        if not (check.enforced and check.validated):
            ignored.append(
                f"{check.name} ({'NOT ENFORCED' if not check.enforced else 'NOT VALID'})"
            )
            continue
        allowed = found if allowed is None else allowed & found
        order = order or tuple(sorted(found))
        enforcers.append(f"CHECK {check.name}")
    details = {"column": column.name, "enforced_by": tuple(enforcers), "ignored": tuple(ignored)}
    if allowed is None:
        ctx.drift(
            "column.values",
            "values_unenforced",
            column.name,
            expected,
            None,
            where,
            details=details,
        )
        return
    actual = AllowedValues(tuple(v for v in order if v in allowed) or tuple(sorted(allowed)))
    if frozenset(values) == allowed:
        ctx.verified("column.values", column.name, expected, actual, where)
        return
    details["undocumented"] = tuple(v for v in actual.values if v not in values)
    details["rejected"] = tuple(v for v in values if v not in allowed)
    ctx.drift(
        "column.values", "values_mismatch", column.name, expected, actual, where, details=details
    )


def _check_values(check: CheckConstraint, column: str) -> frozenset[str] | None:
    if check.columns != (column,):
        return None
    return check_values(check.expression, column)


def check_values(sql: str, column: str) -> frozenset[str] | None:
    """The values a CHECK's text limits `column` to (literal_set), None for another shape.

    Each table lists its own values, so almost every text differs, but only in the
    literals: the values are read off the text's shape (shapes.py) once per shape and
    the literals put back, a shape trusted after its first text read directly agreed.
    """
    shape = shapes.shape_of(sql)
    if shape is None or not shape.placeholders:
        return _direct_values(sql, column)
    key = (shape.template, column)
    seen = _SHAPES.get(key)
    if seen is None:
        direct = _direct_values(sql, column)
        found = _direct_values(shape.template, column)
        agrees = (direct is None) if found is None else _filled(found, shape) == direct
        if len(_SHAPES) >= 65536:
            _SHAPES.clear()
        _SHAPES[key] = (agrees, found)
        return direct
    trusted, found = seen
    if not trusted:
        return _direct_values(sql, column)
    return None if found is None else _filled(found, shape)


_SHAPES: dict[tuple[str, str], tuple[bool, frozenset[str] | None]] = {}
"""Per shape and column: whether its first text agreed, and the values read off it
(placeholders in them; None when the shape is no list of values)."""


def _filled(found: frozenset[str], shape: shapes.Shape) -> frozenset[str]:
    return frozenset(
        f"-{shape.value(value[1:])}" if value.startswith("-") else shape.value(value)
        for value in found
    )


def _direct_values(sql: str, column: str) -> frozenset[str] | None:
    try:
        tree = normalize.parse_expression(sql)
    except ValueError:
        return None
    return literal_set(tree, column)
