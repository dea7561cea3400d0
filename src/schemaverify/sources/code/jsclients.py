"""What a JavaScript/TypeScript file shows about its names: constants, imports and the
Supabase clients its code creates, read from the tree-sitter tree of one file.

The scanner asks two questions of a name it meets in a database call: which literal does
it stand for (`from(TABLE)` with `const TABLE = 'orders'`), and who does a client run as
(`supabase` initialised from `createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)`).
Both are answered only from what the file spells: a `const` (never a `let`, a parameter or
a call result) for literals; for clients, the key argument of the library constructor,
followed through same-file variables and factory functions, and otherwise the import the
client came from, which scan.py resolves against the exporting file.

Scopes are read lazily: the bindings of a block, a function's parameters or the module are
collected the first time a lookup passes through it, so a file costs in proportion to the
calls it makes to the database, not to its size.  Every walk is iterative or bounded by
`MAX_DEPTH`: the tree comes from untrusted code.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tree_sitter import Node

from schemaverify.model.usage import Export
from schemaverify.sources.code import keys

MAX_DEPTH = 16
"""How many indirections (a const naming a const, a factory calling a factory) are followed;
real code needs two or three."""

MAX_ANCESTORS = 2_000
"""Bound of the loops that unwrap nested wrappers (`((((x))))`): hostile input only."""

MAX_DESCENT = 1_000
"""Levels a lookup descends through to find a node's scopes.  Real code is far shallower;
code nested deeper leaves its names unresolved (reported once) rather than slow a scan."""

WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "await_expression",
        "type_assertion",
    }
)
"""Expressions that do not change which value (or client) they stand for."""

FUNCTIONS = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function",
        "function_declaration",
        "generator_function",
        "generator_function_declaration",
        "method_definition",
    }
)
_BLOCKS = frozenset({"program", "statement_block", "switch_body", "class_body"})
_LOOPS = frozenset({"for_statement", "for_in_statement", "catch_clause"})
SCOPES = FUNCTIONS | _BLOCKS | _LOOPS
_NOT_RETURNS = FUNCTIONS | frozenset({"class_declaration", "class", "abstract_class_declaration"})

CONSTRUCTORS_WITH_KEY = frozenset({"createClient", "createServerClient"})
"""Library constructors whose second argument is the API key."""
BROWSER_CONSTRUCTORS = frozenset(
    {
        "createBrowserClient",
        "createClientComponentClient",
        "createPagesBrowserClient",
        "createBrowserSupabaseClient",
    }
)
"""Constructors of clients that run in the browser: anon or publishable key by design."""
HELPER_CONSTRUCTORS = frozenset(
    {
        "createRouteHandlerClient",
        "createServerComponentClient",
        "createServerActionClient",
        "createMiddlewareClient",
        "createPagesServerClient",
        "createServerSupabaseClient",
    }
)
"""@supabase/auth-helpers constructors: they take the anon key from the environment unless
given `supabaseKey`."""
CONSTRUCTORS = CONSTRUCTORS_WITH_KEY | BROWSER_CONSTRUCTORS | HELPER_CONSTRUCTORS

FOREIGN_MODULES = ("knex", "kysely", "drizzle-orm", "objection", "@mikro-orm", "typeorm")
"""Query builders with a `.from()` of their own: a root from them is no Supabase client."""
FOREIGN_CALLEES = frozenset({"knex", "Knex", "drizzle", "Kysely", "kysely", "trx"})
"""Constructors of those builders, and the names code gives their instances."""

_ENV_OBJECTS = frozenset({"process.env", "import.meta.env", "Bun.env", "env", "context.env"})


@dataclass(frozen=True)
class Binding:
    kind: str
    """`const`, `let`, `var`, `function`, `import`, `namespace`, `require`, `env` (a name
    destructured from `process.env`: `imported` is the variable), or `opaque` (a
    parameter, another destructured name, a class: nothing to follow)."""
    node: Node | None = None
    """The declarator or function declaration."""
    value: Node | None = None
    """A declarator's initialiser."""
    module: str | None = None
    """An import's specifier as written."""
    imported: str | None = None
    """The imported name (`default` for a default import)."""


@dataclass(frozen=True)
class ClientInfo:
    privilege: str = "unknown"
    client: tuple[str, str] | None = None
    is_client: bool = False
    """The expression is known to be (or to make) a Supabase client."""
    foreign: bool = False
    """The expression comes from another query builder (knex, drizzle, ...)."""


UNKNOWN = ClientInfo()


def text_of(node: Node | None) -> str:
    if node is None:
        return ""
    raw = node.text
    return raw.decode("utf-8", "replace") if raw is not None else ""


def named(node: Node) -> list[Node]:
    """Named children without comments, which tree-sitter places anywhere."""
    return [c for c in node.named_children if c.type != "comment"]


def unwrap(node: Node) -> Node:
    for _ in range(MAX_ANCESTORS):
        if node.type not in WRAPPERS:
            return node
        children = named(node)
        if not children:
            return node
        # `<T>value` puts the type first; every other wrapper puts the value first.
        node = children[-1] if node.type == "type_assertion" else children[0]
    return node


def decode_escape(escape: str) -> str:
    """The character a JavaScript escape sequence stands for (`\\n`, `\\u{1F600}`)."""
    body = escape[1:]
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    if body in simple:
        return simple[body]
    if body[:1] in ("x", "u"):
        digits = body[1:].strip("{}")
        try:
            return chr(int(digits, 16))
        except (ValueError, OverflowError):
            return body
    if body[:1] in ("\n", "\r", "\u2028", "\u2029"):
        return ""  # a line continuation
    return body


@dataclass(frozen=True)
class Segment:
    """A piece of a string or template literal's value, and where the code spells it."""

    text: str
    start_byte: int
    end_byte: int
    raw: bool
    """The text is the source's own (each character where the code has it), not a decoded
    escape or a substitution."""
    substitution: bool = False
    """A `${...}`: its text is empty, the host decides what stands in for it."""


def string_segments(node: Node) -> list[Segment]:
    """The pieces of a string or template literal.  Gaps between children are raw text, so
    the result does not depend on whether a grammar version emits `string_fragment`."""
    raw = node.text or b""
    base = node.start_byte
    end = len(raw) - 1  # the closing quote or backtick
    pos = 1
    out: list[Segment] = []
    for child in node.children:
        start = child.start_byte - base
        if start < pos or child.type in ('"', "'", "`"):
            continue
        if start > pos:
            out.append(
                Segment(raw[pos:start].decode("utf-8", "replace"), base + pos, base + start, True)
            )
        stop = child.end_byte - base
        if child.type == "escape_sequence":
            value = decode_escape(raw[start:stop].decode("utf-8", "replace"))
            out.append(Segment(value, base + start, base + stop, False))
        elif child.type == "template_substitution":
            out.append(Segment("", base + start, base + stop, False, True))
        else:
            out.append(
                Segment(raw[start:stop].decode("utf-8", "replace"), base + start, base + stop, True)
            )
        pos = stop
    if end > pos:
        out.append(Segment(raw[pos:end].decode("utf-8", "replace"), base + pos, base + end, True))
    return out


def literal_value(node: Node) -> str | None:
    """The value of a string, or of a template without substitutions."""
    if node.type not in ("string", "template_string"):
        return None
    if node.child_count == 3:
        middle = node.child(1)
        if middle is not None and middle.type == "string_fragment":
            return text_of(middle)  # the common case: nothing to decode
    pieces = string_segments(node)
    if any(piece.substitution for piece in pieces):
        return None
    return "".join(piece.text for piece in pieces)


def _pattern_names(pattern: Node) -> list[str]:
    """The names a destructuring pattern or parameter binds (types and defaults skipped)."""
    names: list[str] = []
    stack = [pattern]
    while stack and len(names) < 10_000:
        node = stack.pop()
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            names.append(text_of(node))
            continue
        if kind in ("required_parameter", "optional_parameter"):
            inner = node.child_by_field_name("pattern")
            if inner is not None:
                stack.append(inner)
            continue
        if kind in ("assignment_pattern", "object_assignment_pattern"):
            inner = node.child_by_field_name("left")
            if inner is not None:
                stack.append(inner)
            continue
        if kind == "pair_pattern":
            inner = node.child_by_field_name("value")
            if inner is not None:
                stack.append(inner)
            continue
        if kind in (
            "object_pattern",
            "array_pattern",
            "rest_pattern",
            "formal_parameters",
        ):
            stack.extend(named(node))
    return names


class Names:
    """Lookups of the names of one file's tree."""

    def __init__(self, root: Node, returns: list[Node] | None = None) -> None:
        self.root = root
        self._returns = returns
        self._scopes: dict[int, dict[str, Binding]] = {}
        self._chains: dict[int, tuple[Node, ...]] = {root.id: (root,)}
        """Each scope met so far (by id), with the scopes enclosing it, innermost first."""
        self._known: list[tuple[int, int, int]] = []
        """(start byte, -end byte, id) of those scopes, sorted: the innermost known scope
        enclosing a position is the last one starting before it, or one of its own."""
        self._by_function: dict[int, list[Node]] | None = None
        self.too_deep: int | None = None
        """The line of the first place nested beyond `MAX_DESCENT`: names are not followed
        from then on."""
        self._factories: dict[int, ClientInfo] = {}
        self._active: set[int] = set()

    # -- scopes ---------------------------------------------------------------

    def lookup(self, name: str, at: Node) -> Binding | None:
        """The binding `name` has where `at` stands: the innermost scope declaring it."""
        for scope in self._scope_chain(at):
            found = self._bindings(scope).get(name)
            if found is not None:
                return found
        return None

    def _scope_chain(self, at: Node) -> tuple[Node, ...]:
        """The scopes enclosing `at`, innermost first.

        Found by descending from the innermost scope already known to enclose `at`, never
        by walking up: tree-sitter finds a node's parent by descending from the root, so
        walking up costs depth squared, and hostile code can be deep.  Every scope met on
        the way down is remembered with its own chain."""
        if self.too_deep is not None:
            return ()
        start, end = at.start_byte, at.end_byte
        index = bisect.bisect_right(self._known, (start, -end, 1 << 62)) - 1
        chain: tuple[Node, ...] = (self.root,)
        if index >= 0:
            candidate = self._chains[self._known[index][2]]
            for offset, scope in enumerate(candidate):
                if scope.start_byte <= start and end <= scope.end_byte:
                    chain = candidate[offset:]
                    break
        base = chain[0]
        if base.id == at.id:
            return chain[1:]
        cursor = base.walk()
        for _ in range(MAX_DESCENT):
            if cursor.goto_first_child_for_byte(start) is None:
                return chain
            node = cursor.node
            if node is None:
                return chain
            while node.end_byte < end or node.start_byte > start:
                # An earlier sibling ending where `at` starts, or a zero-width node.
                if not cursor.goto_next_sibling():
                    return chain
                node = cursor.node
                if node is None or node.start_byte > start:
                    return chain
            if node.id == at.id:
                return chain
            if node.type in SCOPES:
                chain = (node, *chain)
                self._remember(node, chain)
        self.too_deep = at.start_point[0] + 1
        return ()

    def _remember(self, scope: Node, chain: tuple[Node, ...]) -> None:
        if scope.id in self._chains:
            return
        self._chains[scope.id] = chain
        bisect.insort(self._known, (scope.start_byte, -scope.end_byte, scope.id))

    def _bindings(self, scope: Node) -> dict[str, Binding]:
        cached = self._scopes.get(scope.id)
        if cached is not None:
            return cached
        out: dict[str, Binding] = {}
        kind = scope.type
        if kind in FUNCTIONS:
            params = scope.child_by_field_name("parameters")
            if params is None:
                params = scope.child_by_field_name("parameter")
            if params is not None:
                for name in _pattern_names(params):
                    out[name] = Binding("opaque")
        elif kind in _LOOPS:
            for child in named(scope):
                if child.type in ("lexical_declaration", "variable_declaration"):
                    self._declaration(child, out, opaque=True)
                elif child.type in ("identifier", "object_pattern", "array_pattern"):
                    for name in _pattern_names(child):
                        out[name] = Binding("opaque")
        else:
            for child in named(scope):
                self._statement(child, out)
        self._scopes[scope.id] = out
        return out

    def _statement(self, node: Node, out: dict[str, Binding]) -> None:
        kind = node.type
        if kind == "export_statement":
            inner = node.child_by_field_name("declaration")
            if inner is not None:
                self._statement(inner, out)
            return
        if kind in ("lexical_declaration", "variable_declaration"):
            self._declaration(node, out, opaque=False)
        elif kind in ("function_declaration", "generator_function_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                out[text_of(name)] = Binding("function", node)
        elif kind in ("class_declaration", "abstract_class_declaration", "enum_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                out[text_of(name)] = Binding("opaque")
        elif kind == "import_statement":
            self._import(node, out)

    def _declaration(self, node: Node, out: dict[str, Binding], *, opaque: bool) -> None:
        keyword = node.child(0)
        kind = "var" if node.type == "variable_declaration" else text_of(keyword)
        if kind not in ("const", "let", "var"):
            kind = "let"  # `using`, `await using`: not constants
        for declarator in named(node):
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if name is None:
                continue
            if name.type == "identifier":
                if opaque:
                    out[text_of(name)] = Binding("opaque")
                    continue
                module = _required(value)
                if module is not None:
                    out[text_of(name)] = Binding("require", declarator, value, module, "default")
                else:
                    out[text_of(name)] = Binding(kind, declarator, value)
                continue
            if (
                not opaque
                and name.type == "object_pattern"
                and value is not None
                and _env_object(value)
            ):
                _env_names(name, declarator, value, out)  # const { KEY } = process.env
                continue
            module = None if opaque else _required(value)
            if module is not None and name.type == "object_pattern":
                for member in named(name):
                    if member.type == "shorthand_property_identifier_pattern":
                        key = text_of(member)
                        out[key] = Binding("require", declarator, value, module, key)
                    elif member.type == "pair_pattern":
                        key_node = member.child_by_field_name("key")
                        local = member.child_by_field_name("value")
                        if (
                            key_node is not None
                            and local is not None
                            and local.type == "identifier"
                        ):
                            out[text_of(local)] = Binding(
                                "require", declarator, value, module, text_of(key_node)
                            )
                    else:
                        for local_name in _pattern_names(member):
                            out[local_name] = Binding("opaque")
                continue
            for local_name in _pattern_names(name):
                out[local_name] = Binding("opaque")

    def _import(self, node: Node, out: dict[str, Binding]) -> None:
        if any(child.type == "type" for child in node.children):
            return  # `import type { X }`: no value
        source = node.child_by_field_name("source")
        if source is None:
            return
        module = literal_value(source)
        if module is None:
            return
        for clause in named(node):
            if clause.type != "import_clause":
                continue
            for part in named(clause):
                if part.type == "identifier":
                    out[text_of(part)] = Binding("import", part, None, module, "default")
                elif part.type == "namespace_import":
                    for local in named(part):
                        out[text_of(local)] = Binding("namespace", part, None, module, None)
                elif part.type == "named_imports":
                    for spec in named(part):
                        if spec.type != "import_specifier":
                            continue
                        if any(child.type == "type" for child in spec.children):
                            continue
                        imported = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias")
                        if imported is None:
                            continue
                        imported_name = literal_value(imported) or text_of(imported)
                        local_name = text_of(alias if alias is not None else imported)
                        out[local_name] = Binding("import", spec, None, module, imported_name)

    # -- literals -------------------------------------------------------------

    def literal(self, expr: Node, depth: int = 0) -> Node | None:
        """The string or template literal an expression stands for, through same-file
        `const`s and constant object members; None when the code does not show one."""
        expr = unwrap(expr)
        kind = expr.type
        if kind in ("string", "template_string"):
            return expr
        if depth >= MAX_DEPTH:
            return None
        if kind == "identifier":
            binding = self.lookup(text_of(expr), expr)
            if binding is None or binding.kind != "const" or binding.value is None:
                return None
            return self.literal(binding.value, depth + 1)
        if kind in ("member_expression", "subscript_expression"):
            value = self._member(expr, depth)
            return None if value is None else self.literal(value, depth + 1)
        return None

    def string(self, expr: Node) -> str | None:
        literal = self.literal(expr)
        return None if literal is None else literal_value(literal)

    def _object(self, expr: Node, depth: int) -> Node | None:
        expr = unwrap(expr)
        if depth >= MAX_DEPTH:
            return None
        kind = expr.type
        if kind == "object":
            return expr
        if kind == "identifier":
            binding = self.lookup(text_of(expr), expr)
            if binding is None or binding.kind != "const" or binding.value is None:
                return None
            return self._object(binding.value, depth + 1)
        if kind in ("member_expression", "subscript_expression"):
            value = self._member(expr, depth)
            return None if value is None else self._object(value, depth + 1)
        if kind == "call_expression" and text_of(expr.child_by_field_name("function")) in (
            "Object.freeze",
        ):
            args = expr.child_by_field_name("arguments")
            first = named(args) if args is not None else []
            return self._object(first[0], depth + 1) if first else None
        return None

    def _member(self, expr: Node, depth: int) -> Node | None:
        """The value node of `OBJ.key` / `OBJ['key']` for a constant object literal."""
        obj = expr.child_by_field_name("object")
        if expr.type == "member_expression":
            prop = expr.child_by_field_name("property")
            if prop is None or prop.type != "property_identifier":
                return None
            key = text_of(prop)
        else:
            index = expr.child_by_field_name("index")
            key_value = None if index is None else self.string(index)
            if key_value is None:
                return None
            key = key_value
        if obj is None:
            return None
        literal = self._object(obj, depth + 1)
        if literal is None:
            return None
        found: Node | None = None
        for member in named(literal):
            if member.type == "spread_element":
                found = None  # a later spread may override any earlier key
                continue
            if member.type == "pair":
                key_node = member.child_by_field_name("key")
                if key_node is not None and property_key(key_node) == key:
                    found = member.child_by_field_name("value")
            elif member.type == "shorthand_property_identifier" and text_of(member) == key:
                found = member
        if found is not None and found.type == "shorthand_property_identifier":
            binding = self.lookup(key, found)
            if binding is None or binding.kind != "const" or binding.value is None:
                return None
            return binding.value
        return found

    # -- clients --------------------------------------------------------------

    def client(self, expr: Node, depth: int = 0) -> ClientInfo:
        """Who a client expression runs as, or where it came from."""
        expr = unwrap(expr)
        if depth >= MAX_DEPTH:
            return UNKNOWN
        kind = expr.type
        if kind == "call_expression":
            return self._call(expr, depth)
        if kind == "identifier":
            name = text_of(expr)
            binding = self.lookup(name, expr)
            if binding is None:
                return UNKNOWN
            if binding.kind in ("import", "require"):
                return _imported(binding, binding.imported or "default")
            if binding.kind in ("const", "let", "var") and binding.value is not None:
                return self.client(binding.value, depth + 1)
            return UNKNOWN
        if kind == "member_expression":
            obj = expr.child_by_field_name("object")
            prop = expr.child_by_field_name("property")
            if obj is not None and prop is not None and unwrap(obj).type == "identifier":
                binding = self.lookup(text_of(unwrap(obj)), obj)
                if binding is not None and binding.kind in ("namespace", "require"):
                    return _imported(binding, text_of(prop))
        return UNKNOWN

    def _call(self, call: Node, depth: int) -> ClientInfo:
        function = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        arguments = named(args) if args is not None and args.type == "arguments" else []
        if function is None:
            return UNKNOWN
        function = unwrap(function)
        if function.type == "call_expression" and _foreign_module(_required(function)):
            return ClientInfo(foreign=True)  # require('knex')(config)
        if function.type == "identifier":
            name = text_of(function)
            binding = self.lookup(name, function)
            if binding is None:
                if name in CONSTRUCTORS:
                    return self._constructor(name, arguments)
                if name in FOREIGN_CALLEES:
                    return ClientInfo(foreign=True)
                return UNKNOWN
            if binding.kind in ("import", "require"):
                imported = binding.imported or "default"
                if _supabase_module(binding.module):
                    if imported in CONSTRUCTORS:
                        return self._constructor(imported, arguments)
                    return UNKNOWN
                return _imported(binding, imported)
            if binding.kind == "function" and binding.node is not None:
                return self.factory(binding.node, depth + 1)
            if binding.kind in ("const", "let", "var") and binding.value is not None:
                value = unwrap(binding.value)
                if value.type in FUNCTIONS:
                    return self.factory(value, depth + 1)
            return UNKNOWN
        if function.type == "member_expression":
            prop = text_of(function.child_by_field_name("property"))
            obj = function.child_by_field_name("object")
            binding = None
            if obj is not None and unwrap(obj).type == "identifier":
                binding = self.lookup(text_of(unwrap(obj)), obj)
            if binding is not None and binding.kind in ("namespace", "require"):
                if _supabase_module(binding.module):
                    if prop in CONSTRUCTORS:
                        return self._constructor(prop, arguments)
                    return UNKNOWN
                return _imported(binding, prop)
            if prop in CONSTRUCTORS:
                return self._constructor(prop, arguments)  # `supabase.createClient` (UMD)
        return UNKNOWN

    def _constructor(self, name: str, arguments: list[Node]) -> ClientInfo:
        if name in BROWSER_CONSTRUCTORS:
            return ClientInfo("public", is_client=True)
        if name in HELPER_CONSTRUCTORS:
            key = _option(arguments[-1], "supabaseKey") if arguments else None
            return ClientInfo("public" if key is None else self.key(key), is_client=True)
        if len(arguments) < 2:
            return ClientInfo(is_client=True)
        return ClientInfo(self.key(arguments[1]), is_client=True)

    def key(self, expr: Node, depth: int = 0) -> str:
        """The privilege an API-key expression shows: by the environment variable it reads
        (named like SERVICE_ROLE or SECRET, ANON or PUBLISHABLE) or the key's own text."""
        expr = unwrap(expr)
        if depth >= MAX_DEPTH:
            return "unknown"
        kind = expr.type
        if kind in ("string", "template_string"):
            value = literal_value(expr)
            return "unknown" if value is None else keys.by_value(value)
        if kind == "member_expression":
            obj = expr.child_by_field_name("object")
            prop = expr.child_by_field_name("property")
            if obj is not None and prop is not None and _env_object(obj):
                return keys.by_name(text_of(prop))
            return "unknown"
        if kind == "subscript_expression":
            obj = expr.child_by_field_name("object")
            index = expr.child_by_field_name("index")
            if obj is not None and index is not None and _env_object(obj):
                name = self.string(index)
                return "unknown" if name is None else keys.by_name(name)
            return "unknown"
        if kind == "call_expression":
            function = expr.child_by_field_name("function")
            args = expr.child_by_field_name("arguments")
            if (
                function is not None
                and "".join(text_of(function).split()) == "Deno.env.get"
                and args is not None
            ):
                first = named(args)
                name = self.string(first[0]) if first else None
                return "unknown" if name is None else keys.by_name(name)
            return "unknown"
        if kind == "identifier":
            binding = self.lookup(text_of(expr), expr)
            if binding is None:
                return "unknown"
            if binding.kind == "import" and (binding.module or "").startswith("$env/"):
                return keys.by_name(binding.imported or "")
            if binding.kind == "env":
                return keys.by_name(binding.imported or "")
            if binding.kind in ("const", "let", "var") and binding.value is not None:
                return self.key(binding.value, depth + 1)
            return "unknown"
        if kind == "binary_expression":
            operator = expr.child_by_field_name("operator")
            if text_of(operator) in ("??", "||"):
                for side in ("left", "right"):
                    part = expr.child_by_field_name(side)
                    if part is not None:
                        found = self.key(part, depth + 1)
                        if found != "unknown":
                            return found
        return "unknown"

    def factory(self, function: Node, depth: int = 0) -> ClientInfo:
        """Who the clients a same-file function returns run as: one privilege only when
        every `return` agrees."""
        cached = self._factories.get(function.id)
        if cached is not None:
            return cached
        if function.id in self._active or depth >= MAX_DEPTH:
            return UNKNOWN
        self._active.add(function.id)
        try:
            values = self._returned(function)
            results = [self.client(value, depth + 1) for value in values]
        finally:
            self._active.discard(function.id)
        info = combine(results)
        self._factories[function.id] = info
        return info

    def _returned(self, function: Node) -> list[Node]:
        """`returned(function)`, from the file's return statements when the scanner's
        query has found them (in C, with the calls): walking each exported function's
        body in Python would cost more than the rest of the scan."""
        if self._returns is None:
            return returned(function)
        body = function.child_by_field_name("body")
        if body is None or body.type != "statement_block":
            return returned(function)
        if self._by_function is None:
            self._by_function = {}
            for statement in self._returns:
                owner = next(
                    (scope for scope in self._scope_chain(statement) if scope.type in FUNCTIONS),
                    None,
                )
                if self.too_deep is not None:
                    return []
                inner = named(statement)
                if owner is not None and inner:
                    self._by_function.setdefault(owner.id, []).append(inner[0])
        return self._by_function.get(function.id, [])

    # -- module ---------------------------------------------------------------

    def exports(self, use_client: bool) -> tuple[Export, ...]:
        """The clients and client factories the module exports, with a privilege shown."""
        out: list[Export] = []
        for statement in named(self.root):
            if statement.type != "export_statement":
                continue
            if statement.child_by_field_name("source") is not None:
                continue  # a re-export: the other module's business
            default = any(child.type == "default" for child in statement.children)
            declaration = statement.child_by_field_name("declaration")
            value = statement.child_by_field_name("value")
            found: list[tuple[str, ClientInfo]] = []
            if declaration is not None:
                if declaration.type in FUNCTIONS:
                    name = declaration.child_by_field_name("name")
                    label = "default" if default or name is None else text_of(name)
                    found.append((label, self.factory(declaration)))
                elif declaration.type in ("lexical_declaration", "variable_declaration"):
                    for declarator in named(declaration):
                        name = declarator.child_by_field_name("name")
                        init = declarator.child_by_field_name("value")
                        if name is None or name.type != "identifier" or init is None:
                            continue
                        found.append((text_of(name), self._exported_value(init)))
            elif value is not None:
                found.append(("default", self._exported_value(value)))
            else:
                for clause in named(statement):
                    if clause.type != "export_clause":
                        continue
                    for spec in named(clause):
                        local = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias")
                        if local is None:
                            continue
                        label = text_of(alias if alias is not None else local)
                        found.append((label, self._exported_value(local)))
            for label, info in found:
                privilege = info.privilege
                if use_client and info.is_client and privilege != "service":
                    privilege = "public"
                if privilege != "unknown":
                    out.append(Export(label, privilege))
        return tuple(out)

    def _exported_value(self, value: Node) -> ClientInfo:
        value = unwrap(value)
        if value.type in FUNCTIONS:
            return self.factory(value)
        if value.type == "identifier":
            binding = self.lookup(text_of(value), value)
            if binding is not None and binding.kind == "function" and binding.node is not None:
                return self.factory(binding.node)
            if binding is not None and binding.kind in ("const", "let", "var"):
                init = binding.value
                if init is not None and unwrap(init).type in FUNCTIONS:
                    return self.factory(unwrap(init))
        return self.client(value)


def _env_names(pattern: Node, declarator: Node, value: Node, out: dict[str, Binding]) -> None:
    """The bindings of `const { SUPABASE_SERVICE_ROLE_KEY: key } = process.env`."""
    for member in named(pattern):
        if member.type == "shorthand_property_identifier_pattern":
            key = text_of(member)
            out[key] = Binding("env", declarator, value, None, key)
        elif member.type == "pair_pattern":
            key_node = member.child_by_field_name("key")
            local = member.child_by_field_name("value")
            if key_node is not None and local is not None:
                key = property_key(key_node) or ""
                for local_name in _pattern_names(local):
                    out[local_name] = Binding("env", declarator, value, None, key)
        else:
            for local_name in _pattern_names(member):
                out[local_name] = Binding("opaque")


def returned(function: Node) -> list[Node]:
    """The values a function returns, not counting those of functions nested in it."""
    body = function.child_by_field_name("body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]  # an arrow function's expression body
    values: list[Node] = []
    stack = [body]
    visited = 0
    while stack and visited < 100_000:
        node = stack.pop()
        visited += 1
        for child in node.named_children:
            if child.type in _NOT_RETURNS:
                continue
            if child.type == "return_statement":
                inner = named(child)
                if inner:
                    values.append(inner[0])
                continue
            stack.append(child)
    return values


def combine(results: list[ClientInfo]) -> ClientInfo:
    if not results:
        return UNKNOWN
    privileges = {r.privilege for r in results}
    is_client = any(r.is_client for r in results)
    if len(privileges) == 1 and "unknown" not in privileges:
        return ClientInfo(results[0].privilege, None, is_client)
    clients = {r.client for r in results}
    if len(clients) == 1 and privileges == {"unknown"}:
        return ClientInfo("unknown", results[0].client, is_client, results[0].foreign)
    return ClientInfo("unknown", None, is_client)


def property_key(node: Node) -> str | None:
    """The name an object key spells (`a`, `'a'`, `"a"`); None for computed keys."""
    if node.type in ("property_identifier", "identifier"):
        return text_of(node)
    if node.type == "string":
        return literal_value(node)
    return None


def _env_object(node: Node) -> bool:
    return "".join(text_of(unwrap(node)).split()) in _ENV_OBJECTS


def _option(node: Node, key: str) -> Node | None:
    node = unwrap(node)
    if node.type != "object":
        return None
    for member in named(node):
        if member.type == "pair":
            key_node = member.child_by_field_name("key")
            if key_node is not None and property_key(key_node) == key:
                return member.child_by_field_name("value")
    return None


def _required(value: Node | None) -> str | None:
    """The module of `require('m')` (CommonJS import)."""
    if value is None:
        return None
    value = unwrap(value)
    if value.type != "call_expression":
        return None
    function = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if function is None or text_of(function) != "require" or args is None:
        return None
    first = named(args)
    return literal_value(first[0]) if len(first) == 1 else None


def _supabase_module(module: str | None) -> bool:
    """`@supabase/supabase-js`, `@supabase/ssr`, and their Deno spellings
    (`npm:@supabase/supabase-js@2`, `https://esm.sh/@supabase/supabase-js@2`)."""
    return module is not None and "@supabase/" in module


def _foreign_module(module: str | None) -> bool:
    if module is None:
        return False
    return any(module == name or module.startswith(name + "/") for name in FOREIGN_MODULES)


def _imported(binding: Binding, imported: str) -> ClientInfo:
    module = binding.module or ""
    if _foreign_module(module):
        return ClientInfo(foreign=True)
    lowered = (module + " " + imported).lower()
    likely = "supabase" in lowered or "client" in lowered
    return ClientInfo("unknown", (module, imported), likely)
