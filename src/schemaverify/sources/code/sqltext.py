"""The tables, and their columns, that SQL text written in code reads and writes.

Code passes SQL to the database as strings (`cursor.execute("...")`, `sql\\`...\\``,
`text("...")`, a `.sql` file of queries); sqlglot's PostgreSQL parser reads each one, and
this module walks the tree scope by scope, as PostgreSQL resolves names, to say what each
statement does to each table it names.

Attribution is literal, never guessed: a column belongs to a table when it is qualified
by the table's name or alias, or when it is unqualified and exactly one table is in scope
at that query level.  Anything else (two tables joined, a CTE or a subquery as the source)
names no column of any table, because the scanner cannot know which table has it.

Host scanners replace each interpolation of their string (`${x}`, an f-string's `{x}`) by
a parameter numbered from `FIRST_INTERPOLATION` (`$1001`, `$1002`, ...), so the text
parses and an interpolation can be told from a real bind parameter (`$1`, `%s`): one where
a table name must be leaves the table unresolved; one where a column name may be marks the
table's column list `partial`.
"""

from __future__ import annotations

import bisect
import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres

from schemaverify.model.normalize import too_deep
from schemaverify.model.usage import CodeReference

__all__ = [
    "FIRST_INTERPOLATION",
    "PARAM",
    "SqlTarget",
    "placeholder",
    "sql_targets",
]

PARAM = "$"
"""Prefix of the stand-in parameters host scanners put in place of interpolations."""

FIRST_INTERPOLATION = 1001
"""Number of the first interpolation's stand-in (`$1001`): far above any real bind
parameter, so the two never mix."""

# sqlglot logs a warning for every statement it can only keep as an opaque Command
# (EXPLAIN, LISTEN, ...): code is full of them and they are not problems here.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_DIALECT = Postgres()

_CACHE_LIMIT = 65_536
"""Texts longer than this are not kept in the cache: code repeats short queries, and a
huge one-off statement (a seed INSERT) must not stay in memory."""

_PSEUDO_COLUMNS = frozenset({"user", "current_role", "current_user", "session_user", "default"})
"""Unquoted words PostgreSQL reads as functions without parentheses, or as keywords
(`SET status = DEFAULT`), which sqlglot leaves as columns."""


@dataclass(frozen=True)
class SqlTarget:
    operation: str
    """select | insert | upsert | update | delete | merge: what the statement does to THIS
    table (a table read in the FROM of an INSERT ... SELECT is `select`); an INSERT ... ON
    CONFLICT ... DO UPDATE is `upsert`, as it needs both privileges."""
    name: str | None
    schema: str | None
    columns: tuple[str, ...]
    all_columns: bool
    partial: bool
    unresolved: str | None
    line: int
    """1-based line of the table's (qualified) name within the text."""
    column: int
    """1-based column of it."""

    def reference(
        self, path: str, line: int, column: int, unresolved: str | None = None
    ) -> CodeReference:
        """This target as a code reference at `line`:`column` of the file (the host
        scanner knows where the text sits); `unresolved` may say more than the SQL can."""
        return CodeReference(
            path=path,
            line=line,
            column=column,
            via="sql",
            operation=self.operation,
            name=self.name,
            schema=self.schema,
            columns=self.columns,
            all_columns=self.all_columns,
            partial=self.partial,
            unresolved=unresolved if unresolved is not None else self.unresolved,
        )


def unparsed(path: str, line: int, column: int, operation: str, problem: str) -> CodeReference:
    """The reference of SQL that does not parse: the code reaches the database, but what
    it names cannot be said."""
    return CodeReference(
        path=path,
        line=line,
        column=column,
        via="sql",
        operation=operation,
        name=None,
        unresolved=f"SQL does not parse: {problem}",
    )


def placeholder(index: int) -> str:
    """The stand-in for a host string's `index`-th (0-based) interpolation."""
    return f"{PARAM}{FIRST_INTERPOLATION + index}"


def sql_targets(text: str) -> tuple[tuple[SqlTarget, ...], str | None]:
    """What each statement of `text` does to each table, in order of position; or no
    target and a one-line reason when the text does not parse.  Never raises."""
    if len(text) > _CACHE_LIMIT:
        return _read(text)
    return _cached(text)


@functools.lru_cache(maxsize=4096)
def _cached(text: str) -> tuple[tuple[SqlTarget, ...], str | None]:
    return _read(text)


def _read(text: str) -> tuple[tuple[SqlTarget, ...], str | None]:
    if too_deep(text):  # before sqlglot: its compiled build can crash on such text
        return (), "SQL is nested too deeply"
    try:
        return _Reader(text).read(), None
    except RecursionError:
        return (), "SQL is nested too deeply"
    except sqlglot.errors.ParseError as err:
        return (), _parse_reason(err)
    except sqlglot.errors.TokenError:
        return (), "unterminated string, quoted name or comment"
    except Exception as err:  # sqlglot internals on hostile text: never stop a scan
        return (), f"cannot read SQL ({type(err).__name__})"


def _parse_reason(err: sqlglot.errors.ParseError) -> str:
    """sqlglot's message, without its token dumps, on one line."""
    details = getattr(err, "errors", None) or []
    if details and isinstance(details[0], dict):
        first = details[0]
        description = str(first.get("description") or "invalid SQL")
        cut = description.find(" <Token ")
        if cut >= 0:
            highlight = str(first.get("highlight") or "")
            description = description[:cut] + (f" {highlight!r}" if highlight else "")
        if description.startswith("Required keyword: 'this' missing"):
            description = "incomplete expression"
        line, col = first.get("line"), first.get("col")
        highlight = str(first.get("highlight") or "")
        if isinstance(col, int) and highlight and "\n" not in highlight:
            col = max(col - len(highlight) + 1, 1)  # sqlglot gives the token's last column
        if line and col:
            description = f"{description} (line {line}, column {col})"
        return " ".join(description.split())[:200]
    lines = str(err).strip().splitlines()
    return (lines[0] if lines else "invalid SQL")[:200]


def _fold(identifier: exp.Identifier) -> str:
    """The name as PostgreSQL stores it: quoted names keep their case, others fold."""
    name = str(identifier.this)
    return name if identifier.quoted else name.lower()


def _alias(node: exp.Expression) -> str | None:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias) and isinstance(alias.this, exp.Identifier):
        return _fold(alias.this)
    return None


def _interpolated(name: str) -> bool:
    """The name holds a stand-in of an interpolation (`orders_$1001`, `"$1002"`)."""
    start = name.find(PARAM)
    while start >= 0:
        end = start + 1
        while end < len(name) and name[end].isdigit():
            end += 1
        if end - start > 1 and int(name[start + 1 : end]) >= FIRST_INTERPOLATION:
            return True
        start = name.find(PARAM, end)
    return False


def _is_interpolation(node: exp.Expression) -> bool:
    if not isinstance(node, exp.Parameter):
        return False
    inner = node.this
    text = str(inner.this) if isinstance(inner, exp.Literal) else str(inner)
    return text.isdigit() and int(text) >= FIRST_INTERPOLATION


def _offset(node: Any) -> int | None:
    """Character offset of a node's first token, when sqlglot kept it."""
    if isinstance(node, exp.Parameter):
        inner = node.this
        start = _offset(inner)
        return None if start is None else max(start - 1, 0)
    meta = getattr(node, "_meta", None)
    if meta and "start" in meta:
        return int(meta["start"])
    return None


def _arg(node: exp.Expression, name: str) -> Any:
    """An argument under its sqlglot 30 name (`from_`, `with_`) or the older one."""
    args = node.args
    value = args.get(name + "_")
    return args.get(name) if value is None else value


def _items(value: Any) -> Iterator[exp.Expression]:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, exp.Expression):
                yield item
    elif isinstance(value, exp.Expression):
        yield value


@dataclass
class _Target:
    operation: str
    name: str | None
    schema: str | None
    unresolved: str | None
    offset: int
    columns: dict[str, int] = field(default_factory=dict)
    all_columns: bool = False
    partial: bool = False

    def add(self, name: str, offset: int | None) -> None:
        where = offset if offset is not None else 1 << 60
        if name not in self.columns or where < self.columns[name]:
            self.columns[name] = where


@dataclass
class _Source:
    """One item of a FROM list as column references see it."""

    alias: str | None
    target: _Target | None
    """None for a CTE, a subquery or a function: its columns are no table's."""
    attribute: bool = True
    """False when the alias renames the columns (`t AS x(a, b)`)."""
    name: str | None = None
    schema: str | None = None
    aliased: bool = False


@dataclass
class _Scope:
    sources: list[_Source]
    parent: _Scope | None
    ctes: frozenset[str]

    def chain(self) -> Iterator[_Scope]:
        scope: _Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent

    def level(self) -> list[_Source]:
        """The sources an unqualified name resolves against: the nearest level that has
        any (a scalar subquery without FROM sees its outer query's)."""
        for scope in self.chain():
            if scope.sources:
                return scope.sources
        return []

    def find(self, qualifier: str, schema: str | None) -> _Source | None:
        for scope in self.chain():
            for source in scope.sources:
                if schema is None and source.alias == qualifier:
                    return source
                if (
                    schema is not None
                    and not source.aliased
                    and source.name == qualifier
                    and source.schema == schema
                ):
                    return source
        return None


_QUERIES = (exp.Select, exp.SetOperation, exp.Insert, exp.Update, exp.Delete, exp.Merge)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.targets: list[SqlTarget] = []
        self._line_starts: list[int] | None = None

    def read(self) -> tuple[SqlTarget, ...]:
        tokens = _DIALECT.tokenize(self.text)
        parser = _DIALECT.parser()
        chunk: list[Any] = []
        for token in [*tokens, None]:
            if token is not None and token.token_type.name != "SEMICOLON":
                chunk.append(token)
                continue
            if chunk:
                start = int(chunk[0].start)
                for tree in parser.parse(chunk, self.text):
                    if tree is not None:
                        statement = _Statement(start)
                        statement.statement(tree, frozenset(), None)
                        self.targets.extend(self._finish(statement.targets))
            chunk = []
        return tuple(self.targets)

    def _finish(self, targets: Iterable[_Target]) -> Iterator[SqlTarget]:
        for target in sorted(targets, key=lambda t: t.offset):
            line, column = self._place(target.offset)
            columns = sorted(target.columns.items(), key=lambda item: item[1])
            yield SqlTarget(
                operation=target.operation,
                name=target.name,
                schema=target.schema,
                columns=tuple(name for name, _ in columns),
                all_columns=target.all_columns,
                partial=target.partial,
                unresolved=target.unresolved,
                line=line,
                column=column,
            )

    def _place(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            text = self.text
            at = text.find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = text.find("\n", at + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


class _Statement:
    """One statement's walk: its targets, merged by operation and table."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.by_key: dict[tuple[str, str | None, str], _Target] = {}
        self.targets: list[_Target] = []

    # -- targets -------------------------------------------------------------------------

    def target(
        self,
        operation: str,
        name: str | None,
        schema: str | None,
        unresolved: str | None,
        offset: int | None,
    ) -> _Target:
        where = self.start if offset is None else offset
        if name is None or unresolved is not None:
            fresh = _Target(operation, None, None, unresolved, where)
            self.targets.append(fresh)
            return fresh
        key = (operation, schema, name)
        found = self.by_key.get(key)
        if found is None:
            found = _Target(operation, name, schema, None, where)
            self.by_key[key] = found
            self.targets.append(found)
        elif where < found.offset:
            found.offset = where
        return found

    def table(self, node: exp.Table, operation: str, scope: _Scope) -> _Source:
        """The source a Table node in a FROM list (or a DML target) stands for."""
        this = node.this
        db = node.args.get("db")
        alias_node = node.args.get("alias")
        alias: str | None = None
        renamed = False
        if isinstance(alias_node, exp.TableAlias):
            alias_id = alias_node.this
            if isinstance(alias_id, exp.Identifier):
                alias = _fold(alias_id)
            renamed = bool(alias_node.args.get("columns"))
        name: str | None = None
        schema: str | None = None
        unresolved: str | None = None
        if isinstance(this, exp.Identifier):
            name = _fold(this)
            if _interpolated(name):
                name, unresolved = None, "table name from an interpolation"
            elif db is None and name in scope.ctes:
                return _Source(alias or name, None)
        elif isinstance(this, (exp.Parameter, exp.Placeholder)):
            unresolved = (
                "table name from an interpolation"
                if _is_interpolation(this) or isinstance(this, exp.Placeholder)
                else "table name from a parameter"
            )
        else:  # a function in FROM (generate_series, unnest, json_to_recordset, ...)
            self.walk(this, scope)
            return _Source(alias, None)
        if isinstance(db, exp.Identifier):
            schema = _fold(db)
            if _interpolated(schema):
                unresolved = unresolved or "schema name from an interpolation"
        elif db is not None:
            unresolved = unresolved or "schema name from an interpolation"
        if unresolved is not None:
            name = schema = None
        offset = _offset(db) if db is not None else None
        if offset is None:
            offset = _offset(this)
        found = self.target(operation, name, schema, unresolved, offset)
        return _Source(
            alias or name,
            found,
            attribute=not renamed,
            name=name,
            schema=schema,
            aliased=alias is not None,
        )

    # -- statements and queries ----------------------------------------------------------

    def statement(self, node: Any, ctes: frozenset[str], parent: _Scope | None) -> None:
        if isinstance(node, exp.Subquery):
            inner = node.this
            if isinstance(inner, exp.Table):  # (a JOIN b) at the top: not a statement
                return
            self.statement(inner, ctes, parent)
            return
        if isinstance(node, exp.Select):
            self.select(node, ctes, parent)
        elif isinstance(node, exp.SetOperation):
            ctes = self.with_(node, ctes, parent)
            scope = _Scope([], parent, ctes)
            self.statement(node.this, ctes, parent)
            self.statement(node.expression, ctes, parent)
            for key, value in node.args.items():
                if key not in ("this", "expression", "with", "with_"):
                    for item in _items(value):
                        # ORDER BY of a UNION names output columns, no table's
                        self.walk(item, scope, names=False)
        elif isinstance(node, exp.Insert):
            self.insert(node, ctes, parent)
        elif isinstance(node, exp.Update):
            self.update(node, ctes, parent)
        elif isinstance(node, exp.Delete):
            self.delete(node, ctes, parent)
        elif isinstance(node, exp.Merge):
            self.merge(node, ctes, parent)
        elif isinstance(node, exp.Copy):
            self.copy(node, ctes, parent)
        elif isinstance(node, exp.Values):
            self.walk(node, _Scope([], parent, ctes))
        # anything else (DDL, SET, transaction control, commands) reads no table's rows

    def with_(
        self, node: exp.Expression, ctes: frozenset[str], parent: _Scope | None
    ) -> frozenset[str]:
        with_node = _arg(node, "with")
        if not isinstance(with_node, exp.With):
            return ctes
        recursive = bool(with_node.args.get("recursive"))
        for cte in with_node.expressions:
            alias = cte.args.get("alias")
            name = None
            if isinstance(alias, exp.TableAlias) and isinstance(alias.this, exp.Identifier):
                name = _fold(alias.this)
            inner = ctes | {name} if recursive and name else ctes
            self.statement(cte.this, inner, parent)
            if name:
                ctes = ctes | {name}
        return ctes

    def add_source(self, node: Any, scope: _Scope, operation: str = "select") -> _Source | None:
        if isinstance(node, exp.Table):
            source = self.table(node, operation, scope)
            scope.sources.append(source)
            for join in node.args.get("joins") or []:
                self.join(join, scope)
            return source
        found: _Source | None = None
        if isinstance(node, exp.Subquery):
            inner = node.this
            if isinstance(inner, exp.Table):  # a parenthesized join
                self.add_source(inner, scope, operation)
                for join in node.args.get("joins") or []:
                    self.join(join, scope)
                return None
            self.statement(inner, scope.ctes, scope.parent)
            found = _Source(_alias(node), None)
        elif isinstance(node, exp.Lateral):
            inner = node.this
            if isinstance(inner, exp.Subquery):
                self.statement(inner.this, scope.ctes, scope)
            else:
                self.walk(inner, scope)
            found = _Source(_alias(node), None)
        elif isinstance(node, exp.Expression):
            self.walk(node, scope)
            found = _Source(_alias(node), None)
        if found is not None:
            scope.sources.append(found)
            for join in node.args.get("joins") or []:
                self.join(join, scope)
        return found

    def join(self, join: exp.Join, scope: _Scope) -> None:
        before = list(scope.sources)
        source = self.add_source(join.this, scope)
        on = join.args.get("on")
        if on is not None:
            self.walk(on, scope)
        self.using(join, source, before)

    def using(self, join: exp.Join, source: _Source | None, before: list[_Source]) -> None:
        """`JOIN u USING (id)`: the column is the joined table's, and the left side's when
        only one table is there (with more, the text does not say which has it)."""
        sides = [source] if source is not None else []
        if len(before) == 1:
            sides.append(before[0])
        for item in join.args.get("using") or []:
            ident = item.this if isinstance(item, exp.Column) else item
            if not isinstance(ident, exp.Identifier):
                continue
            name, offset = _fold(ident), _offset(ident)
            for side in sides:
                if side.target is not None and side.attribute:
                    side.target.add(name, offset)

    def select(self, node: exp.Select, ctes: frozenset[str], parent: _Scope | None) -> None:
        ctes = self.with_(node, ctes, parent)
        scope = _Scope([], parent, ctes)
        from_ = _arg(node, "from")
        if isinstance(from_, exp.From):
            self.add_source(from_.this, scope)
            for extra in from_.expressions or []:
                self.add_source(extra, scope)
        joined: list[tuple[exp.Join, _Source | None, list[_Source]]] = []
        for join in node.args.get("joins") or []:
            before = list(scope.sources)
            joined.append((join, self.add_source(join.this, scope), before))
        for join, source, before in joined:
            # ON conditions are walked once every source is known (a LATERAL may follow)
            on = join.args.get("on")
            if on is not None:
                self.walk(on, scope)
            self.using(join, source, before)
        for lateral in node.args.get("laterals") or []:
            self.add_source(lateral, scope)
        outputs = frozenset(
            _fold(item.args["alias"])
            for item in node.expressions
            if isinstance(item, exp.Alias) and isinstance(item.args.get("alias"), exp.Identifier)
        )
        for item in node.expressions:
            if isinstance(item, exp.Star):
                self.star(scope.level())
            else:
                self.walk(item, scope)
        for key, value in node.args.items():
            if key in ("expressions", "from", "from_", "joins", "with", "with_", "laterals"):
                continue
            skip = outputs if key in ("order", "group", "distinct") else frozenset()
            for item in _items(value):
                self.walk(item, scope, skip=skip)

    def star(self, sources: Iterable[_Source]) -> None:
        for source in sources:
            if source.target is not None:
                source.target.all_columns = True

    def insert(self, node: exp.Insert, ctes: frozenset[str], parent: _Scope | None) -> None:
        ctes = self.with_(node, ctes, parent)
        conflict = node.args.get("conflict")
        operation = "insert"
        if isinstance(conflict, exp.OnConflict):
            action = conflict.args.get("action")
            if (
                action is not None
                and "UPDATE" in str(action.this if action.this else action).upper()
            ):
                operation = "upsert"
        this = node.this
        columns: list[Any] = []
        listed = False
        if isinstance(this, exp.Schema):
            columns = list(this.expressions)
            listed = True
            this = this.this
        scope = _Scope([], parent, ctes)
        if not isinstance(this, exp.Table):
            return
        source = self.table(this, operation, _Scope([], parent, frozenset()))
        scope.sources.append(source)
        target = source.target
        if target is None:
            return
        for column in columns:
            self.set_target(column, target)
        if not listed and not node.args.get("default"):
            target.partial = True  # positional VALUES: the columns are not named
        expression = node.args.get("expression")
        if expression is not None:
            self.statement(expression, ctes, None)
        if isinstance(conflict, exp.OnConflict):
            for key in conflict.args.get("conflict_keys") or []:
                self.set_target(key.this if isinstance(key, exp.Ordered) else key, target)
            # unqualified names are the target's; `excluded.x` is the row proposed for it
            excluded = _Source("excluded", target, attribute=source.attribute)
            conflict_scope = _Scope([source], _Scope([excluded], parent, ctes), ctes)
            for assignment in conflict.expressions or []:
                self.assignment(assignment, target, conflict_scope)
            for key in ("index_predicate", "where"):
                value = conflict.args.get(key)
                if value is not None:
                    self.walk(value, _Scope([source], parent, ctes))
        self.returning(node, scope)

    def set_target(self, node: Any, target: _Target) -> None:
        """A column an INSERT list, SET or ON CONFLICT names: always the target's."""
        if isinstance(node, exp.Column):
            node = node.this
        if isinstance(node, exp.Identifier):
            name = _fold(node)
            if _interpolated(name):
                target.partial = True
            else:
                target.add(name, _offset(node))
        elif isinstance(node, exp.Tuple):
            for item in node.expressions:
                self.set_target(item, target)
        elif isinstance(node, exp.Dot):
            # `SET address.city = ...` (a composite field): the column is the left part
            self.set_target(node.this, target)
        elif isinstance(node, (exp.Parameter, exp.Placeholder)):
            target.partial = True

    def assignment(self, node: Any, target: _Target, scope: _Scope) -> None:
        if isinstance(node, exp.EQ):
            self.set_target(node.this, target)
            self.walk(node.expression, scope)
        else:
            self.walk(node, scope)

    def returning(self, node: exp.Expression, scope: _Scope) -> None:
        returning = node.args.get("returning")
        if not isinstance(returning, exp.Returning):
            return
        for item in returning.expressions:
            if isinstance(item, exp.Star):
                self.star(scope.sources)
            else:
                self.walk(item, scope)

    def update(self, node: exp.Update, ctes: frozenset[str], parent: _Scope | None) -> None:
        ctes = self.with_(node, ctes, parent)
        if not isinstance(node.this, exp.Table):
            return
        source = self.table(node.this, "update", _Scope([], parent, frozenset()))
        scope = _Scope([source], parent, ctes)
        from_ = _arg(node, "from")
        if isinstance(from_, exp.From):
            self.add_source(from_.this, scope)
            for extra in from_.expressions or []:
                self.add_source(extra, scope)
        for assignment in node.expressions:
            if source.target is not None:
                self.assignment(assignment, source.target, scope)
        for key in ("where", "order", "limit"):
            for item in _items(node.args.get(key)):
                self.walk(item, scope)
        self.returning(node, scope)

    def delete(self, node: exp.Delete, ctes: frozenset[str], parent: _Scope | None) -> None:
        ctes = self.with_(node, ctes, parent)
        if not isinstance(node.this, exp.Table):
            return
        source = self.table(node.this, "delete", _Scope([], parent, frozenset()))
        scope = _Scope([source], parent, ctes)
        for item in _items(node.args.get("using")):
            self.add_source(item, scope)
        for key in ("where", "order", "limit"):
            for item in _items(node.args.get(key)):
                self.walk(item, scope)
        self.returning(node, scope)

    def merge(self, node: exp.Merge, ctes: frozenset[str], parent: _Scope | None) -> None:
        ctes = self.with_(node, ctes, parent)
        if not isinstance(node.this, exp.Table):
            return
        source = self.table(node.this, "merge", _Scope([], parent, frozenset()))
        scope = _Scope([source], parent, ctes)
        using = node.args.get("using")
        if using is not None:
            self.add_source(using, scope)
        on = node.args.get("on")
        if on is not None:
            self.walk(on, scope)
        target = source.target
        whens = node.args.get("whens")
        for when in whens.expressions if isinstance(whens, exp.Whens) else []:
            condition = when.args.get("condition")
            if condition is not None:
                self.walk(condition, scope)
            then = when.args.get("then")
            if isinstance(then, exp.Update) and target is not None:
                for assignment in then.expressions:
                    self.assignment(assignment, target, scope)
            elif isinstance(then, exp.Insert) and target is not None:
                if then.this is not None:
                    self.set_target(then.this, target)
                else:
                    target.partial = True
                for item in _items(then.args.get("expression")):
                    self.walk(item, scope)
        self.returning(node, scope)

    def copy(self, node: exp.Copy, ctes: frozenset[str], parent: _Scope | None) -> None:
        this = node.this
        operation = "insert" if node.args.get("kind") else "select"
        columns: list[Any] = []
        listed = False
        if isinstance(this, exp.Schema):
            columns, listed, this = list(this.expressions), True, this.this
        if isinstance(this, exp.Subquery):
            self.statement(this.this, ctes, parent)
            return
        if not isinstance(this, exp.Table):
            return
        source = self.table(this, operation, _Scope([], parent, frozenset()))
        if source.target is None:
            return
        for column in columns:
            self.set_target(column, source.target)
        if not listed:
            source.target.all_columns = True

    # -- expressions ---------------------------------------------------------------------

    def walk(
        self,
        node: Any,
        scope: _Scope,
        *,
        skip: frozenset[str] = frozenset(),
        names: bool = True,
    ) -> None:
        """Attribute the columns an expression names; queries inside get their own scope.

        `skip` holds output aliases (ORDER BY / GROUP BY may name them); `names=False`
        walks only for subqueries (a UNION's ORDER BY names no table's column).
        """
        stack: list[Any] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, exp.Column):
                if names:
                    self.column(current, scope, skip)
                continue
            if isinstance(current, exp.Subquery):
                self.statement(current.this, scope.ctes, scope)
                continue
            if isinstance(current, _QUERIES):
                self.statement(current, scope.ctes, scope)
                continue
            if isinstance(current, exp.Parameter):
                if names and _is_interpolation(current) and _column_position(current):
                    for source in scope.level():
                        if source.target is not None:
                            source.target.partial = True
                continue
            if isinstance(current, (exp.Table, exp.Star, exp.Identifier, exp.Literal)):
                continue
            if isinstance(current, exp.Expression):
                children = list(current.iter_expressions())
                children.reverse()
                stack.extend(children)

    def column(self, node: exp.Column, scope: _Scope, skip: frozenset[str]) -> None:
        this = node.this
        table = node.args.get("table")
        db = node.args.get("db")
        if isinstance(table, exp.Identifier):
            source = scope.find(_fold(table), _fold(db) if isinstance(db, exp.Identifier) else None)
            if source is None or source.target is None:
                return
            self.attribute(source, this)
            return
        if not isinstance(this, exp.Identifier):
            if isinstance(this, (exp.Parameter, exp.Placeholder)):
                for source in scope.level():
                    if source.target is not None:
                        source.target.partial = True
            return
        name = _fold(this)
        if not this.quoted and name in _PSEUDO_COLUMNS:
            return
        if name in skip:
            return
        whole_row = scope.find(name, None)
        if whole_row is not None:  # `to_jsonb(t)`: the row of `t`, every column
            if whole_row.target is not None:
                whole_row.target.all_columns = True
            return
        level = scope.level()
        if _interpolated(name):
            for source in level:
                if source.target is not None:
                    source.target.partial = True
            return
        if len(level) == 1:
            if self._outer_sources(scope, level):
                # In a subquery an unqualified name may be the outer query's column
                # (PostgreSQL looks outwards when the inner table lacks it): which one
                # only the catalog knows, so the name is credited to neither.
                if level[0].target is not None:
                    level[0].target.partial = True
                return
            self.attribute(level[0], this)

    @staticmethod
    def _outer_sources(scope: _Scope, level: list[_Source]) -> bool:
        """Whether a scope around `level`'s holds another table an unqualified name could
        mean (the same target again, as ON CONFLICT's scope sees it, is no ambiguity)."""
        inner = {id(source.target) for source in level}
        seen = False
        for outer in scope.chain():
            if seen and any(id(source.target) not in inner for source in outer.sources):
                return True
            if outer.sources is level:
                seen = True
        return False

    def attribute(self, source: _Source, this: Any) -> None:
        target = source.target
        if target is None:
            return
        if isinstance(this, exp.Star):
            target.all_columns = True
        elif isinstance(this, (exp.Parameter, exp.Placeholder)):
            target.partial = True
        elif isinstance(this, exp.Identifier) and source.attribute:
            name = _fold(this)
            if _interpolated(name):
                target.partial = True
            else:
                target.add(name, _offset(this))


def _column_position(node: exp.Expression) -> bool:
    """An interpolation where a column name can stand (a select item, an ORDER BY term,
    the left side of a comparison, a whole condition) rather than a value."""
    child: exp.Expression = node
    parent = node.parent
    while isinstance(parent, (exp.Paren, exp.Alias, exp.Ordered)):
        child, parent = parent, parent.parent
    if parent is None:
        return False
    key = child.arg_key
    if isinstance(parent, exp.Select):
        return key == "expressions"
    if isinstance(parent, (exp.Order, exp.Group, exp.Returning, exp.Where, exp.Having)):
        return True
    if isinstance(parent, (exp.And, exp.Or, exp.Not, exp.Distinct)):
        return True
    if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Distinct):
        return True
    if isinstance(parent, exp.Predicate):
        return key == "this"
    return False
