"""Compare two real schemas (`schemaverify diff --from A --to B`), e.g. branch migrations
against production, in the same finding vocabulary and formats as `check`.

There is no second comparison engine: every table of the `--from` catalog becomes a spec
that states everything the catalog knows (the live `model.Table` as it is: nullability,
defaults, every index including primary key and unique ones, foreign keys with their
actions, RLS flags and every policy by name), and `rules.compare` runs those specs against
the `--to` catalog with `DiffOptions(strict=True)`, so that what only `--to` has is
reported too.  The findings keep their kinds; the messages are written again by
`rules.messages.between` from the same values (`expected` the `--from` value, `actual`
the `--to` value, and the finding's details), never by parsing a message, and `spec` is
None because no YAML file is involved.
"""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from schemaverify.errors import UsageError
from schemaverify.model.findings import Finding
from schemaverify.model.schema import Catalog
from schemaverify.model.spec import SpecSet, TableSpec
from schemaverify.pipeline import Pipeline
from schemaverify.pipeline.report import DIFF, Report
from schemaverify.rules import DiffOptions, compare, messages
from schemaverify.sources.dsn import redact
from schemaverify.sources.live import LiveSide, SourceOptions, open_live
from schemaverify.sources.specs import patterns as patterns_file

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
        patterns=patterns_file.load_patterns(), undocumented_schemas=tuple(schemas), strict=True
    )
    verification = compare(specs_from_catalog(before), after, options)
    kinds = {t.qualified: t.kind for t in before.tables} | {
        t.qualified: t.kind for t in after.tables
    }
    reworded = [
        dataclasses.replace(
            f,
            spec=None,
            message=messages.between(
                f.kind,
                f.object,
                f.expected,
                f.actual,
                dict(f.details),
                table=f.table,
                relkind=kinds.get(f.table, "table"),
                before=FROM,
                after=TO,
            ),
        )
        for f in verification.findings
    ]
    return list(Pipeline().run(reworded))


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
    severity: Mapping[str, str] | None = None,
) -> Report:
    findings = [*before.findings, *after.findings]
    names: list[str] = []
    # A side whose migrations stopped has no schema: nothing was compared, and the report
    # says that no table was checked rather than "0 of 0 tables".
    read = before.catalog is not None and after.catalog is not None
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
        findings=Pipeline(severity=dict(severity or {})).run(findings),
        tables_checked=len(names),
        source=source,
        specs=None,
        fail_on=fail_on,
        tables=tuple(names),
        schema_read=read,
        command=DIFF,
    )


def run_diff(
    before: SourceOptions,
    after: SourceOptions,
    *,
    schemas: Sequence[str] = ("public",),
    fail_on: str = "error",
    severity: Mapping[str, str] | None = None,
) -> Report:
    wanted = tuple(dict.fromkeys(schemas))
    return build_report(
        _side(before, wanted, FROM),
        _side(after, wanted, TO),
        schemas=wanted,
        fail_on=fail_on,
        severity=severity,
    )


def _shown(side: LiveSide) -> str:
    return side.description.get("description") or side.description.get("dsn") or "?"
