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
from dataclasses import dataclass

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


def split(text: str) -> list[Statement]:
    """Every statement of `text`, in order; blank and comment-only stretches are skipped."""
    statements: list[Statement] = []
    pos = 0
    n = len(text)
    start: int | None = None
    words: list[str] = []
    paren_depth = 0
    begin_depth = 0

    def finish(end: int) -> None:
        nonlocal start, words, paren_depth, begin_depth
        if start is not None:
            statements.append(Statement(start, end, text[start:end], tuple(words)))
        start = None
        words = []
        paren_depth = 0
        begin_depth = 0

    while pos < n:
        match = _TOKEN.match(text, pos)
        assert match is not None  # `other` matches any character
        kind = match.lastgroup
        end = match.end()
        if kind == "space" or kind == "line_comment":
            pos = end
            continue
        if kind == "block_comment":
            pos = _block_comment_end(text, pos)
            continue
        if start is None:
            start = pos
        if kind == "dollar":
            tag = match.group()
            close = text.find(tag, end)
            end = n if close < 0 else close + len(tag)
        elif kind == "word":
            word = match.group().lower()
            words.append(word)
            if paren_depth == 0 and _in_routine_header(words):
                if word == "begin" or (word == "case" and begin_depth >= 1):
                    begin_depth += 1
                elif word == "end" and begin_depth > 0:
                    begin_depth -= 1
        elif kind == "other":
            char = match.group()
            if char == "(":
                paren_depth += 1
            elif char == ")":
                paren_depth = max(0, paren_depth - 1)
            elif char == ";" and paren_depth == 0 and begin_depth == 0:
                finish(end)
        pos = end
    finish(n)
    return statements


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


def _names(token: str, kind: str | None, name: str, folded: str) -> bool:
    if kind == "word":
        return token.lower() == folded
    return token[1:-1].replace('""', '"') == name


class LineIndex:
    """Character offset -> (line, column), both 1-based."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def statement_at(statements: list[Statement], offset: int) -> Statement | None:
    """The statement containing `offset` (or the next one, if it falls between two)."""
    for statement in statements:
        if offset < statement.end:
            return statement
    return statements[-1] if statements else None


def blank_out(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace each span by spaces, keeping newlines, so every other offset stays valid."""
    if not spans:
        return text
    chars = list(text)
    for begin, end in spans:
        for i in range(begin, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
