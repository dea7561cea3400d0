"""`import-md --merge`: re-import without losing what people added to a spec by hand.

The document is the source of truth for the structure it states (types,
nullability, keys, indexes, foreign keys, access kinds, provenance).  The
existing file keeps:

- prose a person may have improved: `purpose`, `usage`, `category`, column
  `note` and `values`, index `note` -- the file's value wins when it has one
  (delete it from the YAML to take the document's wording again);
- everything the document format cannot state: `schema`, `version`, column
  `default` / `identity` / `generated`, index `name` / `include`,
  `rls.policies` / `rls.forced`, composite `unique` / `primary_key` lists,
  `ignore`, and keys this version does not know (lint will say if they are wrong);
- columns, indexes and foreign keys the document does not mention, after the
  document's own;
- a `certainty` higher than the document's (a human's `verified` stays).
"""

from __future__ import annotations

from typing import Any

from schemaverify.sources.importmd.build import CERTAINTY_RANK
from schemaverify.sources.specs.yamlnodes import Map, Node, Scalar

_TOP_ORDER = (
    "version",
    "table",
    "schema",
    "category",
    "certainty",
    "source",
    "purpose",
    "usage",
    "columns",
    "primary_key",
    "unique",
    "indexes",
    "foreign_keys",
    "rls",
    "ignore",
)
_PROSE = ("purpose", "usage", "category")
_COLUMN_ORDER = (
    "name",
    "type",
    "primary_key",
    "nullable",
    "unique",
    "references",
    "default",
    "identity",
    "generated",
    "values",
    "note",
)
_COLUMN_KEPT = ("references", "default", "identity", "generated")
_COLUMN_PROSE = ("values", "note")
_INDEX_ORDER = ("primary_key", "columns", "unique", "method", "where", "partial", "include", "name")
_INDEX_KEPT = ("include", "name")
_FK_ORDER = ("columns", "references", "on_delete", "on_update", "name")


def plain_spec(root: Map) -> dict[str, Any]:
    """A spec file as plain values; `values` items keep their source text (`yes` stays yes)."""
    result = _plain(root, "")
    assert isinstance(result, dict)
    return result


def _plain(node: Node | None, key: Any) -> Any:
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Map):
        return {e.key.value: _plain(e.value, e.key.value) for e in node.entries}
    if key == "values":
        return [
            i.text if isinstance(i, Scalar) and i.value is not None else _plain(i, None)
            for i in node.items
        ]
    return [_plain(i, None) for i in node.items]


def merge_spec(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The document's spec `new` with the hand-written parts of the file's spec `old`."""
    merged: dict[str, Any] = dict(new)
    for key in _PROSE:
        if _stated(old.get(key)):
            merged[key] = old[key]
    if not new.get("schema") and _stated(old.get("schema")):
        merged["schema"] = old["schema"]
    merged["certainty"] = _certainty(new.get("certainty"), old.get("certainty"))
    merged["columns"] = _columns(new.get("columns") or [], old.get("columns"))
    if any(c.get("primary_key") for c in merged["columns"] if isinstance(c, dict)):
        old = {k: v for k, v in old.items() if k != "primary_key"}
    merged["indexes"] = _indexes(new.get("indexes") or [], old.get("indexes"))
    merged["foreign_keys"] = _foreign_keys(
        new.get("foreign_keys") or [], old.get("foreign_keys"), merged["columns"]
    )
    merged["rls"] = _rls(new.get("rls"), old.get("rls"))
    for key, value in old.items():
        if key not in merged:
            merged[key] = value
    return _ordered(
        {k: v for k, v in merged.items() if v is not None and v != []}, _TOP_ORDER, keep_rest=True
    )


def _stated(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _certainty(doc: Any, file: Any) -> Any:
    if (
        isinstance(file, str)
        and isinstance(doc, str)
        and CERTAINTY_RANK.get(file.lower(), -1) > CERTAINTY_RANK.get(doc, -1)
    ):
        return file
    return doc


def _ordered(entry: dict[Any, Any], order: tuple[str, ...], *, keep_rest: bool) -> dict[Any, Any]:
    result = {k: entry[k] for k in order if k in entry}
    if keep_rest:
        result.update({k: v for k, v in entry.items() if k not in result})
    return result


def _name_key(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _columns(new: list[dict[str, Any]], old: Any) -> list[Any]:
    old_list = old if isinstance(old, list) else []
    by_name = {
        _name_key(c.get("name")): c for c in old_list if isinstance(c, dict) and c.get("name")
    }
    result: list[Any] = []
    for col in new:
        previous = by_name.get(_name_key(col.get("name")))
        if previous is None:
            result.append(col)
            continue
        merged = dict(col)
        for key in _COLUMN_PROSE:
            if _stated(previous.get(key)):
                merged[key] = previous[key]
        for key in _COLUMN_KEPT:
            if key in previous and key not in merged:
                merged[key] = previous[key]
        for key, value in previous.items():
            if key not in _COLUMN_ORDER and key not in merged:
                merged[key] = value
        result.append(_ordered(merged, _COLUMN_ORDER, keep_rest=True))
    names = {_name_key(c.get("name")) for c in new}
    result.extend(
        c for c in old_list if not (isinstance(c, dict) and _name_key(c.get("name")) in names)
    )
    return result


def _index_identity(entry: Any) -> tuple[Any, ...] | None:
    """Indexes are the same index when they are both the primary key or share their keys."""
    if not isinstance(entry, dict):
        return None
    if entry.get("primary_key") is True:
        return ("primary key",)
    columns = entry.get("columns")
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, list):
        return None
    return tuple(" ".join(str(c).lower().split()) for c in columns)


def _indexes(new: list[dict[str, Any]], old: Any) -> list[Any]:
    old_list = old if isinstance(old, list) else []
    remaining = list(old_list)
    result: list[Any] = []
    for index in new:
        identity = _index_identity(index)
        previous = next((o for o in remaining if _index_identity(o) == identity), None)
        if previous is None:
            result.append(index)
            continue
        remaining.remove(previous)
        merged = dict(index)
        for key in _INDEX_KEPT:
            if key in previous and key not in merged:
                merged[key] = previous[key]
        if _stated(previous.get("note")):
            merged["note"] = previous["note"]
        for key, value in previous.items():
            if key not in (*_INDEX_ORDER, "note") and key not in merged:
                merged[key] = value
        result.append(_ordered(merged, (*_INDEX_ORDER, "note"), keep_rest=True))
    result.extend(remaining)
    return result


def _fk_identity(entry: Any) -> tuple[str, ...] | None:
    if not isinstance(entry, dict):
        return None
    columns = entry.get("columns")
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, list):
        return None
    return tuple(str(c).lower() for c in columns)


def _foreign_keys(new: list[dict[str, Any]], old: Any, columns: list[Any]) -> list[Any]:
    """The document's FKs; the file's on other columns stay, unless a column `references` does."""
    old_list = old if isinstance(old, list) else []
    result: list[Any] = []
    for fk in new:
        previous = next((o for o in old_list if _fk_identity(o) == _fk_identity(fk)), None)
        merged = dict(fk)
        if isinstance(previous, dict):
            for key in ("on_delete", "on_update", "name"):
                if key in previous and key not in merged:
                    merged[key] = previous[key]
        result.append(_ordered(merged, _FK_ORDER, keep_rest=True))
    taken = {_fk_identity(fk) for fk in new}
    referenced = {
        (_name_key(c.get("name")),) for c in columns if isinstance(c, dict) and c.get("references")
    }
    for fk in old_list:
        identity = _fk_identity(fk)
        if identity not in taken and identity not in referenced:
            result.append(fk)
    # A column `references` kept from the file would now duplicate a document FK.
    for col in columns:
        if isinstance(col, dict) and (_name_key(col.get("name")),) in taken:
            col.pop("references", None)
    return result


def _rls(new: Any, old: Any) -> Any:
    if new is None:
        return old
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    merged = dict(new)
    for key in ("policies", "forced"):
        if key in old:
            merged[key] = old[key]
    return _ordered(merged, ("enabled", "forced", "access", "policies"), keep_rest=True)
