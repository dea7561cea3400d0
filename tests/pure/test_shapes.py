"""Shapes (model/shapes.py): one parse per shape must give what a parse per text gives.

The claim under test is soundness: for every text, the result obtained from its shape
(normalized text, allowed values, access kinds) equals the one computed directly from the
text, whichever text of the shape came first.  Texts are written the way pg_get_expr
prints them, with literals and names drawn by hypothesis, including names and literals
that would change how sqlglot reads a text if they were abstracted carelessly (keywords,
function names, number-like strings, regclass literals, array literals, quotes).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemaverify.model import normalize, shapes
from schemaverify.model.schema import Policy
from schemaverify.rules import access, values
from schemaverify.sources.specs.patterns import load_patterns

# --- the lexer ----------------------------------------------------------------


def _names(*words: str) -> object:
    return frozenset(words).__contains__


def test_literals_and_chosen_names_become_numbered_placeholders() -> None:
    text = (
        "(EXISTS ( SELECT 1 FROM invoices_00042 p WHERE ((p.id = tasks_00085.parent_id) "
        "AND (p.status = 'open'::text) AND (p.amount >= 12.50))))"
    )
    shape = shapes.shape_of(text, frozenset({"invoices_00042", "tasks_00085"}).__contains__)
    assert shape is not None
    assert "invoices_00042" not in shape.template and "tasks_00085" not in shape.template
    assert "'open'" not in shape.template and "12.50" not in shape.template
    assert shape.originals == ("1", "'open'", "12.50", "invoices_00042", "tasks_00085")
    assert shape.fill(shape.template) == text
    # Another text of the same shape has the same template.
    other = text.replace("invoices_00042", "orders_00007").replace("tasks_00085", "x_1")
    other = other.replace("'open'", "'closed'").replace("12.50", "99.00")
    shaped = shapes.shape_of(other, frozenset({"orders_00007", "x_1"}).__contains__)
    assert shaped is not None and shaped.template == shape.template


def test_a_name_keeps_one_placeholder_and_different_names_get_different_ones() -> None:
    shape = shapes.shape_of("a.x = b.x AND a.y = c.y", frozenset({"a", "b", "c"}).__contains__)
    assert shape is not None
    assert shape.template == "__sv_i0__.x = __sv_i1__.x AND __sv_i0__.y = __sv_i2__.y"


@pytest.mark.parametrize(
    "text",
    [
        "x = 1 -- 2",
        "x = 1 /* 2 */",
        "x = $1",
        "x = $$a$$",
        "x = E'a\\'b'",
        "x = `a`",
        "x = '{a}'::text[]",
        "x = '__sv_s0__'",
        "x = 90007531902468",
    ],
)
def test_texts_the_lexer_does_not_fully_read_have_no_shape(text: str) -> None:
    assert shapes.shape_of(text, _names("x")) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("number", ["1e5", "0x1f", ".5", "1.5e-3", "1_000"])
def test_numbers_in_other_spellings_stay_in_the_template(number: str) -> None:
    shape = shapes.shape_of(f"x = {number} AND y = 2")
    assert shape is not None
    assert f"x = {number} AND" in shape.template and shape.originals == ("2",)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("x = 'public.seq'::regclass", "'public.seq'"),
        ("x = '-1'::integer", "'-1'"),
        ("x = '12.5'::numeric", "'12.5'"),
        ("x = 'it''s'::text", "'it''s'"),
        ("x = 'a\\b'::text", None),  # a backslash: no shape at all
    ],
)
def test_literals_whose_content_a_rule_reads_stay_in_the_template(
    text: str, kept: str | None
) -> None:
    shape = shapes.shape_of(text)
    if kept is None:
        assert shape is None
        return
    assert shape is not None and kept in shape.template


def test_function_names_types_and_names_inside_strings_are_never_renamed() -> None:
    rename = _names("t", "f", "s")
    shape = shapes.shape_of("f(t.a) = s.f(1) AND t.b = 'a t b'::text AND t.c::t IS NULL", rename)  # type: ignore[arg-type]
    assert shape is not None
    assert shape.template.startswith("f(__sv_i")
    assert "s.f(" in shape.template  # the schema of a function call
    assert "::t " in shape.template  # a type
    assert "'__sv_s" in shape.template  # the string is a literal placeholder, not renamed
    shape = shapes.shape_of("t.a = 'the t'::regclass", rename, literals=False)  # type: ignore[arg-type]
    assert shape is not None and "'the t'" in shape.template


def test_a_quoted_name_or_one_beyond_ascii_is_kept_verbatim() -> None:
    shape = shapes.shape_of('"Mixed".t = t.x AND Übel = t.y', _names("t", "bel"))  # type: ignore[arg-type]
    assert shape is not None
    assert '"Mixed".__sv_i' in shape.template and "Übel" in shape.template


def test_fill_refuses_a_result_whose_placeholder_was_rewritten() -> None:
    shape = shapes.shape_of("x = 'a'::text")
    assert shape is not None
    assert shape.fill("x = '__SV_S0__'") is None
    assert shape.fill("x = '__sv_s0__'") == "x = 'a'"


# --- soundness against direct computation ---------------------------------------

_TEMPLATES = (
    "((deleted_at IS NULL) AND (amount >= ({n})::numeric))",
    "((status = '{s}'::record_status) AND (quantity > {n}))",
    "((kind = '{s}'::text) AND (created_at IS NOT NULL) AND (amount < ({n})::numeric))",
    "(kind = ANY (ARRAY['{s}'::text, '{s2}'::text, '{s3}'::text]))",
    "((amount >= (0)::numeric) AND (amount <= ({n})::numeric))",
    "((quantity >= {n}) AND (quantity <= {n2}))",
    "(({a}.user_id = ( SELECT auth.uid() AS uid)) AND ({a}.label <> '{s}'::text))",
    "(EXISTS ( SELECT 1 FROM organization_members m WHERE ((m.organization_id = "
    "{a}.organization_id) AND (m.user_id = ( SELECT auth.uid() AS uid)))))",
    "(EXISTS ( SELECT 1 FROM {b} p WHERE ((p.id = {a}.parent_id) AND (p.organization_id IN "
    "( SELECT organization_members.organization_id FROM organization_members WHERE "
    "((organization_members.user_id = ( SELECT auth.uid() AS uid)) AND "
    "(organization_members.role = ANY (ARRAY['{s}'::text, '{s2}'::text]))))))))",
    "(created_at > (now() - '{s}'::interval))",
    "(date_trunc('{s}'::text, created_at) = date_trunc('{s2}'::text, now()))",
    "((payload ->> '{s}'::text) = '{s2}'::text)",
    "(name ~~ '{s}'::text)",
    "(price = ANY (ARRAY[({n})::numeric, (-{n2})::numeric]))",
    "((score)::numeric / {n}.5)",
    "nextval('{a}_id_seq'::regclass)",
    "(({a}.x + {n}) = ANY (ARRAY[{n2}, -{n}]))",
    "(COALESCE({a}.flag, false) AND (NOT {a}.hidden))",
    "(({a})::text = '{s}'::text)",
    "((quantity = '{s}'::integer) OR (quantity = '{s2}'::bigint))",
)

_words = st.sampled_from(
    [
        "invoices_00042",
        "tasks_1",
        "t",
        "p",
        "m",
        "date",
        "user",
        "if",
        "filter",
        "now",
        "coalesce",
        "left",
        "value",
        "id",
        "organization_members",
        "auth",
        "public",
        "text",
        "interval",
    ]
)
_strings = st.one_of(
    st.sampled_from(["day", "week", "open", "-1", "12.5", "{a,b}", "a%", "x y", "t", "NULL"]),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="'\\"),
        max_size=12,
    ),
)
_numbers = st.one_of(st.integers(0, 10**12).map(str), st.sampled_from(["0", "1.5", "100.00"]))


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    yield
    _clear()


def _clear() -> None:
    normalize._SHAPES.clear()
    normalize._RESULTS.clear()
    normalize._ORIGINS.clear()
    values._SHAPES.clear()
    access._shaped.cache_clear()
    access._branch_kinds.cache_clear()
    access._effective_roles.cache_clear()


@st.composite
def _texts(draw: st.DrawFn) -> tuple[list[str], frozenset[str]]:
    template = draw(st.sampled_from(_TEMPLATES))
    out = []
    names: set[str] = set()
    for _ in range(draw(st.integers(2, 5))):
        a, b = draw(_words), draw(_words)
        names.update((a, b))
        out.append(
            template.format(
                a=a,
                b=b,
                s=draw(_strings),
                s2=draw(_strings),
                s3=draw(_strings),
                n=draw(_numbers),
                n2=draw(_numbers),
            )
        )
    return out, frozenset(names)


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_a_shape_normalizes_every_text_of_it_as_a_direct_parse_would(
    drawn: tuple[list[str], frozenset[str]],
) -> None:
    texts, names = drawn
    _clear()
    for text in texts:
        direct = normalize._expression(text, False)
        assert normalize.expression(text, names=names.__contains__) == direct, text


@settings(max_examples=200, deadline=None)
@given(_texts())
def test_a_shape_reads_allowed_values_as_a_direct_parse_would(
    drawn: tuple[list[str], frozenset[str]],
) -> None:
    texts, _ = drawn
    _clear()
    for text in texts:
        for column in ("kind", "quantity", "price", "x", "amount"):
            assert values.check_values(text, column) == values._direct_values(text, column)


_PATTERNS = load_patterns(None)


@settings(max_examples=200, deadline=None)
@given(_texts(), st.sampled_from(["all", "select", "update", "insert"]))
def test_a_shape_classifies_every_policy_of_it_as_its_own_text_would(
    drawn: tuple[list[str], frozenset[str]], command: str
) -> None:
    texts, names = drawn
    _clear()
    for text in texts:
        # The catalog's way: normalized with the relation names as shape parameters.
        normalized = normalize.expression(text, names=names.__contains__)
        policy = Policy("p", command, ("authenticated",), True, normalized, None)
        shaped = access.classify_policy(policy, _PATTERNS)
        unshaped = access._classify(
            Policy("", command, ("authenticated",), True, normalized), _PATTERNS
        )
        assert shaped == unshaped, text
        roles = access._effective_roles(
            Policy("", command, ("authenticated",), True, normalized), _PATTERNS
        )
        assert access.effective_roles(policy, _PATTERNS) == roles
