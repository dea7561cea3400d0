"""Turn the rows of the catalog queries (sql/*.sql) into `model.Table`s.

Rows are consumed one result set at a time, in `QUERIES` order, so the reader
can build from one result while the server computes the next.  Work per row
is kept to a tuple unpack, a few dict look-ups and a dataclass: this runs for
every column and index of a 10,000-table database.

Everything is normalized here, once, as the model requires: types through
`normalize.parse_type`, expressions through `normalize.expression`, FK
actions through `normalize.fk_action`, each cached per distinct text (a big
schema repeats the same few) or per shape (texts that differ in their literals and
relation names, see shapes.py).  Expressions of the relations the caller does not
need normalized (a check's undocumented tables) are kept as printed: the table is
`verbatim`.  Output is sorted (tables by qualified name,
indexes, constraints and policies by name) so snapshots diff cleanly.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from schemaverify.model import normalize
from schemaverify.model.schema import (
    CheckConstraint,
    Column,
    ForeignKey,
    Function,
    Grant,
    Index,
    IndexKey,
    Partition,
    Policy,
    PrimaryKey,
    Rls,
    Role,
    Table,
    TypeRef,
    UniqueConstraint,
    UserType,
)

QUERIES = (
    "relations",
    "columns",
    "indexes",
    "constraints",
    "policies",
    "privileges",
    "roles",
    "functions",
    "types",
)
"""The catalog queries, in the order their results must be added."""

Row = tuple[Any, ...]

_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}
_POLICY_COMMANDS = {"*": "all", "r": "select", "a": "insert", "w": "update", "d": "delete"}
_IDENTITY = {"a": "always", "d": "by default"}
# Stored, and virtual (PostgreSQL 18).  Looked up because an empty "char"
# arrives as NUL in binary results, not as "".
_GENERATED = {"s": "stored", "v": "virtual"}
_TYPE_KINDS = {
    "b": "base",
    "c": "composite",
    "d": "domain",
    "e": "enum",
    "m": "multirange",
    "r": "range",
}
_INDOPTION_DESC = 1


class CatalogBuilder:
    """Accumulates query results per relation oid; `tables()` assembles the model.

    `normalized(schema, name)` says which relations need their expressions normalized
    (None: all); the others are built `verbatim` (model.Table), their texts kept as
    PostgreSQL printed them.
    """

    def __init__(self, normalized: Callable[[str, str], bool] | None = None) -> None:
        self._norm = _Normalizer()
        self._wanted = normalized
        self._verbatim: set[int] = set()
        """Relations whose expressions are kept as printed."""
        self._relations: list[Row] = []
        self._partitions: list[Partition] = []
        self._schemas: set[str] = set()
        self._columns: defaultdict[int, list[Column]] = defaultdict(list)
        self._attnames: defaultdict[int, dict[int, str]] = defaultdict(dict)
        self._indexes: defaultdict[int, list[Index]] = defaultdict(list)
        self._pkeys: dict[int, PrimaryKey] = {}
        self._nulls_not_distinct: set[tuple[int, str]] = set()
        """(relation, constraint) of unique constraints whose index is NULLS NOT DISTINCT."""
        self._not_validated: defaultdict[int, set[str]] = defaultdict(set)
        """Columns whose NOT NULL is NOT VALID, per relation."""
        self._uniques: defaultdict[int, list[UniqueConstraint]] = defaultdict(list)
        self._fkeys: defaultdict[int, list[ForeignKey]] = defaultdict(list)
        self._checks: defaultdict[int, list[CheckConstraint]] = defaultdict(list)
        self._policies: defaultdict[int, list[Policy]] = defaultdict(list)
        self._owners: dict[int, str] = {}
        self._grants: defaultdict[int, list[Grant]] = defaultdict(list)
        self._invokers: set[int] = set()
        self._roles: tuple[Role, ...] = ()
        self._functions: tuple[Function, ...] = ()
        self._types: tuple[UserType, ...] = ()
        self._steps: dict[str, Callable[[list[Row]], None]] = {
            "relations": self._add_relations,
            "columns": self._add_columns,
            "indexes": self._add_indexes,
            "constraints": self._add_constraints,
            "policies": self._add_policies,
            "privileges": self._add_privileges,
            "roles": self._add_roles,
            "functions": self._add_functions,
            "types": self._add_types,
        }
        self._added: list[str] = []

    def add(self, query: str, rows: list[Row]) -> None:
        """Consume the result of one query; columns must come before indexes and constraints."""
        expected = QUERIES[len(self._added)] if len(self._added) < len(QUERIES) else None
        if query != expected:
            raise ValueError(f"catalog query {query!r} added out of order (expected {expected!r})")
        self._steps[query](rows)
        self._added.append(query)

    def schemas(self) -> tuple[str, ...]:
        """Every schema the relations query returned, empty ones included, sorted."""
        return tuple(sorted(self._schemas))

    def tables(self) -> tuple[Table, ...]:
        if len(self._added) != len(QUERIES):
            raise ValueError(f"catalog incomplete: only {', '.join(self._added) or 'nothing'} read")
        no_rls = Rls(enabled=False, forced=False)
        tables = [
            Table(
                schema=schema,
                name=name,
                columns=self._table_columns(relid),
                primary_key=self._pkeys.get(relid),
                uniques=_sorted(self._uniques.get(relid)),
                indexes=_sorted(self._indexes.get(relid)),
                foreign_keys=_sorted(self._fkeys.get(relid)),
                rls=Rls(
                    enabled=enabled,
                    forced=forced,
                    policies=_sorted(self._policies.get(relid)),
                )
                if enabled or forced or relid in self._policies
                else no_rls,
                kind=_KINDS[relkind],
                owner=self._owners.get(relid),
                grants=tuple(self._grants.get(relid, ())),
                security_invoker=relid in self._invokers,
                reads=tuple(reads or ()),
                checks=tuple(sorted(self._checks.get(relid, ()), key=_check_name)),
                comment=comment,
                verbatim=relid in self._verbatim,
            )
            for relid, schema, name, relkind, enabled, forced, _skip, _parent, reads, comment in (
                self._relations
            )
        ]
        tables.sort(key=_qualified)
        return tuple(tables)

    def partitions(self) -> tuple[Partition, ...]:
        return tuple(sorted(self._partitions, key=_qualified_partition))

    def _table_columns(self, relid: int) -> tuple[Column, ...]:
        columns = self._columns.get(relid, ())
        unvalidated = self._not_validated.get(relid)
        if not unvalidated:
            return tuple(columns)
        return tuple(
            [
                dataclasses.replace(c, not_null_validated=False) if c.name in unvalidated else c
                for c in columns
            ]
        )

    # --- one method per query; each documents its row layout --------------------

    def _add_relations(self, rows: list[Row]) -> None:
        # oid, schema, name, relkind, relrowsecurity, relforcerowsecurity, skipped (a
        # partition the read leaves out), parent (of a partition), reads (of a view: the
        # relations its query reads); the oid (and everything
        # but the schema) is NULL for a schema without relations
        self._schemas = {row[1] for row in rows}
        wanted = self._wanted
        if wanted is not None:
            self._verbatim = {
                row[0] for row in rows if row[0] is not None and not wanted(row[1], row[2])
            }
        # Policies and predicates name their own table, its parent, its schema: texts that
        # differ only there share one parse (normalize.expression, shapes.py).
        self._norm.names = frozenset(
            {row[2] for row in rows if row[2] is not None}
            | (self._schemas - normalize.PATH_SCHEMAS)
        ).__contains__
        self._relations = [row for row in rows if row[0] is not None and not row[6]]
        self._partitions = [
            Partition(row[1], row[2], row[7] or "") for row in rows if row[0] is not None and row[6]
        ]

    def _add_columns(self, rows: list[Row]) -> None:
        # attrelid, attnum, attname, format_type, attnotnull, default, attidentity, attgenerated,
        # comment
        norm = self._norm
        columns = self._columns
        attnames = self._attnames
        # Identical columns (`id uuid`, `created_at timestamptz DEFAULT now()`)
        # recur across tables; model objects are immutable, so they are shared.
        shared: dict[tuple[bool, Row], Column] = {}
        verbatim = self._verbatim
        for row in rows:
            relid = row[0]
            attnames[relid][row[1]] = row[2]
            key = (relid in verbatim, row[2:])
            column = shared.get(key)
            if column is None:
                name, type_text, notnull, default, identity, generated, comment = key[1]
                expr = default if default is None or key[0] else norm.expression(default)
                generated_kind = _GENERATED.get(generated)
                column = shared[key] = Column(
                    name=name,
                    type=norm.type(type_text),
                    nullable=not notnull,
                    default=None if generated_kind else expr,
                    identity=_IDENTITY.get(identity),
                    generated=expr if generated_kind else None,
                    generated_kind=generated_kind,
                    comment=comment,
                )
            columns[relid].append(column)

    def _add_indexes(self, rows: list[Row]) -> None:
        # indrelid, name, amname, indisunique, indisprimary, indnkeyatts,
        # indkey (attnums, 0 = expression), indoption, expression texts or NULL,
        # predicate, backed constraint, indnullsnotdistinct
        norm = self._norm
        attnames = self._attnames
        indexes = self._indexes
        verbatim = self._verbatim
        for row in rows:
            relid, name, method, unique, primary, nkeys, attnums, options, exprs, pred, con, nnd = (
                row
            )
            names = attnames[relid]
            raw = relid in verbatim
            if raw:
                keys = tuple(
                    [
                        IndexKey(
                            names[attnums[i]] if attnums[i] else exprs[i],
                            bool(options[i] & _INDOPTION_DESC),
                            attnums[i] == 0,
                        )
                        for i in range(nkeys)
                    ]
                )
            elif exprs is None and not any(options):
                keys = norm.plain_keys(tuple([names[a] for a in attnums[:nkeys]]))
            else:
                keys = tuple(
                    [
                        norm.index_key(
                            names[attnums[i]] if attnums[i] else exprs[i],
                            attnums[i] == 0,
                            bool(options[i] & _INDOPTION_DESC),
                        )
                        for i in range(nkeys)
                    ]
                )
            indexes[relid].append(
                Index(
                    keys=keys,
                    name=name,
                    unique=unique,
                    method=method,
                    predicate=None if pred is None else pred if raw else norm.expression(pred),
                    primary=primary,
                    constraint=con,
                    include=tuple([names[a] for a in attnums[nkeys:]]),
                    nulls_not_distinct=nnd,
                )
            )
            if nnd and con is not None:
                self._nulls_not_distinct.add((relid, con))

    def _add_constraints(self, rows: list[Row]) -> None:
        # conrelid, name, contype, conkey (attnums), referenced schema, table and
        # column names (foreign keys only), confdeltype, confupdtype, conenforced,
        # conperiod (WITHOUT OVERLAPS of a key, PERIOD of a foreign key), the expression of
        # a check, convalidated
        norm = self._norm
        attnames = self._attnames
        for row in rows:
            relid, name, contype, attnums, ref_schema, ref_table, ref_cols = row[:7]
            on_del, on_upd, enforced, period, check_expr, validated = row[7:]
            names = attnames[relid]
            cols = tuple([names[a] for a in attnums or ()])
            if contype == "p":
                self._pkeys[relid] = PrimaryKey(cols, name, without_overlaps=period)
            elif contype == "u":
                self._uniques[relid].append(
                    UniqueConstraint(
                        cols,
                        name,
                        without_overlaps=period,
                        nulls_not_distinct=(relid, name) in self._nulls_not_distinct,
                    )
                )
            elif contype == "n":  # only NOT VALID ones are read
                self._not_validated[relid].update(cols)
            elif contype == "c":
                if check_expr is not None:  # NULL only for a relation dropped meanwhile
                    self._checks[relid].append(
                        CheckConstraint(name, check_expr, cols, enforced, validated)
                    )
            else:
                self._fkeys[relid].append(
                    ForeignKey(
                        columns=cols,
                        ref_schema=ref_schema,
                        ref_table=ref_table,
                        ref_columns=tuple(ref_cols),
                        on_delete=norm.fk_action(on_del),
                        on_update=norm.fk_action(on_upd),
                        name=name,
                        enforced=enforced,
                        period=period,
                    )
                )

    def _add_policies(self, rows: list[Row]) -> None:
        # polrelid, name, polcmd, polpermissive, role names ('public' for 0), USING, WITH CHECK
        expression = self._norm.expression
        policies = self._policies
        verbatim = self._verbatim
        for relid, name, command, permissive, roles, using, check in rows:
            if relid not in verbatim:
                using = None if using is None else expression(using)
                check = None if check is None else expression(check)
            policies[relid].append(
                Policy(
                    name=name,
                    command=_POLICY_COMMANDS[command],
                    roles=tuple(sorted(roles)),
                    permissive=permissive,
                    using=using,
                    with_check=check,
                )
            )

    def _add_privileges(self, rows: list[Row]) -> None:
        # oid, owner, reloptions (text[] or NULL), grantee ('public' for PUBLIC; NULL when
        # nothing is granted), privileges (lower-case, sorted)
        owners = self._owners
        grants = self._grants
        shared: dict[tuple[str, tuple[str, ...]], Grant] = {}
        for relid, owner, options, grantee, privileges in rows:
            if relid not in owners:
                owners[relid] = owner
                if options and _security_invoker(options):
                    self._invokers.add(relid)
            if grantee is None:
                continue
            key = (grantee, tuple(privileges))
            grant = shared.get(key)
            if grant is None:
                grant = shared[key] = Grant(grantee, key[1])
            grants[relid].append(grant)
        for found in grants.values():
            if len(found) > 1:
                found.sort(key=_grantee)

    def _add_roles(self, rows: list[Row]) -> None:
        # rolname, rolsuper, rolbypassrls, names of the roles it is a member of, the read
        # schemas it may use
        roles = [
            Role(name, superuser, bypassrls, tuple(member_of), tuple(usage))
            for name, superuser, bypassrls, member_of, usage in rows
        ]
        roles.sort(key=_role_name)
        self._roles = tuple(roles)

    def _add_functions(self, rows: list[Row]) -> None:
        # schema, name, identity arguments, result, prosecdef, search_path setting or NULL,
        # owner, roles holding EXECUTE
        functions = [
            Function(
                schema=schema,
                name=name,
                arguments=arguments or "",
                returns=returns or "",
                security_definer=definer,
                search_path=search_path,
                owner=owner,
                grants=tuple(Grant(role, ("execute",)) for role in executors),
            )
            for schema, name, arguments, returns, definer, search_path, owner, executors in rows
        ]
        functions.sort(key=_function_key)
        self._functions = tuple(functions)

    def _add_types(self, rows: list[Row]) -> None:
        self._types = tuple(
            UserType(schema, name, _TYPE_KINDS[kind], tuple(labels or ()))
            for schema, name, kind, labels in rows
            if kind in _TYPE_KINDS
        )

    def roles(self) -> tuple[Role, ...]:
        return self._roles

    def types(self) -> tuple[UserType, ...]:
        return self._types

    def functions(self) -> tuple[Function, ...]:
        return self._functions


def _security_invoker(options: list[str]) -> bool:
    """Whether reloptions turn security_invoker on.  PostgreSQL keeps the boolean as it was
    written (`WITH (security_invoker)` is stored as `=true`, `= on` as `=on`) and accepts
    `on`, `1` and any prefix of `true` or `yes`."""
    for option in options:
        key, _, value = option.partition("=")
        if key.strip().lower() == "security_invoker":
            word = value.strip().lower()
            return word in ("on", "1") or (
                bool(word) and ("true".startswith(word) or "yes".startswith(word))
            )
    return False


def _grantee(grant: Grant) -> str:
    return grant.grantee


def _role_name(role: Role) -> str:
    return role.name


def _function_key(function: Function) -> tuple[str, str, str]:
    return (function.schema, function.name, function.arguments)


_Named = TypeVar("_Named", UniqueConstraint, Index, ForeignKey, Policy)


def _sorted(objects: list[_Named] | None) -> tuple[_Named, ...]:
    """By name: unique per table (per schema for indexes)."""
    if not objects:
        return ()
    if len(objects) > 1:
        objects.sort(key=_name)
    return tuple(objects)


def _name(obj: UniqueConstraint | Index | ForeignKey | Policy) -> str:
    return obj.name or ""


def _qualified(table: Table) -> str:
    return table.qualified


def _qualified_partition(partition: Partition) -> str:
    return partition.qualified


# A sequence default differs per table only by the sequence name inside a
# regclass literal; the literal's text cannot change how the rest normalizes
# (the cast is dropped, the text kept verbatim), so one parse serves them all.
_REGCLASS_LITERAL = re.compile(r"'([^'\\]*)'::regclass")
_PLACEHOLDER = "__schemaverify_regclass_{}__"


class _Normalizer:
    """normalize.* with a cache per distinct text."""

    def __init__(self) -> None:
        self._types: dict[str, TypeRef] = {}
        self._expressions: dict[str, str] = {}
        self._expression_keys: dict[str, IndexKey] = {}
        self._column_keys: dict[tuple[str, bool], IndexKey] = {}
        self._plain_keys: dict[tuple[str, ...], tuple[IndexKey, ...]] = {}
        self._actions: dict[str, str] = {}
        self.names: Callable[[str], bool] | None = None
        """The names texts may differ in and still share a shape: the catalog's relations
        and schemas."""

    def type(self, text: str) -> TypeRef:
        ref = self._types.get(text)
        if ref is None:
            try:
                ref = normalize.parse_type(text)
            except ValueError:  # format_type output should always parse; never stop a run
                ref = TypeRef(text)
            self._types[text] = ref
        return ref

    def expression(self, text: str) -> str:
        result = self._expressions.get(text)
        if result is None:
            result = self._templated(text)
            if result is None:
                result = normalize.expression(text, strict=False, names=self.names)
            self._expressions[text] = result
        return result

    def _templated(self, text: str) -> str | None:
        literals = _REGCLASS_LITERAL.findall(text)
        if not literals or "__schemaverify_regclass_" in text:
            return None
        counter = iter(range(len(literals)))
        template = _REGCLASS_LITERAL.sub(
            lambda _m: f"'{_PLACEHOLDER.format(next(counter))}'::regclass", text
        )
        result = self._expressions.get(template)
        if result is None:
            result = normalize.expression(template, strict=False)
            self._expressions[template] = result
        for i, literal in enumerate(literals):
            marker = f"'{_PLACEHOLDER.format(i)}'"
            if result.count(marker) != 1:
                return None
            result = result.replace(marker, f"'{normalize.unqualified_object_name(literal)}'")
        return result

    def fk_action(self, code: str) -> str:
        action = self._actions.get(code)
        if action is None:
            action = self._actions[code] = normalize.fk_action(code)
        return action

    def plain_keys(self, names: tuple[str, ...]) -> tuple[IndexKey, ...]:
        """Keys of an index on plain ascending columns, the common case, shared."""
        keys = self._plain_keys.get(names)
        if keys is None:
            keys = self._plain_keys[names] = tuple(
                [self.index_key(name, False, False) for name in names]
            )
        return keys

    def index_key(self, text: str, is_expression: bool, descending: bool) -> IndexKey:
        if not is_expression:
            plain = self._column_keys.get((text, descending))
            if plain is None:
                plain = self._column_keys[text, descending] = IndexKey(text, descending)
            return plain
        key = self._expression_keys.get(text)
        if key is None:
            # The spec side reads `(expr)` with normalize.index_key; doing the
            # same here makes both agree, e.g. on `(email)` being a plain column.
            try:
                key = normalize.index_key(f"({text})")
            except ValueError:
                key = IndexKey(normalize.expression(text, strict=False), is_expression=True)
            self._expression_keys[text] = key
        return dataclasses.replace(key, descending=descending) if descending else key


def _check_name(check: CheckConstraint) -> str:
    return check.name
