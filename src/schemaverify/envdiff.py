"""Compare two real schemas (`schemaverify diff --from A --to B`), e.g. branch migrations
against production, in the same finding vocabulary and formats as `check`.

There is no second comparison engine: every table of the `--from` catalog becomes a spec
that states everything the catalog knows (the live `model.Table` as it is: nullability,
defaults, every index including primary key and unique ones, foreign keys with their
actions, RLS flags and every policy by name), and `diff.compare` runs those specs against
the `--to` catalog with `DiffOptions(strict=True)`, so that what only `--to` has is
reported too.  The findings keep their kinds; only the messages are reworded from their
structured `expected` (the `--from` value) and `actual` (the `--to` value), and `spec` is
None because no YAML file is involved.
"""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import access
from .diff import DiffOptions, compare
from .dsn import redact
from .errors import UsageError
from .findings import Finding, sort_findings
from .model import Catalog
from .report import Report
from .sources import LiveSide, SourceOptions, open_live
from .spec import SpecSet, TableSpec

FROM = "--from"
TO = "--to"
PREFIXES = ("dsn", "snapshot", "migrations")
_URI_SCHEMES = ("postgresql://", "postgres://")


def parse_source(text: str, flag: str, base: SourceOptions | None = None) -> SourceOptions:
    """SourceOptions for one side, from `dsn:`/`snapshot:`/`migrations:` or by its shape.

    Without a prefix: a `postgresql://` URI is a DSN; an existing folder is migrations, an
    existing `*.json` file a snapshot, an existing `*.sql` file migrations; otherwise a
    `*.json` name is a snapshot, a glob or `*.sql` name migrations, and text with `=` a
    `key=value` conninfo.  Anything else is refused rather than guessed.
    """
    base = base or SourceOptions()
    kind, value = _classify(text.strip(), flag)
    if not value:
        raise UsageError(f"{flag} {kind}: names nothing")
    return dataclasses.replace(
        base,
        dsn=value if kind == "dsn" else None,
        snapshot=value if kind == "snapshot" else None,
        migrations=value if kind == "migrations" else None,
        preset=base.preset if kind == "migrations" else None,
    )


def _classify(text: str, flag: str) -> tuple[str, str]:
    head, sep, rest = text.partition(":")
    if sep and head in PREFIXES:
        return head, rest.strip()
    if not text:
        raise UsageError(f"{flag} needs a DSN, a snapshot file or a migrations folder")
    if text.lower().startswith(_URI_SCHEMES):
        return "dsn", text
    path = Path(text)
    if path.is_dir():
        return "migrations", text
    suffix = path.suffix.lower()
    if path.is_file() and suffix in (".json", ".sql"):
        return ("snapshot" if suffix == ".json" else "migrations"), text
    if "=" in text and not path.exists():
        return "dsn", text
    if suffix == ".json":
        return "snapshot", text
    if suffix == ".sql" or glob.has_magic(text):
        return "migrations", text
    # Unrecognised text may be a DSN typed without its scheme (`app:secret@db/app`): echo it
    # only when it cannot hold a password.
    shown = redact(text) if "@" not in text and "password" not in text.lower() else "(hidden)"
    raise UsageError(
        f"{flag} {shown}: not a DSN (postgresql://... or key=value), a snapshot file "
        "(*.json) or a migrations folder or glob (*.sql); say which with a prefix: "
        + ", ".join(f"{p}:" for p in PREFIXES)
    )


def specs_from_catalog(catalog: Catalog, label: str = FROM) -> SpecSet:
    """Every relation of `catalog` as a spec that states all of it."""
    return SpecSet(tuple(TableSpec(table=t, path=label) for t in catalog.tables))


def diff_catalogs(
    before: Catalog, after: Catalog, *, schemas: Sequence[str] = ("public",)
) -> list[Finding]:
    """Findings that turn `before` (--from) into `after` (--to), sorted like check's."""
    options = DiffOptions(
        patterns=access.load_patterns(), undocumented_schemas=tuple(schemas), strict=True
    )
    findings = compare(specs_from_catalog(before), after, options)
    kinds = {t.qualified: t.kind for t in before.tables} | {
        t.qualified: t.kind for t in after.tables
    }
    columns = {t.qualified: len(t.columns) for t in after.tables}
    return sort_findings(
        [dataclasses.replace(f, spec=None, message=_message(f, kinds, columns)) for f in findings]
    )


def _side(opts: SourceOptions, schemas: Sequence[str], flag: str) -> LiveSide:
    """Read one side completely before the other: two embedded servers never run at once."""
    with open_live(opts, schemas) as live:
        findings = tuple(
            dataclasses.replace(f, message=f"{flag}: {f.message}") for f in live.findings
        )
        return dataclasses.replace(live, findings=findings)


def build_report(
    before: LiveSide,
    after: LiveSide,
    *,
    schemas: Sequence[str],
    fail_on: str = "error",
) -> Report:
    findings = [*before.findings, *after.findings]
    names: list[str] = []
    if before.catalog is not None and after.catalog is not None:
        findings.extend(diff_catalogs(before.catalog, after.catalog, schemas=schemas))
        # The --from tables play the specs: they are the tables checked, as in check, where
        # tables only the live side has (here: only --to) are not counted among them.
        names = [t.qualified for t in before.catalog.tables]
    source: dict[str, Any] = {
        "kind": "diff",
        "from": dict(before.description),
        "to": dict(after.description),
        "description": f"{FROM} {_shown(before)} {TO} {_shown(after)}",
    }
    return Report(
        findings=tuple(sort_findings(findings)),
        tables_checked=len(names),
        source=source,
        specs=None,
        fail_on=fail_on,
        tables=tuple(names),
    )


def run_diff(
    before: SourceOptions,
    after: SourceOptions,
    *,
    schemas: Sequence[str] = ("public",),
    fail_on: str = "error",
) -> Report:
    wanted = tuple(dict.fromkeys(schemas))
    return build_report(
        _side(before, wanted, FROM), _side(after, wanted, TO), schemas=wanted, fail_on=fail_on
    )


def _shown(side: LiveSide) -> str:
    return side.description.get("description") or side.description.get("dsn") or "?"


# --- messages -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return f"({', '.join(str(v) for v in value)})"
    return str(value)


def _message(f: Finding, kinds: dict[str, str], columns: dict[str, int]) -> str:
    """The finding said in --from/--to terms: `expected` is --from's value, `actual` --to's."""
    what = kinds.get(f.table, "table")
    exp, act, obj = _text(f.expected), _text(f.actual), f.object
    both = f"{act} in {TO}, {exp} in {FROM}"
    if f.kind == "table_missing":
        _, hint, rest = f.message.partition(" (a table of that name")
        return f"{what} {f.table} exists in {FROM} but not in {TO}{hint}{rest}"
    if f.kind == "table_undocumented":
        return f"{what} {f.table} ({columns.get(f.table, 0)} columns) exists only in {TO}"
    if f.kind == "column_missing":
        rename = f.message.partition("; it may have been renamed to ")
        return f"column {obj} ({exp}) exists in {FROM} but not in {TO}" + (
            f"; it may have been renamed to {rename[2].replace('undocumented', f'only in {TO}')}"
            if rename[1]
            else ""
        )
    if f.kind == "column_undocumented":
        return f"column {obj} ({act}) exists only in {TO}"
    if f.kind in ("column_type_mismatch", "column_nullability_mismatch"):
        return f"column {obj} is {both}"
    if f.kind == "column_default_mismatch":
        return f"column {obj} defaults to {f.actual or 'nothing'} in {TO}, " + (
            f"{f.expected or 'nothing'} in {FROM}"
        )
    if f.kind == "primary_key_mismatch":
        return f"primary key is {both}"
    if f.kind == "unique_missing":
        return f"({obj}) is UNIQUE in {FROM} but not in {TO}"
    if f.kind in ("index_missing", "index_mismatch", "fk_missing", "fk_mismatch"):
        noun = "index" if f.kind.startswith("index") else "foreign key"
        if f.expected is None:
            return f"{noun} {act} exists only in {TO}"
        if f.actual is None:
            return f"{noun} {exp} exists in {FROM} but not in {TO}"
        if noun == "index":
            return f"index {exp} in {FROM} is {act} in {TO}"
        return f"foreign key on ({obj}): {_changed_clauses(exp, act)}"
    if f.kind == "rls_disabled":
        subject = "FORCE ROW LEVEL SECURITY" if obj == "force" else "row-level security"
        return f"{subject} is {both}"
    if f.kind == "rls_policy_missing":
        if f.expected is None:
            return f"policy {obj!r} exists only in {TO}: {act}"
        if f.actual is None:
            return f"policy {obj!r} exists in {FROM} but not in {TO}"
        return f"policy {obj!r} differs: {both}"
    return f.message


def _changed_clauses(before: str, after: str) -> str:
    """`ON DELETE RESTRICT in --to, ON DELETE CASCADE in --from`: only the clauses of two
    foreign key descriptions (`(a) -> t(id) ON DELETE x ON UPDATE y`) that differ."""
    old, new = before.split(" ON "), after.split(" ON ")
    if len(old) != len(new):
        return f"{after} in {TO}, {before} in {FROM}"
    pairs = [
        (("ON " if i else "") + o, ("ON " if i else "") + n)
        for i, (o, n) in enumerate(zip(old, new, strict=True))
        if o != n
    ]
    return (
        "; ".join(f"{n} in {TO}, {o} in {FROM}" for o, n in pairs)
        or f"{after} in {TO}, {before} in {FROM}"
    )
