"""The verified reference as Markdown (`schemaverify doc`): what the document says, marked
line by line with what the database showed.

The output is a sequence of named regions between `<!-- schemaverify:begin NAME -->` and
`<!-- schemaverify:end -->` (an overview, a diagram per category, a section per table, the
undocumented tables), so that docmerge.py can put them into a hand-written file and leave
the prose around them alone.  It is deterministic: no timestamp but the stamp's date, which
only an option or a snapshot gives, and every list in a fixed order; `doc --check` relies on
that.  Every string from a spec or a database goes through `escape.markdown` or `code` here,
as names and SQL may hold `|`, backticks, HTML, line breaks or `@mentions`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from schemaverify.escape import markdown, visible
from schemaverify.model.facts import DRIFT, STATUSES, UNVERIFIABLE, VERIFIED, Fact
from schemaverify.model.schema import Column, ForeignKey, Index
from schemaverify.model.values import AllowedValues, fk_text, index_text, policy_text, text
from schemaverify.pipeline.reference import (
    MISSING,
    UNDOCUMENTED,
    Category,
    CodeUse,
    Edge,
    Reference,
    TableEntry,
    status_of,
)
from schemaverify.rules.accessmatrix import COMMANDS

MARKS = {VERIFIED: "✅ verified", DRIFT: "❌ differs", UNVERIFIABLE: "❔ unverifiable"}
BEGIN = "<!-- schemaverify:begin {} -->"
END = "<!-- schemaverify:end -->"


@dataclass(frozen=True)
class Region:
    name: str
    """Stable and marker-safe: `table:public.orders`, percent-encoded past [A-Za-z0-9_.:-]."""
    body: str


def region_name(kind: str, value: str = "") -> str:
    return kind + (":" + quote(value, safe="_.-~") if value else "")


def render(
    reference: Reference, title: str = "Database schema reference", links_from: str = "."
) -> str:
    return join(regions(reference, title, links_from))


def join(parts: Sequence[Region]) -> str:
    return "\n".join(region_text(r) for r in parts)


def region_text(region: Region) -> str:
    """A region with its markers.  A blank line before the end marker: a table or list ending
    the body must end before it in every Markdown reader (GFM continues a table up to a line
    that starts another block, and not every reader counts a comment as one)."""
    return f"{BEGIN.format(region.name)}\n{region.body}\n{END}\n"


def regions(reference: Reference, title: str, links_from: str = ".") -> list[Region]:
    """The reference's regions; links to code files are relative to `links_from`, the
    folder the reference is written to."""
    out = [Region("overview", _overview(reference, title))]
    for category in reference.categories:
        out.append(Region(region_name("category", category.name), _category(category)))
        for entry in category.tables:
            out.append(
                Region(region_name("table", entry.spec.qualified), _table(entry, links_from))
            )
    out.append(Region("undocumented", _undocumented(reference)))
    return out


# --- escaping ---------------------------------------------------------------------------


def code(value: str, *, in_table: bool = False) -> str:
    """An inline code span of one line: SQL and type names read as written, nothing in them
    renders (HTML, emphasis, mentions), a backtick run cannot close the span early."""
    body = visible(value)
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(m) for m in re.findall("`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith(("`", " ")) or body.endswith(("`", " ")) or not body else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _mark(facts: Sequence[Fact], *, shown: bool = True) -> str:
    """The mark of a line; for differences, what the database has (when it has anything)."""
    status = status_of(facts)
    if status is None:
        return ""
    if status != DRIFT or not shown:
        return MARKS[status]
    has = [_actual(f) for f in facts if f.status == DRIFT]
    what = "; ".join(dict.fromkeys(h for h in has if h))
    return MARKS[DRIFT] + (f": {what}" if what else "")


_ABSENT = {
    "table": "not in the database",
    "column": "not in the database",
    "index": "not in the database",
    "foreign_key": "not in the database",
    "rls.policy": "not in the database",
    "primary_key": "the database has no primary key",
    "unique": "the database has no unique constraint or index on these columns",
    "column.default": "the database has no default",
    "column.generated": "the column is not generated",
    "column.identity": "the column is no identity column",
    "column.values": "nothing in the database enforces these values",
    "rls.access": "no policy grants it",
    "table.comment": "the database has no comment",
    "column.comment": "the database has no comment",
}


def _actual(fact: Fact) -> str:
    """What the database has, for a line marked as differing: its value, or its absence."""
    if fact.subject == "rls.policy_within_access":
        return f"it grants access outside the documented ({markdown(text(fact.expected))})"
    if fact.actual is None:
        return _ABSENT.get(fact.subject, "the database has none")
    if fact.subject == "column":
        return ""
    if fact.subject == "rls.access":
        return "the policies grant " + markdown(text(fact.actual))
    if fact.subject == "column.nullable" and isinstance(fact.actual, bool):
        return "the database has " + ("NULL" if fact.actual else "NOT NULL")
    return "the database has " + markdown(text(fact.actual))


def _version(number: int) -> str:
    if not number:
        return "unknown"
    major, rest = divmod(number, 10000)
    return f"{major}.{rest}" if major >= 10 else f"{major}.{rest // 100}.{rest % 100}"


def _count(facts: Iterable[Fact]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for fact in facts:
        counts[fact.status] += 1
    return counts


# --- overview ---------------------------------------------------------------------------


def _overview(reference: Reference, title: str) -> str:
    stamp = reference.stamp
    lines = [f"# {markdown(title)}", ""]
    when = f", on {markdown(stamp.date)}" if stamp.date else ""
    lines.append(
        f"> Verified by schemaverify {markdown(stamp.tool_version)} on PostgreSQL "
        f"{_version(stamp.server_version)} against {markdown(stamp.source)}, from the specs "
        f"in {markdown(stamp.specs)}{when}."
    )
    lines.append(">")
    lines.append(
        "> Marks: "
        + " · ".join(
            (
                f"{MARKS[VERIFIED]} (the database has what the document says)",
                f"{MARKS[DRIFT]} (followed by what the database has)",
                f"{MARKS[UNVERIFIABLE]} (nothing to compare with: the table or column is "
                "missing, or the source does not record it)",
            )
        )
    )
    lines += ["", "## Overview", ""]
    lines.append(
        "| Category | Documented tables | In the database | Facts verified | "
        "Differ | Unverifiable |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    for category in reference.categories:
        counts = _count(f for t in category.tables for f in t.all_facts)
        present = sum(1 for t in category.tables if t.live is not None)
        anchor = _anchor(category.name)
        lines.append(
            f"| [{markdown(category.name)}](#{anchor}) | {len(category.tables)} | {present} | "
            f"{counts[VERIFIED]} | {counts[DRIFT]} | {counts[UNVERIFIABLE]} |"
        )
    total = _count(reference.facts)
    documented = len(reference.tables)
    present = sum(1 for t in reference.tables if t.live is not None)
    lines.append(
        f"| **All** | **{documented}** | **{present}** | **{total[VERIFIED]}** | "
        f"**{total[DRIFT]}** | **{total[UNVERIFIABLE]}** |"
    )
    lines.append("")
    lines.append(
        f"The checked schemas hold {reference.live_tables} tables; {present} of them are "
        f"documented here and {len(reference.undocumented_tables)} are not "
        "([undocumented tables](#undocumented-tables))."
        + (
            f" {documented - present} documented tables do not exist."
            if documented - present
            else ""
        )
    )
    return "\n".join(lines) + "\n"


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation dropped."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    return quote(slug, safe="-_")


# --- diagrams ---------------------------------------------------------------------------


def _category(category: Category) -> str:
    lines = [f"## {markdown(category.name)}", ""]
    names = ", ".join(code(t.spec.qualified) for t in category.tables)
    noun = "table" if len(category.tables) == 1 else "tables"
    lines.append(f"{len(category.tables)} documented {noun}: {names}.")
    if category.edges:
        lines += ["", "```mermaid", *mermaid(category), "```"]
        marked = [e for e in category.edges if e.state != "documented"]
        if marked:
            lines += [
                "",
                "Edges marked *undocumented* exist only in the database; *missing* "
                "ones only in the document.",
            ]
    return "\n".join(lines) + "\n"


def mermaid(category: Category) -> list[str]:
    """An `erDiagram` of the category's foreign keys.  Entity ids are made from the names
    (Mermaid takes only word characters there) and the names shown as aliases; labels keep
    only characters Mermaid's grammar and GitHub's renderer take literally."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in category.entities:
        base = re.sub(r"\W", "_", name, flags=re.ASCII).strip("_") or "table"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[name] = candidate
    lines = ["erDiagram"]
    lines.extend(f'    {ids[name]}["{_label(name)}"]' for name in category.entities)
    for edge in category.edges:
        lines.append(f"    {_relationship(edge, ids)}")
    return lines


def _relationship(edge: Edge, ids: dict[str, str]) -> str:
    child = "|o" if edge.unique else "o{"
    parent = "o|" if edge.nullable else "||"
    line = ".." if edge.state in (UNDOCUMENTED, MISSING) else "--"
    label = ", ".join(edge.columns)
    if edge.state != "documented":
        label += f" ({edge.state})"
    # Read as "parent has children": the referenced table on the left.
    return f'{ids[edge.target]} {parent}{line}{child} {ids[edge.source]} : "{_label(label)}"'


def _label(value: str) -> str:
    return re.sub(r'["\[\]{}<>#;`\\]|[^\S ]', "_", visible(value))


# --- a table ----------------------------------------------------------------------------


def link_target(path: str) -> str:
    """A link destination for a file path: every byte that could end or bend a Markdown
    link (spaces, parentheses, brackets, `<`, newlines) percent-encoded."""
    return quote(path, safe="/._-~")


CODE_FILES_SHOWN = 12
"""Files listed on a table's code line; the rest are counted."""


def _code_line(uses: tuple[CodeUse, ...], links_from: str) -> str:
    if not uses:
        return "**Used by code:** no scanned file names this table."
    shown = []
    for use in uses[:CODE_FILES_SHOWN]:
        target = posixpath.relpath(use.path, links_from) if links_from else use.path
        link = f"{link_target(target)}#L{use.line}"
        label = f"{use.path}:{use.line}"
        shown.append(f"[{markdown(label)}]({link}) ({', '.join(use.operations)})")
    more = len(uses) - CODE_FILES_SHOWN
    tail = f" and {more} more files" if more > 0 else ""
    return "**Used by code:** " + " · ".join(shown) + tail


def _table(entry: TableEntry, links_from: str = ".") -> str:
    spec = entry.spec
    heading = f"### {markdown(spec.qualified)}"
    status = status_of(entry.all_facts)
    if entry.live is None:
        heading += " — ❌ not in the database"
    elif status is not None:
        heading += f" — {MARKS[status]}"
    lines = [heading, ""]
    if spec.purpose:
        lines.append(f"**Purpose:** {markdown(spec.purpose)}")
        lines.append("")
    if spec.usage:
        lines.append(f"**Usage:** {markdown(spec.usage)}")
        lines.append("")
    if entry.code is not None:
        lines.append(_code_line(entry.code, links_from))
        lines.append("")
    about = [f"spec {markdown(spec.where())}", f"certainty {markdown(spec.certainty)}"]
    if spec.verified is not None:
        against = f" against {markdown(spec.verified.against)}" if spec.verified.against else ""
        about.append(f"adopted {markdown(spec.verified.date)}{against}")
    if spec.source:
        about.append(f"transcribed from {markdown(spec.source)}")
    if entry.live is not None and entry.live.kind != "table":
        about.append(markdown(entry.live.kind))
    counts = _count(entry.all_facts)
    about.append(
        f"{counts[VERIFIED]} verified, {counts[DRIFT]} differ, {counts[UNVERIFIABLE]} unverifiable"
    )
    lines.append("*" + " · ".join(about) + "*")
    lines.append("")
    lines.extend(_own_facts(entry))
    lines.extend(_columns(entry))
    lines.extend(_indexes(entry))
    lines.extend(_foreign_keys(entry))
    lines.extend(_rls(entry))
    lines.extend(_live_only(entry))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


_OWN = {
    "table": "exists",
    "primary_key": "primary key",
    "unique": "unique",
    "rls.enabled": "row-level security",
    "rls.forced": "row-level security forced",
    "table.api": "Data API",
    "table.comment": "comment",
}


def _own_facts(entry: TableEntry) -> list[str]:
    """The table's own statements but RLS, which has its section; the leftovers too."""
    shown = [f for f in entry.facts if not f.subject.startswith(("rls.", "access_matrix"))]
    if not shown:
        return []
    lines = []
    for fact in shown:
        what = _OWN.get(fact.subject, fact.subject)
        value = _expected(fact)
        lines.append(f"- {markdown(what)}{': ' + value if value else ''} — {_mark([fact])}")
    return [*lines, ""]


def _expected(fact: Fact) -> str:
    if fact.subject == "table":
        return ""
    if fact.subject in ("primary_key", "unique"):
        return code(f"({fact.key})") if fact.key else ""
    if fact.expected is None:
        return markdown(fact.key or "")
    value = text(fact.expected)
    return code(value) if fact.subject in ("check",) else markdown(value)


def _columns(entry: TableEntry) -> list[str]:
    if not entry.columns:
        return []
    lines = [
        "| Column | Type | Nullable | Default | Note | Mark |",
        "|---|---|---|---|---|---|",
    ]
    for row in entry.columns:
        col = row.column
        note = row.doc.note if row.doc and row.doc.note else ""
        values = row.doc.values if row.doc else ()
        cells = [
            code(col.name, in_table=True),
            code(str(col.type), in_table=True),
            _nullability(col),
            code(_default(col), in_table=True) if _default(col) else "",
            markdown(note)
            + (
                ("<br>" if note else "") + "values: " + markdown(str(AllowedValues(values)))
                if values
                else ""
            ),
            _mark(row.facts),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _nullability(col: Column) -> str:
    if col.nullable is None:
        return ""
    return "yes" if col.nullable else "no"


def _default(col: Column) -> str:
    if col.identity:
        return f"GENERATED {col.identity.upper()} AS IDENTITY"
    if col.generated or col.generated_kind:
        return f"GENERATED ALWAYS AS ({col.generated or '...'})" + (
            f" {col.generated_kind.upper()}" if col.generated_kind else ""
        )
    return col.default or ""


def _indexes(entry: TableEntry) -> list[str]:
    if not entry.indexes:
        return []
    lines = ["**Indexes**", ""]
    for row in entry.indexes:
        shown = "primary key" if row.index.primary else index_text(row.index)
        note = f" — {markdown(row.note)}" if row.note else ""
        lines.append(f"- {code(shown)}{note} — {_mark(row.facts)}")
    return [*lines, ""]


def _foreign_keys(entry: TableEntry) -> list[str]:
    if not entry.foreign_keys:
        return []
    lines = ["**Foreign keys**", ""]
    for row in entry.foreign_keys:
        lines.append(f"- {code(fk_text(row.foreign_key))} — {_mark(row.facts)}")
    return [*lines, ""]


def _rls(entry: TableEntry) -> list[str]:
    rls_facts = [f for f in entry.facts if f.subject.startswith(("rls.", "access_matrix"))]
    documented = entry.spec.table.rls
    if not rls_facts and not entry.policies and documented is None:
        return []
    lines = ["**Row-level security**", ""]
    for fact in rls_facts:
        if fact.subject in ("rls.enabled", "rls.forced"):
            lines.append(f"- row-level security {markdown(text(fact.expected))} — {_mark([fact])}")
        elif fact.subject == "rls.access":
            lines.append(f"- documented access {markdown(fact.key or '')} — {_mark([fact])}")
        elif fact.subject == "access_matrix":
            lines.append(
                f"- documented matrix cell {markdown(fact.key or '')}: "
                f"{markdown(text(fact.expected))} — {_mark([fact])}"
            )
        else:
            lines.append(f"- {markdown(fact.subject)} {markdown(fact.key or '')} — {_mark([fact])}")
    if entry.policies:
        lines += ["", "Policies in the database:", ""]
        for row in entry.policies:
            kinds = ", ".join(row.kinds) if row.kinds else "no recognised access kind"
            mark = f" — {_mark(row.facts)}" if row.facts else ""
            lines.append(
                f"- {markdown(row.policy.name)} ({markdown(kinds)}): "
                f"{code(policy_text(row.policy))}{mark}"
            )
    for fact in entry.missing_policies:
        lines.append(f"- documented policy {markdown(fact.key or '')} — {_mark([fact])}")
    if entry.matrix:
        lines += [
            "",
            "| Role | " + " | ".join(c.upper() for c in COMMANDS) + " |",
            "|---" * (len(COMMANDS) + 1) + "|",
        ]
        for role, cells in entry.matrix:
            shown = " | ".join(markdown(str(cell)) for cell in cells)
            lines.append(f"| {markdown(role)} | {shown} |")
    return [*lines, ""]


def _live_only(entry: TableEntry) -> list[str]:
    items: list[str] = []
    items.extend(
        f"- column {code(c.name)} {code(_column_text(c))}" for c in entry.undocumented_columns
    )
    items.extend(f"- index {code(_index_name(i))}" for i in entry.undocumented_indexes)
    items.extend(f"- foreign key {code(_fk_name(fk))}" for fk in entry.undocumented_foreign_keys)
    if not items:
        return []
    return ["**In the database, not in the document**", "", *items, ""]


def _column_text(col: Column) -> str:
    out = str(col.type) + (" NULL" if col.nullable else " NOT NULL")
    default = _default(col)
    return out + (
        f" DEFAULT {default}"
        if col.default and not col.identity
        else f" {default}"
        if default
        else ""
    )


def _index_name(index: Index) -> str:
    return (f"{index.name}: " if index.name else "") + index_text(index)


def _fk_name(fk: ForeignKey) -> str:
    return (f"{fk.name}: " if fk.name else "") + fk_text(fk)


# --- undocumented tables ------------------------------------------------------------------


def _undocumented(reference: Reference) -> str:
    lines = ["## Undocumented tables", ""]
    if not reference.undocumented_tables:
        lines.append("Every table of the checked schemas is documented.")
        return "\n".join(lines) + "\n"
    lines.append(
        f"{len(reference.undocumented_tables)} tables of the checked schemas have no spec "
        "(`schemaverify adopt --new` writes them one)."
    )
    lines += ["", "| Table | Columns | Row-level security |", "|---|---:|---|"]
    for table in reference.undocumented_tables:
        rls = "n/a"
        if table.rls is not None and table.rls.enabled is not None:
            rls = "enabled" if table.rls.enabled else "disabled"
        lines.append(f"| {code(table.qualified, in_table=True)} | {len(table.columns)} | {rls} |")
    return "\n".join(lines) + "\n"
