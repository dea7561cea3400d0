"""One spec and its live table -> the operations that make the spec state the table.

Drift is read from the comparison's facts (a contradicted statement names its documented
and live value), so adopt changes exactly what `check` reports and agrees with it on what
"differs" means (a type without modifier accepts any modifier, indexes match by
structure).  What no fact covers, because the spec does not state it, is read from the
live table: undocumented columns, indexes and foreign keys, a primary key or row-level
security the spec does not mention.  Access kinds come from the policy classifier of
rules/access.py, the one `check` uses, and are written only when every policy then falls
within them (otherwise `check` would still report the policies, and the spec is left for
a person).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from schemaverify.model import edits as op
from schemaverify.model.facts import DRIFT, Fact
from schemaverify.model.schema import ForeignKey, Index, Policy, Table
from schemaverify.model.spec import TableSpec
from schemaverify.model.values import AllowedValues, Columns, Generation
from schemaverify.rules import access
from schemaverify.rules import foreign_keys as fk_rules
from schemaverify.rules import indexes as index_rules

_LEFT_SUBJECTS = {
    "access_matrix": "access-matrix cells are the documentation's claims about effective "
    "access; adopt does not rewrite them",
    "check": "CHECK constraints are compared in strict mode only",
    "table.comment": "the purpose is the document's prose; `comments-sql` writes it to the "
    "database instead",
    "column.comment": "a column's note is the document's prose; `comments-sql` writes it to "
    "the database instead",
    "column.nullable": "NOT NULL ... NOT VALID has no spelling in a spec",
}
"""Drift adopt leaves, by subject, and why (told as `left:`).  A nullability is left only
when no operation was planned for it (the NOT VALID case)."""


def plan(
    spec: TableSpec,
    live: Table,
    facts: Sequence[Fact],
    patterns: access.AccessPatterns,
    kinds: Collection[str] = op.ADOPT_KINDS,
) -> op.SpecPlan:
    """The operations for `spec`, for the selected `kinds` (edits.ADOPT_KINDS)."""
    drift = [f for f in facts if f.status == DRIFT]
    ops: list[op.Operation] = []
    left: list[op.Left] = []
    removed: set[str] = set()
    if "columns" in kinds:
        ops.extend(_columns(spec, live, drift, removed))
    # The columns the spec will document: an added index, key or foreign key may name only
    # those (with `--only indexes`, an undocumented column's index waits for the column).
    known = {c.name for c in spec.table.columns} - removed
    if "columns" in kinds:
        known |= {c.name for c in live.columns}
    if "values" in kinds:
        ops.extend(_values(drift, removed))
    if "keys" in kinds:
        ops.extend(_keys(spec, live, drift, removed, known))
    if "indexes" in kinds:
        pk_stated = spec.table.primary_key is not None or any(
            isinstance(o, op.SetPrimaryKey) and o.columns for o in ops
        )
        ops.extend(_indexes(spec, live, drift, removed, known, pk_stated))
    if "foreign_keys" in kinds:
        ops.extend(_foreign_keys(spec, live, drift, removed, known))
    if "rls" in kinds:
        rls_ops, rls_left = _rls(spec, live, drift, patterns)
        ops.extend(rls_ops)
        left.extend(rls_left)
    if "api" in kinds:
        ops.extend(op.SetApi(str(f.actual)) for f in drift if f.subject == "table.api" and f.actual)
    nullable = {o.column for o in ops if isinstance(o, op.SetNullable | op.RemoveColumn)}
    for fact in drift:
        reason = _LEFT_SUBJECTS.get(fact.subject)
        if fact.subject == "column.nullable" and (fact.key in nullable or "columns" not in kinds):
            reason = None
        if reason is not None:
            left.append(op.Left(spec.qualified, fact.subject, fact.key, reason))
    return op.SpecPlan(spec.path, spec.qualified, tuple(ops), tuple(left))


# -- columns -------------------------------------------------------------------------------


def _columns(
    spec: TableSpec, live: Table, drift: Sequence[Fact], removed: set[str]
) -> list[op.Operation]:
    out: list[op.Operation] = []
    for fact in drift:
        name = fact.key or ""
        actual = live.column(name)
        if fact.subject == "column" and actual is None:
            removed.add(name)
            out.append(op.RemoveColumn(name))
        elif actual is None:
            continue
        elif fact.subject == "column.type":
            out.append(op.SetColumnType(name, actual.type))
        elif fact.subject == "column.nullable" and actual.not_null_validated:
            # A NOT NULL ... NOT VALID column has no spelling in the spec format.
            out.append(op.SetNullable(name, bool(actual.nullable)))
        elif fact.subject == "column.default":
            out.append(op.SetDefault(name, actual.default))
        elif fact.subject == "column.identity":
            out.append(op.SetIdentity(name, actual.identity))
        elif fact.subject == "column.generated":
            generation = fact.actual if isinstance(fact.actual, Generation) else None
            out.append(
                op.SetGenerated(
                    name,
                    generation.expression if generation else None,
                    generation.kind if generation else None,
                )
            )
    documented = {c.name for c in spec.table.columns}
    out.extend(op.AddColumn(c) for c in live.columns if c.name not in documented)
    return out


def _values(drift: Sequence[Fact], removed: set[str]) -> list[op.Operation]:
    # `values_unenforced` (nothing enforces the list) is the document's intent, not drift
    # of a value: it stays, and `check` keeps it as info.
    return [
        op.SetValues(f.key, _in_documented_order(f.expected, f.actual))
        for f in drift
        if f.subject == "column.values"
        and f.key
        and f.key not in removed
        and isinstance(f.actual, AllowedValues)
    ]


def _in_documented_order(documented: object, actual: AllowedValues) -> tuple[str, ...]:
    """The allowed values, those the spec lists first and in its order (a person chose it)."""
    stated = documented.values if isinstance(documented, AllowedValues) else ()
    kept = tuple(v for v in stated if v in actual.values)
    return kept + tuple(v for v in actual.values if v not in kept)


# -- keys ----------------------------------------------------------------------------------


def _keys(
    spec: TableSpec, live: Table, drift: Sequence[Fact], removed: set[str], known: set[str]
) -> list[op.Operation]:
    out: list[op.Operation] = []
    pk = live.primary_key
    stated = spec.table.primary_key
    contradicted = any(f.subject == "primary_key" for f in drift)
    if pk is None and contradicted:
        out.append(op.SetPrimaryKey(()))
    elif pk is not None and (contradicted or stated is None) and set(pk.columns) <= known:
        out.append(op.SetPrimaryKey(pk.columns, pk.without_overlaps))
    out.extend(
        op.RemoveUnique(f.expected.names)
        for f in drift
        if f.subject == "unique"
        and isinstance(f.expected, Columns)
        and not set(f.expected.names) & removed
    )
    return out


def _names_known(index: Index, known: set[str]) -> bool:
    plain = {k.expression for k in index.keys if not k.is_expression}
    return plain <= known and set(index.include) <= known


# -- indexes -------------------------------------------------------------------------------


def _indexes(
    spec: TableSpec,
    live: Table,
    drift: Sequence[Fact],
    removed: set[str],
    known: set[str],
    pk_stated: bool,
) -> list[op.Operation]:
    out: list[op.Operation] = []
    positions = {spec.where(f"index:{n}"): n for n in range(len(spec.table.indexes))}
    for fact in drift:
        if fact.subject != "index" or fact.spec not in positions:
            continue
        position = positions[fact.spec]
        index = spec.table.indexes[position]
        if set(index.columns) & removed or set(index.include) & removed:
            continue  # goes with the column
        if index.primary:
            if live.primary_key is None:
                out.append(op.RemoveIndex(position))
        elif isinstance(fact.actual, Index):
            out.append(op.ReplaceIndex(position, fact.actual))
        else:
            out.append(op.RemoveIndex(position))
    accounted = _accounted_indexes(spec, live)
    has_pk_entry = any(i.primary for i in spec.table.indexes)
    if live.primary_key is not None and pk_stated and not has_pk_entry and spec.table.indexes:
        out.append(op.AddIndex(Index(keys=(), primary=True)))
    out.extend(
        op.AddIndex(index)
        for i, index in enumerate(live.indexes)
        if i not in accounted and not index.primary and _names_known(index, known)
    )
    return out


def _accounted_indexes(spec: TableSpec, live: Table) -> set[int]:
    """The live indexes a documented index stands for, matched as rules/indexes.py does:
    an equal one, else the closest on the same columns (which ReplaceIndex then makes
    equal)."""
    documented_unique = {frozenset(u.columns) for u in spec.table.uniques}
    if spec.table.primary_key is not None:
        documented_unique.add(frozenset(spec.table.primary_key.columns))
    accounted: set[int] = set()
    for index in spec.table.indexes:
        if index.primary:
            continue
        unique_doc = frozenset(index.columns) in documented_unique
        candidates = [(i, c) for i, c in enumerate(live.indexes) if c.columns == index.columns]
        equal = [i for i, c in candidates if not index_rules.differences(index, c, unique_doc)]
        if equal:
            accounted.add(next((i for i in equal if i not in accounted), equal[0]))
        elif candidates:
            i, _ = min(
                candidates,
                key=lambda ic: len(index_rules.differences(index, ic[1], unique_doc)),
            )
            accounted.add(i)
    return accounted


# -- foreign keys --------------------------------------------------------------------------


def _foreign_keys(
    spec: TableSpec, live: Table, drift: Sequence[Fact], removed: set[str], known: set[str]
) -> list[op.Operation]:
    out: list[op.Operation] = []
    for fact in drift:
        if fact.subject != "foreign_key" or not isinstance(fact.expected, ForeignKey):
            continue
        documented = fact.expected
        if set(documented.columns) & removed:
            continue
        if isinstance(fact.actual, ForeignKey):
            out.append(op.ReplaceForeignKey(documented.columns, fact.actual))
        else:
            out.append(op.RemoveForeignKey(documented.columns))
    accounted: set[int] = set()
    for documented in spec.table.foreign_keys:
        candidates = [
            (i, c) for i, c in enumerate(live.foreign_keys) if c.columns == documented.columns
        ]
        if not candidates:
            continue
        equal = [i for i, c in candidates if not fk_rules.differences(documented, c)]
        if equal:
            accounted.add(next((i for i in equal if i not in accounted), equal[0]))
        else:
            i, _ = min(candidates, key=lambda ic: len(fk_rules.differences(documented, ic[1])))
            accounted.add(i)
    out.extend(op.AddForeignKey(fk) for i, fk in enumerate(live.foreign_keys) if i not in accounted)
    return out


# -- row-level security --------------------------------------------------------------------


def _rls(
    spec: TableSpec, live: Table, drift: Sequence[Fact], patterns: access.AccessPatterns
) -> tuple[list[op.Operation], list[op.Left]]:
    out: list[op.Operation] = []
    left: list[op.Left] = []
    stated = spec.table.rls
    live_rls = live.rls
    enabled = bool(live_rls and live_rls.enabled)
    policies = live_rls.policies if live_rls else ()
    if stated is None or stated.enabled is False:
        if not enabled:
            return out, left
        out.append(op.SetRlsEnabled(True))
        documented: tuple[str, ...] = ()
    else:
        if not enabled:
            out.append(op.SetRlsEnabled(False))
            if stated.access:
                # Nothing is granted with RLS off: the documented kinds would contradict it.
                out.append(op.SetAccessKinds(()))
            return out, left
        documented = stated.access
    if (
        stated is not None
        and stated.forced is not None
        and live_rls is not None
        and stated.forced != bool(live_rls.forced)
    ):
        out.append(op.SetRlsForced(bool(live_rls.forced)))
    # Kinds a person documented stay as long as `check` accepts them (a policy granting
    # `owner` besides the documented `organization` is within it): adopt rewrites the list
    # when check contradicts it, or when the spec states none.
    contradicted = any(f.subject in ("rls.access", "rls.policy_within_access") for f in drift)
    kinds: tuple[str, ...] | None = documented
    problems: list[tuple[str, str]] = []
    if not documented or contradicted:
        kinds, problems = access_kinds(documented, policies, patterns)
    if kinds is None:
        left.extend(
            op.Left(spec.qualified, "rls.access", name, reason) for name, reason in problems
        )
    elif set(kinds) != set(documented):
        out.append(op.SetAccessKinds(kinds))
    live_policies = {p.name: p for p in policies}
    for fact in drift:
        if fact.subject != "rls.policy" or fact.key is None:
            continue
        actual = live_policies.get(fact.key)
        out.append(op.ReplacePolicy(fact.key, actual) if actual else op.RemovePolicy(fact.key))
    return out, left


def access_kinds(
    documented: Sequence[str], policies: Sequence[Policy], patterns: access.AccessPatterns
) -> tuple[tuple[str, ...] | None, list[tuple[str, str]]]:
    """The access kinds the live policies grant (RLS on), ordered as documented first, or
    None with (policy, reason) for each policy no set of kinds accounts for."""
    granted = access.granted_kinds(True, policies, patterns)
    kinds = (*[k for k in documented if k in granted], *sorted(granted - set(documented)))
    outside = access.violations(kinds, True, policies, patterns)
    if outside:
        return None, [(o.policy.name, o.reason) for o in outside]
    return kinds, []
