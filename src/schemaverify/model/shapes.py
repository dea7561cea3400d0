"""Shapes of SQL texts: the same expression with its literals and chosen names abstracted.

A real schema writes each table's policies, partial-index predicates and CHECKs against
its own name, its parent's and its own bounds (`amount >= 157`, `p.id =
invoices_00042.parent_id`), so almost every text is distinct and an expression cache
keyed by text misses.  Parsing costs a fraction of a millisecond per text; over tens of
thousands of texts it is most of a check.  The texts of one schema come in a handful of
shapes, though: replace each string and number literal, and each name the caller lets go
(a relation's), by a numbered placeholder, and ten thousand texts are the same template.

Callers work on the template once (normalize it, classify it) and put the parameters
back into the result.  That is sound only where the work never looks inside what was
abstracted; so the lexer gives up (None) on everything it does not fully understand
(comments, dollar quotes, escape strings, `$1`), keeps literals whose content a rule
reads (numbers written as strings, `'x'::regclass`, anything with a quote or a
backslash), renames only plain lower-case names that are no keyword and no function
call, and the callers check the result of a template against a direct computation the
first time they meet it (`normalize.expression`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<qident>"(?:[^"]|"")*")
    |(?P<string>'(?:[^']|'')*')
    |(?P<number>\d+(?:\.\d+)?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    """,
    re.VERBOSE,
)
"""What a shape may abstract; whatever lies between (blanks, operators) is kept as is."""
_OTHER = re.compile(r"""[^\s"'A-Za-z0-9_.,()\[\]:;+\-*/<>=~!@#%^&|?]""")
"""A character outside the lexer's alphabet (besides non-ASCII letters, kept verbatim)."""
_ASCII_LETTER_OR_DIGIT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

MARK = "__sv_"
"""Every placeholder starts so; a text that already holds it is never shaped."""
_NAME_MARK = MARK + "i"
_NUMBER_CORE = "7531902468"
"""The digits every number placeholder holds (a text holding them is never shaped)."""
_NUMBER_TEXT = re.compile(r"^\s*-?\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_PLAIN_STRING = re.compile(r"[ -&(-\[\]-~\u00a0-\U0010ffff]*")
"""Printable content without a quote or a backslash: what a renderer prints unchanged."""
_RENAMABLE = re.compile(r"[a-z_][a-z0-9_]*")
_UNSHAPED = ("--", "/*", "$", "\\", "`", "{", "}")


@dataclass(frozen=True)
class Shape:
    """A text with its parameters replaced by placeholders."""

    template: str
    placeholders: tuple[str, ...]
    """Each placeholder as it stands in the template (and in a result rendered from it)."""
    originals: tuple[str, ...]
    """What each placeholder stands for, as written in the text."""

    def fill(self, result: str) -> str | None:
        """`result` (computed from the template) with the parameters put back; None when a
        placeholder did not come through intact, so the caller computes it directly."""
        if not self.placeholders:
            return result
        out = result
        # Longest first: a decimal placeholder holds an integer one's digits.
        for placeholder, original in sorted(
            zip(self.placeholders, self.originals, strict=True), key=_longest_first
        ):
            out = out.replace(placeholder, original)
        if MARK in out.lower() or _NUMBER_CORE in out:
            return None  # a placeholder the result spells otherwise (`'__SV_S0__'`)
        return out

    def fill_names_except(self, result: str, keep: Callable[[str], bool]) -> str | None:
        """fill(), but the names `keep` accepts stay abstracted: `result` (computed from
        the template) as a shape of its own, with fewer names abstracted."""
        out = result
        for placeholder, original in sorted(
            zip(self.placeholders, self.originals, strict=True), key=_longest_first
        ):
            if placeholder.startswith(_NAME_MARK) and keep(original):
                continue
            out = out.replace(placeholder, original)
        # What is left of the marks must be intact name placeholders.
        if _NUMBER_CORE in out or out.lower().count(MARK) != out.count(_NAME_MARK):
            return None
        return out

    def value(self, text: str) -> str:
        """What a placeholder's content (a string literal's, without quotes, or a number's)
        stands for; any other text unchanged."""
        for placeholder, original in zip(self.placeholders, self.originals, strict=True):
            if placeholder.startswith("'"):
                if text == placeholder[1:-1]:
                    return original[1:-1]
            elif text == placeholder:
                return original
        return text


def _longest_first(pair: tuple[str, str]) -> int:
    return -len(pair[0])


class _Unshaped(Exception):
    """The text holds a token the lexer does not read."""


def shape_of(
    text: str,
    rename: Callable[[str], bool] | None = None,
    *,
    literals: bool = True,
) -> Shape | None:
    """The shape of `text`, or None when it holds something the lexer does not read.

    `rename(word)` says which names to abstract (each distinct name its own placeholder,
    so equal names stay equal and different ones different); `literals` abstracts string
    and number literals too.
    """
    if MARK in text or _NUMBER_CORE in text or any(s in text for s in _UNSHAPED):
        return None
    if _OTHER.search(text) is not None and not _only_letters_beyond_ascii(text):
        return None
    if '"' not in text and text.isascii():
        return _shape_plain(text, rename, literals)
    placeholders: list[str] = []
    originals: list[str] = []
    names: dict[str, str] = {}
    end = len(text)

    def token(match: re.Match[str]) -> str:
        kind = match.lastgroup
        found = match.group()
        start, stop = match.span()
        before = text[start - 1] if start else " "
        after = text[stop] if stop < end else " "
        if kind == "word":
            if after in "'\"":
                raise _Unshaped  # E'...', U&"...", B'...': prefixed literals
            if rename is None or not rename(found) or not _RENAMABLE.fullmatch(found):
                return found
            if not (before.isascii() and after.isascii()):
                return found  # part of a name with letters beyond ASCII
            if _after_cast(text, start) or _calls(text, stop):
                return found
            placeholder = names.get(found)
            if placeholder is None:
                placeholder = names[found] = f"{MARK}i{len(placeholders)}__"
                placeholders.append(placeholder)
                originals.append(found)
            return placeholder
        if kind == "number":
            if (
                after in _ASCII_LETTER_OR_DIGIT
                or after in "._$"
                or before in _ASCII_LETTER_OR_DIGIT
                or before in "._$"
                or after.isalpha()
                or before.isalpha()
                or (before in "+-" and start >= 2 and text[start - 2] in "eE")
            ):
                raise _Unshaped  # 1e5, 1.e3, .5, 0x1f: spellings kept out of shapes
            if not literals:
                return found
            placeholder = _number_placeholder(len(placeholders), found)
            placeholders.append(placeholder)
            originals.append(found)
            return placeholder
        if kind == "string":
            if before.isalnum() or before in "_&'" or after == "'":
                raise _Unshaped
            if not literals or _kept_string(found[1:-1], text, stop):
                return found
            placeholder = f"'{MARK}s{len(placeholders)}__'"
            placeholders.append(placeholder)
            originals.append(found)
            return placeholder
        return found  # a quoted name: kept

    try:
        template = _TOKEN.sub(token, text)
    except _Unshaped:
        return None
    return Shape(template, tuple(placeholders), tuple(originals))


_LITERAL = re.compile(
    r"'(?:[^']|'')*'|(?<![A-Za-z0-9_.$])(?<![eE][+-])\d+(?:\.\d+)?(?![A-Za-z0-9_.$])"
)
_WORD = re.compile(r"[a-z_][a-z0-9_]*")
_STRING_SPLIT = re.compile(r"('(?:[^']|'')*')")


def _shape_plain(text: str, rename: Callable[[str], bool] | None, literals: bool) -> Shape:
    """shape_of for an ASCII text without quoted names, the common case, in a few passes
    of the regex engine instead of a call per token: literals first, then each distinct
    name `rename` accepts, found by its few occurrences outside string literals."""
    placeholders: list[str] = []
    originals: list[str] = []

    def literal(match: re.Match[str]) -> str:
        found = match.group()
        start, stop = match.span()
        if found[0] == "'":
            before = text[start - 1] if start else " "
            if (
                not literals
                or before.isalnum()
                or before in "_&'"
                or (stop < len(text) and text[stop] == "'")
                or _kept_string(found[1:-1], text, stop)
            ):
                return found
            placeholder = f"'{MARK}s{len(placeholders)}__'"
        else:
            if not literals:
                return found
            placeholder = _number_placeholder(len(placeholders), found)
        placeholders.append(placeholder)
        originals.append(found)
        return placeholder

    template = _LITERAL.sub(literal, text) if literals else text
    if rename is None:
        return Shape(template, tuple(placeholders), tuple(originals))
    # Names are renamed outside string literals only: split the template at them.
    parts = _STRING_SPLIT.split(template)
    code = parts[0::2]
    # In order of first appearance, so that texts of one shape number their names alike.
    words = [w for w in dict.fromkeys(_WORD.findall(" ".join(code))) if rename(w)]
    for word in words:
        placeholder = f"{MARK}i{len(placeholders)}__"
        renamed = False
        for i in range(0, len(parts), 2):
            piece = _rename_word(parts[i], word, placeholder)
            if piece is not parts[i]:
                parts[i] = piece
                renamed = True
        if renamed:
            placeholders.append(placeholder)
            originals.append(word)
    return Shape("".join(parts), tuple(placeholders), tuple(originals))


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def _rename_word(text: str, word: str, placeholder: str) -> str:
    """`text` with the occurrences of `word` that are whole names (no type after `::`, no
    function call) replaced; `text` itself when there is none."""
    pieces: list[str] = []
    last = 0
    pos = text.find(word)
    size = len(word)
    while pos >= 0:
        stop = pos + size
        whole = (pos == 0 or text[pos - 1] not in _WORD_CHARS) and (
            stop == len(text) or text[stop] not in _WORD_CHARS
        )
        if whole and not _after_cast(text, pos) and not _calls(text, stop):
            pieces.append(text[last:pos])
            pieces.append(placeholder)
            last = stop
        pos = text.find(word, stop)
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _kept_string(content: str, text: str, stop: int) -> bool:
    """Whether a string literal (its content, and where it ends in `text`) stays in the
    template: its content is what a rule reads (a number PostgreSQL stored as a string, an
    array, an object name cast to a reg* type) or what a renderer may spell otherwise (a
    quote, a backslash, a control character)."""
    return (
        "'" in content
        or _PLAIN_STRING.fullmatch(content) is None
        or _NUMBER_TEXT.match(content) is not None
        or content.startswith("{")
        or _regclass_cast(text, stop)
    )


def _number_placeholder(index: int, number: str) -> str:
    """A number of the same kind (integer or decimal) that no text holds (see MARK)."""
    core = f"9{index:03d}{_NUMBER_CORE}"
    return f"{core}.25" if "." in number else core


def _only_letters_beyond_ascii(text: str) -> bool:
    """Whether every character outside the alphabet is a non-ASCII letter (an unquoted
    name may hold one), which the shape keeps verbatim."""
    return all(char.isalpha() and not char.isascii() for char in _OTHER.findall(text))


def _after_cast(text: str, start: int) -> bool:
    """Whether the word at `start` follows `::` (a type name)."""
    return text[max(start - 8, 0) : start].rstrip().endswith("::")


_CALLED = re.compile(r"\s*(?:\(|\.\s*(?:[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")*\")\s*\()")


def _calls(text: str, pos: int) -> bool:
    """Whether the word ending at `pos` names a function (`(` follows) or the schema of a
    function (`.name(` follows): sqlglot reads many function names as their own nodes."""
    return _CALLED.match(text, pos) is not None


_REG_CAST = re.compile(r"\s*::\s*reg", re.IGNORECASE)


def _regclass_cast(text: str, pos: int) -> bool:
    """`'public.seq'::regclass`: the literal's content names an object, which rules read."""
    return _REG_CAST.match(text, pos) is not None
