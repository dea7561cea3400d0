"""The spec model: what one YAML file says about one table.

The expected structure is a canonical `model.Table`, so the diff compares it
with the live table like with like.  Everything else here is documentation
(prose, certainty, provenance) and the line of each object in the YAML file,
which findings cite as `specs/x.yaml:14`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from schemaverify.model.schema import Table

CERTAINTIES = ("estimated", "likely", "verified")
SPEC_FORMAT_VERSION = 1

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class IgnoreRule:
    """Suppress one finding kind (optionally for one object) on this table."""

    kind: str
    object: str | None = None
    reason: str | None = None
    line: int = 0


@dataclass(frozen=True)
class ColumnDoc:
    note: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeUse:
    """A column type the spec names that is neither built into PostgreSQL nor a known
    extension type, written without a schema: a user's enum or domain, or a typo.  It
    resolves against the configured `types` and, with a live source, the catalog's."""

    name: str
    """The type's canonical name (`mood`, `txt`), as its TypeRef holds it."""
    line: int
    label: str
    """Where in the spec: `columns[2].type`."""


@dataclass(frozen=True)
class VerifiedStamp:
    """`verified: {date, against}`: the day `schemaverify adopt` last found every documented
    fact of the table true, and against what.  Kept apart from `certainty`, which a person
    may also set: the stamp says which source backs the claim, so a reader can tell a check
    of last year's migrations from one of today's production database."""

    date: str
    """YYYY-MM-DD (UTC)."""
    against: str | None = None
    """The source as reports describe it (`migrations supabase/migrations`; never a password)."""


@dataclass(frozen=True)
class TableSpec:
    table: Table
    path: str
    """Path of the YAML file as given on the command line (relative paths stay relative)."""
    line: int = 1
    lines: Mapping[str, int] = field(default_factory=lambda: _EMPTY, compare=False, hash=False)
    """Line of each object in the file.  Keys: `table`, `column:<name>`,
    `primary_key`, `unique:<col,col>`, `index:<n>` (0-based position in
    `indexes`), `fk:<n>`, `rls`, `rls.access`, `policy:<name>`."""
    certainty: str = "verified"
    purpose: str | None = None
    usage: str | None = None
    category: str | None = None
    source: str | None = None
    """Where the spec was transcribed from, e.g. `docs/UNDOCUMENTED_TABLES.md:48`."""
    verified: VerifiedStamp | None = None
    columns_doc: Mapping[str, ColumnDoc] = field(default_factory=dict, compare=False, hash=False)
    index_notes: Mapping[int, str] = field(default_factory=dict, compare=False, hash=False)
    ignore: tuple[IgnoreRule, ...] = ()
    unresolved_types: tuple[TypeUse, ...] = ()
    api: str | None = None
    """`exposed` or `hidden`: whether the Data API may reach the table (rules/api.py)."""
    comments: str | None = None
    """`strict`: compare `purpose` and column notes with the database's comments; `off`: do
    not, whatever the configuration says; None: as the configuration says."""

    @property
    def qualified(self) -> str:
        return self.table.qualified

    def where(self, key: str | None = None) -> str:
        """`path:line` of an object, falling back to the table's own line."""
        line = self.lines.get(key, self.line) if key else self.line
        return f"{self.path}:{line}"


@dataclass(frozen=True)
class SpecSet:
    """All specs of a folder, keyed by qualified table name."""

    specs: tuple[TableSpec, ...]

    def by_name(self) -> dict[str, TableSpec]:
        return {s.qualified: s for s in self.specs}
