"""The neutral structure a Markdown table document is parsed into.

It mirrors what the document *says*, with the line of every statement, and
knows nothing of YAML or of the spec format: `build.py` turns it into spec
mappings and `check.py` reads it for the document's own inconsistencies, so
the Markdown grammar lives in one place (`parser.py`, `grammar.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A line the importer cannot transcribe faithfully, or a document inconsistency."""

    line: int
    reason: str
    table: str | None = None
    """The table whose spec the problem spoils (that spec is not written), if any."""


@dataclass(frozen=True)
class Reference:
    """A foreign key target as written: `customer_configs.id`, `auth.users(id)`."""

    table: str
    columns: tuple[str, ...]
    schema: str | None = None
    """None when not qualified: the document's convention is schema public."""

    def __str__(self) -> str:
        table = f"{self.schema}.{self.table}" if self.schema else self.table
        return f"{table}({', '.join(self.columns)})"


@dataclass(frozen=True)
class DocColumn:
    name: str
    type: str
    """Verbatim (whitespace collapsed): the spec loader normalizes aliases."""
    line: int
    nullable: bool = False
    primary_key: bool = False
    unique: bool = False
    default: str | None = None
    reference: Reference | None = None
    """The column's own `FK → table.column` mark."""
    note: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocIndex:
    line: int
    primary_key: bool = False
    keys: tuple[str, ...] = ()
    """Spec-format keys: `col`, `col DESC`, `(expression)`."""
    unique: bool = False
    method: str | None = None
    where: str | None = None
    partial: bool = False
    note: str | None = None


@dataclass(frozen=True)
class DocForeignKey:
    line: int
    columns: tuple[str, ...]
    target: Reference
    on_delete: str | None = None
    on_update: str | None = None


@dataclass(frozen=True)
class DocRls:
    line: int
    text: str
    access: tuple[str, ...] = ()
    enabled: bool = True
    likely: bool = False


@dataclass(frozen=True)
class DocPart:
    """One `**Label**:` part of a table section."""

    key: str
    """purpose | columns | indexes | foreign_keys | rls | usage."""
    label: str
    """As written, e.g. `Estimated Columns`."""
    line: int
    items: int = 0
    """List items (or text lines) the part holds."""


@dataclass(frozen=True)
class Category:
    """A `## Name (N tables)` heading."""

    name: str
    line: int
    count: int


@dataclass(frozen=True)
class DocTable:
    name: str
    line: int
    schema: str | None = None
    category: Category | None = None
    parts: tuple[DocPart, ...] = ()
    purpose: str | None = None
    usage: str | None = None
    certainty: str | None = None
    """From the columns part label: `Estimated Columns` -> estimated, `Likely ...` -> likely."""
    columns: tuple[DocColumn, ...] = ()
    unreadable_columns: tuple[str, ...] = ()
    """Names of columns whose line was reported as unreadable: not "missing" elsewhere."""
    indexes: tuple[DocIndex, ...] = ()
    foreign_keys: tuple[DocForeignKey, ...] = ()
    rls: DocRls | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def part(self, key: str) -> DocPart | None:
        return next((p for p in self.parts if p.key == key), None)


@dataclass(frozen=True)
class QuickRefRow:
    """A row of the Quick Reference table; `count` is None when the cell is not a number."""

    category: str
    count: int | None
    purpose: str
    line: int


@dataclass(frozen=True)
class TotalClaim:
    """A `**Total ...**: N` line: the number of tables the document says it has."""

    count: int
    line: int


@dataclass(frozen=True)
class Document:
    path: str
    tables: tuple[DocTable, ...]
    categories: tuple[Category, ...] = ()
    quick_reference: tuple[QuickRefRow, ...] = ()
    totals: tuple[TotalClaim, ...] = ()
    problems: tuple[Problem, ...] = ()
    """Lines inside table sections (or table headings) the parser cannot read."""
