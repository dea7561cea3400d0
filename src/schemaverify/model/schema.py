"""The canonical schema model shared by specs, the live catalog and snapshots.

Both sides of a comparison are turned into these objects at the edges (the
spec loader and the catalog reader), already normalized: type names are
canonical (`integer`, not `int4`), expressions are sqlglot-normalized SQL
text, FK actions are lower-case words.  The diff therefore compares plain
values and never needs to know where a value came from.

`None` on a field means "not stated": specs may leave things out, and the
diff skips what the spec does not state.  The live side always fills fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FK_ACTIONS = ("no action", "restrict", "cascade", "set null", "set default")
POLICY_COMMANDS = ("all", "select", "insert", "update", "delete")
INDEX_METHODS = ("btree", "hash", "gin", "gist", "spgist", "brin", "hnsw", "ivfflat")


@dataclass(frozen=True)
class TypeRef:
    """A normalized column type.

    `name` is PostgreSQL's canonical spelling without modifier and without
    schema (`character varying`, `timestamp with time zone`, `vector`);
    `modifier` is the text inside the parentheses (`10,2`, `1536`) or None
    when not given; `array_dims` counts `[]`.
    """

    name: str
    modifier: str | None = None
    array_dims: int = 0

    def __str__(self) -> str:
        text = self.name
        if self.modifier is not None:
            head, _, tail = self.name.partition(" ")
            # PostgreSQL places the modifier inside multi-word time types.
            if head in ("timestamp", "time") and tail.endswith("time zone"):
                text = f"{head}({self.modifier}) {tail}"
            else:
                text = f"{self.name}({self.modifier})"
        return text + "[]" * self.array_dims

    def accepts(self, live: TypeRef) -> bool:
        """True when a live type satisfies this (spec) type.

        A spec type without modifier accepts any modifier of the same type,
        so `numeric` documents `numeric(10,2)`; with a modifier it must match.
        """
        if self.name != live.name or self.array_dims != live.array_dims:
            return False
        return self.modifier is None or self.modifier == live.modifier


@dataclass(frozen=True)
class Column:
    name: str
    type: TypeRef
    nullable: bool | None = None
    default: str | None = None
    """Normalized default expression; None when absent (live) or not stated (spec)."""
    identity: str | None = None
    """'always' / 'by default' for identity columns, None otherwise."""
    generated: str | None = None
    """Normalized expression of a generated column."""
    generated_kind: str | None = None
    """`stored` or `virtual` (PostgreSQL 18) for a generated column; None otherwise (live) or
    not stated (spec)."""
    not_null_validated: bool = True
    """Live: False when the column's NOT NULL is `NOT VALID` (PostgreSQL 18): new rows are
    checked, rows that existed when it was added may still hold NULL."""
    comment: str | None = None
    """Live: `COMMENT ON COLUMN` (a spec's description of a column is its `note`)."""


@dataclass(frozen=True)
class IndexKey:
    expression: str
    """A column name, or the normalized SQL of an expression key."""
    descending: bool = False
    is_expression: bool = False


@dataclass(frozen=True)
class Index:
    keys: tuple[IndexKey, ...]
    name: str | None = None
    unique: bool = False
    method: str = "btree"
    predicate: str | None = None
    """Normalized WHERE predicate; None means not partial (or, in a spec with
    `partial_any`, any predicate)."""
    partial_any: bool = False
    """Spec only: `partial: true` with no predicate accepts any partial index."""
    primary: bool = False
    constraint: str | None = None
    """Live only: name of the constraint the index backs (pkey/unique/exclusion)."""
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    """`NULLS NOT DISTINCT` (PostgreSQL 15+): NULLs count as equal, so a unique index admits
    only one of them."""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(k.expression for k in self.keys)


@dataclass(frozen=True)
class UniqueConstraint:
    columns: tuple[str, ...]
    name: str | None = None
    without_overlaps: bool = False
    """`WITHOUT OVERLAPS` on the last column (PostgreSQL 18): rows conflict when the other
    columns are equal and the last column's ranges overlap, not when they are equal."""
    nulls_not_distinct: bool = False
    """Live: `NULLS NOT DISTINCT` (PostgreSQL 15+)."""


@dataclass(frozen=True)
class PrimaryKey:
    columns: tuple[str, ...]
    name: str | None = None
    without_overlaps: bool = False
    """`WITHOUT OVERLAPS` on the last column (PostgreSQL 18), a temporal primary key."""


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str | None = None
    """One of FK_ACTIONS; None in a spec means not stated."""
    on_update: str | None = None
    name: str | None = None
    enforced: bool = True
    """False for a `NOT ENFORCED` foreign key (PostgreSQL 18): the database checks nothing,
    so a spec states `enforced: false` to document one."""
    period: bool = False
    """`PERIOD` on the last column pair (PostgreSQL 18), a temporal foreign key: the
    referenced rows' ranges must together cover the referencing range."""

    @property
    def ref_qualified(self) -> str:
        return f"{self.ref_schema}.{self.ref_table}"


@dataclass(frozen=True)
class Policy:
    name: str
    command: str = "all"
    """One of POLICY_COMMANDS."""
    roles: tuple[str, ...] = ("public",)
    """Role names, lower-cased as stored; `public` is PUBLIC."""
    permissive: bool = True
    using: str | None = None
    """Normalized USING expression."""
    with_check: str | None = None
    """Normalized WITH CHECK expression."""


@dataclass(frozen=True)
class MatrixCell:
    """Spec only: one stated cell of the access matrix (see accessmatrix.py).

    `access` is a tuple of words so that a union of row scopes (`[owner, admin]`) can be
    stated; a single word (`none`, `no rows`, `all rows`, `unconditional`, `conditional`
    or an access kind) is a one-word tuple.
    """

    role: str
    """Role name as stored (lower-cased unless quoted); `public` is PUBLIC."""
    command: str
    """select | insert | update | delete."""
    access: tuple[str, ...]


@dataclass(frozen=True)
class CheckConstraint:
    """A CHECK constraint, as PostgreSQL prints it (pg_get_expr): read for the columns'
    allowed values (rules/values.py), so it is parsed only when a spec documents some."""

    name: str
    expression: str
    columns: tuple[str, ...] = ()
    """The columns it references, in attnum order."""
    enforced: bool = True
    """False for PostgreSQL 18's `NOT ENFORCED`: recorded, never checked."""
    validated: bool = True
    """False for `NOT VALID`: new rows are checked, rows from before may break it."""


@dataclass(frozen=True)
class Grant:
    """The privileges one grantee holds on a table or function (relacl/proacl, aclexplode).

    Read because table privileges decide whether a client role reaches a table at all
    (RLS only narrows what a privilege allows) and EXECUTE decides who may call a function.
    """

    grantee: str
    """Role name; `public` is PUBLIC."""
    privileges: tuple[str, ...]
    """Lower-case privilege names, sorted: select, insert, update, delete, truncate, ... execute."""


@dataclass(frozen=True)
class Role:
    """A role of the cluster: what decides whether row-level security applies to it."""

    name: str
    superuser: bool = False
    bypassrls: bool = False
    member_of: tuple[str, ...] = ()
    """Roles it is a direct member of (their privileges, and the policies naming them, apply
    to it too)."""
    schema_usage: tuple[str, ...] = ()
    """The read schemas it may use (USAGE, directly, through membership or PUBLIC): without
    it no table of the schema is reachable, whatever the table's privileges."""


@dataclass(frozen=True)
class Function:
    """A function or procedure of a read schema (not one of an extension).

    Only what security advice needs: a SECURITY DEFINER function runs with its owner's
    rights, so who may call it and whether its search_path is fixed matter.
    """

    schema: str
    name: str
    arguments: str = ""
    """Identity arguments as PostgreSQL prints them, e.g. `org uuid, n integer`."""
    returns: str = ""
    """Result type as PostgreSQL prints it (`uuid`, `trigger`, `SETOF record`); empty for
    procedures."""
    security_definer: bool = False
    search_path: str | None = None
    """The function's own `SET search_path` value, None when it has none."""
    owner: str = ""
    grants: tuple[Grant, ...] = ()
    """Who holds EXECUTE (the default ACL when none was set: the owner and PUBLIC)."""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def signature(self) -> str:
        return f"{self.name}({self.arguments})"


@dataclass(frozen=True)
class Rls:
    enabled: bool | None = None
    forced: bool | None = None
    access: tuple[str, ...] = ()
    """Spec only: expected access kinds from the access vocabulary."""
    policies: tuple[Policy, ...] = ()
    """Live: every policy. Spec: explicitly expected policies (by name)."""
    access_matrix: tuple[MatrixCell, ...] = ()
    """Spec only: expected cells of the effective access matrix (`rls.access_matrix`)."""
    anonymous_writes: bool | None = None
    """Spec only: False when users who signed in anonymously must not write rows (they hold
    the `authenticated` role; `advise --specs` checks the write policies exclude them)."""


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rls: Rls | None = None
    kind: str = "table"
    """table | partitioned table | view | materialized view | foreign table."""
    owner: str | None = None
    """Live: the owning role (row-level security does not apply to it unless forced)."""
    grants: tuple[Grant, ...] = ()
    """Live: table privileges per grantee, sorted by grantee (column privileges are not read)."""
    security_invoker: bool = False
    """Live, views: `security_invoker` is set (PostgreSQL 15+), so the view reads its tables
    with the caller's rights and row-level security instead of its owner's."""
    comment: str | None = None
    """Live: `COMMENT ON TABLE` (a spec's description of a table is its `purpose`)."""
    checks: tuple[CheckConstraint, ...] = ()
    """Live: CHECK constraints, sorted by name."""
    reads: tuple[str, ...] = ()
    """Live, views: the qualified relations its query reads (from its rewrite rule's
    dependencies), sorted: whose privileges and policies decide what a caller sees."""
    verbatim: bool = False
    """Live: its expressions (defaults, generated columns, index keys and predicates,
    policies) are as PostgreSQL printed them, not normalized.  A check reads a table no
    spec documents for its name, kind and privileges, and classifies its policies (which
    parses them, whatever the spelling): normalizing what no comparison reads would cost
    most of a large check (see `read_catalog(..., normalized=...)`)."""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None


@dataclass(frozen=True)
class Partition:
    """A partition the read skipped: named so a spec of it is told apart from a missing table."""

    schema: str
    name: str
    parent: str
    """The partitioned table's qualified name."""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


USER_TYPE_KINDS = ("base", "composite", "domain", "enum", "multirange", "range")


@dataclass(frozen=True)
class UserType:
    """A type defined outside pg_catalog (an enum, a domain, an extension's base type):
    what an unqualified type name in a spec can resolve to besides the built-in ones."""

    schema: str
    name: str
    kind: str
    """One of USER_TYPE_KINDS."""
    labels: tuple[str, ...] = ()
    """An enum's labels, in their sort order (what the type allows)."""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Catalog:
    """A whole live schema (one or many PostgreSQL schemas) as read at one instant."""

    tables: tuple[Table, ...]
    server_version: int = 0
    """server_version_num, e.g. 180006."""
    schemas: tuple[str, ...] = ()
    """The schemas that were read (so a missing table is told apart from an unread schema)."""
    query_count: int = 0
    """How many catalog queries produced this (constant whatever the table count)."""
    source: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Redacted description of where the catalog came from."""
    roles: tuple[Role, ...] = ()
    """Every role of the cluster except the predefined `pg_*` ones, sorted by name."""
    functions: tuple[Function, ...] = ()
    """Functions and procedures of the read schemas, sorted by schema, name, arguments."""
    partitions: tuple[Partition, ...] = ()
    """Partitions of the read schemas that are not among `tables` (partitions are read as
    tables only when asked for), sorted by qualified name."""
    types: tuple[UserType, ...] = ()
    """Types of every schema but PostgreSQL's own (not only the read ones: an enum or an
    extension type lives wherever it was created), sorted by schema and name.  Array types
    are left out: `mood[]` resolves through `mood`."""

    def role(self, name: str) -> Role | None:
        for r in self.roles:
            if r.name == name:
                return r
        return None

    def table(self, qualified: str) -> Table | None:
        for t in self.tables:
            if t.qualified == qualified:
                return t
        return None

    def by_name(self) -> dict[str, Table]:
        return {t.qualified: t for t in self.tables}
