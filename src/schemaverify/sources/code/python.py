"""Where Python code reaches the database: supabase-py request chains and SQL strings.

The file is parsed with tree-sitter, and one query finds every call and name binding that
matters, so strings and comments that merely look like calls yield nothing, a syntax
error costs only the broken statement, and the cost stays one parse and one C-side
traversal per file.

Names are followed only as far as the file shows them: a module-level or enclosing
function's single assignment of a string literal (`TABLE = "orders"`) resolves; a
parameter, an attribute, an import, a name assigned twice stays unresolved.  A client's
privilege is read from the key it is created with (`create_client(url,
os.environ["SUPABASE_SERVICE_ROLE_KEY"])`), through same-file variables and factory
functions; an imported client keeps where it came from (`CodeReference.client`) for the
cross-file pass.
"""

from __future__ import annotations

import bisect
import codecs
import dataclasses
import json
import re
from dataclasses import dataclass, field

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from schemaverify.model.usage import CodeReference, Export, FileScan
from schemaverify.sources.code import keys, postgrest
from schemaverify.sources.code.sqltext import FIRST_INTERPOLATION, PARAM, sql_targets, unparsed

__all__ = ["scan_python"]

SQL_METHODS = frozenset(
    {
        "execute",
        "executemany",
        "fetch",
        "fetchrow",
        "fetchval",
        "exec_driver_sql",
        "read_sql",
        "read_sql_query",
        "prepare",
        "fetch_all",
        "fetch_one",
        "fetch_val",
        "execute_many",
        "raw",
    }
)
"""Calls whose first argument is SQL: asyncpg (`fetch`, `fetchrow`, `fetchval`,
`execute`, `executemany`, `prepare`), DB-API cursors (psycopg, sqlite3), SQLAlchemy's
`exec_driver_sql`, pandas' `read_sql`, encode/databases (`fetch_all`, `fetch_one`,
`fetch_val`, `execute_many`), Django's `raw`."""

OTHER_DATABASES = frozenset(
    {"sqlite3", "aiosqlite", "apsw", "duckdb", "pymysql", "MySQLdb", "mysql", "aiomysql"}
)
"""Drivers of other databases: SQL in a file that uses only these is not checked here."""
POSTGRES_DRIVERS = frozenset(
    {"psycopg", "psycopg2", "asyncpg", "pg8000", "sqlalchemy", "sqlmodel", "databases", "pgx"}
)

SQL_WRAPPERS = {"text": ("sqlalchemy", "sqlmodel"), "SQL": ("psycopg", "psycopg2")}
"""Functions that mark a string as SQL, counted only when imported from their package
(a `text()` of another library is UI text)."""

CONSTRUCTORS = frozenset(
    {"create_client", "acreate_client", "create_async_client", "Client", "AsyncClient"}
)
"""supabase-py's client constructors; `Client.create(...)` and `AsyncClient.create(...)`
count too."""

BUCKET_METHODS = frozenset(
    {"from_", "get_bucket", "create_bucket", "update_bucket", "delete_bucket", "empty_bucket"}
)

_DML_WORDS = frozenset({"select", "with", "insert", "update", "delete", "merge", "values", "table"})
"""First words of SQL that reads or writes rows: only such text is parsed (DDL and
session commands name no table's rows), and only such text is reported when it does not
parse (a string that merely starts like SQL elsewhere is no query)."""

_CALL_NAMES = sorted({"table", "from_", "rpc", *BUCKET_METHODS, *SQL_METHODS, *SQL_WRAPPERS})
_OPERATIONS = sorted(postgrest.OPERATION_METHODS)


def _any_of(capture: str, names: list[str]) -> str:
    return f"(#any-of? @{capture} {' '.join(json.dumps(n) for n in names)})"


_QUERY = "\n".join(
    [
        # calls that start a chain, carry SQL or make a client
        "(call function: (attribute attribute: (identifier) @m "
        + _any_of("m", _CALL_NAMES)
        + ")) @method_call",
        "(call function: (identifier) @f " + _any_of("f", _CALL_NAMES) + ") @function_call",
        # a request builder kept in a variable and continued: `q.select(...)`
        "(call function: (attribute object: (identifier) attribute: (identifier) @op "
        + _any_of("op", _OPERATIONS)
        + ")) @builder_call",
        # bindings
        "(assignment left: (identifier)) @assign",
        "(assignment left: (attribute object: (identifier) attribute: (identifier))) @attr",
        "(pattern_list (identifier) @other)",
        "(tuple_pattern (identifier) @other)",
        "(list_pattern (identifier) @other)",
        "(list_splat_pattern (identifier) @other)",
        "(augmented_assignment left: (identifier) @other)",
        "(for_statement left: (identifier) @other)",
        "(for_in_clause left: (identifier) @other)",
        "(named_expression name: (identifier) @other)",
        "(as_pattern_target (identifier) @other)",
        "(as_pattern_target (tuple (identifier) @other))",
        "(delete_statement (identifier) @other)",
        "(class_definition name: (identifier) @other)",
        "(function_definition name: (identifier)) @def",
        "(global_statement (identifier) @global)",
        "(nonlocal_statement (identifier) @global)",
        "(module (expression_statement (assignment left: (identifier) @top)))",
        "(module (function_definition name: (identifier) @top))",
        "(module (decorated_definition definition: (function_definition name: (identifier) @top)))",
        "(import_from_statement) @from_import",
        "(import_statement) @import",
        "(return_statement) @return",
        "(yield) @return",
    ]
)

_tools: tuple[Parser, Query] | None = None


def _parser() -> tuple[Parser, Query]:
    """Language, parser and query are built once per process, on first use: a run that
    scans no Python pays nothing, and worker processes build their own."""
    global _tools
    if _tools is None:
        language = Language(tree_sitter_python.language())
        _tools = (Parser(language), Query(language, _QUERY))
    return _tools


Key = tuple[int, int]
"""A scope (function, class, lambda) by its byte span; the module is (0, -1)."""

MODULE: Key = (0, -1)

_SCOPES = frozenset({"function_definition", "lambda", "class_definition"})


def _key(node: Node) -> Key:
    return (node.start_byte, node.end_byte)


def _same(a: Node | None, b: Node | None) -> bool:
    return (
        a is not None
        and b is not None
        and a.start_byte == b.start_byte
        and a.end_byte == b.end_byte
        and a.type == b.type
    )


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Binding:
    kind: str
    """assign, param, import, module (an imported module), def, other."""
    node: Node
    """The assignment's value, the parameter's default, the function definition, or the
    bound identifier."""
    scope: Key
    module: str | None = None
    imported: str | None = None


@dataclass(frozen=True)
class _Piece:
    offset: int
    """Where the piece starts in the assembled text."""
    line: int
    column: int
    text: str
    exact: bool
    """The piece is the source's characters one for one (no escape, no stand-in)."""
    variable: str | None = None
    """For an interpolation's stand-in: the variable interpolated, when it is one."""
    stand_in: bool = False


@dataclass
class _Text:
    """A string the code builds, with where each part of it stands in the file."""

    pieces: list[_Piece] = field(default_factory=list)
    length: int = 0
    interpolations: int = 0
    params: int = 0

    def add(self, text: str, line: int, column: int, exact: bool) -> None:
        if text:
            self.pieces.append(_Piece(self.length, line, column, text, exact))
            self.length += len(text)

    def interpolation(self, line: int, column: int, variable: str | None = None) -> None:
        stand_in = f"{PARAM}{FIRST_INTERPOLATION + self.interpolations}"
        self.pieces.append(_Piece(self.length, line, column, stand_in, False, variable, True))
        self.length += len(stand_in)
        self.interpolations += 1

    def piece_at(self, offset: int) -> _Piece | None:
        index = bisect.bisect_right([p.offset for p in self.pieces], offset) - 1
        return self.pieces[index] if 0 <= index < len(self.pieces) else None

    def param(self, line: int, column: int) -> None:
        self.params += 1
        self.add(f"{PARAM}{self.params}", line, column, False)

    @property
    def value(self) -> str:
        return "".join(p.text for p in self.pieces)

    def blanked(self) -> str:
        """The text with each interpolation blanked out, places unchanged."""
        return "".join(" " * len(p.text) if p.stand_in else p.text for p in self.pieces)

    @property
    def start(self) -> tuple[int, int]:
        return (self.pieces[0].line, self.pieces[0].column) if self.pieces else (1, 1)

    def place(self, offset: int) -> tuple[int, int]:
        """File line and column of a character of the assembled text."""
        if not self.pieces:
            return (1, 1)
        index = bisect.bisect_right([p.offset for p in self.pieces], offset) - 1
        piece = self.pieces[max(index, 0)]
        if not piece.exact:
            return piece.line, piece.column
        before = piece.text[: max(offset - piece.offset, 0)]
        newlines = before.count("\n")
        if not newlines:
            return piece.line, piece.column + len(before)
        return piece.line + newlines, len(before) - before.rfind("\n")


class _NotLiteral(Exception):
    """The value is not a literal the file shows; the message says what it is."""


def _why(node: Node) -> str:
    kind = node.type
    if kind in ("identifier", "attribute"):
        return f"variable {_text(node)}"
    if kind in ("string", "concatenated_string"):
        return "an f-string"
    if kind == "call":
        return "a call"
    return "an expression"


_Priv = tuple[str, tuple[str, str] | None]
_UNKNOWN: _Priv = ("unknown", None)


def _combine(results: list[_Priv]) -> _Priv:
    if results and all(r == results[0] for r in results):
        return results[0]
    return _UNKNOWN


@dataclass
class _Chain:
    """What one supabase-py request chain does, as its calls are read."""

    name: str | None
    schema: str | None
    unresolved: str | None
    line: int
    column: int
    privilege: _Priv
    operation: str | None = None
    columns: list[str] = field(default_factory=list)
    all_columns: bool = False
    partial: bool = False
    embedded: tuple[postgrest.Embedded, ...] = ()
    embedded_at: tuple[int, int] | None = None
    executed: bool = False

    def add(self, column: str) -> None:
        if column not in self.columns:
            self.columns.append(column)

    def copy(self) -> _Chain:
        return dataclasses.replace(self, columns=list(self.columns))


class _TooDeep(Exception):
    """The file nests deeper than any real code: the scan stops at what it has."""


MATCH_LIMIT = 256
"""Query matches in progress at once, one per enclosing call: real code nests a few dozen
deep; a chain of thousands of calls would make matching quadratic, so beyond this the
outermost are dropped (and the scan says it is incomplete)."""

STEP_BUDGET = 2_000_000
"""Nodes visited finding ancestors, per file: a 100,000-line module needs well under a
tenth of it; a file that needs more is built to be slow (a chain of 20,000 calls)."""


class _File:
    def __init__(self, path: str, source: bytes, root: Node) -> None:
        self.path = path
        self.source = source
        self.root = root
        self.steps = 0
        self.incomplete = False
        self.other_database = False
        """The file imports another database's driver (sqlite3, duckdb, ...)."""
        self.postgres_driver = False
        self._paths: dict[tuple[int, int, int], list[Node]] = {}
        self.raw: dict[bytes, list[tuple[str, Node, Node, str | None, str | None]]] = {}
        """Bindings by name as found: (kind, identifier, value or node, module, name)."""
        self.bindings: dict[str, dict[Key, list[_Binding]]] = {}
        self.self_attrs: dict[tuple[Key, str], list[Node]] = {}
        self.globals: set[str] = set()
        self.returns: list[Node] = []
        self.functions: list[Node] = []
        self.top_level: list[str] = []
        """Names a module-level assignment or `def` binds: the candidate exports."""
        self.calls: list[tuple[Node, str, bool]] = []
        """(call, callee name, is a method call)."""
        self.opcalls: list[Node] = []
        self.references: list[CodeReference] = []
        self.builders: dict[Key, _Chain] = {}
        """Chains without an operation kept in a variable, by the span of the chain."""
        self._params: dict[Key, dict[str, Node | None]] = {}
        self._returns_by_function: dict[Key, list[Node]] | None = None
        self._memo: dict[tuple[str, Key, str], _Priv] = {}
        self._busy: set[tuple[str, Key, str]] = set()
        self._supabase = False

    # -- positions -----------------------------------------------------------------------

    def place(self, byte: int, row: int, byte_column: int) -> tuple[int, int]:
        """1-based line and character column of a byte position."""
        line_start = byte - byte_column
        prefix = self.source[line_start:byte]
        if prefix.isascii():
            return row + 1, byte_column + 1
        return row + 1, len(prefix.decode("utf-8", errors="replace")) + 1

    def node_place(self, node: Node) -> tuple[int, int]:
        point = node.start_point
        return self.place(node.start_byte, point.row, point.column)

    # -- collecting ----------------------------------------------------------------------

    def collect(self, root: Node, query: Query) -> None:
        cursor = QueryCursor(query, match_limit=MATCH_LIMIT)
        captures = cursor.captures(root)
        if cursor.did_exceed_match_limit:
            self.incomplete = True

        def get(name: str, default: tuple[Node, ...] = ()) -> list[Node]:
            # Document order, outer before inner: a query's captures come in no promised
            # order, and every sweep below relies on it.
            found = captures.get(name)
            if not found:
                return list(default)
            return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))

        for call in get("method_call", ()):
            function = call.child_by_field_name("function")
            name = function.child_by_field_name("attribute") if function else None
            self.calls.append((call, _text(name), True))
        for call in get("function_call", ()):
            self.calls.append((call, _text(call.child_by_field_name("function")), False))
        self.calls.sort(key=lambda c: c[0].start_byte)
        self.opcalls = list(get("builder_call", ()))
        raw = self.raw
        for assignment in get("assign", ()):
            node = assignment.child_by_field_name("left")
            if node is None:
                continue
            value = assignment.child_by_field_name("right")
            while value is not None and value.type == "assignment":  # a = b = "x"
                value = value.child_by_field_name("right")
            entry = ("assign", node, value) if value is not None else ("other", node, node)
            raw.setdefault(node.text or b"", []).append((*entry, None, None))
        for node in get("other", ()):
            raw.setdefault(node.text or b"", []).append(("other", node, node, None, None))
        self.functions = list(get("def", ()))
        for function in self.functions:
            node = function.child_by_field_name("name")
            if node is not None:
                raw.setdefault(node.text or b"", []).append(("def", node, function, None, None))
        for node in get("global", ()):
            self.globals.add(_text(node))
        for assignment in get("attr", ()):
            target = assignment.child_by_field_name("left")
            receiver = target.child_by_field_name("object") if target is not None else None
            value = assignment.child_by_field_name("right")
            if target is not None and _text(receiver) == "self" and value is not None:
                cls = self.enclosing_class(assignment)
                if cls is not None:
                    attr = _text(target.child_by_field_name("attribute"))
                    self.self_attrs.setdefault((cls, attr), []).append(value)
        for statement in get("from_import", ()):
            module = _text(statement.child_by_field_name("module_name"))
            for name in statement.children_by_field_name("name"):
                if name.type == "aliased_import":
                    original = name.child_by_field_name("name")
                    bound = name.child_by_field_name("alias")
                else:
                    original = bound = name
                if original is None or bound is None or "." in _text(original):
                    continue
                self.note_import(module)
                raw.setdefault(bound.text or b"", []).append(
                    ("import", bound, bound, module, _text(original))
                )
        for statement in get("import", ()):
            for name in statement.children_by_field_name("name"):
                if name.type == "aliased_import":
                    dotted = name.child_by_field_name("name")
                    bound = name.child_by_field_name("alias")
                    kind = "module"
                else:
                    dotted = name
                    bound = name.child(0)
                    # `import app.db` binds `app`, not the module `app.db`
                    kind = "module" if "." not in _text(name) else "other"
                if dotted is None or bound is None:
                    continue
                module = _text(dotted)
                self.note_import(module)
                raw.setdefault(bound.text or b"", []).append((kind, bound, bound, module, None))
        self.returns = list(get("return", ()))
        self.top_level = [_text(node) for node in get("top", ())]

    def note_import(self, module: str) -> None:
        top = module.split(".")[0]
        if top in ("supabase", "postgrest"):
            self._supabase = True
        if top in OTHER_DATABASES:
            self.other_database = True
        if top in POSTGRES_DRIVERS:
            self.postgres_driver = True

    def scoped(self, name: str) -> dict[Key, list[_Binding]]:
        """A name's bindings by scope, worked out on first use: most names of a file are
        never looked up."""
        found = self.bindings.get(name)
        if found is None:
            found = {}
            for kind, identifier, node, module, imported in self.raw.get(name.encode(), ()):
                scope = self.scope_of(identifier)
                found.setdefault(scope, []).append(_Binding(kind, node, scope, module, imported))
            self.bindings[name] = found
        return found

    def ancestors(self, node: Node) -> list[Node]:
        """The nodes enclosing `node`, outermost first.

        tree-sitter keeps no parent pointers (`Node.parent` searches down from the root),
        so walking up a deep tree one parent at a time is quadratic: the path is found
        in one descent instead, cached, and counted against a budget that a hostile
        nesting exhausts (`_TooDeep`) rather than the run's time.
        """
        key = (node.start_byte, node.end_byte, node.id)
        cached = self._paths.get(key)
        if cached is not None:
            return cached
        path: list[Node] = []
        cursor = self.root.walk()
        start = node.start_byte
        while True:
            current = cursor.node
            if current is None or current.id == node.id:
                break
            path.append(current)
            self.steps += 1
            if self.steps > STEP_BUDGET:
                raise _TooDeep
            if cursor.goto_first_child_for_byte(start) is None:
                break
            while cursor.node is not None and cursor.node.end_byte < node.end_byte:
                if not cursor.goto_next_sibling():
                    break
        self._paths[key] = path
        return path

    def parent(self, node: Node) -> Node | None:
        path = self.ancestors(node)
        return path[-1] if path else None

    def scope_of(self, node: Node) -> Key:
        """The scope a binding belongs to: the nearest function, lambda or class."""
        child = node
        for parent in reversed(self.ancestors(node)):
            # a function's name, decorators and defaults belong outside it
            if parent.type in _SCOPES and (
                parent.type == "lambda" or not _same(parent.child_by_field_name("name"), child)
            ):
                return _key(parent)
            child = parent
        return MODULE

    def chain_of(self, node: Node) -> list[Key]:
        """The scopes a name used at `node` is looked up in, innermost first: a class body
        is seen only by code directly in it, as in Python."""
        keys: list[Key] = []
        first = True
        for parent in reversed(self.ancestors(node)):
            if parent.type in ("function_definition", "lambda"):
                keys.append(_key(parent))
                first = False
            elif parent.type == "class_definition":
                if first:
                    keys.append(_key(parent))
                first = False
        keys.append(MODULE)
        return keys

    def enclosing_class(self, node: Node) -> Key | None:
        """The class whose method `node` is in."""
        in_function = False
        for parent in reversed(self.ancestors(node)):
            if parent.type == "function_definition":
                in_function = True
            elif parent.type == "class_definition":
                return _key(parent) if in_function else None
        return None

    def function_node(self, key: Key, near: Node) -> Node | None:
        for parent in reversed(self.ancestors(near)):
            if parent.type in _SCOPES and _key(parent) == key:
                return parent
        return None

    def params(self, function: Node) -> dict[str, Node | None]:
        """A function's parameters, with their defaults (for `Depends(factory)`)."""
        key = _key(function)
        found = self._params.get(key)
        if found is not None:
            return found
        found = {}
        parameters = function.child_by_field_name("parameters")
        for param in parameters.named_children if parameters is not None else []:
            name_node: Node | None = param
            default: Node | None = None
            if param.type in ("default_parameter", "typed_default_parameter"):
                name_node = param.child_by_field_name("name")
                default = param.child_by_field_name("value")
            elif param.type in (
                "typed_parameter",
                "list_splat_pattern",
                "dictionary_splat_pattern",
            ):
                name_node = next((c for c in param.named_children if c.type == "identifier"), None)
            if name_node is not None and name_node.type == "identifier":
                found[_text(name_node)] = default
        self._params[key] = found
        return found

    def lookup(self, name: str, chain: list[Key], near: Node) -> list[_Binding] | None:
        """The bindings `name` resolves to, in the innermost scope that binds it; None when
        no scope of the file does (a builtin, a star import)."""
        scoped = self.scoped(name)
        for key in chain:
            if key != MODULE:
                function = self.function_node(key, near)
                if function is not None and function.type != "class_definition":
                    params = self.params(function)
                    if name in params:
                        default = params[name]
                        return [_Binding("param", default or function, key)]
            found = scoped.get(key)
            if found:
                return found
        return None

    # -- literal values ------------------------------------------------------------------

    def string(self, node: Node, mode: str, depth: int = 0) -> _Text:
        """The text a literal expression builds.  Modes: `name` (no interpolation),
        `sql` (interpolations and `%s` placeholders become parameters), `braces`
        (psycopg's `sql.SQL`: `{}` fields are interpolations)."""
        out = _Text()
        self._string(node, mode, depth, out)
        return out

    def _string(self, node: Node, mode: str, depth: int, out: _Text) -> None:
        if depth > 100:  # a hostile nesting, or constants naming constants
            raise _NotLiteral(_why(node))
        kind = node.type
        if kind == "string":
            self._literal(node, mode, out)
        elif kind == "concatenated_string":
            for child in node.named_children:
                self._string(child, mode, depth, out)
        elif kind == "parenthesized_expression" and node.named_child_count == 1:
            inner = node.named_children[0]
            self._string(inner, mode, depth + 1, out)
        elif kind == "identifier":
            value = self.constant(node)
            if value is None:
                raise _NotLiteral(_why(node))
            self._string(value, mode, depth + 25, out)
        elif kind == "binary_operator" and mode != "name":
            operator = _text(node.child_by_field_name("operator"))
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is None or right is None:
                raise _NotLiteral(_why(node))
            if operator == "+":
                for side in (left, right):
                    try:
                        self._string(side, mode, depth + 1, out)
                    except _NotLiteral:
                        out.interpolation(*self.node_place(side), _variable(side))
            elif operator == "%" and left.type in ("string", "concatenated_string"):
                self._string(left, "percent", depth + 1, out)
            else:
                raise _NotLiteral(_why(node))
        elif kind == "call" and mode != "name":
            function = node.child_by_field_name("function")
            target = function.child_by_field_name("object") if function is not None else None
            if (
                function is not None
                and function.type == "attribute"
                and _text(function.child_by_field_name("attribute")) == "format"
                and target is not None
            ):
                self._string(target, "braces", depth + 1, out)
            else:
                raise _NotLiteral(_why(node))
        else:
            raise _NotLiteral(_why(node))

    def _literal(self, node: Node, mode: str, out: _Text) -> None:
        for child in node.children:
            if child.type == "string_content":
                self._content(child, mode, out)
            elif child.type == "interpolation":
                inlined = self.inline(child)
                if inlined is not None:
                    out.add(inlined, *self.node_place(child), False)
                    continue
                if mode == "name":
                    raise _NotLiteral("an f-string")
                expression = child.named_children[0] if child.named_children else None
                out.interpolation(*self.node_place(child), _variable(expression))

    def inline(self, interpolation: Node) -> str | None:
        """`{TABLE}` of a same-file string constant, without conversion or format: the
        constant's text."""
        if interpolation.named_child_count != 1:
            return None
        expression = interpolation.named_children[0]
        if expression.type != "identifier" or self.constant(expression) is None:
            return None
        try:
            return self.string(expression, "name").value
        except _NotLiteral:
            return None

    def _content(self, content: Node, mode: str, out: _Text) -> None:
        position = content.start_byte
        point = content.start_point
        for child in content.children:
            if child.start_byte > position:
                self._raw(position, point, child.start_byte, mode, out)
            line, column = self.node_place(child)
            raw = _text(child)
            if child.type == "escape_interpolation":
                out.add(raw[0], line, column, False)
            elif child.type == "escape_sequence":
                out.add(_unescape(raw), line, column, False)
            position, point = child.end_byte, child.end_point
        if content.end_byte > position:
            self._raw(position, point, content.end_byte, mode, out)

    def _raw(self, start: int, point: object, end: int, mode: str, out: _Text) -> None:
        """Source characters copied as they are, with placeholders made parameters."""
        row = getattr(point, "row", 0)
        byte_column = getattr(point, "column", 0)
        line, column = self.place(start, row, byte_column)
        text = self.source[start:end].decode("utf-8", errors="replace")
        if mode == "name" or ("%" not in text and (mode != "braces" or "{" not in text)):
            out.add(text, line, column, True)
            return
        i = 0
        last = 0

        def flush(upto: int) -> None:
            nonlocal line, column
            chunk = text[last:upto]
            out.add(chunk, line, column, True)
            newlines = chunk.count("\n")
            if newlines:
                line += newlines
                column = len(chunk) - chunk.rfind("\n")
            else:
                column += len(chunk)

        while i < len(text):
            char = text[i]
            if char == "%" and mode in ("sql", "percent", "braces"):
                end_at = _percent_end(text, i)
                if end_at is None:
                    i += 1
                    continue
                flush(i)
                if text[i + 1] == "%":
                    out.add("%", line, column, False)
                elif mode == "percent":
                    out.interpolation(line, column)
                else:
                    out.param(line, column)
                column += end_at - i
                i = last = end_at
                continue
            if mode == "braces" and char in "{}":
                if text.startswith(char * 2, i):
                    flush(i)
                    out.add(char, line, column, False)
                    column += 2
                    i = last = i + 2
                    continue
                if char == "{":
                    close = text.find("}", i)
                    if close > 0:
                        flush(i)
                        out.interpolation(line, column)
                        column += close + 1 - i
                        i = last = close + 1
                        continue
            i += 1
        flush(len(text))

    def constant(self, identifier: Node) -> Node | None:
        """The literal a name stands for, when the file binds it exactly once, to a
        string, in a scope that the use sees."""
        name = _text(identifier)
        if name in self.globals:
            return None
        found = self.lookup(name, self.chain_of(identifier), identifier)
        if not found or len(found) != 1 or found[0].kind != "assign":
            return None
        value = found[0].node
        if value.type not in ("string", "concatenated_string", "identifier"):
            return None
        return value

    def literal(self, node: Node) -> str:
        """A string literal's value (a name, a column); raises _NotLiteral otherwise."""
        return self.string(node, "name").value

    # -- privilege -----------------------------------------------------------------------

    def privilege(self, node: Node | None, chain: list[Key], depth: int = 0) -> _Priv:
        """Who a request made with the client `node` evaluates to runs as."""
        if node is None or depth > 12:
            return _UNKNOWN
        kind = node.type
        if kind in ("await", "parenthesized_expression") and node.named_child_count == 1:
            return self.privilege(node.named_children[0], chain, depth + 1)
        if kind == "identifier":
            return self.variable(_text(node), chain, node, depth)
        if kind == "call":
            return self.call_privilege(node, chain, depth)
        if kind == "attribute":
            receiver = node.child_by_field_name("object")
            attr = _text(node.child_by_field_name("attribute"))
            if receiver is not None and receiver.type == "identifier":
                if _text(receiver) == "self":
                    cls = self.enclosing_class(node)
                    values = self.self_attrs.get((cls, attr), []) if cls else []
                    results = [
                        self.privilege(v, self.chain_of(v), depth + 1)
                        for v in values
                        if v.type != "none"
                    ]
                    return _combine(results)
                module = self.module_of(receiver)
                if module is not None:
                    return ("unknown", (module, attr))
        return _UNKNOWN

    def module_of(self, identifier: Node) -> str | None:
        """The module an identifier names, when the file imports it (`import app.db as
        db`)."""
        found = self.lookup(_text(identifier), self.chain_of(identifier), identifier)
        if found and len(found) == 1 and found[0].kind == "module":
            return found[0].module
        return None

    def variable(self, name: str, chain: list[Key], near: Node, depth: int) -> _Priv:
        found = self.lookup(name, chain, near)
        if not found:
            return _UNKNOWN
        memo_key = ("var", found[0].scope, name)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if memo_key in self._busy:
            return _UNKNOWN
        self._busy.add(memo_key)
        results: list[_Priv] = []
        for binding in found:
            if binding.kind == "assign":
                if binding.node.type == "none":
                    continue
                results.append(self.privilege(binding.node, self.chain_of(binding.node), depth + 1))
            elif binding.kind == "param":
                results.append(self.depends(binding.node, depth))
            elif binding.kind == "import" and binding.module and binding.imported:
                results.append(("unknown", (binding.module, binding.imported)))
            else:
                results.append(_UNKNOWN)
        self._busy.discard(memo_key)
        result = _combine(results)
        self._memo[memo_key] = result
        return result

    def depends(self, default: Node, depth: int) -> _Priv:
        """A FastAPI parameter `client = Depends(get_admin_client)` is the factory's
        client."""
        if default.type != "call" or _text(default.child_by_field_name("function")) != "Depends":
            return _UNKNOWN
        arguments = default.child_by_field_name("arguments")
        factory = arguments.named_children[0] if arguments and arguments.named_children else None
        if factory is None or factory.type != "identifier":
            return _UNKNOWN
        return self.function_privilege(factory, self.chain_of(default), depth + 1)

    def call_privilege(self, call: Node, chain: list[Key], depth: int) -> _Priv:
        function = call.child_by_field_name("function")
        if function is None:
            return _UNKNOWN
        if function.type == "identifier":
            if self.constructor(function):
                return (self.key_privilege(call, chain), None)
            return self.function_privilege(function, chain, depth + 1)
        if function.type == "attribute":
            attr = _text(function.child_by_field_name("attribute"))
            receiver = function.child_by_field_name("object")
            if attr in CONSTRUCTORS or (
                attr == "create" and _text(receiver) in ("Client", "AsyncClient")
            ):
                return (self.key_privilege(call, chain), None)
            if receiver is not None and receiver.type == "identifier":
                module = self.module_of(receiver)
                if module is not None:
                    return ("unknown", (module, attr))
        return _UNKNOWN

    def constructor(self, identifier: Node) -> bool:
        """The name is supabase-py's client constructor: imported from `supabase` (under
        its name or another), or unbound in the file (a star import)."""
        found = self.lookup(_text(identifier), self.chain_of(identifier), identifier)
        if found is None:
            return _text(identifier) in CONSTRUCTORS
        return len(found) == 1 and (
            found[0].kind == "import"
            and found[0].module is not None
            and found[0].module.split(".")[0] == "supabase"
            and found[0].imported in CONSTRUCTORS
        )

    def function_privilege(self, name_node: Node, chain: list[Key], depth: int) -> _Priv:
        """The privilege of what a same-file factory returns, or where an imported
        factory comes from."""
        found = self.lookup(_text(name_node), chain, name_node)
        if not found or len(found) != 1:
            return _UNKNOWN
        binding = found[0]
        if binding.kind == "import" and binding.module and binding.imported:
            return ("unknown", (binding.module, binding.imported))
        if binding.kind != "def":
            return _UNKNOWN
        return self.factory(binding.node, depth)

    def factory(self, function: Node, depth: int) -> _Priv:
        key = _key(function)
        memo_key = ("def", key, "")
        if memo_key in self._memo:
            return self._memo[memo_key]
        if memo_key in self._busy or depth > 12:
            return _UNKNOWN
        self._busy.add(memo_key)
        results: list[_Priv] = []
        for ret in self.returns_of(key):
            value = ret.named_children[0] if ret.named_children else None
            if value is None or value.type == "none":
                continue
            results.append(self.privilege(value, self.chain_of(value), depth + 1))
        self._busy.discard(memo_key)
        result = _combine(results)
        self._memo[memo_key] = result
        return result

    def returns_of(self, key: Key) -> list[Node]:
        if self._returns_by_function is None:
            grouped: dict[Key, list[Node]] = {}
            # one sweep in document order: the innermost open `def` holds each return
            # (sorted here: a query's captures come in no promised order)
            functions = sorted(self.functions, key=lambda n: (n.start_byte, -n.end_byte))
            stack: list[Node] = []
            at = 0
            for ret in sorted(self.returns, key=lambda n: n.start_byte):
                start = ret.start_byte
                while at < len(functions) and functions[at].start_byte <= start:
                    opened = functions[at]
                    while stack and stack[-1].end_byte <= opened.start_byte:
                        stack.pop()
                    stack.append(opened)
                    at += 1
                while stack and stack[-1].end_byte <= start:
                    stack.pop()
                if stack:
                    grouped.setdefault(_key(stack[-1]), []).append(ret)
            self._returns_by_function = grouped
        return self._returns_by_function.get(key, [])

    def key_privilege(self, call: Node, chain: list[Key]) -> str:
        arguments = call.child_by_field_name("arguments")
        if arguments is None:
            return "unknown"
        key: Node | None = None
        positional = [a for a in arguments.named_children if a.type != "keyword_argument"]
        for argument in arguments.named_children:
            if argument.type == "keyword_argument" and _text(
                argument.child_by_field_name("name")
            ) in ("supabase_key", "key"):
                key = argument.child_by_field_name("value")
        if key is None and len(positional) >= 2:
            key = positional[1]
        return self.key_name(key, chain, 0)

    def key_name(self, node: Node | None, chain: list[Key], depth: int) -> str:
        if node is None or depth > 8:
            return "unknown"
        kind = node.type
        if kind == "subscript":
            index = node.child_by_field_name("subscript")
            return self._key_literal(index, by_name=True)
        if kind == "call":
            function = node.child_by_field_name("function")
            name = _text(function.child_by_field_name("attribute")) if function else ""
            if function is not None and function.type == "identifier":
                name = _text(function)
            arguments = node.child_by_field_name("arguments")
            if name in ("get", "getenv") and arguments and arguments.named_children:
                return self._key_literal(arguments.named_children[0], by_name=True)
            return "unknown"
        if kind == "attribute":
            return keys.by_name(_text(node.child_by_field_name("attribute")))
        if kind == "identifier":
            found = self.lookup(_text(node), self.chain_of(node), node)
            if found and len(found) == 1 and found[0].kind == "assign":
                value = found[0].node
                return self.key_name(value, self.chain_of(value), depth + 1)
            if found is None or all(b.kind == "import" for b in found):
                return keys.by_name(_text(node))  # an imported SERVICE_ROLE_KEY
            return "unknown"
        if kind in ("string", "concatenated_string"):
            return self._key_literal(node, by_name=False)
        return "unknown"

    def _key_literal(self, node: Node | None, by_name: bool) -> str:
        if node is None:
            return "unknown"
        try:
            value = self.literal(node)
        except _NotLiteral:
            return "unknown"
        return keys.by_name(value) if by_name else keys.by_value(value)

    # -- supabase-py chains --------------------------------------------------------------

    def chain(self, call: Node, method: str) -> None:
        function = call.child_by_field_name("function")
        receiver = function.child_by_field_name("object") if function is not None else None
        arguments = call.child_by_field_name("arguments")
        if function is None or receiver is None or arguments is None:
            return
        name_node = function.child_by_field_name("attribute")
        line, column = self.node_place(name_node if name_node is not None else call)
        storage = (
            receiver.type == "attribute"
            and _text(receiver.child_by_field_name("attribute")) == "storage"
        )
        if storage:
            if method in BUCKET_METHODS:
                root = receiver.child_by_field_name("object")
                self.simple(call, "bucket", "storage", None, root, line, column)
            return
        if method not in ("table", "from_", "rpc"):
            return
        schema: str | None = None
        schema_problem: str | None = None
        root = receiver
        inner = receiver.child_by_field_name("function") if receiver.type == "call" else None
        if (
            inner is not None
            and inner.type == "attribute"
            and _text(inner.child_by_field_name("attribute")) == "schema"
        ):
            first = _first_argument(receiver.child_by_field_name("arguments"))
            root = inner.child_by_field_name("object") or receiver
            if first is None:
                schema_problem = "schema name missing"
            else:
                try:
                    schema = self.literal(first)
                except _NotLiteral as why:
                    schema_problem = f"schema name from {why}"
        privilege = self.privilege(root, self.chain_of(call))
        if method == "rpc":
            if privilege[0] != "unknown" or self._supabase or self.executed(call):
                self.simple(call, "function", "rpc", schema, root, line, column, schema_problem)
            return
        first = _first_argument(arguments)
        name: str | None = None
        unresolved: str | None = schema_problem
        if first is None:
            unresolved = "table name missing"
        else:
            try:
                name = self.literal(first)
            except _NotLiteral as why:
                unresolved = f"table name from {why}"
        if unresolved is not None:
            name = None
            schema = None
        state = _Chain(name, schema, unresolved, line, column, privilege)
        top = self.follow(call, state)
        if state.operation is None:
            parent = self.parent(top)
            if parent is not None and parent.type == "assignment":
                left = parent.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    self.builders[_key(top)] = state
            return
        if self.is_client(state):
            self.emit(state)

    def is_client(self, state: _Chain) -> bool:
        """The chain is a supabase-py request as far as the file shows: it ends in
        `.execute()`, its client's key is known, or the file imports supabase-py.  (A
        client imported from elsewhere is no evidence: TinyDB's `db.table("users")` comes
        from an import too.)"""
        return state.executed or state.privilege[0] != "unknown" or self._supabase

    def executed(self, call: Node) -> bool:
        """`.execute()` is called on the chain that starts at `call`."""
        for parent in reversed(self.ancestors(call)):
            if parent.type not in ("attribute", "call", "parenthesized_expression"):
                return False
            if (
                parent.type == "attribute"
                and _text(parent.child_by_field_name("attribute")) == "execute"
            ):
                return True
        return False

    def follow(self, call: Node, state: _Chain) -> Node:
        """Read the calls chained on `call` (`.select(...).eq(...)`), up to the end of the
        expression; returns the outermost node of the chain."""
        path = self.ancestors(call)
        current = call
        at = len(path) - 1
        while at >= 0:
            parent = path[at]
            if parent.type == "attribute" and _same(parent.child_by_field_name("object"), current):
                method = _text(parent.child_by_field_name("attribute"))
                outer = path[at - 1] if at > 0 else None
                if (
                    outer is not None
                    and outer.type == "call"
                    and _same(outer.child_by_field_name("function"), parent)
                ):
                    arguments = outer.child_by_field_name("arguments")
                    if arguments is not None:
                        self.method(state, method, arguments)
                    current, at = outer, at - 2
                    continue
                if method == "not_":  # `.not_.is_("col", "null")`: negation, a property
                    current, at = parent, at - 1
                    continue
                return current
            if parent.type == "parenthesized_expression":
                current, at = parent, at - 1
                continue
            return current
        return current

    def method(self, state: _Chain, method: str, arguments: Node) -> None:
        if method == "execute":
            state.executed = True
            return
        operation = postgrest.OPERATION_METHODS.get(method)
        keywords = _keywords(arguments)
        positional = [
            a for a in arguments.named_children if a.type not in ("keyword_argument", "comment")
        ]
        if operation is not None:
            if state.operation is None:
                if operation == "insert" and _text(keywords.get("upsert")) == "True":
                    operation = "upsert"
                if operation == "upsert" and _text(keywords.get("ignore_duplicates")) == "True":
                    operation = "insert"  # ON CONFLICT DO NOTHING: no row is updated
                state.operation = operation
            if method == "select":
                self.select(state, positional, arguments)
            elif method in ("insert", "upsert", "update"):
                if positional:
                    self.values(state, positional[0])
                elif "json" in keywords:
                    self.values(state, keywords["json"])
                conflict = keywords.get("on_conflict")
                if conflict is not None:
                    try:
                        for column in postgrest.column_list(self.literal(conflict)):
                            state.add(column)
                    except _NotLiteral:
                        state.partial = True
            return
        if method in postgrest.MATCH_METHODS:
            if positional:
                self.values(state, positional[0])
            return
        if method in postgrest.FILTER_METHODS and positional:
            if method == "order" and ("foreign_table" in keywords or "reference_table" in keywords):
                return  # ordering an embedded resource
            try:
                named = postgrest.column_of(self.literal(positional[0]))
            except _NotLiteral:
                state.partial = True
                return
            if named is not None:
                state.add(named)

    def select(self, state: _Chain, positional: list[Node], arguments: Node) -> None:
        parts: list[str] = []
        for argument in positional:
            try:
                parts.append(self.literal(argument))
            except _NotLiteral:
                state.partial = True
        if not positional:
            state.all_columns = True
            return
        if not parts:
            return
        selection = postgrest.parse_select(",".join(parts))
        for column in selection.columns:
            state.add(column)
        state.all_columns = state.all_columns or selection.all_columns
        if selection.problem is not None:
            state.partial = True
        if selection.embedded:
            state.embedded = state.embedded + selection.embedded
            if state.embedded_at is None:
                state.embedded_at = self.node_place(positional[0])

    def values(self, state: _Chain, node: Node, depth: int = 0) -> None:
        """Columns of the rows written: dict literal keys (a spread, a computed key or a
        value the file does not spell out makes the list partial)."""
        kind = node.type
        if depth > 32:  # rows nested in lists nested in lists: nothing real
            state.partial = True
        elif kind == "dictionary":
            for item in node.named_children:
                if item.type == "pair":
                    key = item.child_by_field_name("key")
                    try:
                        state.add(self.literal(key) if key is not None else "")
                    except _NotLiteral:
                        state.partial = True
                elif item.type != "comment":
                    state.partial = True  # **spread
        elif kind in ("list", "tuple"):
            for item in node.named_children:
                if item.type != "comment":
                    self.values(state, item, depth + 1)
        elif kind == "list_comprehension" and (body := node.child_by_field_name("body")):
            self.values(state, body, depth + 1)
        elif kind == "call" and _text(node.child_by_field_name("function")) == "dict":
            arguments = node.child_by_field_name("arguments")
            for item in arguments.named_children if arguments is not None else []:
                if item.type == "keyword_argument":
                    state.add(_text(item.child_by_field_name("name")))
                else:
                    state.partial = True
        elif kind == "identifier":
            # a row built once in a variable: its literal keys, but it may grow later
            found = self.lookup(_text(node), self.chain_of(node), node)
            state.partial = True
            if (
                found
                and len(found) == 1
                and found[0].kind == "assign"
                and found[0].node.type in ("dictionary", "list", "list_comprehension")
            ):
                self.values(state, found[0].node, depth + 8)
        else:
            state.partial = True

    def simple(
        self,
        call: Node,
        target: str,
        operation: str,
        schema: str | None,
        root: Node | None,
        line: int,
        column: int,
        problem: str | None = None,
    ) -> None:
        """A reference that is only a name: an RPC's function, a storage bucket."""
        arguments = call.child_by_field_name("arguments")
        first = _first_argument(arguments) if arguments is not None else None
        name: str | None = None
        unresolved = problem
        what = "function" if target == "function" else "bucket"
        if first is None:
            unresolved = unresolved or f"{what} name missing"
        elif unresolved is None:
            try:
                name = self.literal(first)
            except _NotLiteral as why:
                unresolved = f"{what} name from {why}"
        if unresolved is not None:
            name = schema = None
        privilege, client = self.privilege(root, self.chain_of(call))
        self.references.append(
            CodeReference(
                path=self.path,
                line=line,
                column=column,
                via="supabase-py",
                operation=operation,
                name=name,
                schema=schema,
                target=target,
                privilege=privilege,
                unresolved=unresolved,
                client=client,
            )
        )

    def emit(self, state: _Chain) -> None:
        privilege, client = state.privilege
        self.references.append(
            CodeReference(
                path=self.path,
                line=state.line,
                column=state.column,
                via="supabase-py",
                operation=state.operation or "select",
                name=state.name,
                schema=state.schema,
                columns=tuple(state.columns),
                all_columns=state.all_columns,
                partial=state.partial,
                privilege=privilege,
                unresolved=state.unresolved,
                client=client,
            )
        )
        if state.name is None or not state.embedded or state.embedded_at is None:
            return
        line, column = state.embedded_at
        self.references.extend(
            postgrest.embedded_references(
                state.embedded,
                state.name,
                path=self.path,
                line=line,
                column=column,
                via="supabase-py",
                schema=state.schema,
                privilege=privilege,
                client=client,
            )
        )

    def continued(self, call: Node) -> None:
        """`q.select(...)` where `q = sb.table("t")`: the chain goes on from the variable."""
        function = call.child_by_field_name("function")
        receiver = function.child_by_field_name("object") if function is not None else None
        if receiver is None or not self.builders:
            return
        found = self.lookup(_text(receiver), self.chain_of(call), call)
        if not found or len(found) != 1 or found[0].kind != "assign":
            return
        base = self.builders.get(_key(found[0].node))
        if base is None:
            return
        state = base.copy()
        # the call itself is the first link: follow() starts from its receiver
        self.follow(receiver, state)
        if state.operation is not None and self.is_client(state):
            self.emit(state)

    # -- SQL strings ---------------------------------------------------------------------

    def sql(self, call: Node, callee: str, is_method: bool) -> None:
        if self.other_database and not self.postgres_driver:
            return  # `sqlite3` cursors' SQL is not this database's
        if callee in SQL_WRAPPERS:
            function = call.child_by_field_name("function")
            if function is None or not self.sql_wrapper(function, SQL_WRAPPERS[callee]):
                return
            mode = "braces" if callee == "SQL" else "plain"
        elif callee in SQL_METHODS:
            mode = "sql"
        else:
            return
        arguments = call.child_by_field_name("arguments")
        first = _first_argument(arguments, ("query", "sql", "statement", "operation"))
        if first is None:
            return
        try:
            text = self.string(first, mode)
        except _NotLiteral:
            return  # SQL the file does not show: nothing to say about it
        value = text.value
        word = _first_word(value)
        if word not in _DML_WORDS:
            return
        targets, problem = sql_targets(value)
        if problem is not None and text.interpolations:
            # `f"SELECT * FROM t {where}"`: what the text shows, without the dynamic parts
            retry, again = sql_targets(text.blanked())
            if again is None and retry:
                targets = tuple(dataclasses.replace(t, partial=True) for t in retry)
                problem = None
        if problem is not None:
            line, column = text.start
            operation = _WORD_OPERATIONS.get(word, "select")
            self.references.append(unparsed(self.path, line, column, operation, problem))
            return
        starts = _line_starts(value)
        for target in targets:
            offset = (
                starts[target.line - 1] + target.column - 1 if target.line <= len(starts) else 0
            )
            line, column = text.place(offset)
            unresolved = target.unresolved
            if unresolved is not None and unresolved.endswith(" from an interpolation"):
                piece = text.piece_at(offset)
                if piece is not None and piece.variable is not None:
                    what = unresolved[: -len(" from an interpolation")]
                    unresolved = f"{what} from variable {piece.variable}"
            self.references.append(target.reference(self.path, line, column, unresolved))

    def sql_wrapper(self, function: Node, packages: tuple[str, ...]) -> bool:
        """`text(...)` imported from sqlalchemy, `sa.text(...)` on the imported module."""
        if function.type == "identifier":
            found = self.lookup(_text(function), self.chain_of(function), function)
            return bool(found) and all(
                b.kind == "import" and b.module is not None and b.module.split(".")[0] in packages
                for b in found or []
            )
        if function.type == "attribute":
            receiver = function.child_by_field_name("object")
            if receiver is None or receiver.type != "identifier":
                return False
            found = self.lookup(_text(receiver), self.chain_of(receiver), receiver)
            if not found or len(found) != 1:
                return False
            binding = found[0]
            if binding.kind == "module" and binding.module:
                return binding.module.split(".")[0] in packages
            if binding.kind == "import" and binding.module:  # from psycopg import sql
                return binding.module.split(".")[0] in packages
        return False

    # -- the file's exports --------------------------------------------------------------

    def exports(self) -> tuple[Export, ...]:
        found: list[Export] = []
        for name in dict.fromkeys(self.top_level):
            module_bindings = self.scoped(name).get(MODULE)
            if not module_bindings or (name in self.globals and len(module_bindings) > 1):
                continue
            kinds = {b.kind for b in module_bindings}
            privilege = "unknown"
            if kinds == {"def"} and len(module_bindings) == 1:
                privilege = self.factory(module_bindings[0].node, 0)[0]
            elif kinds == {"assign"} and any(
                _unwrap(b.node).type == "call" for b in module_bindings
            ):
                privilege = self.variable(name, [MODULE], module_bindings[0].node, 0)[0]
            if privilege != "unknown":
                found.append(Export(name, privilege))
        return tuple(sorted(found, key=lambda e: e.name))


_WORD_OPERATIONS = {
    "insert": "insert",
    "update": "update",
    "delete": "delete",
    "merge": "merge",
}


def _variable(node: Node | None) -> str | None:
    if node is not None and node.type in ("identifier", "attribute"):
        return _text(node)
    return None


def _unwrap(node: Node) -> Node:
    while node.type in ("await", "parenthesized_expression") and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _first_argument(arguments: Node | None, keywords: tuple[str, ...] = ()) -> Node | None:
    if arguments is None:
        return None
    for argument in arguments.named_children:
        if argument.type == "keyword_argument":
            if _text(argument.child_by_field_name("name")) in keywords:
                return argument.child_by_field_name("value")
            continue
        if argument.type in ("comment", "list_splat", "dictionary_splat"):
            if argument.type != "comment":
                return None
            continue
        return argument
    return None


def _keywords(arguments: Node) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for argument in arguments.named_children:
        if argument.type == "keyword_argument":
            value = argument.child_by_field_name("value")
            if value is not None:
                found[_text(argument.child_by_field_name("name"))] = value
    return found


_ESCAPES = {
    "\\n": "\n",
    "\\t": "\t",
    "\\r": "\r",
    "\\\\": "\\",
    "\\'": "'",
    '\\"': '"',
    "\\\n": "",
    "\\\r\n": "",
}


def _unescape(raw: str) -> str:
    simple = _ESCAPES.get(raw)
    if simple is not None:
        return simple
    try:
        return codecs.decode(raw, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return raw


def _percent_end(text: str, i: int) -> int | None:
    """End of a `%s` / `%(name)s` / `%%` placeholder at `i`, None if there is none."""
    if i + 1 >= len(text):
        return None
    following = text[i + 1]
    if following == "%":
        return i + 2
    if following == "(":
        close = text.find(")", i + 2)
        if close < 0 or close + 1 >= len(text):
            return None
        if text[close + 1] in "sbtrd":
            return close + 2
        return None
    if following in "sbt":
        return i + 2
    return None


def _first_word(text: str) -> str:
    """The first keyword of SQL text, past blanks, comments and opening parentheses."""
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char.isspace() or char == "(":
            i += 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            break
    j = i
    while j < n and (text[j].isalpha() or text[j] == "_"):
        j += 1
    return text[i:j].lower()


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _syntax_error_line(root: Node) -> int | None:
    """The line of the first syntax error, found by descending only into broken nodes."""
    if not root.has_error:
        return None
    node = root
    while True:
        for child in node.children:
            if child.is_missing or child.type == "ERROR":
                return child.start_point.row + 1
            if child.has_error:
                node = child
                break
        else:
            return node.start_point.row + 1


MAX_INDENT_LEVELS = 400
"""tree-sitter-python keeps its indentation stack in the parser's fixed serialization
buffer and crashes the process (a segmentation fault, not an exception) on a file nested
some 500 blocks deep that also holds a string: such a file is not parsed."""

_DEEP_LINE = re.compile(rb"(?m)^[ \t\f]{%d}" % (MAX_INDENT_LEVELS // 8))
"""A cheap first test: a line indented past MAX_INDENT_LEVELS columns starts with at least
this many blanks (a tab counts up to 8 columns)."""


def _indent_width(blanks: bytes) -> int:
    """The indentation column as tree-sitter-python's scanner counts it: a tab advances to
    the next multiple of 8, a form feed starts the line again."""
    width = 0
    for byte in blanks:
        if byte == 0x09:
            width = (width // 8 + 1) * 8
        elif byte == 0x0C:
            width = 0
        else:
            width += 1
    return width


def _indent_levels(source: bytes) -> int:
    """How many blocks deep the file's indentation goes (an upper bound: lines inside
    strings and brackets count as if they were statements)."""
    stack = [0]
    deepest = 0
    for line in source.split(b"\n"):
        stripped = line.lstrip(b" \t\f")
        if not stripped or stripped.startswith(b"#"):
            continue
        width = _indent_width(line[: len(line) - len(stripped)])
        while stack[-1] > width:
            stack.pop()
        if width > stack[-1]:
            stack.append(width)
            deepest = max(deepest, len(stack) - 1)
    return deepest


def scan_python(path: str, source: bytes) -> FileScan:
    """Every reference of a Python file, in order of position."""
    if _DEEP_LINE.search(source) and _indent_levels(source) > MAX_INDENT_LEVELS:
        return FileScan(
            path, problems=(f"indented more than {MAX_INDENT_LEVELS} blocks deep: not scanned",)
        )
    parser, query = _parser()
    tree = parser.parse(source)
    root = tree.root_node
    problems: list[str] = []
    error_line = _syntax_error_line(root)
    if error_line is not None:
        problems.append(f"line {error_line}: syntax error (the rest of the file is still scanned)")
    file = _File(path, source, root)
    exports: tuple[Export, ...] = ()
    try:
        file.collect(root, query)
        for call, callee, is_method in file.calls:
            if is_method and (callee in ("table", "from_", "rpc") or callee in BUCKET_METHODS):
                file.chain(call, callee)
            if callee in SQL_METHODS or callee in SQL_WRAPPERS:
                file.sql(call, callee, is_method)
        for call in file.opcalls:
            file.continued(call)
        exports = file.exports()
    except _TooDeep:
        file.incomplete = True
    if file.incomplete:
        problems.append("nested too deeply to scan completely (what was read is kept)")
    # a constant's SQL used by two calls is one place in the file
    references = sorted(dict.fromkeys(file.references), key=lambda r: (r.line, r.column))
    return FileScan(path, tuple(references), exports, tuple(problems))
