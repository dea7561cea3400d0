"""The vocabulary specs and policies are compared in: access kinds and the words of the
access matrix, as data.

Specs (sources/specs) validate against it and rules (rules/access.py, accessmatrix.py)
classify with it, so it lives below both: the model layer.  The built-in kinds and any
project's own are read from YAML by sources/specs/patterns.py.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

SERVICE_ROLE = "service_role"
"""What classify_policy() returns for a policy that applies to service roles alone."""

PUBLIC = "public"
REFERENCE_KEYS = (
    "tables",
    "columns",
    "functions",
    "names_containing",
    "functions_containing",
    "values",
)


@dataclass(frozen=True)
class ValueTest:
    """`<expression> = 'literal'` or `<expression> IN ('a', 'b')` with literals from a list:
    how a policy tests a user attribute (`om.role IN ('admin', 'owner')`)."""

    expression: str
    """Normalized SQL; when it is a bare column name, `column` is set instead."""
    column: str | None
    """Any column of this name, whatever table it is read from (`om.role`, `role`)."""
    values: tuple[str, ...]
    """The literal values that satisfy the test; an IN list must be within them."""


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
    values: tuple[ValueTest, ...] = ()

    @property
    def has_references(self) -> bool:
        return any(getattr(self, key) for key in REFERENCE_KEYS)


@dataclass(frozen=True)
class AccessPatterns:
    kinds: tuple[str, ...]
    """Every kind name a spec may use, in definition order."""
    rules: tuple[KindRule, ...] = ()
    client_roles: tuple[str, ...] = ("anon", "authenticated")
    service_roles: tuple[str, ...] = (SERVICE_ROLE,)
    signed_out_roles: tuple[str, ...] = ()
    """Roles a caller has before signing in (`anon`): a kind whose rule is for other roles
    only (owner, organization: tests of the signed-in user's id) gives them no rows."""
    role_expressions: tuple[str, ...] = ()
    """Normalized SQL whose value is the calling role's name."""
    anonymous_expressions: tuple[str, ...] = ()
    """Normalized SQL that is true for a user who signed in anonymously (Supabase's
    `is_anonymous` claim): such users hold the `authenticated` role too."""
    sources: tuple[str, ...] = field(default=(), compare=False)
    """The files these patterns were read from."""

    def __hash__(self) -> int:
        # Classification caches are keyed by the patterns, looked up per policy and per
        # branch; a dataclass would hash every rule again each time.
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        return hash(
            (
                self.kinds,
                self.rules,
                self.client_roles,
                self.service_roles,
                self.signed_out_roles,
                self.role_expressions,
                self.anonymous_expressions,
            )
        )

    def rule(self, kind: str) -> KindRule | None:
        for rule in self.rules:
            if rule.name == kind:
                return rule
        return None


# --- the access matrix ---------------------------------------------------------

COMMANDS = ("select", "insert", "update", "delete")
"""The columns of the matrix, in SQL's usual order."""

NONE = "none"
NO_ROWS = "no rows"
ALL_ROWS = "all rows"
ROWS = "rows"
UNCONDITIONAL = "unconditional"
CONDITIONAL = "conditional"
LEVELS = (NONE, NO_ROWS, ROWS, ALL_ROWS)
ALONE = (NONE, NO_ROWS, ALL_ROWS, UNCONDITIONAL)
"""Spec words that cannot be combined with others in a list."""
SPEC_WORDS = (NONE, NO_ROWS, ALL_ROWS, UNCONDITIONAL, CONDITIONAL)
"""Words a spec may state for a cell, besides the access kinds of the vocabulary."""


def spec_word(text: str) -> str:
    """A spec's cell word in canonical form: lower case, `no_rows` = `no rows`, and a
    `rows:` prefix (as the matrix prints scopes) dropped."""
    word = " ".join(text.replace("_", " ").lower().split())
    if word.startswith("rows:"):
        word = word[len("rows:") :].strip()
    return word if word in SPEC_WORDS else "_".join(word.split())
