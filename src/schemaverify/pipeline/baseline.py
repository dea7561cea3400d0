"""Baselines: accept today's findings so that a CI gate fails only on new drift.

A team adopting schemaverify on an old database starts with dozens of
findings; fixing them all before the gate can be switched on means it never
is.  `schemaverify baseline` records the current findings by fingerprint
(`table|kind|object`, never the message text, which may be reworded); `check
--baseline FILE` then suppresses exactly those.  Entries that no longer occur
are reported as stale so the file shrinks as drift is fixed, and an entry may
carry a `reason` (shown) and an `expires` date after which it stops
suppressing, so "we'll fix it later" has a deadline.

The file is JSON, versioned, sorted and deterministic apart from `created`,
so it diffs cleanly in review.  A malformed file is a `file:line: reason`
error (exit 2): JSON parsing here keeps the line of every object.
"""

from __future__ import annotations

import datetime
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from schemaverify.errors import SpecError
from schemaverify.model.findings import KINDS, SEVERITIES, Finding
from schemaverify.pipeline.report import Report
from schemaverify.sources.specs.yamlnodes import (
    clip,
    int_digits_limit,
    lone_surrogate_escape,
    suggest,
)
from schemaverify.textfile import read_input

BASELINE_SCHEMA_VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
TOP_KEYS = ("schema_version", "created", "entries")
ENTRY_KEYS = ("fingerprint", "table", "kind", "object", "severity", "message", "reason", "expires")


@dataclass(frozen=True)
class Entry:
    """One accepted finding."""

    fingerprint: str
    table: str
    kind: str
    object: str | None
    severity: str | None = None
    message: str | None = None
    """Informative only: matching never looks at it."""
    reason: str | None = None
    expires: datetime.date | None = None
    """Last day the entry suppresses its finding."""
    line: int = 0

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today > self.expires

    def as_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "table": self.table or None,
            "kind": self.kind,
            "object": self.object,
            "severity": self.severity,
            "message": self.message,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
        }


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: tuple[Entry, ...]
    created: str | None = None

    def by_fingerprint(self) -> dict[str, Entry]:
        return {e.fingerprint: e for e in self.entries}


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    entry: Entry


@dataclass(frozen=True)
class Outcome:
    """What a baseline did to one report; attached to `Report.baseline`."""

    path: str
    entries: int
    suppressed: tuple[Suppressed, ...]
    """Findings the baseline accepted: left out of `Report.findings` and of the exit code."""
    expired: tuple[Suppressed, ...]
    """Findings whose entry has expired: they stay in `Report.findings` and count again."""
    stale: tuple[Entry, ...]
    """Entries whose finding no longer occurs."""
    fail_on_stale: bool = False

    @property
    def failed(self) -> bool:
        return self.fail_on_stale and bool(self.stale)


# --- recording ----------------------------------------------------------------


def entry_for(finding: Finding, previous: Entry | None = None) -> Entry:
    return Entry(
        fingerprint=finding.fingerprint,
        table=finding.table,
        kind=finding.kind,
        object=finding.object,
        severity=finding.severity,
        message=finding.message,
        reason=previous.reason if previous else None,
        expires=previous.expires if previous else None,
    )


def record(
    findings: Iterable[Finding], *, created: datetime.date, previous: Baseline | None = None
) -> str:
    """The baseline file for `findings`, one entry per fingerprint, sorted by fingerprint.

    `reason` and `expires` of a `previous` baseline's entries are carried
    over for findings that still occur, so re-recording keeps what people wrote.
    """
    kept = previous.by_fingerprint() if previous else {}
    entries: dict[str, Entry] = {}
    for f in findings:
        entries.setdefault(f.fingerprint, entry_for(f, kept.get(f.fingerprint)))
    document = {
        "schema_version": BASELINE_SCHEMA_VERSION,
        "created": created.isoformat(),
        "entries": [entries[key].as_dict() for key in sorted(entries)],
    }
    from schemaverify.jsontext import dumps

    return dumps(document)


# --- applying -----------------------------------------------------------------


def apply(
    report: Report,
    baseline: Baseline,
    *,
    today: datetime.date | None = None,
    fail_on_stale: bool = False,
) -> Report:
    """The report with baselined findings moved out of `findings` into `report.baseline`."""
    day = today or datetime.date.today()
    known = baseline.by_fingerprint()
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    expired: list[Suppressed] = []
    seen: set[str] = set()
    for f in report.findings:
        # A baseline written before fingerprints became structural keys an index by its
        # description (`btree (status) WHERE ...`): such entries still match.
        entry = known.get(f.fingerprint) or known.get(f.legacy_fingerprint)
        if entry is None:
            kept.append(f)
            continue
        seen.add(entry.fingerprint)
        if entry.expired(day):
            kept.append(f)
            expired.append(Suppressed(f, entry))
        else:
            suppressed.append(Suppressed(f, entry))
    # Without a catalog (a failed migration stopped the run) only migration findings were
    # looked for; absent table findings prove nothing, so their entries are not stale.
    schema_read = report.schema_read
    stale = tuple(
        e for e in baseline.entries if e.fingerprint not in seen and (schema_read or not e.table)
    )
    outcome = Outcome(
        path=baseline.path,
        entries=len(baseline.entries),
        suppressed=tuple(suppressed),
        expired=tuple(expired),
        stale=stale,
        fail_on_stale=fail_on_stale,
    )
    return replace(report, findings=tuple(kept), baseline=outcome)


# --- loading ------------------------------------------------------------------


class _Object(dict[str, Any]):
    """A JSON object that remembers the line it starts on and the line of each key."""

    line = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


_JSON_OBJECT: Callable[..., tuple[list[tuple[str, Any]], int]] = vars(json.decoder)["JSONObject"]
_PY_SCANNER: Callable[[json.JSONDecoder], Any] = vars(json.scanner)["py_make_scanner"]
"""The stdlib's object parser and pure-Python scanner (undocumented, unchanged since Python
2.7; not in typeshed), used by `_decoder`."""


def _decoder(path: str) -> tuple[json.JSONDecoder, list[tuple[str, int, str]]]:
    """A JSON decoder whose objects carry their line, and the list where it records duplicate
    keys.  It uses the pure-Python scanner, whose `parse_object` hook is replaceable; a
    baseline is small, so its speed does not matter."""
    decoder = json.JSONDecoder(parse_int=_parse_int)
    problems: list[tuple[str, int, str]] = []

    def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> tuple[Any, int]:
        text, start = s_and_end
        pairs, end = _JSON_OBJECT(s_and_end, *args, **kwargs)
        obj = _Object()
        obj.line = text.count("\n", 0, start) + 1
        # First occurrence of `"key":` in the object's text: exact for flat objects (entries);
        # in a nested object it may name an inner key's line, which is still close by.
        obj.key_lines = {}
        for key, _value in pairs:
            found = re.search(re.escape(json.dumps(key)) + r"\s*:", text[start:end])
            if found:
                obj.key_lines[key] = text.count("\n", 0, start + found.start()) + 1
        for key, value in pairs:
            if key in obj:
                problems.append((path, obj.line, f"duplicate key {clip(key)!r} in this object"))
            obj[key] = value
        return obj, end

    decoder.object_pairs_hook = list
    setattr(decoder, "parse_object", parse_object)  # noqa: B010 - not a typed attribute
    setattr(decoder, "scan_once", _PY_SCANNER(decoder))  # noqa: B010
    return decoder, problems


class _TooManyDigits(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


def _parse_int(number: str) -> int:
    """int(), refusing what Python could not convert (ValueError, 3.11+) or show again,
    before the conversion: the caller then names the line instead of crashing."""
    if len(number.lstrip("-")) > int_digits_limit():
        raise _TooManyDigits(number)
    return int(number)


_STRING_OR_INTEGER = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9]+')


def _line_of_number(text: str, number: str) -> int:
    """The line of the first integer token `number`, skipping string contents (a reason may
    quote digits).  The document parsed up to that number, so its strings are well formed."""
    for found in _STRING_OR_INTEGER.finditer(text):
        if found.group() == number:
            return text.count("\n", 0, found.start()) + 1
    return 1  # pragma: no cover - the number came from this text


def load(path: Path, display: str | None = None) -> Baseline:
    """Read and validate a baseline file; SpecError (`file:line: reason`) when malformed."""
    shown = display if display is not None else str(path)
    text = read_input(
        path,
        shown,
        max_bytes=MAX_BYTES,
        what="baseline",
        missing="baseline file not found (record one with `schemaverify baseline`)",
    )
    return loads(text, shown)


def loads(text: str, path: str) -> Baseline:
    decoder, duplicates = _decoder(path)
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as err:
        raise SpecError.one(
            path, err.lineno, f"invalid JSON: {err.msg} (column {err.colno})"
        ) from None
    except RecursionError:
        raise SpecError.one(path, 1, "invalid JSON: nested too deeply") from None
    except _TooManyDigits as err:
        raise SpecError.one(
            path,
            _line_of_number(text, err.number),
            f"invalid JSON: a number of more than {int_digits_limit()} digits",
        ) from None
    surrogate = lone_surrogate_escape(text)
    if surrogate is not None:
        offset, escape = surrogate
        raise SpecError.one(
            path,
            text.count("\n", 0, offset) + 1,
            f"invalid JSON: {escape} is a lone surrogate, not a character",
        )
    problems = list(duplicates)
    baseline = _Validator(path, problems).document(data)
    if problems:
        raise SpecError(problems)
    return baseline


class _Validator:
    def __init__(self, path: str, problems: list[tuple[str, int, str]]) -> None:
        self.path = path
        self.problems = problems

    def add(self, line: int, reason: str) -> None:
        self.problems.append((self.path, line, reason))

    def keys(self, obj: _Object, allowed: tuple[str, ...], label: str) -> None:
        for key in obj:
            if key not in allowed:
                self.add(
                    obj.line_of(key), f"{label}unknown key {clip(key)!r}{suggest(key, allowed)}"
                )

    def document(self, data: Any) -> Baseline:
        if not isinstance(data, _Object):
            self.add(1, f"expected a JSON object with {', '.join(TOP_KEYS)}")
            return Baseline(self.path, ())
        self.keys(data, TOP_KEYS, "")
        version = data.get("schema_version")
        if version is None:
            self.add(data.line, "missing schema_version")
        elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.add(
                data.line_of("schema_version"),
                f"schema_version: expected a positive integer, got {clip(json.dumps(version))}",
            )
        elif version > BASELINE_SCHEMA_VERSION:
            self.add(
                data.line_of("schema_version"),
                f"schema_version {version} is newer than this schemaverify understands "
                f"({BASELINE_SCHEMA_VERSION}); upgrade schemaverify",
            )
        created = data.get("created")
        if created is not None and not isinstance(created, str):
            self.add(data.line_of("created"), "created: expected a date string")
        raw_entries = data.get("entries")
        if not isinstance(raw_entries, list):
            self.add(data.line_of("entries"), "entries: expected a list of baseline entries")
            return Baseline(self.path, (), created if isinstance(created, str) else None)
        entries: list[Entry] = []
        first: dict[str, int] = {}
        for index, item in enumerate(raw_entries):
            entry = self.entry(item, index, data.line_of("entries"))
            if entry is None:
                continue
            if entry.fingerprint in first:
                self.add(
                    entry.line,
                    f"entries[{index}]: duplicate fingerprint {clip(entry.fingerprint, 80)!r} "
                    f"(first on line {first[entry.fingerprint]})",
                )
                continue
            first[entry.fingerprint] = entry.line
            entries.append(entry)
        return Baseline(self.path, tuple(entries), created if isinstance(created, str) else None)

    def entry(self, item: Any, index: int, parent_line: int) -> Entry | None:
        label = f"entries[{index}]: "
        if not isinstance(item, _Object):
            self.add(parent_line, f"{label}expected an object, got {type(item).__name__}")
            return None
        line = item.line_of("fingerprint")
        count = len(self.problems)
        self.keys(item, ENTRY_KEYS, label)
        fingerprint = item.get("fingerprint")
        if not isinstance(fingerprint, str):
            self.add(line, f"{label}fingerprint: expected a string 'table|kind|object'")
            return None
        table, sep, rest = _split_fingerprint(fingerprint)
        kind, sep2, obj = rest.partition("|")
        if not (sep and sep2):
            self.add(
                line, f"{label}fingerprint {clip(fingerprint, 80)!r} is not 'table|kind|object'"
            )
            return None
        if kind not in KINDS:
            self.add(line, f"{label}unknown finding kind {clip(kind)!r}{suggest(kind, KINDS)}")
        # `object` is the shown object: a finding keyed by structure (an index by its method
        # and keys, a migration statement by its place, code by its file) shows another text
        # than its fingerprint holds, so only table and kind must agree with it.
        for key, value in (("table", table), ("kind", kind)):
            if key in item and (item[key] or "") != value:
                self.add(
                    item.line_of(key),
                    f"{label}{key} {item[key]!r} does not match the fingerprint "
                    f"{clip(fingerprint, 80)!r}",
                )
        texts = {key: self.text(item, key, label) for key in ("severity", "message", "reason")}
        if texts["severity"] is not None and texts["severity"] not in SEVERITIES:
            self.add(
                item.line_of("severity"),
                f"{label}severity: expected one of {', '.join(SEVERITIES)}",
            )
        expires = self.date(item, label)
        if len(self.problems) > count:
            return None
        return Entry(
            fingerprint=fingerprint,
            table=table,
            kind=kind,
            object=(item["object"] if isinstance(item.get("object"), str) else obj) or None,
            severity=texts["severity"],
            message=texts["message"],
            reason=texts["reason"],
            expires=expires,
            line=line,
        )

    def text(self, item: _Object, key: str, label: str) -> str | None:
        value = item.get(key)
        if value is None or isinstance(value, str):
            return value
        self.add(
            item.line_of(key), f"{label}{key}: expected a string or null, got {json.dumps(value)}"
        )
        return None

    def date(self, item: _Object, label: str) -> datetime.date | None:
        value = item.get("expires")
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.add(
            item.line_of("expires"),
            f"{label}expires: expected an ISO date (YYYY-MM-DD) or null, "
            f"got {clip(json.dumps(value))}",
        )
        return None


def _split_fingerprint(fingerprint: str) -> tuple[str, str, str]:
    """(table, "|", "kind|object"): like partition("|"), except that the table (a quoted
    identifier may hold "|") ends before the first "|kind|" naming a finding kind."""
    parts = fingerprint.split("|")
    for i in range(1, len(parts) - 1):
        if parts[i] in KINDS:
            return "|".join(parts[:i]), "|", "|".join(parts[i:])
    return fingerprint.partition("|")
