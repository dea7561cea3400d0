"""The grammar of single list lines: a column, an index, a foreign key, the RLS sentence.

Each function reads the text of one list item (the `- ` already removed) and
returns the neutral object, or raises `GrammarError` with a reason a writer
of the document can act on.  Nothing is guessed: wording outside the grammar
is an error, so no statement of the document is silently dropped.  Only
parenthesised remarks on an index (`(for LRU eviction)`) and text after
` - ` on a column are free prose, kept as notes.
"""

from __future__ import annotations

import re

from schemaverify.sources.importmd.document import (
    DocColumn,
    DocForeignKey,
    DocIndex,
    DocRls,
    Reference,
)

_NAME = r"[A-Za-z_][A-Za-z0-9_$]*"
_NAME_RE = re.compile(_NAME)
_DASHES = ("-", "–", "—", ":")
_ARROWS = r"(?:→|->|=>|⟶)"
_ACTIONS = {
    "cascade": "cascade",
    "set null": "set null",
    "set default": "set default",
    "restrict": "restrict",
    "no action": "no action",
}
_METHODS = {
    "btree": "btree",
    "b-tree": "btree",
    "hash": "hash",
    "gin": "gin",
    "gist": "gist",
    "sp-gist": "spgist",
    "spgist": "spgist",
    "brin": "brin",
    "hnsw": "hnsw",
    "ivfflat": "ivfflat",
}
_LITERAL = re.compile(r"(?:(?<=^)|(?<=[\s,(\[]))'([^'\n]*)'(?=$|[\s,.;)\]])")
_LIST_GLUE = re.compile(r"^[\s,;]*(?:(?:or|and)\b[\s,;]*)?$", re.IGNORECASE)
_OPEN_LIST = re.compile(r"\betc\b|\be\.g\.|\bsuch as\b|\bfor example\b|\.\.\.|…", re.IGNORECASE)
"""Words that make quoted values examples rather than the allowed values."""


class GrammarError(ValueError):
    """The line does not follow the document's grammar; the message says why."""


# -- helpers -----------------------------------------------------------------


def closing_paren(text: str, start: int) -> int:
    """Index of the `)` matching the `(` at `start` (quotes respected), or -1."""
    depth = 0
    quote: str | None = None
    for pos in range(start, len(text)):
        char = text[pos]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return pos
    return -1


def split_top(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes; parts are stripped."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    current: list[str] = []
    for char in text:
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def _squash(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int = 60) -> str:
    text = _squash(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "`":
        return text[1:-1].strip()
    return text


def _name(text: str, what: str) -> str:
    name = _unquote(text)
    if not _NAME_RE.fullmatch(name):
        raise GrammarError(f"{what} {_clip(name)!r} is not a plain SQL name")
    return name


def _note_after(rest: str, what: str) -> str | None:
    """Text after ` - ` (or a dash or colon) is a note; anything else is an error."""
    rest = rest.strip()
    if not rest:
        return None
    if rest.startswith(_DASHES):
        note = _squash(rest[1:])
        return note or None
    raise GrammarError(
        f"unexpected text {_clip(rest)!r} after the {what}; "
        "write remarks after ' - ' (e.g. `- `x` (text) - remark`)"
    )


def split_values(note: str) -> tuple[tuple[str, ...], str | None]:
    """Quoted allowed values in a column note: `'add', 'remove'` -> values, no note.

    When the note says more than the list, it is kept too, so nothing the writer said is
    lost.  An open-ended list (`'en', 'es', etc.`, `e.g. 'x'`) gives examples, not the
    allowed values (`values` is checked against the database's enum or CHECK list), so it
    stays a note only.
    """
    values = tuple(m.group(1) for m in _LITERAL.finditer(note))
    if not values:
        return (), note
    rest = _LITERAL.sub(",", note)
    if _OPEN_LIST.search(rest):
        return (), note
    return values, (None if _LIST_GLUE.match(rest) else note)


# -- foreign key targets -------------------------------------------------------


def parse_reference(text: str) -> Reference:
    """`table.column`, `schema.table.column`, `table(col, ...)`, `schema.table(col)`, `table`."""
    raw = _unquote(text)
    match = re.fullmatch(rf"\s*({_NAME}(?:\.{_NAME})?)\s*\(([^()]*)\)\s*", raw)
    if match:
        target, cols = match.groups()
        columns = tuple(_name(c, "referenced column") for c in cols.split(","))
        schema, _, table = target.rpartition(".")
        return Reference(table=table, columns=columns, schema=schema or None)
    parts = raw.strip().split(".")
    if all(_NAME_RE.fullmatch(p) for p in parts) and 1 <= len(parts) <= 3:
        if len(parts) == 1:
            return Reference(table=parts[0], columns=("id",))
        if len(parts) == 2:
            return Reference(table=parts[0], columns=(parts[1],))
        return Reference(table=parts[1], columns=(parts[2],), schema=parts[0])
    raise GrammarError(
        f"cannot read foreign key target {_clip(raw)!r}; expected table.column, "
        "table(column) or schema.table(column)"
    )


# -- columns -------------------------------------------------------------------

_COLUMN_HEAD = re.compile(r"`([^`]*)`\s*\(")


def parse_column(text: str, line: int) -> DocColumn:
    """``- `name` (type, mark, ...) - note``."""
    head = _COLUMN_HEAD.match(text.strip())
    if head is None:
        raise GrammarError(
            f"cannot read column line {_clip(text)!r}; expected `name` (type[, marks]) [- note]"
        )
    body = text.strip()
    name = _name(head.group(1), "column name")
    start = head.end() - 1
    end = closing_paren(body, start)
    if end < 0:
        raise GrammarError(f"column `{name}`: unbalanced parentheses")
    inner = split_top(body[start + 1 : end])
    note = _note_after(body[end + 1 :], f"type of column `{name}`")
    type_text = _squash(inner[0])
    if not type_text:
        raise GrammarError(f"column `{name}` has no type")
    fields: dict[str, object] = {}
    for mark in inner[1:]:
        _column_mark(mark, name, fields)
    values: tuple[str, ...] = ()
    if note is not None:
        values, note = split_values(note)
    nullable = bool(fields.get("nullable", False))
    if nullable and fields.get("primary_key"):
        raise GrammarError(f"column `{name}` is marked both PRIMARY KEY and nullable")
    reference = fields.get("reference")
    default = fields.get("default")
    return DocColumn(
        name=name,
        type=type_text,
        line=line,
        nullable=nullable,
        primary_key=bool(fields.get("primary_key", False)),
        unique=bool(fields.get("unique", False)),
        default=default if isinstance(default, str) else None,
        reference=reference if isinstance(reference, Reference) else None,
        note=note,
        values=values,
    )


def _column_mark(mark: str, column: str, fields: dict[str, object]) -> None:
    word = _squash(mark).lower()
    key: str
    value: object
    fk = re.fullmatch(rf"(?:fk|foreign key|references)?\s*{_ARROWS}?\s*(.+)", mark.strip(), re.I)
    if word in ("primary key", "pk"):
        key, value = "primary_key", True
    elif word == "unique":
        key, value = "unique", True
    elif word in ("nullable", "null"):
        key, value = "nullable", True
    elif word == "not null":
        key, value = "nullable", False
    elif word.startswith("default "):
        key, value = "default", _squash(mark)[len("default ") :]
    elif re.match(rf"(?:fk|foreign key|references)\b|{_ARROWS}", mark.strip(), re.I) and fk:
        key, value = "reference", parse_reference(fk.group(1))
    elif not word:
        raise GrammarError(f"column `{column}`: empty mark (two commas in a row?)")
    else:
        raise GrammarError(
            f"column `{column}`: unknown mark {_clip(mark)!r}; expected PRIMARY KEY, UNIQUE, "
            "nullable, NOT NULL, DEFAULT <expr> or FK → table.column"
        )
    if key in fields:
        raise GrammarError(f"column `{column}`: {key.replace('_', ' ')} is stated twice")
    fields[key] = value


# -- indexes -------------------------------------------------------------------

_INDEX_HEAD = re.compile(
    r"(?P<unique>unique\s+)?(?:(?P<method>[A-Za-z][A-Za-z-]*)\s+)?index\s+on\s+",
    re.IGNORECASE,
)
_PRIMARY_INDEX = re.compile(r"primary\s+key(?:\s+index)?\s*\.?", re.IGNORECASE)
_KEY = re.compile(rf"({_NAME})(?:\s+(asc|desc))?", re.IGNORECASE)
_WHERE = re.compile(r"where\s+(.+)", re.IGNORECASE | re.DOTALL)
_INDEX_WORDING = (
    "expected 'Primary key index', 'Index on `col`', 'Index on `(a, b DESC)`', "
    "'Unique index on ...' or '<GIN|GiST|HNSW|BRIN|Hash|...> index on ...'"
)


def parse_index(text: str, line: int) -> DocIndex:
    body = _squash(text)
    primary = _PRIMARY_INDEX.fullmatch(body)
    if primary:
        return DocIndex(line=line, primary_key=True)
    head = _INDEX_HEAD.match(body)
    if head is None:
        raise GrammarError(f"unknown index wording {_clip(body)!r}; {_INDEX_WORDING}")
    method: str | None = None
    if head.group("method"):
        method = _METHODS.get(head.group("method").lower())
        if method is None:
            raise GrammarError(
                f"unknown index method {head.group('method')!r}; expected one of: "
                + ", ".join(sorted(set(_METHODS.values())))
            )
    keys, rest = _index_keys(body[head.end() :])
    fields = _IndexTrailer(unique=bool(head.group("unique")))
    fields.read(rest)
    where = fields.where
    return DocIndex(
        line=line,
        keys=keys,
        unique=fields.unique,
        method=method,
        where=where,
        partial=fields.partial and where is None,
        note="; ".join(fields.notes) or None,
    )


def _index_keys(text: str) -> tuple[tuple[str, ...], str]:
    """The backticked key list at the start of `text`, and what follows it."""
    groups: list[str] = []
    rest = text
    while True:
        match = re.match(r"\s*`([^`]*)`", rest)
        if match is None:
            break
        groups.append(match.group(1))
        rest = rest[match.end() :]
        more = re.match(r"\s*(?:,|\band\b)\s*(?=`)", rest, re.IGNORECASE)
        if more is None:
            break
        rest = rest[more.end() :]
    if not groups:
        raise GrammarError(
            f"cannot read the indexed columns in {_clip(text)!r}; "
            "write them in backticks: `col` or `(a, b DESC)`"
        )
    keys: list[str] = []
    for group in groups:
        inner = group.strip()
        if inner.startswith("(") and closing_paren(inner, 0) == len(inner) - 1:
            inner = inner[1:-1]
        for part in split_top(inner):
            keys.append(_index_key(part))
    return tuple(keys), rest


def _index_key(part: str) -> str:
    if not part:
        raise GrammarError("empty index key (two commas in a row?)")
    match = _KEY.fullmatch(part)
    if match:
        name, direction = match.groups()
        return f"{name} {direction.upper()}" if direction else name
    direction_match = re.search(r"\s+(asc|desc)$", part, re.IGNORECASE)
    expression = part[: direction_match.start()] if direction_match else part
    expression = expression.strip()
    if not (expression.startswith("(") and closing_paren(expression, 0) == len(expression) - 1):
        expression = f"({expression})"
    if direction_match:
        return f"{expression} {direction_match.group(1).upper()}"
    return expression


class _IndexTrailer:
    """What follows the keys: `(partial, WHERE ...)`, `WHERE ...`, `(remark)`, `- note`."""

    def __init__(self, unique: bool) -> None:
        self.unique = unique
        self.where: str | None = None
        self.partial = False
        self.notes: list[str] = []

    def read(self, rest: str) -> None:
        rest = rest.strip()
        while rest:
            if rest.startswith("("):
                end = closing_paren(rest, 0)
                if end < 0:
                    raise GrammarError(f"unbalanced parentheses in {_clip(rest)!r}")
                for part in split_top(rest[1:end]):
                    self._group_part(part)
                rest = rest[end + 1 :].strip()
                continue
            where = _WHERE.fullmatch(rest)
            if where:
                self._set_where(where.group(1))
                return
            if rest.startswith(_DASHES):
                note = _squash(rest[1:])
                if note:
                    self.notes.append(note)
                return
            raise GrammarError(
                f"cannot read {_clip(rest)!r} after the index columns; expected "
                "(partial), (partial, WHERE ...), (UNIQUE where ...), WHERE ..., "
                "a (remark) or ' - note'"
            )

    def _group_part(self, part: str) -> None:
        words = _squash(part)
        lower = words.lower()
        unique = re.fullmatch(r"unique(?:\s+where\s+(.+))?", words, re.IGNORECASE | re.DOTALL)
        partial = re.fullmatch(r"partial(?:\s+index)?(?:\s+where\s+(.+))?", words, re.IGNORECASE)
        where = _WHERE.fullmatch(words)
        if unique:
            self.unique = True
            if unique.group(1):
                self._set_where(unique.group(1))
        elif partial:
            self.partial = True
            if partial.group(1):
                self._set_where(partial.group(1))
        elif where:
            self._set_where(where.group(1))
        elif lower in _METHODS:
            raise GrammarError(
                f"index method {words!r} in parentheses; write it before 'index' "
                f"({words.upper()} index on ...)"
            )
        elif words:
            self.notes.append(words)

    def _set_where(self, predicate: str) -> None:
        text = _squash(predicate).rstrip(".;").strip()
        if not text:
            raise GrammarError("WHERE without a predicate")
        if self.where is not None:
            raise GrammarError("two WHERE predicates on one index")
        self.where = text


# -- foreign keys ----------------------------------------------------------------

_FK_LINE = re.compile(
    rf"(?P<cols>`[^`]*`|\([^()]*\)|{_NAME})\s*(?:{_ARROWS}|references\b)\s*"
    rf"(?P<target>`[^`]*`|{_NAME}(?:\.{_NAME}){{0,2}}(?:\s*\([^()]*\))?)(?P<rest>.*)",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"on\s+(delete|update)\s+(cascade|set\s+null|set\s+default|restrict|no\s+action)\b",
    re.IGNORECASE,
)


def parse_foreign_key(text: str, line: int) -> DocForeignKey:
    """``- `col` → `table(col)` ON DELETE CASCADE [ON UPDATE ...]``."""
    body = _squash(text)
    match = _FK_LINE.fullmatch(body)
    if match is None:
        raise GrammarError(
            f"cannot read foreign key {_clip(body)!r}; expected "
            "`column` → `table(column)` [ON DELETE action] [ON UPDATE action]"
        )
    cols_text = _unquote(match.group("cols")).strip()
    if cols_text.startswith("(") and cols_text.endswith(")"):
        cols_text = cols_text[1:-1]
    columns = tuple(_name(c, "foreign key column") for c in cols_text.split(","))
    target = parse_reference(match.group("target"))
    if len(target.columns) != len(columns):
        raise GrammarError(
            f"foreign key on ({', '.join(columns)}) references {len(target.columns)} column(s)"
        )
    actions: dict[str, str] = {}
    rest = match.group("rest").strip()
    while rest:
        action = _ACTION.match(rest)
        if action is None:
            raise GrammarError(
                f"cannot read {_clip(rest)!r} after the foreign key target; expected "
                "ON DELETE <action> / ON UPDATE <action> (CASCADE, SET NULL, SET DEFAULT, "
                "RESTRICT, NO ACTION)"
            )
        event = action.group(1).lower()
        if event in actions:
            raise GrammarError(f"ON {event.upper()} is stated twice")
        actions[event] = _ACTIONS[_squash(action.group(2)).lower()]
        rest = rest[action.end() :].strip()
    return DocForeignKey(
        line=line,
        columns=columns,
        target=target,
        on_delete=actions.get("delete"),
        on_update=actions.get("update"),
    )


# -- row-level security ------------------------------------------------------------

# Phrase -> access kind.  Order of appearance in the sentence decides the order
# of kinds ("own rows, admins all" -> [owner, admin]).
_ACCESS_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bservice[\s_-]role\b", "service_role_only"),
    (r"\borgani[sz]ation", "organization"),
    (r"\bdomain", "domain"),
    (r"\badmin(?:s|istrators?)?\b", "admin"),
    (r"\bown\b|\bowners?\b|\buser[\s-]based\b|\bper[\s-]user\b", "owner"),
    (r"\bpublic(?:ly)?\b", "public_read"),
)
_RLS_OFF = re.compile(r"\b(?:no\s+rls|rls\s+(?:is\s+)?(?:disabled|off)|none|disabled)\b", re.I)
_LIKELY = re.compile(r"\b(?:likely|probably|presumably|maybe|possibly)\b", re.IGNORECASE)


def parse_rls(text: str, line: int) -> DocRls:
    """Map the RLS sentence to access kinds; `Likely ...` marks it as a guess."""
    sentence = _squash(text)
    if not sentence:
        raise GrammarError("the RLS part is empty; state the access (e.g. 'Service role only')")
    likely = bool(_LIKELY.search(sentence))
    if _RLS_OFF.search(sentence) and not any(
        re.search(p, sentence, re.IGNORECASE) for p, _ in _ACCESS_PHRASES
    ):
        return DocRls(line=line, text=sentence, enabled=False, likely=likely)
    found: list[tuple[int, str]] = []
    for pattern, kind in _ACCESS_PHRASES:
        match = re.search(pattern, sentence, re.IGNORECASE)
        if match:
            found.append((match.start(), kind))
    if not found:
        raise GrammarError(
            f"cannot map the RLS sentence {_clip(sentence)!r} to access kinds; expected wording "
            "such as 'Service role only', 'Organization-based access', 'Domain-based access', "
            "'Admin only', 'User-based access (own rows only)', 'Public read access'"
        )
    access = tuple(kind for _, kind in sorted(found))
    return DocRls(line=line, text=sentence, access=access, likely=likely)
