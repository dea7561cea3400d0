"""Resolve the type names specs write without a schema, or refuse them as spec errors.

The loader sets aside every unqualified column type that is neither built in nor a known
extension type (`TableSpec.unresolved_types`), because only later is it known what else
exists: the configuration's `types`, and with a live source the types the database itself
defines.  A name none of them has is a typo in the document (`txt`, `timestampz`), so it
ends the run as `file:line: reason` (exit 2) instead of becoming a `column_type_mismatch`
that sends the reader to the database.
"""

from __future__ import annotations

from collections.abc import Collection

from schemaverify.errors import SpecError
from schemaverify.model import typenames
from schemaverify.model.schema import Catalog
from schemaverify.model.spec import SpecSet
from schemaverify.sources.specs.yamlnodes import clip, suggest


def refusal(name: str, candidates: Collection[str]) -> str:
    """Why `name` is no type a column can have: `unknown type 'txt' (did you mean 'text'?)`,
    or, for `record` and the like, that it is a pseudo-type (no near spelling helps)."""
    if name in typenames.PSEUDO:
        return f"{clip(name)!r} is a pseudo-type, which no column can have"
    return f"unknown type {clip(name)!r}{suggest(name, candidates)}"


def catalog_type_names(catalog: Catalog) -> frozenset[str]:
    """Names an unqualified spec type may resolve to in a database: its own types, its
    tables' row types, and the types its columns use (all a snapshot written before
    `types` were recorded can tell)."""
    names = {t.name for t in catalog.types}
    names.update(t.name for t in catalog.tables)
    names.update(c.type.name for t in catalog.tables for c in t.columns)
    return frozenset(names)


def problems(
    specs: SpecSet, extra: Collection[str], catalog: Catalog | None = None, where: str = ""
) -> list[tuple[str, int, str]]:
    """`(path, line, reason)` of every unresolved type name; `where` names the database."""
    known = set(extra)
    if catalog is not None:
        known |= catalog_type_names(catalog)
    found: list[tuple[str, int, str]] = []
    candidates: frozenset[str] | None = None
    for spec in specs.specs:
        for use in spec.unresolved_types:
            if use.name in known:
                continue
            if candidates is None:
                candidates = typenames.spellings(known)
            if use.name in typenames.PSEUDO:
                found.append((spec.path, use.line, f"{use.label}: {refusal(use.name, ())}"))
                continue
            if catalog is None:
                # repr: a quoted name may hold a line break, which must not split the line.
                own = f"public.{clip(use.name)}"
                hint = (
                    f"write a type of your own with its schema ({own!r}) or list it "
                    "under `types` in the configuration"
                )
            else:
                hint = (
                    f"not built in, not a known extension type, not in the configuration's "
                    f"`types`, and {where or 'the database'} defines no type of that name"
                )
            reason = f"{use.label}: {refusal(use.name, candidates)}; {hint}"
            found.append((spec.path, use.line, reason))
    return found


def require_resolved(
    specs: SpecSet, extra: Collection[str], catalog: Catalog | None = None, where: str = ""
) -> None:
    found = problems(specs, extra, catalog, where)
    if found:
        raise SpecError(found)
