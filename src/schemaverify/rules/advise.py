"""Security and performance advice: what a reviewer of a Supabase database would flag.

`check` proves documentation true; a database can match its documentation and still
leave a table open to anyone holding the public anon key.  The checks here need no spec:
they read the canonical `model.Catalog` (grants, RLS, policies, roles, views, functions,
indexes) and report findings in the same format, with kinds of their own (see
findings.KINDS, whose help text gives each rationale), so reports, baselines, severity
overrides and the CI gate work unchanged.

One function per advice kind, each `(catalog, options) -> findings`, listed in CHECKS.
No SQL here: what a check needs that the model lacked was added to the model and read by
the catalog reader.  Where the right answer depends on the API's reach, "exposed" schemas
(the ones PostgREST serves; `public` by default, as on Supabase) limit the check; the
client roles (anon, authenticated) and service roles come from the access vocabulary
(access_patterns.yaml), so a project with other role names extends data, not code.

Decisions, also in the README:

- RLS off is flagged only when a client role (or PUBLIC) holds a table privilege: without
  one the API gets "permission denied", nothing leaks.
- anon writes are flagged only when the condition is literally `true` (or absent where
  PostgreSQL falls back to USING) and anon holds the privilege and no restrictive policy
  narrows it; a condition that does not mention the caller may be an intended public form.
- Security definer views are flagged whatever their owner: without their dependencies
  the owner's exemption cannot be ruled out, and the usual owner (the tables' owner, a
  superuser or BYPASSRLS role) is exempt from RLS.
- `search_path` is required of SECURITY DEFINER functions only, in every schema read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from schemaverify.model import normalize
from schemaverify.model.findings import Finding, make, sort_findings
from schemaverify.model.schema import Catalog, ForeignKey, Grant, Index, Policy, Table
from schemaverify.rules.access import PUBLIC, AccessPatterns, excludes_anonymous
from schemaverify.rules.accessmatrix import (
    COMMANDS,
    ROWS,
    UNCONDITIONAL,
    RoleFacts,
    applies,
    cell,
    holds,
    is_true,
    path_expression,
    role_facts,
)

if TYPE_CHECKING:
    pass

DEFAULT_EXPOSED = ("public",)
"""Schemas the API serves by default (Supabase's `db-schemas`, `public`)."""
ANON = "anon"
"""The role of requests carrying only the public anon key."""
WRITES = ("insert", "update", "delete")
TABLE_KINDS = ("table", "partitioned table")
"""Relations with row-level security of their own."""
PER_ROW_AUTH = ("uid", "jwt", "role", "email")
"""`auth.<name>()` functions whose result is the same for every row of a query."""
TRIGGER_RESULTS = ("trigger", "event_trigger")
"""Functions returning these cannot be called through the API."""


@dataclass(frozen=True)
class AdviceOptions:
    patterns: AccessPatterns
    exposed_schemas: tuple[str, ...] = DEFAULT_EXPOSED
    no_anonymous_writes: frozenset[str] = frozenset()
    """Qualified tables whose spec says `rls.anonymous_writes: false` (`advise --specs`)."""


Check = Callable[[Catalog, AdviceOptions], list[Finding]]


def advise(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """Every finding of every check, sorted like check's findings."""
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(catalog, options))
    return sort_findings(findings)


# --- shared helpers -------------------------------------------------------------------


def _clients(facts: RoleFacts, patterns: AccessPatterns) -> list[str]:
    """The client roles that exist, then PUBLIC: whoever the API may act as."""
    return [r for r in patterns.client_roles if facts.exists(r)] + [PUBLIC]


def _shown(role: str) -> str:
    return "PUBLIC" if role == PUBLIC else role


def _holders(
    grants: Sequence[Grant],
    wanted: Sequence[str],
    facts: RoleFacts,
    patterns: AccessPatterns,
) -> dict[str, list[str]]:
    """Client role (or PUBLIC) -> the privileges of `wanted` it holds, for those holding any."""
    found: dict[str, list[str]] = {}
    for role in _clients(facts, patterns):
        held = [p for p in wanted if holds(grants, role, p, facts)]
        if held:
            found[role] = held
    return found


def _describe_holders(holders: dict[str, list[str]]) -> str:
    return ", ".join(
        f"{_shown(role)} ({', '.join(p.upper() for p in held)})" for role, held in holders.items()
    )


def _rls_on(table: Table) -> bool:
    return bool(table.rls and table.rls.enabled)


def _policies(table: Table) -> tuple[Policy, ...]:
    return table.rls.policies if table.rls else ()


# --- the checks, one per advice kind --------------------------------------------------


def check_rls_disabled_in_exposed_schema(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """RLS off on an exposed table that a client role holds a privilege on."""
    facts = role_facts(catalog.roles)
    findings = []
    for table in catalog.tables:
        if table.kind not in TABLE_KINDS or table.schema not in options.exposed_schemas:
            continue
        if _rls_on(table):
            continue
        holders = _holders(table.grants, COMMANDS, facts, options.patterns)
        if not holders:
            continue
        findings.append(
            make(
                table.qualified,
                "rls_disabled_in_exposed_schema",
                None,
                f"row-level security is off on {table.qualified} in exposed schema "
                f"{table.schema}, and {_describe_holders(holders)} hold privileges on it: "
                "the API serves every row to them",
                expected="RLS enabled",
                actual={_shown(r): held for r, held in holders.items()},
            )
        )
    return findings


def check_policy_anon_write(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """A permissive policy whose condition for a write is `true`, applying to anon."""
    facts = role_facts(catalog.roles)
    if not facts.exists(ANON):
        return []
    patterns = options.patterns
    findings = []
    for table in catalog.tables:
        if table.kind not in TABLE_KINDS or not _rls_on(table):
            continue
        culprits: defaultdict[str, list[str]] = defaultdict(list)
        for command in WRITES:
            found = cell(table, ANON, command, facts, patterns)
            if found.level != ROWS or found.scopes != (UNCONDITIONAL,) or found.restricted_by:
                continue
            for policy in _policies(table):
                if (
                    policy.permissive
                    and is_true(path_expression(policy, command))
                    and applies(policy, ANON, facts, patterns)
                ):
                    culprits[policy.name].append(command)
        for name, commands in culprits.items():
            shown = ", ".join(c.upper() for c in commands)
            findings.append(
                make(
                    table.qualified,
                    "policy_anon_write",
                    name,
                    f"policy {name!r} lets anon {shown} any row of {table.qualified}: its "
                    "condition is true and anon holds the privilege",
                    expected="a condition restricting anon's writes",
                    actual=[c.upper() for c in commands],
                )
            )
    return findings


SIGNED_IN = "authenticated"
"""The role Supabase gives every signed-in user, anonymous sign-ins included."""


def _keeps_anonymous_out(policy: Policy, command: str, patterns: AccessPatterns) -> bool:
    """Whether the policy's conditions for `command` require a non-anonymous caller.

    For UPDATE either condition suffices: USING keeps them from the rows, WITH CHECK from
    writing any; for INSERT only what decides the new row (WITH CHECK, else USING) counts.
    """
    if command == "insert":
        sqls = [policy.with_check if policy.with_check is not None else policy.using]
    elif command == "update":
        sqls = [policy.using, policy.with_check]
    else:
        sqls = [policy.using]
    return any(excludes_anonymous(sql, patterns) for sql in sqls)


def check_policy_anonymous_write(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """A write policy for signed-in users that lets anonymous sign-ins write too, on a table
    whose spec forbids it (`rls.anonymous_writes: false`)."""
    if not options.no_anonymous_writes:
        return []
    facts = role_facts(catalog.roles)
    if not facts.exists(SIGNED_IN):
        return []
    patterns = options.patterns
    findings = []
    for table in catalog.tables:
        if table.qualified not in options.no_anonymous_writes or not _rls_on(table):
            continue
        culprits: defaultdict[str, list[str]] = defaultdict(list)
        for command in WRITES:
            if not holds(table.grants, SIGNED_IN, command, facts):
                continue
            relevant = [
                p
                for p in _policies(table)
                if p.command in ("all", command) and applies(p, SIGNED_IN, facts, patterns)
            ]
            if any(
                not p.permissive and _keeps_anonymous_out(p, command, patterns) for p in relevant
            ):
                continue  # a restrictive policy (Supabase's advice) guards every write
            for policy in relevant:
                if (
                    policy.permissive
                    and (policy.using is not None or policy.with_check is not None)
                    and not _keeps_anonymous_out(policy, command, patterns)
                ):
                    culprits[policy.name].append(command)
        for name, commands in culprits.items():
            shown = ", ".join(c.upper() for c in commands)
            findings.append(
                make(
                    table.qualified,
                    "policy_anonymous_write",
                    name,
                    f"policy {name!r} lets users who signed in anonymously {shown} rows of "
                    f"{table.qualified}, which its spec forbids (rls.anonymous_writes: false): "
                    "they hold the authenticated role, and the policy never tests the "
                    "is_anonymous claim",
                    expected="writes only by users who did not sign in anonymously",
                    actual=[c.upper() for c in commands],
                )
            )
    return findings


def check_rls_enabled_no_policy(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """RLS on, no policy at all, on an exposed table: no client sees a row."""
    return [
        make(
            table.qualified,
            "rls_enabled_no_policy",
            None,
            f"row-level security is on on {table.qualified} but it has no policy: no client "
            "role sees or changes a row, only the service role and other BYPASSRLS roles do",
            expected="a policy",
            actual=None,
        )
        for table in catalog.tables
        if table.kind in TABLE_KINDS
        and table.schema in options.exposed_schemas
        and _rls_on(table)
        and not _policies(table)
    ]


def check_policy_role_without_privilege(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """A policy for a role that holds no privilege its command needs on the table: it never
    takes effect (the role gets `42501 permission denied` before any policy is evaluated)."""
    facts = role_facts(catalog.roles)
    findings = []
    for table in catalog.tables:
        if table.kind not in TABLE_KINDS or not _rls_on(table):
            continue
        for policy in _policies(table):
            needed = COMMANDS if policy.command == "all" else (policy.command,)
            lacking = [
                role
                for role in policy.roles
                if role != PUBLIC
                and facts.exists(role)
                and not facts.superuser(role)
                and not any(holds(table.grants, role, p, facts) for p in needed)
            ]
            if not lacking:
                continue
            what = " or ".join(p.upper() for p in needed)
            who = ", ".join(lacking)
            findings.append(
                make(
                    table.qualified,
                    "policy_role_without_privilege",
                    policy.name,
                    f"policy '{policy.name}' on {table.qualified} is for {who}, which "
                    f"{'holds' if len(lacking) == 1 else 'hold'} no {what} privilege on the "
                    f"table: the policy never applies and the client gets 42501 permission "
                    f"denied (GRANT {needed[0].upper()} ON {table.qualified} TO {who}, or drop "
                    "the policy)",
                    expected={role: list(needed) for role in lacking},
                    actual={role: [] for role in lacking},
                    details={"roles": tuple(lacking), "command": policy.command},
                )
            )
    return findings


def _declared_for(policy: Policy, role: str, facts: RoleFacts) -> bool:
    """Whether PostgreSQL evaluates `policy` for `role`: its TO clause, not its condition
    (a `TO public` policy testing `auth.role()` still runs, and costs, for everyone)."""
    roles = set(policy.roles) or {PUBLIC}
    if role == PUBLIC:
        return PUBLIC in roles
    return PUBLIC in roles or bool(roles & facts.ancestors(role))


def check_multiple_permissive_policies(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """Two or more permissive policies PostgreSQL evaluates for one role and command."""
    facts = role_facts(catalog.roles)
    findings = []
    for table in catalog.tables:
        if not _rls_on(table):
            continue
        permissive = [
            p
            for p in _policies(table)
            if p.permissive and (p.using is not None or p.with_check is not None)
        ]
        if len(permissive) < 2:
            continue
        named = {r for p in permissive for r in p.roles} - {PUBLIC}
        candidates = [r for r in options.patterns.client_roles if facts.exists(r)]
        candidates += sorted(named - set(candidates))
        # Policies never run for roles exempt from RLS.
        roles = [r for r in candidates if not facts.bypassrls(r)] or [PUBLIC]
        for role in roles:
            for command in COMMANDS:
                names = [
                    p.name
                    for p in permissive
                    if p.command in ("all", command) and _declared_for(p, role, facts)
                ]
                if len(names) < 2:
                    continue
                findings.append(
                    make(
                        table.qualified,
                        "multiple_permissive_policies",
                        f"{_shown(role)} {command}",
                        f"{len(names)} permissive policies apply to {_shown(role)} for "
                        f"{command.upper()} on {table.qualified} ({', '.join(names)}): "
                        "PostgreSQL evaluates each for every row; merge them into one",
                        expected="one permissive policy",
                        actual=names,
                    )
                )
    return findings


def per_row_calls(sql: str | None) -> list[str]:
    """The `auth.uid()`-like calls of an expression that run per row: not the whole of a
    scalar subquery `(select auth.uid())`, which PostgreSQL runs once as an initplan."""
    if sql is None:
        return []
    try:
        tree = normalize.parse_expression(sql)
    except ValueError:
        return []
    calls: list[str] = []
    for node in tree.walk():
        if not isinstance(node, exp.Anonymous):
            continue
        name = node.name.lower()
        parent = node.parent
        call: exp.Expr = node
        if (
            name in PER_ROW_AUTH
            and isinstance(parent, exp.Dot)
            and parent.expression is node
            and isinstance(parent.this, exp.Identifier)
            and parent.this.name.lower() == "auth"
        ):
            shown = f"auth.{name}()"
            call = parent
        elif name == "current_setting":
            shown = "current_setting()"
        else:
            continue
        if not _in_initplan(call) and shown not in calls:
            calls.append(shown)
    return calls


def _in_initplan(node: exp.Expr) -> bool:
    """Whether the nearest enclosing SELECT is a bare `SELECT <expr>` (no FROM, WHERE, ...)."""
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        parent = parent.parent
    if parent is None:
        return False
    return not any(value for key, value in parent.args.items() if key != "expressions")


def check_auth_rls_initplan(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """Policies calling auth.uid() and the like once per row instead of once per query."""
    findings = []
    for table in catalog.tables:
        for policy in _policies(table):
            parts = []
            calls: list[str] = []
            for clause, sql in (("USING", policy.using), ("WITH CHECK", policy.with_check)):
                found = per_row_calls(sql)
                if found:
                    parts.append(f"{', '.join(found)} in {clause}")
                    calls += [c for c in found if c not in calls]
            if not parts:
                continue
            example = calls[0]
            findings.append(
                make(
                    table.qualified,
                    "auth_rls_initplan",
                    policy.name,
                    f"policy {policy.name!r} calls {'; '.join(parts)} for every row; write "
                    f"(select {example}) so PostgreSQL evaluates it once per query",
                    expected=f"(select {example})",
                    actual=calls,
                )
            )
    return findings


def _owner_note(owner: str | None, facts: RoleFacts) -> str:
    if owner is None:
        return ""
    if facts.superuser(owner):
        return f" {owner} (a superuser)"
    if facts.bypassrls(owner):
        return f" {owner} (BYPASSRLS)"
    return f" {owner}"


def check_security_definer_view(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """Views of exposed schemas that clients may read, running with their owner's rights."""
    facts = role_facts(catalog.roles)
    findings = []
    for table in catalog.tables:
        if table.kind != "view" or table.schema not in options.exposed_schemas:
            continue
        if table.security_invoker:
            continue
        readers = _holders(table.grants, ("select",), facts, options.patterns)
        if not readers:
            continue
        fix = (
            "set WITH (security_invoker = true)"
            if not catalog.server_version or catalog.server_version >= 150000
            else "security_invoker needs PostgreSQL 15; revoke SELECT from the client roles"
        )
        findings.append(
            make(
                table.qualified,
                "security_definer_view",
                None,
                f"view {table.qualified} reads its tables with the rights of its owner"
                f"{_owner_note(table.owner, facts)}, and "
                f"{', '.join(_shown(r) for r in readers)} may read it: row-level security "
                f"does not apply to them through it; {fix}",
                expected="security_invoker = true",
                actual=f"security definer (owner {table.owner})",
            )
        )
    return findings


def check_security_definer_function(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """SECURITY DEFINER functions of exposed schemas that client roles may call."""
    facts = role_facts(catalog.roles)
    findings = []
    for function in catalog.functions:
        if not function.security_definer or function.schema not in options.exposed_schemas:
            continue
        if function.returns in TRIGGER_RESULTS:
            continue
        callers = _holders(function.grants, ("execute",), facts, options.patterns)
        if not callers:
            continue
        findings.append(
            make(
                function.qualified,
                "security_definer_function",
                function.signature,
                f"function {function.schema}.{function.signature} is SECURITY DEFINER, "
                f"callable by {', '.join(_shown(r) for r in callers)} through the API, and "
                f"runs with the rights of its owner{_owner_note(function.owner, facts)}",
                expected="SECURITY INVOKER, an unexposed schema, or no EXECUTE for clients",
                actual="SECURITY DEFINER",
            )
        )
    return findings


def check_function_search_path_mutable(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """SECURITY DEFINER functions without their own search_path."""
    return [
        make(
            function.qualified,
            "function_search_path_mutable",
            function.signature,
            f"SECURITY DEFINER function {function.schema}.{function.signature} has no "
            "search_path setting: it resolves names through the caller's search_path with "
            "its owner's rights; add SET search_path = ''",
            expected="SET search_path",
            actual=None,
        )
        for function in catalog.functions
        if function.security_definer and function.search_path is None
    ]


def _supports(index: Index, fk: ForeignKey) -> bool:
    """Whether `index` finds the rows referencing a key: a full (not partial) btree index
    whose leading plain columns are the foreign key's, in any order (or a hash index on
    its single column)."""
    count = len(fk.columns)
    if index.predicate is not None or index.partial_any or len(index.keys) < count:
        return False
    if index.method != "btree" and not (index.method == "hash" and count == 1):
        return False
    leading = index.keys[:count]
    if any(key.is_expression for key in leading):
        return False
    return {key.expression for key in leading} == set(fk.columns)


def check_fk_without_index(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """Foreign keys whose columns lead no index."""
    findings = []
    for table in catalog.tables:
        if table.kind not in TABLE_KINDS:
            continue
        for fk in table.foreign_keys:
            if any(_supports(index, fk) for index in table.indexes):
                continue
            columns = ", ".join(fk.columns)
            findings.append(
                make(
                    table.qualified,
                    "fk_without_index",
                    columns,
                    f"foreign key {fk.name or ''} ({columns}) -> {fk.ref_qualified} has no "
                    f"index on ({columns}): deleting or updating a referenced row scans "
                    f"{table.qualified}",
                    expected=f"an index on ({columns})",
                    actual=None,
                )
            )
    return findings


def _describe_index(index: Index) -> str:
    keys = ", ".join(k.expression + (" DESC" if k.descending else "") for k in index.keys)
    text = f"{'UNIQUE ' if index.unique else ''}{index.method} ({keys})"
    if index.include:
        text += f" INCLUDE ({', '.join(index.include)})"
    if index.predicate:
        text += f" WHERE {index.predicate}"
    return text


def check_duplicate_index(catalog: Catalog, options: AdviceOptions) -> list[Finding]:
    """Indexes of one table with identical definitions."""
    findings = []
    for table in catalog.tables:
        groups: defaultdict[tuple[object, ...], list[Index]] = defaultdict(list)
        for index in table.indexes:
            key = (index.keys, index.method, index.unique, index.predicate, index.include)
            groups[key].append(index)
        for same in groups.values():
            if len(same) < 2:
                continue
            names = sorted(i.name or "" for i in same)
            keep = next((i for i in same if i.constraint), None)
            note = f"; keep {keep.name} (it backs constraint {keep.constraint})" if keep else ""
            findings.append(
                make(
                    table.qualified,
                    "duplicate_index",
                    ", ".join(names),
                    f"indexes {', '.join(names)} on {table.qualified} are identical "
                    f"({_describe_index(same[0])}): every write maintains each; drop all but "
                    f"one{note}",
                    expected="one index",
                    actual=names,
                )
            )
    return findings


CHECKS: tuple[Check, ...] = (
    check_rls_disabled_in_exposed_schema,
    check_policy_anon_write,
    check_policy_anonymous_write,
    check_rls_enabled_no_policy,
    check_policy_role_without_privilege,
    check_multiple_permissive_policies,
    check_auth_rls_initplan,
    check_security_definer_view,
    check_security_definer_function,
    check_function_search_path_mutable,
    check_fk_without_index,
    check_duplicate_index,
)
"""One check per advice kind, in the order of findings.KINDS."""

ADVICE_KINDS = tuple(check.__name__.removeprefix("check_") for check in CHECKS)
"""The finding kinds only `advise` reports (`check` never does)."""
