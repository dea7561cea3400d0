"""A spec for a live table that has none (`adopt --new`), and the file it goes in.

The spec states what `check` can verify and nothing it would have to guess: columns with
type, nullability, default, identity and generation; the primary key; indexes; foreign
keys; row-level security with the access kinds its policies classify into.  Prose is left
for a person to write: only they know what a table is for.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from schemaverify.model.schema import Table
from schemaverify.pipeline.adopt.plan import access_kinds
from schemaverify.rules import access
from schemaverify.sources.importmd.emit import render
from schemaverify.sources.specs.rewrite import (
    column_entry,
    fk_entry,
    index_entry,
    spell_name,
)

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
_MAX_STEM = 100


def spec_data(
    table: Table, patterns: access.AccessPatterns, stamp: dict[str, str] | None
) -> dict[str, Any]:
    data: dict[str, Any] = {"table": spell_name(table.name)}
    if table.schema != "public":
        data["schema"] = spell_name(table.schema)
    data["certainty"] = "verified"
    if stamp is not None:
        data["verified"] = stamp
    pk = table.primary_key
    single = pk.columns[0] if pk and len(pk.columns) == 1 and not pk.without_overlaps else None
    columns = []
    for column in table.columns:
        entry = column_entry(column)
        if column.name == single:
            entry = {
                "name": entry["name"],
                "type": entry["type"],
                "primary_key": True,
                **{k: v for k, v in entry.items() if k not in ("name", "type", "nullable")},
            }
        columns.append(entry)
    data["columns"] = columns
    if pk is not None and single is None:
        names = [spell_name(c) for c in pk.columns]
        if pk.without_overlaps:
            names[-1] += " WITHOUT OVERLAPS"
        data["primary_key"] = names
    indexes = [{"primary_key": True}] if pk is not None else []
    indexes.extend(index_entry(i) for i in table.indexes if not i.primary)
    if indexes:
        data["indexes"] = indexes
    if table.foreign_keys:
        data["foreign_keys"] = [fk_entry(fk, table.schema) for fk in table.foreign_keys]
    rls = table.rls
    if rls is not None and rls.enabled:
        block: dict[str, Any] = {"enabled": True}
        if rls.forced:
            block["forced"] = True
        kinds, _ = access_kinds((), rls.policies, patterns)
        if kinds:
            block["access"] = list(kinds)
        data["rls"] = block
    else:
        data["rls"] = {"enabled": False}
    return data


def spec_text(
    table: Table, patterns: access.AccessPatterns, against: str | None, stamp: dict[str, str] | None
) -> str:
    header = [
        "Written by `schemaverify adopt --new`"
        + (f" from {against}" if against else "")
        + ": add purpose, usage and notes.",
    ]
    return render(spec_data(table, patterns, stamp), header=header)


def file_name(table: Table, folder: Path, taken: Collection[str]) -> Path:
    """`<table>.yaml` (`<schema>.<table>.yaml` outside public) in `folder`, made of word
    characters, dots and dashes only, never an existing file or one of `taken`: a hostile
    name (`../x`, a line break, a slash) cannot leave the folder or replace a spec."""
    stem = table.name if table.schema == "public" else f"{table.schema}.{table.name}"
    stem = _UNSAFE.sub("_", stem).lstrip(".")[:_MAX_STEM] or "table"
    candidate, n = f"{stem}.yaml", 2
    while candidate.lower() in taken or (folder / candidate).exists():
        candidate, n = f"{stem}-{n}.yaml", n + 1
    path = folder / candidate
    assert path.parent == folder and "/" not in candidate
    return path
