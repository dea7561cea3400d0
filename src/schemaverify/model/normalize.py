"""Canonical spellings of types, expressions, index keys and FK actions.

A spec says `timestamptz`, `varchar(255)` and `status = 'pending'`; PostgreSQL
says `timestamp with time zone`, `character varying(255)` and
`((status)::text = 'pending'::text)`.  Both mean the same thing, so both edges
of a comparison (the spec loader and the catalog reader) call these functions
once while building model objects, and the diff compares plain strings.

Nothing here touches a database; the rules mirror what PostgreSQL prints
(`format_type`, `pg_get_expr`) so that the catalog's text is the fixed point.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokenizer_core import TokenType

from schemaverify.model import shapes
from schemaverify.model.schema import FK_ACTIONS, IndexKey, TypeRef

_DIALECT = "postgres"

# --- identifiers ----------------------------------------------------------


# PostgreSQL folds only the ASCII letters of an unquoted name (in a multi-byte encoding
# such as UTF8, which every Supabase database uses): `CREATE TABLE ÜberTisch` makes
# "Übertisch".  str.lower() would fold the Ü too and never match.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def identifier(text: str) -> str:
    """PostgreSQL folds unquoted names to lower case (ASCII letters only); quoting
    preserves them exactly."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty identifier")
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"'):
            raise ValueError(f"unbalanced double quote in identifier {raw!r}")
        inner = raw[1:-1]
        if re.search(r'(?<!")"(?!")', inner.replace('""', "")):
            raise ValueError(f"stray double quote inside identifier {raw!r}")
        inner = inner.replace('""', '"')
        if not inner:
            raise ValueError('empty quoted identifier ""')
        return inner
    if '"' in raw:
        raise ValueError(f"stray double quote in identifier {raw!r}")
    return raw.translate(_ASCII_LOWER)


# --- types ----------------------------------------------------------------

# Internal type names (pg_type.typname) -> pg_catalog.format_type() spelling.  These are
# the only names a *quoted* type may use: quoting bypasses the SQL grammar's
# keywords, so `"int4"` is integer but `"int"` is no type at all, and `"char"`
# is PostgreSQL's one-byte internal type, not `character`.
_TYPNAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "bool": "boolean",
    "float4": "real",
    "float8": "double precision",
    "varchar": "character varying",
    "bpchar": "character",
    "varbit": "bit varying",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
    "timetz": "time with time zone",
}

# Unquoted spellings the SQL grammar (or common usage) accepts.
_ALIASES = {
    **_TYPNAMES,
    "int": "integer",
    "integer": "integer",
    "smallint": "smallint",
    "bigint": "bigint",
    "boolean": "boolean",
    "real": "real",
    "float": "double precision",
    "double precision": "double precision",
    "decimal": "numeric",
    "dec": "numeric",
    "numeric": "numeric",
    "character varying": "character varying",
    "char varying": "character varying",
    "char": "character",
    "character": "character",
    "bit varying": "bit varying",
    "timestamp with time zone": "timestamp with time zone",
    "timestamp without time zone": "timestamp without time zone",
    "time with time zone": "time with time zone",
    "time without time zone": "time without time zone",
    # serial types are integer columns with a sequence default; the default is
    # checked separately, so the type is just the integer.
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
}

_INTERVAL_FIELDS = {"year", "month", "day", "hour", "minute", "second", "to"}

_NAME_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*)|(\.))')
_ARRAY_SUFFIX = re.compile(r"\s*\[\s*\d*\s*\]\s*$")
_ARRAY_KEYWORD = re.compile(r"\s+array\s*(?:\[\s*\d*\s*\])?\s*$", re.IGNORECASE)
_MODIFIER = re.compile(r"\s*[A-Za-z0-9_+\-]+\s*(?:,\s*[A-Za-z0-9_+\-]+\s*)*")


TYPE_SPELLINGS = frozenset(_ALIASES)
"""Every unquoted spelling of a built-in type that parse_type maps to its canonical name."""


def parse_type(text: str) -> TypeRef:
    """Canonical TypeRef of a type written in a spec or returned by pg_catalog.format_type()."""
    return parse_qualified_type(text)[0]


def parse_qualified_type(text: str) -> tuple[TypeRef, str | None]:
    """parse_type, and the schema the text names (`public` of `public.mood`), or None."""
    rest = text.strip()
    if not rest:
        raise ValueError("empty type")
    dims = 0
    while True:
        match = _ARRAY_SUFFIX.search(rest) or _ARRAY_KEYWORD.search(rest)
        if match is None:
            break
        dims += 1
        rest = rest[: match.start()].rstrip()
    if not rest:
        raise ValueError(f"type {text.strip()!r} has array brackets but no element type")

    modifier: str | None = None
    if "(" in rest or ")" in rest:
        match = re.fullmatch(r"([^()]*)\(([^()]*)\)([^()]*)", rest)
        if match is None:
            raise ValueError(
                f"cannot read type {text.strip()!r}: expected one '(modifier)' group, "
                "e.g. numeric(10,2)"
            )
        head, raw_mod, tail = match.groups()
        if not _MODIFIER.fullmatch(raw_mod):
            raise ValueError(
                f"invalid type modifier ({raw_mod.strip()}) in {text.strip()!r}: "
                "expected numbers or words separated by commas"
            )
        modifier = re.sub(r"\s+", "", raw_mod).lower()
        rest = f"{head} {tail}"

    name, quoted, schema = _type_name(rest, text.strip())
    if not quoted and name in ("float", "double precision") and modifier is not None:
        # float(p) is SQL-standard precision in bits: real up to 24, double above.
        if not modifier.isdigit() or not 1 <= int(modifier) <= 53:
            raise ValueError(f"float precision must be 1..53, got ({modifier})")
        return TypeRef("real" if int(modifier) <= 24 else "double precision", None, dims), schema

    table = _TYPNAMES if quoted else _ALIASES
    if name.startswith("_") and len(name) > 1 and " " not in name:
        # `_text` is pg_type's name of the array type text[].
        dims += 1
        name = name[1:]
        table = _TYPNAMES if quoted else _ALIASES
    canonical = table.get(name, name)
    if (
        not quoted
        and " " in canonical
        and canonical not in _ALIASES.values()
        and not _is_interval(canonical)
    ):
        raise ValueError(f"unknown type {name!r}")
    return TypeRef(canonical, modifier, dims), schema


def _type_name(rest: str, original: str) -> tuple[str, bool, str | None]:
    """The type's own name, whether it was double-quoted, and the schema before it."""
    parts: list[tuple[str, bool]] = []
    schema: str | None = None
    pos = 0
    while pos < len(rest):
        if rest[pos:].strip() == "":
            break
        match = _NAME_TOKEN.match(rest, pos)
        if match is None:
            bad = rest[pos:].strip()[:1]
            raise ValueError(f"unexpected character {bad!r} in type {original!r}")
        quoted_text, word, dot = match.groups()
        pos = match.end()
        if dot:
            if not parts:
                raise ValueError(f"type {original!r} starts with '.'")
            schema = parts[-1][0]  # everything before the last dot was a schema (or database)
            parts = []
            continue
        if quoted_text is not None:
            if not quoted_text:
                raise ValueError(f'empty quoted name "" in type {original!r}')
            parts.append((quoted_text.replace('""', '"'), True))
        else:
            parts.append((word.lower(), False))
    if not parts:
        raise ValueError(f"type {original!r} has no name")
    if len(parts) == 1:
        return (*parts[0], schema)
    if any(quoted for _, quoted in parts):
        raise ValueError(f"cannot read type {original!r}: a quoted name must stand alone")
    return " ".join(word for word, _ in parts), False, schema


def _is_interval(name: str) -> bool:
    words = name.split()
    return words[0] == "interval" and all(w in _INTERVAL_FIELDS for w in words[1:])


# --- foreign key actions --------------------------------------------------

_FK_CODES = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}


def fk_action(text: str) -> str:
    """One of model.FK_ACTIONS from a spec word (`SET NULL`, `set_null`) or a pg_constraint code."""
    word = " ".join(re.split(r"[\s_\-]+", text.strip().lower()))
    if word in FK_ACTIONS:
        return word
    if text.strip() in _FK_CODES:
        return _FK_CODES[text.strip()]
    raise ValueError(
        f"unknown foreign key action {text.strip()!r}; expected one of: {', '.join(FK_ACTIONS)}"
    )


# --- expressions ----------------------------------------------------------
#
# Canonical form rules (each one mirrors something PostgreSQL does when it
# stores an expression, so spec text and catalog text meet in the middle):
#
#  1. Parentheses are rebuilt from the tree: every operator nested inside
#     another operator is parenthesised, as pg_get_expr does; chains of AND
#     (or of OR) are flattened.  So `a IS NULL AND b` == `((a IS NULL) AND b)`.
#  2. Casts to text / varchar / character varying (arrays included) are
#     dropped: PostgreSQL inserts them implicitly (`(status)::text`).
#  3. Casts of a string literal to any type are dropped (`'pending'::text`,
#     `'{}'::jsonb`, `'seq'::regclass`): PostgreSQL labels every untyped
#     literal with the type it resolved to.  A numeric literal PostgreSQL
#     stores as a string (`'-1'::integer`) becomes the number again.
#  4. `x = ANY (ARRAY[...])` is `x IN (...)`, and `x <> ALL (ARRAY[...])` is
#     `NOT (x IN (...))`: PostgreSQL stores IN lists as arrays.
#  5. Output-column aliases inside subqueries used as values (scalar, IN,
#     EXISTS) are dropped when nothing in the subquery can refer to them:
#     PostgreSQL adds them (`( SELECT auth.uid() AS uid)`).
#  6. Unquoted identifiers and function names are lower-cased; quotes are
#     kept only where needed (`"Active"`, `"user"`).  The schemas pg_catalog,
#     public and extensions are dropped from the names of functions, tables in
#     subqueries, types in casts, collations, operators and regclass literals
#     (`'public.orders_id_seq'::regclass`): they are always on a Supabase
#     search_path, so whether PostgreSQL prints them depends only on the
#     reader's path, which the catalog reader pins to `pg_catalog, pg_temp`
#     (every other schema then comes back qualified, as in pg_dump's output).
#  7. sqlglot's own canonical spellings apply (`now()` prints as
#     CURRENT_TIMESTAMP, keywords upper-case).
#
# The rules are applied to parsed trees, never to text, so string literals
# are never altered.

_TEXT_TYPES = {
    exp.DataType.Type.TEXT,
    exp.DataType.Type.VARCHAR,
    exp.DataType.Type.NVARCHAR,
}
_NUMERIC_TYPES = exp.DataType.NUMERIC_TYPES
_NUMBER = re.compile(r"^\s*(-)?\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")
PATH_SCHEMAS = frozenset({"pg_catalog", "public", "extensions"})
"""Schemas whose qualification carries no meaning in a comparison (rule 6)."""
_REG_TYPES = {"REGCLASS", "REGPROC", "REGPROCEDURE", "REGTYPE", "REGCOLLATION"}
_SIMPLE_NAME = re.compile(r"^[a-z_][a-z0-9_$]*$")


def expression(sql: str, strict: bool = False, names: Callable[[str], bool] | None = None) -> str:
    """Canonical text of a SQL expression (predicate, policy, default).

    strict=False is for catalog text, which must never stop a run: if sqlglot
    cannot parse it the result is the whitespace-collapsed, lower-cased text.
    strict=True is for spec input and raises ValueError with the reason.
    Results are cached by text: thousands of tables repeat the same few
    defaults and predicates, and parsing dominates the cost of a large check.

    Texts that differ only in their literals, or in the names `names` accepts (the
    relations of a catalog), share one parse: the text's shape (shapes.py) is normalized
    once and the parameters put back.  A shape is trusted only after its first text
    normalized directly gave the same result.
    """
    cached = _RESULTS.get(sql)
    if cached is not None:
        return cached
    shape = shapes.shape_of(sql, renamable(names) if names is not None else None)
    if shape is None or not shape.placeholders:
        return _expression(sql, strict)
    trusted = _SHAPES.get(shape.template, _UNSEEN)
    if trusted is _UNSEEN:
        direct = _expression(sql, strict)
        try:
            result: str | None = _expression(shape.template, True)
        except ValueError:
            result = None
        if result is not None and shape.fill(result) != direct:
            result = None
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[shape.template] = result
        if result is not None:
            _remember(direct, result, shape)
        return direct
    if trusted is None:
        return _expression(sql, strict)
    filled = shape.fill(trusted)
    if filled is None:
        return _expression(sql, strict)
    if len(_RESULTS) >= _SHAPES_KEPT:
        _RESULTS.clear()
    _RESULTS[sql] = filled
    _remember(filled, trusted, shape)
    return filled


def origin(normalized: str) -> tuple[str, shapes.Shape] | None:
    """The normalized template and the shape a result of expression() was filled from
    (None when it was computed directly): a classifier that works per shape then reads
    the shape off it instead of lexing the text again."""
    return _ORIGINS.get(normalized)


def _remember(normalized: str, template: str, shape: shapes.Shape) -> None:
    if len(_ORIGINS) >= _ORIGINS_KEPT:
        _ORIGINS.clear()
    _ORIGINS[normalized] = (template, shape)


_UNSEEN = ""
_SHAPES_KEPT = 65536
_SHAPES: dict[str, str | None] = {}
"""Normalized text of each template seen, None for one that must not be filled."""
_RESULTS: dict[str, str] = {}
"""Results obtained from a shape, by text (for the texts a check meets more than once)."""
_ORIGINS_KEPT = 262144
_ORIGINS: dict[str, tuple[str, shapes.Shape]] = {}
"""What each result obtained from a shape was filled from (see origin())."""


def renamable(names: Callable[[str], bool]) -> Callable[[str], bool]:
    """`names`, narrowed to names whose spelling cannot change how sqlglot reads a text:
    no keyword (`date`, `filter`), nothing that reads as more than a column."""

    def rename(word: str) -> bool:
        upper = word.upper()
        return (
            names(word)
            and upper not in _KEYWORDS
            and upper not in _FUNCTIONS
            and _one_name_token(word)
        )

    return rename


_TOKENIZER = Postgres().tokenizer_class()


def _one_name_token(word: str) -> bool:
    """Whether sqlglot reads `word` as one plain name (a tokenizer pass: a parse of each of
    ten thousand table names would cost more than the parses a shape saves)."""
    try:
        tokens = _TOKENIZER.tokenize(word)
    except sqlglot.errors.SqlglotError:
        return False
    return len(tokens) == 1 and tokens[0].token_type == TokenType.VAR and tokens[0].text == word


_FUNCTIONS = frozenset(name for name in Postgres.Parser.FUNCTIONS if name.isidentifier())
"""Names sqlglot may read as a function of its own even without parentheses (`if`)."""
_KEYWORDS = frozenset(
    word for key in Postgres.Tokenizer.KEYWORDS for word in key.split() if word.isidentifier()
)


@functools.lru_cache(maxsize=8192)
def _expression(sql: str, strict: bool) -> str:
    try:
        return render(parse_expression(sql))
    except ValueError:
        if strict:
            raise
    except Exception as err:  # sqlglot internals, RecursionError on absurd nesting
        if strict:
            raise ValueError(f"cannot normalize SQL expression: {err}") from None
    return " ".join(sql.split()).lower()


def parse_expression(sql: str) -> exp.Expression:
    """The normalized sqlglot tree of an expression (rules 2-6 above).

    It carries no parentheses at all (sqlglot prints subqueries, function
    calls and lists with their own), so pattern matching in access.py never
    has to look through them; expression() adds rule 1's parentheses when
    printing.  Raises ValueError when the text is not a single expression.
    """
    try:
        return _parse_normalized(sql)
    except RecursionError:
        raise ValueError("SQL expression is nested too deeply") from None


MAX_NESTING = 1000
"""Parentheses deeper than this are not parsed.  Real SQL nests a few dozen deep; the
compiled sqlglot (sqlglotc) recurses on the C stack and ends the process (a segmentation
fault, not a RecursionError) on some 7,000 nested subqueries, which a hostile database,
spec or pull request can write."""


def too_deep(sql: str, limit: int = MAX_NESTING) -> bool:
    """Whether `sql` nests parentheses or brackets deeper than `limit` (counted over the
    whole text, strings included: an over-estimate only ever refuses more)."""
    if sql.count("(") + sql.count("[") <= limit:
        return False
    depth = 0
    for char in sql:
        if char in "([":
            depth += 1
            if depth > limit:
                return True
        elif char in ")]":
            depth = max(depth - 1, 0)
    return False


def _parse_normalized(sql: str) -> exp.Expression:
    if not sql.strip():
        raise ValueError("empty SQL expression")
    if too_deep(sql):
        raise ValueError("SQL expression is nested too deeply")
    try:
        tree: exp.Expr = sqlglot.parse_one(sql, dialect=_DIALECT, into=exp.Condition)
    except sqlglot.errors.SqlglotError as err:
        raise ValueError(f"not a valid SQL expression: {_reason(err)}") from None
    if tree is None:
        raise ValueError("empty SQL expression")
    tree = _strip_parens(tree)
    tree = _drop_path_schemas(tree)
    tree = _drop_casts(tree)
    tree = _any_to_in(tree)
    tree = _between_to_range(tree)
    tree = _drop_implicit_numeric_casts(tree)
    _drop_subquery_aliases(tree)
    tree = _drop_function_schemas(tree)
    _normalize_names(tree)
    if not isinstance(tree, exp.Expression):  # every concrete sqlglot node is one
        raise ValueError(f"not a SQL expression: {sql.strip()[:40]!r}")
    return tree


def render(tree: exp.Expr) -> str:
    """Canonical text of an already normalized tree (or subtree) from parse_expression().

    Lets callers compare a part of an expression with an expression written
    elsewhere (`expression(text) == render(node)`) without re-parsing.
    """
    return _with_parens(tree).sql(dialect=_DIALECT, normalize_functions="lower")


def _reason(err: sqlglot.errors.SqlglotError) -> str:
    """sqlglot's message, minus its internals (class names, ANSI highlighting)."""
    details = getattr(err, "errors", None) or []
    if details and isinstance(details[0], dict):
        first = details[0]
        description = str(first.get("description") or "")
        if description and not description.startswith("Failed to parse"):
            col = first.get("col")
            return f"{description} (column {col})" if col else description
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    if text.startswith("Failed to parse") or not text:
        return "it is not one complete expression (unbalanced parentheses or trailing text?)"
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _replace(node: exp.Expr, new: exp.Expr, root: exp.Expr) -> exp.Expr:
    """Replace `node` by `new` in the tree; returns the (possibly new) root."""
    if node is root:
        if new.parent is not None:
            new.pop()
        return new
    node.replace(new)
    return root


def _strip_parens(tree: exp.Expr) -> exp.Expr:
    for node in list(tree.find_all(exp.Paren)):
        inner = node.this
        tree = _replace(node, inner, tree)
    return tree


def _is_text_type(dtype: exp.DataType) -> bool:
    if dtype.this in _TEXT_TYPES:
        return True
    if dtype.this == exp.DataType.Type.ARRAY and dtype.expressions:
        inner = dtype.expressions[0]
        return isinstance(inner, exp.DataType) and _is_text_type(inner)
    return False


def _drop_casts(tree: exp.Expr) -> exp.Expr:
    # Innermost first, so `'x'::text::varchar` loses both casts.
    for node in reversed(list(tree.find_all(exp.Cast))):
        target = node.args.get("to")
        inner = node.this
        if not isinstance(target, exp.DataType):
            continue
        if isinstance(inner, exp.Literal) and inner.is_string:
            number = _NUMBER.match(inner.this)
            if target.this in _NUMERIC_TYPES and number is not None:
                literal: exp.Expr = exp.Literal.number(inner.this.strip().lstrip("-").strip())
                if number.group(1):
                    literal = exp.Neg(this=literal)
                tree = _replace(node, literal, tree)
            else:
                tree = _replace(node, inner, tree)
        elif _is_text_type(target):
            tree = _replace(node, inner, tree)
        elif isinstance(inner, exp.Literal) and target.this in _NUMERIC_TYPES:
            # PostgreSQL types numeric literals to match the column
            # (`org_id IN (1, 2)` on bigint reads back as `'1'::bigint`-style
            # casts); the number itself is what the author wrote.
            tree = _replace(node, inner, tree)
        elif (
            isinstance(inner, exp.Neg)
            and isinstance(inner.this, exp.Literal)
            and target.this in _NUMERIC_TYPES
        ):
            tree = _replace(node, inner, tree)
    return tree


def _between_to_range(tree: exp.Expr) -> exp.Expr:
    """`x BETWEEN a AND b` is stored as `x >= a AND x <= b`, and `x NOT BETWEEN a AND b`
    as `x < a OR x > b`: PostgreSQL's parser rewrites both before the catalog sees them.
    BETWEEN SYMMETRIC is left alone (PostgreSQL expands it differently)."""
    for node in list(tree.find_all(exp.Between)):
        if node.args.get("symmetric"):
            continue
        low, high = node.args.get("low"), node.args.get("high")
        if low is None or high is None:
            continue
        parent = node.parent
        if isinstance(parent, exp.Not) and parent.this is node:
            new: exp.Expr = exp.or_(
                exp.LT(this=node.this.copy(), expression=low.copy()),
                exp.GT(this=node.this.copy(), expression=high.copy()),
                copy=False,
            )
            tree = _replace(parent, new, tree)
            continue
        new = exp.and_(
            exp.GTE(this=node.this.copy(), expression=low.copy()),
            exp.LTE(this=node.this.copy(), expression=high.copy()),
            copy=False,
        )
        tree = _replace(node, new, tree)
    return tree


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)


def _drop_implicit_numeric_casts(tree: exp.Expr) -> exp.Expr:
    """`cents / 100.0` on an integer column is stored as `(cents)::numeric / 100.0`:
    PostgreSQL resolves integer-and-numeric arithmetic by casting the integer side, and
    prints the cast it added.  A `::numeric` cast on one operand whose other operand is a
    decimal literal (which is numeric already) therefore adds nothing the author wrote."""
    for node in list(tree.find_all(exp.Cast)):
        target = node.args.get("to")
        parent = node.parent
        if not (
            isinstance(target, exp.DataType)
            and target.this == exp.DataType.Type.DECIMAL
            and not target.expressions
            and isinstance(parent, _ARITHMETIC)
        ):
            continue
        other = parent.expression if parent.this is node else parent.this
        if isinstance(other, exp.Literal) and not other.is_string and "." in other.this:
            tree = _replace(node, node.this, tree)
    return tree


def _any_to_in(tree: exp.Expr) -> exp.Expr:
    for node in list(tree.find_all(exp.EQ, exp.NEQ)):
        right = node.expression
        array = _array_argument(right, "ALL" if isinstance(node, exp.NEQ) else "ANY")
        if array is None:
            continue
        new: exp.Expr = exp.In(this=node.this, expressions=list(array.expressions))
        if isinstance(node, exp.NEQ):
            new = exp.Not(this=new)
        tree = _replace(node, new, tree)
    return tree


def _array_argument(node: exp.Expr, quantifier: str) -> exp.Array | None:
    """The literal ARRAY[...] of `ANY (ARRAY[...])` / `ALL (ARRAY[...])`, else None."""
    if quantifier == "ANY" and isinstance(node, exp.Any):
        arg = node.this
    elif (
        quantifier == "ALL"
        and isinstance(node, exp.Anonymous)
        and str(node.name).upper() == "ALL"
        and len(node.expressions) == 1
    ):
        arg = node.expressions[0]
    elif quantifier == "ALL" and isinstance(node, exp.All):
        arg = node.this
    else:
        return None
    if isinstance(arg, exp.Array) and arg.expressions:
        return arg
    return None


def _drop_subquery_aliases(tree: exp.Expr) -> None:
    for select in list(tree.find_all(exp.Select)):
        parent = select.parent
        if isinstance(parent, exp.Subquery):
            if isinstance(parent.parent, (exp.From, exp.Join)) or parent.args.get("alias"):
                continue  # a derived table: its column names are visible outside
        elif not isinstance(parent, (exp.Exists, exp.In, exp.Any, exp.All)):
            continue
        if any(select.args.get(k) for k in ("order", "group", "having", "qualify", "windows")):
            continue  # these clauses may refer to an output alias
        for projection in list(select.expressions):
            if isinstance(projection, exp.Alias):
                projection.replace(projection.this)


def _is_path_schema(schema: exp.Expr | None) -> bool:
    """An identifier naming one of PATH_SCHEMAS as PostgreSQL would read it."""
    return (
        isinstance(schema, exp.Identifier)
        and schema.name.lower() in PATH_SCHEMAS
        and (schema.quoted is False or schema.name.islower())
    )


def unqualified_object_name(text: str) -> str:
    """The text of a regclass-style literal without a PATH_SCHEMAS qualifier.

    `'public.orders_id_seq'::regclass` and `'orders_id_seq'::regclass` name the
    same sequence; `'"Public".x'` and `'tenant_a.x'` keep their schema.
    """
    schema, dot, rest = text.partition(".")
    if dot and rest and schema in PATH_SCHEMAS:
        return rest
    return text


def _drop_path_schemas(tree: exp.Expr) -> exp.Expr:
    """Rule 6 for everything but function calls (see _drop_function_schemas)."""
    for table in tree.find_all(exp.Table):
        if not table.args.get("catalog") and _is_path_schema(table.args.get("db")):
            table.set("db", None)
    for dtype in list(tree.find_all(exp.DataType)):
        kind = dtype.args.get("kind")
        if isinstance(kind, exp.Dot) and _is_path_schema(kind.this):
            dtype.set("kind", kind.expression)
            # Unqualified, sqlglot may know the name (`vector` is its own type): read it
            # again, as the unqualified spelling of a spec would be read.
            with contextlib.suppress(sqlglot.errors.SqlglotError, ValueError):
                known = exp.DataType.build(dtype.sql(dialect=_DIALECT), dialect=_DIALECT)
                tree = _replace(dtype, known, tree)
    for collate in tree.find_all(exp.Collate):
        name = collate.expression
        if isinstance(name, exp.Column) and _is_path_schema(name.args.get("table")):
            name.set("table", None)
    for cast in tree.find_all(exp.Cast):
        target = cast.args.get("to")
        literal = cast.this
        if (
            isinstance(target, exp.ObjectIdentifier)
            and str(target.name).upper() in _REG_TYPES
            and isinstance(literal, exp.Literal)
            and literal.is_string
        ):
            literal.set("this", unqualified_object_name(literal.this))
    for node in list(tree.find_all(exp.Operator)):
        schema, dot, symbol = str(node.args.get("operator") or "").partition(".")
        if dot and schema in PATH_SCHEMAS:
            tree = _replace(node, _bare_operator(node, symbol), tree)
    return tree


def _bare_operator(node: exp.Operator, symbol: str) -> exp.Expr:
    """`a OPERATOR(public.<->) b` as the spec would write it, `a <-> b`: sqlglot reads
    some symbols as their own nodes (`<->` is Distance), so the symbol is parsed."""
    try:
        shape: exp.Expr = sqlglot.parse_one(
            f"__l {symbol} __r", dialect=_DIALECT, into=exp.Condition
        )
    except sqlglot.errors.SqlglotError:
        node.set("operator", symbol)
        return node
    left, right = node.this, node.expression
    for column in list(shape.find_all(exp.Column)):
        if column.name == "__l" and left is not None:
            shape = _replace(column, left.copy(), shape)
        elif column.name == "__r" and right is not None:
            shape = _replace(column, right.copy(), shape)
    return shape


def _drop_function_schemas(tree: exp.Expr) -> exp.Expr:
    for node in list(tree.find_all(exp.Dot)):
        schema = node.this
        if (
            isinstance(schema, exp.Identifier)
            and isinstance(node.expression, exp.Func)
            and _is_path_schema(schema)
            and (schema.quoted is False or schema.name.islower())
        ):
            tree = _replace(node, node.expression, tree)
    return tree


def _normalize_names(tree: exp.Expr) -> None:
    for node in tree.find_all(exp.Identifier):
        if not node.quoted:
            node.set("this", node.name.lower())
        elif _SIMPLE_NAME.match(node.name) and _bare_name_is_column(node.name):
            node.set("quoted", False)
    for func in tree.find_all(exp.Anonymous):
        if isinstance(func.this, str):
            func.set("this", func.this.lower())


@functools.lru_cache(maxsize=4096)
def _bare_name_is_column(name: str) -> bool:
    """Whether `name` unquoted still reads as a plain column (not a keyword)."""
    try:
        tree = sqlglot.parse_one(name, dialect=_DIALECT, into=exp.Condition)
    except sqlglot.errors.SqlglotError:
        return False
    return (
        isinstance(tree, exp.Column)
        and not tree.table
        and isinstance(tree.this, exp.Identifier)
        and tree.this.name == name
    )


def _is_operator(node: exp.Expr) -> bool:
    """Nodes printed with operator syntax, which need parentheses when nested."""
    if isinstance(node, (exp.Dot, exp.Paren)):
        return False
    if isinstance(node, (exp.Binary, exp.Unary, exp.AtTimeZone)):
        return True
    return isinstance(node, exp.Predicate) and not isinstance(
        node, (exp.Func, exp.SubqueryPredicate)
    )


_OPERAND_KEYS = ("this", "expression", "low", "high", "zone")


def _with_parens(tree: exp.Expr) -> exp.Expr:
    """Rule 1: a copy with every nested operator parenthesised (AND/OR chains flat)."""
    tree = tree.copy()
    for node in list(tree.walk()):
        if not (_is_operator(node) or isinstance(node, exp.Bracket)):
            continue
        for key in _OPERAND_KEYS:
            child = node.args.get(key)
            if not isinstance(child, exp.Expr) or not _is_operator(child):
                continue
            if isinstance(node, exp.Bracket) and key != "this":
                continue
            if type(child) is type(node) and isinstance(node, (exp.And, exp.Or)):
                continue
            paren = exp.Paren()
            child.replace(paren)
            paren.set("this", child)
    return tree


# --- index keys -----------------------------------------------------------

_DIRECTION = re.compile(r"\s+(asc|desc)\s*$", re.IGNORECASE)


def index_key(text: str) -> IndexKey:
    """An index key: a column (`"Mixed Case" DESC`) or a parenthesised expression."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty index key")
    descending = False
    match = _DIRECTION.search(raw)
    if match is not None and not raw[: match.start()].rstrip().endswith(("(", ",")):
        descending = match.group(1).lower() == "desc"
        raw = raw[: match.start()].strip()
    if re.search(r"\bnulls\s+(first|last)\s*$", raw, re.IGNORECASE):
        raise ValueError(f"NULLS FIRST/LAST is not supported in index key {text.strip()!r}")
    # An unquoted name may hold any non-ASCII letter, as in PostgreSQL.
    if re.fullmatch(r'"(?:[^"]|"")+"|[A-Za-z_\u0080-\U0010ffff][\w$\u0080-\U0010ffff]*', raw):
        return IndexKey(identifier(raw), descending=descending)
    try:
        tree = parse_expression(raw)
    except ValueError as err:
        raise ValueError(f"invalid index key {text.strip()!r}: {err}") from None
    if isinstance(tree, exp.Column) and not tree.table and isinstance(tree.this, exp.Identifier):
        # `(email)` is a plain column key for PostgreSQL too.
        return IndexKey(tree.this.name, descending=descending)
    return IndexKey(expression(raw, strict=True), descending=descending, is_expression=True)
