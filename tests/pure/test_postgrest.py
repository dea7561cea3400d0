"""PostgREST request semantics shared by the supabase-js and supabase-py scanners: the
select grammar, filter arguments and column lists, as PostgREST reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemaverify.sources.code.postgrest import (
    FILTER_METHODS,
    MATCH_METHODS,
    OPERATION_METHODS,
    Embedded,
    Selection,
    column_list,
    column_of,
    parse_select,
)


def emb(
    name: str,
    columns: tuple[str, ...] = (),
    *,
    hint: str | None = None,
    all_columns: bool = False,
    embedded: tuple[Embedded, ...] = (),
) -> Embedded:
    return Embedded(name, hint, columns, all_columns, embedded)


# -- select lists ---------------------------------------------------------------


def test_star() -> None:
    assert parse_select("*") == Selection((), True, (), None)


def test_plain_columns_keep_order_and_drop_duplicates() -> None:
    assert parse_select("id, email, id,name") == Selection(("id", "email", "name"), False, (), None)


def test_alias_cast_and_json_paths_name_the_underlying_column() -> None:
    selection = parse_select(
        "id, display:name, created_at::text, data->>kind, meta->a->b::int, label:info->'x'".replace(
            "'x'", '"x"'
        )
    )
    assert selection == Selection(
        ("id", "name", "created_at", "data", "meta", "info"), False, (), None
    )


def test_aggregates() -> None:
    selection = parse_select("amount.sum(), total:amount.avg()::int, qty::int.max(), count()")
    assert selection.columns == ("amount", "qty")
    assert selection.problem is None


def test_count_alone_is_a_column_at_the_top_and_the_related_count_in_an_embed() -> None:
    assert parse_select("count").columns == ("count",)
    selection = parse_select("name, cities(count)")
    assert selection.columns == ("name",)
    assert selection.embedded == (emb("cities"),)


def test_embedded_resources_with_alias_hint_join_type_and_nesting() -> None:
    selection = parse_select(
        "id, customer:customers!orders_customer_id_fkey(name, email),"
        " items:order_items!inner(qty, product:products(title, *))"
    )
    assert selection == Selection(
        ("id",),
        False,
        (
            emb("customers", ("name", "email"), hint="orders_customer_id_fkey"),
            emb(
                "order_items",
                ("qty",),
                embedded=(emb("products", ("title",), all_columns=True),),
            ),
        ),
        None,
    )


def test_hint_and_join_type_together_keep_the_hint() -> None:
    assert parse_select("rel!fk!inner(a)").embedded == (emb("rel", ("a",), hint="fk"),)
    assert parse_select("rel!left!fk(a)").embedded == (emb("rel", ("a",), hint="fk"),)


def test_spread_and_empty_filter_only_embed() -> None:
    selection = parse_select("id, ...profiles(username), teams!inner()")
    assert selection.embedded == (emb("profiles", ("username",)), emb("teams"))
    assert selection.problem is None


def test_whitespace_and_newlines_anywhere() -> None:
    text = """
        id,
        name ,
        orders (
            id,
            total
        )
    """
    assert parse_select(text) == Selection(
        ("id", "name"), False, (emb("orders", ("id", "total")),), None
    )


def test_quoted_identifiers_keep_spaces_and_case() -> None:
    selection = parse_select('"My Col", "Other"::text, rel("Nested Col")')
    assert selection.columns == ("My Col", "Other")
    assert selection.embedded == (emb("rel", ("Nested Col",)),)


def test_empty_list_selects_nothing() -> None:
    assert parse_select("") == Selection((), False, (), None)


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("a,,b", ("a",)),
        ("a, b,", ("a", "b")),
        ("a, rel(b", ("a",)),
        ("a)", ("a",)),
        ("x!inner", ()),
        ("a, b.c", ("a",)),
        ("a, rel!one!two(x)", ("a",)),
        ('"unterminated', ()),
        ("a, *b", ("a",)),
        ("a::", ()),
    ],
)
def test_unparseable_lists_report_a_problem_and_keep_what_came_before(
    text: str, columns: tuple[str, ...]
) -> None:
    selection = parse_select(text)
    assert selection.problem is not None
    assert selection.columns == columns


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    selection = parse_select("a(" * 10_000 + "b" + ")" * 10_000)
    assert selection.problem is not None
    assert "nested deeper" in selection.problem


def test_partial_embed_is_kept_when_the_list_breaks_inside_it() -> None:
    selection = parse_select("id, orders(total, ")
    assert selection.columns == ("id",)
    assert selection.embedded == (emb("orders", ("total",)),)
    assert selection.problem is not None


# -- filter arguments and lists ---------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "column"),
    [
        ("status", "status"),
        ("data->>name", "data"),
        ("data->a->b", "data"),
        ("col::text", "col"),
        ('"Quoted Col"', "Quoted Col"),
        ("  padded  ", "padded"),
        ("items->0", "items"),
        ("rel.col", None),
        ("", None),
        ("   ", None),
        ("a b", None),
        ("a(b)", None),
        ("->x", None),
    ],
)
def test_column_of(argument: str, column: str | None) -> None:
    assert column_of(argument) == column


def test_column_list() -> None:
    assert column_list("org_id, slug") == ("org_id", "slug")
    assert column_list("a,b,a") == ("a", "b")
    assert column_list("a.desc,b.asc.nullslast") == ("a", "b")
    assert column_list('"Mixed Case", x') == ("Mixed Case", "x")
    assert column_list("rel.col, ok") == ("ok",)
    assert column_list("") == ()


def test_method_tables() -> None:
    for js, py in [("in", "in_"), ("is", "is_"), ("not", "not_"), ("containedBy", "contained_by")]:
        assert js in FILTER_METHODS
        assert py in FILTER_METHODS
    assert {"eq", "order", "filter", "textSearch", "text_search", "rangeAdjacent"} <= FILTER_METHODS
    assert "match" in MATCH_METHODS and "match" not in FILTER_METHODS
    assert OPERATION_METHODS == {
        "select": "select",
        "insert": "insert",
        "upsert": "upsert",
        "update": "update",
        "delete": "delete",
    }


# -- property: generated select lists read back as written -------------------------

_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=8).filter(
    lambda s: s != "count"
)
_spacing = st.sampled_from(["", " ", "\n  ", "\t"])


@st.composite
def _lists(draw: st.DrawFn, depth: int = 0) -> tuple[str, tuple[str, ...], tuple[Embedded, ...]]:
    """A select list, its distinct plain columns and its embeds."""
    items: list[str] = []
    columns: list[str] = []
    embedded: list[Embedded] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["column", "alias", "cast", "path", "embed"]))
        name = draw(_names)
        space = draw(_spacing)
        if kind == "embed" and depth < 3:
            inner, inner_columns, inner_embedded = draw(_lists(depth + 1))
            hint = draw(st.sampled_from(["", "!fk_x", "!inner", "!fk_y!inner"]))
            prefix = draw(st.sampled_from(["", "alias_:", "..."]))
            items.append(f"{prefix}{name}{hint}{space}({inner})")
            hint_name = next((h for h in hint.split("!") if h and h != "inner"), None)
            embedded.append(Embedded(name, hint_name, inner_columns, False, inner_embedded))
            continue
        spelled = {
            "column": name,
            "alias": f"alias_{space}:{space}{name}",
            "cast": f"{name}::text",
            "path": f"{name}->>key",
            "embed": name,
        }[kind]
        items.append(spelled)
        if name not in columns:
            columns.append(name)
    separator = draw(st.sampled_from([",", ", ", " ,\n "]))
    return separator.join(items), tuple(columns), tuple(embedded)


@settings(max_examples=300, deadline=None)
@given(_lists())
def test_generated_select_lists_round_trip(
    generated: tuple[str, tuple[str, ...], tuple[Embedded, ...]],
) -> None:
    text, columns, embedded = generated
    selection = parse_select(text)
    assert selection.problem is None, text
    assert selection.columns == columns
    assert selection.embedded == embedded
    assert not selection.all_columns


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_reads_or_reports(text: str) -> None:
    selection = parse_select(text)
    assert isinstance(selection, Selection)
    column_of(text)
    column_list(text)
