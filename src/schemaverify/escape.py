"""Escaping for the outputs people and log parsers read: one function per output, used once,
at the edge, on values taken from the model.

Every name in a report comes from a database, and a quoted PostgreSQL identifier may hold any
character but NUL: newlines, ESC, C1 controls, bidi overrides, Markdown and Rich markup.  The
model keeps names exactly as stored (JSON, SARIF and JUnit serialize them faithfully); the
renderers that end on a terminal, in a CI log or in a pull-request comment pass every
data-driven string through the function for their output here, so that a name can draw no
structure of its own there: no log line (a workflow command in GitHub Actions), no terminal
escape sequence (colours, OSC 8 links, OSC 52 clipboard writes), no Markdown heading, link,
HTML block or table row, no notification.

Escaping is visible rather than silent: a reader sees that a name holds `\\x1b`, instead of a
name that looks like another one.  Backslashes are not doubled: finding messages quote SQL
(`'^\\d+$'`), which would no longer read as the SQL it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

_INVISIBLE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1 (0x9b is CSI to an 8-bit terminal)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (undecodable file names): no encoder writes them
    "]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BREAK = re.compile("\r\n|\r|\n")
"""Line breaks as CommonMark, terminals and the Actions runner see them: a lone CR ends a line."""


def _show(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Every control, separator and bidi character as a visible escape (`\\n`, `\\x1b`,
    `\\u202e`): what a terminal, CI log or file shows has no line break, escape sequence or
    reordering from data."""
    return _INVISIBLE.sub(_show, text)


def terminal(text: str) -> str:
    """Data for a Rich `Text` (never a markup string): visible escapes only, since Rich draws
    `Text` literally."""
    return visible(text)


# --- terminal and CI logs: the rendered lines ---------------------------------------------

_ZWSP = "\u200b"
_COMMAND_START = re.compile(r"^((?:\s|\x1b\[[0-9;]*m)*)::", re.MULTILINE)
"""A line the Actions runner takes for a workflow command: `::` after leading whitespace
(it trims before matching), here also after colour codes, in case a log viewer drops them."""


def log_safe(text: str) -> str:
    """Rendered terminal text that the GitHub Actions runner reads as no workflow command.

    Data holds no line break after `visible`, but Rich wraps long names and cells, and a
    wrapped line may begin anywhere in a name; the runner also still honours the legacy
    `##[command]` form anywhere in a line.  A zero-width space before such a `::`, and
    between the two `#`, keeps the layout and stops the parse: the runner trims whitespace,
    and U+200B is none."""
    text = _COMMAND_START.sub(lambda m: m.group(1) + _ZWSP + "::", text)
    return text.replace("##[", "#" + _ZWSP + "#[")


@contextmanager
def guarded(console: Console) -> Iterator[None]:
    """Print through `console` as usual, but pass what is printed through `log_safe` first."""
    with console.capture() as captured:
        yield
    console.file.write(log_safe(captured.get()))
    console.file.flush()


# --- Markdown (GitHub-flavoured, read in a pull request) ----------------------------------

_MARKDOWN_ESCAPED = frozenset("\\`*_[]|~#$")
"""Inline metacharacters that could start emphasis, code, links, images, tables,
strikethrough, math (`$`) or (at a line start) headings; backslash-escaped, as CommonMark
allows for any ASCII punctuation.  `(`, `)` and `!` only build a link or image after an
unescaped `]`, so they are left readable.  `<`, `>`, `&` become entities (no HTML, no
autolink, no entity of the data's choosing)."""
_ENTITY_ZWSP = "&#8203;"
_ISSUE = re.compile(r"#(?=[0-9])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
_URL = re.compile(r"(?i)(:(?=//)|(?<=www)(?=\.))")


def _quiet(escaped: str) -> str:
    """No @mention, #123 reference or bare-URL autolink from data, on text already escaped.

    GitHub finds these in the rendered text (a backslash or an entity for `@` is decoded
    before), so a zero-width space goes after `@` and `#` and inside `://` and `www.`; this is
    what Dependabot and Renovate do to quote upstream text without notifying anyone.  Written
    as an entity, the space shows in the Markdown source.  `#` first: the entity holds `#8`."""
    escaped = _ISSUE.sub("#" + _ENTITY_ZWSP, escaped)
    escaped = _MENTION.sub("@" + _ENTITY_ZWSP, escaped)
    return _URL.sub(lambda m: m.group() + _ENTITY_ZWSP, escaped)


_MARKDOWN_TABLE = str.maketrans(
    {**{c: "\\" + c for c in _MARKDOWN_ESCAPED}, **{c: html.escape(c) for c in "<>&"}}
)
"""One pass in C (`str.translate`): a reference of thousands of tables escapes every cell."""


def _markdown_line(text: str) -> str:
    return _quiet(visible(text).translate(_MARKDOWN_TABLE))


def markdown(text: str) -> str:
    """Text safe in a Markdown table cell or list item: inline metacharacters escaped, HTML
    special characters as entities, every line break (a lone CR too) as `<br>`, other
    controls as visible escapes, no mention, reference or autolink."""
    return "<br>".join(_markdown_line(line) for line in _BREAK.split(text))


def html_text(text: str) -> str:
    """Text safe inside raw HTML in Markdown (`<summary>`, `<code>`): one line (a blank line
    would end the HTML block and let the rest render as Markdown), entities for HTML, no
    mention, reference or autolink.  Backslashes stay: Markdown is not parsed there."""
    return _quiet(html.escape(visible(text), quote=True))


# --- GitHub Actions workflow commands -----------------------------------------------------


def _visible_but_breaks(text: str) -> str:
    """`visible`, except that line breaks stay for the format to encode its own way."""
    pieces = re.split(f"({_BREAK.pattern})", text)
    return "".join(p if i % 2 else visible(p) for i, p in enumerate(pieces))


def workflow_data(text: str) -> str:
    """A workflow command's message, as the runner unescapes it: `%`, CR and LF
    percent-encoded (so a line break shows in the annotation but starts no log line), other
    controls as visible escapes (the log viewer would draw ANSI colours)."""
    escaped = _visible_but_breaks(text)
    return escaped.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A workflow command's property value: as the message, and `:` and `,`, which separate
    properties and end the command's head."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
