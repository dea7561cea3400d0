"""YAML loading that keeps the line of every value.

Every input file (specs, configuration, access patterns) must report problems
as `file:line: reason`, which plain `yaml.safe_load` cannot do: it throws the
marks away.  This module composes the document with PyYAML's *safe* loader
(no Python object construction, ever) and turns the node graph into a small
tree of frozen `Scalar` / `Seq` / `Map` values that remember their line.

The conversion is also where hostile input is contained: duplicate keys,
non-scalar keys, unknown tags, alias bombs, recursive aliases, nesting depth,
file size and encoding all become a `SpecError` instead of a traceback or an
exponential blow-up.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import yaml
from yaml import nodes as ynodes

from schemaverify.errors import SpecError
from schemaverify.textfile import file_error_reason as file_error_reason
from schemaverify.textfile import read_input

MAX_BYTES = 4 * 1024 * 1024
"""Specs are hand-written; anything bigger is a mistake, not a table."""
MAX_DEPTH = 64
"""Deeper than any real document; keeps the recursive composer far from Python's limit."""
MAX_NODES = 200_000
"""Bound on values produced after alias expansion (stops "billion laughs" documents)."""

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _TAG + "str": "str",
    _TAG + "int": "int",
    _TAG + "float": "float",
    _TAG + "bool": "bool",
    _TAG + "null": "null",
    # Dates stay text: no consumer wants a datetime, and the user wrote text.
    _TAG + "timestamp": "str",
}

ScalarValue: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True)
class Scalar:
    value: ScalarValue
    line: int
    """1-based line where the value starts."""
    text: str = ""
    """The source text: `yes` stays `yes` where a string is wanted after all (enum values)."""


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]
    line: int


@dataclass(frozen=True)
class Entry:
    key: Scalar
    value: Node


@dataclass(frozen=True)
class Map:
    entries: tuple[Entry, ...]
    line: int

    @functools.cached_property
    def _by_key(self) -> dict[str, Entry]:
        """The entries with a string key, by key (the first one; the converter drops later
        duplicates anyway): loaders look up a dozen keys in each small mapping."""
        index: dict[str, Entry] = {}
        for entry in self.entries:
            key = entry.key.value
            if isinstance(key, str):
                index.setdefault(key, entry)
        return index

    def get(self, key: str) -> Node | None:
        entry = self._by_key.get(key)
        return None if entry is None else entry.value

    def entry(self, key: str) -> Entry | None:
        return self._by_key.get(key)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


Node: TypeAlias = Scalar | Seq | Map


def describe(node: Node | None) -> str:
    """How a value reads in a message: 'got a mapping', 'got an integer'."""
    if node is None:
        return "nothing"
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return "a string"


def suggest(word: str, choices: Collection[str]) -> str:
    """A ` (did you mean 'x'?)` suffix for a misspelt word, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def clip(text: str, limit: int = 40) -> str:
    """Shorten user text quoted in a message, so one huge value cannot flood the terminal."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


INT_DIGITS_DEFAULT = 4300
"""Python's default limit on int <-> decimal text conversion, used when it has none."""


def int_digits_limit() -> int:
    """The most decimal digits an int may have and still be parsed or shown: Python's
    limit (3.11+, `PYTHONINTMAXSTRDIGITS`), or 4300 where there is none (older Pythons,
    or the limit switched off), since no real value in an input file comes near it and
    converting a bigger one costs quadratic time."""
    get = getattr(sys, "get_int_max_str_digits", None)
    limit = get() if get is not None else 0
    return limit if isinstance(limit, int) and limit > 0 else INT_DIGITS_DEFAULT


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u([dD][89a-fA-F][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
)


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate (U+D800..U+DFFF) in decoded text, or None.  YAML's and
    JSON's `\\ud800` escapes produce one; it is no character, so writing it as UTF-8 (any
    report, any terminal) fails later, far from the file that holds it."""
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    return found.group() if found else None


def lone_surrogate_escape(json_text: str) -> tuple[int, str] | None:
    """(offset, escape) of the first `\\uXXXX` escape in valid JSON text that decodes to a
    lone surrogate (a high one not followed by a low one, or a low one alone), or None."""
    if "\\u" not in json_text:
        return None
    for found in _SURROGATE_ESCAPE.finditer(json_text):
        high = int(found.group(1), 16)
        if high >= 0xDC00 or found.group(2) is None:
            return found.start(1) - 2, "\\u" + found.group(1)
    return None


def fits_digit_limit(value: int) -> bool:
    """Whether `str(value)` works under `int_digits_limit()` (cheap for ordinary values)."""
    if value.bit_length() <= 2000:  # under 603 digits: below the smallest limit Python allows
        return True
    limit = int_digits_limit()
    try:
        return len(str(abs(value))) <= limit
    except ValueError:
        return False


def plain(node: Node | None) -> Any:
    """The node as plain Python values (dicts, lists, scalars), e.g. for JSON Schema checks."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return {entry.key.value: plain(entry.value) for entry in node.entries}


def load(path: Path, *, display_path: str | None = None, max_bytes: int = MAX_BYTES) -> Node | None:
    """Read and parse one YAML file; None for an empty document.

    Raises SpecError (citing `display_path`, default `str(path)`) for anything
    that is not a single, safe, UTF-8 YAML document.
    """
    shown = display_path if display_path is not None else str(path)
    text = read_input(path, shown, max_bytes=max_bytes)
    return loads(text, shown)


def loads(text: str, display_path: str) -> Node | None:
    """Parse YAML text; None for an empty document.  Problems cite `display_path`."""
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as err:
        raise SpecError.one(display_path, _mark_line(err), _yaml_reason(err)) from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, max(err.position, 0)) + 1
        # For text input PyYAML reports the code point as an int.
        raise SpecError.one(
            display_path, line, f"invalid character U+{err.character:04X} (not allowed in YAML)"
        ) from None
    except yaml.YAMLError as err:  # pragma: no cover - every PyYAML error is one of the above
        raise SpecError.one(display_path, 1, f"invalid YAML: {err}") from None
    if root is None:
        return None
    return _Converter(display_path).convert(root)


# libyaml's parser is ~10x faster on large spec folders and caps nesting
# itself (so hostile depth cannot exhaust the C stack); the converter below
# enforces MAX_DEPTH either way.
_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)

_RESOLVED: dict[tuple[str, Any], str] = {}
"""Tag of each short plain scalar seen: specs repeat the same keys and values (`name`,
`type`, `uuid`, `true`) thousands of times, and PyYAML resolves each with regexes."""
_RESOLVED_MAX = 65536


def _cached_resolve(resolve: Any) -> Any:
    """Memoize a SafeLoader's `resolve` for scalars.  The safe resolver has no path
    resolvers, so a scalar's tag depends only on its text and its implicit flags."""

    def cached(self: Any, kind: Any, value: Any, implicit: Any) -> str:
        if kind is not ynodes.ScalarNode or len(value) > 64:
            return resolve(self, kind, value, implicit)  # type: ignore[no-any-return]
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = resolve(self, kind, value, implicit)
            if len(_RESOLVED) < _RESOLVED_MAX:
                _RESOLVED[key] = tag
        return tag

    return cached


_FastLoader: Any = (
    None
    if _CSafeLoader is None or yaml.SafeLoader.yaml_path_resolvers
    else type("_FastLoader", (_CSafeLoader,), {"resolve": _cached_resolve(_CSafeLoader.resolve)})
)


def _compose(text: str) -> ynodes.Node | None:
    """Compose with libyaml when it is there; on any error, compose again with the
    pure-Python loader, whose messages and limits are the ones users see."""
    if _FastLoader is not None:
        try:
            fast = _FastLoader(text)
            try:
                return fast.get_single_node()  # type: ignore[no-any-return]
            finally:
                fast.dispose()
        except yaml.YAMLError:
            pass
    loader = _Loader(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses to nest deeper than MAX_DEPTH.

    The composer recurses once per level, so a hostile `[[[[...` would
    otherwise end in RecursionError deep inside PyYAML.
    """

    _depth = 0

    def compose_node(self, parent: ynodes.Node | None, index: Any) -> ynodes.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _mark_line(err: yaml.MarkedYAMLError) -> int:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else 1


def _yaml_reason(err: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (err.context, err.problem) if p]
    text = ", ".join(parts) if parts else "invalid YAML"
    if "expected a single document" in text:
        return "more than one YAML document in the file (remove the '---' separator)"
    return f"YAML syntax error: {text}"


@functools.cache
def _scalar_constructor() -> yaml.SafeLoader:
    """One SafeLoader whose construct_yaml_int/float/bool read a scalar node; they keep no
    state, so one instance serves every file (creating a loader per file costs more than
    converting a small spec)."""
    return yaml.SafeLoader("")


class _Converter:
    """Turns a composed node graph into the line-keeping tree, enforcing the limits."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self.depth = 0
        self.active: set[int] = set()
        self.problems: list[tuple[str, int, str]] = []
        self._scalars = _scalar_constructor()

    def convert(self, root: ynodes.Node) -> Node:
        result = self._node(root)
        if self.problems:
            raise SpecError(self.problems)
        return result

    def _fail(self, node: ynodes.Node, reason: str) -> SpecError:
        return SpecError.one(self.path, node.start_mark.line + 1, reason)

    def _node(self, node: ynodes.Node) -> Node:
        if isinstance(node, ynodes.ScalarNode):
            # The checks of the general path below, in the same order, without its
            # bookkeeping: most nodes are scalars.
            if self.depth >= MAX_DEPTH:
                raise self._fail(node, f"nested more than {MAX_DEPTH} levels deep")
            self.count += 1
            if self.count > MAX_NODES:
                raise self._fail(
                    node, f"document expands to more than {MAX_NODES} values (aliases)"
                )
            return self._scalar(node)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self._fail(node, f"nested more than {MAX_DEPTH} levels deep")
            return self._node_inner(node)
        finally:
            self.depth -= 1

    def _node_inner(self, node: ynodes.Node) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(node, f"document expands to more than {MAX_NODES} values (aliases)")
        if isinstance(node, ynodes.ScalarNode):
            return self._scalar(node)
        if id(node) in self.active:
            raise self._fail(node, "recursive alias: a value contains itself")
        self.active.add(id(node))
        try:
            if isinstance(node, ynodes.SequenceNode):
                if node.tag != _TAG + "seq":
                    raise self._fail(node, f"unsupported YAML tag {_short_tag(node.tag)}")
                items = tuple([self._node(child) for child in node.value])
                return Seq(items, node.start_mark.line + 1)
            if isinstance(node, ynodes.MappingNode):
                if node.tag != _TAG + "map":
                    raise self._fail(node, f"unsupported YAML tag {_short_tag(node.tag)}")
                return self._mapping(node)
        finally:
            self.active.discard(id(node))
        raise self._fail(node, "unsupported YAML node")  # pragma: no cover

    def _scalar(self, node: ynodes.ScalarNode) -> Scalar:
        line = node.start_mark.line + 1
        kind = _SCALAR_TAGS.get(node.tag)
        if kind is None:
            raise self._fail(node, f"unsupported YAML tag {_short_tag(node.tag)}")
        value: ScalarValue
        if kind == "str":
            value = str(node.value)
            bad = lone_surrogate(value)
            if bad is not None:
                raise self._fail(
                    node,
                    f"invalid character U+{ord(bad):04X} (a lone surrogate, not text; "
                    "write a character beyond U+FFFF as \\UXXXXXXXX, not as a \\u pair)",
                )
        elif kind == "null":
            value = None
        elif kind == "int":
            value = self._int(node)
        else:
            try:
                if kind == "float":
                    value = self._scalars.construct_yaml_float(node)
                else:
                    value = self._scalars.construct_yaml_bool(node)
            except (ValueError, KeyError, yaml.YAMLError):
                raise self._fail(node, f"invalid {kind} value {clip(node.value)!r}") from None
        return Scalar(value, line, str(node.value))

    def _int(self, node: ynodes.ScalarNode) -> int:
        """A YAML integer, refused when Python could not show it as decimal text.

        Every message that quotes a value formats it, and Python refuses to format an int
        of more digits than its limit (ValueError, 3.11+).  Hex, octal, binary and base-60
        spellings reach that size from far fewer characters than decimal, so the size is
        checked on the value; the length check first keeps a hostile base-60 number of a
        million parts from costing quadratic time to build.
        """
        limit = int_digits_limit()
        too_large = f"integer {clip(node.value)!r} is too large (more than {limit} digits)"
        if len(node.value) > 2 * limit:
            raise self._fail(node, too_large)
        try:
            value: int = self._scalars.construct_yaml_int(node)
        except (ValueError, KeyError, yaml.YAMLError):
            if sum(char.isdigit() for char in node.value) > limit:
                raise self._fail(node, too_large) from None
            raise self._fail(node, f"invalid int value {clip(node.value)!r}") from None
        if not fits_digit_limit(value):
            raise self._fail(node, too_large)
        return value

    def _mapping(self, node: ynodes.MappingNode) -> Map:
        entries: list[Entry] = []
        seen: dict[Any, int] = {}
        merged: list[Entry] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ynodes.ScalarNode) and key_node.tag == _TAG + "merge":
                merged.extend(self._merge_source(value_node))
                continue
            if not isinstance(key_node, ynodes.ScalarNode):
                raise self._fail(key_node, "a mapping key must be a plain value, not a collection")
            key = self._scalar(key_node)
            value = self._node(value_node)
            marker = (type(key.value), key.value)
            if marker in seen:
                self.problems.append(
                    (
                        self.path,
                        key.line,
                        f"duplicate key {key.value!r} (first on line {seen[marker]})",
                    )
                )
                continue
            seen[marker] = key.line
            entries.append(Entry(key, value))
        # YAML merge keys: explicit keys win, earlier merge sources win over later ones.
        for entry in merged:
            marker = (type(entry.key.value), entry.key.value)
            if marker not in seen:
                seen[marker] = entry.key.line
                entries.append(entry)
        return Map(tuple(entries), node.start_mark.line + 1)

    def _merge_source(self, node: ynodes.Node) -> list[Entry]:
        sources = node.value if isinstance(node, ynodes.SequenceNode) else [node]
        entries: list[Entry] = []
        for source in sources:
            converted = self._node(source)
            if not isinstance(converted, Map):
                raise self._fail(source, "a merge key ('<<') needs a mapping or a list of mappings")
            entries.extend(converted.entries)
        return entries


class Checker:
    """Typed reads from a loaded tree that record `file:line: reason` problems.

    Every loader of a YAML input needs the same checks (unknown keys with a
    suggestion, wrong value types, missing keys) and the same habit of
    collecting every problem before failing, so they live here once.  A read
    that fails records a problem and returns None; the caller carries on to
    find the next problem and calls `raise_if_any()` at the end.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[tuple[str, int, str]] = []

    def add(self, line: int, reason: str) -> None:
        self.problems.append((self.path, line, reason))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SpecError(self.problems)

    def wrong(self, node: Node, label: str, expected: str) -> None:
        hint = ""
        if isinstance(node, Scalar) and expected.endswith("string") and node.value is not None:
            # YAML 1.1 reads `on`, `yes`, `1.0` as non-strings; say how to keep the text.
            hint = f" (quote it to make it text: '{clip(node.text)}')"
        self.add(node.line, f"{label}: expected {expected}, got {describe(node)}{hint}")

    def mapping(
        self,
        node: Node,
        label: str,
        *,
        allowed: Collection[str],
        required: Collection[str] = (),
        context: str | None = None,
    ) -> Map | None:
        """The node as a mapping whose keys are all strings from `allowed`.

        Unknown or non-string keys are reported at their line (callers only
        ever look up known keys, so nothing else needs filtering); missing
        required keys are reported at the mapping's line.
        """
        if not isinstance(node, Map):
            self.wrong(node, label, "a mapping")
            return None
        where = f" in {context}" if context else ""
        for entry in node.entries:
            key = entry.key.value
            if not isinstance(key, str):
                self.add(
                    entry.key.line,
                    f"key {clip(entry.key.text)!r}{where} must be a string, "
                    f"got {describe(entry.key)}",
                )
            elif key not in allowed:
                self.add(
                    entry.key.line,
                    f"unknown key {clip(key)!r}{where}{suggest(key, allowed)}",
                )
        for key in required:
            if node.get(key) is None:
                prefix = f"{context}: " if context else ""
                self.add(node.line, f"{prefix}missing required key {key!r}")
        return node

    def string(self, node: Node | None, label: str, *, optional: bool = True) -> str | None:
        """A string value; absent or null is None when `optional`."""
        if node is None or (optional and isinstance(node, Scalar) and node.value is None):
            return None
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return node.value
        self.wrong(node, label, "a string")
        return None

    def boolean(self, node: Node | None, label: str) -> bool | None:
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self.wrong(node, label, "true or false")
        return None

    def seq(self, node: Node | None, label: str, *, of: str = "values") -> Seq | None:
        """A list; absent or null is None."""
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        if isinstance(node, Seq):
            return node
        self.wrong(node, label, f"a list of {of}")
        return None

    def strings(self, node: Node | None, label: str) -> list[Scalar] | None:
        """A list of strings, as Scalars so callers keep each item's line."""
        seq = self.seq(node, label, of="strings")
        if seq is None:
            return None
        items: list[Scalar] = []
        ok = True
        for index, item in enumerate(seq.items):
            if isinstance(item, Scalar) and isinstance(item.value, str):
                items.append(item)
            else:
                self.wrong(item, f"{label}[{index}]", "a string")
                ok = False
        return items if ok else None

    def choice(
        self, node: Node | None, label: str, choices: Collection[str], *, what: str = "value"
    ) -> str | None:
        """A string from a fixed vocabulary (compared lower-case), with a suggestion."""
        text = self.string(node, label)
        if text is None or node is None:
            return None
        folded = " ".join(text.lower().split())
        if folded in choices:
            return folded
        hint = suggest(folded, choices)
        if not hint or len(choices) <= 8:
            hint += f"; expected one of: {', '.join(choices)}"
        self.add(node.line, f"{label}: unknown {what} {clip(text)!r}{hint}")
        return None
