"""PostgREST request semantics shared by the supabase-js and supabase-py scanners.

Both client libraries pass the select list, filter columns and `onConflict` lists to
PostgREST almost verbatim, so what a call touches is decided by PostgREST's grammar, not by
the host language: this module reads that grammar once for both scanners.

The select-list reader is strict on purpose.  A list it cannot read sets `problem` instead
of yielding a guess, because a wrong column list would turn into false "column missing"
findings (or hide real ones); the columns read before the unreadable part are kept, since
they are certainly named.

Whitespace outside double quotes is dropped before reading, as both client libraries do
before sending the request, so multi-line template literals read like one-line strings.

`count` without parentheses inside an embed (`cities(count)`) is PostgREST's related-rows
count, not a column; at the top level it is read as a column named `count`, the only thing
it can be there besides `count()`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from schemaverify.model.usage import CodeReference

__all__ = [
    "FILTER_METHODS",
    "MATCH_METHODS",
    "OPERATION_METHODS",
    "Embedded",
    "Selection",
    "column_list",
    "column_of",
    "parse_select",
]


@dataclass(frozen=True)
class Embedded:
    """A resource embedded in a select list (`customer:customers!fk(name)`)."""

    name: str
    """The relation as PostgREST resolves it: a table or view, or a foreign-key column or
    constraint of the parent; the alias before `:` is only the JSON key and is dropped."""
    hint: str | None
    """The disambiguation hint (`!orders_customer_id_fkey`); the join types `!inner` and
    `!left` are not hints and are dropped."""
    columns: tuple[str, ...]
    all_columns: bool
    embedded: tuple[Embedded, ...]


@dataclass(frozen=True)
class Selection:
    columns: tuple[str, ...]
    all_columns: bool
    embedded: tuple[Embedded, ...]
    problem: str | None
    """Why the list does not read as PostgREST's select grammar; `columns` and `embedded`
    then hold what was read before it."""


_JS_FILTERS = (
    "eq neq gt gte lt lte like ilike likeAllOf likeAnyOf ilikeAllOf ilikeAnyOf is in "
    "contains containedBy rangeGt rangeGte rangeLt rangeLte rangeAdjacent overlaps "
    "textSearch filter not order"
)
_PY_FILTERS = (
    "is_ in_ not_ like_all_of like_any_of ilike_all_of ilike_any_of contained_by range_gt "
    "range_gte range_lt range_lte range_adjacent text_search fts plfts phfts wfts "
    "cs cd ov sl sr nxl nxr adj"
)

FILTER_METHODS: frozenset[str] = frozenset((_JS_FILTERS + " " + _PY_FILTERS).split())
"""Methods whose first argument names a column of the resource being queried (a column
path such as `data->>name` names `data`; `rel.col` names a column of an embed)."""

MATCH_METHODS: frozenset[str] = frozenset({"match"})
"""Methods whose first argument maps column names to values."""

OPERATION_METHODS: dict[str, str] = {
    "select": "select",
    "insert": "insert",
    "upsert": "upsert",
    "update": "update",
    "delete": "delete",
}

_AGGREGATES = frozenset({"avg", "count", "max", "min", "sum"})
_JOIN_TYPES = frozenset({"inner", "left"})
_ORDER_MODIFIERS = frozenset({"asc", "desc", "nullsfirst", "nullslast"})
_MAX_DEPTH = 64
"""Nesting deeper than any real query; beyond it the list is reported, not recursed into."""


class _Unreadable(Exception):
    pass


class _Node:
    """A select list as it is read (mutable while the reader runs)."""

    __slots__ = ("all_columns", "columns", "embedded")

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.all_columns = False
        self.embedded: list[tuple[str, str | None, _Node]] = []

    def add(self, column: str) -> None:
        if column not in self.columns:
            self.columns.append(column)

    def freeze(self) -> tuple[tuple[str, ...], bool, tuple[Embedded, ...]]:
        # Iterative post-order: a hostile list may nest up to _MAX_DEPTH, well within
        # recursion limits, but freezing never needs to recurse at all.
        done: dict[int, Embedded] = {}
        stack: list[tuple[_Node, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for _, _, child in node.embedded)
                continue
            for name, hint, child in node.embedded:
                if id(child) not in done:
                    done[id(child)] = Embedded(
                        name=name,
                        hint=hint,
                        columns=tuple(child.columns),
                        all_columns=child.all_columns,
                        embedded=tuple(done[id(c)] for _, _, c in child.embedded),
                    )
        return (
            tuple(self.columns),
            self.all_columns,
            tuple(done[id(c)] for _, _, c in self.embedded),
        )


def _strip_whitespace(text: str) -> str:
    """Drop whitespace outside double quotes, as supabase-js and postgrest-py do."""
    out: list[str] = []
    quoted = False
    escaped = False
    for char in text:
        if quoted:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char.isspace():
            continue
        else:
            out.append(char)
            if char == '"':
                quoted = True
    return "".join(out)


def _is_name_char(text: str, i: int) -> bool:
    char = text[i]
    if char.isalnum() or char in "_$":
        return True
    # PostgREST field names may contain dashes, except the one starting an arrow.
    return char == "-" and not text.startswith("->", i)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def at(self, token: str) -> bool:
        return self.text.startswith(token, self.i)

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def fail(self, what: str) -> _Unreadable:
        rest = self.text[self.i : self.i + 24]
        where = f"{rest!r}" if rest else "the end"
        return _Unreadable(f"{what} at {where}")

    def name(self) -> str:
        text = self.text
        if self.at('"'):
            j = self.i + 1
            out: list[str] = []
            while j < len(text):
                char = text[j]
                if char == "\\" and j + 1 < len(text):
                    out.append(text[j + 1])
                    j += 2
                    continue
                if char == '"':
                    self.i = j + 1
                    if not out:
                        raise self.fail("empty quoted name")
                    return "".join(out)
                out.append(char)
                j += 1
            raise self.fail("unterminated quoted name")
        start = self.i
        j = start
        while j < len(text) and _is_name_char(text, j):
            j += 1
        if j == start:
            raise self.fail("expected a name")
        self.i = j
        return text[start:j]

    def cast(self) -> None:
        if not self.at("::"):
            return
        self.i += 2
        start = self.i
        while self.i < len(self.text) and (
            self.text[self.i].isalnum() or self.text[self.i] in "_[]"
        ):
            self.i += 1
        if self.i == start:
            raise self.fail("expected a type after '::'")

    def aggregate(self) -> bool:
        """`.sum()` after a column: True when one was read."""
        if not self.at("."):
            return False
        for function in _AGGREGATES:
            if self.text.startswith(function + "()", self.i + 1):
                self.i += len(function) + 3
                return True
        raise self.fail("expected an aggregate (avg, count, max, min, sum) after '.'")

    def path(self) -> None:
        """`->key` / `->>key` steps of a JSON column: they name no further column."""
        while self.at("->"):
            self.i += 3 if self.at("->>") else 2
            if self.at("-") and self.i + 1 < len(self.text) and self.text[self.i + 1].isdigit():
                self.i += 1  # a negative array index: data->-1
            self.name()

    def item_end(self) -> bool:
        return self.i >= len(self.text) or self.peek() in ",)"

    def select_list(self, node: _Node, depth: int) -> None:
        """Items up to the end or the `)` closing this list (not consumed)."""
        if depth > _MAX_DEPTH:
            raise self.fail(f"embeds nested deeper than {_MAX_DEPTH} levels")
        if depth > 0 and self.at(")"):
            return  # `rel!inner()`: an embed used only to filter
        while True:
            self.item(node, depth)
            if self.at(","):
                self.i += 1
                continue
            if self.i >= len(self.text) or self.at(")"):
                return
            raise self.fail("expected ',' or the end of the item")

    def item(self, node: _Node, depth: int) -> None:
        if self.at("*"):
            self.i += 1
            node.all_columns = True
            if not self.item_end():
                raise self.fail("unexpected text after '*'")
            return
        spread = self.at("...")
        if spread:
            self.i += 3
        if not spread and self.at("count()"):
            self.i += len("count()")
            self.cast()
            return
        first = self.name()
        name = first
        if self.at(":") and not self.at("::"):
            if spread:
                raise self.fail("a spread embed takes no alias")
            self.i += 1
            if self.at("count()"):
                self.i += len("count()")
                self.cast()
                return
            name = self.name()
        if spread or self.at("!") or self.at("("):
            self.embed(node, name, depth)
            return
        self.path()
        self.cast()
        if self.aggregate():
            self.cast()
        if not self.item_end():
            raise self.fail("unexpected text in a column item")
        if depth > 0 and name == "count" and name == first:
            return  # `rel(count)`: the related-rows count
        node.add(name)

    def embed(self, node: _Node, name: str, depth: int) -> None:
        hint: str | None = None
        while self.at("!"):
            self.i += 1
            word = self.name()
            if word in _JOIN_TYPES:
                continue
            if hint is not None:
                raise self.fail(f"two hints ({hint!r}, {word!r}) on one embed")
            hint = word
        if not self.at("("):
            raise self.fail(f"expected '(' after embedded resource {name!r}")
        self.i += 1
        child = _Node()
        node.embedded.append((name, hint, child))
        self.select_list(child, depth + 1)
        if not self.at(")"):
            raise self.fail(f"expected ')' closing embedded resource {name!r}")
        self.i += 1
        if not self.item_end():
            raise self.fail(f"unexpected text after embedded resource {name!r}")


def parse_select(text: str) -> Selection:
    """Read a PostgREST select list (`id, customer:customers!fk(name, ...address(city))`)."""
    if len(text) > _CACHE_LIMIT:
        return _parse_select(text)
    return _cached_select(text)


_CACHE_LIMIT = 4096
"""Select lists repeat across a code base; a huge one-off list is not kept."""


@functools.lru_cache(maxsize=4096)
def _cached_select(text: str) -> Selection:
    return _parse_select(text)


def _parse_select(text: str) -> Selection:
    reader = _Reader(_strip_whitespace(text))
    root = _Node()
    problem: str | None = None
    if reader.text:
        try:
            reader.select_list(root, 0)
            if reader.i < len(reader.text):
                raise reader.fail("unbalanced ')'")
        except _Unreadable as error:
            problem = str(error)
    columns, all_columns, embedded = root.freeze()
    return Selection(columns, all_columns, embedded, problem)


def column_of(argument: str) -> str | None:
    """The column a filter or order argument names (`data->>name` names `data`), or None
    when it names a column of an embedded resource (`customer.name`) or is not a column."""
    reader = _Reader(argument.strip())
    try:
        column = reader.name()
        reader.path()
        reader.cast()
    except _Unreadable:
        return None
    if reader.i != len(reader.text):
        return None
    return column


def column_list(text: str) -> tuple[str, ...]:
    """Columns of a comma-separated list (`onConflict: 'org_id, slug'`, `order=a.desc,b`):
    direction modifiers are dropped; items that are not plain columns are skipped."""
    reader = _Reader(_strip_whitespace(text))
    out: list[str] = []
    while reader.i < len(reader.text):
        start = reader.i
        column: str | None
        try:
            column = reader.name()
            reader.path()
            reader.cast()
            while reader.at("."):
                reader.i += 1
                if reader.name() not in _ORDER_MODIFIERS:
                    column = None
        except _Unreadable:
            column = None
        if not (reader.i >= len(reader.text) or reader.at(",")):
            column = None
        # Skip to the next top-level comma (quotes respected) whatever the item was.
        reader.i = max(reader.i, start)
        quoted = False
        while reader.i < len(reader.text):
            char = reader.text[reader.i]
            if char == '"':
                quoted = not quoted
            elif char == "," and not quoted:
                break
            reader.i += 1
        reader.i += 1
        if column is not None and column not in out:
            out.append(column)
    return tuple(out)


def embedded_references(
    embedded: tuple[Embedded, ...],
    parent: str,
    *,
    path: str,
    line: int,
    column: int,
    via: str,
    schema: str | None,
    privilege: str,
    client: tuple[str, str] | None,
) -> list[CodeReference]:
    """One `select` reference per resource embedded in a select on `parent`, nested ones
    after their parent (depth first, in select-list order), all at the select's place:
    scanners of every language emit them alike, and rules/usage.py finds each one's
    parent as the nearest reference before it."""
    references: list[CodeReference] = []
    stack = [(item, parent) for item in reversed(embedded)]
    while stack:
        item, into = stack.pop()
        references.append(
            CodeReference(
                path=path,
                line=line,
                column=column,
                via=via,
                operation="select",
                name=item.name,
                schema=schema,
                columns=item.columns,
                all_columns=item.all_columns,
                privilege=privilege,
                embedded_in=into,
                client=client,
            )
        )
        stack.extend((child, item.name) for child in reversed(item.embedded))
    return references
