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

    def by_key(self) -> dict[str, Entry]:
        """The entries with a string key, by key: for a loader reading many keys of one
        mapping (a lookup each, without a method call each).  Not to be changed."""
        return self._by_key

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

_TAG_STR = _TAG + "str"
_TAG_SEQ = _TAG + "seq"
_TAG_MAP = _TAG + "map"
_TAG_MERGE = _TAG + "merge"
_SCALAR_NODE = ynodes.ScalarNode

_RESOLVED: dict[str, str] = {}
"""Tag of each short plain scalar seen: specs repeat the same keys and values (`name`,
`type`, `uuid`, `true`) thousands of times, and PyYAML resolves each with regexes."""
_RESOLVED_MAX = 65536


def _memo_resolve(resolve: Any) -> Any:
    """A SafeLoader `resolve` that looks each plain scalar's tag up once.

    Without path resolvers (the safe loader has none) PyYAML's resolver gives a quoted
    or tagged (`!`) scalar the str tag, a collection its kind's tag, and a plain scalar
    the tag its text matches: a function of the text alone.  The composer asks for every
    node of every file, so the answer for a repeated text is a dict lookup instead of a
    regex scan.
    """
    scalar_node, sequence_node = ynodes.ScalarNode, ynodes.SequenceNode

    def cached(self: Any, kind: Any, value: Any, implicit: Any) -> str:
        if kind is scalar_node:
            if not implicit[0]:
                return _TAG_STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = resolve(self, kind, value, implicit)
                if len(value) <= 64 and len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[value] = tag
            return tag
        return _TAG_SEQ if kind is sequence_node else _TAG_MAP

    return cached


def _fast_loader() -> Any:
    """libyaml's safe loader with the memoized resolver, or None without libyaml (or with
    path resolvers registered, which make a tag depend on more than the text).

    `descend_resolver` and `ascend_resolver` track paths for path resolvers only; with
    none, they do nothing, and the C composer calls them for every node.  A builtin that
    does nothing costs a third of a Python method: `{}.get(parent, index)` and `tuple()`
    are such builtins (and neither binds to the loader as a method would).
    """
    if _CSafeLoader is None:
        return None
    if yaml.SafeLoader.yaml_path_resolvers or _CSafeLoader.yaml_path_resolvers:
        return None
    if _CSafeLoader.resolve is not yaml.resolver.BaseResolver.resolve:  # pragma: no cover
        return None  # a PyYAML whose resolver differs: keep its own
    return type(
        "_FastLoader",
        (_CSafeLoader,),
        {
            "resolve": _memo_resolve(_CSafeLoader.resolve),
            "descend_resolver": {}.get,
            "ascend_resolver": tuple,
        },
    )


_FastLoader: Any = _fast_loader()
"""None where libyaml is missing: `_compose` then uses the pure-Python loader alone."""


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
        except (yaml.YAMLError, UnicodeEncodeError):
            # UnicodeEncodeError: text holding a lone surrogate, which libyaml (UTF-8
            # only) cannot be given; the pure loader refuses it as a character.
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
    """One SafeLoader whose construct_yaml_int/float read a scalar node; they keep no
    state, so one instance serves every file (creating a loader per file costs more than
    converting a small spec)."""
    return yaml.SafeLoader("")


_BOOLS: dict[str, bool] = dict(yaml.constructor.SafeConstructor.bool_values)
"""What `construct_yaml_bool` reads (`value.lower()` looked up here), without its calls."""


class _Converter:
    """Turns a composed node graph into the line-keeping tree, enforcing the limits.

    Any limit reached ends the conversion (the error is raised); duplicate keys are
    collected, so that a file's every duplicate is reported at once.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self.active: set[int] = set()
        self.problems: list[tuple[str, int, str]] = []
        self._scalars = _scalar_constructor()

    def convert(self, root: ynodes.Node) -> Node:
        result = self._node(root, 0)
        if self.problems:
            raise SpecError(self.problems)
        return result

    def _fail(self, node: ynodes.Node, reason: str) -> SpecError:
        return SpecError.one(self.path, node.start_mark.line + 1, reason)

    def _node(self, node: ynodes.Node, depth: int) -> Node:
        """`node` converted; `depth` is the number of collections around it."""
        if node.__class__ is _SCALAR_NODE:
            if depth >= MAX_DEPTH:
                raise self._fail(node, f"nested more than {MAX_DEPTH} levels deep")
            self.count += 1
            if self.count > MAX_NODES:
                raise self._fail(
                    node, f"document expands to more than {MAX_NODES} values (aliases)"
                )
            if node.tag == _TAG_STR:  # _scalar's commonest case, inline
                value = node.value
                if value.isascii():
                    return Scalar(value, node.start_mark.line + 1, value)
            return self._scalar(node)  # type: ignore[arg-type]
        depth += 1
        if depth > MAX_DEPTH:
            raise self._fail(node, f"nested more than {MAX_DEPTH} levels deep")
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(node, f"document expands to more than {MAX_NODES} values (aliases)")
        ident = id(node)
        if ident in self.active:
            raise self._fail(node, "recursive alias: a value contains itself")
        self.active.add(ident)
        result: Node
        if isinstance(node, ynodes.SequenceNode):
            if node.tag != _TAG_SEQ:
                raise self._fail(node, f"unsupported YAML tag {_short_tag(node.tag)}")
            convert = self._node
            items = tuple([convert(child, depth) for child in node.value])
            result = Seq(items, node.start_mark.line + 1)
        elif isinstance(node, ynodes.MappingNode):
            if node.tag != _TAG_MAP:
                raise self._fail(node, f"unsupported YAML tag {_short_tag(node.tag)}")
            result = self._mapping(node, depth)
        else:  # pragma: no cover - PyYAML composes only these three
            raise self._fail(node, "unsupported YAML node")
        # No `finally`: a failure above ends the whole conversion.
        self.active.discard(ident)
        return result

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
        elif kind == "bool":
            found = _BOOLS.get(str(node.value).lower())
            if found is None:
                raise self._fail(node, f"invalid {kind} value {clip(node.value)!r}")
            value = found
        else:
            try:
                value = self._scalars.construct_yaml_float(node)
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

    def _mapping(self, node: ynodes.MappingNode, depth: int) -> Map:
        entries: list[Entry] = []
        # Keys seen, with the line of the first: string keys (nearly all) by their text,
        # which is also the index `Map.get` reads; other keys by (type, value), so that
        # `1`, `1.0` and `true` stay distinct keys.
        index: dict[str, Entry] = {}
        others: dict[tuple[type, Any], int] = {}
        merged: list[Entry] = []
        convert = self._node
        for key_node, value_node in node.value:
            if key_node.__class__ is not _SCALAR_NODE:
                raise self._fail(key_node, "a mapping key must be a plain value, not a collection")
            tag = key_node.tag
            if tag == _TAG_STR and key_node.value.isascii():  # _scalar's commonest case
                text = key_node.value
                key = Scalar(text, key_node.start_mark.line + 1, text)
            elif tag == _TAG_MERGE:
                merged.extend(self._merge_source(value_node, depth))
                continue
            else:
                key = self._scalar(key_node)
            if (
                value_node.__class__ is _SCALAR_NODE
                and value_node.tag == _TAG_STR
                and depth < MAX_DEPTH
                and self.count < MAX_NODES
                and value_node.value.isascii()
            ):  # what `_node` does for the commonest value, without the call
                self.count += 1
                text = value_node.value
                value: Node = Scalar(text, value_node.start_mark.line + 1, text)
            else:
                value = convert(value_node, depth)
            found = key.value
            if found.__class__ is str:
                first = index.get(found)  # type: ignore[arg-type]
                if first is not None:
                    self._duplicate(key, first.key.line)
                    continue
                entry = Entry(key, value)
                index[found] = entry  # type: ignore[index]
            else:
                marker = (type(found), found)
                if marker in others:
                    self._duplicate(key, others[marker])
                    continue
                others[marker] = key.line
                entry = Entry(key, value)
            entries.append(entry)
        # YAML merge keys: explicit keys win, earlier merge sources win over later ones.
        for entry in merged:
            found = entry.key.value
            if found.__class__ is str:
                if found not in index:
                    index[found] = entry  # type: ignore[index]
                    entries.append(entry)
            else:
                marker = (type(found), found)
                if marker not in others:
                    others[marker] = entry.key.line
                    entries.append(entry)
        made = Map(tuple(entries), node.start_mark.line + 1)
        made.__dict__["_by_key"] = index  # what the cached property would compute
        return made

    def _duplicate(self, key: Scalar, first_line: int) -> None:
        self.problems.append(
            (self.path, key.line, f"duplicate key {key.value!r} (first on line {first_line})")
        )

    def _merge_source(self, node: ynodes.Node, depth: int) -> list[Entry]:
        sources = node.value if isinstance(node, ynodes.SequenceNode) else [node]
        entries: list[Entry] = []
        for source in sources:
            converted = self._node(source, depth)
            if not isinstance(converted, Map):
                raise self._fail(source, "a merge key ('<<') needs a mapping or a list of mappings")
            entries.extend(converted.entries)
        return entries


_SETS: dict[int, tuple[Collection[str], frozenset[str]]] = {}


def _as_set(words: Collection[str]) -> frozenset[str]:
    """`words` as a frozenset, built once per collection object: the loaders pass the same
    module-level tuples of keys for every mapping of every file."""
    found = _SETS.get(id(words))
    if found is not None and found[0] is words:
        return found[1]
    made = frozenset(words)
    if len(_SETS) < 1024:
        _SETS[id(words)] = (words, made)  # holding `words` keeps its id from being reused
    return made


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
        index = node._by_key
        if len(index) == len(node.entries) and index.keys() <= _as_set(allowed):
            pass  # every key a known string: nothing to report (most mappings)
        else:
            self._unknown_keys(node, allowed, context)
        for key in required:
            if index.get(key) is None:
                prefix = f"{context}: " if context else ""
                self.add(node.line, f"{prefix}missing required key {key!r}")
        return node

    def _unknown_keys(self, node: Map, allowed: Collection[str], context: str | None) -> None:
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
