"""Each cell `rls.access_matrix` states, against the live access matrix (accessmatrix.py).

One kind, `rls_matrix_mismatch`, whichever way a cell differs, because a cell is one fact
(what a role may do) and "more" and "less" are not always comparable (owner rows against
organization rows); the message says which way.  A mismatch found while RLS is off,
already reported as `rls_disabled`, is its consequence.
"""

from __future__ import annotations

from schemaverify.model.values import CellAccess
from schemaverify.rules import access, accessmatrix
from schemaverify.rules.context import TableContext

KINDS = ("rls_matrix_mismatch",)
SUBJECTS = ("access_matrix",)


def compare(ctx: TableContext) -> None:
    expected = ctx.spec.table.rls
    if expected is None or not expected.access_matrix:
        return
    facts = accessmatrix.role_facts(ctx.catalog.roles)
    root = next(
        (f.fingerprint for f in ctx.findings if f.kind == "rls_disabled" and f.object is None),
        None,
    )
    for stated in expected.access_matrix:
        role = "PUBLIC" if stated.role == access.PUBLIC else stated.role
        key = f"{role} {stated.command}"
        where = ctx.where(f"access_matrix:{stated.role}:{stated.command}")
        found = accessmatrix.cell(
            ctx.live, stated.role, stated.command, facts, ctx.options.patterns, ctx.tables
        )
        wanted = CellAccess(tuple(stated.access))
        if accessmatrix.satisfies(stated.access, found):
            ctx.verified("access_matrix", key, wanted, found, where)
            continue
        why = found.reason
        if found.policies:
            why += f": {', '.join(found.policies)}"
        if not facts.exists(stated.role):
            why += f"; role {stated.role} does not exist"
        ctx.drift(
            "access_matrix",
            "rls_matrix_mismatch",
            key,
            wanted,
            found,
            where,
            caused_by=root if found.reason == "RLS off" else None,
            details={
                "role": role,
                "command": stated.command,
                "why": why,
                "direction": accessmatrix.direction(stated.access, found),
            },
        )
