"""The specs' descriptions as a migration: `COMMENT ON TABLE` from `purpose`, `COMMENT ON
COLUMN` from column notes, so that Supabase Studio, generated types and the reference show
the text the document holds (and `comments: strict` then verifies it).

Identifiers are always double-quoted (a spec's names are exact, whatever their case or
spelling) and texts are string literals that read the same whatever the server's
`standard_conforming_strings`: an `E'...'` literal when the text holds a backslash.  The
output is deterministic: specs in load order, columns in spec order.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemaverify.model.spec import SpecSet, TableSpec

KEYWORDS = {
    "table": "TABLE",
    "partitioned table": "TABLE",
    "view": "VIEW",
    "materialized view": "MATERIALIZED VIEW",
    "foreign table": "FOREIGN TABLE",
}
"""COMMENT ON's word for each relation kind: PostgreSQL refuses `COMMENT ON TABLE` on a view."""


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    body = text.replace("'", "''")
    if "\\" in text:
        return "E'" + body.replace("\\", "\\\\") + "'"
    return "'" + body + "'"


def _one_line(text: str) -> str:
    """A path for a `--` comment: any line break (\n, \r, ...) would end the comment and
    let the rest of the name be read as SQL."""
    return " ".join(text.splitlines())


def _statements(spec: TableSpec, kind: str) -> list[str]:
    table = f"{ident(spec.table.schema)}.{ident(spec.table.name)}"
    out: list[str] = []
    if spec.purpose:
        out.append(f"COMMENT ON {KEYWORDS.get(kind, 'TABLE')} {table} IS {literal(spec.purpose)};")
    documented = {c.name for c in spec.table.columns}
    for name, doc in spec.columns_doc.items():
        if doc.note and name in documented:
            out.append(f"COMMENT ON COLUMN {table}.{ident(name)} IS {literal(doc.note)};")
    return out


def render(specs: SpecSet, source: str, kinds: Mapping[str, str] | None = None) -> str:
    """The migration; `kinds` (qualified name -> relation kind, from a catalog) says which
    specs document views; without it, or for a relation it lacks, a spec is a table."""
    lines = [
        f"-- COMMENT ON statements from the specs in {_one_line(source)}",
        "-- (schemaverify comments-sql): table purposes and column notes.",
    ]
    for spec in specs.specs:
        statements = _statements(spec, (kinds or {}).get(spec.qualified, "table"))
        if statements:
            lines.append("")
            lines.append(f"-- {_one_line(spec.path)}")
            lines.extend(statements)
    return "\n".join(lines) + "\n"
