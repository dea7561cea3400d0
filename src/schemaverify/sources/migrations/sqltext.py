"""Split SQL text into statements with their places, the way psql does.

The runner sends each file to the server as one string, so the server is the
parser of record; this splitter only has to find where statements begin and
end: to name the statement an error position falls in, to locate a failure
the server reported without a position, to run a file statement by statement
when it must run outside a transaction block, and for the preflight scan.

It understands what can hide a semicolon: '...' and E'...' strings, "quoted"
identifiers, $tag$ dollar quotes $tag$, -- and nested /* */ comments,
parentheses, and BEGIN ATOMIC ... END bodies of SQL-standard functions
(tracked with psql's heuristic).  Offsets are character offsets into the
text, as PostgreSQL's error positions are.
"""

from __future__ import annotations

import bisect
import re
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<line_comment>--[^\n]*)
    | (?P<block_comment>/\*)
    | (?P<estring>[eE]'(?:[^'\\]|\\.|'')*(?:'|\Z))
    | (?P<string>'(?:[^']|'')*(?:'|\Z))
    | (?P<quoted>"(?:[^"]|"")*(?:"|\Z))
    | (?P<dollar>\$(?:[^\W\d][\w]*)?\$)
    | (?P<word>[^\W\d][\w$]*)
    | (?P<param>\$\d+)
    | (?P<number>\d[\w.]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_SCAN = re.compile(
    r"""
    (?:\s+|--[^\n]*)*
    (?:
      (?P<block_comment>/\*)
    | (?P<estring>[eE]'(?:[^'\\]|\\.|'')*(?:'|\Z))
    | (?P<string>'(?:[^']|'')*(?:'|\Z))
    | (?P<quoted>"(?:[^"]|"")*(?:"|\Z))
    | (?P<dollar>\$(?:[^\W\d][\w]*)?\$)
    | (?P<word>[^\W\d][\w$]*)
    | (?P<rest>\$\d+|\d[\w.]*|[^;()])
    | (?P<punct>[;()])
    | \Z
    )
    """,
    re.VERBOSE | re.DOTALL,
)
"""`_TOKEN` with blanks and line comments skipped in the same match: `scan` runs it once per
token of files of millions of statements.  It always matches (`rest`, `punct` or the end)."""

_ROUTINE_START = (("create", "function"), ("create", "procedure"))
_ROUTINE_START_OR_REPLACE = (
    ("create", "or", "replace", "function"),
    ("create", "or", "replace", "procedure"),
)


@dataclass(frozen=True)
class Statement:
    start: int
    """Offset of the statement's first character (after leading blanks and comments)."""
    end: int
    """Offset just past its terminating semicolon (or the end of the text)."""
    text: str
    words: tuple[str, ...]
    """Its unquoted words (keywords and identifiers), lower-cased, outside strings and comments."""

    @property
    def first_line(self) -> str:
        return first_line(self.text)


def first_line(text: str, limit: int = 120) -> str:
    """The first non-blank line of a statement, shortened for messages."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            return stripped if len(stripped) <= limit else stripped[: limit - 1] + "…"
    return ""


def _block_comment_end(text: str, pos: int) -> int:
    """End offset of a (possibly nested) /* comment starting at pos."""
    depth = 0
    i = pos
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


class StatementList(Sequence[Statement]):
    """The statements of one text, kept as offsets: a `Statement` is made only when asked for.

    A migration file of two million `SELECT 1;` must not cost two million
    objects: this keeps two 8-byte offsets and one shared words tuple per
    statement, beside the text itself.
    """

    __slots__ = ("_ends", "_starts", "_text", "_words")

    def __init__(
        self, text: str, starts: array[int], ends: array[int], words: list[tuple[str, ...]]
    ):
        self._text = text
        self._starts = starts
        self._ends = ends
        self._words = words

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> Statement: ...

    @overload
    def __getitem__(self, index: slice) -> list[Statement]: ...

    def __getitem__(self, index: int | slice) -> Statement | list[Statement]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        start, end = self._starts[index], self._ends[index]
        return Statement(start, end, self._text[start:end], self._words[index])

    def __iter__(self) -> Iterator[Statement]:
        for i in range(len(self._starts)):
            yield self[i]

    def words(self, index: int) -> tuple[str, ...]:
        return self._words[index]

    def span(self, index: int) -> tuple[int, int]:
        return self._starts[index], self._ends[index]

    def index_at(self, offset: int) -> int | None:
        """The statement containing `offset` (or the next one, if it falls between two)."""
        if not self._starts:
            return None
        return min(bisect.bisect_right(self._ends, offset), len(self._starts) - 1)


def split(text: str) -> list[Statement]:
    """Every statement of `text`, in order; blank and comment-only stretches are skipped."""
    return list(scan(text))


def scan(text: str) -> StatementList:
    """`split`, kept compact (see StatementList)."""
    starts: array[int] = array("q")
    ends: array[int] = array("q")
    all_words: list[tuple[str, ...]] = []
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    pos = 0
    n = len(text)
    start: int | None = None
    words: list[str] = []
    paren_depth = 0
    begin_depth = 0

    def finish(end: int) -> None:
        nonlocal start, words, paren_depth, begin_depth
        if start is not None:
            starts.append(start)
            ends.append(end)
            key = tuple(words)
            all_words.append(shared.setdefault(key, key))
        start = None
        words = []
        paren_depth = 0
        begin_depth = 0

    routine = False
    """The statement is CREATE [OR REPLACE] FUNCTION|PROCEDURE (psql's test), known once it
    has four words: inside, BEGIN ... END bodies hide semicolons."""
    while pos < n:
        match = _SCAN.match(text, pos)
        assert match is not None  # see _SCAN
        kind = match.lastgroup
        end = match.end()
        if kind is None:  # blanks and comments up to the end
            break
        token_start = match.start(kind)
        if kind == "block_comment":
            pos = _block_comment_end(text, token_start)
            continue
        if start is None:
            start = token_start
            routine = False
        if kind == "word":
            word = sys.intern(match.group(kind).lower())
            words.append(word)
            if len(words) <= 4:
                routine = _in_routine_header(words)
            if routine and paren_depth == 0:
                if word == "begin" or (word == "case" and begin_depth >= 1):
                    begin_depth += 1
                elif word == "end" and begin_depth > 0:
                    begin_depth -= 1
        elif kind == "punct":
            char = match.group(kind)
            if char == "(":
                paren_depth += 1
            elif char == ")":
                paren_depth = max(0, paren_depth - 1)
            elif paren_depth == 0 and begin_depth == 0:
                finish(end)
        elif kind == "dollar":
            tag = match.group(kind)
            close = text.find(tag, end)
            end = n if close < 0 else close + len(tag)
        pos = end
    finish(n)
    return StatementList(text, starts, ends, all_words)


def _in_routine_header(words: list[str]) -> bool:
    """psql's test: the statement starts CREATE [OR REPLACE] FUNCTION|PROCEDURE."""
    return tuple(words[:2]) in _ROUTINE_START or tuple(words[:4]) in _ROUTINE_START_OR_REPLACE


def find_identifier(text: str, name: str) -> int | None:
    """Offset of the first token of `text` that names `name` (unquoted: any case; "quoted": exact).

    Lets an error that names an object but has no position ("relation "x"
    does not exist") point at the object inside its statement.
    """
    pos = 0
    n = len(text)
    folded = name.lower()
    while pos < n:
        match = _TOKEN.match(text, pos)
        assert match is not None
        kind = match.lastgroup
        end = match.end()
        if kind == "block_comment":
            end = _block_comment_end(text, pos)
        elif kind == "dollar":
            close = text.find(match.group(), end)
            end = n if close < 0 else close + len(match.group())
        elif kind in ("word", "quoted") and _names(match.group(), kind, name, folded):
            return pos
        pos = end
    return None


def literal_body_start(text: str) -> int | None:
    """Offset where the first string or dollar-quoted literal's content begins (a DO body)."""
    pos = 0
    n = len(text)
    while pos < n:
        match = _TOKEN.match(text, pos)
        assert match is not None
        kind = match.lastgroup
        if kind == "dollar":
            return match.end()
        if kind == "string":
            return pos + 1
        if kind == "estring":
            return pos + 2
        pos = _block_comment_end(text, pos) if kind == "block_comment" else match.end()
    return None


@dataclass(frozen=True)
class Token:
    """One significant token: comments and blanks are never tokens."""

    kind: str
    """word, quoted, string (any '...' or E'...' literal), dollar, number, param or other."""
    value: str
    """word: lower-cased; quoted: the identifier; string and dollar: the literal's content,
    unescaped; otherwise the text itself."""
    start: int


_BACKSLASH = re.compile(r"\\(.)", re.DOTALL)


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of `text`, so that a scan never matches inside a comment and
    can look inside literals (a DO body, a function body, an EXECUTE string) on purpose."""
    pos = 0
    n = len(text)
    while pos < n:
        match = _TOKEN.match(text, pos)
        assert match is not None
        kind = match.lastgroup or "other"
        raw = match.group()
        end = match.end()
        if kind in ("space", "line_comment"):
            pass
        elif kind == "block_comment":
            end = _block_comment_end(text, pos)
        elif kind == "dollar":
            close = text.find(raw, end)
            body_end = n if close < 0 else close
            yield Token("dollar", text[end:body_end], pos)
            end = n if close < 0 else close + len(raw)
        elif kind == "word":
            yield Token("word", raw.lower(), pos)
        elif kind == "quoted":
            yield Token("quoted", _unquote(raw, '"'), pos)
        elif kind == "string":
            yield Token("string", _unquote(raw, "'"), pos)
        elif kind == "estring":
            yield Token("string", _BACKSLASH.sub(r"\1", _unquote(raw[1:], "'")), pos)
        else:
            yield Token(kind, raw, pos)
        pos = end


def _unquote(raw: str, quote: str) -> str:
    inner = raw[1:-1] if len(raw) > 1 and raw.endswith(quote) else raw[1:]
    return inner.replace(quote * 2, quote)


def _names(token: str, kind: str | None, name: str, folded: str) -> bool:
    if kind == "word":
        return token.lower() == folded
    return token[1:-1].replace('""', '"') == name


class LineIndex:
    """Character offset -> (line, column), both 1-based."""

    def __init__(self, text: str):
        self._starts: array[int] = array("q", [0])
        self._starts.extend(m.end() for m in re.finditer("\n", text))

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def statement_at(statements: Sequence[Statement], offset: int) -> Statement | None:
    """The statement containing `offset` (or the next one, if it falls between two)."""
    if isinstance(statements, StatementList):
        index = statements.index_at(offset)
        return None if index is None else statements[index]
    for statement in statements:
        if offset < statement.end:
            return statement
    return statements[-1] if statements else None


def blank_out(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace each span by spaces, keeping newlines, so every other offset stays valid."""
    if not spans:
        return text
    pieces = []
    last = 0
    for begin, end in sorted(spans):
        pieces.append(text[last:begin])
        pieces.append(re.sub(r"[^\n]", " ", text[begin:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
