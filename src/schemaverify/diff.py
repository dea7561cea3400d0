"""The diff engine: compare spec tables with live tables, one function per object kind.

Both sides are canonical `model` objects, already normalized, so every
comparison here is on plain values.  Each compare function returns findings
for one object kind; `compare` stitches them together and links consequences
to their root cause (`caused_by`), e.g. an index on a column that is itself
missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import access
from .findings import Finding, make, sort_findings
from .model import Catalog, Column, ForeignKey, Index, Policy, Table
from .spec import SpecSet, TableSpec

_TABLE_KINDS = ("table", "partitioned table")
# PostgreSQL records no nullability for the columns of views (attnotnull is always false):
# a view spec's `nullable` is documentation only.
_VIEW_KINDS = ("view", "materialized view")


@dataclass(frozen=True)
class DiffOptions:
    patterns: access.AccessPatterns
    undocumented_schemas: tuple[str, ...] = ("public",)
    """Schemas whose live tables without a spec are reported as `table_undocumented`."""
    severity: Mapping[str, str] = field(default_factory=dict)
    """Per-kind severity overrides (from configuration)."""
    strict: bool = False
    """The specs state everything (they were made from another catalog, `schemaverify diff`):
    None means "none", not "not stated", and whatever the live side has beyond the specs is
    reported too, views included.  See compare_strict."""


def compare(specs: SpecSet, catalog: Catalog, options: DiffOptions) -> list[Finding]:
    live = catalog.by_name()
    findings: list[Finding] = []
    for spec in specs.specs:
        table = live.get(spec.qualified)
        if table is None:
            findings.append(_table_missing(spec, catalog))
            continue
        found = compare_table(spec, table, options.patterns)
        found.extend(compare_access_matrix(spec, table, catalog, options.patterns, found))
        if options.strict:
            found.extend(compare_strict(spec, table, found))
        findings.extend(found)
    documented = {s.qualified for s in specs.specs}
    findings.extend(
        _table_undocumented(t)
        for t in catalog.tables
        if t.qualified not in documented
        and t.schema in options.undocumented_schemas
        and (options.strict or t.kind in _TABLE_KINDS)
    )
    findings = _apply_ignores(findings, specs)
    if options.severity:
        findings = [
            f.with_severity(options.severity[f.kind]) if f.kind in options.severity else f
            for f in findings
        ]
    return sort_findings(findings)


def compare_table(spec: TableSpec, live: Table, patterns: access.AccessPatterns) -> list[Finding]:
    findings = compare_columns(spec, live)
    missing = {f.object: f.fingerprint for f in findings if f.kind == "column_missing"}
    for compare_kind in (compare_primary_key, compare_uniques, compare_indexes, compare_fks):
        findings.extend(compare_kind(spec, live, missing))
    findings.extend(compare_rls(spec, live, patterns))
    return findings


# --- tables ---------------------------------------------------------------


def _table_missing(spec: TableSpec, catalog: Catalog) -> Finding:
    message = f"table {spec.qualified} does not exist"
    same_name = [t.qualified for t in catalog.tables if t.name == spec.table.name]
    if same_name:
        # Capped: with hundreds of tenant schemas the full list would drown the message.
        shown = ", ".join(same_name[:3])
        if len(same_name) > 3:
            shown += f" and {len(same_name) - 3} more"
        message += f" (a table of that name exists as {shown})"
    return make(
        spec.qualified,
        "table_missing",
        None,
        message,
        expected=spec.qualified,
        actual=None,
        spec=spec.where("table"),
    )


def _table_undocumented(table: Table) -> Finding:
    return make(
        table.qualified,
        "table_undocumented",
        None,
        f"{table.kind} {table.qualified} ({len(table.columns)} columns) has no spec",
        expected=None,
        actual=table.qualified,
    )


# --- columns --------------------------------------------------------------


def compare_columns(spec: TableSpec, live: Table) -> list[Finding]:
    findings: list[Finding] = []
    documented = {c.name for c in spec.table.columns}
    undocumented = [c for c in live.columns if c.name not in documented]
    name = spec.qualified
    for col in spec.table.columns:
        where = spec.where(f"column:{col.name}")
        actual = live.column(col.name)
        if actual is None:
            findings.append(_column_missing(name, col, undocumented, where))
            continue
        if not col.type.accepts(actual.type):
            findings.append(
                make(
                    name,
                    "column_type_mismatch",
                    col.name,
                    f"column {col.name} is {actual.type}, documented as {col.type}",
                    expected=str(col.type),
                    actual=str(actual.type),
                    spec=where,
                )
            )
        if (
            col.nullable is not None
            and col.nullable != actual.nullable
            and live.kind not in _VIEW_KINDS
        ):
            findings.append(
                make(
                    name,
                    "column_nullability_mismatch",
                    col.name,
                    f"column {col.name} is {_nullness(actual.nullable)}, "
                    f"documented as {_nullness(col.nullable)}",
                    expected=_nullness(col.nullable),
                    actual=_nullness(actual.nullable),
                    spec=where,
                )
            )
        if col.default is not None and col.default != actual.default:
            findings.append(
                make(
                    name,
                    "column_default_mismatch",
                    col.name,
                    f"column {col.name} defaults to {actual.default or 'nothing'}, "
                    f"documented as {col.default}",
                    expected=col.default,
                    actual=actual.default,
                    spec=where,
                )
            )
    findings.extend(
        make(
            name,
            "column_undocumented",
            col.name,
            f"column {col.name} ({col.type}) exists but is not in the spec",
            expected=None,
            actual=str(col.type),
            spec=spec.where("table"),
        )
        for col in undocumented
    )
    return findings


def _column_missing(table: str, col: Column, undocumented: list[Column], where: str) -> Finding:
    message = f"column {col.name} ({col.type}) does not exist"
    renames = [c.name for c in undocumented if col.type.accepts(c.type)]
    if renames:
        message += f"; it may have been renamed to {' or '.join(renames)} (same type, undocumented)"
    return make(
        table, "column_missing", col.name, message, expected=str(col.type), actual=None, spec=where
    )


def _nullness(nullable: bool | None) -> str:
    return "NULL" if nullable else "NOT NULL"


# --- keys -----------------------------------------------------------------


def _cause(columns: Iterable[str], missing: Mapping[str | None, str]) -> str | None:
    for col in columns:
        if col in missing:
            return missing[col]
    return None


def compare_primary_key(
    spec: TableSpec, live: Table, missing: Mapping[str | None, str]
) -> list[Finding]:
    expected = spec.table.primary_key
    if expected is None:
        return []
    actual = live.primary_key
    if actual is not None and actual.columns == expected.columns:
        return []
    shown = f"({', '.join(actual.columns)})" if actual else "none"
    return [
        make(
            spec.qualified,
            "primary_key_mismatch",
            ", ".join(expected.columns),
            f"primary key is {shown}, documented as ({', '.join(expected.columns)})",
            expected=list(expected.columns),
            actual=list(actual.columns) if actual else None,
            spec=spec.where("primary_key"),
            caused_by=_cause(expected.columns, missing),
        )
    ]


def _unique_sets(live: Table) -> set[frozenset[str]]:
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


def compare_uniques(
    spec: TableSpec, live: Table, missing: Mapping[str | None, str]
) -> list[Finding]:
    enforced = _unique_sets(live)
    findings = []
    for unique in spec.table.uniques:
        if frozenset(unique.columns) in enforced:
            continue
        cols = ", ".join(unique.columns)
        findings.append(
            make(
                spec.qualified,
                "unique_missing",
                cols,
                f"({cols}) is documented as UNIQUE but no unique constraint or index enforces it",
                expected=list(unique.columns),
                actual=None,
                spec=spec.where(f"unique:{','.join(unique.columns)}")
                if f"unique:{','.join(unique.columns)}" in spec.lines
                else spec.where(f"column:{unique.columns[0]}"),
                caused_by=_cause(unique.columns, missing),
            )
        )
    return findings


# --- indexes --------------------------------------------------------------


def _describe_index(index: Index) -> str:
    keys = ", ".join(k.expression + (" DESC" if k.descending else "") for k in index.keys)
    text = f"{'unique ' if index.unique else ''}{index.method} ({keys})"
    if index.predicate:
        text += f" WHERE {index.predicate}"
    elif index.partial_any:
        text += " (partial)"
    return text


def _index_differences(spec: Index, live: Index, documented_unique: bool) -> list[str]:
    diffs = []
    if spec.unique and not live.unique:
        diffs.append("it is not unique")
    elif live.unique and not spec.unique and not documented_unique:
        diffs.append("it is unique")
    if spec.method != live.method:
        diffs.append(f"method is {live.method}, documented {spec.method}")
    spec_desc = [k.descending for k in spec.keys]
    live_desc = [k.descending for k in live.keys]
    if spec_desc != live_desc:
        diffs.append(
            "key order is "
            + ", ".join(f"{k.expression} {'DESC' if k.descending else 'ASC'}" for k in live.keys)
        )
    if spec.partial_any:
        if live.predicate is None:
            diffs.append("it is not partial")
    elif spec.predicate != live.predicate:
        if live.predicate is None:
            diffs.append("it is not partial")
        elif spec.predicate is None:
            diffs.append(f"it is partial (WHERE {live.predicate})")
        else:
            diffs.append(f"predicate is WHERE {live.predicate}, documented WHERE {spec.predicate}")
    return diffs


def compare_indexes(
    spec: TableSpec, live: Table, missing: Mapping[str | None, str]
) -> list[Finding]:
    findings: list[Finding] = []
    documented_unique = {frozenset(u.columns) for u in spec.table.uniques}
    if spec.table.primary_key is not None:
        documented_unique.add(frozenset(spec.table.primary_key.columns))
    for position, index in enumerate(spec.table.indexes):
        where = spec.where(f"index:{position}")
        if index.primary:
            if live.primary_key is None:
                findings.append(
                    make(
                        spec.qualified,
                        "index_missing",
                        "primary key",
                        "the documented primary key index does not exist (no primary key)",
                        expected="primary key",
                        actual=None,
                        spec=where,
                        caused_by=f"{spec.qualified}|primary_key_mismatch|"
                        + ", ".join(spec.table.primary_key.columns)
                        if spec.table.primary_key
                        else None,
                    )
                )
            continue
        label = _describe_index(index)
        candidates = [i for i in live.indexes if i.columns == index.columns]
        is_unique_doc = frozenset(index.columns) in documented_unique
        if any(not _index_differences(index, c, is_unique_doc) for c in candidates):
            continue
        cause = _cause(index.columns, missing)
        if not candidates:
            findings.append(
                make(
                    spec.qualified,
                    "index_missing",
                    label,
                    f"no index {label}",
                    expected=label,
                    actual=None,
                    spec=where,
                    caused_by=cause,
                )
            )
            continue
        closest = min(candidates, key=lambda c: len(_index_differences(index, c, is_unique_doc)))
        diffs = _index_differences(index, closest, is_unique_doc)
        findings.append(
            make(
                spec.qualified,
                "index_mismatch",
                label,
                f"index {closest.name or ''} on ({', '.join(index.columns)}) differs: "
                + "; ".join(diffs),
                expected=label,
                actual=_describe_index(closest),
                spec=where,
                caused_by=cause,
            )
        )
    return findings


# --- foreign keys ---------------------------------------------------------


def _describe_fk(fk: ForeignKey) -> str:
    text = f"({', '.join(fk.columns)}) -> {fk.ref_qualified}({', '.join(fk.ref_columns)})"
    if fk.on_delete:
        text += f" ON DELETE {fk.on_delete.upper()}"
    if fk.on_update:
        text += f" ON UPDATE {fk.on_update.upper()}"
    return text


def _fk_differences(spec: ForeignKey, live: ForeignKey) -> list[str]:
    diffs = []
    if (spec.ref_qualified, spec.ref_columns) != (live.ref_qualified, live.ref_columns):
        diffs.append(
            f"it references {live.ref_qualified}({', '.join(live.ref_columns)}), "
            f"documented {spec.ref_qualified}({', '.join(spec.ref_columns)})"
        )
    if spec.on_delete is not None and spec.on_delete != live.on_delete:
        diffs.append(f"ON DELETE is {_upper(live.on_delete)}, documented {spec.on_delete.upper()}")
    if spec.on_update is not None and spec.on_update != live.on_update:
        diffs.append(f"ON UPDATE is {_upper(live.on_update)}, documented {spec.on_update.upper()}")
    return diffs


def _upper(text: str | None) -> str:
    return (text or "").upper()


def compare_fks(spec: TableSpec, live: Table, missing: Mapping[str | None, str]) -> list[Finding]:
    findings = []
    for position, fk in enumerate(spec.table.foreign_keys):
        where = spec.where(f"fk:{position}")
        label = ", ".join(fk.columns)
        candidates = [c for c in live.foreign_keys if c.columns == fk.columns]
        if any(not _fk_differences(fk, c) for c in candidates):
            continue
        if not candidates:
            findings.append(
                make(
                    spec.qualified,
                    "fk_missing",
                    label,
                    f"no foreign key {_describe_fk(fk)}",
                    expected=_describe_fk(fk),
                    actual=None,
                    spec=where,
                    caused_by=_cause(fk.columns, missing),
                )
            )
            continue
        closest = min(candidates, key=lambda c: len(_fk_differences(fk, c)))
        findings.append(
            make(
                spec.qualified,
                "fk_mismatch",
                label,
                f"foreign key {closest.name or ''} on ({label}) differs: "
                + "; ".join(_fk_differences(fk, closest)),
                expected=_describe_fk(fk),
                actual=_describe_fk(closest),
                spec=where,
            )
        )
    return findings


# --- row-level security ---------------------------------------------------


def compare_rls(spec: TableSpec, live: Table, patterns: access.AccessPatterns) -> list[Finding]:
    expected = spec.table.rls
    if expected is None:
        return []
    name = spec.qualified
    actual_enabled = bool(live.rls and live.rls.enabled)
    policies: Sequence[Policy] = live.rls.policies if live.rls else ()
    findings: list[Finding] = []
    root: str | None = None
    if expected.enabled is not False and not actual_enabled:
        disabled = make(
            name,
            "rls_disabled",
            None,
            f"row-level security is off on {name}; documented as enabled",
            expected="enabled",
            actual="disabled",
            spec=spec.where("rls"),
        )
        findings.append(disabled)
        root = disabled.fingerprint
    if expected.forced is not None and live.rls is not None and expected.forced != live.rls.forced:
        findings.append(
            make(
                name,
                "rls_disabled",
                "force",
                f"FORCE ROW LEVEL SECURITY is {'on' if live.rls.forced else 'off'}, documented "
                f"{'on' if expected.forced else 'off'}",
                expected="forced" if expected.forced else "not forced",
                actual="forced" if live.rls.forced else "not forced",
                spec=spec.where("rls"),
            )
        )
    if expected.enabled is False:
        return findings
    granted = access.granted_kinds(actual_enabled, policies, patterns)
    for kind in expected.access:
        if kind in granted:
            continue
        findings.append(
            make(
                name,
                "rls_policy_missing",
                kind,
                f"no policy grants the documented '{kind}' access"
                + (
                    f" (policies present: {', '.join(p.name for p in policies)})"
                    if policies
                    else ""
                ),
                expected=kind,
                actual=sorted(granted),
                spec=spec.where("rls.access"),
                caused_by=root,
            )
        )
    if expected.access and actual_enabled:
        for policy, reason in access.violations(
            expected.access, actual_enabled, policies, patterns
        ):
            findings.append(
                make(
                    name,
                    "rls_access_violation",
                    policy.name,
                    f"policy {policy.name!r} {reason}",
                    expected=list(expected.access),
                    actual=_describe_policy(policy),
                    spec=spec.where("rls.access"),
                )
            )
    findings.extend(_compare_explicit_policies(spec, policies, root))
    return findings


def compare_access_matrix(
    spec: TableSpec,
    live: Table,
    catalog: Catalog,
    patterns: access.AccessPatterns,
    reported: Sequence[Finding] = (),
) -> list[Finding]:
    """Each cell `rls.access_matrix` states against the live access matrix (accessmatrix.py).

    One kind, `rls_matrix_mismatch`, whichever way a cell differs, because a cell is one
    fact (what a role may do) and "more" and "less" are not always comparable (owner rows
    against organization rows); the message says which way.  A mismatch found while RLS is
    off, already reported as `rls_disabled` among `reported`, is its consequence.
    """
    from . import accessmatrix

    expected = spec.table.rls
    if expected is None or not expected.access_matrix:
        return []
    facts = accessmatrix.role_facts(catalog.roles)
    root = next(
        (f.fingerprint for f in reported if f.kind == "rls_disabled" and f.object is None), None
    )
    ways = {"more": "more than", "less": "less than", "other": "other access than"}
    findings = []
    for stated in expected.access_matrix:
        found = accessmatrix.cell(live, stated.role, stated.command, facts, patterns)
        if accessmatrix.satisfies(stated.access, found):
            continue
        role = "PUBLIC" if stated.role == access.PUBLIC else stated.role
        why = found.reason
        if found.policies:
            why += f": {', '.join(found.policies)}"
        if not facts.exists(stated.role):
            why += f"; role {stated.role} does not exist"
        wanted = ", ".join(stated.access)
        findings.append(
            make(
                spec.qualified,
                "rls_matrix_mismatch",
                f"{role} {stated.command}",
                f"{role} {stated.command.upper()} is {found} ({why}), documented as {wanted}: "
                f"the database grants {ways[accessmatrix.direction(stated.access, found)]} "
                "documented",
                expected=wanted,
                actual=str(found),
                spec=spec.where(f"access_matrix:{stated.role}:{stated.command}"),
                caused_by=root if found.reason == "RLS off" else None,
            )
        )
    return findings


def _describe_policy(policy: Policy) -> str:
    text = (
        f"{'PERMISSIVE' if policy.permissive else 'RESTRICTIVE'} FOR {policy.command.upper()} "
        f"TO {', '.join(policy.roles)}"
    )
    if policy.using:
        text += f" USING ({policy.using})"
    if policy.with_check:
        text += f" WITH CHECK ({policy.with_check})"
    return text


def _compare_explicit_policies(
    spec: TableSpec, policies: Sequence[Policy], root: str | None
) -> list[Finding]:
    assert spec.table.rls is not None
    live = {p.name: p for p in policies}
    findings = []
    for wanted in spec.table.rls.policies:
        where = spec.where(f"policy:{wanted.name}")
        actual = live.get(wanted.name)
        if actual is None:
            findings.append(
                make(
                    spec.qualified,
                    "rls_policy_missing",
                    wanted.name,
                    f"documented policy {wanted.name!r} does not exist",
                    expected=_describe_policy(wanted),
                    actual=None,
                    spec=where,
                    caused_by=root,
                )
            )
            continue
        diffs = []
        if wanted.command != actual.command:
            diffs.append(f"command is {actual.command.upper()}")
        if sorted(wanted.roles) != sorted(actual.roles):
            diffs.append(f"roles are {', '.join(actual.roles)}")
        if wanted.permissive != actual.permissive:
            diffs.append("it is " + ("permissive" if actual.permissive else "restrictive"))
        if wanted.using is not None and wanted.using != actual.using:
            diffs.append(f"USING is ({actual.using})")
        if wanted.with_check is not None and wanted.with_check != actual.with_check:
            diffs.append(f"WITH CHECK is ({actual.with_check})")
        if diffs:
            findings.append(
                make(
                    spec.qualified,
                    "rls_policy_missing",
                    wanted.name,
                    f"policy {wanted.name!r} differs from the documented one: " + "; ".join(diffs),
                    expected=_describe_policy(wanted),
                    actual=_describe_policy(actual),
                    spec=where,
                )
            )
    return findings


# --- strict: the spec states everything -------------------------------------


def compare_strict(spec: TableSpec, live: Table, reported: Sequence[Finding]) -> list[Finding]:
    """What a complete spec (made from another catalog) disagrees on beyond `reported`.

    The checks above skip what a spec leaves unstated (no default, no primary key, a type
    without modifier, a policy without USING) and never look at live indexes, foreign keys
    or policies the spec does not list.  Here None is a value and every live object must be
    in the spec.  Findings keep the kinds above, with `expected` None for an object only the
    live side has; none repeats a fingerprint already reported.
    """
    undocumented = {f.object: f.fingerprint for f in reported if f.kind == "column_undocumented"}
    found = _strict_columns(spec, live)
    if spec.table.primary_key is None and live.primary_key is not None:
        columns = live.primary_key.columns
        found.append(
            make(
                spec.qualified,
                "primary_key_mismatch",
                ", ".join(columns),
                f"primary key is ({', '.join(columns)}), documented as none",
                expected=None,
                actual=list(columns),
                spec=spec.where("table"),
            )
        )
    found.extend(_extra_indexes(spec, live, undocumented))
    found.extend(_extra_fks(spec, live, undocumented))
    found.extend(_strict_rls(spec, live))
    taken = {f.fingerprint for f in reported}
    kept = []
    for f in found:
        if f.fingerprint not in taken:
            taken.add(f.fingerprint)
            kept.append(f)
    return kept


def _default_text(col: Column) -> str | None:
    """Everything that fills a column nobody writes: default, identity or generation."""
    if col.generated is not None:
        return f"GENERATED ALWAYS AS ({col.generated})"
    if col.identity is not None:
        return f"GENERATED {col.identity.upper()} AS IDENTITY"
    return col.default


def _strict_columns(spec: TableSpec, live: Table) -> list[Finding]:
    findings = []
    for col in spec.table.columns:
        actual = live.column(col.name)
        if actual is None:
            continue
        where = spec.where(f"column:{col.name}")
        if col.type != actual.type:
            findings.append(
                make(
                    spec.qualified,
                    "column_type_mismatch",
                    col.name,
                    f"column {col.name} is {actual.type}, documented as {col.type}",
                    expected=str(col.type),
                    actual=str(actual.type),
                    spec=where,
                )
            )
        expected, found = _default_text(col), _default_text(actual)
        if expected != found:
            findings.append(
                make(
                    spec.qualified,
                    "column_default_mismatch",
                    col.name,
                    f"column {col.name} defaults to {found or 'nothing'}, "
                    f"documented as {expected or 'nothing'}",
                    expected=expected,
                    actual=found,
                    spec=where,
                )
            )
    return findings


def _extra_indexes(
    spec: TableSpec, live: Table, undocumented: Mapping[str | None, str]
) -> list[Finding]:
    """Live indexes no spec index accounts for: neither equal to one nor the closest
    candidate compare_indexes already reported as differing.  Primary key indexes are left
    to the primary key comparison."""
    documented_unique = {frozenset(u.columns) for u in spec.table.uniques}
    if spec.table.primary_key is not None:
        documented_unique.add(frozenset(spec.table.primary_key.columns))
    accounted: set[int] = set()
    for index in spec.table.indexes:
        if index.primary:
            continue
        unique_doc = frozenset(index.columns) in documented_unique
        candidates = [(i, c) for i, c in enumerate(live.indexes) if c.columns == index.columns]
        equal = [i for i, c in candidates if not _index_differences(index, c, unique_doc)]
        if equal:
            accounted.add(next((i for i in equal if i not in accounted), equal[0]))
        elif candidates:
            closest = min(
                candidates, key=lambda ic: len(_index_differences(index, ic[1], unique_doc))
            )
            accounted.add(closest[0])
    return [
        make(
            spec.qualified,
            "index_mismatch",
            _describe_index(index),
            f"index {index.name or ''} {_describe_index(index)} exists but is not in the spec",
            expected=None,
            actual=_describe_index(index),
            spec=spec.where("table"),
            caused_by=_cause(index.columns, undocumented),
        )
        for i, index in enumerate(live.indexes)
        if i not in accounted and not index.primary
    ]


def _extra_fks(
    spec: TableSpec, live: Table, undocumented: Mapping[str | None, str]
) -> list[Finding]:
    """Live foreign keys no spec foreign key accounts for (as for indexes)."""
    accounted: set[int] = set()
    for fk in spec.table.foreign_keys:
        candidates = [(i, c) for i, c in enumerate(live.foreign_keys) if c.columns == fk.columns]
        equal = [i for i, c in candidates if not _fk_differences(fk, c)]
        if equal:
            accounted.add(next((i for i in equal if i not in accounted), equal[0]))
        elif candidates:
            accounted.add(min(candidates, key=lambda ic: len(_fk_differences(fk, ic[1])))[0])
    return [
        make(
            spec.qualified,
            "fk_mismatch",
            ", ".join(fk.columns),
            f"foreign key {fk.name or ''} {_describe_fk(fk)} exists but is not in the spec",
            expected=None,
            actual=_describe_fk(fk),
            spec=spec.where("table"),
            caused_by=_cause(fk.columns, undocumented),
        )
        for i, fk in enumerate(live.foreign_keys)
        if i not in accounted
    ]


def _strict_rls(spec: TableSpec, live: Table) -> list[Finding]:
    """RLS on where the spec says off, and policies compared field by field, both ways
    (also on a table whose RLS is off, where compare_rls does not look at policies)."""
    expected = spec.table.rls
    if expected is None:
        return []
    name = spec.qualified
    findings = []
    if expected.enabled is False and live.rls is not None and live.rls.enabled:
        findings.append(
            make(
                name,
                "rls_disabled",
                None,
                f"row-level security is on on {name}; documented as off",
                expected="disabled",
                actual="enabled",
                spec=spec.where("rls"),
            )
        )
    stated = {p.name: p for p in expected.policies}
    policies = {p.name: p for p in (live.rls.policies if live.rls else ())}
    for policy in policies.values():
        wanted = stated.get(policy.name)
        if wanted is None:
            findings.append(
                make(
                    name,
                    "rls_policy_missing",
                    policy.name,
                    f"policy {policy.name!r} exists but is not in the spec",
                    expected=None,
                    actual=_describe_policy(policy),
                    spec=spec.where("rls"),
                )
            )
        elif _sorted_roles(wanted) != _sorted_roles(policy):
            findings.append(
                make(
                    name,
                    "rls_policy_missing",
                    policy.name,
                    f"policy {policy.name!r} differs from the documented one",
                    expected=_describe_policy(wanted),
                    actual=_describe_policy(policy),
                    spec=spec.where(f"policy:{policy.name}"),
                )
            )
    findings.extend(
        make(
            name,
            "rls_policy_missing",
            wanted.name,
            f"documented policy {wanted.name!r} does not exist",
            expected=_describe_policy(wanted),
            actual=None,
            spec=spec.where(f"policy:{wanted.name}"),
        )
        for wanted in expected.policies
        if wanted.name not in policies
    )
    return findings


def _sorted_roles(policy: Policy) -> Policy:
    return replace(policy, roles=tuple(sorted(policy.roles)))


# --- ignores --------------------------------------------------------------


def _apply_ignores(findings: list[Finding], specs: SpecSet) -> list[Finding]:
    rules = {s.qualified: s.ignore for s in specs.specs if s.ignore}
    if not rules:
        return findings
    kept = []
    for f in findings:
        if any(
            r.kind == f.kind and (r.object is None or r.object == f.object)
            for r in rules.get(f.table, ())
        ):
            continue
        kept.append(f)
    return kept
