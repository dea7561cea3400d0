"""Findings about migration files: not about a table, but about a place in a file.

Conventions (shared with the report formats): `table` is empty, `object` is
the file path as given (or `path:line:column` where a file may hold several
findings of a kind that must each keep their own fingerprint, such as
`migration_unsafe`: a baseline entry for one unsafe statement must never
accept another), `location` is `path:line:column`, and `extra` always
carries file, line, column, sqlstate and statement.
"""

from __future__ import annotations

from typing import Any

from ..findings import Finding, make
from .source import MigrationFile


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
    return make(
        "",
        kind,
        identity or mfile.name,
        message,
        location=f"{mfile.name}:{line}:{column}",
        extra=extra,
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
