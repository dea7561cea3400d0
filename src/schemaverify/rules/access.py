"""Which access a table's row-level security policies grant, in spec vocabulary.

A spec documents access as kinds (`organization`, `owner`, `public_read`,
...) because that is how people reason about a table; the catalog only has
policies (roles, command, USING / WITH CHECK SQL).  This module bridges the
two by classifying each policy against declarative patterns, shipped as data
in `access_patterns.yaml` so that a project with its own conventions (other
membership tables, other helper functions) extends the data, not the code.

Matching always works on normalized sqlglot trees (column, table and function
names, `=` comparisons), never on raw text, so a column called
`organization_id_note` in a string literal cannot fake a membership check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlglot import exp

from schemaverify.model import normalize, shapes
from schemaverify.model.schema import Policy
from schemaverify.model.vocabulary import PUBLIC as PUBLIC
from schemaverify.model.vocabulary import SERVICE_ROLE as SERVICE_ROLE
from schemaverify.model.vocabulary import AccessPatterns as AccessPatterns
from schemaverify.model.vocabulary import KindRule as KindRule
from schemaverify.model.vocabulary import ValueTest


@functools.lru_cache(maxsize=2048)
def _tree(sql: str) -> exp.Expr | None:
    """Parsed normalized expression; None when the catalog text did not parse.

    Cached because every policy is examined several times (roles, kinds,
    violations).  Callers must not mutate the tree.
    """
    try:
        return normalize.parse_expression(sql)
    except ValueError:
        return None


def _scalar(node: exp.Expr) -> exp.Expr:
    """`(SELECT x)` without FROM or WHERE is x (PostgreSQL evaluates it once per query)."""
    while isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        select = node.this
        others = [k for k, v in select.args.items() if v and k != "expressions"]
        if len(select.expressions) != 1 or others:
            break
        node = select.expressions[0]
    return node


def _canonical(node: exp.Expr) -> str:
    return normalize.render(_scalar(node))


def _conjuncts(tree: exp.Expr) -> list[exp.Expr]:
    if isinstance(tree, exp.And):
        return _conjuncts(tree.this) + _conjuncts(tree.expression)
    return [tree]


def _required_roles(tree: exp.Expr | None, patterns: AccessPatterns) -> frozenset[str] | None:
    """Roles an expression restricts itself to by testing the role; None if it does not."""
    if tree is None:
        return None
    found: frozenset[str] | None = None
    for part in _conjuncts(tree):
        roles = _role_test(part, patterns)
        if roles is not None:
            found = roles if found is None else found & roles
    return found


def _role_test(node: exp.Expr, patterns: AccessPatterns) -> frozenset[str] | None:
    # `(SELECT auth.jwt() ->> 'role' = 'service_role')`: the whole test in a sub-select,
    # as Supabase's performance advice writes it, is evaluated once and means the same.
    node = _scalar(node)
    if isinstance(node, exp.EQ):
        for side, other in ((node.this, node.expression), (node.expression, node.this)):
            if (
                isinstance(other, exp.Literal)
                and other.is_string
                and _canonical(side) in patterns.role_expressions
            ):
                return frozenset({other.this})
    if (
        isinstance(node, exp.In)
        and node.expressions
        and all(isinstance(e, exp.Literal) and e.is_string for e in node.expressions)
        and _canonical(node.this) in patterns.role_expressions
    ):
        return frozenset(e.this for e in node.expressions)
    return None


def _granting_expressions(policy: Policy) -> list[str | None]:
    """The expressions that decide what the policy lets through, per path of access.

    Reads (and the row an UPDATE/DELETE may target) pass USING; written rows
    pass WITH CHECK, which defaults to USING.  A policy is only as narrow as
    its widest path, so each path is examined on its own.
    """
    paths: list[str | None] = []
    if policy.command in ("all", "select", "update", "delete"):
        paths.append(policy.using)
    if policy.command in ("all", "insert", "update"):
        paths.append(policy.with_check if policy.with_check is not None else policy.using)
    return paths


def _grants_anything(policy: Policy) -> bool:
    # PostgreSQL ignores a permissive policy without any expression.
    return policy.permissive and (policy.using is not None or policy.with_check is not None)


def effective_roles(policy: Policy, patterns: AccessPatterns) -> frozenset[str]:
    """Roles the policy really applies to; `public` means every role (and stands alone).

    The TO clause, unless every path of access (see _granting_expressions)
    requires a role test such as `auth.role() = 'service_role'`: then the
    roles those tests name, whatever the TO clause says.
    """
    return _effective_roles(shaped(policy, patterns), patterns)


@functools.lru_cache(maxsize=4096)
def _effective_roles(policy: Policy, patterns: AccessPatterns) -> frozenset[str]:
    declared = frozenset(policy.roles) or frozenset({PUBLIC})
    result: set[str] = set()
    for sql in _granting_expressions(policy):
        required = _required_roles(_tree(sql), patterns) if sql is not None else None
        result |= declared if required is None else required
    # Empty when the role tests contradict each other: the policy applies to nobody.
    return frozenset({PUBLIC}) if PUBLIC in result else frozenset(result)


def _applies_to(roles: frozenset[str], wanted: Sequence[str]) -> bool:
    return PUBLIC in roles or any(role in roles for role in wanted)


def _for_clients(policy: Policy, patterns: AccessPatterns) -> bool:
    """Whether a permissive policy lets a client role (or PUBLIC) see or write rows."""
    return _grants_anything(policy) and _applies_to(
        effective_roles(policy, patterns), patterns.client_roles
    )


@dataclass(frozen=True)
class _Names:
    """Everything an expression references, lower-cased."""

    tables: frozenset[str]
    columns: frozenset[str]
    functions: frozenset[str]
    """Both `name` and `schema.name` for qualified calls."""

    @property
    def all(self) -> frozenset[str]:
        return self.tables | self.columns | self.functions


def _names(trees: Sequence[exp.Expr]) -> _Names:
    tables: set[str] = set()
    columns: set[str] = set()
    functions: set[str] = set()
    for tree in trees:
        for node in tree.walk():
            if isinstance(node, exp.Table):
                tables.add(node.name.lower())
            elif isinstance(node, exp.Column):
                columns.add(node.name.lower())
                if node.table:
                    tables.add(node.table.lower())  # a correlated `orgs.id` names a table too
            elif isinstance(node, exp.Anonymous):
                # sqlglot gives built-ins typed nodes; user functions are Anonymous.
                name = node.name.lower()
                functions.add(name)
                parent = node.parent
                if (
                    isinstance(parent, exp.Dot)
                    and parent.expression is node
                    and isinstance(parent.this, exp.Identifier)
                ):
                    functions.add(f"{parent.this.name.lower()}.{name}")
    return _Names(frozenset(tables), frozenset(columns), frozenset(functions))


def _references(rule: KindRule, names: _Names, tree: exp.Expr) -> bool:
    if rule.values and _tests_value(tree, rule.values):
        return True
    if names.tables & set(rule.tables) or names.columns & set(rule.columns):
        return True
    if names.functions & set(rule.functions):
        return True
    if any(part in name for part in rule.names_containing for name in names.all):
        return True
    bare_functions = {f.rsplit(".", 1)[-1] for f in names.functions}
    return any(part in name for part in rule.functions_containing for name in bare_functions)


def _outside_subqueries(tree: exp.Expr) -> list[exp.Expr]:
    """Nodes of the policy's own level: a subquery's columns belong to other tables."""
    out: list[exp.Expr] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, (exp.Subquery, exp.Select, exp.Exists)):
            continue
        stack.extend(node.iter_expressions())
    return out


def _tests_value(tree: exp.Expr, tests: Sequence[ValueTest]) -> bool:
    """Whether the condition, at any depth (a membership subquery included), compares one of
    the tests' expressions with literals they allow: `om.role IN ('admin', 'owner')`.

    An IN list must lie within the allowed values: `role IN ('member', 'admin')` lets
    members through too, so it is not an administrator test.
    """
    for node in tree.walk():
        pairs: tuple[tuple[exp.Expr, list[exp.Expr]], ...]
        if isinstance(node, exp.EQ):
            pairs = ((node.this, [node.expression]), (node.expression, [node.this]))
        elif isinstance(node, exp.In) and node.expressions and not node.args.get("query"):
            pairs = ((node.this, list(node.expressions)),)
        else:
            continue
        for side, literals in pairs:
            if not all(isinstance(v, exp.Literal) and v.is_string for v in literals):
                continue
            for test in tests:
                if _is_tested(side, test) and all(v.this in test.values for v in literals):
                    return True
    return False


def _is_tested(node: exp.Expr, test: ValueTest) -> bool:
    node = _scalar(node)
    if test.column is not None:
        return isinstance(node, exp.Column) and node.name.lower() == test.column
    return _canonical(node) == test.expression


PARENT_KEYS = ("id",)
"""Columns by which a subquery picks the row's parent (`p.id = child.parent_id`)."""


def _compares_column(trees: Sequence[exp.Expr], wanted: Sequence[str]) -> bool:
    """Whether a column of the row, or of its parent row, equals one of the expressions.

    The parent counts when a subquery picks exactly the row's parent by its key:
    `EXISTS (SELECT 1 FROM projects p WHERE p.id = docs.project_id AND p.owner_id =
    auth.uid())` or `project_id IN (SELECT id FROM projects WHERE owner_id = auth.uid())`,
    and so on up to a grandparent.  A subquery joined on anything else (a membership
    table's `organization_id`, or no join at all) selects many rows, not the parent, so
    an equality inside it says nothing about who owns this row.
    """
    return any(_owned(tree, wanted, 0) for tree in trees)


def _owned(tree: exp.Expr, wanted: Sequence[str], depth: int) -> bool:
    for node in _outside_subqueries(tree):
        if isinstance(node, exp.EQ):
            for side, other in ((node.this, node.expression), (node.expression, node.this)):
                if isinstance(side, exp.Column) and _canonical(other) in wanted:
                    return True
        if depth >= _MAX_PARENTS:
            continue
        parent = _parent_condition(node)
        if parent is not None and _owned(parent, wanted, depth + 1):
            return True
    return False


_MAX_PARENTS = 4


def _parent_condition(node: exp.Expr) -> exp.Expr | None:
    """The WHERE of a subquery that selects the row's parent, None for any other node."""
    if isinstance(node, exp.Exists) and isinstance(node.this, exp.Select):
        select = node.this
        where = select.args.get("where")
        if where is None:
            return None
        own = _own_names(select)
        condition: exp.Expr = where.this
        for part in _conjuncts(condition):
            if isinstance(part, exp.EQ) and _joins_parent_key(part, own):
                return condition
        return None
    if isinstance(node, exp.In) and isinstance(node.args.get("query"), exp.Subquery):
        select = node.args["query"].this
        if not (isinstance(select, exp.Select) and isinstance(node.this, exp.Column)):
            return None
        picked = select.expressions
        where = select.args.get("where")
        if (
            where is not None
            and len(picked) == 1
            and isinstance(picked[0], exp.Column)
            and picked[0].name.lower() in PARENT_KEYS
        ):
            found: exp.Expr = where.this
            return found
    return None


def _own_names(select: exp.Select) -> frozenset[str]:
    """Names a subquery's columns may be qualified with: its tables and their aliases."""
    names: set[str] = set()
    for table in select.find_all(exp.Table):
        if table.parent_select is select:
            names.add(table.name.lower())
            if table.alias:
                names.add(table.alias.lower())
    return frozenset(names)


def _joins_parent_key(eq: exp.EQ, own: frozenset[str]) -> bool:
    """`p.id = child.parent_id`: the subquery's key column against a column of the row."""
    for key, outer in ((eq.this, eq.expression), (eq.expression, eq.this)):
        if (
            isinstance(key, exp.Column)
            and isinstance(outer, exp.Column)
            and key.name.lower() in PARENT_KEYS
            and (not key.table or key.table.lower() in own)
            and outer.table
            and outer.table.lower() not in own
        ):
            return True
    return False


MAX_BRANCHES = 64
"""OR branches one condition may expand to; beyond, the condition counts as one branch
nobody can classify (a cell `conditional`, never a narrower kind)."""


def _has_or(tree: exp.Expr) -> bool:
    return any(isinstance(node, exp.Or) for node in _outside_subqueries(tree))


def branches(tree: exp.Expr) -> list[exp.Expr] | None:
    """The condition as a union of AND-only branches (its disjunctive normal form), at the
    policy's own level: an OR inside a subquery belongs to that subquery's rows.

    Each branch lets rows through on its own, so the access a condition grants is the
    union of its branches' access, and a branch nobody can classify (`is_published`)
    makes the whole condition unclassified: dropping it would hide who else gets rows.
    None when the expansion exceeds MAX_BRANCHES.
    """
    if not _has_or(tree):
        return [tree]  # the common case: nothing to expand, nothing copied
    return _dnf(tree)


def _dnf(node: exp.Expr) -> list[exp.Expr] | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Or):
        left, right = _dnf(node.this), _dnf(node.expression)
        if left is None or right is None or len(left) + len(right) > MAX_BRANCHES:
            return None
        return left + right
    if isinstance(node, exp.And):
        left, right = _dnf(node.this), _dnf(node.expression)
        if left is None or right is None or len(left) * len(right) > MAX_BRANCHES:
            return None
        if len(left) == 1 and len(right) == 1:
            return [node]
        return [exp.and_(a, b) for a in left for b in right]  # copies: trees are cached
    return [node]


@dataclass(frozen=True)
class _Path:
    """One way a policy lets rows through: a command's condition, or one OR branch of it."""

    tree: exp.Expr
    using: bool
    """The branch comes from USING (what `using_true` looks at)."""


def _paths(policy: Policy) -> list[_Path] | None:
    """Every OR branch of every condition of the policy; None when one cannot be read
    (it did not parse, or it has too many branches)."""
    found: list[_Path] = []
    for sql, using in ((policy.using, True), (policy.with_check, False)):
        if sql is None:
            continue
        tree = _tree(sql)
        if tree is None:
            return None
        parts = branches(tree)
        if parts is None:
            return None
        found.extend(_Path(part, using) for part in parts)
    return found


def _matches(rule: KindRule, policy: Policy, roles: frozenset[str], path: _Path) -> bool:
    if rule.no_client_access or not _applies_to(roles, rule.roles):
        return False
    if rule.commands and policy.command not in rule.commands:
        return False
    tree = path.tree
    if rule.using_true and not (path.using and isinstance(tree, exp.Boolean) and tree.this is True):
        return False
    if rule.column_equals and not _compares_column([tree], rule.column_equals):
        return False
    return not rule.has_references or _references(rule, _names([tree]), tree)


def classify_policy(policy: Policy, patterns: AccessPatterns) -> frozenset[str]:
    """The kinds this one policy grants.

    Table-level kinds (service_role_only) are never returned: they depend on
    all policies together.  A policy that applies to service roles alone
    returns frozenset({SERVICE_ROLE}); restrictive policies and policies
    without any expression grant nothing and return an empty set.
    """
    return _classify(shaped(policy, patterns), patterns)


def _classify(policy: Policy, patterns: AccessPatterns) -> frozenset[str]:
    found: set[str] = set()
    for kinds in _branch_kinds(policy, patterns):
        found |= kinds
    return frozenset(found)


def branch_kinds(policy: Policy, patterns: AccessPatterns) -> tuple[frozenset[str], ...]:
    """The kinds each OR branch of the policy's conditions grants, one set per branch.

    An empty set is a branch no kind describes: it lets some rows through that the
    vocabulary cannot name.  A policy that grants nothing (restrictive, no expression,
    for no role) has no branches; one for service roles alone has the one branch
    {SERVICE_ROLE}.
    """
    return _branch_kinds(shaped(policy, patterns), patterns)


def shaped(policy: Policy, patterns: AccessPatterns) -> Policy:
    """The policy as classification sees it: without its name, and with every name no
    rule of `patterns` reads abstracted (shapes.py), so that the policies of ten thousand
    tables that differ only in their own table's name and their parent's classify once.

    Sound because classification reads names only to compare them with one another
    (which placeholders, one per distinct name, preserve) and with the names the rules
    list (which are never abstracted); literals stay, since rules test their values.
    """
    rename = _inert(patterns)
    if rename is None:
        return replace(policy, name="")
    return _shaped(policy, patterns, rename)


@functools.lru_cache(maxsize=65536)
def _shaped(policy: Policy, patterns: AccessPatterns, rename: Callable[[str], bool]) -> Policy:
    del patterns  # part of the cache key only: `rename` is derived from it
    return replace(
        policy,
        name="",
        using=_shaped_text(policy.using, rename),
        with_check=_shaped_text(policy.with_check, rename),
    )


def _shaped_text(sql: str | None, rename: Callable[[str], bool]) -> str | None:
    if sql is None:
        return None
    # A catalog text normalized from a shape: its names are abstracted already (the
    # catalog's relations); put back the literals and the names a rule reads.
    known = normalize.origin(sql)
    if known is not None:
        template, origin = known
        reshaped = origin.fill_names_except(template, rename)
        if reshaped is not None:
            return reshaped
    shape = shapes.shape_of(sql, rename, literals=False)
    return sql if shape is None else shape.template


@functools.lru_cache(maxsize=64)
def _inert(patterns: AccessPatterns) -> Callable[[str], bool] | None:
    """Which names classification may abstract under `patterns`: none a rule names, lists
    or matches by substring, and no key a parent row is joined by.  None when a pattern's
    substring could match a placeholder itself."""
    parts = [
        part
        for rule in patterns.rules
        for part in (*rule.names_containing, *rule.functions_containing)
    ]
    if any(part in placeholder for part in parts for placeholder in _PLACEHOLDER_SAMPLES):
        return None
    named: set[str] = set(PARENT_KEYS)
    texts = [*patterns.role_expressions, *patterns.anonymous_expressions]
    for rule in patterns.rules:
        texts.extend(rule.column_equals)
        for listed in (*rule.tables, *rule.columns, *rule.functions):
            named.update(listed.lower().split("."))
        for test in rule.values:
            texts.append(test.expression)
            if test.column is not None:
                named.add(test.column.lower())
    for text in texts:
        named.update(word.lower() for word in _WORD.findall(text))
    frozen = frozenset(named)
    inert = normalize.renamable(
        lambda word: word not in frozen and not any(part in word for part in parts)
    )
    return functools.lru_cache(maxsize=65536)(inert)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PLACEHOLDER_SAMPLES = ("__sv_i0__", "__sv_i99__", "__sv_s0__", "90007531902468.25")


@functools.lru_cache(maxsize=4096)
def _branch_kinds(policy: Policy, patterns: AccessPatterns) -> tuple[frozenset[str], ...]:
    if not _grants_anything(policy):
        return ()
    roles = effective_roles(policy, patterns)
    if not roles:
        return ()
    if PUBLIC not in roles and roles <= set(patterns.service_roles):
        return (frozenset({SERVICE_ROLE}),)
    paths = _paths(policy)
    if paths is None:
        return (frozenset(),)
    return tuple(
        frozenset(rule.name for rule in patterns.rules if _matches(rule, policy, roles, path))
        for path in paths
    )


def granted_kinds(
    enabled: bool, policies: Sequence[Policy], patterns: AccessPatterns
) -> frozenset[str]:
    """Kinds the table grants; none when RLS is off (every grantee then sees every row)."""
    if not enabled:
        return frozenset()
    kinds: set[str] = set()
    for policy in policies:
        kinds |= classify_policy(policy, patterns)
    kinds.discard(SERVICE_ROLE)
    if not any(_for_clients(policy, patterns) for policy in policies):
        kinds.update(rule.name for rule in patterns.rules if rule.no_client_access)
    return frozenset(kinds)


@dataclass(frozen=True)
class Outside:
    """A policy granting client access beyond the documented kinds."""

    policy: Policy
    reason: str
    """Completes a sentence starting with "policy 'name' "."""
    forbidden: bool
    """True when the access contradicts the documentation (a closed table opened, a write
    path that never tests the documented access, every row or rows nobody can classify);
    False when it only reads rows of a kind the documentation does not mention."""


def violations(
    expected: Sequence[str],
    enabled: bool,
    policies: Sequence[Policy],
    patterns: AccessPatterns,
) -> list[Outside]:
    """Policies granting client access the spec does not document.

    With RLS off there are none: policies then grant nothing, and the caller reports the
    disabled RLS itself.
    """
    if not enabled:
        return []
    documented = set(expected)
    closed = [
        rule.name for rule in patterns.rules if rule.no_client_access and rule.name in documented
    ]
    found: list[Outside] = []
    for policy in policies:
        if not _for_clients(policy, patterns):
            continue
        roles = effective_roles(policy, patterns)
        shown = ", ".join(sorted(roles))
        if closed:
            reason = f"lets {shown} reach rows of a table documented as {closed[0]}"
            found.append(Outside(policy, reason, True))
            continue
        # Each OR branch lets rows through on its own: every one must be documented.
        branches_ = [kinds - {SERVICE_ROLE} for kinds in branch_kinds(policy, patterns)]
        if all(kinds & documented for kinds in branches_):
            continue
        if policy.command == "select" and _reads_every_row(documented, patterns):
            continue  # narrower than "anyone reads every row" (public_read) is within it
        listed = ", ".join(sorted(documented)) or "none"
        outside = sorted({k for kinds in branches_ if not kinds & documented for k in kinds})
        writing = policy.command in ("insert", "update", "all")
        if writing and documented:
            # Writing is where a missing test hurts: the row is created or changed for
            # someone else (another organization's project), not merely read.
            missing = " or ".join(sorted(documented))
            writes = (
                f"; as a write policy that never tests {missing} access, it lets any such "
                f"caller write rows that {missing} should keep out"
            )
        else:
            writes = ""
        if outside and all(kinds for kinds in branches_):
            reason = (
                f"grants {', '.join(outside)} access to {shown}, "
                f"which the spec does not document (documented: {listed}){writes}"
            )
            every_row = _reads_every_row(set(outside), patterns)
            found.append(Outside(policy, reason, writing or every_row))
        else:
            reason = (
                f"grants {shown} access that matches no documented kind "
                f"(documented: {listed}){writes}{_condition(policy)}"
            )
            found.append(Outside(policy, reason, True))
    return found


def _reads_every_row(kinds: set[str], patterns: AccessPatterns) -> bool:
    """One of the kinds lets anyone read every row (`public_read`)."""
    for kind in kinds:
        rule = patterns.rule(kind)
        if (
            rule is not None
            and rule.using_true
            and (not rule.commands or "select" in rule.commands)
        ):
            return True
    return False


def any_branch_true(sql: str) -> bool:
    """Whether one OR branch of the condition is the constant `true` (every row)."""
    tree = _tree(sql)
    parts = branches(tree) if tree is not None else None
    return any(isinstance(p, exp.Boolean) and p.this is True for p in parts or ())


def _condition(policy: Policy) -> str:
    parts = []
    if policy.using is not None:
        parts.append(f"USING {_clip(policy.using, 60)}")
    if policy.with_check is not None:
        parts.append(f"WITH CHECK {_clip(policy.with_check, 60)}")
    return f": {'; '.join(parts)}" if parts else ""


def _clip(text: str, limit: int) -> str:
    """A condition quoted in a message, shortened so one huge policy cannot flood it."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def excludes_anonymous(sql: str | None, patterns: AccessPatterns) -> bool:
    """Whether every OR branch of the condition requires the caller not to have signed in
    anonymously (`NOT (auth.jwt() ->> 'is_anonymous')::boolean` AND-ed in).

    Supabase's anonymous sign-ins hold the `authenticated` role, so a policy `TO
    authenticated` lets them through unless its condition tests the claim.  An absent
    condition excludes nobody; one that does not parse cannot be shown to.
    """
    if sql is None or not patterns.anonymous_expressions:
        return False
    tree = _tree(sql)
    parts = branches(tree) if tree is not None else None
    return bool(parts) and all(
        any(_denies_anonymous(c, patterns) for c in _conjuncts(part)) for part in parts or ()
    )


def _denies_anonymous(node: exp.Expr, patterns: AccessPatterns) -> bool:
    node = _scalar(node)
    if isinstance(node, exp.Not):
        inner = _scalar(node.this)
        if _is_anonymous_test(inner, patterns):
            return True  # NOT <claim>
        # `<claim> IS NOT TRUE` is stored as NOT (<claim> IS TRUE)
        return (
            isinstance(inner, exp.Is)
            and _is_bool(inner.expression, True)
            and (_is_anonymous_test(inner.this, patterns))
        )
    if isinstance(node, exp.Is):
        return _is_bool(node.expression, False) and _is_anonymous_test(node.this, patterns)
    if isinstance(node, (exp.EQ, exp.NEQ)):
        wanted = isinstance(node, exp.NEQ)  # `<> true` excludes as `= false` does
        for side, other in ((node.this, node.expression), (node.expression, node.this)):
            if _is_anonymous_test(side, patterns) and (
                _is_bool(other, wanted)
                or (
                    isinstance(other, exp.Literal)
                    and other.is_string
                    and other.this == str(wanted).lower()
                )
            ):
                return True
    return False


def _is_bool(node: exp.Expr, value: bool) -> bool:
    return isinstance(node, exp.Boolean) and node.this is value


def _is_anonymous_test(node: exp.Expr, patterns: AccessPatterns) -> bool:
    node = _scalar(node)
    if isinstance(node, exp.Coalesce):
        node = node.this  # coalesce(<claim>, false): a missing claim is no anonymous user
    return _canonical(node) in patterns.anonymous_expressions
