"""Read the access vocabulary (`access_patterns.yaml`, and a project's own file) into
model.vocabulary's AccessPatterns, with `file:line` for every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlglot import exp

from schemaverify.errors import SpecError
from schemaverify.model import normalize
from schemaverify.model.schema import POLICY_COMMANDS
from schemaverify.model.vocabulary import (
    REFERENCE_KEYS,
    SERVICE_ROLE,
    AccessPatterns,
    KindRule,
    ValueTest,
)
from schemaverify.sources.specs import yamlnodes
from schemaverify.sources.specs.yamlnodes import Map, Node, Scalar, Seq

PACKAGE_FILE = "access_patterns.yaml"
_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KIND_KEYS = (
    "description",
    "no_client_access",
    "roles",
    "commands",
    "using_true",
    "column_equals",
    "references",
)
_TOP_KEYS = (
    "version",
    "client_roles",
    "service_roles",
    "signed_out_roles",
    "role_expressions",
    "anonymous_expressions",
    "kinds",
)
_VALUE_KEYS = ("expression", "in")


def load_patterns(extra: Path | None = None) -> AccessPatterns:
    """The built-in vocabulary, extended by the user's file when given.

    Raises SpecError (`file:line: reason`, every problem at once) when a file
    is malformed; a problem in the built-in file is a packaging bug but is
    reported the same way.
    """
    builtin_path = f"schemaverify/{PACKAGE_FILE}"
    resource = resources.files("schemaverify.sources.specs").joinpath(PACKAGE_FILE)
    text = resource.read_text(encoding="utf-8")
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
        self.signed_out_roles: list[str] = []
        self.role_expressions: list[str] = []
        self.anonymous_expressions: list[str] = []
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
        self.signed_out_roles += self._roles(root.get("signed_out_roles"), path, "signed_out_roles")
        for text, line in self._strings(root.get("role_expressions"), path, "role_expressions"):
            sql = self._sql(text, line, path, "role_expressions")
            if sql is not None:
                self.role_expressions.append(sql)
        for text, line in self._strings(
            root.get("anonymous_expressions"), path, "anonymous_expressions"
        ):
            sql = self._sql(text, line, path, "anonymous_expressions")
            if sql is not None:
                self.anonymous_expressions.append(sql)
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
            if key not in REFERENCE_KEYS:
                self.problem(
                    path,
                    entry.key.line,
                    f"unknown key {key!r} in 'references' of kind '{kind}'"
                    f"{yamlnodes.suggest(key, REFERENCE_KEYS)}; "
                    f"expected one of: {', '.join(REFERENCE_KEYS)}",
                )
                continue
            if key == "values":
                tests = self._value_tests(entry.value, path, kind)
                current = values.get("values", ())
                values["values"] = (*current, *(t for t in tests if t not in current))
                continue
            names = [text.lower() for text, _ in self._strings(entry.value, path, key)]
            if key == "functions":
                names = [".".join(part.strip() for part in n.split(".")) for n in names]
            self._extend(values, key, names)

    def _value_tests(self, node: Node, path: str, kind: str) -> list[ValueTest]:
        """`values: [{expression: SQL, in: [literal, ...]}, ...]` of one kind."""
        if not isinstance(node, Seq):
            self.problem(
                path,
                node.line,
                f"'values' of kind '{kind}' must be a list of mappings "
                f"{{expression: SQL, in: [values]}}, got {yamlnodes.describe(node)}",
            )
            return []
        tests: list[ValueTest] = []
        for item in node.items:
            if not isinstance(item, Map):
                self.problem(
                    path,
                    item.line,
                    f"each entry of 'values' of kind '{kind}' must be a mapping "
                    f"{{expression: SQL, in: [values]}}, got {yamlnodes.describe(item)}",
                )
                continue
            for entry in item:
                if entry.key.value not in _VALUE_KEYS:
                    key = str(entry.key.value)
                    self.problem(
                        path,
                        entry.key.line,
                        f"unknown key {key!r} in 'values' of kind '{kind}'"
                        f"{yamlnodes.suggest(key, _VALUE_KEYS)}; expected: expression, in",
                    )
            test = self._value_test(item, path, kind)
            if test is not None:
                tests.append(test)
        return tests

    def _value_test(self, item: Map, path: str, kind: str) -> ValueTest | None:
        source, allowed = item.get("expression"), item.get("in")
        if source is None or allowed is None:
            self.problem(
                path, item.line, f"an entry of 'values' of kind '{kind}' needs expression and in"
            )
            return None
        if not (isinstance(source, Scalar) and isinstance(source.value, str)):
            self.problem(path, source.line, "'expression' must be SQL text")
            return None
        sql = self._sql(source.value, source.line, path, "values")
        literals = [text for text, _ in self._strings(allowed, path, "in")]
        if sql is None or not literals:
            return None
        return ValueTest(sql, _bare_column(sql), tuple(dict.fromkeys(literals)))

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
            signed_out_roles=_unique(self.signed_out_roles),
            role_expressions=_unique(self.role_expressions),
            anonymous_expressions=_unique(self.anonymous_expressions),
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


def _bare_column(sql: str) -> str | None:
    """The name when the SQL is an unqualified column (`role`): it then stands for that
    column of any table a policy reads (`om.role`, `members.role`)."""
    tree = normalize.parse_expression(sql)
    return tree.name.lower() if isinstance(tree, exp.Column) and not tree.table else None


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
