"""Plain values -> YAML text, deterministically and readably.

`yaml.safe_dump` would do, but its output depends on PyYAML's version and
style heuristics (line folding, quoting); generated specs are committed and
re-generated, so the same input must give the same bytes forever.  This
emitter writes mappings in the order given, short scalar lists in flow style
(`columns: [a, b DESC]`), and quotes a string exactly when a YAML reader
would otherwise see something else (checked by reading it back).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

WIDTH = 100
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
_FLOW_SPECIAL = ",[]{}"
_NON_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]"
)


def render(
    data: Mapping[str, Any],
    *,
    header: Sequence[str] = (),
    comments: Mapping[str, str] | None = None,
) -> str:
    """A YAML document: `header` as leading comment lines, then the mapping.

    A top-level value written over several lines, or carrying a comment from
    `comments`, is preceded by a blank line so the sections of a spec stand apart.
    """
    notes = comments or {}
    out = [f"# {_comment(line)}".rstrip() for line in header]
    for key, value in data.items():
        lines = _entry(key, value, 0)
        if (len(lines) > 1 or key in notes) and out:
            out.append("")
        if key in notes:
            out.append(f"# {_comment(notes[key])}".rstrip())
        out.extend(lines)
    return "\n".join(out) + "\n"


def scalar(value: Any, *, flow: bool = False) -> str:
    """One scalar as YAML text that reads back as exactly `value`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if _reads_back(text, value, flow=flow):
            return text
        return yaml.safe_dump(value, default_flow_style=True).split("\n", 1)[0]
    text = str(value)
    if _plain_ok(text, flow):
        return text
    return _double_quoted(text)


def _comment(text: str) -> str:
    return _NON_PRINTABLE.sub(" ", " ".join(str(text).split()))


def _entry(key: Any, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    head = f"{pad}{scalar(key)}:"
    inline = _inline(value)
    if inline is not None and (len(head) + 1 + len(inline) <= WIDTH or not _is_list(value)):
        return [f"{head} {inline}"]
    if isinstance(value, Mapping):
        return [head, *_mapping(value, indent + 2)]
    return [head, *_sequence(value, indent + 2)]


def _mapping(value: Mapping[Any, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for key, item in value.items():
        lines.extend(_entry(key, item, indent))
    return lines


def _sequence(value: Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in value:
        inline = _inline(item)
        if inline is not None and len(pad) + 2 + len(inline) <= WIDTH:
            lines.append(f"{pad}- {inline}")
            continue
        if isinstance(item, Mapping):
            nested = _mapping(item, indent + 2)
        else:
            nested = _sequence(item, indent + 2)
        lines.append(f"{pad}- {nested[0].lstrip()}")
        lines.extend(nested[1:])
    return lines


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _inline(value: Any) -> str | None:
    """Flow text for scalars, empty collections and lists of scalars; None otherwise."""
    if isinstance(value, Mapping):
        return "{}" if not value else None
    if _is_list(value):
        if any(isinstance(v, (Mapping, list, tuple)) for v in value):
            return None
        return "[" + ", ".join(scalar(v, flow=True) for v in value) + "]"
    return scalar(value)


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or "\n" in text or "\r" in text:
        return False
    if text[0] in _INDICATORS or _NON_PRINTABLE.search(text) or "\t" in text:
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(c in text for c in _FLOW_SPECIAL):
        return False
    return _reads_back(text, text, flow=flow)


def _reads_back(text: str, expected: Any, *, flow: bool = False) -> bool:
    """Whether PyYAML reads `text` back as `expected` (in a flow list when `flow`)."""
    try:
        loaded = yaml.safe_load(f"k: [{text}]\n" if flow else f"k: {text}\n")
    except yaml.YAMLError:
        return False
    if not isinstance(loaded, dict) or "k" not in loaded:
        return False
    got = loaded["k"]
    if flow:
        if not isinstance(got, list) or len(got) != 1:
            return False
        got = got[0]
    return type(got) is type(expected) and bool(got == expected)


def _double_quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)
