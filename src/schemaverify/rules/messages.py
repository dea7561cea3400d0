"""The human message of every comparison finding, written from its values.

Comparators hand over values (a TypeRef, a Nullability, an Index, the differences found
as data); this module alone turns them into sentences, so a reworded message changes
no identity (fingerprints and fact ids are structural) and every comparator, strict or
not, says the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from schemaverify.model.values import text

Details = Mapping[str, Any]
_Writer = Callable[[str | None, Any, Any, Details], str]
_WRITERS: dict[str, _Writer] = {}


def message(kind: str, obj: str | None, expected: Any, actual: Any, details: Details) -> str:
    return _WRITERS[kind](obj, expected, actual, details)


def _writes(kind: str) -> Callable[[_Writer], _Writer]:
    def register(writer: _Writer) -> _Writer:
        _WRITERS[kind] = writer
        return writer

    return register


def kinds() -> tuple[str, ...]:
    return tuple(_WRITERS)


# --- tables -------------------------------------------------------------------------


@_writes("table_missing")
def _table_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    message = f"table {expected} does not exist"
    same_name: Sequence[str] = d.get("same_name", ())
    if same_name:
        shown = ", ".join(same_name[:3])
        if len(same_name) > 3:
            shown += f" and {len(same_name) - 3} more"
        message += f" (a table of that name exists as {shown})"
    return message


@_writes("table_is_partition")
def _table_is_partition(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    parent = d["partition_of"]
    return (
        f"{expected} is a partition of {parent}: a partition has its parent's columns, keys "
        f"and indexes and is not checked on its own; document {parent} instead"
    )


@_writes("api_exposure_mismatch")
def _api_exposure_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if expected == "exposed":
        clients = " and ".join(d["clients"]) or "no client role"
        if not d["schema_usage"]:
            why = f"{clients} may not use its schema (no USAGE)"
        else:
            why = f"{clients} hold no SELECT, INSERT, UPDATE or DELETE privilege on it"
        return (
            f"documented as exposed to the Data API, but {why}: requests get 42501 "
            "permission denied whatever the policies say (new tables get no automatic grants "
            "since Supabase's 2026 change; add the GRANTs in a migration)"
        )
    reached: Mapping[str, Sequence[str]] = d["reached_by"]
    who = ", ".join(
        f"{role} ({', '.join(p.upper() for p in held)})" for role, held in reached.items()
    )
    return (
        f"documented as hidden from the Data API, but {who} can reach it: only row-level "
        "security stands between the public key and its rows (REVOKE the privileges, or move "
        "the table to a schema the API does not serve)"
    )


@_writes("table_undocumented")
def _table_undocumented(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"{d['relkind']} {actual} ({d['columns']} columns) has no spec"


# --- columns ------------------------------------------------------------------------


@_writes("column_missing")
def _column_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    message = f"column {obj} ({expected}) does not exist"
    renames: Sequence[str] = d.get("renames", ())
    if renames:
        message += f"; it may have been renamed to {' or '.join(renames)} (same type, undocumented)"
    return message


@_writes("column_undocumented")
def _column_undocumented(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"column {obj} ({actual}) exists but is not in the spec"


@_writes("column_type_mismatch")
def _column_type(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"column {obj} is {actual}, documented as {expected}"


@_writes("column_nullability_mismatch")
def _column_nullability(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"column {obj} is {actual}, documented as {expected}"


@_writes("column_default_mismatch")
def _column_default(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"column {obj} defaults to {actual or 'nothing'}, documented as {expected or 'nothing'}"


@_writes("column_identity_mismatch")
def _column_identity(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    found = f"GENERATED {actual.upper()} AS IDENTITY" if actual else "not an identity column"
    return f"column {obj} is {found}, documented as GENERATED {expected.upper()} AS IDENTITY"


@_writes("check_missing")
def _check_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"check constraint {obj} ({text(expected)}) does not exist"


@_writes("check_mismatch")
def _check_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if expected is None:
        return f"check constraint {obj} ({text(actual)}) is not documented"
    return f"check constraint {obj} is {text(actual)}, documented {text(expected)}"


@_writes("comment_missing")
def _comment_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    what = "the table" if obj is None else f"column {obj}"
    source = "purpose" if obj is None else "note"
    return (
        f"{what} has no COMMENT ON {d['on'].upper()}; the spec's {source} is {expected!r} "
        "(`schemaverify comments-sql` writes the statements)"
    )


@_writes("comment_mismatch")
def _comment_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    what = "the table's" if obj is None else f"column {obj}'s"
    source = "purpose" if obj is None else "note"
    return f"{what} comment is {actual!r}, the spec's {source} {expected!r}"


@_writes("values_mismatch")
def _values_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    parts = []
    if d["undocumented"]:
        parts.append(f"also allows {', '.join(repr(v) for v in d['undocumented'])}")
    if d["rejected"]:
        parts.append(f"rejects documented {', '.join(repr(v) for v in d['rejected'])}")
    return (
        f"column {obj}: the database ({', '.join(d['enforced_by'])}) {' and '.join(parts)}; "
        f"it allows {actual}, documented {expected}"
    )


@_writes("values_unenforced")
def _values_unenforced(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    text = f"column {obj}: nothing in the database enforces the documented values {expected}"
    if d["ignored"]:
        text += f" (CHECK {', '.join(d['ignored'])} is not enforced on every row)"
    return text + "; any value may be stored"


@_writes("column_generated_mismatch")
def _column_generated(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"column {obj} is {actual or 'not generated'}, documented as {expected}"


# --- keys ---------------------------------------------------------------------------


@_writes("primary_key_mismatch")
def _primary_key(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"primary key is {actual if actual else 'none'}, documented as {expected or 'none'}"


@_writes("unique_missing")
def _unique_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    message = f"{expected} is documented as UNIQUE but no unique constraint or index enforces it"
    if "temporal" in d:
        # The same columns are unique the other way: a temporal key (equal keys may repeat
        # over ranges that do not overlap) or a plain one.
        message += (
            " (a key WITHOUT OVERLAPS on them does: rows with equal values are allowed when "
            "their ranges do not overlap)"
            if d["temporal"]
            else " (only a plain unique key on them does, not WITHOUT OVERLAPS)"
        )
    return message


# --- indexes ------------------------------------------------------------------------


def _index_difference(what: str, documented: Any, live: Any) -> str:
    if what == "not_unique":
        return "it is not unique"
    if what == "unique":
        return "it is unique"
    if what == "method":
        return f"method is {live}, documented {documented}"
    if what == "nulls_not_distinct":
        return (
            "it is NULLS NOT DISTINCT (one NULL allowed)"
            if live
            else "NULLs are distinct (any number of NULLs allowed), documented NULLS NOT DISTINCT"
        )
    if what == "order":
        return f"key order is {live}"
    if what == "not_partial":
        return "it is not partial"
    if what == "partial":
        return f"it is partial (WHERE {live})"
    if what == "predicate":
        return f"predicate is WHERE {live}, documented WHERE {documented}"
    raise ValueError(what)


def index_differences(differences: Sequence[tuple[str, Any, Any]]) -> str:
    return "; ".join(_index_difference(*d) for d in differences)


@_writes("index_missing")
def _index_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if d.get("primary"):
        return "the documented primary key index does not exist (no primary key)"
    return f"no index {text(expected)}"


@_writes("index_mismatch")
def _index_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if expected is None:
        return f"index {actual.name or ''} {text(actual)} exists but is not in the spec"
    columns = ", ".join(expected.columns)
    return f"index {actual.name or ''} on ({columns}) differs: " + index_differences(
        d["differences"]
    )


# --- foreign keys -------------------------------------------------------------------


def _fk_difference(what: str, documented: Any, live: Any) -> str:
    if what == "target":
        return f"it references {live}, documented {documented}"
    if what == "on_delete":
        return f"ON DELETE is {(live or '').upper()}, documented {documented.upper()}"
    if what == "on_update":
        return f"ON UPDATE is {(live or '').upper()}, documented {documented.upper()}"
    if what == "period":
        return "it is a PERIOD (temporal) key" if live else "it is not a PERIOD (temporal) key"
    if what == "enforced":
        return (
            "it is NOT ENFORCED: the database does not check it"
            if not live
            else "it is enforced, documented NOT ENFORCED"
        )
    raise ValueError(what)


@_writes("fk_missing")
def _fk_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"no foreign key {text(expected)}"


@_writes("fk_mismatch")
def _fk_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if expected is None:
        return f"foreign key {actual.name or ''} {text(actual)} exists but is not in the spec"
    return f"foreign key {actual.name or ''} on ({obj}) differs: " + "; ".join(
        _fk_difference(*diff) for diff in d["differences"]
    )


# --- row-level security -------------------------------------------------------------


@_writes("rls_disabled")
def _rls_disabled(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if obj == "force":
        return f"FORCE ROW LEVEL SECURITY is {'on' if actual.on else 'off'}, documented " + (
            "on" if expected.on else "off"
        )
    if actual.on:
        return f"row-level security is on on {d['table']}; documented as off"
    return f"row-level security is off on {d['table']}; documented as enabled"


@_writes("rls_policy_missing")
def _rls_policy_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if d.get("access_kind"):
        present: Sequence[str] = d.get("policies", ())
        return f"no policy grants the documented '{obj}' access" + (
            f" (policies present: {', '.join(present)})" if present else ""
        )
    if expected is None:
        return f"policy {obj!r} exists but is not in the spec"
    if actual is None:
        return f"documented policy {obj!r} does not exist"
    differences: Sequence[tuple[str, Any]] = d.get("differences", ())
    if not differences:
        return f"policy {obj!r} differs from the documented one"
    return f"policy {obj!r} differs from the documented one: " + "; ".join(
        _policy_difference(what, live) for what, live in differences
    )


def _policy_difference(what: str, live: Any) -> str:
    if what == "command":
        return f"command is {live.upper()}"
    if what == "roles":
        return f"roles are {', '.join(live)}"
    if what == "permissive":
        return "it is " + ("permissive" if live else "restrictive")
    if what == "using":
        return f"USING is ({live})"
    if what == "with_check":
        return f"WITH CHECK is ({live})"
    raise ValueError(what)


@_writes("rls_access_violation")
def _rls_access_violation(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    if d.get("closed"):
        found: Sequence[tuple[str, str]] = d["violations"]
        return f"the table is documented as {obj} but " + "; ".join(
            f"policy {name!r} {reason}" for name, reason in found
        )
    return f"policy {obj!r} {d['reason']}"


_WAYS = {"more": "more than", "less": "less than", "other": "other access than"}


@_writes("rls_access_undocumented")
def _rls_access_undocumented(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return f"policy {obj!r} {d['reason']}"


@_writes("rls_matrix_mismatch")
def _rls_matrix_mismatch(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    role, command = d["role"], d["command"]
    return (
        f"{role} {command.upper()} is {actual} ({d['why']}), documented as {expected}: "
        f"the database grants {_WAYS[d['direction']]} documented"
    )


# --- the second voice: two environments (`schemaverify diff --from A --to B`) ---------------


def between(
    kind: str,
    obj: str | None,
    expected: Any,
    actual: Any,
    details: Details,
    *,
    table: str,
    relkind: str,
    before: str = "--from",
    after: str = "--to",
) -> str:
    """A finding of a strict comparison said in two environments' terms: `expected` is the
    `before` side's value, `actual` the `after` side's."""
    exp, act = _side(expected), _side(actual)
    both = f"{act} in {after}, {exp} in {before}"
    if kind == "table_missing":
        hint = _table_missing(obj, expected, actual, details).partition(" (a table of")[2]
        return f"{relkind} {table} exists in {before} but not in {after}" + (
            f" (a table of{hint}" if hint else ""
        )
    if kind == "table_undocumented":
        return f"{relkind} {table} ({details.get('columns', 0)} columns) exists only in {after}"
    if kind == "column_missing":
        renames: Sequence[str] = details.get("renames", ())
        return f"column {obj} ({exp}) exists in {before} but not in {after}" + (
            f"; it may have been renamed to {' or '.join(renames)} (same type, only in {after})"
            if renames
            else ""
        )
    if kind == "column_undocumented":
        return f"column {obj} ({act}) exists only in {after}"
    if kind in ("column_type_mismatch", "column_nullability_mismatch", "primary_key_mismatch"):
        subject = "primary key" if kind == "primary_key_mismatch" else f"column {obj}"
        return f"{subject} is {both}"
    if kind == "column_default_mismatch":
        return f"column {obj} defaults to {actual or 'nothing'} in {after}, " + (
            f"{expected or 'nothing'} in {before}"
        )
    if kind == "unique_missing":
        return f"{exp} is UNIQUE in {before} but not in {after}"
    if kind in ("index_missing", "index_mismatch", "fk_missing", "fk_mismatch"):
        noun = "index" if kind.startswith("index") else "foreign key"
        if expected is None:
            return f"{noun} {act} exists only in {after}"
        if actual is None:
            return f"{noun} {exp} exists in {before} but not in {after}"
        if noun == "index":
            return f"index {exp} in {before} is {act} in {after}"
        changes = [
            f"{_fk_clause(what, live)} in {after}, {_fk_clause(what, documented)} in {before}"
            for what, documented, live in details.get("differences", ())
        ]
        return f"foreign key on ({obj}): " + ("; ".join(changes) or both)
    if kind == "check_missing":
        return f"check constraint {obj} ({exp}) exists in {before} but not in {after}"
    if kind == "check_mismatch":
        if expected is None:
            return f"check constraint {obj} ({act}) exists only in {after}"
        return f"check constraint {obj} differs: {both}"
    if kind == "rls_disabled":
        subject = "FORCE ROW LEVEL SECURITY" if obj == "force" else "row-level security"
        return f"{subject} is {both}"
    if kind == "rls_policy_missing":
        if expected is None:
            return f"policy {obj!r} exists only in {after}: {act}"
        if actual is None:
            return f"policy {obj!r} exists in {before} but not in {after}"
        return f"policy {obj!r} differs: {both}"
    return message(kind, obj, expected, actual, details)


def _side(value: Any) -> str:
    return "none" if value is None else text(value)


def _fk_clause(what: str, value: Any) -> str:
    if what == "target":
        return str(value)
    if what == "period":
        return "PERIOD" if value else "not PERIOD"
    if what == "enforced":
        return "enforced" if value else "NOT ENFORCED"
    clause = "ON DELETE" if what == "on_delete" else "ON UPDATE"
    return f"{clause} {(value or 'no action').upper()}"


# --- code usage ----------------------------------------------------------------------


def _also(d: Details) -> str:
    places: Sequence[str] = d.get("places", ())
    if len(places) < 2:
        return ""
    return f" (also at {', '.join(places[1:4])}{' and more' if len(places) > 4 else ''})"


@_writes("code_table_missing")
def _code_table_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    what = {"function": "function", "table": "table or view"}[d["target"]]
    if d.get("embedded_in"):
        text = (
            f"embedded resource {expected.partition('.')[2]} in a select on "
            f"{d['embedded_in']} is no table, view or foreign key of it"
        )
    else:
        text = f"code uses {what} {expected}, which does not exist"
    if d.get("similar"):
        text += f"; did you mean {d['similar']}?"
    return text + _also(d)


@_writes("code_column_missing")
def _code_column_missing(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    operations = "/".join(d["operations"])
    text = f"code names column {obj} ({operations}), which {expected} does not have"
    if d.get("similar"):
        text += f"; did you mean {d['similar']}?"
    return text + _also(d)


@_writes("code_access_denied")
def _code_access_denied(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    client = {"public": "a client with the public key", "service": "the service role"}
    why = "; ".join(f"{who}: {reason}" for who, reason in d["why"].items())
    return (
        f"{client[d['privilege']]} runs {obj} on {expected}, which "
        f"{' and '.join(d['roles'])} may not do ({why})" + _also(d)
    )


@_writes("code_reference_unresolved")
def _code_reference_unresolved(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    count = len(d["places"])
    times = "" if count == 1 else f" ({count} places)"
    return f"{d['target']} not checked: {d['reason']}{times}"


@_writes("code_scan_incomplete")
def _code_scan_incomplete(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    return "not fully scanned: " + "; ".join(d["problems"])


@_writes("table_unused")
def _table_unused(obj: str | None, expected: Any, actual: Any, d: Details) -> str:
    text = f"no scanned code names {expected}"
    if d["unresolved"]:
        noun = "reference" if d["unresolved"] == 1 else "references"
        text += f" ({d['unresolved']} unresolved {noun} might)"
    return text
