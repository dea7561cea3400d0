"""Normalization: spec spellings and catalog spellings must meet in one canonical text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from schemaverify.model.normalize import (
    expression,
    fk_action,
    identifier,
    index_key,
    parse_expression,
    parse_type,
)
from schemaverify.model.schema import TypeRef

if TYPE_CHECKING:
    from pgserver import TestDatabase

# --- parse_type -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("int4", TypeRef("integer")),
        ("int", TypeRef("integer")),
        ("INTEGER", TypeRef("integer")),
        ("int8", TypeRef("bigint")),
        ("int2", TypeRef("smallint")),
        ("bool", TypeRef("boolean")),
        ("float8", TypeRef("double precision")),
        ("double  precision", TypeRef("double precision")),
        ("float4", TypeRef("real")),
        ("real", TypeRef("real")),
        ("float(10)", TypeRef("real")),
        ("float(30)", TypeRef("double precision")),
        ("decimal", TypeRef("numeric")),
        ("numeric( 10 , 2 )", TypeRef("numeric", "10,2")),
        ("decimal(10,2)", TypeRef("numeric", "10,2")),
        ("varchar", TypeRef("character varying")),
        ("varchar(255)", TypeRef("character varying", "255")),
        ("char", TypeRef("character")),
        ("bpchar", TypeRef("character")),
        ("character(3)", TypeRef("character", "3")),
        ("timestamptz", TypeRef("timestamp with time zone")),
        ("timestamp", TypeRef("timestamp without time zone")),
        ("timetz", TypeRef("time with time zone")),
        ("time", TypeRef("time without time zone")),
        ("timestamp(3) with time zone", TypeRef("timestamp with time zone", "3")),
        ("timestamptz(3)", TypeRef("timestamp with time zone", "3")),
        ("time(6) without time zone", TypeRef("time without time zone", "6")),
        ("serial", TypeRef("integer")),
        ("bigserial", TypeRef("bigint")),
        ("smallserial", TypeRef("smallint")),
        ("_text", TypeRef("text", array_dims=1)),
        ("_int4", TypeRef("integer", array_dims=1)),
        ("text ARRAY", TypeRef("text", array_dims=1)),
        ("text[]", TypeRef("text", array_dims=1)),
        ("integer[][]", TypeRef("integer", array_dims=2)),
        ("character varying(20)[]", TypeRef("character varying", "20", 1)),
        ("timestamp with time zone[]", TypeRef("timestamp with time zone", array_dims=1)),
        ("vector(1536)", TypeRef("vector", "1536")),
        ("extensions.vector(1536)", TypeRef("vector", "1536")),
        ("public.citext", TypeRef("citext")),
        ("pg_catalog.int4", TypeRef("integer")),
        ('"char"', TypeRef("char")),
        ('"MyEnum"', TypeRef("MyEnum")),
        ('public."MyEnum"[]', TypeRef("MyEnum", array_dims=1)),
        ("MyEnum", TypeRef("myenum")),
        ('"int4"', TypeRef("integer")),
        ("jsonb", TypeRef("jsonb")),
        ("uuid", TypeRef("uuid")),
        ("tsvector", TypeRef("tsvector")),
        ("interval day to second(3)", TypeRef("interval day to second", "3")),
        ("bit varying(5)", TypeRef("bit varying", "5")),
        ("geometry(Point, 4326)", TypeRef("geometry", "point,4326")),
    ],
)
def test_parse_type_canonical_names(text: str, expected: TypeRef) -> None:
    assert parse_type(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty type"),
        ("   ", "empty type"),
        ("varchar 255", "unexpected character '2'"),
        ("numeric(10", "one '(modifier)' group"),
        ("numeric(1)(2)", "one '(modifier)' group"),
        ("numeric(a b)", "invalid type modifier"),
        ("int;drop table x", "unexpected character ';'"),
        ('""', "empty quoted name"),
        ("[]", "no element type"),
        ("float(99)", "float precision"),
        ("foo bar", "unknown type 'foo bar'"),
        ('"int"', None),  # quoted names bypass the grammar: no such type, but not garbage
    ],
)
def test_parse_type_rejects_garbage(text: str, reason: str | None) -> None:
    if reason is None:
        assert parse_type(text) == TypeRef("int")
        return
    with pytest.raises(ValueError, match=re.escape(reason)):
        parse_type(text)


def test_parse_type_round_trips_through_str() -> None:
    for text in ["numeric(10,2)", "timestamp(3) with time zone", "character varying(20)[]"]:
        ref = parse_type(text)
        assert parse_type(str(ref)) == ref


# --- expression -----------------------------------------------------------

EQUAL_PAIRS = [
    ("recovered_at IS NULL", "(recovered_at IS NULL)"),
    ("status = 'pending'", "((status)::text = 'pending'::text)"),
    ("status = 'pending'", "((status)::character varying = CAST('pending' AS varchar(20)))"),
    ("(select auth.uid()) = user_id", "(( SELECT auth.uid() AS uid) = user_id)"),
    ("deleted_at IS NULL AND active", "((deleted_at IS NULL) AND active)"),
    ("a AND b AND c", "(a AND (b AND c))"),
    ("a OR b AND c", "(a OR (b AND c))"),
    ("now()", "now()"),
    ("now()", "CURRENT_TIMESTAMP"),
    ("'a'", "CAST('a' AS TEXT)"),
    ("nextval('foo_id_seq')", "nextval('foo_id_seq'::regclass)"),
    ("'{}'", "'{}'::jsonb"),
    ("-1", "'-1'::integer"),
    ("x IS NOT NULL", "(x IS NOT NULL)"),
    ("status IN ('a', 'b')", "(status = ANY (ARRAY['a'::text, 'b'::text]))"),
    (
        "status IN ('a', 'b')",
        "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
    ),
    ("status NOT IN ('a', 'b')", "(status <> ALL (ARRAY['a'::text, 'b'::text]))"),
    ("Deleted_At IS NULL", "deleted_at is null"),
    ('"Active"', '("Active")'),
    ('"active"', "active"),
    ('"timestamp" > now()', "timestamp > now()"),
    ("LOWER(Email)", "lower(email)"),
    ("extensions.uuid_generate_v4()", "uuid_generate_v4()"),
    ("pg_catalog.lower(email)", "lower(email)"),
    (
        "auth.jwt() ->> 'role' = 'service_role'",
        "((auth.jwt() ->> 'role'::text) = 'service_role'::text)",
    ),
    (
        "EXISTS (SELECT 1 FROM organization_members m WHERE m.user_id = auth.uid())",
        "(EXISTS ( SELECT 1\n   FROM organization_members m\n  WHERE (m.user_id = auth.uid())))",
    ),
    (
        "x IN (SELECT organization_id AS organization_id FROM m)",
        "x IN (SELECT organization_id FROM m)",
    ),
    # What the catalog reader's pinned search_path (pg_catalog, pg_temp) makes PostgreSQL
    # print: every name outside pg_catalog qualified, as in pg_dump's output.
    ("is_member(org_id)", "public.is_member(org_id)"),
    ("nextval('orders_id_seq'::regclass)", "nextval('public.orders_id_seq'::regclass)"),
    ("nextval('orders_id_seq')", "nextval('public.orders_id_seq'::regclass)"),
    (
        "EXISTS (SELECT 1 FROM organization_members m WHERE m.user_id = auth.uid())",
        "(EXISTS ( SELECT 1\n   FROM public.organization_members m\n"
        "  WHERE (m.user_id = auth.uid())))",
    ),
    ("state = 'b'", "(state = 'b'::public.status)"),
    ("(state)::status = x", "((state)::public.status = x)"),
    ("embedding::vector(3) IS NOT NULL", "((embedding)::extensions.vector(3) IS NOT NULL)"),
    ("name COLLATE mine", "(name COLLATE public.mine)"),
    ("a <-> b < 1", "((a OPERATOR(public.<->) b) < 1)"),
    # PostgreSQL's parser expands BETWEEN, and casts the integer side of integer-numeric
    # arithmetic, before the catalog stores the expression.
    ("x BETWEEN 1 AND 10", "((x >= 1) AND (x <= 10))"),
    ("x NOT BETWEEN 1 AND 10", "((x < 1) OR (x > 10))"),
    ("a OR x BETWEEN 1 AND 2", "(a OR ((x >= 1) AND (x <= 2)))"),
    ("cents / 100.0", "((cents)::numeric / 100.0)"),
    ("100.0 * cents > 5", "((100.0 * (cents)::numeric) > (5)::numeric)"),
]


@pytest.mark.parametrize(("spec", "catalog"), EQUAL_PAIRS)
def test_expression_pairs_are_equal(spec: str, catalog: str) -> None:
    assert expression(spec, strict=True) == expression(catalog)


DIFFERENT_PAIRS = [
    ("a OR b AND c", "(a OR b) AND c"),
    ("a - (b - c)", "a - b - c"),
    ("NOT (a AND b)", "NOT a AND b"),
    ("status = 'Pending'", "status = 'pending'"),
    ('"Active"', "active"),
    ("auth.uid() = user_id", "public.uid() = user_id"),
    # Schemas off a Supabase path stay part of the name.
    ("nextval('orders_id_seq'::regclass)", "nextval('tenant_a.orders_id_seq'::regclass)"),
    ("EXISTS (SELECT 1 FROM members)", "EXISTS (SELECT 1 FROM tenant_a.members)"),
    ("(x)::status = y", "((x)::tenant_a.status = y)"),
    ("nextval('Public.seq'::regclass)", "nextval('seq'::regclass)"),
    ("x = 1", "x = 2"),
    ("x BETWEEN 1 AND 10", "x BETWEEN 1 AND 11"),
    ("x BETWEEN 1 AND 10", "x NOT BETWEEN 1 AND 10"),
    ("x BETWEEN SYMMETRIC 10 AND 1", "x >= 10 AND x <= 1"),
    # A cast with a modifier rounds; integer division truncates: both are real.
    ("(cents)::numeric(10,2) / 100.0", "cents / 100.0"),
    ("(cents)::numeric / 100", "cents / 100"),
    ("a = b", "b = a"),  # no commutativity: PostgreSQL keeps the written order too
    # An alias a subquery's ORDER BY uses is meaningful and kept.
    ("(SELECT a AS b FROM t ORDER BY b LIMIT 1)", "(SELECT a FROM t ORDER BY b LIMIT 1)"),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT_PAIRS)
def test_expression_keeps_real_differences(left: str, right: str) -> None:
    assert expression(left) != expression(right)


def test_expression_string_literals_are_untouched() -> None:
    assert "'Pending  X'" in expression("status = 'Pending  X'::text")


def test_expression_output_is_readable() -> None:
    assert expression("((status)::text = 'pending'::text)") == "status = 'pending'"
    assert expression("((deleted_at IS NULL) AND active)") == "(deleted_at IS NULL) AND active"
    assert expression("nextval('foo_id_seq'::regclass)") == "nextval('foo_id_seq')"
    assert expression("(( SELECT auth.uid() AS uid) = user_id)") == "(SELECT auth.uid()) = user_id"


@pytest.mark.parametrize("text", [s for pair in EQUAL_PAIRS + DIFFERENT_PAIRS for s in pair])
def test_expression_is_idempotent(text: str) -> None:
    once = expression(text)
    assert expression(once) == once


def test_expression_lenient_fallback_never_raises() -> None:
    assert expression("  SOME   Weird ((  text") == "some weird (( text"
    assert expression("x = 1; DROP TABLE t") == "x = 1; drop table t"
    deep = "(" * 5000 + "x" + ")" * 5000
    assert expression(deep) in ("x", deep)
    # Deeper than Python's recursion limit: a fallback verdict, never a RecursionError.
    deep_and = " AND ".join(f"(C{i} = {i}" for i in range(3000)) + ")" * 3000
    assert expression(deep_and) == deep_and.lower()
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_expression(deep_and)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  ", "empty"),
        ("a b c", "Unexpected token"),
        ("x = 1; DROP TABLE t", "Unexpected token"),
        ("DROP TABLE t", "Unexpected token"),
        ("(lower(email)", "not a valid SQL expression"),
        ("'unterminated", "not a valid SQL expression"),
    ],
)
def test_expression_strict_raises_value_error(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        expression(text, strict=True)


def test_parse_expression_tree_has_no_parentheses() -> None:
    tree = parse_expression("((deleted_at IS NULL) AND ((status)::text = 'pending'::text))")
    assert isinstance(tree, exp.And)
    assert not list(tree.find_all(exp.Paren))
    assert not list(tree.find_all(exp.Cast))
    subquery = parse_expression("(( SELECT auth.uid() AS uid) = user_id)")
    assert not list(subquery.find_all(exp.Alias))


# Property: however an expression is parenthesised, its canonical text is the same.
_ATOMS = st.sampled_from(["a", "b", "Col", '"Q"', "1", "'s'", "'t'::text", "f(x)", "NULL"])


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> Any:
    """A random operator tree: an atom, or (operator, operand, ...)."""
    if depth >= 3 or draw(st.booleans()):
        return draw(_ATOMS)
    op = draw(st.sampled_from(["AND", "OR", "=", "+", "*", "<>", "NOT", "IS NULL"]))
    if op == "NOT":
        return ("NOT", draw(_trees(depth + 1)))
    if op == "IS NULL":
        return ("IS NULL", draw(_trees(depth + 1)))
    return (op, draw(_trees(depth + 1)), draw(_trees(depth + 1)))


def _render(tree: Any, extra: list[bool]) -> str:
    """Fully parenthesised text; `extra` adds a redundant pair of parentheses here and there."""
    if isinstance(tree, str):
        text = tree
    elif tree[0] == "NOT":
        text = f"(NOT {_render(tree[1], extra)})"
    elif tree[0] == "IS NULL":
        text = f"({_render(tree[1], extra)} IS NULL)"
    else:
        text = f"({_render(tree[1], extra)} {tree[0]} {_render(tree[2], extra)})"
    if extra and extra.pop():
        text = f"({text})"
    return text


@settings(max_examples=150, deadline=None)
@given(_trees(), st.lists(st.booleans(), min_size=30, max_size=30))
def test_expression_ignores_redundant_parentheses(tree: Any, extra: list[bool]) -> None:
    plain = expression(_render(tree, []), strict=True)
    assert expression(_render(tree, extra), strict=True) == plain
    assert expression(plain, strict=True) == plain


# --- index keys, FK actions, identifiers ------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "descending", "is_expression"),
    [
        ("customer_id", "customer_id", False, False),
        ("Customer_ID", "customer_id", False, False),
        ("timestamp DESC", "timestamp", True, False),
        ('"Mixed Case" desc', "Mixed Case", True, False),
        ("date ASC", "date", False, False),
        ("(lower(email))", "lower(email)", False, True),
        ("(LOWER(Email)) DESC", "lower(email)", True, True),
        ("lower(email)", "lower(email)", False, True),
        ("(email)", "email", False, False),
        ("((status)::text)", "status", False, False),
    ],
)
def test_index_key(text: str, name: str, descending: bool, is_expression: bool) -> None:
    key = index_key(text)
    assert (key.expression, key.descending, key.is_expression) == (name, descending, is_expression)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty index key"),
        ("(lower(email)", "invalid index key"),
        ("a b c", "invalid index key"),
        ("email NULLS LAST", "NULLS FIRST/LAST"),
    ],
)
def test_index_key_rejects_garbage(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        index_key(text)


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("CASCADE", "cascade"),
        ("cascade", "cascade"),
        ("SET NULL", "set null"),
        ("set_null", "set null"),
        ("Set-Default", "set default"),
        ("no action", "no action"),
        ("NO  ACTION", "no action"),
        ("restrict", "restrict"),
        ("set default", "set default"),
        ("a", "no action"),
        ("r", "restrict"),
        ("c", "cascade"),
        ("n", "set null"),
        ("d", "set default"),
    ],
)
def test_fk_action(text: str, action: str) -> None:
    assert fk_action(text) == action


@pytest.mark.parametrize("text", ["", "x", "A", "setnull", "delete", "cascade all"])
def test_fk_action_rejects_unknown(text: str) -> None:
    with pytest.raises(ValueError, match="unknown foreign key action"):
        fk_action(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [("Foo", "foo"), ('"Foo"', "Foo"), ('"a""b"', 'a"b'), ("  bar ", "bar"), ('"x y"', "x y")],
)
def test_identifier(text: str, name: str) -> None:
    assert identifier(text) == name


@pytest.mark.parametrize("text", ["", '"', '"abc', 'ab"c', '""', '"a"b"'])
def test_identifier_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        identifier(text)


# --- against what PostgreSQL really stores ----------------------------------


def _pairs(rows: list[tuple[object, ...]]) -> dict[object, object]:
    return {row[0]: row[1] for row in rows}


def test_expressions_match_what_postgres_stores(db: TestDatabase) -> None:
    """Spec text and the catalog's text for the same object normalize identically."""
    db.run(
        """
        CREATE SCHEMA auth;
        CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;
        CREATE TYPE cart_state AS ENUM ('pending', 'sent');
        CREATE TABLE carts (
            id serial PRIMARY KEY,
            user_id uuid,
            status text DEFAULT 'pending',
            vstatus varchar(20) DEFAULT 'pending',
            state cart_state DEFAULT 'pending',
            code char(2) DEFAULT 'ab',
            retries int DEFAULT -1,
            data jsonb DEFAULT '{}',
            created_at timestamptz DEFAULT now(),
            deleted_at timestamptz,
            active boolean,
            email text
        );
        CREATE INDEX carts_pending ON carts (user_id) WHERE status = 'pending';
        CREATE INDEX carts_v ON carts (user_id) WHERE vstatus IN ('a', 'b');
        CREATE INDEX carts_live ON carts (user_id) WHERE deleted_at IS NULL AND active;
        CREATE INDEX carts_email ON carts (lower(email));
        CREATE INDEX carts_range ON carts (user_id) WHERE retries BETWEEN 1 AND 5;
        CREATE INDEX carts_outside ON carts (user_id) WHERE retries NOT BETWEEN 1 AND 5;
        CREATE INDEX carts_ratio ON carts (user_id) WHERE retries / 100.0 > 1;
        ALTER TABLE carts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON carts FOR SELECT TO public USING ((select auth.uid()) = user_id);
        """
    )
    defaults = _pairs(
        db.query(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
            "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = 'carts'::regclass"
        )
    )
    predicates = _pairs(
        db.query(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'carts'::regclass"
        )
    )
    email_key = db.query("SELECT pg_get_indexdef('carts_email'::regclass, 1, true)")[0][0]
    policy = db.query("SELECT qual FROM pg_policies WHERE policyname = 'own'")[0][0]
    policy_expr = db.query(
        "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'own'"
    )[0][0]

    # The catalog really rewrote these: the test would prove nothing otherwise.
    assert defaults["status"] == "'pending'::text"
    assert policy == "(( SELECT auth.uid() AS uid) = user_id)"

    spec_defaults = {
        "id": "nextval('carts_id_seq'::regclass)",
        "status": "'pending'",
        "vstatus": "'pending'",
        "state": "'pending'",
        "code": "'ab'",
        "retries": "-1",
        "data": "'{}'::jsonb",
        "created_at": "now()",
    }
    for column, spec_text in spec_defaults.items():
        assert expression(str(defaults[column])) == expression(spec_text, strict=True), column
    assert expression(str(defaults["id"])).startswith("nextval(")

    spec_predicates = {
        "carts_pending": "status = 'pending'",
        "carts_v": "vstatus IN ('a', 'b')",
        "carts_live": "deleted_at IS NULL AND active",
        "carts_range": "retries BETWEEN 1 AND 5",
        "carts_outside": "retries NOT BETWEEN 1 AND 5",
        "carts_ratio": "retries / 100.0 > 1",
    }
    assert "BETWEEN" not in str(predicates["carts_range"])  # PostgreSQL really expanded it
    assert "::numeric" in str(predicates["carts_ratio"])
    for index, spec_text in spec_predicates.items():
        assert expression(str(predicates[index])) == expression(spec_text, strict=True), index
    assert predicates["carts_email"] is None

    assert index_key(str(email_key)) == index_key("(lower(email))")
    assert expression(str(policy)) == expression("(select auth.uid()) = user_id", strict=True)
    assert expression(str(policy_expr)) == expression(str(policy))


def test_numeric_literal_casts_from_catalog_match_spec_text(db) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL types numeric literals to the column; the spec writes bare numbers."""
    db.run(
        """
        CREATE TABLE nums (org_id bigint, amount numeric, price numeric,
          cents bigint GENERATED ALWAYS AS ((price * 100)::bigint) STORED);
        CREATE INDEX nums_orgs ON nums (org_id) WHERE org_id IN (1, 2);
        CREATE INDEX nums_pos ON nums (amount) WHERE amount > 0;
        """
    )
    rows = dict(
        db.query(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'nums_%'"
        )
    )
    assert expression(str(rows["nums_orgs"])) == expression("org_id IN (1, 2)")
    assert expression(str(rows["nums_pos"])) == expression("amount > 0")
    [(generated,)] = db.query(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
        "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE a.attname = 'cents'"
    )
    assert expression(str(generated)) == expression("(price * 100)::bigint")
