"""The edits `adopt` makes to one spec file, as values: here in the model, below both the
planner (pipeline/adopt) that makes them and the rewriter (sources/specs/rewrite.py) that
applies them.

Each operation names its target the way the spec model does (a column by its stored name,
an index by its position in `indexes`, a foreign key by its columns), never by a YAML path:
the planner does not know the file's layout, and the rewriter finds the node itself (a
foreign key may be a `foreign_keys` entry or a column's `references`).  Values are model
values (TypeRef, Index, ForeignKey, ...) already normalized; the rewriter spells them.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemaverify.model.schema import Column, ForeignKey, Index, Policy, TypeRef

ADOPT_KINDS = ("columns", "keys", "indexes", "foreign_keys", "rls", "values", "api")
"""What `--only` selects: the fact kinds adopt writes (all by default)."""


@dataclass(frozen=True)
class SetColumnType:
    column: str
    type: TypeRef


@dataclass(frozen=True)
class SetNullable:
    column: str
    nullable: bool


@dataclass(frozen=True)
class SetDefault:
    column: str
    default: str | None
    """None removes the documented default (the column has none)."""


@dataclass(frozen=True)
class SetIdentity:
    column: str
    identity: str | None


@dataclass(frozen=True)
class SetGenerated:
    column: str
    expression: str | None
    kind: str | None


@dataclass(frozen=True)
class SetValues:
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AddColumn:
    column: Column
    """The live column, written with its type, nullability, default, identity, generation."""


@dataclass(frozen=True)
class RemoveColumn:
    """A documented column the table does not have.  Every index, unique set, primary key
    list entry and foreign key of the spec naming it goes too: the spec would not load
    otherwise, and each of them is missing from the database as well."""

    column: str


@dataclass(frozen=True)
class SetPrimaryKey:
    columns: tuple[str, ...]
    """Empty: the table has no primary key."""
    without_overlaps: bool = False


@dataclass(frozen=True)
class RemoveUnique:
    columns: tuple[str, ...]


@dataclass(frozen=True)
class AddIndex:
    index: Index


@dataclass(frozen=True)
class ReplaceIndex:
    """The index at `position` gets the live index's structure; its name and note stay."""

    position: int
    index: Index


@dataclass(frozen=True)
class RemoveIndex:
    position: int


@dataclass(frozen=True)
class AddForeignKey:
    foreign_key: ForeignKey


@dataclass(frozen=True)
class ReplaceForeignKey:
    """The documented key on `columns` gets the live key's target, actions, enforcement and
    PERIOD (only what differs is rewritten)."""

    columns: tuple[str, ...]
    foreign_key: ForeignKey


@dataclass(frozen=True)
class RemoveForeignKey:
    columns: tuple[str, ...]


@dataclass(frozen=True)
class SetRlsEnabled:
    """Creates the `rls` block when the spec has none."""

    enabled: bool


@dataclass(frozen=True)
class SetRlsForced:
    forced: bool


@dataclass(frozen=True)
class SetAccessKinds:
    """`rls.access`; empty removes the key."""

    kinds: tuple[str, ...]


@dataclass(frozen=True)
class ReplacePolicy:
    name: str
    policy: Policy


@dataclass(frozen=True)
class RemovePolicy:
    name: str


@dataclass(frozen=True)
class SetApi:
    api: str


@dataclass(frozen=True)
class Stamp:
    """`certainty: verified` and `verified: {date, against}`."""

    date: str
    against: str | None


Operation = (
    SetColumnType
    | SetNullable
    | SetDefault
    | SetIdentity
    | SetGenerated
    | SetValues
    | AddColumn
    | RemoveColumn
    | SetPrimaryKey
    | RemoveUnique
    | AddIndex
    | ReplaceIndex
    | RemoveIndex
    | AddForeignKey
    | ReplaceForeignKey
    | RemoveForeignKey
    | SetRlsEnabled
    | SetRlsForced
    | SetAccessKinds
    | ReplacePolicy
    | RemovePolicy
    | SetApi
    | Stamp
)


@dataclass(frozen=True)
class Left:
    """A drift adopt does not write (an access-matrix cell, a missing table, policies no
    access kind describes): told to the user, so a clean `check` is not promised silently."""

    table: str
    kind: str
    object: str | None
    reason: str


@dataclass(frozen=True)
class SpecPlan:
    """The operations for one spec file, and what it leaves."""

    path: str
    table: str
    operations: tuple[Operation, ...]
    left: tuple[Left, ...] = ()
