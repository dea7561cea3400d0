"""Markdown table documentation -> `Document`, with the line of every statement.

The format (see README, "Importing documentation"): `## Category (N tables)`
headings, a `## Quick Reference` pipe table, and one `### `table`` section per
table holding `**Label**:` parts (Purpose, Estimated Columns, Expected
Indexes, Foreign Keys, RLS, Usage).  Inside a table section every line must be
understood or is reported; outside them prose is the document's own business
and is skipped, except the claims `check.py` verifies (category headings,
Quick Reference rows, `**Total**: N` lines) and part labels that have lost
their table heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from schemaverify.errors import SpecError
from schemaverify.sources.importmd.document import (
    Category,
    DocColumn,
    DocForeignKey,
    DocIndex,
    DocPart,
    DocRls,
    DocTable,
    Document,
    Problem,
    QuickRefRow,
    TotalClaim,
)
from schemaverify.sources.importmd.grammar import (
    GrammarError,
    parse_column,
    parse_foreign_key,
    parse_index,
    parse_rls,
)
from schemaverify.textfile import read_input

MAX_BYTES = 8 * 1024 * 1024
"""Table documentation is prose written by people; anything bigger is not one."""

_HEADING = re.compile(r"(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_CATEGORY = re.compile(r"(?P<name>.+?)\s*\(\s*(?P<count>\d+)\s+tables?\s*\)", re.IGNORECASE)
_TABLE_NAME = re.compile(
    r"`\s*(?:(?P<schema>[A-Za-z_][A-Za-z0-9_$]*)\.)?(?P<name>[A-Za-z_][A-Za-z0-9_$]*)\s*`"
)
_LABEL = re.compile(r"\*\*(?P<label>[^*]+?)\s*:?\s*\*\*\s*:?(?P<rest>.*)")
_PART = re.compile(
    r"(?:(?P<qualifier>estimated|expected|likely|probable|known)\s+)?"
    r"(?P<part>columns?|indexes|indices|foreign\s+keys?|rls|row[\s-]level\s+security"
    r"|purpose|usage)",
    re.IGNORECASE,
)
_PART_KEYS = {
    "column": "columns",
    "columns": "columns",
    "indexes": "indexes",
    "indices": "indexes",
    "foreign key": "foreign_keys",
    "foreign keys": "foreign_keys",
    "rls": "rls",
    "row level security": "rls",
    "row-level security": "rls",
    "purpose": "purpose",
    "usage": "usage",
}
_LIST_PARTS = ("columns", "indexes", "foreign_keys")
_ITEM = re.compile(r"(?P<indent>[ \t]*)[-*+][ \t]+(?P<text>.*)")
_RULE = re.compile(r"\s*([-*_])(?:\s*\1){2,}\s*")
_FENCE = re.compile(r"\s*(```|~~~)")
_TOTAL = re.compile(r"\*\*\s*total\b[^*]*\*\*\s*:?\s*(\d+)\b", re.IGNORECASE)
_COLUMN_NAME = re.compile(r"`\s*([A-Za-z_][A-Za-z0-9_$]*)\s*`")
_CERTAINTY = {"estimated": "estimated", "likely": "likely", "probable": "likely"}


def read_text(path: Path, shown: str) -> str:
    """The document's text; anything that is not a UTF-8 text file is a SpecError (exit 2)."""
    text = read_input(path, shown, max_bytes=MAX_BYTES)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise SpecError.one(shown, line, "binary data (a NUL byte): not a Markdown document")
    return text


def parse_document(text: str, path: str) -> Document:
    """Parse Markdown text; never raises: what cannot be read becomes a `Problem`."""
    return _Parser(path).parse(text)


@dataclass
class _PartState:
    part: DocPart
    texts: list[str] = field(default_factory=list)
    text_line: int = 0
    """Line of the part's first text (for prose parts)."""
    items: int = 0


@dataclass
class _TableDraft:
    name: str | None
    """None when the heading could not be read: the section is reported, not imported."""
    line: int
    schema: str | None
    category: Category | None
    raw_heading: str = ""
    parts: list[_PartState] = field(default_factory=list)
    columns: list[DocColumn] = field(default_factory=list)
    unreadable_columns: list[str] = field(default_factory=list)
    indexes: list[DocIndex] = field(default_factory=list)
    foreign_keys: list[DocForeignKey] = field(default_factory=list)
    current: _PartState | None = None
    previous_blank: bool = True
    last_line: int = 0


class _Parser:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.tables: list[DocTable] = []
        self.categories: list[Category] = []
        self.quick: list[QuickRefRow] = []
        self.totals: list[TotalClaim] = []
        self.category: Category | None = None
        self.section = ""
        self.draft: _TableDraft | None = None
        self.fence: tuple[str, int] | None = None
        self.pipe_rows = 0
        self.seen: dict[str, int] = {}

    def parse(self, text: str) -> Document:
        lines = text.split("\n")
        for number, raw in enumerate(lines, start=1):
            self._line(number, raw.rstrip("\r"))
        if self.fence is not None:
            self._problem(self.fence[1], "code block is never closed (missing ```)")
        self._end_table()
        if not self.tables and not self.problems:
            self.problems.append(
                Problem(1, "no table sections found (expected `### `table_name`` headings)")
            )
        return Document(
            path=self.path,
            tables=tuple(self.tables),
            categories=tuple(self.categories),
            quick_reference=tuple(self.quick),
            totals=tuple(self.totals),
            problems=tuple(sorted(self.problems, key=lambda p: p.line)),
        )

    # -- dispatch ------------------------------------------------------------------

    def _line(self, number: int, line: str) -> None:
        if self.fence is not None:
            if line.strip().startswith(self.fence[0]):
                self.fence = None
            return
        fence = _FENCE.match(line)
        if fence:
            self.fence = (fence.group(1), number)
            if self.draft is not None:
                self._problem(number, "a code block inside a table section is not imported")
            return
        heading = _HEADING.fullmatch(line) if line.startswith("#") else None
        if heading:
            self._heading(number, len(heading.group(1)), heading.group(2) or "")
            return
        if self.draft is not None:
            self._table_line(number, line)
            return
        self._outside_line(number, line)

    def _heading(self, number: int, level: int, text: str) -> None:
        if level > 3:
            if self.draft is not None:
                self._problem(number, f"level-{level} heading inside a table section")
            return
        self._end_table()
        if level == 3:
            self._table_heading(number, text)
            return
        self.pipe_rows = 0
        if level == 1:
            self.category = None
            self.section = ""
            return
        category = _CATEGORY.fullmatch(text)
        if category:
            self.category = Category(
                name=category.group("name").strip(), line=number, count=int(category.group("count"))
            )
            self.categories.append(self.category)
            self.section = "category"
        else:
            self.category = None
            self.section = "quick" if "quick reference" in text.lower() else text.lower()

    def _table_heading(self, number: int, text: str) -> None:
        match = _TABLE_NAME.fullmatch(text)
        if match is None:
            if self.section != "category":
                return  # a sub-heading of prose (e.g. under ## Summary)
            self.draft = _TableDraft(None, number, None, self.category, raw_heading=text)
            return
        name, schema = match.group("name"), match.group("schema")
        self.draft = _TableDraft(name, number, schema, self.category)
        qualified = f"{schema}.{name}" if schema else name
        first = self.seen.setdefault(qualified.lower(), number)
        if first != number:
            self._problem(
                number,
                f"table `{qualified}` is listed twice (first at line {first}); "
                "neither description is imported until one is removed",
                qualified,
            )

    # -- outside table sections ----------------------------------------------------

    def _outside_line(self, number: int, line: str) -> None:
        stripped = line.strip()
        total = _TOTAL.match(stripped)
        if total:
            self.totals.append(TotalClaim(int(total.group(1)), number))
            return
        if self.section == "quick" and stripped.startswith("|"):
            self._quick_row(number, stripped)
            return
        self.pipe_rows = 0
        label = _LABEL.fullmatch(stripped)
        if label and _part_key(label.group("label")):
            self._problem(
                number,
                f"**{label.group('label').strip()}** outside a table section "
                "(missing ### `table_name` heading?): not imported",
            )

    def _quick_row(self, number: int, line: str) -> None:
        self.pipe_rows += 1
        if self.pipe_rows == 1 or re.fullmatch(r"[\s|:\-]+", line):
            return  # header or separator row
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0].strip("*` ").strip() if cells else ""
        count_text = cells[1].strip("*` ") if len(cells) > 1 else ""
        count = int(count_text) if count_text.isdigit() else None
        purpose = cells[2] if len(cells) > 2 else ""
        self.quick.append(QuickRefRow(name, count, purpose, number))

    # -- inside a table section ----------------------------------------------------

    def _table_line(self, number: int, line: str) -> None:
        draft = self.draft
        assert draft is not None
        stripped = line.strip()
        if not stripped:
            draft.previous_blank = True
            return
        draft.last_line = number
        blank_before = draft.previous_blank
        draft.previous_blank = False
        if _RULE.fullmatch(line):
            draft.current = None
            draft.previous_blank = True
            return
        label = _LABEL.fullmatch(stripped)
        if label:
            self._part(number, draft, label.group("label"), label.group("rest"))
            return
        item = _ITEM.fullmatch(line)
        if item:
            self._item(number, draft, item.group("indent"), item.group("text"))
            return
        state = draft.current
        prose = state is not None and state.part.key not in _LIST_PARTS
        if state is not None and prose and (not blank_before or not state.texts):
            if not state.texts:
                state.text_line = number
            state.texts.append(stripped)
            state.items += 1
            return
        where = f"in **{state.part.label}**" if state else f"in table `{draft.name}`"
        self._table_problem(
            number,
            draft,
            f"text {where} is not understood (expected a `- ` list item or a **Part**: label): "
            f"{_clip(stripped)!r}",
        )

    def _part(self, number: int, draft: _TableDraft, label: str, rest: str) -> None:
        key = _part_key(label)
        if key is None:
            draft.current = None
            self._table_problem(
                number,
                draft,
                f"unknown part **{label.strip()}**: expected Purpose, Estimated Columns, "
                "Expected Indexes, Foreign Keys, RLS or Usage",
            )
            return
        earlier = next((p for p in draft.parts if p.part.key == key), None)
        if earlier is not None:
            self._table_problem(
                number,
                draft,
                f"**{label.strip()}** is stated twice in table `{draft.name}` "
                f"(first at line {earlier.part.line})",
            )
        state = _PartState(DocPart(key, " ".join(label.split()), number))
        draft.parts.append(state)
        draft.current = state
        rest = rest.strip()
        if not rest:
            return
        if key in _LIST_PARTS:
            self._table_problem(
                number,
                draft,
                f"text after **{state.part.label}** is not understood "
                f"(its entries go in a `- ` list below): {_clip(rest)!r}",
            )
            return
        state.texts.append(rest)
        state.text_line = number
        state.items += 1

    def _item(self, number: int, draft: _TableDraft, indent: str, text: str) -> None:
        state = draft.current
        if state is None:
            self._table_problem(
                number, draft, f"list item outside any **Part**: {_clip(text.strip())!r}"
            )
            return
        if "\t" in indent or len(indent) >= 4:
            self._table_problem(number, draft, "nested list item is not understood")
            return
        state.items += 1
        key = state.part.key
        if key not in _LIST_PARTS:
            if not state.texts:
                state.text_line = number
            state.texts.append(text.strip())
            return
        try:
            if key == "columns":
                draft.columns.append(parse_column(text, number))
            elif key == "indexes":
                draft.indexes.append(parse_index(text, number))
            else:
                draft.foreign_keys.append(parse_foreign_key(text, number))
        except GrammarError as err:
            self._table_problem(number, draft, str(err))
            name = _COLUMN_NAME.match(text.strip())
            if key == "columns" and name:
                draft.unreadable_columns.append(name.group(1))

    def _end_table(self) -> None:
        draft = self.draft
        self.draft = None
        if draft is None:
            return
        if draft.name is None:
            end = max(draft.last_line, draft.line)
            span = f"line {draft.line}" if end == draft.line else f"lines {draft.line}-{end}"
            self._problem(
                draft.line,
                f"cannot read table heading {_clip(draft.raw_heading)!r} "
                f"(expected ### `table_name`); its section ({span}) is not imported",
            )
            return
        qualified = f"{draft.schema}.{draft.name}" if draft.schema else draft.name
        texts = {s.part.key: s for s in draft.parts}
        rls: DocRls | None = None
        rls_state = texts.get("rls")
        if rls_state is not None:
            line = rls_state.text_line or rls_state.part.line
            try:
                rls = parse_rls("; ".join(rls_state.texts), line)
            except GrammarError as err:
                self._problem(line, str(err), qualified)
        columns_state = texts.get("columns")
        certainty = None
        if columns_state is not None:
            qualifier = _PART.fullmatch(" ".join(columns_state.part.label.split()))
            word = (qualifier.group("qualifier") or "").lower() if qualifier else ""
            certainty = _CERTAINTY.get(word)
        self.tables.append(
            DocTable(
                name=draft.name,
                line=draft.line,
                schema=draft.schema,
                category=draft.category,
                parts=tuple(
                    DocPart(s.part.key, s.part.label, s.part.line, s.items) for s in draft.parts
                ),
                purpose=_prose(texts.get("purpose")),
                usage=_prose(texts.get("usage")),
                certainty=certainty,
                columns=tuple(draft.columns),
                unreadable_columns=tuple(draft.unreadable_columns),
                indexes=tuple(draft.indexes),
                foreign_keys=tuple(draft.foreign_keys),
                rls=rls,
            )
        )

    # -- problems --------------------------------------------------------------------

    def _problem(self, line: int, reason: str, table: str | None = None) -> None:
        self.problems.append(Problem(line, reason, table))

    def _table_problem(self, line: int, draft: _TableDraft, reason: str) -> None:
        qualified = None
        if draft.name is not None:
            qualified = f"{draft.schema}.{draft.name}" if draft.schema else draft.name
        else:
            reason = f"{reason} (in the section of the unreadable heading at line {draft.line})"
        self._problem(line, reason, qualified)


def _part_key(label: str) -> str | None:
    match = _PART.fullmatch(" ".join(label.split()))
    if match is None:
        return None
    return _PART_KEYS.get(" ".join(match.group("part").lower().split()))


def _prose(state: _PartState | None) -> str | None:
    if state is None:
        return None
    text = " ".join(" ".join(state.texts).split())
    return text or None


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
