"""`import-md --check`: the document's own inconsistencies, before anyone trusts it.

Besides every line the importer cannot transcribe (the same problems an
import reports), it compares the document's claims with its content:

- `**Total**: N` lines and the Quick Reference counts with the table sections
  actually present, and `## Category (N tables)` headings with their sections;
- Quick Reference categories without a section, sections missing from it, and
  tables filed under one category while the Quick Reference's description of
  another names them (matched on the words of the table name, so
  'Chart annotations and metric goals' names `chart_annotations` and
  `metric_goals`);
- table sections missing one of the parts every section has (Purpose,
  Estimated Columns, Expected Indexes, RLS, Usage), or with an empty list;
- FK marks on columns that the Foreign Keys part contradicts or leaves out, and
  indexes stated twice (indexes or FKs naming absent columns come from the
  importer's own checks).
"""

from __future__ import annotations

import re
from collections import defaultdict

from schemaverify.sources.importmd.build import build_spec
from schemaverify.sources.importmd.document import (
    Category,
    DocTable,
    Document,
    Problem,
    QuickRefRow,
)

REQUIRED_PARTS = {
    "purpose": "Purpose",
    "columns": "Estimated Columns",
    "indexes": "Expected Indexes",
    "rls": "RLS",
    "usage": "Usage",
}


def check_document(doc: Document) -> list[Problem]:
    """Every problem and inconsistency of the document, sorted by line."""
    found: list[Problem] = list(doc.problems)
    for table in doc.tables:
        found.extend(build_spec(table, doc.path)[1])
        found.extend(_parts(table))
        found.extend(_fk_marks(table))
        found.extend(_duplicate_indexes(table))
    found.extend(_totals(doc))
    found.extend(_categories(doc))
    unique = {(p.line, p.reason): p for p in found}
    return sorted(unique.values(), key=lambda p: (p.line, p.reason))


# -- counts ---------------------------------------------------------------------


def _totals(doc: Document) -> list[Problem]:
    found: list[Problem] = []
    sections = len(doc.tables)
    listed = [r.count for r in doc.quick_reference if r.count is not None]
    for claim in doc.totals:
        if claim.count != sections:
            found.append(
                Problem(
                    claim.line,
                    f"the document claims {claim.count} tables but documents {sections} "
                    "(### `table` sections)",
                )
            )
        if listed and sum(listed) != claim.count:
            found.append(
                Problem(
                    claim.line,
                    f"the Quick Reference rows add up to {sum(listed)} tables, not {claim.count}",
                )
            )
    return found


def _categories(doc: Document) -> list[Problem]:
    found: list[Problem] = []
    members: dict[str, list[DocTable]] = defaultdict(list)
    for table in doc.tables:
        if table.category is not None:
            members[_key(table.category.name)].append(table)
        elif doc.categories:
            found.append(
                Problem(
                    table.line,
                    f"table `{table.qualified}` is not under a `## Category (N tables)` heading",
                )
            )
    headings: dict[str, Category] = {}
    for category in doc.categories:
        key = _key(category.name)
        if key in headings:
            found.append(
                Problem(
                    category.line,
                    f"category '{category.name}' has a second section "
                    f"(first at line {headings[key].line})",
                )
            )
            continue
        headings[key] = category
    for category in doc.categories:
        held = sum(1 for t in doc.tables if t.category is category)
        if held != category.count:
            found.append(
                Problem(
                    category.line,
                    f"heading says {_n(category.count)} but its section holds {held}",
                )
            )
    filed = _filed_elsewhere(doc)
    for table, row in filed.items():
        assert table.category is not None
        found.append(
            Problem(
                table.line,
                f"table `{table.qualified}` is under '{table.category.name}' "
                f"(line {table.category.line}), but the Quick Reference (line {row.line}) "
                f"files it under '{row.category}' ({row.purpose!r})",
            )
        )
    quick = {_key(r.category): r for r in doc.quick_reference}
    for row in doc.quick_reference:
        found.extend(_quick_row(row, headings, members, filed))
    if doc.quick_reference:
        for key, category in headings.items():
            if key not in quick:
                found.append(
                    Problem(
                        category.line,
                        f"category '{category.name}' is not in the Quick Reference",
                    )
                )
    return found


def _quick_row(
    row: QuickRefRow,
    headings: dict[str, Category],
    members: dict[str, list[DocTable]],
    filed: dict[DocTable, QuickRefRow],
) -> list[Problem]:
    if row.count is None:
        return [Problem(row.line, f"Quick Reference row '{row.category}': cannot read its count")]
    heading = headings.get(_key(row.category))
    if heading is None:
        elsewhere = [t for t, r in filed.items() if r is row]
        where = ""
        if elsewhere:
            where = "; the Quick Reference's description names " + ", ".join(
                f"`{t.name}` (under '{t.category.name if t.category else '?'}')" for t in elsewhere
            )
        return [
            Problem(
                row.line,
                f"the Quick Reference lists '{row.category}' with {_n(row.count)}, but the "
                f"document has no '## {row.category} (N tables)' section{where}",
            )
        ]
    held = members.get(_key(row.category), [])
    foreign = [t for t in held if t in filed]
    names = ", ".join(f"`{t.name}` ('{filed[t].category}')" for t in foreign)
    if len(held) != row.count:
        return [
            Problem(
                row.line,
                f"the Quick Reference counts {_n(row.count)} under '{row.category}', but its "
                f"section (line {heading.line}) holds {len(held)}"
                + (f", including {names} of other Quick Reference categories" if foreign else ""),
            )
        ]
    if foreign:
        return [
            Problem(
                row.line,
                f"the Quick Reference counts {_n(row.count)} under '{row.category}', and its "
                f"section (line {heading.line}) holds {len(held)}, but {len(foreign)} of them "
                f"belong to other Quick Reference categories: {names}",
            )
        ]
    return []


def _filed_elsewhere(doc: Document) -> dict[DocTable, QuickRefRow]:
    """Tables whose section is one category while another's Quick Reference text names them."""
    rows = {_key(r.category): r for r in doc.quick_reference}
    result: dict[DocTable, QuickRefRow] = {}
    for table in doc.tables:
        if table.category is None:
            continue
        own = rows.get(_key(table.category.name))
        if own is not None and _names(own.purpose, table.name):
            continue
        others = [
            r
            for r in doc.quick_reference
            if _key(r.category) != _key(table.category.name) and _names(r.purpose, table.name)
        ]
        if len(others) == 1:
            result[table] = others[0]
    return result


def _names(description: str, table: str) -> bool:
    """Whether every word of the table name occurs (singular or plural) in the description."""
    words = {_singular(w) for w in re.findall(r"[a-z0-9]+", description.lower())}
    parts = [_singular(p) for p in table.lower().split("_") if p]
    return bool(parts) and all(p in words for p in parts)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _key(name: str) -> str:
    return " ".join(name.replace("*", "").replace("`", "").lower().split())


def _n(count: int) -> str:
    return f"{count} table{'' if count == 1 else 's'}"


# -- per table ----------------------------------------------------------------------


def _parts(table: DocTable) -> list[Problem]:
    found: list[Problem] = []
    present = {p.key for p in table.parts}
    for key, label in REQUIRED_PARTS.items():
        # A missing column list is already an import error (build.py).
        if key not in present and key != "columns":
            found.append(
                Problem(table.line, f"table `{table.qualified}` has no **{label}** part", None)
            )
    for part in table.parts:
        if part.items == 0:
            found.append(
                Problem(part.line, f"**{part.label}** of table `{table.qualified}` is empty")
            )
    return found


def _fk_marks(table: DocTable) -> list[Problem]:
    """FK marks left out of an existing Foreign Keys part (contradictions come from build)."""
    part = table.part("foreign_keys")
    if part is None:
        return []
    stated = {tuple(c.lower() for c in fk.columns) for fk in table.foreign_keys}
    return [
        Problem(
            col.line,
            f"column `{col.name}` is marked FK → {col.reference} but **{part.label}** "
            f"(line {part.line}) has no line for it",
            table.qualified,
        )
        for col in table.columns
        if col.reference is not None and (col.name.lower(),) not in stated
    ]


def _duplicate_indexes(table: DocTable) -> list[Problem]:
    seen: dict[tuple[object, ...], int] = {}
    found: list[Problem] = []
    for index in table.indexes:
        identity = (
            index.primary_key,
            tuple(" ".join(k.lower().split()) for k in index.keys),
            index.unique,
            index.method,
            index.where,
            index.partial,
        )
        first = seen.setdefault(identity, index.line)
        if first != index.line:
            found.append(
                Problem(index.line, f"the same index is stated twice (first at line {first})")
            )
    return found
