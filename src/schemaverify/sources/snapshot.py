"""Snapshots: the canonical live model (`model.Catalog`) as versioned JSON, and back.

A snapshot lets a check run with no database at all (`check --snapshot prod.json` in a CI job
that must not reach production), lets two environments be compared later (`diff`), and can be
committed so that schema changes show up in code review.  Hence the rules:

- Versioned: `schema_version` and `kind` come first; a reader refuses a version it does not
  know rather than guess.
- Deterministic: the same database gives byte-identical files.  Object keys are sorted, the
  catalog reader already sorts tables, indexes, constraints and policies, and nothing varies
  between runs (no timestamp unless asked for with `created_at`).  Each column, index,
  constraint and policy is one line, so a schema change is a small diff in code review.
- Secrets-free: the source is described only by `kind`, `host`, `port`, `dbname` (or the
  migrations `path`), never by the DSN, the user or the password.
- One model: there is no snapshot-specific schema.  The JSON is derived from the model's
  dataclass fields and type hints by one generic converter, so a field added to the model is
  written and read without touching this module, and `load(dump(c)) == c` holds field by field.
- Hostile input: a snapshot file is input like a spec.  Every problem is reported as
  `file:line: reason` (exit 2), with the line of the offending value, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import json.decoder
import json.scanner
import operator
import os
import re
import tempfile
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from schemaverify.errors import SpecError, UsageError
from schemaverify.model.schema import (
    FK_ACTIONS,
    POLICY_COMMANDS,
    USER_TYPE_KINDS,
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexKey,
    Partition,
    Policy,
    PrimaryKey,
    Table,
    TypeRef,
    UniqueConstraint,
    UserType,
)
from schemaverify.sources import tenants
from schemaverify.sources.specs.yamlnodes import file_error_reason, lone_surrogate_escape

SNAPSHOT_SCHEMA_VERSION = 1
SNAPSHOT_KIND = "schemaverify-snapshot"
SAFE_SOURCE_KEYS = ("kind", "host", "port", "dbname", "path", "preset", "grants")
"""The only source fields a snapshot records: where it came from, never how to log in."""
TABLE_KINDS = ("table", "partitioned table", "view", "materialized view", "foreign table")

_HEADER = ("schema_version", "kind", "created_at", "migrations")
_COUNTS = ("files", "applied", "failed", "skipped")
_FAILURE_KEYS = ("caused_by", "kind", "location", "message")
_CHOICES: dict[tuple[type, str], tuple[str, ...]] = {
    (Policy, "command"): POLICY_COMMANDS,
    (ForeignKey, "on_delete"): FK_ACTIONS,
    (ForeignKey, "on_update"): FK_ACTIONS,
    (Column, "identity"): ("always", "by default"),
    (Column, "generated_kind"): ("stored", "virtual"),
    (UserType, "kind"): USER_TYPE_KINDS,
    (Table, "kind"): TABLE_KINDS,
}
"""Closed vocabularies of the model: a value outside them cannot come from a real catalog."""
_NON_NEGATIVE = {(TypeRef, "array_dims"), (Catalog, "server_version"), (Catalog, "query_count")}
_NON_EMPTY = {
    (Table, "schema"),
    (Table, "name"),
    (Column, "name"),
    (TypeRef, "name"),
    (IndexKey, "expression"),
    (Index, "keys"),
    (PrimaryKey, "columns"),
    (UniqueConstraint, "columns"),
    (ForeignKey, "columns"),
    (ForeignKey, "ref_schema"),
    (ForeignKey, "ref_table"),
    (ForeignKey, "ref_columns"),
    (Policy, "name"),
    (Partition, "schema"),
    (Partition, "name"),
    (Partition, "parent"),
    (UserType, "schema"),
    (UserType, "name"),
    (CheckConstraint, "name"),
    (CheckConstraint, "expression"),
}
"""Names and key column lists PostgreSQL never leaves empty (and the diff relies on)."""
_DEPTH_LIMIT = 64
"""Deeper than any snapshot can be (the model nests seven levels); used to place the error."""

Where = tuple[str | int, ...]
"""A path inside the document, e.g. ("tables", 3, "indexes", 0, "method")."""


class _Invalid(Exception):
    """A structural problem at a path of the document; turned into `file:line: reason`."""

    def __init__(self, where: Where, reason: str):
        super().__init__(reason)
        self.where = where
        self.reason = reason


class _Located(Exception):
    """A problem at a character offset of the text (duplicate key, NaN, oversized number)."""

    def __init__(self, offset: int, reason: str):
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


# --- writing ------------------------------------------------------------------------------


def safe_source(source: Mapping[str, str]) -> dict[str, str]:
    """The parts of a source description a snapshot may record (see SAFE_SOURCE_KEYS)."""
    return {k: str(source[k]) for k in SAFE_SOURCE_KEYS if source.get(k)}


Encoder = Callable[[Any], Any]


def to_data(value: Any) -> Any:
    """A model value as plain JSON data: dataclasses become objects with sorted keys (every
    field, defaults included, so a file never depends on which defaults a reader assumes),
    tuples become lists, dicts are sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encoder(type(value))(value)
    return _plain(value)


def _same(value: Any) -> Any:
    return value


@functools.cache
def _encoder(hint: Any) -> Encoder:
    """A function turning a value of type `hint` into JSON data, made once per type from the
    model's type hints (the counterpart of _decoder)."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        (option,) = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _encoder(option)
        return _same if inner is _same else (lambda v: None if v is None else inner(v))
    if origin is tuple:
        item = _encoder(typing.get_args(hint)[0])
        return list if item is _same else (lambda v: [item(x) for x in v])
    if origin is dict:
        key, value = (_encoder(a) for a in typing.get_args(hint))
        return lambda v: {key(k): value(x) for k, x in sorted(v.items())}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        names = tuple(sorted(f.name for f in dataclasses.fields(hint)))
        encoders = tuple(_encoder(hints[n]) for n in names)
        values = operator.attrgetter(*names)
        if len(names) == 1:
            return lambda obj: {names[0]: encoders[0](values(obj))}
        return lambda obj: {n: e(v) for n, e, v in zip(names, encoders, values(obj), strict=True)}
    return _same


@dataclasses.dataclass(frozen=True)
class RecordedFailure:
    """A failure of the migration run a snapshot was taken of, as the snapshot records it."""

    kind: str
    location: str | None
    message: str
    caused_by: str | None = None


@dataclasses.dataclass(frozen=True)
class MigrationsRecord:
    """The header field `migrations`: written when the migration run a snapshot was taken of
    had failed or skipped files, so that its partial schema is never read as the whole.

    `{"files", "applied", "failed", "skipped": counts, "failures": [{"kind", "location",
    "message", "caused_by"}]}`; a snapshot without it (a database, a clean history, or a
    snapshot written before the field existed) is complete."""

    files: int
    applied: int
    failed: int
    skipped: int
    failures: tuple[RecordedFailure, ...] = ()

    @property
    def partial(self) -> bool:
        return self.failed > 0 or self.skipped > 0


def migrations_record(counts: Mapping[str, int], findings: Sequence[Any]) -> MigrationsRecord:
    """The record of a migration run (`MigrationRun.counts()` and its error findings)."""
    files, applied, failed, skipped = (int(counts.get(key, 0)) for key in _COUNTS)
    return MigrationsRecord(
        files,
        applied,
        failed,
        skipped,
        failures=tuple(
            RecordedFailure(f.kind, f.location, f.message, f.caused_by)
            for f in findings
            if f.severity == "error"
        ),
    )


def record_counts(record: MigrationsRecord) -> dict[str, int]:
    return {key: getattr(record, key) for key in _COUNTS}


def refuse_partial(path: str, record: MigrationsRecord) -> None:
    """A snapshot of a history with failed or skipped files is refused unless allowed."""
    if not record.partial:
        return
    parts = [f"{record.failed} of {record.files} migration files failed"]
    if record.skipped:
        parts.append(f"{record.skipped} were skipped")
    raise UsageError(
        f"{path}: the snapshot was taken of a partial schema ({' and '.join(parts)}, "
        f"{record.applied} applied); fix the migrations and take it again, or pass "
        "--allow-partial to read it anyway"
    )


def _record_lines(record: MigrationsRecord) -> list[str]:
    lines = ["  " + _ENCODE("migrations") + ": {"]
    for key in ("applied", "failed"):
        lines.append(f"    {_ENCODE(key)}: {getattr(record, key)},")
    lines.append('    "failures": [' if record.failures else '    "failures": [],')
    for position, failure in enumerate(record.failures):
        item = {key: getattr(failure, key) for key in _FAILURE_KEYS}
        comma = "," if position < len(record.failures) - 1 else ""
        lines.append(f"      {_ENCODE(item)}{comma}")
    if record.failures:
        lines.append("    ],")
    lines.append(f'    "files": {record.files},')
    lines.append(f'    "skipped": {record.skipped}')
    lines.append("  }")
    return lines


def dump(
    catalog: Catalog,
    *,
    source: Mapping[str, str] | None = None,
    created_at: str | None = None,
    migrations: MigrationsRecord | None = None,
) -> str:
    """The snapshot text of `catalog`.

    `source` (default: `catalog.source`) is reduced to SAFE_SOURCE_KEYS.  `created_at` is
    written only when given: a timestamp makes every snapshot of an unchanged database differ.
    `migrations` is written only for a partial run (see MigrationsRecord).
    """
    catalog = dataclasses.replace(catalog, source=safe_source(source or catalog.source))
    header: list[tuple[str, Any]] = [
        ("schema_version", SNAPSHOT_SCHEMA_VERSION),
        ("kind", SNAPSHOT_KIND),
    ]
    if created_at is not None:
        header.append(("created_at", created_at))
    # Header first (a reader looks at the version before anything else), then the catalog's
    # fields sorted; the big `tables` list sorts last, after the small fields.
    items = header + [(name, getattr(catalog, name)) for name in _field_names(Catalog)]
    lines = ["{"]
    memo: dict[int, str] = {}
    for position, (key, value) in enumerate(items):
        _layout(value, 1, "  ", f"{_ENCODE(key)}: ", lines, memo)
        if position < len(items) - 1:
            lines[-1] += ","
        if key == header[-1][0] and migrations is not None and migrations.partial:
            lines.extend(_record_lines(migrations))
            lines[-1] += ","
    lines.append("}")
    from schemaverify.jsontext import escape_surrogates

    return escape_surrogates("\n".join(lines) + "\n")


_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode


_FIELD_NAMES: dict[Any, tuple[str, ...]] = {}


def _field_names(cls: Any) -> tuple[str, ...]:
    """A model class's field names, sorted (the order of keys in the file)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(sorted(f.name for f in dataclasses.fields(cls)))
    return names


def _is_model(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _expands(value: Any, depth: int) -> bool:
    """One object per line: a list of objects is expanded, an object only near the top (a
    table, its RLS) and only when it holds a list of objects.  A column, an index or a policy
    is then one line, so a changed column is a one-line change in a code review, and the C
    encoder writes most of the file."""
    if isinstance(value, tuple):
        return bool(value) and _is_model(value[0])
    if depth <= 3 and _is_model(value):
        return any(
            _expands(getattr(value, name), depth + 1)
            for name in _field_names(type(value))
            if isinstance(getattr(value, name), tuple)
        )
    return False


def _layout(
    value: Any, depth: int, indent: str, prefix: str, lines: list[str], memo: dict[int, str]
) -> None:
    """Append `value` (at `depth`, after `prefix`, e.g. a key) to `lines`, without commas.

    `memo` holds the text of model objects already written: the catalog reader shares
    identical objects (the same `id uuid` column in many tables), so each is encoded once."""
    if not _expands(value, depth):
        if _is_model(value):
            text = memo.get(id(value))
            if text is None:
                text = memo[id(value)] = _ENCODE(to_data(value))
        elif isinstance(value, (tuple, dict)):
            text = _ENCODE(_plain(value))
        else:
            text = _ENCODE(value)
        lines.append(f"{indent}{prefix}{text}")
        return
    inner = indent + "  "
    items: list[tuple[str, Any]] = (
        [("", item) for item in value]
        if isinstance(value, tuple)
        else [(f"{_ENCODE(n)}: ", getattr(value, n)) for n in _field_names(type(value))]
    )
    opening, closing = ("[", "]") if isinstance(value, tuple) else ("{", "}")
    lines.append(f"{indent}{prefix}{opening}")
    for position, (key, item) in enumerate(items):
        _layout(item, depth + 1, inner, key, lines, memo)
        if position < len(items) - 1:
            lines[-1] += ","
    lines.append(f"{indent}{closing}")


def _plain(value: Any) -> Any:
    """Tuples, dicts and scalars (`schemas`, `source`) as JSON data."""
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    return value


def write(
    catalog: Catalog,
    path: Path,
    *,
    source: Mapping[str, str] | None = None,
    created_at: str | None = None,
    migrations: MigrationsRecord | None = None,
) -> None:
    """Write atomically: a reader (or a CI job comparing files) never sees half a snapshot."""
    text = dump(catalog, source=source, created_at=created_at, migrations=migrations)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise UsageError(f"{path}: cannot write snapshot: {err.strerror or err}") from None


# --- reading ------------------------------------------------------------------------------


def read(path: str | Path) -> Catalog:
    """Load a snapshot file; SpecError (`file:line: reason`, exit 2) on any bad content.

    A snapshot has no size limit (a large database makes a large one), so one too big for
    this machine's memory is a UsageError naming the file, not a MemoryError."""
    return read_document(path)[0]


def read_document(path: str | Path) -> tuple[Catalog, MigrationsRecord | None]:
    """`read`, with the record of a partial migration run the snapshot was taken of."""
    name = str(path)
    try:
        return _read(Path(path), name)
    except MemoryError:
        raise UsageError(f"{name}: out of memory while reading the snapshot") from None


def _read(path: Path, name: str) -> tuple[Catalog, MigrationsRecord | None]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UsageError(f"{name}: cannot read snapshot: {file_error_reason(path, err)}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise SpecError.one(
            name, line, f"not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})"
        ) from None
    return load_document(text, name)


def load(text: str, path: str = "<snapshot>") -> Catalog:
    """Parse snapshot text into the model.  `path` names the file in error messages."""
    return load_document(text, path)[0]


def load_document(text: str, path: str = "<snapshot>") -> tuple[Catalog, MigrationsRecord | None]:
    """`load`, with the header's record of a partial migration run (or None)."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise SpecError.one(
            path, err.lineno, f"not valid JSON: {err.msg} (column {err.colno})"
        ) from None
    except RecursionError:
        raise SpecError.one(
            path, _deep_line(text), f"JSON nested more than {_DEPTH_LIMIT} levels deep"
        ) from None
    except (_Located, ValueError):
        # A duplicate key, NaN or an oversized number: the fast parser cannot say where,
        # so parse again, slowly, tracking offsets.
        raise _locate(text, path, ()) from None
    surrogate = lone_surrogate_escape(text)
    if surrogate is not None:
        offset, escape = surrogate
        raise SpecError.one(
            path,
            text.count("\n", 0, offset) + 1,
            f"{escape} is a lone surrogate, not a character (no catalog holds one)",
        )
    try:
        return _catalog(data), _record(data)
    except _Invalid as err:
        raise _locate(text, path, err.where, err.reason, data) from None


def restrict(catalog: Catalog, schemas: Sequence[str], path: str) -> Catalog:
    """The catalog limited to `schemas`, as if only they had been read from the database.

    A snapshot may record more schemas than a check asks for; reading the same schemas a DSN
    run would read keeps the findings identical.  A schema the snapshot did not record cannot
    be told apart from an empty one, so asking for it is an error, not an empty schema.
    """
    # Globs (`--schema 'tenant_*'`) match among the recorded schemas, as they would
    # among a live database's; a glob matching none is reported by the checker.
    wanted = tuple(dict.fromkeys(tenants.resolve(schemas, catalog.schemas)))
    unrecorded = [s for s in wanted if s not in catalog.schemas]
    if unrecorded:
        recorded = ", ".join(catalog.schemas) or "none"
        raise UsageError(
            f"{path}: the snapshot did not record schema {', '.join(unrecorded)} (it recorded: "
            f"{recorded}); a spec or --schema asks for it. Take the snapshot again with "
            + " ".join(f"--schema {s}" for s in (*catalog.schemas, *unrecorded))
        )
    return dataclasses.replace(
        catalog,
        tables=tuple(t for t in catalog.tables if t.schema in wanted),
        schemas=wanted,
        # Functions belong to schemas like tables; roles are cluster-wide and stay.
        functions=tuple(f for f in catalog.functions if f.schema in wanted),
    )


def describe_source(path: str, catalog: Catalog) -> dict[str, str]:
    """The report's `source` block for a snapshot: the file and what the snapshot was taken of."""
    info = {"kind": "snapshot", "path": path, "server_version": str(catalog.server_version)}
    taken_of = recorded_origin(catalog.source)
    if taken_of:
        info["snapshot_of"] = taken_of
    info["description"] = f"snapshot {path}" + (f" of {taken_of}" if taken_of else "")
    if catalog.source.get("created_at"):
        info["created_at"] = catalog.source["created_at"]
    return info


def recorded_origin(source: Mapping[str, str]) -> str:
    """`db:5432/app` or `migrations supabase/migrations`: what a snapshot was taken of."""
    if source.get("kind") == "migrations":
        return f"migrations {source.get('path', '')}".strip()
    host = source.get("host", "")
    if source.get("port"):
        host += f":{source['port']}"
    dbname = source.get("dbname", "")
    return f"{host}/{dbname}" if host and dbname else host or dbname


# --- the generic converter ---------------------------------------------------------------


def _catalog(data: Any) -> Catalog:
    if not isinstance(data, dict):
        raise _Invalid((), f"a snapshot is a JSON object, not {_what(data)}")
    kind = data.get("kind")
    if kind != SNAPSHOT_KIND:
        raise _Invalid(
            ("kind",) if "kind" in data else (),
            f'not a schemaverify snapshot (expected "kind": "{SNAPSHOT_KIND}", got '
            f"{_what(kind) if 'kind' in data else 'no kind'})",
        )
    version = data.get("schema_version")
    if version != SNAPSHOT_SCHEMA_VERSION or isinstance(version, bool):
        newer = isinstance(version, int) and not isinstance(version, bool) and version > 1
        raise _Invalid(
            ("schema_version",) if "schema_version" in data else (),
            f"unsupported snapshot schema_version {_what(version)}: this schemaverify "
            f"reads version {SNAPSHOT_SCHEMA_VERSION}"
            + (
                "; the snapshot was written by a newer schemaverify, upgrade to read it"
                if newer
                else ""
            ),
        )
    created = data.get("created_at")
    if created is not None and not isinstance(created, str):
        raise _Invalid(("created_at",), f"created_at must be a string, not {_what(created)}")
    body = {k: v for k, v in data.items() if k not in _HEADER}
    catalog: Catalog = _decoder(Catalog)(body)
    _check_catalog(catalog)
    if created is not None:
        # Kept with the recorded source: `doc` dates its stamp from it (deterministically).
        catalog = dataclasses.replace(catalog, source={**catalog.source, "created_at": created})
    return catalog


def _record(data: dict[str, Any]) -> MigrationsRecord | None:
    if "migrations" not in data:
        return None
    value = data["migrations"]
    if not isinstance(value, dict):
        raise _Invalid(("migrations",), f"migrations must be an object, not {_what(value)}")
    unknown = sorted(set(value) - {*_COUNTS, "failures"})
    if unknown:
        raise _Invalid(("migrations", unknown[0]), f"unknown key {_quoted(unknown[0])}")
    counts = []
    for key in _COUNTS:
        count = value.get(key)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _Invalid(
                ("migrations", key) if key in value else ("migrations",),
                f"migrations.{key} must be a count (a non-negative integer), not "
                f"{_what(count) if key in value else 'missing'}",
            )
        counts.append(count)
    failures = value.get("failures", [])
    if not isinstance(failures, list):
        raise _Invalid(("migrations", "failures"), f"must be a list, not {_what(failures)}")
    recorded = []
    for i, item in enumerate(failures):
        where: Where = ("migrations", "failures", i)
        if not isinstance(item, dict) or set(item) - set(_FAILURE_KEYS):
            raise _Invalid(where, "a failure is an object of " + ", ".join(_FAILURE_KEYS))
        for key in _FAILURE_KEYS:
            field_value = item.get(key)
            required = key in ("kind", "message")
            if not isinstance(field_value, str) and (required or field_value is not None):
                raise _Invalid((*where, key), f"must be a string, not {_what(field_value)}")
        recorded.append(
            RecordedFailure(
                item["kind"], item.get("location"), item["message"], item.get("caused_by")
            )
        )
    files, applied, failed, skipped = counts
    return MigrationsRecord(files, applied, failed, skipped, failures=tuple(recorded))


Decoder = Callable[[Any], Any]


@functools.cache
def _decoder(hint: Any) -> Decoder:
    """A function building a value of type `hint` from JSON data, checking every type.

    Made once per type from the model's type hints, so a field added to the model is read
    without changes here.  The hot path builds no paths: an _Invalid gets its path prepended
    step by step as it propagates.
    """
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) != 1 or len(typing.get_args(hint)) != 2:
            raise TypeError(f"snapshot converter: unsupported union {hint!r}")
        inner = _decoder(options[0])
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        item, ellipsis = typing.get_args(hint)
        if ellipsis is not Ellipsis:
            raise TypeError(f"snapshot converter: unsupported tuple {hint!r}")
        return _tuple_decoder(_decoder(item), item is str)
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        return _dict_decoder(_decoder(key_hint), _decoder(value_hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    for python_type, wanted in ((bool, "true or false"), (int, "an integer"), (str, "a string")):
        if hint is python_type:
            return _scalar_decoder(python_type, wanted)
    raise TypeError(f"snapshot converter: unsupported type {hint!r}")


def _scalar_decoder(python_type: type, wanted: str) -> Decoder:
    def decode(data: Any) -> Any:
        if type(data) is not python_type:  # exact: JSON true is no integer here
            raise _Invalid((), f"expected {wanted}, got {_what(data)}")
        return data

    return decode


def _tuple_decoder(inner: Decoder, of_strings: bool) -> Decoder:
    def decode(data: Any) -> tuple[Any, ...]:
        if type(data) is not list:
            raise _Invalid((), f"expected a list, got {_what(data)}")
        if of_strings and all(type(v) is str for v in data):
            return tuple(data)
        values = []
        for i, item in enumerate(data):
            try:
                values.append(inner(item))
            except _Invalid as err:
                err.where = (i, *err.where)
                raise
        return tuple(values)

    return decode


def _dict_decoder(key: Decoder, value: Decoder) -> Decoder:
    def decode(data: Any) -> dict[Any, Any]:
        if type(data) is not dict:
            raise _Invalid((), f"expected an object, got {_what(data)}")
        result = {}
        for k, v in data.items():
            try:
                result[key(k)] = value(v)
            except _Invalid as err:
                err.where = (k, *err.where)
                raise
        return result

    return decode


_SCALARS = {bool: "true or false", int: "an integer", str: "a string"}


def _dataclass_decoder(cls: type) -> Decoder:
    """Fields of a scalar type are checked inline (most of a snapshot), the rest decoded by
    their own decoders; vocabulary and range checks run after, on the few fields having one."""
    name = cls.__name__
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    known = frozenset(f.name for f in fields)
    required = frozenset(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    plan: list[tuple[str, tuple[type, ...], Decoder | None]] = []
    for f in fields:
        hint = hints[f.name]
        args = typing.get_args(hint)
        optional = type(None) in args and len(args) == 2
        base = next(a for a in args if a is not type(None)) if optional else hint
        if base in _SCALARS:
            plan.append((f.name, (base, type(None)) if optional else (base,), None))
        else:
            plan.append((f.name, (), _decoder(hint)))
    checks = [
        (f.name, _CHOICES.get((cls, f.name)), (cls, f.name) in _NON_NEGATIVE)
        for f in fields
        if (cls, f.name) in _CHOICES or (cls, f.name) in _NON_NEGATIVE
    ]
    non_empty = [f.name for f in fields if (cls, f.name) in _NON_EMPTY]

    def scalar_error(fname: str, value: Any) -> _Invalid:
        hint = hints[fname]
        base = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
        return _Invalid((), f"expected {_SCALARS[base]}, got {_what(value)}")

    def decode(data: Any) -> Any:
        if type(data) is not dict:
            raise _Invalid((), f"expected an object ({name}), got {_what(data)}")
        if not known.issuperset(data):
            key = next(k for k in data if k not in known)
            raise _Invalid(
                (key,),
                f"unknown field {_quoted(key)} in {name} (written by a newer schemaverify?)",
            )
        if not required.issubset(data):
            lacking = next(f for f in sorted(required) if f not in data)
            raise _Invalid((), f"{name} lacks the field {lacking!r}")
        values = {}
        fname = ""
        try:
            for fname, allowed, inner in plan:
                if fname in data:
                    value = data[fname]
                    if inner is not None:
                        values[fname] = inner(value)
                    elif type(value) in allowed:
                        values[fname] = value
                    else:
                        raise scalar_error(fname, value)
        except _Invalid as err:
            err.where = (fname, *err.where)
            raise
        for fname, choices, non_negative in checks:
            value = values.get(fname)
            if choices is not None and value is not None and value not in choices:
                raise _Invalid(
                    (fname,),
                    f"{name}.{fname} is {_quoted(value)}, not one of {', '.join(choices)}",
                )
            if non_negative and value is not None and value < 0:
                raise _Invalid((fname,), f"{name}.{fname} must not be negative")
        for fname in non_empty:
            if fname in values and not values[fname]:
                raise _Invalid((fname,), f"{name}.{fname} must not be empty")
        return cls(**values)

    return decode


def _check_catalog(catalog: Catalog) -> None:
    """What the types cannot say: names are unique and tables belong to a recorded schema."""
    seen: dict[str, int] = {}
    for i, schema in enumerate(catalog.schemas):
        if schema in seen:
            raise _Invalid(("schemas", i), f"schema {schema!r} is listed twice")
        seen[schema] = i
    tables: dict[str, int] = {}
    for i, table in enumerate(catalog.tables):
        if table.qualified in tables:
            raise _Invalid(
                ("tables", i),
                f"table {table.qualified} appears twice (also tables[{tables[table.qualified]}])",
            )
        tables[table.qualified] = i
        if table.schema not in catalog.schemas:
            raise _Invalid(
                ("tables", i, "schema"),
                f"table {table.qualified} is in schema {table.schema!r}, which the snapshot's "
                "schemas do not list",
            )
        columns: set[str] = set()
        for j, column in enumerate(table.columns):
            if column.name in columns:
                raise _Invalid(("tables", i, "columns", j), f"column {column.name!r} appears twice")
            columns.add(column.name)
        policies: set[str] = set()
        for j, policy in enumerate(table.rls.policies if table.rls else ()):
            if policy.name in policies:
                raise _Invalid(
                    ("tables", i, "rls", "policies", j), f"policy {policy.name!r} appears twice"
                )
            policies.add(policy.name)


def _quoted(text: str) -> str:
    """A string from the file, quoted, escaped and clipped: messages stay one short line."""
    return json.dumps(text if len(text) <= 40 else text[:37] + "...")


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {_quoted(value)}"
    if isinstance(value, list):
        return "a list"
    return "an object"


# --- placing errors -------------------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Located(0, "duplicate key")  # placed by the slow parse
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _locate(
    text: str, path: str, where: Where, reason: str | None = None, data: Any = None
) -> SpecError:
    """A SpecError at the line of the value at `where` (a structural problem, `reason` given)
    or, for a lexical one (duplicate key, NaN, oversized number), of the offending token."""
    if reason is not None:
        offset = _offset_by_path(text, where)
    else:
        offset, reason = 0, "invalid JSON"
        try:
            _find_bad_token(text)
        except _Located as err:
            offset, reason = err.offset, err.reason
        except json.JSONDecodeError as err:
            return SpecError.one(
                path, err.lineno, f"not valid JSON: {err.msg} (column {err.colno})"
            )
        except StopIteration as err:
            offset, reason = err.value, "expecting a value"
        except RecursionError:
            reason = f"JSON nested more than {_DEPTH_LIMIT} levels deep"
            return SpecError.one(path, _deep_line(text), reason)
    line = text.count("\n", 0, offset) + 1
    shown = _path_text(where, data)
    return SpecError.one(path, line, (f"{shown}: " if shown else "") + reason)


def _path_text(where: Where, data: Any) -> str:
    """`tables[3] (public.orders).indexes[0].method`: the path, naming the table."""
    text = ""
    node = data
    for position, step in enumerate(where):
        if isinstance(step, int):
            text += f"[{step}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:  # a hostile key: quoted and clipped, so the message stays one line
            text += f"[{json.dumps(step[:40])}]"
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if (
            position == 1
            and where[0] == "tables"
            and isinstance(node, dict)
            and isinstance(node.get("schema"), str)
            and isinstance(node.get("name"), str)
        ):
            text += f" ({node['schema']}.{node['name']})"
    return text


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SKIPPER = json.JSONDecoder()


def _ws(text: str, idx: int) -> int:
    """The offset after any whitespace at `idx`."""
    match = _WHITESPACE.match(text, idx)
    return match.end() if match else idx


def _offset_by_path(text: str, where: Where) -> int:
    """Where the value at `where` starts, in text that parses.

    Walks down the path, stepping over siblings with the C decoder (`raw_decode`), so even
    the last table of a large snapshot is found in about the time one parse takes.  Stops
    at the deepest step it can follow.
    """
    idx = _ws(text, 0)
    try:
        for step in where:
            opening = text[idx : idx + 1]
            if opening == "[" and isinstance(step, int):
                after = _ws(text, idx + 1)
                for _ in range(step):
                    _, after = _SKIPPER.raw_decode(text, after)
                    after = _ws(text, _ws(text, after) + 1)  # past the comma
            elif opening == "{" and isinstance(step, str):
                after = _ws(text, idx + 1)
                while True:
                    key, after = json.decoder.scanstring(text, after + 1)  # type: ignore[attr-defined]
                    after = _ws(text, _ws(text, after) + 1)  # past the colon
                    if key == step:
                        break
                    _, after = _SKIPPER.raw_decode(text, after)
                    after = _ws(text, _ws(text, after) + 1)  # past the comma
            else:
                break
            if text[after : after + 1] in ("", "]", "}"):
                break
            idx = after
    except (ValueError, IndexError):
        pass
    return idx


ScanOnce = Callable[[str, int], tuple[Any, int]]


def _find_bad_token(text: str) -> None:
    """Parse with the pure-Python scanner to raise _Located at the first duplicate key, NaN or
    number Python refuses: the fast parser rejects them without saying where.  Slow, so only
    run once the fast parse has failed that way."""
    decoder = json.JSONDecoder(parse_constant=_no_constant)

    def tracking(scan_once: ScanOnce, starts: list[int]) -> ScanOnce:
        def scan(s: str, idx: int) -> tuple[Any, int]:
            starts.append(idx)
            try:
                return scan_once(s, idx)
            except (StopIteration, _Located, json.JSONDecodeError, RecursionError):
                raise
            except ValueError as err:
                text = str(err)
                if "digits" in text:  # Python's limit on int conversion
                    text = "number with too many digits"
                raise _Located(idx, text) from None

        return scan

    def parse_object(
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: ScanOnce,
        object_hook: Any,
        object_pairs_hook: Any,
        memo: Any = None,
    ) -> tuple[dict[str, Any], int]:
        starts: list[int] = []
        pairs, end = json.decoder.JSONObject(  # type: ignore[attr-defined]
            s_and_end, strict, tracking(scan_once, starts), None, list, memo
        )
        seen: set[str] = set()
        for (key, _value), start in zip(pairs, starts, strict=True):
            if key in seen:
                raise _Located(start, f"duplicate key {key!r}")
            seen.add(key)
        return {}, end

    def parse_array(s_and_end: tuple[str, int], scan_once: ScanOnce) -> tuple[list[Any], int]:
        _values, end = json.decoder.JSONArray(  # type: ignore[attr-defined]
            s_and_end, tracking(scan_once, [])
        )
        return [], end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.parse_array = parse_array  # type: ignore[attr-defined]
    scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    tracking(scan_once, [])(text, _ws(text, 0))


def _deep_line(text: str) -> int:
    """The line where nesting first exceeds _DEPTH_LIMIT (strings skipped)."""
    depth = 0
    in_string = escaped = False
    line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > _DEPTH_LIMIT:
                return line
        elif ch in "]}":
            depth -= 1
    return 1
