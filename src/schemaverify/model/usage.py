"""What code does with the database: one `CodeReference` per place that names a table,
a view, a function (RPC) or a storage bucket.

Scanners (sources/code/) produce references from source files with real parsers; the
rules (rules/usage.py) compare them with a catalog and the specs; reports and the
reference document read them.  A reference records only what the code shows literally:
a name passed through a variable the scanner cannot follow is an unresolved reference
(`unresolved` says why), never a guess, and a column list is only as complete as the
code spells it (`all_columns` for `*`, `partial` when part of it is dynamic).
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATIONS = ("select", "insert", "upsert", "update", "delete", "merge", "rpc", "storage")
"""What a reference does.  `rpc` calls a function; `storage` names a bucket; `merge` is
SQL's MERGE (reads and writes)."""

WRITES = ("insert", "upsert", "update", "delete", "merge")

COMMANDS: dict[str, tuple[str, ...]] = {
    "select": ("select",),
    "insert": ("insert",),
    "upsert": ("insert", "update"),
    "update": ("update",),
    "delete": ("delete",),
    "merge": ("select", "insert", "update", "delete"),
}
"""The SQL commands (access-matrix columns) each table operation needs.  An upsert is an
INSERT ... ON CONFLICT DO UPDATE: both privileges and both policies apply."""

TARGETS = ("table", "function", "bucket")
"""What a reference names: a table or view (`.from`, SQL), a function (`.rpc`), a storage
bucket (`storage.from`, kept apart from tables)."""

VIAS = ("supabase-js", "supabase-py", "sql")
"""How the code reaches the database: a Supabase client (PostgREST) or SQL text."""

PRIVILEGES = ("service", "public", "unknown")
"""Who the request runs as, when the code shows it.

- `service`: a client created with the service-role key or a secret key (`sb_secret_...`,
  an environment variable named like `SERVICE_ROLE` or `SECRET_KEY`): PostgREST runs it as
  `service_role`, which bypasses row-level security.
- `public`: a client created with the anon or publishable key, or a browser client
  (`createBrowserClient`, a `'use client'` module): it runs as `anon`, or as
  `authenticated` once a user signs in, so both roles' access applies.
- `unknown`: anything else (a client from a helper the scanner cannot follow, SQL over a
  direct connection whose role the code does not name)."""


@dataclass(frozen=True, order=True)
class CodeReference:
    path: str
    """POSIX path of the file, relative to the scanned folder's parent as given on the
    command line (`examples/shop/app/page.tsx`), so findings link like spec paths."""
    line: int
    """1-based line of the call (the `.from(` or the SQL string)."""
    column: int
    """1-based column."""
    via: str
    """One of VIAS."""
    operation: str
    """One of OPERATIONS."""
    name: str | None
    """The target's name as the database spells it (quotes removed, case kept for quoted
    SQL identifiers, folded for unquoted ones); None when unresolved."""
    schema: str | None = None
    """The schema the code names (`.schema('app')`, `app.orders` in SQL); None for the
    default (`public` for PostgREST, the search path for SQL)."""
    target: str = "table"
    """One of TARGETS."""
    columns: tuple[str, ...] = ()
    """The columns the code names literally, in order of first appearance, without
    duplicates: selected, filtered, ordered, inserted or updated keys, `onConflict`."""
    all_columns: bool = False
    """The code selects `*` (every column): nothing to check column by column."""
    partial: bool = False
    """Part of the column list is dynamic (a spread, a computed key, a variable column
    list): `columns` holds only the literal part."""
    privilege: str = "unknown"
    """One of PRIVILEGES."""
    unresolved: str | None = None
    """Why the name could not be resolved (`table name from variable tableName`,
    `SQL does not parse: ...`), None when `name` is known."""
    embedded_in: str | None = None
    """For a resource embedded in a select (`select('id, customer(name)')`): the name of the
    table it is embedded in.  PostgREST resolves the embedded name as a table or view, or as
    a foreign-key column or constraint of the parent, so it is not a missing table merely
    because no relation has that name."""
    client: tuple[str, str] | None = None
    """Where the client came from when this file does not show its privilege: (module
    specifier as written in the import, imported name), e.g. `('@/lib/supabase/admin',
    'createAdminClient')`; scan.py resolves it against the exporting file's `exports`."""

    @property
    def place(self) -> str:
        """`path:line:column`, the form findings' locations take."""
        return f"{self.path}:{self.line}:{self.column}"

    def qualified(self, default_schema: str = "public") -> str | None:
        if self.name is None:
            return None
        return f"{self.schema or default_schema}.{self.name}"


@dataclass(frozen=True)
class Export:
    """A client or client factory a module exports, with the privilege its body shows, so
    that importing modules know who their requests run as."""

    name: str
    privilege: str


@dataclass(frozen=True)
class FileScan:
    """Everything one file tells: its references and the clients it exports."""

    path: str
    references: tuple[CodeReference, ...] = ()
    exports: tuple[Export, ...] = ()
    problems: tuple[str, ...] = ()
    """What could not be read (`line 12: syntax error`), shown as warnings; a file with a
    syntax error is still scanned (tree-sitter recovers), so this never stops a run."""


@dataclass(frozen=True)
class Usage:
    """A scan's result as reports show it: what was scanned, and each reference by the
    catalog object it reaches."""

    code: str
    """The scanned folder as given."""
    files: int
    lines: int
    references: tuple[CodeReference, ...]
    """Every reference found, in file and position order."""
    by_object: tuple[tuple[str, tuple[CodeReference, ...]], ...] = ()
    """(qualified relation or function, its references), sorted by name: the references
    that reach an existing object (embedded resources by the relation they reach)."""
    problems: tuple[str, ...] = ()

    def of(self, qualified: str) -> tuple[CodeReference, ...]:
        for name, refs in self.by_object:
            if name == qualified:
                return refs
        return ()
