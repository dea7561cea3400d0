"""CHECK constraints between two environments (`schemaverify diff`).

A spec written by hand does not state CHECK constraints (a column's `values` is how a
document says what a check enforces, rules/values.py); a spec made from another catalog
(strict mode) states them all.  They match by name, as PostgreSQL names them per table;
a matched pair differs in its expression (compared normalized, so the two servers'
spellings meet), in NOT ENFORCED (PostgreSQL 18) or in NOT VALID.  A check only the live
side has is reported too, as `check_mismatch` with nothing expected.
"""

from __future__ import annotations

from schemaverify.model import normalize
from schemaverify.model.schema import CheckConstraint
from schemaverify.rules.context import TableContext

KINDS = ("check_missing", "check_mismatch")
SUBJECTS = ("check",)


def _expression(check: CheckConstraint) -> str:
    try:
        return normalize.expression(check.expression)
    except ValueError:  # a hostile or unparsable text compares as written
        return check.expression


def differences(expected: CheckConstraint, actual: CheckConstraint) -> tuple[str, ...]:
    found = []
    if _expression(expected) != _expression(actual):
        found.append("expression")
    if expected.enforced != actual.enforced:
        found.append("enforced")
    if expected.validated != actual.validated:
        found.append("validated")
    return tuple(found)


def compare(ctx: TableContext) -> None:
    if not ctx.strict:
        return
    live = {c.name: c for c in ctx.live.checks}
    where = ctx.where("table")
    for check in ctx.spec.table.checks:
        found = live.pop(check.name, None)
        if found is None:
            ctx.drift("check", "check_missing", check.name, check, None, where)
            continue
        changed = differences(check, found)
        if changed:
            ctx.drift(
                "check",
                "check_mismatch",
                check.name,
                check,
                found,
                where,
                details={"differences": changed},
            )
        else:
            ctx.verified("check", check.name, check, found, where)
    for name, check in live.items():
        ctx.observe("check_mismatch", name, None, check, where, details={"differences": ()})
