"""`.sql` files of application code: each statement's tables at their place in the file."""

from __future__ import annotations

from schemaverify.model.usage import CodeReference, FileScan
from schemaverify.sources.code.sqlfile import scan_sql_file

PATH = "app/queries/reports.sql"

REPORTS = """\
-- name: monthly_revenue
-- a semicolon in a comment; is not a statement end
SELECT date_trunc('month', o.created_at) AS month, sum(o.total) AS revenue
FROM orders o
WHERE o.status = 'paid;still a string'
GROUP BY month;

/* block; comment */
INSERT INTO report_runs (name, ran_at) VALUES ('monthly', now())
ON CONFLICT (name) DO UPDATE SET ran_at = excluded.ran_at;

CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE audit SET n = n + 1;  -- inside a function body: not this file's query
  RETURN NEW;
END $$;

   UPDATE "Customers" c SET tier = 'gold' FROM orders o WHERE o.cid = c.id; DELETE FROM app.s;
WITH s AS (SELECT id FROM carts) SELECT * FROM s;
"""


def test_statements_and_positions() -> None:
    result = scan_sql_file(PATH, REPORTS.encode())
    assert result == FileScan(
        PATH,
        (
            CodeReference(
                PATH,
                4,
                6,
                "sql",
                "select",
                "orders",
                None,
                columns=("created_at", "total", "status"),
            ),
            CodeReference(
                PATH, 9, 13, "sql", "upsert", "report_runs", None, columns=("name", "ran_at")
            ),
            CodeReference(PATH, 18, 11, "sql", "update", "Customers", None, columns=("tier", "id")),
            CodeReference(PATH, 18, 48, "sql", "select", "orders", None, columns=("cid",)),
            CodeReference(PATH, 18, 89, "sql", "delete", "s", "app"),
            CodeReference(PATH, 19, 27, "sql", "select", "carts", None, columns=("id",)),
        ),
    )


def test_a_statement_that_does_not_parse_spoils_only_itself() -> None:
    text = (
        "SELECT a FROM t;\nSELECT FROM WHERE;\nCREATE TABLE broken here;\nDELETE FROM u WHERE x;\n"
    )
    result = scan_sql_file(PATH, text.encode())
    assert result.references == (
        CodeReference(PATH, 1, 15, "sql", "select", "t", None, columns=("a",)),
        CodeReference(
            PATH,
            2,
            1,
            "sql",
            "select",
            None,
            unresolved=(
                "SQL does not parse: Expected table name but got 'WHERE' (line 1, column 13)"
            ),
        ),
        CodeReference(PATH, 4, 13, "sql", "delete", "u", None, columns=("x",)),
    )


def test_interpolated_template_placeholders_are_parameters() -> None:
    text = "SELECT id FROM orders WHERE user_id = :user_id AND status = $1;"
    result = scan_sql_file(PATH, text.encode())
    assert [(r.name, r.columns) for r in result.references] == [
        ("orders", ("id", "user_id", "status"))
    ]


def test_not_utf8_and_empty() -> None:
    assert scan_sql_file(PATH, b"") == FileScan(PATH)
    result = scan_sql_file(PATH, b"SELECT caf\xe9 FROM t;")
    assert [(r.name, r.columns) for r in result.references] == [("t", ("caf\ufffd",))]


def test_many_statements_keep_their_lines() -> None:
    text = "".join(f"SELECT c{i} FROM t{i};\n" for i in range(300))
    result = scan_sql_file(PATH, text.encode())
    assert [(r.line, r.column, r.name) for r in result.references] == [
        (i + 1, 15 + len(str(i)), f"t{i}") for i in range(300)
    ]


def test_seed_rows_are_read_as_one() -> None:
    rows = ",\n".join(f"('sku-{i}', {i}, (1))" for i in range(2000))
    text = (
        f"-- seed\nINSERT INTO items (sku, qty, n) VALUES\n{rows}\n"
        "ON CONFLICT (sku) DO UPDATE SET qty = excluded.qty RETURNING id;\n"
    )
    result = scan_sql_file(PATH, text.encode())
    assert result.references == (
        CodeReference(
            PATH, 2, 13, "sql", "upsert", "items", None, columns=("sku", "qty", "n", "id")
        ),
    )


def test_values_with_a_subquery_are_read_whole() -> None:
    text = "INSERT INTO a (x) VALUES ((SELECT max(y) FROM b)), (2);"
    result = scan_sql_file(PATH, text.encode())
    assert [(r.operation, r.name, r.columns) for r in result.references] == [
        ("insert", "a", ("x",)),
        ("select", "b", ("y",)),
    ]
