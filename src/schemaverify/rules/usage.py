"""Code against the database: the references a scan found (model/usage.py), compared
with a catalog and, for `table_unused`, with the specs.

One function per finding kind.  A finding is keyed by the table, the kind and the file
(and the column or operation), never by the line: a baseline entry must survive an edit
that moves the call down the file, and the same mistake repeated in one file is one
mistake (its places are all listed in the details, the first is the location).

Names resolve as PostgREST and PostgreSQL resolve them: a client reference without
`.schema()` and an unqualified SQL name mean `default_schema` (`public`, the API's and the
search path's first schema).  A resource embedded in a select (`customer(name)`) is a
relation of that name, or a foreign key of the parent named by its constraint or column.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from schemaverify.model.findings import Finding, make
from schemaverify.model.schema import Catalog, Function, Table
from schemaverify.model.usage import COMMANDS, CodeReference
from schemaverify.model.vocabulary import NO_ROWS, NONE
from schemaverify.rules import accessmatrix
from schemaverify.rules.access import PUBLIC, AccessPatterns
from schemaverify.rules.messages import message

KINDS = (
    "code_table_missing",
    "code_column_missing",
    "code_access_denied",
    "code_reference_unresolved",
    "code_scan_incomplete",
    "table_unused",
)
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
"""PostgreSQL's own schemas: what code reads there (`pg_stat_activity`,
`information_schema.tables`) exists in every database and is not the application's."""
SYSTEM_COLUMNS = frozenset({"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"})
"""Columns every table has without listing them."""
VIEW_KINDS = ("view", "materialized view")
DENIED = (NONE, NO_ROWS)
"""Cells in which a command does nothing for the role: refused, or no row qualifies."""


@dataclass(frozen=True)
class UsageOptions:
    patterns: AccessPatterns
    default_schema: str = "public"
    documented: tuple[str, ...] = ()
    """Qualified names of the documented tables (`table_unused`); empty without specs."""


@dataclass(frozen=True)
class Resolved:
    """Where a reference lands in the catalog."""

    reference: CodeReference
    qualified: str
    """The relation or function it names (for an embedded resource: the relation the
    embedding reaches)."""
    table: Table | None = None
    function: Function | None = None


class _Lookup:
    """The catalog indexed once for the scan's thousands of references."""

    def __init__(self, catalog: Catalog, default_schema: str) -> None:
        self.catalog = catalog
        self.default_schema = default_schema
        self.tables = catalog.by_name()
        # A partition is its parent's rows: its columns are the parent's.
        for partition in catalog.partitions:
            parent = self.tables.get(partition.parent)
            if parent is not None:
                self.tables.setdefault(partition.qualified, parent)
        self.functions: dict[str, list[Function]] = {}
        for function in catalog.functions:
            self.functions.setdefault(function.qualified, []).append(function)
        self.read = frozenset(catalog.schemas)

    def schema_of(self, ref: CodeReference) -> str:
        return ref.schema or self.default_schema

    def on_row(self, name: str, table: Table) -> Function | None:
        """A function `name(table)` of one argument of the table's row type: PostgREST's
        computed field (a column-like name) or computed relationship (an embedded one)."""
        for function in self.functions.get(f"{table.schema}.{name}", ()):
            argument = function.arguments.strip()
            if not argument or "," in argument:
                continue
            type_name = argument.split()[-1].replace('"', "")
            if type_name in (table.name, table.qualified):
                return function
        return None

    def embedded_target(self, ref: CodeReference, parent: Table) -> Table | None:
        """The relation `ref` (embedded in a select on `parent`) reaches: a relation of
        that name in the parent's schema, or the target of a foreign key of the parent
        named by its constraint or its one column."""
        found = self.tables.get(f"{ref.schema or parent.schema}.{ref.name}")
        if found is not None:
            return found
        for fk in parent.foreign_keys:
            if fk.name == ref.name or fk.columns == (ref.name,):
                return self.tables.get(f"{fk.ref_schema}.{fk.ref_table}")
        return None

    def unknowable_embed(self, ref: CodeReference, parent: Table) -> bool:
        """An embedded name PostgREST may resolve in ways the catalog read does not show
        here: a computed relationship, or a foreign key a view inherits from its tables."""
        return parent.kind in VIEW_KINDS or self.on_row(ref.name or "", parent) is not None


def _places(refs: Sequence[CodeReference]) -> list[str]:
    return [r.place for r in refs]


def _group(
    items: Iterable[tuple[tuple[str, ...], CodeReference]],
) -> dict[tuple[str, ...], list[CodeReference]]:
    grouped: dict[tuple[str, ...], list[CodeReference]] = defaultdict(list)
    for key, ref in items:
        grouped[key].append(ref)
    return grouped


def resolve(
    refs: Sequence[CodeReference], lookup: _Lookup
) -> tuple[list[Resolved], list[CodeReference], list[CodeReference]]:
    """The references that land on a catalog object, those naming nothing the catalog
    holds (in a read schema), and those naming a schema the source did not read.  Buckets,
    unresolved names and PostgreSQL's own catalogs are none of these."""
    found: list[Resolved] = []
    missing: list[CodeReference] = []
    unread: list[CodeReference] = []
    parents: dict[int, Table | None] = {}
    index: dict[tuple[str, str], list[CodeReference]] = defaultdict(list)
    for ref in refs:
        if ref.name is not None and ref.target == "table":
            index[(ref.path, ref.name)].append(ref)
    for ref in refs:
        if ref.name is None or ref.target == "bucket":
            continue
        schema = lookup.schema_of(ref)
        if schema in SYSTEM_SCHEMAS:
            continue
        if ref.target == "function":
            qualified = f"{schema}.{ref.name}"
            functions = lookup.functions.get(qualified)
            if functions:
                found.append(Resolved(ref, qualified, function=functions[0]))
            elif schema in lookup.read:
                missing.append(ref)
            else:
                unread.append(ref)
            continue
        if ref.embedded_in is not None:
            parent = _parent(ref, index, lookup, parents)
            if parent is None:
                continue  # the parent is itself missing (reported) or unresolved
            table = lookup.embedded_target(ref, parent)
            if table is not None:
                found.append(Resolved(ref, table.qualified, table=table))
            elif not lookup.unknowable_embed(ref, parent):
                missing.append(ref)
            continue
        qualified = f"{schema}.{ref.name}"
        table = lookup.tables.get(qualified)
        if table is not None:
            found.append(Resolved(ref, qualified, table=table))
        elif ref.schema is None and ref.via == "sql" and ref.name.startswith("pg_"):
            continue  # pg_catalog comes first on every search path: pg_stat_activity, ...
        elif schema in lookup.read:
            missing.append(ref)
        else:
            unread.append(ref)
    return found, missing, unread


def _parent(
    ref: CodeReference,
    index: Mapping[tuple[str, str], list[CodeReference]],
    lookup: _Lookup,
    memo: dict[int, Table | None],
) -> Table | None:
    """The table an embedded reference is embedded in: the last reference named
    `embedded_in` at or before it in the same file (scanners list an embedded resource
    right after the select it is embedded in)."""
    if id(ref) in memo:
        return memo[id(ref)]
    memo[id(ref)] = None  # a cycle of hostile input ends here
    parent: Table | None = None
    before = [
        other
        for other in index.get((ref.path, ref.embedded_in or ""), ())
        if (other.line, other.column) <= (ref.line, ref.column) and other is not ref
    ]
    if before:
        other = before[-1]
        if other.embedded_in is None:
            parent = lookup.tables.get(f"{lookup.schema_of(other)}.{other.name}")
        else:
            grand = _parent(other, index, lookup, memo)
            parent = lookup.embedded_target(other, grand) if grand is not None else None
    else:
        parent = lookup.tables.get(f"{ref.schema or lookup.default_schema}.{ref.embedded_in}")
    memo[id(ref)] = parent
    return parent


def table_missing(missing: Sequence[CodeReference], lookup: _Lookup) -> list[Finding]:
    grouped = _group(
        (
            (
                f"{r.schema or lookup.default_schema}.{r.name}",
                r.path,
                r.target,
                r.embedded_in or "",
            ),
            r,
        )
        for r in missing
    )
    findings = []
    candidates = {
        "function": sorted({f.name for f in lookup.catalog.functions}),
        "table": sorted({t.name for t in lookup.catalog.tables}),
    }
    for (qualified, path, target, parent), refs in grouped.items():
        name = qualified.partition(".")[2]
        close = difflib.get_close_matches(name, candidates[target], n=1, cutoff=0.8)
        details = {
            "target": target,
            "operations": sorted({r.operation for r in refs}),
            "embedded_in": parent or None,
            "similar": close[0] if close else None,
            "places": _places(refs),
        }
        findings.append(
            make(
                qualified,
                "code_table_missing",
                None,
                message("code_table_missing", None, qualified, None, details),
                expected=qualified,
                location=refs[0].place,
                # A missing table, a missing function and an embed of that name in one
                # file are different mistakes: each its own baseline entry.
                key=f"{path} {target} {parent or '-'}",
                details=details,
            )
        )
    return findings


def column_missing(found: Sequence[Resolved], lookup: _Lookup) -> list[Finding]:
    grouped: dict[tuple[str, str, str], list[CodeReference]] = defaultdict(list)
    tables: dict[str, Table] = {}
    for item in found:
        table = item.table
        if table is None:
            continue
        tables[item.qualified] = table
        names = {c.name for c in table.columns} | SYSTEM_COLUMNS
        ref = item.reference
        for column in ref.columns:
            if column in names:
                continue
            if column == "count" and ref.via != "sql" and ref.embedded_in is None:
                continue  # PostgREST's legacy `select('count')`: the row count
            if lookup.on_row(column, table) is not None:
                continue  # a computed field: a function of the table's row
            grouped[(item.qualified, column, ref.path)].append(ref)
    findings = []
    for (qualified, column, path), refs in grouped.items():
        table = tables[qualified]
        close = difflib.get_close_matches(column, [c.name for c in table.columns], n=1)
        details = {
            "kind": table.kind,
            "operations": sorted({r.operation for r in refs}),
            "similar": close[0] if close else None,
            "places": _places(refs),
        }
        findings.append(
            make(
                qualified,
                "code_column_missing",
                column,
                message("code_column_missing", column, qualified, None, details),
                expected=column,
                location=refs[0].place,
                key=f"{column} in {path}",
                details=details,
            )
        )
    return findings


def access_denied(
    found: Sequence[Resolved], catalog: Catalog, patterns: AccessPatterns, lookup: _Lookup
) -> list[Finding]:
    """Operations the effective access matrix refuses to every role the client may run
    as: anon and authenticated for the public key (a signed-in user or not), the service
    role for the secret key.  Unknown clients are not judged."""
    facts = accessmatrix.role_facts(catalog.roles)
    relations = catalog.by_name()
    roles_of = {"public": patterns.client_roles, "service": patterns.service_roles}
    grouped: dict[tuple[str, str, str, str], list[CodeReference]] = defaultdict(list)
    why: dict[tuple[str, str, str, str], dict[str, str]] = {}
    memo: dict[tuple[str, str, str], accessmatrix.Cell] = {}
    for item in found:
        ref = item.reference
        roles = roles_of.get(ref.privilege)
        if not roles:
            continue
        if item.function is not None:
            # Overloads: the call is refused only when every one of them refuses it.
            overloads = lookup.functions.get(item.qualified, [item.function])
            refused = {
                role: "no EXECUTE privilege"
                for role in roles
                if not any(accessmatrix.holds(f.grants, role, "execute", facts) for f in overloads)
            }
            if len(refused) == len(roles):
                key = (item.qualified, ref.operation, ref.privilege, ref.path)
                grouped[key].append(ref)
                why[key] = refused
            continue
        table = item.table
        if table is None or ref.operation not in COMMANDS:
            continue
        for command in COMMANDS[ref.operation]:
            reasons: dict[str, str] = {}
            for role in roles:
                cell = memo.get((table.qualified, role, command))
                if cell is None:
                    cell = accessmatrix.cell(table, role, command, facts, patterns, relations)
                    memo[(table.qualified, role, command)] = cell
                if cell.level not in DENIED:
                    break
                reasons[role] = cell.reason or cell.level
            else:
                key = (item.qualified, ref.operation, ref.privilege, ref.path)
                grouped[key].append(ref)
                why.setdefault(key, {}).update({f"{r} {command}": v for r, v in reasons.items()})
                break
    findings = []
    for key, refs in grouped.items():
        qualified, operation, privilege, path = key
        details = {
            "privilege": privilege,
            "roles": list(roles_of[privilege]),
            "why": why[key],
            "places": _places(refs),
        }
        findings.append(
            make(
                qualified,
                "code_access_denied",
                operation,
                message("code_access_denied", operation, qualified, None, details),
                expected=operation,
                location=refs[0].place,
                key=f"{operation} {privilege} {path}",
                details=details,
            )
        )
    return findings


def _not_checked(groups: Mapping[tuple[str, ...], list[CodeReference]]) -> list[Finding]:
    """One `code_reference_unresolved` per (file, target kind, reason): what was not
    checked, and why, never guessed."""
    findings = []
    for (path, target, reason), group in groups.items():
        details = {
            "target": target,
            "reason": reason,
            "operations": sorted({r.operation for r in group}),
            "places": _places(group),
        }
        findings.append(
            make(
                "",
                "code_reference_unresolved",
                None,
                message("code_reference_unresolved", None, None, None, details),
                location=group[0].place,
                key=f"{path} {target} {reason}",
                details=details,
            )
        )
    return findings


def unresolved(refs: Sequence[CodeReference]) -> list[Finding]:
    """Names the scanner could not resolve (a parameter, an interpolation, bad SQL)."""
    return _not_checked(
        _group(((r.path, r.target, r.unresolved), r) for r in refs if r.unresolved is not None)
    )


def unread_schema(refs: Sequence[CodeReference], lookup: _Lookup) -> list[Finding]:
    """References into a schema the source did not read (a snapshot records only some)."""
    return _not_checked(
        _group(
            ((r.path, r.target, f"schema {lookup.schema_of(r)} was not read from the source"), r)
            for r in refs
        )
    )


def scan_incomplete(problems: Sequence[tuple[str, str]]) -> list[Finding]:
    """Files the scan skipped or read only in part: code hidden by its size or by hostile
    content must not pass unseen."""
    grouped: dict[str, list[str]] = {}
    for path, problem in problems:
        grouped.setdefault(path, []).append(problem)
    return [
        make(
            "",
            "code_scan_incomplete",
            None,
            message("code_scan_incomplete", None, None, None, {"problems": found}),
            location=path,
            key=path,
            details={"problems": found},
        )
        for path, found in grouped.items()
    ]


def table_unused(
    documented: Sequence[str], found: Sequence[Resolved], refs: Sequence[CodeReference]
) -> list[Finding]:
    used = {item.qualified for item in found}
    open_refs = sum(1 for r in refs if r.unresolved is not None and r.target == "table")
    details = {"unresolved": open_refs}
    return [
        make(
            qualified,
            "table_unused",
            None,
            message("table_unused", None, qualified, None, details),
            details=details,
        )
        for qualified in documented
        if qualified not in used
    ]


def compare_usage(
    refs: Sequence[CodeReference],
    catalog: Catalog,
    options: UsageOptions,
    problems: Sequence[tuple[str, str]] = (),
) -> tuple[list[Finding], list[Resolved]]:
    """Every usage finding, and the references resolved to catalog objects (the usage
    facts the reports show per table).  `problems` are the scan's (path, problem) pairs."""
    lookup = _Lookup(catalog, options.default_schema)
    found, missing, unread = resolve(refs, lookup)
    findings = [
        *table_missing(missing, lookup),
        *column_missing(found, lookup),
        *access_denied(found, catalog, options.patterns, lookup),
        *unresolved(refs),
        *unread_schema(unread, lookup),
        *scan_incomplete(problems),
        *table_unused(options.documented, found, refs),
    ]
    return findings, found


def by_table(found: Sequence[Resolved]) -> Mapping[str, list[CodeReference]]:
    """References per relation or function, in scan order."""
    grouped: dict[str, list[CodeReference]] = {}
    for item in found:
        grouped.setdefault(item.qualified, []).append(item.reference)
    return grouped


__all__ = ["KINDS", "PUBLIC", "Resolved", "UsageOptions", "by_table", "compare_usage"]
