"""The Python scanner on code as applications write it: FastAPI handlers on supabase-py,
an asyncpg worker, psycopg cursors, SQLAlchemy `text()`.

Every expectation is exact (position, operation, columns, privilege), so a scanner that
guesses a name, loses a column or reads a comment fails here.
"""

from __future__ import annotations

import textwrap
import time

import pytest

from schemaverify.model.usage import CodeReference, Export, FileScan
from schemaverify.sources.code.python import scan_python

PATH = "app/api/orders.py"


def scan(code: str) -> FileScan:
    return scan_python(PATH, textwrap.dedent(code).lstrip("\n").encode())


def short(ref: CodeReference) -> tuple[object, ...]:
    return (
        ref.line,
        ref.column,
        ref.via,
        ref.operation,
        ref.target,
        ref.schema,
        ref.name,
        ref.columns,
        ref.all_columns,
        ref.partial,
        ref.privilege,
        ref.unresolved,
        ref.embedded_in,
        ref.client,
    )


def refs(code: str) -> list[tuple[object, ...]]:
    result = scan(code)
    assert result.problems == ()
    return [short(r) for r in result.references]


HEADER = """\
import os
from supabase import Client, create_client

URL = os.environ["SUPABASE_URL"]
admin = create_client(URL, os.environ["SUPABASE_SERVICE_ROLE_KEY"])
"""


def test_fastapi_handler_select_with_filters_and_embeds() -> None:
    code = (
        HEADER
        + """
@router.get("/orders")
async def list_orders(user_id: str):
    res = (
        admin.table("orders")
        .select("id, total, customer:customers(name, address(city))")
        .eq("user_id", user_id)
        .not_.is_("deleted_at", "null")
        .in_("status", ["paid", "sent"])
        .order("created_at", desc=True)
        .limit(20)
        .execute()
    )
    return res.data
"""
    )
    assert refs(code) == [
        (
            10,
            15,
            "supabase-py",
            "select",
            "table",
            None,
            "orders",
            ("id", "total", "user_id", "deleted_at", "status", "created_at"),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            11,
            17,
            "supabase-py",
            "select",
            "table",
            None,
            "customers",
            ("name",),
            False,
            False,
            "service",
            None,
            "orders",
            None,
        ),
        (
            11,
            17,
            "supabase-py",
            "select",
            "table",
            None,
            "address",
            ("city",),
            False,
            False,
            "service",
            None,
            "customers",
            None,
        ),
    ]


def test_writes_and_their_columns() -> None:
    code = (
        HEADER
        + """
def save(user_id, row, extra):
    admin.table("profiles").update({"name": "x", "bio": None}).eq("id", user_id).execute()
    admin.table("audit").insert([{"event": "save", "user_id": user_id}, {"event": "x"}]).execute()
    admin.table("tags").insert({"label": "a", **extra}).execute()
    admin.table("carts").upsert(row, on_conflict="user_id, sku").execute()
    admin.table("settings").insert({"key": 1}, upsert=True).execute()
    admin.from_("sessions").delete().match({"user_id": user_id, "device": "web"}).execute()
    admin.table("notes").insert(dict(body="x", author=user_id)).execute()
"""
    )
    assert refs(code) == [
        (
            8,
            11,
            "supabase-py",
            "update",
            "table",
            None,
            "profiles",
            ("name", "bio", "id"),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            9,
            11,
            "supabase-py",
            "insert",
            "table",
            None,
            "audit",
            ("event", "user_id"),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            10,
            11,
            "supabase-py",
            "insert",
            "table",
            None,
            "tags",
            ("label",),
            False,
            True,
            "service",
            None,
            None,
            None,
        ),
        (
            11,
            11,
            "supabase-py",
            "upsert",
            "table",
            None,
            "carts",
            ("user_id", "sku"),
            False,
            True,
            "service",
            None,
            None,
            None,
        ),
        (
            12,
            11,
            "supabase-py",
            "upsert",
            "table",
            None,
            "settings",
            ("key",),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            13,
            11,
            "supabase-py",
            "delete",
            "table",
            None,
            "sessions",
            ("user_id", "device"),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            14,
            11,
            "supabase-py",
            "insert",
            "table",
            None,
            "notes",
            ("body", "author"),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
    ]


def test_row_built_in_a_variable_is_partial() -> None:
    code = (
        HEADER
        + """
def create(user_id):
    row = {"user_id": user_id, "total": 0}
    admin.table("orders").insert(row).execute()
"""
    )
    assert [r[6:10] for r in refs(code)] == [("orders", ("user_id", "total"), False, True)]


def test_rows_from_a_comprehension() -> None:
    code = (
        HEADER
        + """
def rollup(totals):
    admin.table("daily").insert([{"day": d, "n": n} for d, n in totals]).execute()
    rows = [{"customer_id": c, "total": t} for c, t in totals.items()]
    admin.table("totals").upsert(rows, on_conflict="customer_id").execute()
"""
    )
    assert [r[3:10] for r in refs(code)] == [
        ("insert", "table", None, "daily", ("day", "n"), False, False),
        ("upsert", "table", None, "totals", ("customer_id", "total"), False, True),
    ]


def test_schema_rpc_storage() -> None:
    code = (
        HEADER
        + """
def misc(uid):
    admin.schema("billing").table("plans").select("*").execute()
    admin.rpc("refresh_totals", {"uid": uid}).execute()
    admin.schema("app").rpc("ping").execute()
    admin.storage.from_("avatars").upload("a.png", b"")
    admin.storage.get_bucket("exports")
"""
    )
    assert refs(code) == [
        (
            8,
            29,
            "supabase-py",
            "select",
            "table",
            "billing",
            "plans",
            (),
            True,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            9,
            11,
            "supabase-py",
            "rpc",
            "function",
            None,
            "refresh_totals",
            (),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            10,
            25,
            "supabase-py",
            "rpc",
            "function",
            "app",
            "ping",
            (),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            11,
            19,
            "supabase-py",
            "storage",
            "bucket",
            None,
            "avatars",
            (),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
        (
            12,
            19,
            "supabase-py",
            "storage",
            "bucket",
            None,
            "exports",
            (),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
    ]


def test_multiline_chains_backslashes_and_await() -> None:
    code = """
from supabase import acreate_client
import os

async def main():
    client = await acreate_client(os.environ["URL"], os.environ.get("SUPABASE_ANON_KEY"))
    data = await client.table("posts") \\
        .select("id") \\
        .eq("published", True) \\
        .execute()
    more = await (
        client
            .from_("comments")
            .select("*")
            .execute()
    )
"""
    assert refs(code) == [
        (
            6,
            25,
            "supabase-py",
            "select",
            "table",
            None,
            "posts",
            ("id", "published"),
            False,
            False,
            "public",
            None,
            None,
            None,
        ),
        (
            12,
            14,
            "supabase-py",
            "select",
            "table",
            None,
            "comments",
            (),
            True,
            False,
            "public",
            None,
            None,
            None,
        ),
    ]


def test_constants_resolve_and_everything_else_is_unresolved() -> None:
    code = """
from typing import Final
from supabase import create_client
from app.config import IMPORTED

ORDERS: Final = "orders"
PREFIX = "app"
TWICE = "a"
TWICE = "b"
STATUS = "status"

def handler(sb, table_name, n, obj):
    LOCAL = "local_table"
    sb.table(ORDERS).select("id").eq(STATUS, 1).execute()
    sb.table(LOCAL).select("id").execute()
    sb.table(f"{PREFIX}_events").select("id").execute()
    sb.table(table_name).select("*").execute()
    sb.table(TWICE).select("*").execute()
    sb.table(IMPORTED).select("*").execute()
    sb.table(obj.name).select("*").execute()
    sb.table(f"t_{n}").select("*").execute()
    sb.table(get_name()).select("*").execute()
    sb.table("x").select("*").eq(obj.col, 1).execute()
"""
    assert [(r[0], r[6], r[7], r[9], r[11]) for r in refs(code)] == [
        (13, "orders", ("id", "status"), False, None),
        (14, "local_table", ("id",), False, None),
        (15, "app_events", ("id",), False, None),
        (16, None, (), False, "table name from variable table_name"),
        (17, None, (), False, "table name from variable TWICE"),
        (18, None, (), False, "table name from variable IMPORTED"),
        (19, None, (), False, "table name from variable obj.name"),
        (20, None, (), False, "table name from an f-string"),
        (21, None, (), False, "table name from a call"),
        (22, "x", (), True, None),
    ]


def test_a_parameter_shadows_a_module_constant() -> None:
    code = """
from supabase import Client
TABLE = "orders"

def handler(sb: Client, TABLE: str):
    sb.table(TABLE).select("*").execute()
"""
    assert [r[11] for r in refs(code)] == ["table name from variable TABLE"]


def test_look_alike_strings_and_comments_give_nothing() -> None:
    code = (
        HEADER
        + '''
# admin.table("commented").select("*").execute()
DOC = """
    admin.table("in_docstring").select("*").execute()
    cur.execute("SELECT * FROM in_string")
"""
print("admin.table('printed').select('x')")
log.info("SELECT * FROM logged")
'''
    )
    assert refs(code) == []


def test_table_calls_of_other_libraries_are_not_references() -> None:
    code = """
from tinydb import TinyDB

db = TinyDB("db.json")
db.table("users").insert({"name": "x"})
console.table("rows")
"""
    assert refs(code) == []


def test_privilege_cases() -> None:
    code = """
import os
from fastapi import Depends
from supabase import Client, AsyncClient, create_client
from app.settings import settings, SUPABASE_SERVICE_ROLE_KEY

URL = os.environ["SUPABASE_URL"]
SERVICE = os.getenv("SUPABASE_SECRET_KEY")
service_client = create_client(URL, SERVICE)
anon_client: Client = create_client(URL, os.environ.get("SUPABASE_PUBLISHABLE_KEY"))
settings_client = create_client(URL, settings.supabase_service_role_key)
imported_key = create_client(URL, SUPABASE_SERVICE_ROLE_KEY)
plain = create_client(URL, os.environ["SUPABASE_KEY"])
literal = create_client(URL, "sb_publishable_abc123")
keyword = create_client(supabase_url=URL, supabase_key=settings.SUPABASE_ANON_KEY)


def admin_client() -> Client:
    return create_client(URL, os.environ["SUPABASE_SERVICE_ROLE_KEY"])


def cached():
    client = admin_client()
    return client


def handler(dep: Client = Depends(admin_client)):
    service_client.table("a").select("*").execute()
    anon_client.table("b").select("*").execute()
    settings_client.table("c").select("*").execute()
    imported_key.table("d").select("*").execute()
    plain.table("e").select("*").execute()
    literal.table("f").select("*").execute()
    keyword.table("g").select("*").execute()
    admin_client().table("h").select("*").execute()
    cached().table("i").select("*").execute()
    dep.table("j").select("*").execute()
"""
    result = scan(code)
    assert [(r.name, r.privilege) for r in result.references] == [
        ("a", "service"),
        ("b", "public"),
        ("c", "service"),
        ("d", "service"),
        ("e", "unknown"),
        ("f", "public"),
        ("g", "public"),
        ("h", "service"),
        ("i", "service"),
        ("j", "service"),
    ]
    assert result.exports == (
        Export("admin_client", "service"),
        Export("anon_client", "public"),
        Export("cached", "service"),
        Export("imported_key", "service"),
        Export("keyword", "public"),
        Export("literal", "public"),
        Export("service_client", "service"),
        Export("settings_client", "service"),
    )


def test_constructor_under_another_name() -> None:
    code = """
import os
from supabase import create_client as make
from other import create_client

a = make(os.environ["URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])
b = create_client(os.environ["URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])
a.table("t").select("*").execute()
b.table("u").select("*").execute()
"""
    assert [(r[6], r[10], r[13]) for r in refs(code)] == [
        ("t", "service", None),
        ("u", "unknown", ("other", "create_client")),
    ]


def test_jwt_key_literal_role() -> None:
    # header.payload.signature with payload {"role":"service_role"}
    code = """
from supabase import create_client
KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.sig"
sb = create_client("https://x.supabase.co", KEY)
sb.table("t").select("*").execute()
"""
    assert [r[10] for r in refs(code)] == ["service"]


def test_class_clients_through_self() -> None:
    code = """
import os
from supabase import create_client

class OrderService:
    def __init__(self):
        self.client = create_client(os.environ["URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])

    def get(self, order_id):
        return self.client.table("orders").select("id").eq("id", order_id).execute()
"""
    assert [(r[6], r[10]) for r in refs(code)] == [("orders", "service")]


def test_imported_clients_keep_their_origin() -> None:
    code = """
from app.db import supabase_admin
from .deps import get_client as client_factory
import app.clients as clients
from fastapi import Depends

def handler(sb=Depends(client_factory)):
    supabase_admin.table("a").select("*").execute()
    client_factory().table("b").select("*").execute()
    clients.admin.table("c").select("*").execute()
    sb.table("d").select("*").execute()
    local = client_factory()
    local.table("e").select("*").execute()
"""
    assert [(r[6], r[10], r[13]) for r in refs(code)] == [
        ("a", "unknown", ("app.db", "supabase_admin")),
        ("b", "unknown", (".deps", "get_client")),
        ("c", "unknown", ("app.clients", "admin")),
        ("d", "unknown", (".deps", "get_client")),
        ("e", "unknown", (".deps", "get_client")),
    ]
    assert scan(code).exports == ()


def test_builder_kept_in_a_variable() -> None:
    code = (
        HEADER
        + """
def search(term):
    query = admin.table("products")
    return query.select("id, name").ilike("name", term).execute()
"""
    )
    assert refs(code) == [
        (
            8,
            19,
            "supabase-py",
            "select",
            "table",
            None,
            "products",
            ("id", "name"),
            False,
            False,
            "service",
            None,
            None,
            None,
        ),
    ]


WORKER = '''
import asyncpg

QUEUE = "jobs"


async def work(pool, job_id, table):
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT j.id, j.payload, w.name
            FROM jobs j
            JOIN workers w ON w.id = j.worker_id
            WHERE j.status = $1
            """,
            "queued",
        )
        await conn.execute(
            "UPDATE jobs SET status = 'done', finished_at = now() WHERE id = $1", job_id
        )
        await conn.execute(f"DELETE FROM {QUEUE} WHERE id = $1", job_id)
        n = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE x = 1")
        await conn.executemany("INSERT INTO results (job_id, value) VALUES ($1, $2)", rows)
        await conn.fetchrow("WITH last AS (SELECT max(id) AS id FROM jobs) SELECT id FROM last")
'''


def test_asyncpg_worker() -> None:
    assert refs(WORKER) == [
        (
            11,
            18,
            "sql",
            "select",
            "table",
            None,
            "jobs",
            ("id", "payload", "worker_id", "status"),
            False,
            False,
            "unknown",
            None,
            None,
            None,
        ),
        (
            12,
            18,
            "sql",
            "select",
            "table",
            None,
            "workers",
            ("name", "id"),
            False,
            False,
            "unknown",
            None,
            None,
            None,
        ),
        (
            18,
            21,
            "sql",
            "update",
            "table",
            None,
            "jobs",
            ("status", "finished_at", "id"),
            False,
            False,
            "unknown",
            None,
            None,
            None,
        ),
        (
            20,
            42,
            "sql",
            "delete",
            "table",
            None,
            "jobs",
            ("id",),
            False,
            False,
            "unknown",
            None,
            None,
            None,
        ),
        (
            21,
            56,
            "sql",
            "select",
            "table",
            None,
            None,
            ("x",),
            False,
            False,
            "unknown",
            "table name from variable table",
            None,
            None,
        ),
        (
            22,
            45,
            "sql",
            "insert",
            "table",
            None,
            "results",
            ("job_id", "value"),
            False,
            False,
            "unknown",
            None,
            None,
            None,
        ),
        (
            23,
            70,
            "sql",
            "select",
            "table",
            None,
            "jobs",
            ("id",),
            False,
            False,
            "unknown",
            None,
            None,
            None,
        ),
    ]


def test_psycopg_and_sqlalchemy() -> None:
    code = """
import psycopg
from psycopg import sql
from sqlalchemy import text
import sqlalchemy as sa

SQL_QUERY = "SELECT email FROM users WHERE id = %s"


def sync(cur, session, name):
    cur.execute(
        "INSERT INTO events (kind, payload) VALUES (%s, %(p)s) "
        "ON CONFLICT (kind) DO UPDATE SET payload = excluded.payload RETURNING id",
        {"p": 1},
    )
    cur.execute(sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(name)), (1,))
    session.execute(text("SELECT u.email FROM users u WHERE u.id = :id"), {"id": 1})
    session.execute(sa.text("DELETE FROM tokens WHERE used"))
    cur.execute(SQL_QUERY, (1,))
    cur.execute("SELECT a FROM t1 " "JOIN t2 USING (id)")
    cur.execute("SELECT * FROM %s" % name)
    cur.execute("SELECT * FROM " + name + " WHERE x = 1")
    cur.execute("SELECT name FROM {} ORDER BY name".format(name))
    cur.execute("SELECT 100 %% 7, note FROM t3 WHERE note LIKE 'a%%'")
"""
    assert [(r[0], r[1], r[3], r[6], r[7], r[8], r[11]) for r in refs(code)] == [
        (6, 32, "select", "users", ("email", "id"), False, None),
        (11, 22, "upsert", "events", ("kind", "payload", "id"), False, None),
        (15, 40, "select", None, ("id",), True, "table name from an interpolation"),
        (16, 47, "select", "users", ("email", "id"), False, None),
        (17, 42, "delete", "tokens", ("used",), False, None),
        (19, 32, "select", "t1", ("id",), False, None),
        (19, 43, "select", "t2", ("id",), False, None),
        (20, 32, "select", None, (), True, "table name from an interpolation"),
        (21, 36, "select", None, ("x",), True, "table name from variable name"),
        (22, 35, "select", None, ("name",), False, "table name from an interpolation"),
        (23, 45, "select", "t3", ("note",), False, None),
    ]


def test_sql_that_does_not_parse_is_one_reference() -> None:
    code = """
def f(cur):
    cur.execute("SELECT FROM WHERE")
    cur.execute("DELETE FROM")
    cur.execute("CREATE FUNCTION broken(")
    shell.execute("ls -la")
    ui.text("Select a plan")
"""
    assert refs(code) == [
        (
            2,
            18,
            "sql",
            "select",
            "table",
            None,
            None,
            (),
            False,
            False,
            "unknown",
            "SQL does not parse: Expected table name but got 'WHERE' (line 1, column 13)",
            None,
            None,
        ),
        (
            3,
            18,
            "sql",
            "delete",
            "table",
            None,
            None,
            (),
            False,
            False,
            "unknown",
            "SQL does not parse: Expected table name but got 'FROM' (line 1, column 8)",
            None,
            None,
        ),
    ]


def test_dynamic_clauses_leave_what_the_text_shows() -> None:
    """An interpolated clause that is no expression (`{where}` after FROM): the query is
    read without it, and its column lists are partial."""
    code = """
def f(cur, where, order):
    cur.execute(f"SELECT id, total FROM orders {where} ORDER BY {order}")
    cur.execute(f"SELECT id FROM orders WHERE {where}")
"""
    assert [(r[0], r[1], r[6], r[7], r[9]) for r in refs(code)] == [
        (2, 41, "orders", ("id", "total"), True),
        (3, 34, "orders", ("id",), True),
    ]


def test_unicode_columns_are_characters() -> None:
    code = """
def f(cur):
    x = "é"; cur.execute("SELECT a FROM café")
"""
    assert [(r[0], r[1], r[6]) for r in refs(code)] == [(2, 41, "café")]


def test_syntax_error_is_reported_and_the_rest_scanned() -> None:
    code = (
        HEADER
        + """
def broken(:
    pass

def fine():
    admin.table("orders").select("id").execute()
"""
    )
    result = scan(code)
    assert result.problems == ("line 7: syntax error (the rest of the file is still scanned)",)
    assert [(r.line, r.name) for r in result.references] == [(11, "orders")]


def test_references_are_ordered_by_position() -> None:
    code = (
        HEADER
        + """
def f(cur):
    cur.execute("SELECT b FROM later"); admin.table("first").select("a").execute()
    admin.table("second").select("a").execute()
"""
    )
    assert [(r[0], r[1], r[6]) for r in refs(code)] == [
        (8, 32, "later"),
        (8, 47, "first"),
        (9, 11, "second"),
    ]


def test_empty_and_binary_input() -> None:
    assert scan_python("x.py", b"") == FileScan("x.py")
    result = scan_python("x.py", b"\xff\xfe\x00garbage(")
    assert result.references == ()


@pytest.mark.parametrize("depth", [200, 2000])
def test_deep_nesting_does_not_crash(depth: int) -> None:
    code = "x = " + "(" * depth + "1" + ")" * depth + "\n"
    result = scan_python("x.py", code.encode())
    assert result.references == ()


def test_a_chain_of_thousands_of_calls_stays_fast() -> None:
    code = 'import supabase\nsb.table("t").select("a")' + '.eq("b", 1)' * 20_000 + ".execute()\n"
    start = time.perf_counter()
    result = scan_python("x.py", code.encode())
    assert time.perf_counter() - start < 10
    assert result.problems == ("nested too deeply to scan completely (what was read is kept)",)
    assert [(r.name, r.columns) for r in result.references] == [("t", ("a", "b"))]


def test_indentation_too_deep_for_the_parser_is_not_parsed() -> None:
    """tree-sitter-python crashes the process on ~510 nested blocks holding a string."""
    code = "".join(" " * i + f"def f{i}():\n" for i in range(600)) + " " * 600 + 'x = "s"\n'
    result = scan_python("x.py", code.encode())
    assert result == FileScan("x.py", problems=("indented more than 400 blocks deep: not scanned",))
    shallow = "".join(" " * i + f"def f{i}():\n" for i in range(300)) + " " * 300 + 'x = "s"\n'
    assert scan_python("x.py", shallow.encode()).problems == ()


def test_rate_on_a_large_file() -> None:
    """A generated 20,000-line module scans well inside the budget (500k lines in 10 s
    on 2 cores is 25,000 lines per second per core)."""
    lines = [HEADER]
    i = 0
    while len(lines) < 20_000:
        i += 1
        lines.append(f"def handler_{i}(request, user_id):")
        lines.append("    data = request.json()")
        lines.append("    total = sum(x for x in data) + len(data)")
        lines.append(
            '    res = admin.table("orders").select("id, total").eq("user_id", user_id).execute()'
        )
        lines.append(f'    cur.execute("SELECT id FROM items WHERE order_id = %s", ({i},))')
        lines.append("    return {'ok': True, 'total': total}")
        lines.append("")
    source = "\n".join(lines).encode()
    start = time.perf_counter()
    result = scan_python("big.py", source)
    elapsed = time.perf_counter() - start
    assert len(result.references) == 2 * i
    assert elapsed < 4.0, f"{len(lines) / elapsed:.0f} lines/s"
