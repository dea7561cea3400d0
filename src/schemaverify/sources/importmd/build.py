"""Parsed table sections -> spec mappings (plain dicts in the spec format's key order).

This is where the document's conventions become spec facts: a column is NOT
NULL unless marked nullable; a column's `FK →` mark and its Foreign Keys line
are one foreign key (the line adds the actions); the referenced table is in
schema public unless qualified.  Types, predicates and index keys are checked
with the same normalizer the spec loader uses, so a problem is reported
against the document line that caused it rather than later, by `lint`,
against a generated file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemaverify.model import normalize, typenames
from schemaverify.model.schema import TypeRef
from schemaverify.sources.importmd.document import (
    DocColumn,
    DocForeignKey,
    DocIndex,
    DocTable,
    Problem,
    Reference,
)
from schemaverify.sources.specs.yamlnodes import suggest

CERTAINTY_RANK = {"estimated": 0, "likely": 1, "verified": 2}
DEFAULT_CERTAINTY = "likely"
"""What an unhedged section gets: documented, but nobody checked it against a database."""


@dataclass(frozen=True)
class BuiltSpec:
    qualified: str
    filename: str
    data: dict[str, Any]
    """The spec as plain values, keys in the order they are written."""
    comments: dict[str, str]
    """Top-level key -> a comment written above it (the document's own wording)."""


def spec_filename(table: DocTable) -> str:
    """`<table>.yaml`; `<schema>.<table>.yaml` outside schema public; lower case, as SQL
    folds the unquoted names the document uses (and so no two files differ only in case)."""
    if table.schema and table.schema.lower() != "public":
        return f"{table.schema}.{table.name}.yaml".lower()
    return f"{table.name}.yaml".lower()


def certainty_of(table: DocTable) -> str:
    """The weakest claim the section makes wins: a spec is as sure as its least sure part.

    `Estimated Columns` -> estimated; a `Likely ...` RLS sentence -> likely; both ->
    estimated; neither -> likely.  The importer never writes `verified`: only a
    human who compared the table with a database may say that.
    """
    found = [
        c for c in (table.certainty, "likely" if table.rls and table.rls.likely else None) if c
    ]
    if not found:
        return DEFAULT_CERTAINTY
    return min(found, key=lambda c: CERTAINTY_RANK[c])


def build_spec(table: DocTable, source: str) -> tuple[BuiltSpec, list[Problem]]:
    """The spec of one table and the problems that make it unfaithful to the document."""
    return _Builder(table).build(source)


class _Builder:
    def __init__(self, table: DocTable) -> None:
        self.table = table
        self.problems: list[Problem] = []
        self.columns: dict[str, DocColumn] = {}

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(Problem(line, reason, self.table.qualified))

    def build(self, source: str) -> tuple[BuiltSpec, list[Problem]]:
        table = self.table
        data: dict[str, Any] = {"table": table.name}
        if table.schema:
            data["schema"] = table.schema
        if table.category:
            data["category"] = table.category.name
        data["certainty"] = certainty_of(table)
        data["source"] = f"{source}:{table.line}"
        if table.purpose:
            data["purpose"] = table.purpose
        if table.usage:
            data["usage"] = table.usage
        columns = self._columns()
        if not table.columns and not any(p.key == "columns" for p in table.parts):
            self.problem(
                table.line,
                f"table `{table.qualified}` has no **Estimated Columns** part: nothing to verify",
            )
        data["columns"] = columns
        indexes = [i for i in (self._index(ix) for ix in table.indexes) if i is not None]
        if indexes:
            data["indexes"] = indexes
        foreign_keys = self._foreign_keys()
        if foreign_keys:
            data["foreign_keys"] = foreign_keys
        comments: dict[str, str] = {}
        if table.rls is not None:
            comments["rls"] = f"RLS as documented ({source}:{table.rls.line}): {table.rls.text}"
            if table.rls.enabled:
                data["rls"] = {"access": list(table.rls.access)}
            else:
                data["rls"] = {"enabled": False}
        built = BuiltSpec(table.qualified, spec_filename(table), data, comments)
        return built, self.problems

    # -- columns -----------------------------------------------------------------

    def _columns(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        for col in self.table.columns:
            key = col.name.lower()
            first = self.columns.get(key)
            if first is not None:
                self.problem(
                    col.line, f"column `{col.name}` is listed twice (first at line {first.line})"
                )
                continue
            self.columns[key] = col
            try:
                ref, schema = normalize.parse_qualified_type(col.type)
            except ValueError as err:
                self.problem(col.line, f"column `{col.name}`: cannot read type {col.type!r}: {err}")
            else:
                typo = _typo(ref) if schema is None else ""
                if typo:
                    # A name close to a known one is a typo; any other unknown name may be
                    # the project's own enum or domain, which `check` resolves.
                    self.problem(col.line, f"column `{col.name}`: unknown type {typo}")
            entry: dict[str, Any] = {"name": col.name, "type": col.type}
            if col.primary_key:
                entry["primary_key"] = True
            if col.nullable:
                entry["nullable"] = True
            if col.unique:
                entry["unique"] = True
            if col.default is not None and self._sql(
                col.default, col.line, f"column `{col.name}` default"
            ):
                entry["default"] = col.default
            if col.values:
                entry["values"] = list(col.values)
            if col.note:
                entry["note"] = col.note
            result.append(entry)
        return result

    def _sql(self, text: str, line: int, what: str) -> bool:
        try:
            normalize.expression(text, strict=True)
        except ValueError as err:
            self.problem(line, f"{what}: cannot parse SQL {text!r}: {err}")
            return False
        return True

    def _known(self, name: str, line: int, what: str) -> bool:
        if name.lower() in self.columns:
            return True
        if name.lower() in (c.lower() for c in self.table.unreadable_columns):
            return False  # its line is already reported; say nothing more about it
        self.problem(
            line,
            f"{what} names column `{name}`, which table `{self.table.qualified}` does not list",
        )
        return False

    # -- indexes -------------------------------------------------------------------

    def _index(self, index: DocIndex) -> dict[str, Any] | None:
        if index.primary_key:
            if not any(c.primary_key for c in self.table.columns):
                self.problem(
                    index.line,
                    "'Primary key index' but no column is marked PRIMARY KEY",
                )
                return None
            entry: dict[str, Any] = {"primary_key": True}
            if index.note:
                entry["note"] = index.note
            return entry
        ok = True
        for key in index.keys:
            try:
                parsed = normalize.index_key(key)
            except ValueError as err:
                self.problem(index.line, f"index key {key!r}: {err}")
                ok = False
                continue
            if not parsed.is_expression and not self._known(parsed.expression, index.line, "index"):
                ok = False
        if index.where is not None and not self._sql(index.where, index.line, "index predicate"):
            ok = False
        if not ok:
            return None
        entry = {"columns": list(index.keys)}
        if index.unique:
            entry["unique"] = True
        if index.method:
            entry["method"] = index.method
        if index.where is not None:
            entry["where"] = index.where
        elif index.partial:
            entry["partial"] = True
        if index.note:
            entry["note"] = index.note
        return entry

    # -- foreign keys ------------------------------------------------------------------

    def _foreign_keys(self) -> list[dict[str, Any]]:
        """The Foreign Keys lines, merged with the columns' marks; then marks without a line."""
        marks = {c.name.lower(): c for c in self.table.columns if c.reference is not None}
        lines: dict[tuple[str, ...], DocForeignKey] = {}
        result: list[dict[str, Any]] = []
        for fk in self.table.foreign_keys:
            cols = tuple(c.lower() for c in fk.columns)
            earlier = lines.get(cols)
            if earlier is not None:
                self.problem(
                    fk.line,
                    f"foreign key on ({', '.join(fk.columns)}) is stated twice "
                    f"(first at line {earlier.line})",
                )
                continue
            lines[cols] = fk
            if not all([self._known(c, fk.line, "foreign key") for c in fk.columns]):
                continue
            mark = marks.get(cols[0]) if len(cols) == 1 else None
            if (
                mark is not None
                and mark.reference is not None
                and not same_target(mark.reference, fk.target)
            ):
                self.problem(
                    fk.line,
                    f"foreign key on `{fk.columns[0]}` references `{fk.target}` but the "
                    f"column's FK mark (line {mark.line}) says `{mark.reference}`",
                )
                continue
            result.append(self._fk_entry(fk.columns, fk.target, fk.on_delete, fk.on_update))
        for col in self.table.columns:
            if col.reference is not None and (col.name.lower(),) not in lines:
                result.append(self._fk_entry((col.name,), col.reference, None, None))
        return result

    def _fk_entry(
        self,
        columns: tuple[str, ...],
        target: Reference,
        on_delete: str | None,
        on_update: str | None,
    ) -> dict[str, Any]:
        schema = target.schema
        if schema is None and self.table.schema and self.table.schema.lower() != "public":
            # Unqualified targets are in public by the document's convention; the spec
            # would read them in its own schema, so say it.
            schema = "public"
        table = f"{schema}.{target.table}" if schema else target.table
        entry: dict[str, Any] = {
            "columns": list(columns),
            "references": {"table": table, "columns": list(target.columns)},
        }
        if on_delete:
            entry["on_delete"] = on_delete
        if on_update:
            entry["on_update"] = on_update
        return entry


def same_target(a: Reference, b: Reference) -> bool:
    """Equal after folding case and reading an unqualified table as public."""
    return (
        (a.schema or "public").lower() == (b.schema or "public").lower()
        and a.table.lower() == b.table.lower()
        and tuple(c.lower() for c in a.columns) == tuple(c.lower() for c in b.columns)
    )


def _typo(ref: TypeRef) -> str:
    """`'timestampz' (did you mean 'timestamptz'?)` for an unknown name close to a known
    one, else ''."""
    if typenames.is_known(ref):
        return ""
    hint = suggest(ref.name, typenames.spellings())
    return f"{ref.name!r}{hint}" if hint else ""
