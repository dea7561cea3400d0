"""The effective access matrix: what each role may do with each command on a table.

A reviewer's question about a Supabase table is concrete: "can anon delete rows here?".
PostgreSQL answers it from four things kept in different places, and looking at any one
alone misleads: the table privileges (GRANT), whether row-level security is on (and
forced), who is exempt from it (superusers, BYPASSRLS roles, the table owner unless RLS
is forced), and the permissive and restrictive policies with their conditions.  This
module combines them over the canonical `model.Catalog` (no SQL), with access.py
classifying policy conditions in the spec's access vocabulary, so that `schemaverify
access`, `schemaverify advise` and `rls.access_matrix` in specs give one answer.

A cell is one of:

- `none`: the role holds no privilege for the command (permission denied);
- `all rows`: privilege, and nothing filters rows: RLS off, the role is a superuser or
  BYPASSRLS, or owns the table and RLS is not forced (or the relation is a view,
  materialized view or foreign table, which have no RLS of their own);
- `no rows`: privilege, RLS on, but no permissive policy lets a row through;
- `rows: ...`: the row scopes the applicable permissive policies grant, OR-ed: an access
  kind (`owner`, `organization`, ...), `unconditional` (a condition that is `true`) or
  `conditional` (any other condition); restrictive policies narrow it, shown as
  `(restricted: ...)`.

The scope of a command is the condition PostgreSQL applies to it: USING for SELECT,
UPDATE (the rows that may be changed) and DELETE, WITH CHECK (else USING) for INSERT.
Role membership counts: a role holds the privileges of the roles it belongs to and the
policies naming them apply to it.  Column privileges are not read, so a role with only
column-level UPDATE shows `none`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlglot import exp

from schemaverify.model import normalize
from schemaverify.model.schema import Catalog, Grant, Policy, Role, Table
from schemaverify.model.vocabulary import ALL_ROWS as ALL_ROWS
from schemaverify.model.vocabulary import ALONE as ALONE
from schemaverify.model.vocabulary import COMMANDS as COMMANDS
from schemaverify.model.vocabulary import CONDITIONAL as CONDITIONAL
from schemaverify.model.vocabulary import LEVELS as LEVELS
from schemaverify.model.vocabulary import NO_ROWS as NO_ROWS
from schemaverify.model.vocabulary import NONE as NONE
from schemaverify.model.vocabulary import ROWS as ROWS
from schemaverify.model.vocabulary import SPEC_WORDS as SPEC_WORDS
from schemaverify.model.vocabulary import UNCONDITIONAL as UNCONDITIONAL
from schemaverify.model.vocabulary import spec_word as spec_word
from schemaverify.rules.access import (
    PUBLIC,
    SERVICE_ROLE,
    AccessPatterns,
    any_branch_true,
    branch_kinds,
    effective_roles,
)

_RLS_KINDS = ("table", "partitioned table")
"""Relations that have row-level security of their own."""


@dataclass(frozen=True)
class Cell:
    """What one role may do with one command on one table, and why."""

    level: str
    """One of LEVELS."""
    scopes: tuple[str, ...] = ()
    """For `rows`: the sorted row scopes of the permissive policies (access kinds,
    `unconditional`, `conditional`); `unconditional` stands alone."""
    restricted_by: tuple[str, ...] = ()
    """For `rows`: scopes of the restrictive policies that narrow it."""
    reason: str = ""
    """Why, in a few words: `no SELECT privilege`, `RLS off`, `BYPASSRLS`, ..."""
    policies: tuple[str, ...] = ()
    """Names of the policies that decided the cell."""

    def __str__(self) -> str:
        if self.level != ROWS:
            return self.level
        text = f"rows: {', '.join(self.scopes)}"
        if self.restricted_by:
            text += f" (restricted: {', '.join(self.restricted_by)})"
        return text

    @property
    def every_row(self) -> bool:
        """Every row is reachable: RLS does not filter, or a `true` policy unrestricted."""
        return self.level == ALL_ROWS or (
            self.level == ROWS and self.scopes == (UNCONDITIONAL,) and not self.restricted_by
        )

    @property
    def rank(self) -> int:
        """0 nothing, 1 some rows, 2 every row: how much the cell grants, for messages."""
        if self.level in (NONE, NO_ROWS):
            return 0
        return 2 if self.every_row else 1


@dataclass(frozen=True)
class TableAccess:
    """The matrix of one relation: a Cell per role (rows) and command (COMMANDS)."""

    table: Table
    roles: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    """cells[i][j] is roles[i] x COMMANDS[j]."""

    def cell(self, role: str, command: str) -> Cell:
        return self.cells[self.roles.index(role)][COMMANDS.index(command)]

    def rows(self) -> Iterable[tuple[str, tuple[Cell, ...]]]:
        return zip(self.roles, self.cells, strict=True)


class RoleFacts:
    """The roles of one catalog: memberships (transitively), superuser and BYPASSRLS.

    A catalog without roles (a snapshot taken before roles were read) knows nothing:
    every role then exists, none is exempt from RLS, and memberships are unknown.
    """

    def __init__(self, roles: Sequence[Role]) -> None:
        self._roles = {r.name: r for r in roles}
        self._ancestors: dict[str, frozenset[str]] = {}
        self.known = bool(self._roles)
        # A snapshot written before schema USAGE was read has none for any role (the
        # superuser reading the catalog always has some): unknown, so not a restriction.
        self._usage_known = any(r.schema_usage for r in roles)

    def exists(self, name: str) -> bool:
        return not self.known or name in self._roles

    def superuser(self, name: str) -> bool:
        role = self._roles.get(name)
        return bool(role and role.superuser)

    def bypassrls(self, name: str) -> bool:
        role = self._roles.get(name)
        return bool(role and (role.bypassrls or role.superuser))

    def uses_schema(self, name: str, schema: str) -> bool:
        """Whether the role may use `schema` (USAGE, as has_schema_privilege reports it)."""
        if not self._usage_known:
            return True
        role = self._roles.get(name)
        return role is not None and schema in role.schema_usage

    def ancestors(self, name: str) -> frozenset[str]:
        """The role and every role it is a member of, directly or not."""
        cached = self._ancestors.get(name)
        if cached is not None:
            return cached
        seen = {name}
        stack = [name]
        while stack:
            role = self._roles.get(stack.pop())
            for parent in role.member_of if role else ():
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        found = self._ancestors[name] = frozenset(seen)
        return found


@functools.lru_cache(maxsize=16)
def role_facts(roles: tuple[Role, ...]) -> RoleFacts:
    """RoleFacts of `catalog.roles`, built once per catalog."""
    return RoleFacts(roles)


def privileges(grants: Sequence[Grant], role: str, facts: RoleFacts) -> frozenset[str]:
    """What `role` holds from `grants`: its own, those of its roles, and PUBLIC's.
    For `public` itself only PUBLIC's."""
    holders = {PUBLIC} if role == PUBLIC else facts.ancestors(role) | {PUBLIC}
    found: set[str] = set()
    for grant in grants:
        if grant.grantee in holders:
            found.update(grant.privileges)
    return frozenset(found)


def holds(grants: Sequence[Grant], role: str, privilege: str, facts: RoleFacts) -> bool:
    """Whether `role` may use `privilege` (superusers may use every privilege)."""
    return (role != PUBLIC and facts.superuser(role)) or privilege in privileges(
        grants, role, facts
    )


def applies(policy: Policy, role: str, facts: RoleFacts, patterns: AccessPatterns) -> bool:
    """Whether PostgreSQL applies `policy` to `role` and its condition can hold for it.

    The TO clause must name the role, one of its roles or PUBLIC; and when the condition
    tests the calling role (`auth.role() = 'service_role'`, see access.effective_roles),
    that test must name it too.
    """
    declared = frozenset(policy.roles) or frozenset({PUBLIC})
    holders = frozenset({PUBLIC}) if role == PUBLIC else facts.ancestors(role)
    if PUBLIC not in declared and not declared & holders:
        return False
    effective = effective_roles(policy, patterns)
    return PUBLIC in effective or bool(effective & holders)


def path_expression(policy: Policy, command: str) -> str | None:
    """The condition `policy` puts on `command`, None when it adds none (then it grants
    nothing for that command: PostgreSQL skips a permissive policy without it)."""
    if policy.command not in ("all", command):
        return None
    if command == "insert":
        return policy.with_check if policy.with_check is not None else policy.using
    return policy.using


@functools.lru_cache(maxsize=2048)
def _constant(sql: str) -> bool | None:
    """True or False when the normalized expression is that constant, None otherwise."""
    try:
        tree = normalize.parse_expression(sql)
    except ValueError:
        return None
    if isinstance(tree, exp.Boolean):
        return bool(tree.this)
    return None


def is_true(sql: str | None) -> bool:
    return sql is not None and _constant(sql) is True


def _scopes(
    policy: Policy,
    command: str,
    condition: str,
    patterns: AccessPatterns,
    role: str | None = None,
) -> tuple[str, ...]:
    """The row scopes one policy's condition grants `role` for `command`; () for `false`
    (or when every branch needs a signed-in user and `role` is a signed-out one)."""
    constant = _constant(condition)
    if constant is not None:
        return (UNCONDITIONAL,) if constant else ()
    # Classify the condition of this command alone, as a permissive policy for it, so
    # that e.g. a USING (true) WITH CHECK (owner) policy reads `unconditional` for SELECT
    # and `owner` for INSERT, and a restrictive policy is described like a permissive one.
    probe = replace(
        policy,
        command=command,
        permissive=True,
        using=None if command == "insert" else condition,
        with_check=condition if command == "insert" else None,
    )
    if any_branch_true(condition):
        return (UNCONDITIONAL,)
    # The union of the OR branches: a branch no kind describes (`is_published` in
    # `is_published OR author_id = auth.uid()`) lets rows through too, so it shows as
    # `conditional` next to the kinds, never dropped for a narrower reading.
    scopes: set[str] = set()
    branches = branch_kinds(probe, patterns)
    for kinds in branches:
        kinds = kinds - {SERVICE_ROLE}
        if kinds and role in patterns.signed_out_roles and not _for_role(kinds, role, patterns):
            continue  # e.g. `auth.uid() = owner_id`: NULL for a caller who is not signed in
        scopes |= kinds or {CONDITIONAL}
    if branches and not scopes:
        return ()
    return tuple(sorted(scopes)) or (CONDITIONAL,)


def _for_role(kinds: frozenset[str], role: str, patterns: AccessPatterns) -> bool:
    """Whether one of the kinds can hold for `role` (its rule names the role, or none)."""
    for kind in kinds:
        rule = patterns.rule(kind)
        if rule is None or not rule.roles or role in rule.roles:
            return True
    return False


def cell(
    table: Table,
    role: str,
    command: str,
    facts: RoleFacts,
    patterns: AccessPatterns,
    tables: Mapping[str, Table] | None = None,
    _depth: int = 0,
    _memo: dict[tuple[str, str, str], Cell] | None = None,
) -> Cell:
    """The access of `role` (a role name, or `public`) for `command` on `table`.

    With `tables` (relations by qualified name), a view's cell comes from the relations it
    reads: a `security_invoker` view checks their privileges and policies for the caller,
    any other view for its owner (who usually owns them and so sees every row)."""
    exempt = role != PUBLIC
    if exempt and facts.superuser(role):
        return Cell(ALL_ROWS, reason="superuser")
    if command not in privileges(table.grants, role, facts):
        return Cell(NONE, reason=f"no {command.upper()} privilege")
    if table.kind == "view" and tables is not None and table.reads:
        return _view_cell(table, role, command, facts, patterns, tables, _depth, _memo)
    if table.kind not in _RLS_KINDS:
        return Cell(ALL_ROWS, reason=f"{table.kind}: no row-level security of its own")
    rls = table.rls
    if rls is None or not rls.enabled:
        return Cell(ALL_ROWS, reason="RLS off")
    if exempt and facts.bypassrls(role):
        return Cell(ALL_ROWS, reason="BYPASSRLS")
    if exempt and table.owner in facts.ancestors(role) and not rls.forced:
        return Cell(ALL_ROWS, reason="table owner, RLS not forced")
    scopes: set[str] = set()
    granting: list[str] = []
    restricted: set[str] = set()
    restricting: list[str] = []
    for policy in rls.policies:
        condition = path_expression(policy, command)
        if condition is None or not applies(policy, role, facts, patterns):
            continue
        if policy.permissive:
            found = _scopes(policy, command, condition, patterns, role)
            if found:
                scopes.update(found)
                granting.append(policy.name)
        elif not is_true(condition):
            found = _scopes(policy, command, condition, patterns)
            if not found:  # a restrictive `false` closes the table
                return Cell(
                    NO_ROWS,
                    reason=f"restrictive policy {policy.name!r} is false",
                    policies=(policy.name,),
                )
            restricted.update(found)
            restricting.append(policy.name)
    if not scopes:
        return Cell(NO_ROWS, reason="RLS on, no permissive policy lets a row through")
    if UNCONDITIONAL in scopes:
        scopes = {UNCONDITIONAL}
    return Cell(
        ROWS,
        scopes=tuple(sorted(scopes)),
        restricted_by=tuple(sorted(restricted)),
        reason="policies",
        policies=tuple(granting + restricting),
    )


_VIEW_DEPTH = 8
"""Views over views are followed this deep; beyond, the cell is conditional (a cycle of
views cannot exist, but a hostile catalog is bounded all the same)."""


def _view_cell(
    view: Table,
    role: str,
    command: str,
    facts: RoleFacts,
    patterns: AccessPatterns,
    tables: Mapping[str, Table],
    depth: int,
    memo: dict[tuple[str, str, str], Cell] | None,
) -> Cell:
    """A view's cell: that of the relations it reads, for the caller (security_invoker) or
    for the view's owner.  Any relation without access closes the view; several that filter
    differently give `conditional` (how they combine depends on the view's query).  Each
    (relation, role, command) is worked out once per top-level cell, so views sharing their
    relations cost what their number does, not what their paths do."""
    memo = {} if memo is None else memo
    if view.security_invoker:
        acting, how = role, "security_invoker view"
    elif view.owner is not None:
        acting, how = view.owner, f"view run as its owner {view.owner}"
    else:
        return Cell(ALL_ROWS, reason="view: no row-level security of its own")
    if depth >= _VIEW_DEPTH:
        return Cell(ROWS, scopes=(CONDITIONAL,), reason=f"{how}: views nested too deep")
    found: list[tuple[str, Cell]] = []
    for name in view.reads:
        base = tables.get(name)
        if base is None:
            return Cell(ROWS, scopes=(CONDITIONAL,), reason=f"{how} over {name}, not read")
        known = memo.get((name, acting, command))
        if known is None:
            known = cell(base, acting, command, facts, patterns, tables, depth + 1, memo)
            memo[(name, acting, command)] = known
        found.append((name, known))
    names = ", ".join(name for name, _ in found)
    policies = tuple(dict.fromkeys(p for _, c in found for p in c.policies))
    for name, base_cell in found:
        if base_cell.level == NONE:
            return Cell(NONE, reason=f"{how}: {base_cell.reason} on {name}", policies=policies)
    for name, base_cell in found:
        if base_cell.level == NO_ROWS:
            return Cell(NO_ROWS, reason=f"{how}: {base_cell.reason} on {name}", policies=policies)
    filtering = {(c.scopes, c.restricted_by) for _, c in found if not c.every_row}
    if not filtering:
        return Cell(ALL_ROWS, reason=f"{how}: nothing filters the rows of {names}")
    if len(filtering) == 1:
        ((scopes, restricted),) = filtering
        return Cell(
            ROWS,
            scopes=scopes,
            restricted_by=restricted,
            reason=f"{how}: policies of {names}",
            policies=policies,
        )
    return Cell(
        ROWS, scopes=(CONDITIONAL,), reason=f"{how}: policies of {names}", policies=policies
    )


def matrix_roles(table: Table, facts: RoleFacts, patterns: AccessPatterns) -> tuple[str, ...]:
    """The rows of a table's matrix: the client and service roles of the vocabulary that
    exist, PUBLIC, then every other grantee, policy role and the owner, sorted."""
    vocabulary = dict.fromkeys((*patterns.client_roles, *patterns.service_roles))
    first = [r for r in vocabulary if facts.exists(r)]
    others: set[str] = {g.grantee for g in table.grants}
    for policy in table.rls.policies if table.rls else ():
        others.update(policy.roles)
    if table.owner:
        others.add(table.owner)
    others -= {PUBLIC, *first}
    return (*first, PUBLIC, *sorted(others))


def table_access(
    table: Table,
    catalog: Catalog,
    patterns: AccessPatterns,
    roles: Sequence[str] | None = None,
    tables: Mapping[str, Table] | None = None,
) -> TableAccess:
    """The matrix of `table`; `roles` defaults to matrix_roles().  `tables` (the catalog's
    relations by name; built here when not given) resolves what a view reads."""
    facts = role_facts(catalog.roles)
    rows = tuple(roles) if roles is not None else matrix_roles(table, facts, patterns)
    if tables is None and table.reads:
        tables = catalog.by_name()
    cells = tuple(
        tuple(cell(table, role, command, facts, patterns, tables) for command in COMMANDS)
        for role in rows
    )
    return TableAccess(table, rows, cells)


# --- stated cells (rls.access_matrix) -------------------------------------------------


def satisfies(expected: Sequence[str], found: Cell) -> bool:
    """Whether a live cell is what a spec states (`expected`, canonical words).

    `none` means the role cannot do it at all: no privilege, or no row gets through.
    `all rows` means every row, however (RLS off, exempt role or a `true` policy);
    `unconditional` only the last. Scope words compare as a set with the cell's scopes;
    a restrictive policy only narrows, so it does not make them differ.
    """
    wanted = tuple(expected)
    if wanted == (NONE,):
        return found.level in (NONE, NO_ROWS)
    if wanted == (NO_ROWS,):
        return found.level == NO_ROWS
    if wanted == (ALL_ROWS,):
        return found.every_row
    return found.level == ROWS and set(found.scopes) == set(wanted)


def expected_rank(expected: Sequence[str]) -> int:
    """Cell.rank of what a spec states."""
    if tuple(expected) in ((NONE,), (NO_ROWS,)):
        return 0
    if tuple(expected) in ((ALL_ROWS,), (UNCONDITIONAL,)):
        return 2
    return 1


def direction(expected: Sequence[str], found: Cell) -> str:
    """`more`, `less` or `other`: how the live cell compares with the stated one."""
    want, have = expected_rank(expected), found.rank
    if have != want:
        return "more" if have > want else "less"
    if have == 1 and found.level == ROWS:
        stated, live = set(expected), set(found.scopes)
        if stated < live:
            return "more"
        if live < stated:
            return "less"
    return "other"
