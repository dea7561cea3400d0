"""One migration file as read from disk: its text, statements and place lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from schemaverify.sources.migrations.sqltext import (
    LineIndex,
    Statement,
    StatementList,
    scan,
    statement_at,
)


@dataclass(frozen=True)
class MigrationFile:
    path: Path
    text: str
    statements: StatementList
    """Offsets, not objects: a file of millions of statements stays small (see sqltext)."""
    decode_error: tuple[int, int, str] | None = None
    """(line, column, reason) when the file is not UTF-8; the file is then not applied."""
    _index: LineIndex = field(repr=False, compare=False, hash=False, default=LineIndex(""))

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def version(self) -> str | None:
        """The Supabase CLI's key for the file: the digits before the first underscore."""
        stem, sep, _ = self.path.name.partition("_")
        return stem if sep and stem.isdigit() else None

    def line_col(self, offset: int) -> tuple[int, int]:
        return self._index.line_col(offset)

    def place(self, offset: int) -> str:
        line, column = self.line_col(offset)
        return f"{self.path}:{line}:{column}"

    def statement_at(self, offset: int) -> Statement | None:
        return statement_at(self.statements, offset)


def read_migration(path: Path) -> MigrationFile:
    """Read a file as UTF-8 (a leading BOM is dropped, as psql does not send it either)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        reason = f"not valid UTF-8 (byte 0x{raw[err.start]:02x})"
        return MigrationFile(path, "", scan(""), (line, column, reason), LineIndex(""))
    del raw  # the decoded text is all that is kept: do not hold the file twice
    if text.startswith("\ufeff"):
        text = text[1:]
    return MigrationFile(path, text, scan(text), None, LineIndex(text))
