"""Findings about migration files: not about a table, but about a place in a file.

Conventions (shared with the report formats): `table` is empty, `object` is
the file path as given (or `path:line:column` for `migration_unsafe`), the
structural key (`Finding.key`, hence the fingerprint) is the file for
`migration_failed` (one per file) and `path:line:column` for every other kind,
so a baseline entry for one statement never accepts another; `location` is
`path:line:column`, and `extra` always carries file, line, column, sqlstate and
statement.
"""

from __future__ import annotations

from typing import Any

from schemaverify.model.findings import Finding, make
from schemaverify.sources.migrations.source import MigrationFile


def placed(
    kind: str,
    mfile: MigrationFile,
    line: int,
    column: int,
    message: str,
    *,
    statement: str = "",
    sqlstate: str | None = None,
    identity: str | None = None,
    **details: Any,
) -> Finding:
    extra: dict[str, Any] = {
        "file": mfile.name,
        "line": line,
        "column": column,
        "sqlstate": sqlstate,
        "statement": statement,
    }
    extra.update({key: value for key, value in details.items() if value is not None})
    place = f"{mfile.name}:{line}:{column}"
    return make(
        "",
        kind,
        identity or mfile.name,
        message,
        location=place,
        extra=extra,
        # One failure per file (the file is rolled back at its first error), so a failure is
        # keyed by its file; every other kind by its statement, so that 25 hazards in 5 files
        # are 25 baseline entries, and a new one in a baselined file is not accepted.
        key=identity or (mfile.name if kind == "migration_failed" else place),
    )


def at_offset(
    kind: str,
    mfile: MigrationFile,
    offset: int,
    message: str,
    *,
    statement: str = "",
    sqlstate: str | None = None,
    identity: str | None = None,
    **details: Any,
) -> Finding:
    line, column = mfile.line_col(offset)
    return placed(
        kind,
        mfile,
        line,
        column,
        message,
        statement=statement,
        sqlstate=sqlstate,
        identity=identity,
        **details,
    )
