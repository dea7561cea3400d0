"""Schema-per-tenant: schema globs, and specs applied to every schema a glob matches.

A `--schema` value (or an entry of the configuration's `schemas`, or a spec's own
`schema:`) containing `*` or `?` is a glob: `*` matches any run of characters, `?`
exactly one, everything else is literal (`_` and `%` included).  Globs never
match the system schemas (`pg_*`, `information_schema`); name those explicitly.

The catalog reader matches globs in SQL (`like_pattern`), in the same queries as
plain names, so reading 200 tenant schemas costs the same five queries as one.
After the read, `expand` turns each template spec into one spec per matched
schema:

- a spec whose `schema:` is a glob is checked in every live schema that glob
  matches;
- a spec that does not state `schema:` is checked in every live schema matched by
  the `--schema` globs, when there are any (else in `public`, as always);
- a spec naming one schema is checked there only.  Where it names a schema that a
  template also reaches, it wins: one tenant may have a spec of its own.

In a copy, a foreign key to the template's own schema (an unqualified
`references`) points into the matched schema, so tenant tables reference
tables of the same tenant.  A template without `schema:` cannot tell an
unqualified reference from `public.x`; a template that must reference a shared
table states its glob (`schema: tenant_*`) and qualifies the shared table.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence

from schemaverify.errors import SpecError, UsageError
from schemaverify.model.schema import ForeignKey
from schemaverify.model.spec import SpecSet, TableSpec

GLOB_CHARS = frozenset("*?")


def is_glob(schema: str) -> bool:
    return any(c in GLOB_CHARS for c in schema)


def is_system(schema: str) -> bool:
    """Schemas a glob never matches: the catalog, TOAST and temporary schemas."""
    return schema.startswith("pg_") or schema == "information_schema"


def split(schemas: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(plain names, globs), each without duplicates, in the order given."""
    unique = list(dict.fromkeys(schemas))
    return (
        tuple(s for s in unique if not is_glob(s)),
        tuple(s for s in unique if is_glob(s)),
    )


def like_pattern(glob: str) -> str:
    """The glob as a SQL LIKE pattern (backslash, LIKE's default escape, protects `_` and `%`)."""
    out = []
    for char in glob:
        if char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in "\\_%":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _regex(glob: str) -> re.Pattern[str]:
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob]
    return re.compile("".join(parts), re.DOTALL)


def matches(glob: str, schema: str) -> bool:
    """Whether `schema` matches `glob` exactly as the reader's SQL does (case-sensitive)."""
    return not is_system(schema) and _regex(glob).fullmatch(schema) is not None


def matching(glob: str, schemas: Iterable[str]) -> tuple[str, ...]:
    """The schemas (sorted) that `glob` matches."""
    return tuple(sorted({s for s in schemas if matches(glob, s)}))


def resolve(requested: Sequence[str], available: Iterable[str]) -> tuple[str, ...]:
    """Concrete schema names: plain names as given, then what each glob matches in `available`."""
    names, globs = split(requested)
    pool = tuple(available)
    found = list(names)
    for glob in globs:
        found.extend(s for s in matching(glob, pool) if s not in found)
    return tuple(found)


def stated_schema(spec: TableSpec) -> bool:
    """Whether the spec file states `schema:` (the loader records the key's line)."""
    return "schema" in spec.lines


def spec_globs(specs: SpecSet) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.table.schema for s in specs.specs if is_glob(s.table.schema)))


def unmatched(
    specs: SpecSet, schemas: Sequence[str], live_schemas: Sequence[str]
) -> list[tuple[str, TableSpec | None]]:
    """Globs (from `schemas`, then from specs) that match no live schema, with the spec naming
    each spec glob (None for a `--schema` glob)."""
    _, globs = split(schemas)
    missing: list[tuple[str, TableSpec | None]] = [
        (g, None) for g in globs if not matching(g, live_schemas)
    ]
    seen = set(globs)
    for spec in specs.specs:
        glob = spec.table.schema
        if is_glob(glob) and glob not in seen:
            seen.add(glob)
            if not matching(glob, live_schemas):
                missing.append((glob, spec))
    return missing


def check_matched(
    specs: SpecSet, schemas: Sequence[str], live_schemas: Sequence[str], where: str
) -> None:
    """A UsageError naming every glob that matches no schema of `where`.

    A check that silently applied its specs to no schema at all would pass, so an
    empty match is an error (exit 2), never an empty success.
    """
    problems = []
    for glob, spec in unmatched(specs, schemas, live_schemas):
        origin = (
            f"--schema {glob!r}" if spec is None else f"{spec.where('schema')}: schema {glob!r}"
        )
        problems.append(f"{origin} matches no schema of {where}")
    if problems:
        raise UsageError("\n".join(problems))


def expand(specs: SpecSet, schemas: Sequence[str], live_schemas: Sequence[str]) -> SpecSet:
    """One spec per (template, matched schema); plain specs as they are.

    `schemas` are the requested names and globs (`--schema`), `live_schemas` the schemas
    the catalog holds.  Without any glob (in `schemas` or in a spec), `specs` is returned
    unchanged.  Raises SpecError when two templates of the same rank, or two specs,
    describe the same table.
    """
    _, globs = split(schemas)
    if not globs and not spec_globs(specs):
        return specs
    cli_matched = sorted({s for g in globs for s in matching(g, live_schemas)})
    # Rank: 0 a spec naming its schema, 1 a spec naming a glob, 2 a spec stating no schema.
    chosen: dict[str, tuple[int, TableSpec]] = {}
    order: list[str] = []
    problems: list[tuple[str, int, str]] = []
    for spec in specs.specs:
        schema = spec.table.schema
        if is_glob(schema):
            rank, targets = 1, list(matching(schema, live_schemas))
        elif globs and not stated_schema(spec):
            rank, targets = 2, cli_matched
        else:
            rank, targets = 0, [schema]
        for target in targets:
            copy = spec if rank == 0 else _copy(spec, schema, target)
            name = copy.qualified
            earlier = chosen.get(name)
            if earlier is None:
                chosen[name] = (rank, copy)
                order.append(name)
            elif rank < earlier[0]:
                chosen[name] = (rank, copy)
            elif rank == earlier[0]:
                problems.append(
                    (
                        spec.path,
                        spec.line,
                        f"table {name} is already described by {earlier[1].where()}",
                    )
                )
    if problems:
        raise SpecError(problems)
    return SpecSet(tuple(chosen[name][1] for name in order))


def _copy(spec: TableSpec, template: str, schema: str) -> TableSpec:
    table = spec.table
    fks = table.foreign_keys
    if any(fk.ref_schema == template for fk in fks):
        fks = tuple(_retarget(fk, template, schema) for fk in fks)
    return dataclasses.replace(
        spec, table=dataclasses.replace(table, schema=schema, foreign_keys=fks)
    )


def _retarget(fk: ForeignKey, template: str, schema: str) -> ForeignKey:
    return dataclasses.replace(fk, ref_schema=schema) if fk.ref_schema == template else fk
