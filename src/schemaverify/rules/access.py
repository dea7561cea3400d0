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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sqlglot import exp

from schemaverify.errors import SpecError
from schemaverify.model import normalize
from schemaverify.model.schema import POLICY_COMMANDS, Policy
from schemaverify.sources.specs import yamlnodes
from schemaverify.sources.specs.yamlnodes import Map, Node, Scalar, Seq

SERVICE_ROLE = "service_role"
"""What classify_policy() returns for a policy that applies to service roles alone."""

PUBLIC = "public"
PACKAGE_FILE = "access_patterns.yaml"
_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REFERENCE_KEYS = ("tables", "columns", "functions", "names_containing", "functions_containing")
_KIND_KEYS = (
    "description",
    "no_client_access",
    "roles",
    "commands",
    "using_true",
    "column_equals",
    "references",
)
_TOP_KEYS = ("version", "client_roles", "service_roles", "role_expressions", "kinds")


@dataclass(frozen=True)
class KindRule:
    """One access kind, as the patterns file defines it (see the file's header)."""

    name: str
    description: str = ""
    no_client_access: bool = False
    roles: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    """Empty means any command."""
    using_true: bool = False
    column_equals: tuple[str, ...] = ()
    """Normalized SQL (normalize.expression)."""
    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    names_containing: tuple[str, ...] = ()
    functions_containing: tuple[str, ...] = ()

    @property
    def has_references(self) -> bool:
        return any(getattr(self, key) for key in _REFERENCE_KEYS)


@dataclass(frozen=True)
class AccessPatterns:
    kinds: tuple[str, ...]
    """Every kind name a spec may use, in definition order."""
    rules: tuple[KindRule, ...] = ()
    client_roles: tuple[str, ...] = ("anon", "authenticated")
    service_roles: tuple[str, ...] = (SERVICE_ROLE,)
    role_expressions: tuple[str, ...] = ()
    """Normalized SQL whose value is the calling role's name."""
    sources: tuple[str, ...] = field(default=(), compare=False)
    """The files these patterns were read from."""

    def rule(self, kind: str) -> KindRule | None:
        for rule in self.rules:
            if rule.name == kind:
                return rule
        return None


# --- loading --------------------------------------------------------------


def load_patterns(extra: Path | None = None) -> AccessPatterns:
    """The built-in vocabulary, extended by the user's file when given.

    Raises SpecError (`file:line: reason`, every problem at once) when a file
    is malformed; a problem in the built-in file is a packaging bug but is
    reported the same way.
    """
    builtin_path = f"schemaverify/{PACKAGE_FILE}"
    text = resources.files("schemaverify.rules").joinpath(PACKAGE_FILE).read_text(encoding="utf-8")
    builder = _Builder()
    builder.add(yamlnodes.loads(text, builtin_path), builtin_path, builtin=True)
    if extra is not None:
        builder.add(yamlnodes.load(extra), str(extra), builtin=False)
    return builder.build()


@dataclass
class _Draft:
    """A kind rule being assembled from one or two files."""

    name: str
    path: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)


class _Builder:
    def __init__(self) -> None:
        self.problems: list[tuple[str, int, str]] = []
        self.client_roles: list[str] = []
        self.service_roles: list[str] = []
        self.role_expressions: list[str] = []
        self.drafts: dict[str, _Draft] = {}
        self.sources: list[str] = []

    def problem(self, path: str, line: int, reason: str) -> None:
        self.problems.append((path, line, reason))

    def add(self, root: Node | None, path: str, *, builtin: bool) -> None:
        self.sources.append(path)
        if root is None:
            if builtin:
                self.problem(path, 1, "the access patterns file is empty")
            return
        if not isinstance(root, Map):
            self.problem(path, root.line, f"expected a mapping, got {yamlnodes.describe(root)}")
            return
        for entry in root:
            key = entry.key.value
            if key not in _TOP_KEYS:
                self.problem(
                    path,
                    entry.key.line,
                    f"unknown key {key!r}{yamlnodes.suggest(str(key), _TOP_KEYS)}; "
                    f"expected one of: {', '.join(_TOP_KEYS)}",
                )
        version = root.get("version")
        if version is None and builtin:
            self.problem(path, root.line, "missing 'version: 1'")
        elif version is not None and (
            not isinstance(version, Scalar) or version.value != 1 or isinstance(version.value, bool)
        ):
            self.problem(path, version.line, "unsupported version: expected 'version: 1'")
        self.client_roles += self._roles(root.get("client_roles"), path, "client_roles")
        self.service_roles += self._roles(root.get("service_roles"), path, "service_roles")
        for text, line in self._strings(root.get("role_expressions"), path, "role_expressions"):
            sql = self._sql(text, line, path, "role_expressions")
            if sql is not None:
                self.role_expressions.append(sql)
        kinds = root.get("kinds")
        if kinds is None:
            return
        if not isinstance(kinds, Map):
            self.problem(
                path, kinds.line, f"'kinds' must be a mapping, got {yamlnodes.describe(kinds)}"
            )
            return
        for entry in kinds:
            self._kind(entry.key, entry.value, path)

    def _strings(self, node: Node | None, path: str, what: str) -> list[tuple[str, int]]:
        if node is None:
            return []
        if not isinstance(node, Seq):
            self.problem(
                path, node.line, f"'{what}' must be a list, got {yamlnodes.describe(node)}"
            )
            return []
        out: list[tuple[str, int]] = []
        for item in node.items:
            if isinstance(item, Scalar) and isinstance(item.value, str) and item.value.strip():
                out.append((item.value.strip(), item.line))
            else:
                self.problem(
                    path,
                    item.line,
                    f"'{what}' entries must be non-empty strings, got {yamlnodes.describe(item)}",
                )
        return out

    def _roles(self, node: Node | None, path: str, what: str) -> list[str]:
        roles: list[str] = []
        for text, line in self._strings(node, path, what):
            try:
                roles.append(normalize.identifier(text))
            except ValueError as err:
                self.problem(path, line, f"invalid role in '{what}': {err}")
        return roles

    def _sql(self, text: str, line: int, path: str, what: str) -> str | None:
        try:
            return normalize.expression(text, strict=True)
        except ValueError as err:
            self.problem(path, line, f"invalid SQL in '{what}' ({yamlnodes.clip(text)}): {err}")
            return None

    def _flag(self, node: Node, path: str, key: str) -> bool | None:
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self.problem(
            path, node.line, f"'{key}' must be true or false, got {yamlnodes.describe(node)}"
        )
        return None

    def _kind(self, key: Scalar, node: Node, path: str) -> None:
        name = key.value
        if not isinstance(name, str) or not _KIND_NAME.match(name):
            self.problem(
                path, key.line, f"invalid kind name {name!r}: use lower_case_with_underscores"
            )
            return
        if name == SERVICE_ROLE:
            self.problem(
                path,
                key.line,
                f"'{SERVICE_ROLE}' is reserved (it marks policies for the service role alone)",
            )
            return
        if isinstance(node, Scalar) and node.value is None:
            self.problem(path, key.line, f"kind '{name}' needs a rule (a mapping)")
            return
        if not isinstance(node, Map):
            self.problem(
                path,
                node.line,
                f"kind '{name}' must be a mapping, got {yamlnodes.describe(node)}",
            )
            return
        draft = self.drafts.get(name)
        if draft is None:
            draft = self.drafts[name] = _Draft(name, path, key.line)
        else:
            draft.path, draft.line = (
                path,
                key.line,
            )  # problems of the merged rule cite the extension
        values = draft.values
        for entry in node:
            field_name = str(entry.key.value)
            value = entry.value
            if field_name not in _KIND_KEYS:
                self.problem(
                    path,
                    entry.key.line,
                    f"unknown key {field_name!r} in kind '{name}'"
                    f"{yamlnodes.suggest(field_name, _KIND_KEYS)}; "
                    f"expected one of: {', '.join(_KIND_KEYS)}",
                )
            elif field_name == "description":
                if isinstance(value, Scalar) and isinstance(value.value, str):
                    values["description"] = value.value.strip()
                else:
                    self.problem(path, value.line, "'description' must be text")
            elif field_name in ("no_client_access", "using_true"):
                flag = self._flag(value, path, field_name)
                if flag is not None:
                    values[field_name] = flag
            elif field_name == "roles":
                self._extend(values, "roles", self._roles(value, path, "roles"))
            elif field_name == "commands":
                commands: list[str] = []
                for text, line in self._strings(value, path, "commands"):
                    if text.lower() in POLICY_COMMANDS:
                        commands.append(text.lower())
                    else:
                        self.problem(
                            path,
                            line,
                            f"unknown command {text!r}"
                            f"{yamlnodes.suggest(text.lower(), POLICY_COMMANDS)}; "
                            f"expected one of: {', '.join(POLICY_COMMANDS)}",
                        )
                self._extend(values, "commands", commands)
            elif field_name == "column_equals":
                sqls = [
                    self._sql(text, line, path, "column_equals")
                    for text, line in self._strings(value, path, "column_equals")
                ]
                self._extend(values, "column_equals", [s for s in sqls if s is not None])
            else:
                self._references(value, path, name, values)

    def _references(self, node: Node, path: str, kind: str, values: dict[str, Any]) -> None:
        if not isinstance(node, Map):
            self.problem(
                path,
                node.line,
                f"'references' of kind '{kind}' must be a mapping, got {yamlnodes.describe(node)}",
            )
            return
        for entry in node:
            key = str(entry.key.value)
            if key not in _REFERENCE_KEYS:
                self.problem(
                    path,
                    entry.key.line,
                    f"unknown key {key!r} in 'references' of kind '{kind}'"
                    f"{yamlnodes.suggest(key, _REFERENCE_KEYS)}; "
                    f"expected one of: {', '.join(_REFERENCE_KEYS)}",
                )
                continue
            names = [text.lower() for text, _ in self._strings(entry.value, path, key)]
            if key == "functions":
                names = [".".join(part.strip() for part in n.split(".")) for n in names]
            self._extend(values, key, names)

    @staticmethod
    def _extend(values: dict[str, Any], key: str, items: list[str]) -> None:
        current = values.get(key)
        merged = list(current) if isinstance(current, tuple) else []
        merged += [item for item in items if item not in merged]
        values[key] = tuple(merged)

    def build(self) -> AccessPatterns:
        rules: list[KindRule] = []
        for draft in self.drafts.values():
            rule = self._rule(draft)
            if rule is not None:
                rules.append(rule)
        if self.problems:
            raise SpecError(self.problems)
        return AccessPatterns(
            kinds=tuple(rule.name for rule in rules),
            rules=tuple(rules),
            client_roles=_unique(self.client_roles),
            service_roles=_unique(self.service_roles),
            role_expressions=_unique(self.role_expressions),
            sources=tuple(self.sources),
        )

    def _rule(self, draft: _Draft) -> KindRule | None:
        rule = KindRule(name=draft.name, **draft.values)
        where = (draft.path, draft.line)
        conditions = rule.using_true or bool(rule.column_equals) or rule.has_references
        if rule.no_client_access:
            if conditions or rule.roles or rule.commands:
                self.problem(
                    *where,
                    f"kind '{rule.name}' has 'no_client_access: true', which takes no other "
                    "condition (roles, commands, using_true, column_equals, references)",
                )
                return None
            return rule
        if not rule.roles:
            self.problem(
                *where, f"kind '{rule.name}' needs 'roles': the roles a matching policy applies to"
            )
            return None
        if not conditions:
            self.problem(
                *where,
                f"kind '{rule.name}' states no condition: give using_true, column_equals or "
                "references (otherwise every policy for its roles would grant it)",
            )
            return None
        return rule


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --- expression analysis --------------------------------------------------


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


def _references(rule: KindRule, names: _Names) -> bool:
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


def _compares_column(trees: Sequence[exp.Expr], wanted: Sequence[str]) -> bool:
    for tree in trees:
        for node in _outside_subqueries(tree):
            if not isinstance(node, exp.EQ):
                continue
            for side, other in ((node.this, node.expression), (node.expression, node.this)):
                if isinstance(side, exp.Column) and _canonical(other) in wanted:
                    return True
    return False


def _is_true(sql: str | None) -> bool:
    tree = _tree(sql) if sql is not None else None
    return isinstance(tree, exp.Boolean) and tree.this is True


def _matches(rule: KindRule, policy: Policy, roles: frozenset[str], trees: list[exp.Expr]) -> bool:
    if rule.no_client_access or not _applies_to(roles, rule.roles):
        return False
    if rule.commands and policy.command not in rule.commands:
        return False
    if rule.using_true and not _is_true(policy.using):
        return False
    if rule.column_equals and not _compares_column(trees, rule.column_equals):
        return False
    return not rule.has_references or _references(rule, _names(trees))


def classify_policy(policy: Policy, patterns: AccessPatterns) -> frozenset[str]:
    """The kinds this one policy grants.

    Table-level kinds (service_role_only) are never returned: they depend on
    all policies together.  A policy that applies to service roles alone
    returns frozenset({SERVICE_ROLE}); restrictive policies and policies
    without any expression grant nothing and return an empty set.
    """
    # The name never affects the result; without it, the many tables that share
    # one policy shape (schema-per-tenant, generated schemas) classify once.
    return _classify(replace(policy, name=""), patterns)


@functools.lru_cache(maxsize=4096)
def _classify(policy: Policy, patterns: AccessPatterns) -> frozenset[str]:
    if not _grants_anything(policy):
        return frozenset()
    roles = effective_roles(policy, patterns)
    if not roles:
        return frozenset()
    if PUBLIC not in roles and roles <= set(patterns.service_roles):
        return frozenset({SERVICE_ROLE})
    trees = [t for t in (_tree(s) for s in (policy.using, policy.with_check) if s) if t is not None]
    return frozenset(rule.name for rule in patterns.rules if _matches(rule, policy, roles, trees))


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


def violations(
    expected: Sequence[str],
    enabled: bool,
    policies: Sequence[Policy],
    patterns: AccessPatterns,
) -> list[tuple[Policy, str]]:
    """Policies granting client access the spec does not document, each with a reason.

    The reason completes a sentence starting with "policy 'name' ".  With RLS
    off there are none: policies then grant nothing, and the caller reports
    the disabled RLS itself.
    """
    if not enabled:
        return []
    documented = set(expected)
    closed = [
        rule.name for rule in patterns.rules if rule.no_client_access and rule.name in documented
    ]
    found: list[tuple[Policy, str]] = []
    for policy in policies:
        if not _for_clients(policy, patterns):
            continue
        roles = effective_roles(policy, patterns)
        shown = ", ".join(sorted(roles))
        if closed:
            found.append((policy, f"lets {shown} reach rows of a table documented as {closed[0]}"))
            continue
        kinds = classify_policy(policy, patterns) - {SERVICE_ROLE}
        if kinds & documented:
            continue
        listed = ", ".join(sorted(documented)) or "none"
        if kinds:
            found.append(
                (
                    policy,
                    f"grants {', '.join(sorted(kinds))} access to {shown}, "
                    f"which the spec does not document (documented: {listed})",
                )
            )
        else:
            found.append(
                (
                    policy,
                    f"grants {shown} access that matches no documented kind "
                    f"(documented: {listed}){_condition(policy)}",
                )
            )
    return found


def _condition(policy: Policy) -> str:
    parts = []
    if policy.using is not None:
        parts.append(f"USING {yamlnodes.clip(policy.using, 60)}")
    if policy.with_check is not None:
        parts.append(f"WITH CHECK {yamlnodes.clip(policy.with_check, 60)}")
    return f": {'; '.join(parts)}" if parts else ""
