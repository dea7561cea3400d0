"""The references of a `.sql` file of application code (queries, reports, views' bodies
kept beside the code), outside the migrations folder.

The file is split the way psql splits it (the migration runner's splitter: strings,
dollar quotes, comments and BEGIN ATOMIC bodies hide semicolons), so each statement keeps
its place in the file and one statement that does not parse spoils only itself.  Only
statements that read or write rows are parsed: DDL and session commands name no row a
role reads, and a file of them costs no parse.  A seed file's thousands of `INSERT ...
VALUES` rows are parsed as one row each: the values name no column, and the statements
then repeat, so the parse cache answers them.
"""

from __future__ import annotations

from schemaverify.model.usage import CodeReference, FileScan
from schemaverify.sources.code.sqltext import sql_targets, unparsed
from schemaverify.sources.migrations.sqltext import LineIndex, scan, tokens

__all__ = ["scan_sql_file"]

_DML_WORDS = frozenset({"select", "with", "insert", "update", "delete", "merge", "values", "table"})
_WORD_OPERATIONS = {"insert": "insert", "update": "update", "delete": "delete", "merge": "merge"}


def scan_sql_file(path: str, source: bytes) -> FileScan:
    """Every table each statement of the file reads or writes, at the table's name."""
    text = source.decode("utf-8", errors="replace")
    statements = scan(text)
    index = LineIndex(text)
    references: list[CodeReference] = []
    for i in range(len(statements)):
        words = statements.words(i)
        if not words or words[0] not in _DML_WORDS:
            continue
        start, end = statements.span(i)
        statement = text[start:end]
        if words[0] == "insert" and "select" not in words:
            statement = _one_row(statement)
        targets, problem = sql_targets(statement)
        line, column = index.line_col(start)
        if problem is not None:
            operation = _WORD_OPERATIONS.get(words[0], "select")
            references.append(unparsed(path, line, column, operation, problem))
            continue
        for target in targets:
            if target.line == 1:
                place = (line, column + target.column - 1)
            else:
                place = (line + target.line - 1, target.column)
            references.append(target.reference(path, place[0], place[1]))
    references.sort(key=lambda r: (r.line, r.column))
    return FileScan(path, tuple(references))


def _one_row(statement: str) -> str:
    """An `INSERT ... VALUES (...), (...), ...` with its rows replaced by one `(DEFAULT)`:
    what comes before the rows (the table, the column list) keeps its place, and what
    follows them (ON CONFLICT, RETURNING) is kept too."""
    depth = 0
    rows_start: int | None = None
    rows_end: int | None = None
    expect_row = False
    for token in tokens(statement):
        value = token.value
        if token.kind == "other" and value == "(":
            if depth == 0 and expect_row:
                if rows_start is None:
                    rows_start = token.start
                expect_row = False
            depth += 1
        elif token.kind == "other" and value == ")":
            depth -= 1
            if depth == 0 and rows_start is not None:
                rows_end = token.start + 1
        elif depth == 0:
            starts_rows = token.kind == "word" and value == "values" and rows_start is None
            next_row = token.kind == "other" and value == "," and rows_end is not None
            if starts_rows or next_row:
                expect_row = True
            elif rows_start is not None:
                break
    if rows_start is None or rows_end is None:
        return statement
    return statement[:rows_start] + "(DEFAULT)" + statement[rows_end:]
