"""Which tables, functions and buckets JavaScript and TypeScript code reaches: supabase-js
chains (`supabase.from('orders').select(...)`), `.rpc()`, `storage.from()`, and SQL text
handed to a driver (`pool.query('...')`, postgres.js `sql\\`...\\``, Prisma `$queryRaw`).

The file is parsed by tree-sitter and only real call expressions are read, so a call
spelled inside a string or a comment is no call.  One compiled query finds the calls by
method name; everything else is read from the tree around each of them (see jsclients.py
for names, constants and clients).

Rules of a supabase-js chain, from the `.from()` call outwards through the methods called
on its result:

- The operation is the chain's first `insert`, `upsert`, `update` or `delete`; a chain
  without one is a `select`, whether it calls `.select()` or only filters, or stops at
  `from('t')` (a builder kept in a variable and finished elsewhere is not followed: the
  reference holds what the chain itself shows).
- The columns are those the chain spells, in order: the select list (and `.select()` after
  a write, the returned columns), the keys of literal rows given to `insert`, `upsert` and
  `update`, `onConflict`, the first argument of filters and `.order()`, the keys of
  `.match()`.  A part the code computes (a spread, a computed key, a row or column held in
  a variable) makes the list `partial`.  `.or('a.eq.1,...')` filters are not read, nor
  `.order()` on a `referencedTable`.
- Each resource embedded in the select list is one more reference (`embedded_in` the
  parent), only when the parent's name is known.
- A `.from()` counts as supabase-js only when the code shows it is one: the chain calls a
  PostgREST method, the client is `.schema()`d, or the receiver is (or is made by, or is
  named like) a Supabase client.  `Array.from(x)`, `dayjs(a).from(b)`, knex and drizzle
  builders are not.  `.rpc()` counts on any receiver but a few JavaScript globals.
- A name the code does not spell literally (or as a same-file `const`) is unresolved, with
  the expression it comes from; a `.schema()` that is not literal leaves the name
  unresolved too, since the table's schema is then unknown.

Privilege (who a request runs as, jsclients.py): the client under the chain is followed
through same-file variables and factory functions to the library constructor, whose key
argument names it (an environment variable named like SERVICE_ROLE or SECRET: `service`;
ANON or PUBLISHABLE: `public`; `createBrowserClient`: `public`).  A client imported, or
made by an imported function, keeps `client` = (specifier, imported name) and `unknown`
for scan.py to resolve.  In a `'use client'` module every supabase reference is `public`
unless its client is shown to be `service`.  SQL references are `unknown`.

SQL: calls named like a driver's query method (`SQL_CALLEES`) whose first argument is a
string or template literal (or a same-file `const` of one), and templates tagged `sql` or
`SQL` (also `db.sql`, `Prisma.sql`).  Each `${...}` becomes a numbered parameter before
the text is read; text that does not start like a SQL statement (`$('a').one('click')`,
postgres.js fragments such as sql`and a = ${x}`) is not SQL and yields nothing, and text
starting with a word that is also English (`start`, `show`) counts only if it parses.
Text that starts like SQL but does not parse is one reference with no name and
`unresolved` = "SQL does not parse: ...".

Exports: `export const`, `export function`, `export default` and `export { x }` of clients
and client factories whose privilege the file shows; re-exports (`export { x } from './y'`)
and CommonJS `module.exports` are not recorded.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from schemaverify.model.usage import CodeReference, FileScan
from schemaverify.sources.code.jsclients import (
    FOREIGN_CALLEES,
    ClientInfo,
    Names,
    literal_value,
    named,
    property_key,
    string_segments,
    text_of,
    unwrap,
)
from schemaverify.sources.code.postgrest import (
    FILTER_METHODS,
    MATCH_METHODS,
    OPERATION_METHODS,
    Embedded,
    column_list,
    column_of,
    embedded_references,
    parse_select,
)
from schemaverify.sources.code.sqltext import placeholder, sql_targets, unparsed

__all__ = ["LANGUAGES", "SQL_CALLEES", "scan_javascript"]

LANGUAGES = ("typescript", "tsx", "javascript")

SQL_CALLEES = frozenset(
    {
        "query",
        "execute",
        "executeQuery",
        "raw",
        "unsafe",
        "$queryRaw",
        "$executeRaw",
        "$queryRawUnsafe",
        "$executeRawUnsafe",
        "many",
        "manyOrNone",
        "one",
        "oneOrNone",
        "any",
        "none",
    }
)
"""Methods (or functions) of database drivers that take SQL text first: pg, mysql-style
`execute`, knex `raw`, postgres.js `unsafe`, Prisma, pg-promise."""

SQL_TAGS = frozenset({"sql", "SQL"})

MATCH_LIMIT = 256
"""Query matches in progress at once: one per call of a method chain being read, so real
code needs tens.  tree-sitter's query costs chain length squared without a limit (a
hostile 20,000-call chain takes minutes); past it, the outermost calls are dropped and the
file says so in `problems`."""

_WRITES = ("insert", "upsert", "update", "delete")
_MODIFIERS = frozenset(
    {
        "or",
        "single",
        "maybeSingle",
        "limit",
        "range",
        "csv",
        "geojson",
        "explain",
        "returns",
        "abortSignal",
        "throwOnError",
        "overrideTypes",
        "setHeader",
        "rollback",
        "maxAffected",
    }
)
_CHAIN = frozenset(OPERATION_METHODS) | FILTER_METHODS | MATCH_METHODS | _MODIFIERS
"""Methods a PostgREST builder returns a builder from: the chain is followed through them."""
_EVIDENT = frozenset(OPERATION_METHODS) | {
    "single",
    "maybeSingle",
    "csv",
    "returns",
    "explain",
    "abortSignal",
    "throwOnError",
    "overrideTypes",
    "or",
}
"""Methods no other `.from()` result has in common use: proof of a PostgREST builder."""

_NOT_CLIENTS = frozenset(
    {
        "Array",
        "Buffer",
        "Uint8Array",
        "Uint8ClampedArray",
        "Uint16Array",
        "Uint32Array",
        "Int8Array",
        "Int16Array",
        "Int32Array",
        "Float32Array",
        "Float64Array",
        "BigInt64Array",
        "BigUint64Array",
        "Set",
        "Map",
        "Object",
        "String",
        "Promise",
        "Iterator",
        "AsyncIterator",
        "Observable",
        "Readable",
        "Stream",
        "Blob",
        "File",
        "Temporal",
        "dayjs",
        "moment",
        "DateTime",
        "Duration",
        "Immutable",
        "List",
        "Seq",
        "_",
        "R",
    }
)
"""Globals and libraries with a `.from()` or `.rpc()` of their own."""

_SQL_WORDS = (
    "select insert update delete with merge values create alter drop truncate begin "
    "commit rollback savepoint copy explain vacuum grant revoke listen notify unlisten"
)
_SQL_WEAK_WORDS = (
    "table start release set reset show call do analyze analyse lock refresh comment "
    "prepare execute deallocate declare fetch move close discard reindex cluster security "
    "import load checkpoint abort end"
)
_SQL_STARTS = frozenset(_SQL_WORDS.split())
"""First words of a PostgreSQL statement: text starting otherwise is not SQL."""
_SQL_WEAK_STARTS = frozenset(_SQL_WEAK_WORDS.split())
"""First words of statements that are also English (`start`, `show`, `close`): text
starting so counts as SQL only if it reads as SQL, so no prose is reported unreadable."""

_QUERY_SOURCE = """
((call_expression
   function: (member_expression property: (property_identifier) @name)) @call
 (#any-of? @name {members}))
((call_expression
   function: (await_expression (member_expression property: (property_identifier) @name))) @call
 (#any-of? @name {members}))
((call_expression function: (identifier) @name) @call
 (#any-of? @name {functions}))
(return_statement) @return
"""

_TYPED_TEMPLATES = """
(call_expression
  function: (non_null_expression (instantiation_expression) @typed)
  arguments: (template_string) @template)
(variable_declarator (ERROR (instantiation_expression) @typed) value: (template_string) @template)
(binary_expression
  left: (binary_expression left: (_) @typed operator: "<")
  operator: ">"
  right: (template_string) @template)
"""
"""Tagged templates with type arguments (sql<Row[]>`...`, prisma.$queryRaw<User[]>`...`),
which tree-sitter-typescript does not parse as calls: depending on the type arguments
and what surrounds them, they come out as a call of a non-null expression with a missing
`!`, an ERROR before a template, or two comparisons.  TypeScript grammars only."""


def _quoted(names: frozenset[str]) -> str:
    return " ".join(f'"{name}"' for name in sorted(names))


@dataclass(frozen=True)
class _Grammar:
    parser: Parser
    query: Query


_GRAMMARS: dict[str, _Grammar] = {}


def _grammar(language: str) -> _Grammar:
    """The parser and query of a language, built once per process (they cost
    milliseconds, a file costs microseconds)."""
    found = _GRAMMARS.get(language)
    if found is not None:
        return found
    if language == "javascript":
        import tree_sitter_javascript

        lang = Language(tree_sitter_javascript.language())
    elif language in ("typescript", "tsx"):
        import tree_sitter_typescript

        raw = (
            tree_sitter_typescript.language_typescript()
            if language == "typescript"
            else tree_sitter_typescript.language_tsx()
        )
        lang = Language(raw)
    else:
        raise ValueError(f"not a JavaScript language: {language!r}")
    source = _QUERY_SOURCE.format(
        members=_quoted(frozenset({"from", "rpc"}) | SQL_CALLEES | SQL_TAGS | _CHAIN),
        functions=_quoted(SQL_CALLEES | SQL_TAGS),
    )
    if language != "javascript":
        source += _TYPED_TEMPLATES
    grammar = _Grammar(Parser(lang), Query(lang, source))
    _GRAMMARS[language] = grammar
    return grammar


def scan_javascript(path: str, source: bytes, language: str) -> FileScan:
    """The references and client exports of one JavaScript or TypeScript file."""
    grammar = _grammar(language)
    tree = grammar.parser.parse(source)
    root = tree.root_node
    returns: list[Node] = []
    calls: list[tuple[Node, str, Node]] = []
    links: dict[int, _Link] = {}
    templates: list[tuple[Node, Node]] = []
    seen: set[int] = set()
    cursor = QueryCursor(grammar.query, match_limit=MATCH_LIMIT)
    for _, captures in cursor.matches(root):
        found = captures.get("return")
        if found:
            returns.extend(found)
            continue
        typed = captures.get("typed")
        if typed:
            templates.append((typed[0], captures["template"][0]))
            continue
        call_nodes = captures.get("call")
        names = captures.get("name")
        if not call_nodes or not names or call_nodes[0].id in seen:
            continue
        call, name_node = call_nodes[0], names[0]
        seen.add(call.id)
        name = text_of(name_node)
        if name in _CHAIN:
            link = _link_of(call, name)
            if link is not None:
                links[link.on] = link
        else:
            calls.append((call, name, name_node))
    scanner = _Scanner(path, source, root, returns, links)
    for call, name, name_node in calls:
        scanner.call(call, name, name_node)
    for tag, template in templates:
        if _tag_name(tag) in SQL_TAGS | SQL_CALLEES and template.id not in seen:
            seen.add(template.id)
            scanner.sql(template)
    exports = scanner.names.exports(scanner.use_client)
    problems = list(scanner.problems)
    if cursor.did_exceed_match_limit:
        problems.append(
            f"method chains longer than {MATCH_LIMIT} calls: part of the file was not scanned"
        )
    if scanner.names.too_deep is not None:
        problems.append(
            f"line {scanner.names.too_deep}: code nested too deeply to follow names; "
            "names from there on are left unresolved"
        )
    line = _first_error_line(root) if root.has_error else None
    if line is not None:
        problems.insert(0, f"line {line}: syntax error (the rest of the file is still scanned)")
    references = sorted(scanner.references, key=lambda r: (r.line, r.column))
    return FileScan(
        path=path,
        references=tuple(references),
        exports=exports,
        problems=tuple(problems),
    )


class _Columns:
    """The column list of a chain as its links are read (mutable while one chain is)."""

    __slots__ = ("all_columns", "names", "partial")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.all_columns = False
        self.partial = False

    def add(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)


@dataclass(frozen=True)
class _Link:
    """One method called on a builder: its name and argument nodes."""

    method: str
    arguments: tuple[Node, ...]
    on: int
    """The id of the expression it is called on (wrappers such as `as` and `await` removed):
    the previous link of the chain."""
    call: Node


def _link_of(call: Node, method: str) -> _Link | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    function = unwrap(function)
    if function.type != "member_expression":
        return None
    receiver = function.child_by_field_name("object")
    if receiver is None:
        return None
    return _Link(method, tuple(_arguments(call)), unwrap(receiver).id, call)


class _Scanner:
    def __init__(
        self, path: str, source: bytes, root: Node, returns: list[Node], links: dict[int, _Link]
    ) -> None:
        self.links = links
        self.path = path
        self.source = source
        self.names = Names(root, returns)
        self.use_client = _use_client(root)
        self.references: list[CodeReference] = []
        self.problems: list[str] = []

    # -- dispatch -------------------------------------------------------------

    def call(self, call: Node, name: str, name_node: Node) -> None:
        function = call.child_by_field_name("function")
        if function is None:
            return
        function = unwrap(function)
        if function.type == "member_expression":
            if name == "from":
                self._from(call, function, name_node)
                return
            if name == "rpc":
                self._rpc(call, function, name_node)
                return
        self._sql_call(call, name)

    # -- supabase-js ----------------------------------------------------------

    def _from(self, call: Node, member: Node, name_node: Node) -> None:
        receiver_node = member.child_by_field_name("object")
        if receiver_node is None:
            return
        receiver = unwrap(receiver_node)
        arguments = _arguments(call)
        if receiver.type == "member_expression" and _property(receiver) == "storage":
            client_node = receiver.child_by_field_name("object")
            if client_node is None:
                return
            info = self.names.client(client_node)
            if info.foreign:
                return
            name, unresolved = self._name(arguments, "bucket")
            self._emit(name_node, "storage", name, None, unresolved, info, target="bucket")
            return
        walked = self._client_root(receiver)
        if walked is None:
            return
        root, schema_node = walked
        if root.type == "identifier" and text_of(root) in _NOT_CLIENTS | FOREIGN_CALLEES:
            return
        links = self._chain(call)
        evident = schema_node is not None or any(_evident(link) for link in links)
        info = self.names.client(root)
        if info.foreign:
            return
        if not evident and not info.is_client and not _named_like_client(root):
            return
        name, unresolved = self._name(arguments, "table")
        schema: str | None = None
        if schema_node is not None:
            schema, schema_unresolved = self._name(_arguments(schema_node), "schema")
            if schema_unresolved is not None:
                name, unresolved = None, schema_unresolved
        write = next((link for link in links if link.method in _WRITES), None)
        operation = OPERATION_METHODS[write.method] if write is not None else "select"
        if operation == "upsert" and write is not None and self._ignores_duplicates(write):
            operation = "insert"  # ON CONFLICT DO NOTHING: no row is updated
        columns = _Columns()
        embeds: list[tuple[Node, tuple[Embedded, ...]]] = []
        for link in links:
            self._link(link, columns, embeds)
        self._emit(name_node, operation, name, schema, unresolved, info, columns=columns)
        if name is None:
            return
        privilege, client = self._privilege(info)
        for at, embedded in embeds:
            line, column = self._position(at)
            self.references.extend(
                embedded_references(
                    embedded,
                    name,
                    path=self.path,
                    line=line,
                    column=column,
                    via="supabase-js",
                    schema=schema,
                    privilege=privilege,
                    client=client,
                )
            )

    def _rpc(self, call: Node, member: Node, name_node: Node) -> None:
        receiver_node = member.child_by_field_name("object")
        if receiver_node is None:
            return
        walked = self._client_root(unwrap(receiver_node))
        if walked is None:
            return
        root, schema_node = walked
        if root.type == "identifier" and text_of(root) in _NOT_CLIENTS | FOREIGN_CALLEES:
            return
        info = self.names.client(root)
        if info.foreign:
            return
        # The same evidence as `.from()`: `provider.rpc('eth_blockNumber')` of a JSON-RPC
        # client is no database function.
        evident = schema_node is not None or any(_evident(link) for link in self._chain(call))
        if not evident and not info.is_client and not _named_like_client(root):
            return
        name, unresolved = self._name(_arguments(call), "function")
        schema: str | None = None
        if schema_node is not None:
            schema, schema_unresolved = self._name(_arguments(schema_node), "schema")
            if schema_unresolved is not None:
                name, unresolved = None, schema_unresolved
        self._emit(name_node, "rpc", name, schema, unresolved, info, target="function")

    def _ignores_duplicates(self, link: _Link) -> bool:
        """`upsert(rows, { ignoreDuplicates: true })`, literally."""
        if len(link.arguments) < 2:
            return False
        value = _option(link.arguments[1], "ignoreDuplicates")
        return value is not None and unwrap(value).type == "true"

    def _client_root(self, receiver: Node) -> tuple[Node, Node | None] | None:
        """The client expression under `.schema()` calls, and the innermost `.schema()`
        call; None when the receiver is another builder's result (`db.select().from`)."""
        schema_call: Node | None = None
        node = receiver
        for _ in range(64):
            node = unwrap(node)
            if node.type != "call_expression":
                if node.type in ("identifier", "member_expression", "subscript_expression"):
                    return node, schema_call
                if node.type in ("this", "new_expression"):
                    return node, schema_call
                return None
            function = node.child_by_field_name("function")
            if function is None:
                return None
            function = unwrap(function)
            if function.type == "identifier":
                return node, schema_call  # a factory: `createClient().from(...)`
            if function.type != "member_expression":
                return None
            prop = _property(function)
            if prop == "schema":
                if schema_call is None:
                    schema_call = node
                inner = function.child_by_field_name("object")
                if inner is None:
                    return None
                node = inner
                continue
            lowered = prop.lower()
            if "client" in lowered or "supabase" in lowered:
                return node, schema_call  # `ctx.getSupabaseClient().from(...)`
            return None
        return None

    def _link(
        self, link: _Link, columns: _Columns, embeds: list[tuple[Node, tuple[Embedded, ...]]]
    ) -> None:
        method, args = link.method, link.arguments
        if method == "select":
            if not args:
                columns.all_columns = True
                return
            text = self.names.string(args[0])
            if text is None:
                columns.partial = True
                return
            selection = parse_select(text)
            for name in selection.columns:
                columns.add(name)
            columns.all_columns = columns.all_columns or selection.all_columns
            if selection.problem is not None:
                columns.partial = True
                line, _ = self._position(args[0])
                self.problems.append(
                    f"line {line}: select list does not parse: {selection.problem}"
                )
            if selection.embedded:
                embeds.append((args[0], selection.embedded))
            return
        if method in ("insert", "upsert", "update"):
            if args:
                self._rows(args[0], columns)
            else:
                columns.partial = True
            if method == "upsert" and len(args) > 1:
                conflict = _option(args[1], "onConflict")
                if conflict is not None:
                    text = self.names.string(conflict)
                    if text is None:
                        columns.partial = True
                    else:
                        for name in column_list(text):
                            columns.add(name)
            return
        if method in MATCH_METHODS:
            if args and unwrap(args[0]).type == "object":
                self._keys(unwrap(args[0]), columns)
            else:
                columns.partial = True
            return
        if method in FILTER_METHODS:
            if not args:
                return
            if len(args) > 1 and method == "order":
                options = args[-1]
                if (
                    _option(options, "referencedTable") is not None
                    or _option(options, "foreignTable") is not None
                ):
                    return  # orders an embedded resource
            text = self.names.string(args[0])
            if text is None:
                columns.partial = True
                return
            column = column_of(text)
            if column is not None:
                columns.add(column)

    def _rows(self, node: Node, columns: _Columns) -> None:
        node = unwrap(node)
        if node.type == "object":
            self._keys(node, columns)
            return
        if node.type == "array":
            for element in named(node):
                element = unwrap(element)
                if element.type == "object":
                    self._keys(element, columns)
                else:
                    columns.partial = True
            return
        columns.partial = True

    def _keys(self, obj: Node, columns: _Columns) -> None:
        for member in named(obj):
            kind = member.type
            if kind == "shorthand_property_identifier":
                columns.add(text_of(member))
            elif kind == "pair":
                key = member.child_by_field_name("key")
                name = None if key is None else property_key(key)
                if name is None and key is not None and key.type == "computed_property_name":
                    inner = named(key)
                    name = self.names.string(inner[0]) if inner else None
                if name is None:
                    columns.partial = True
                else:
                    columns.add(name)
            else:
                columns.partial = True  # a spread, a method, a getter

    def _name(self, arguments: list[Node], what: str) -> tuple[str | None, str | None]:
        if not arguments:
            return None, f"{what} name missing"
        value = self.names.string(arguments[0])
        if value is not None:
            return value, None
        return None, f"{what} name from {_describe(arguments[0])}"

    def _privilege(self, info: ClientInfo) -> tuple[str, tuple[str, str] | None]:
        privilege = info.privilege
        client = info.client if privilege == "unknown" else None
        if self.use_client and privilege != "service":
            privilege = "public"
        return privilege, client

    def _emit(
        self,
        at: Node,
        operation: str,
        name: str | None,
        schema: str | None,
        unresolved: str | None,
        info: ClientInfo,
        *,
        target: str = "table",
        columns: _Columns | None = None,
    ) -> None:
        line, column = self._position(at)
        privilege, client = self._privilege(info)
        self.references.append(
            CodeReference(
                path=self.path,
                line=line,
                column=column,
                via="supabase-js",
                operation=operation,
                name=name,
                schema=schema,
                target=target,
                columns=tuple(columns.names) if columns is not None else (),
                all_columns=columns.all_columns if columns is not None else False,
                partial=columns.partial if columns is not None else False,
                privilege=privilege,
                unresolved=unresolved,
                client=client,
            )
        )

    # -- SQL ------------------------------------------------------------------

    def _sql_call(self, call: Node, name: str) -> None:
        args = call.child_by_field_name("arguments")
        if args is None:
            return
        if args.type == "template_string":
            self._sql(args)  # a tagged template
            return
        if args.type != "arguments" or name in SQL_TAGS:
            return  # `sql(...)` is postgres.js's identifier and row helper
        first = named(args)
        if not first:
            return
        literal = self.names.literal(first[0])
        if literal is not None:
            self._sql(literal)

    def sql(self, literal: Node) -> None:
        """The references of a string or template literal of SQL."""
        self._sql(literal)

    def _sql(self, literal: Node) -> None:
        pieces: list[str] = []
        starts: list[int] = []  # where each segment starts in the text
        segments = string_segments(literal)
        interpolations = 0
        length = 0
        for segment in segments:
            piece = segment.text
            if segment.substitution:
                piece = placeholder(interpolations)
                interpolations += 1
            starts.append(length)
            pieces.append(piece)
            length += len(piece)
        text = "".join(pieces)
        start = _first_word(text)
        if start not in _SQL_STARTS and start not in _SQL_WEAK_STARTS:
            return
        targets, problem = sql_targets(text)
        if problem is not None and start in _SQL_WEAK_STARTS:
            return
        if problem is not None:
            line, column = self._position(literal)
            self.references.append(unparsed(self.path, line, column, "select", problem))
            return
        line_starts = [0]
        at = text.find("\n")
        while at >= 0:
            line_starts.append(at + 1)
            at = text.find("\n", at + 1)
        for target in targets:
            offset = 0
            if 1 <= target.line <= len(line_starts):
                offset = line_starts[target.line - 1] + max(target.column - 1, 0)
            byte = literal.start_byte + 1
            if segments:
                index = max(bisect.bisect_right(starts, offset) - 1, 0)
                segment = segments[index]
                byte = segment.start_byte
                if segment.raw:
                    inside = segment.text[: max(offset - starts[index], 0)]
                    byte = min(byte + len(inside.encode("utf-8")), segment.end_byte)
            line, column = self._place(literal, byte)
            self.references.append(target.reference(self.path, line, column))

    def _chain(self, call: Node) -> list[_Link]:
        """The builder methods called on the result of `call`, outwards, up to the first
        that is no PostgREST builder method (`.then`, a property such as `.data`).  Read
        from the query's captures, not by walking up the tree: a node's parent costs its
        depth in tree-sitter, and a hostile chain can be deep."""
        links: list[_Link] = []
        node_id = call.id
        for _ in range(10_000):
            link = self.links.get(node_id)
            if link is None:
                break
            links.append(link)
            node_id = link.call.id
        return links

    # -- positions ------------------------------------------------------------

    def _position(self, node: Node) -> tuple[int, int]:
        """1-based line and character column of a node's start."""
        row, byte_column = node.start_point
        start = node.start_byte
        prefix = self.source[start - byte_column : start]
        if prefix.isascii():
            return row + 1, byte_column + 1
        return row + 1, len(prefix.decode("utf-8", "replace")) + 1

    def _place(self, anchor: Node, byte: int) -> tuple[int, int]:
        """Line and column of a byte inside `anchor` (a string spanning lines)."""
        source = self.source
        row = anchor.start_point[0] + source.count(b"\n", anchor.start_byte, byte)
        line_start = source.rfind(b"\n", 0, byte) + 1
        prefix = source[line_start:byte]
        column = len(prefix) if prefix.isascii() else len(prefix.decode("utf-8", "replace"))
        return row + 1, column + 1


def _arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return named(args)


def _property(member: Node) -> str:
    return text_of(member.child_by_field_name("property"))


def _evident(link: _Link) -> bool:
    if link.method in _EVIDENT:
        return True
    if not link.arguments:
        return False
    first = unwrap(link.arguments[0])
    if link.method in MATCH_METHODS:
        return first.type == "object"
    if link.method in FILTER_METHODS:
        return first.type in ("string", "template_string")
    return False


def _named_like_client(root: Node) -> bool:
    node = root
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is None:
            return False
        node = unwrap(function)
    if node.type == "member_expression":
        node = node.child_by_field_name("property") or node
    name = text_of(node).lower()
    return "supabase" in name or "client" in name


def _option(node: Node, key: str) -> Node | None:
    node = unwrap(node)
    if node.type != "object":
        return None
    for member in named(node):
        if member.type == "pair":
            key_node = member.child_by_field_name("key")
            if key_node is not None and property_key(key_node) == key:
                return member.child_by_field_name("value")
        elif member.type == "shorthand_property_identifier" and text_of(member) == key:
            return member
    return None


def _describe(expr: Node) -> str:
    """A short account of a name's expression: `variable tableName`."""
    node = unwrap(expr)
    shown = " ".join(text_of(node).split())
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if node.type in ("identifier", "member_expression", "subscript_expression"):
        return f"variable {shown}"
    if node.type == "template_string":
        return f"template {shown}"
    if node.type == "call_expression":
        return f"call {shown}"
    return f"expression {shown}"


def _first_word(text: str) -> str:
    """The first word of text, lowercased, after SQL comments and brackets."""
    i = 0
    size = len(text)
    for _ in range(10_000):
        while i < size and (text[i].isspace() or text[i] == "("):
            i += 1
        if text.startswith("--", i):
            end = text.find("\n", i)
            if end < 0:
                return ""
            i = end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return ""
            i = end + 2
            continue
        break
    j = i
    while j < size and j - i < 16 and text[j].isalpha():
        j += 1
    return text[i:j].lower()


def _use_client(root: Node) -> bool:
    """Whether the module's directive prologue says `'use client'`."""
    for child in root.named_children:
        if child.type in ("comment", "hash_bang_line"):
            continue
        if child.type != "expression_statement":
            return False
        inner = named(child)
        if not inner or inner[0].type != "string":
            return False
        if literal_value(inner[0]) == "use client":
            return True
    return False


def _tag_name(tag: Node) -> str:
    """The name of a template tag: `sql`, `db.sql` and `prisma.$queryRaw` as `sql`,
    `sql` and `$queryRaw`, through type arguments and `await`."""
    if tag.type == "instantiation_expression":
        inner = named(tag)
        if not inner:
            return ""
        tag = inner[0]
    tag = unwrap(tag)
    if tag.type == "identifier":
        return text_of(tag)
    if tag.type == "member_expression":
        return _property(tag)
    return ""


def _first_error_line(root: Node) -> int | None:
    """The line of the first syntax error, in document order, not counting the errors
    tree-sitter-typescript makes of valid typed tagged templates (`_TYPED_TEMPLATES`)."""
    stack = [root]
    for _ in range(1_000_000):
        if not stack:
            return None
        node = stack.pop()
        children = node.children
        for child in children:
            if (child.is_error or child.is_missing) and not _typed_template_gap(node, child):
                return child.start_point[0] + 1
        stack.extend(
            child
            for child in reversed(children)
            if child.has_error and not child.is_error and not child.is_missing
        )
    return None


def _typed_template_gap(parent: Node, node: Node) -> bool:
    if node.is_missing:
        # sql<Row[]>`...`: a call of `sql<Row[]>!` with the `!` missing.
        inner = named(parent)
        return (
            node.type == "!"
            and parent.type == "non_null_expression"
            and bool(inner)
            and inner[0].type == "instantiation_expression"
        )
    inner = named(node)
    following = node.next_named_sibling
    return (
        len(inner) == 1
        and inner[0].type == "instantiation_expression"
        and following is not None
        and following.type == "template_string"
    )
