"""What SQL text in code does to each table: scopes, aliases, CTEs and interpolations.

Each case is a statement as application code writes it (a worker's asyncpg query, an
upsert with RETURNING, a report with CTEs), with exactly the tables and columns
PostgreSQL would resolve, and no column attributed where the text does not say which
table has it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemaverify.sources.code.sqltext import (
    FIRST_INTERPOLATION,
    PARAM,
    SqlTarget,
    placeholder,
    sql_targets,
)

Row = tuple[str, str | None, str | None, tuple[str, ...], bool, bool, str | None]


def rows(text: str) -> list[Row]:
    targets, problem = sql_targets(text)
    assert problem is None, problem
    return [
        (t.operation, t.schema, t.name, t.columns, t.all_columns, t.partial, t.unresolved)
        for t in targets
    ]


def sel(
    name: str, *columns: str, schema: str | None = None, star: bool = False, partial: bool = False
) -> Row:
    return ("select", schema, name, columns, star, partial, None)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT id, total FROM orders WHERE status = $1",
            [sel("orders", "id", "total", "status")],
        ),
        ("select * from orders", [sel("orders", star=True)]),
        ("SELECT o.* FROM orders o", [sel("orders", star=True)]),
        ("SELECT count(*) FROM orders", [sel("orders")]),
        (
            "SELECT o.id, o.total, c.name FROM orders o "
            "JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid'",
            [
                sel("orders", "id", "total", "customer_id", "status"),
                sel("customers", "name", "id"),
            ],
        ),
        # two tables in scope: an unqualified column is no table's
        (
            "SELECT id, name FROM orders o JOIN customers c ON c.id = o.customer_id",
            [sel("orders", "customer_id"), sel("customers", "id")],
        ),
        ("SELECT a, b FROM t1, t2", [sel("t1"), sel("t2")]),
        # output aliases are not columns
        ("SELECT total AS amount FROM orders ORDER BY amount", [sel("orders", "total")]),
        (
            "SELECT status, count(*) AS n FROM orders GROUP BY status HAVING count(*) > 1",
            [sel("orders", "status")],
        ),
        # functions, literals, parameters, pseudo-columns
        (
            "SELECT coalesce(note, 'x'), now(), current_user, $1 FROM orders",
            [sel("orders", "note")],
        ),
        ("SELECT to_jsonb(o) FROM orders o", [sel("orders", star=True)]),
        (
            "SELECT data->>'plan', tags FROM accounts WHERE tags @> ARRAY['a'] AND name ILIKE $1",
            [sel("accounts", "data", "tags", "name")],
        ),
        # CTEs: the CTE is no table; its body's tables are
        (
            "WITH recent AS (SELECT id, total FROM orders"
            " WHERE created_at > now() - interval '1 day')"
            " SELECT r.id, r.total FROM recent r",
            [sel("orders", "id", "total", "created_at")],
        ),
        (
            "WITH orders AS (SELECT * FROM archive.orders) SELECT id FROM orders",
            [sel("orders", schema="archive", star=True)],
        ),
        (
            "WITH RECURSIVE tree AS (SELECT id, parent_id FROM categories WHERE parent_id IS NULL"
            " UNION ALL SELECT c.id, c.parent_id FROM categories c"
            " JOIN tree t ON c.parent_id = t.id)"
            " SELECT id FROM tree",
            [sel("categories", "id", "parent_id")],
        ),
        # subqueries: their qualified columns are their own tables'; an unqualified one
        # may be the outer query's (PostgreSQL looks outwards), so it is credited to neither
        (
            "SELECT id FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE vip)",
            [sel("orders", "id", "customer_id"), sel("customers", partial=True)],
        ),
        (
            "SELECT id FROM orders WHERE customer_id IN (SELECT c.id FROM customers c)",
            [sel("orders", "id", "customer_id"), sel("customers", "id")],
        ),
        (
            "SELECT o.id FROM orders o WHERE EXISTS "
            "(SELECT 1 FROM items i WHERE i.order_id = o.id AND qty > 0)",
            [sel("orders", "id"), sel("items", "order_id", partial=True)],
        ),
        (
            "SELECT s.total FROM (SELECT sum(amount) AS total FROM payments WHERE org_id = $1) s",
            [sel("payments", "amount", "org_id")],
        ),
        (
            "SELECT x.b FROM t, LATERAL (SELECT b FROM u WHERE u.id = t.id) x",
            [sel("t", "id"), sel("u", "id", partial=True)],
        ),
        ("SELECT a FROM t1 UNION SELECT b FROM t2 ORDER BY a", [sel("t1", "a"), sel("t2", "b")]),
        (
            "SELECT * FROM a JOIN b USING (id)",
            [sel("a", "id", star=True), sel("b", "id", star=True)],
        ),
        ("SELECT n FROM generate_series(1, 3) AS g(n)", []),
        # self-join: one target for the table
        (
            "SELECT e.name, m.name FROM employees e JOIN employees m ON m.id = e.manager_id",
            [sel("employees", "name", "id", "manager_id")],
        ),
        # quoted identifiers keep their case, unquoted fold; schemas
        (
            'SELECT "Total", Name FROM public."Orders"',
            [sel("Orders", "Total", "name", schema="public")],
        ),
        ("SELECT Orders.ID FROM Orders", [sel("orders", "id")]),
        ("SELECT public.orders.id FROM public.orders", [sel("orders", "id", schema="public")]),
    ],
)
def test_select(sql: str, expected: list[Row]) -> None:
    assert rows(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "INSERT INTO events (kind, payload) VALUES ($1, $2)",
            [("insert", None, "events", ("kind", "payload"), False, False, None)],
        ),
        (
            'INSERT INTO "Orders" (id, "Total") VALUES ($1, $2) '
            "ON CONFLICT (id) DO UPDATE SET note = excluded.note RETURNING id, updated_at",
            [("upsert", None, "Orders", ("id", "Total", "note", "updated_at"), False, False, None)],
        ),
        (
            "INSERT INTO carts AS c (user_id, sku, qty) VALUES ($1, $2, $3) "
            "ON CONFLICT (user_id, sku) DO UPDATE SET qty = c.qty + excluded.qty",
            [("upsert", None, "carts", ("user_id", "sku", "qty"), False, False, None)],
        ),
        (
            "INSERT INTO counters (key) VALUES ($1) ON CONFLICT (key) DO UPDATE SET n = n + 1 "
            "WHERE counters.enabled",
            [("upsert", None, "counters", ("key", "n", "enabled"), False, False, None)],
        ),
        (
            "INSERT INTO events (kind) VALUES ('x') ON CONFLICT DO NOTHING",
            [("insert", None, "events", ("kind",), False, False, None)],
        ),
        (
            "INSERT INTO log (msg, user_id) SELECT u.name, u.id FROM users u WHERE u.active",
            [
                ("insert", None, "log", ("msg", "user_id"), False, False, None),
                ("select", None, "users", ("name", "id", "active"), False, False, None),
            ],
        ),
        # positional VALUES: the columns are not named
        ("INSERT INTO t VALUES (1, 2)", [("insert", None, "t", (), False, True, None)]),
        ("INSERT INTO t DEFAULT VALUES", [("insert", None, "t", (), False, False, None)]),
        (
            "INSERT INTO t (a) VALUES (1) RETURNING *",
            [("insert", None, "t", ("a",), True, False, None)],
        ),
        (
            "UPDATE jobs SET status = 'done', finished_at = now() WHERE id = $1 RETURNING status",
            [("update", None, "jobs", ("status", "finished_at", "id"), False, False, None)],
        ),
        (
            "UPDATE orders o SET total = s.sum FROM sums s WHERE o.id = s.order_id",
            [
                ("update", None, "orders", ("total", "id"), False, False, None),
                ("select", None, "sums", ("sum", "order_id"), False, False, None),
            ],
        ),
        (
            "UPDATE t SET (a, b) = (1, 2) WHERE c",
            [("update", None, "t", ("a", "b", "c"), False, False, None)],
        ),
        (
            "DELETE FROM sessions WHERE expires_at < now()",
            [("delete", None, "sessions", ("expires_at",), False, False, None)],
        ),
        (
            "DELETE FROM t USING u WHERE t.id = u.id AND u.gone RETURNING t.id",
            [
                ("delete", None, "t", ("id",), False, False, None),
                ("select", None, "u", ("id", "gone"), False, False, None),
            ],
        ),
        (
            "MERGE INTO stock s USING incoming i ON s.sku = i.sku "
            "WHEN MATCHED THEN UPDATE SET qty = s.qty + i.qty "
            "WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (i.sku, i.qty)",
            [
                ("merge", None, "stock", ("sku", "qty"), False, False, None),
                ("select", None, "incoming", ("sku", "qty"), False, False, None),
            ],
        ),
        (
            "WITH moved AS (DELETE FROM queue WHERE id = $1 RETURNING *) "
            "INSERT INTO done (id, payload) SELECT id, payload FROM moved",
            [
                ("delete", None, "queue", ("id",), True, False, None),
                ("insert", None, "done", ("id", "payload"), False, False, None),
            ],
        ),
        (
            "COPY items (sku, qty) FROM STDIN",
            [("insert", None, "items", ("sku", "qty"), False, False, None)],
        ),
    ],
)
def test_writes(sql: str, expected: list[Row]) -> None:
    assert rows(sql) == expected


def test_several_statements_keep_order_and_places() -> None:
    text = "BEGIN;\nSELECT a FROM one;\n  UPDATE two SET b = 1;\nCREATE TABLE x (a int); COMMIT"
    targets, problem = sql_targets(text)
    assert problem is None
    assert [(t.operation, t.name, t.line, t.column) for t in targets] == [
        ("select", "one", 2, 15),
        ("update", "two", 3, 10),
    ]


def test_positions_point_at_the_qualified_name() -> None:
    targets, _ = sql_targets('SELECT 1\nFROM   app."Orders" o\nJOIN x ON true')
    assert [(t.name, t.schema, t.line, t.column) for t in targets] == [
        ("Orders", "app", 2, 8),
        ("x", None, 3, 6),
    ]


def test_ddl_and_session_commands_name_no_table() -> None:
    text = (
        "CREATE TABLE t (a int); ALTER TABLE t ADD b int; SET search_path = app; "
        "BEGIN; COMMIT; EXPLAIN SELECT * FROM t; LISTEN jobs"
    )
    assert sql_targets(text) == ((), None)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            f"SELECT a, b FROM {placeholder(0)}",
            [("select", None, None, ("a", "b"), False, False, "table name from an interpolation")],
        ),
        (
            "SELECT * FROM $1001.orders",
            [("select", None, None, (), True, False, "schema name from an interpolation")],
        ),
        (
            "SELECT * FROM orders_$1001",
            [("select", None, None, (), True, False, "table name from an interpolation")],
        ),
        (
            'DELETE FROM "$1001" WHERE id = $1',
            [("delete", None, None, ("id",), False, False, "table name from an interpolation")],
        ),
        (
            "UPDATE $1001 SET a = 1",
            [("update", None, None, ("a",), False, False, "table name from an interpolation")],
        ),
        # a column from an interpolation makes the list partial; a value does not
        ("SELECT $1001 FROM orders", [("select", None, "orders", (), False, True, None)]),
        (
            "SELECT id, $1001 AS x FROM orders",
            [("select", None, "orders", ("id",), False, True, None)],
        ),
        (
            "SELECT id FROM orders ORDER BY $1001",
            [("select", None, "orders", ("id",), False, True, None)],
        ),
        (
            "SELECT id FROM orders WHERE $1001",
            [("select", None, "orders", ("id",), False, True, None)],
        ),
        (
            "SELECT id FROM orders o WHERE o.$1001 = 1",
            [("select", None, "orders", ("id",), False, True, None)],
        ),
        (
            "SELECT id FROM orders WHERE id = $1001 AND total > $1002",
            [("select", None, "orders", ("id", "total"), False, False, None)],
        ),
        (
            "SELECT id FROM orders WHERE id = $1",
            [("select", None, "orders", ("id",), False, False, None)],
        ),
        ("INSERT INTO t ($1001) VALUES (1)", [("insert", None, "t", (), False, True, None)]),
        (
            "UPDATE t SET $1001 = 1 WHERE id = 2",
            [("update", None, "t", ("id",), False, True, None)],
        ),
        ("SELECT col_$1001 FROM t", [("select", None, "t", (), False, True, None)]),
    ],
)
def test_interpolations(sql: str, expected: list[Row]) -> None:
    assert rows(sql) == expected


def test_whole_row_reference() -> None:
    """A name that is also a source's name may be a whole-row reference (`to_jsonb(o)`):
    every column is read, and no column is reported that the table may not have."""
    assert rows("SELECT orders FROM orders") == [sel("orders", star=True)]


def test_placeholder_numbering() -> None:
    assert (PARAM, FIRST_INTERPOLATION) == ("$", 1001)
    assert [placeholder(i) for i in range(3)] == ["$1001", "$1002", "$1003"]


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("select from where", "Expected table name but got 'where' (line 1, column 13)"),
        ("SELECT 'abc", "unterminated string, quoted name or comment"),
        ("SELECT a FROM t WHERE (", "incomplete expression (line 1, column 23)"),
        ("(" * 5000 + "1" + ")" * 5000, "SQL is nested too deeply"),
    ],
)
def test_problems_are_one_line(sql: str, problem: str) -> None:
    assert sql_targets(sql) == ((), problem)


def test_results_are_cached_by_text() -> None:
    text = "SELECT cached_column FROM cached_table"
    assert sql_targets(text) is sql_targets(text)


def test_large_statement() -> None:
    text = "INSERT INTO t (a, b) VALUES " + ", ".join(f"({i}, 'v{i}')" for i in range(5000))
    targets, problem = sql_targets(text)
    assert problem is None
    assert targets == (SqlTarget("insert", "t", None, ("a", "b"), False, False, None, 1, 13),)


_KEYWORDS = {"as", "on", "or", "in", "is", "to", "by", "do", "if", "at", "of", "no"}
_name = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).map(lambda s: "n_" + s)
_quoted = st.from_regex(r"[A-Za-z][A-Za-z0-9 _]{0,8}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(
    table=_name,
    schema=st.none() | _name,
    columns=st.lists(_name, min_size=1, max_size=6),
)
def test_generated_select_reads_exactly_its_table_and_columns(
    table: str, schema: str | None, columns: list[str]
) -> None:
    if table in columns or schema in columns:
        return  # `SELECT t FROM t` is t's whole row (see test_whole_row_reference)
    qualified = f"{schema}.{table}" if schema else table
    text = f"SELECT {', '.join(columns)} FROM {qualified} WHERE {columns[0]} = $1"
    assert rows(text) == [
        ("select", schema, table, tuple(dict.fromkeys(columns)), False, False, None)
    ]


@settings(max_examples=150, deadline=None)
@given(
    table=_quoted,
    columns=st.lists(_quoted, min_size=1, max_size=5, unique=True),
    returning=_name,
)
def test_generated_insert_keeps_quoted_names(
    table: str, columns: list[str], returning: str
) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f"${i + 1}" for i in range(len(columns)))
    text = f'INSERT INTO "{table}" ({quoted}) VALUES ({values}) RETURNING {returning}'
    expected = (*columns, returning) if returning not in columns else tuple(columns)
    assert rows(text) == [("insert", None, table, expected, False, False, None)]


@settings(max_examples=100, deadline=None)
@given(left=_name, right=_name, a=_name, b=_name)
def test_generated_join_attributes_only_qualified_columns(
    left: str, right: str, a: str, b: str
) -> None:
    if left == right:
        return
    text = f"SELECT l.{a}, r.{b}, {a} FROM {left} l JOIN {right} r ON l.{a} = r.{b}"
    assert rows(text) == [
        ("select", None, left, (a,), False, False, None),
        ("select", None, right, (b,), False, False, None),
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    targets, problem = sql_targets(text)
    assert isinstance(targets, tuple)
    assert problem is None or (isinstance(problem, str) and "\n" not in problem)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "SELECT",
                "FROM",
                "t",
                "(",
                ")",
                ",",
                "$1001",
                "'x'",
                '"Q"',
                "WITH",
                "AS",
                ";",
                "JOIN",
                "ON",
                "=",
                "INSERT",
                "INTO",
                "VALUES",
                "UPDATE",
                "SET",
                "*",
                ".",
                "--c\n",
            ]
        ),
        max_size=40,
    )
)
def test_never_raises_on_sql_like_text(words: list[str]) -> None:
    targets, problem = sql_targets(" ".join(words))
    assert isinstance(targets, tuple)
    assert problem is None or "\n" not in problem
