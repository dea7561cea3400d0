"""`schemaverify usage` against hostile code and common real-world patterns (review).

Two kinds of tests:

- pins of safety properties that hold today (escaping of code-derived names and paths in
  every format, hostile files that scan without an exception, symbolic links and FIFOs
  skipped, fingerprints stable under line moves, a parser crash in the process pool
  contained, common supabase-js / supabase-py / SQL patterns that give no finding);
- reproductions of problems found in review: they fail until the problem is fixed (no
  xfail on purpose).  Each says what is observed and what is expected.

No database is needed: the catalog is built from model objects, and where the CLI is run
it reads a snapshot written from that catalog.  Tests that can crash or hang the
interpreter (a tree-sitter segfault, a query that runs for minutes, a FIFO) run in a
subprocess with a timeout.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.model.findings import Finding
from schemaverify.model.schema import (
    Catalog,
    Column,
    ForeignKey,
    Function,
    Grant,
    Partition,
    Policy,
    Rls,
    Role,
    Table,
    TypeRef,
)
from schemaverify.model.usage import TARGETS, CodeReference
from schemaverify.rules.usage import UsageOptions, compare_usage
from schemaverify.sources import snapshot
from schemaverify.sources.code.javascript import scan_javascript
from schemaverify.sources.code.python import scan_python
from schemaverify.sources.code.scan import MAX_BYTES, find_files, scan_code, scan_source
from schemaverify.sources.code.sqlfile import scan_sql_file
from schemaverify.sources.specs import patterns as patterns_file

PYTHON = sys.executable
API = ("anon", "authenticated", "service_role")
ALL = ("select", "insert", "update", "delete")


# -- a catalog ------------------------------------------------------------------------


def _cols(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, TypeRef("text")) for n in names)


def _grants(*roles: str) -> tuple[Grant, ...]:
    return tuple(Grant(r, ALL) for r in roles)


def _catalog() -> Catalog:
    granted = _grants(*API)
    customers = Table(
        "public", "customers", _cols("id", "name", "email", "DisplayName"), grants=granted
    )
    orders = Table(
        "public",
        "orders",
        _cols("id", "customer_id", "amount", "status", "data", "fts", "created_at"),
        foreign_keys=(
            ForeignKey(
                ("customer_id",),
                "public",
                "customers",
                ("id",),
                name="orders_customer_id_fkey",
            ),
        ),
        grants=granted,
    )
    items = Table(
        "public",
        "items",
        _cols("id", "order_id", "sku", "qty"),
        foreign_keys=(
            ForeignKey(("order_id",), "public", "orders", ("id",), name="items_order_id_fkey"),
        ),
        grants=granted,
    )
    orders_v = Table(
        "public",
        "orders_v",
        _cols("id", "customer_id", "amount"),
        kind="view",
        reads=("public.orders",),
        grants=granted,
    )
    # RLS on; anon and authenticated may insert and select, nobody may update
    events = Table(
        "public",
        "events",
        _cols("id", "name"),
        grants=granted,
        owner="postgres",
        rls=Rls(
            enabled=True,
            forced=False,
            policies=(
                Policy("ins", "insert", ("anon", "authenticated"), with_check="true"),
                Policy("sel", "select", ("anon", "authenticated"), using="true"),
            ),
        ),
    )
    logs = Table("public", "logs", _cols("id", "at", "msg"), kind="partitioned table")
    execute_all = tuple(Grant(r, ("execute",)) for r in (*API, "public"))
    functions = (
        # two overloads: PostgREST picks by argument names; only f(b text) is callable
        Function(
            "public", "f", "a integer", "integer", grants=(Grant("service_role", ("execute",)),)
        ),
        Function("public", "f", "b text", "text", grants=execute_all),
        # a computed field and a computed relationship (PostgREST)
        Function("public", "order_label", "public.orders", "text", grants=execute_all),
        Function(
            "public",
            "customer_orders",
            "public.customers",
            "SETOF public.orders",
            grants=execute_all,
        ),
    )
    roles = tuple(Role(r, schema_usage=("public",)) for r in API)
    return Catalog(
        tables=(customers, events, items, logs, orders, orders_v),
        schemas=("public",),
        roles=roles,
        functions=functions,
        partitions=(Partition("public", "logs_2024", "public.logs"),),
    )


CATALOG = _catalog()


def _findings(refs: tuple[CodeReference, ...] | list[CodeReference]) -> list[Finding]:
    options = UsageOptions(patterns=patterns_file.load_patterns(None))
    found, _ = compare_usage(list(refs), CATALOG, options)
    return found


def _errors_and_warnings(refs: tuple[CodeReference, ...] | list[CodeReference]) -> list[str]:
    return [
        f"{f.severity} {f.kind} {f.table} {f.object}: {f.message}"
        for f in _findings(refs)
        if f.severity in ("error", "warning")
    ]


CLIENT = (
    "import { createClient } from '@supabase/supabase-js'\n"
    "const supabase = createClient(process.env.URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)\n"
)
PUBLIC_CLIENT = (
    "import { createClient } from '@supabase/supabase-js'\n"
    "const supabase = createClient(process.env.URL!, process.env.SUPABASE_ANON_KEY!)\n"
)


def _ts(body: str, client: str = CLIENT) -> tuple[CodeReference, ...]:
    source = client + "export async function go(q: string, ids: number[]) {\n" + body + "\n}\n"
    scan = scan_javascript("app/a.ts", source.encode(), "typescript")
    return scan.references


def _sql(text: str) -> tuple[CodeReference, ...]:
    return scan_sql_file("q.sql", text.encode()).references


def _py(text: str) -> tuple[CodeReference, ...]:
    return scan_python("w.py", textwrap.dedent(text).encode()).references


def _snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "snap.json"
    path.write_text(snapshot.dump(CATALOG), encoding="utf-8")
    return path


def _usage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: Path, *args: str
) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)  # no default `specs` folder
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(
        app,
        ["usage", "--code", str(code), "--snapshot", str(_snapshot(tmp_path)), "--no-cache", *args],
    )
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.output


# == pins: what holds ==================================================================


def test_common_supabase_js_patterns_give_no_finding() -> None:
    refs = _ts(
        """
  await supabase.from('orders').select('*, customers!orders_customer_id_fkey(name)')
  await supabase.from('orders').select('*', { count: 'exact', head: true })
  await supabase.from('orders').select('id, amount').csv()
  await supabase.from('orders').select('id').single()
  await supabase.from('orders').select('id').maybeSingle().throwOnError()
  await supabase.from('orders').select('id').abortSignal(signal).returns<any[]>()
  await supabase.from('orders').select('id').overrideTypes<any>()
  await supabase.from('orders').select('id').or('status.eq.a,amount.gt.2')
  await supabase.from('orders').select('id').filter('status', 'eq', 1)
  await supabase.from('orders').select('id').textSearch('fts', q)
  await supabase.from('orders').select('id, data->>name, data->a->b, t:amount.sum(), a:id::text')
  await supabase.from('orders').select('id, customer:customer_id(name, email)')
  await supabase.from('customers').select('id, orders(id, items(sku))')
  await supabase.from('customers').select('id, orders!inner(count)')
  await supabase.from('customers').select('id, "DisplayName"')
  await supabase.from('customers').select('id, ...orders(amount)')
  await supabase.from('orders').select('amount.avg(), status, count()').eq('data->>x', 'y')
  await supabase.from('orders').select('id, customers(name)').eq('customers.name', 'x')
  await supabase.from('orders').select('id').order('created_at', { ascending: false })
  await supabase.from('orders').select('id').limit(1, { referencedTable: 'items' })
  await supabase.from('orders').select('id').not('status', 'is', null).in('id', ids)
  await supabase.from('orders').upsert({ id: 1, status: 'x' }, { onConflict: 'id' }).select()
  await supabase.from('orders').update({ status: 'b' }).eq('id', 1).select('id')
  await supabase.from('orders').delete().match({ status: 'a' })
  await supabase.rpc('f', { b: 'x' }).select('*')
"""
    )
    assert len([r for r in refs if r.embedded_in is None]) == 25
    assert _errors_and_warnings(refs) == []


def test_common_sql_patterns_give_no_finding() -> None:
    refs = _sql(
        """
WITH recent AS (SELECT id, customer_id FROM orders WHERE created_at > now() - interval '1 day')
  SELECT r.id, c.name FROM recent r JOIN customers c ON c.id = r.customer_id;
SELECT c.id, x.amount FROM customers c CROSS JOIN LATERAL
  (SELECT o.amount FROM orders o WHERE o.customer_id = c.id ORDER BY o.created_at DESC LIMIT 1) x;
SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY created_at) AS rn FROM orders;
INSERT INTO orders (id, status) VALUES (1, 'a') RETURNING *;
INSERT INTO items (id, order_id, sku) SELECT id, id, status FROM orders WHERE status = 'x';
UPDATE orders o SET status = 'paid' FROM customers c WHERE c.id = o.customer_id AND c.email = 'a';
SELECT "DisplayName" FROM public.customers;
SELECT g FROM generate_series(1, 10) AS g;
SELECT x.a FROM jsonb_to_recordset('[{"a":1}]'::jsonb) AS x(a int);
SELECT u FROM unnest(ARRAY[1,2]) AS u;
SELECT v.a FROM (VALUES (1), (2)) AS v(a);
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT n FROM t;
INSERT INTO orders (id, status, amount) VALUES (1, 'a', 2)
  ON CONFLICT ON CONSTRAINT orders_pkey DO UPDATE SET amount = excluded.amount;
SELECT status, count(*) AS n FROM orders GROUP BY status HAVING count(*) > 1 ORDER BY n DESC;
SELECT data->>'name' AS nm, data #>> '{a,b}' FROM orders WHERE data ? 'x' AND data @> '{"a":1}';
SELECT current_schema, localtimestamp, current_user FROM orders;
SELECT id FROM orders FOR UPDATE SKIP LOCKED;
SELECT o.id FROM orders AS o WHERE o.status = $1 AND o.amount > :min AND o.id = %(id)s;
DELETE FROM items USING orders WHERE items.order_id = orders.id AND orders.status = 'x';
MERGE INTO orders o USING customers c ON o.customer_id = c.id
  WHEN MATCHED THEN UPDATE SET status = 'x'
  WHEN NOT MATCHED THEN INSERT (id, status) VALUES (1, 'y');
SELECT name AS label FROM customers UNION SELECT status FROM orders ORDER BY label;
"""
    )
    assert len(refs) >= 20
    assert _errors_and_warnings(refs) == []


def test_common_supabase_py_and_driver_sql_give_no_finding() -> None:
    refs = _py(
        """
        import os
        from supabase import create_client
        from sqlalchemy import text

        sb = create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])

        def f(cur, conn, q, ids):
            sb.table("orders").select("id, customers(name)").eq("status", "x").execute()
            sb.table("orders").select("*", count="exact").in_("id", ids) \
                .not_.is_("status", "null").execute()
            sb.table("orders").upsert({"id": 1, "status": "x"}, on_conflict="id").execute()
            sb.table("orders").select("id").text_search("fts", q).order("created_at", desc=True) \
                .execute()
            sb.from_("orders").select("id").or_("status.eq.a,amount.gt.1").execute()
            cur.execute("SELECT id FROM orders WHERE status LIKE 'a%%' AND id = %s", (1,))
            cur.execute("SELECT id FROM orders WHERE id = %(id)s", {"id": 1})
            conn.execute(text("SELECT id FROM orders WHERE id = :id"), {"id": 1})
            cur.execute("INSERT INTO orders (id, status) VALUES (%s, %s) "
                        "ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status", (1, "a"))
        """
    )
    assert len(refs) >= 10
    assert _errors_and_warnings(refs) == []


HOSTILE_NAMES = (
    "evil\n::error file=x.ts,line=1::pwned",
    "a|b<img src=x onerror=alert(1)>@octocat #1 [l](http://e.com)",
    "\x1b]8;;http://e\x07link\x1b]8;;\x07\x1b[31mred",
    "x\u202eabc",
    "</summary>\n\n# H",
)
HOSTILE_FILES = ("new\nline::error::x.ts", "pipe|<b>@me #2 `tick`.ts", "esc\x1b[31m.ts")


def _hostile_tree(root: Path) -> Path:
    code = root / "code"
    code.mkdir()
    body = ""
    for name in HOSTILE_NAMES:
        escaped = json.dumps(name)  # a valid JavaScript string literal
        body += f"supabase.from({escaped}).select('id')\n"
    body += "supabase.from('orders').select('id, \"col\\n::warning::x\", \"c|d\"')\n"
    (code / "plain.ts").write_text(CLIENT + body, encoding="utf-8")
    for name in HOSTILE_FILES:
        (code / name).write_text(CLIENT + "supabase.from('ghost').select('id')\n")
    return code


@pytest.mark.parametrize("fmt", ["table", "github", "markdown", "junit", "sarif", "json"])
def test_code_derived_names_and_paths_are_escaped_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    code = _hostile_tree(tmp_path)
    status, out = _usage(tmp_path, monkeypatch, code, "-f", fmt)
    assert status == 1, out
    lines = out.splitlines()
    if fmt in ("table", "github", "markdown"):  # JSON, SARIF and JUnit keep names faithfully
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    if fmt == "github":
        assert lines and all(
            line.startswith(("::error ", "::warning ", "::notice ")) for line in lines
        )
        # every line break of data is percent-encoded: one annotation per finding
        assert len(lines) == len(HOSTILE_NAMES) + len(HOSTILE_FILES) + 2
    elif fmt in ("table", "markdown"):
        assert not any(line.lstrip().startswith("::") for line in lines)
        if fmt == "markdown":
            assert "<img" not in out and "</summary>\n" not in out.replace("</summary>\n\n|", "")
            assert "@octocat" not in out
    elif fmt == "junit":
        ET.fromstring(out.encode("utf-8"))
    else:
        data = json.loads(out)
        if fmt == "sarif":
            uris = [
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in data["runs"][0]["results"]
            ]
            assert all("\n" not in u and "|" not in u and " " not in u for u in uris)


def test_hostile_files_scan_without_exception() -> None:
    deep = 100_000
    cases = {
        "paren.ts": "x = " + "(" * deep + "1" + ")" * deep,
        "array.js": "x = " + "[" * deep + "]" * deep,
        "fn.js": "function f(){" * 20_000 + "supabase.from(T).select('a')" + "}" * 20_000,
        "paren.py": "x = " + "(" * deep + "1" + ")" * deep,
        "concat.py": 'cur.execute("SELECT a FROM orders"' + ' + "a"' * 50_000 + ")",
        "deep.sql": "SELECT " + "(" * 50_000 + "1" + ")" * 50_000 + ";",
        "sub.sql": "SELECT * FROM " + "(SELECT * FROM " * 10_000 + "orders" + ") x" * 10_000,
        "sqljs.ts": "pool.query('SELECT " + "(" * 50_000 + "1" + ")" * 50_000 + "')",
        "select.ts": "supabase.from('orders').select('" + "a(" * 5_000 + "b" + ")" * 5_000 + "')",
        "unterminated.sql": "SELECT '" + "a" * 100_000,
        "template.ts": "sql`" + "${a}" * 50_000 + "`",
        "fstring.py": 'cur.execute(f"SELECT * FROM t WHERE ' + "{a}" * 50_000 + '")',
    }
    binary = {
        "nul.ts": b'supabase.from("orders")\x00.select("id")\x00' * 500,
        "badutf.py": b'\xff\xfe cur.execute("SELECT \xff FROM orders")\n' * 50,
        "random.ts": hashlib.sha512(b"x").digest() * 4000,
        "random.sql": hashlib.sha512(b"y").digest() * 4000,
        "random.py": hashlib.sha512(b"z").digest() * 4000,
    }
    languages = {".ts": "typescript", ".js": "javascript", ".py": "python", ".sql": "sql"}
    for name, data in [*((n, t.encode()) for n, t in cases.items()), *binary.items()]:
        scan = scan_source(name, data, languages[Path(name).suffix])
        assert scan.path == name


def test_links_fifos_and_big_files_are_not_scanned(tmp_path: Path) -> None:
    (tmp_path / "ok.ts").write_text("x")
    os.symlink(".", tmp_path / "loop")
    os.symlink("/etc/passwd", tmp_path / "passwd.ts")
    os.mkfifo(tmp_path / "fifo.ts")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")
    (tmp_path / "big.ts").write_bytes(b"x" * (MAX_BYTES + 1))
    found = sorted(Path(job.path).name for job, _ in find_files(tmp_path))
    assert found == ["big.ts", "ok.ts"]
    scan = scan_code(tmp_path, cache=False, jobs=1)
    assert scan.files == 1
    assert any(path.endswith("big.ts") and p.startswith("skipped") for path, p in scan.problems)


def test_fingerprints_do_not_follow_lines() -> None:
    body = """
  await supabase.from('ghost').select('id')
  await supabase.from('orders').select('id, nope')
  await supabase.from(tableName).select('id')
"""
    before = sorted(f.fingerprint for f in _findings(_ts(body)))
    after = sorted(f.fingerprint for f in _findings(_ts("\n\n\n// moved\n" + body)))
    assert before == after and len(before) == 3


MIX_TABS = "".join("\t" * (i // 8) + " " * (i % 8) + "if x:\n" for i in range(560))
MIX_TABS += "\t" * 70 + 'y = "s"\n'
"""560 blocks deep, indented with tabs and spaces: tree-sitter-python counts a tab as 8
columns and crashes (SIGSEGV) past some 500 levels; the line is far under 400 characters."""


def test_a_parser_crash_in_the_process_pool_costs_one_file(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "mix.py").write_text(MIX_TABS)
    (code / "big.sql").write_text("SELECT id FROM orders;\n" * 50_000)  # > 1 MB: parallel
    script = (
        "import sys; from pathlib import Path\n"
        "from schemaverify.sources.code.scan import scan_code\n"
        "s = scan_code(Path(sys.argv[1]), cache=False, jobs=2)\n"
        "print(len(s.references))\n"
        "print(*(f'{path}: {p}' for path, p in s.problems), sep='\\n')\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", script, str(code)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "50000"
    named = [line for line in done.stdout.splitlines() if "mix.py: " in line]
    assert len(named) == 1 and "not scanned" in named[0]


# == reproductions: problems found in review (these fail until fixed) ==================


def test_serial_scan_survives_a_parser_crash(tmp_path: Path) -> None:
    """Observed: a 28 KB Python file (tabs and spaces, 560 blocks deep) slips past
    python.py's indentation guard (it counts characters, tree-sitter counts a tab as 8
    columns) and tree-sitter-python segfaults; below PARALLEL_BYTES the scan runs in the
    main process, so `schemaverify usage` dies with SIGSEGV (exit -11/139), no message.
    Expected: the file is named as not scanned, the run goes on (exit 0/1)."""
    (tmp_path / "mix.py").write_text(MIX_TABS)
    script = (
        "import sys; from pathlib import Path\n"
        "from schemaverify.sources.code.scan import scan_code\n"
        "s = scan_code(Path(sys.argv[1]), cache=False, jobs=1)\n"
        "print(*s.problems, sep='\\n')\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    assert "mix.py" in done.stdout


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("chain.ts", 'supabase.from("orders")' + '.eq("id", 1)' * 40_000 + "\n"),
        ("chain.py", 'sb.table("orders")' + '.eq("id", 1)' * 40_000 + ".execute()\n"),
    ],
)
def test_a_long_method_chain_is_scanned_in_bounded_time(
    tmp_path: Path, name: str, source: str
) -> None:
    """Observed: one 480 KB line of 40,000 chained calls keeps tree-sitter's
    QueryCursor.matches/captures busy for about a minute (20,000 calls: 0.3 s; the 1.2 MB
    file of 100,000 runs for many minutes); MATCH_LIMIT does not bound it and there is no
    per-file deadline, so a pull request can stall the CI job.  Expected: bounded (a
    deadline through the query's progress callback, or a depth/size guard)."""
    path = tmp_path / name
    path.write_text(source)
    script = (
        "import sys; from pathlib import Path\n"
        "from schemaverify.sources.code.scan import scan_code\n"
        "s = scan_code(Path(sys.argv[1]), cache=False)\n"
        "print(*(f'{path}: {p}' for path, p in s.problems), sep='\\n')\n"
    )
    try:
        done = subprocess.run(
            [PYTHON, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=90
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: scanning one file took over 90 s")
    assert done.returncode == 0, done.stderr[-500:]
    # Whatever bounded it (the chain limit, the nesting guard, the CPU limit per file),
    # the file is named: a reader knows it was not fully checked.
    assert f"{name}: " in done.stdout


def test_select_count_legacy_is_no_column() -> None:
    """Observed: `.select('count', { count: 'exact', head: true })` (PostgREST's legacy
    count, still supported) is code_column_missing `count` (error).  Expected: none."""
    refs = _ts("  await supabase.from('orders').select('count', { count: 'exact', head: true })")
    assert _errors_and_warnings(refs) == []


def test_computed_field_is_no_missing_column() -> None:
    """Observed: a PostgREST computed field (`order_label(public.orders)`, as in Supabase's
    full-text-search guide) selected or filtered is code_column_missing (error)."""
    refs = _ts(
        "  await supabase.from('orders').select('id, order_label')\n"
        "  await supabase.from('orders').select('id').textSearch('order_label', q)"
    )
    assert _errors_and_warnings(refs) == []


def test_computed_relationship_is_no_missing_table() -> None:
    """Observed: embedding a computed relationship (`customer_orders(public.customers)
    RETURNS SETOF public.orders`) is code_table_missing (error)."""
    refs = _ts("  await supabase.from('customers').select('id, customer_orders(id, amount)')")
    assert _errors_and_warnings(refs) == []


def test_embedding_through_a_views_foreign_key_column_is_no_missing_table() -> None:
    """Observed: `.from('orders_v').select('id, customer_id(name)')` on a view over orders
    is code_table_missing `public.customer_id` (error): embedded_target() looks only at the
    view's own foreign keys, and a view has none; PostgREST infers them from the base
    table."""
    refs = _ts("  await supabase.from('orders_v').select('id, customer_id(name)')")
    assert _errors_and_warnings(refs) == []


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        (
            "SELECT DISTINCT ON (day) date_trunc('day', created_at) AS day, amount "
            "FROM orders ORDER BY day, created_at DESC;",
            "DISTINCT ON names an output column, like ORDER BY",
        ),
        (
            "SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM items i WHERE i.sku = email);",
            "`email` is the outer query's column (items has none): PostgreSQL looks outwards",
        ),
        ("UPDATE orders SET status = DEFAULT WHERE id = 1;", "DEFAULT is a keyword"),
        ("SELECT xmin, ctid, id FROM orders;", "system columns exist on every table"),
        ("SELECT tablename FROM pg_tables WHERE schemaname = 'public';", "pg_catalog"),
        ("SELECT pid, state FROM pg_stat_activity;", "pg_catalog is first on the search path"),
        ("SELECT id, msg FROM logs_2024;", "a partition is a table (catalog.partitions)"),
    ],
)
def test_valid_sql_gives_no_error(sql: str, why: str) -> None:
    assert _errors_and_warnings(_sql(sql)) == [], why


def test_upsert_ignoring_duplicates_needs_no_update_privilege() -> None:
    """Observed: `.upsert(row, { ignoreDuplicates: true })` is INSERT ... ON CONFLICT DO
    NOTHING, but is judged as needing UPDATE too: code_access_denied (warning) on a table
    whose policies allow insert and select only.  Expected: judged as an insert."""
    refs = _ts(
        "  await supabase.from('events').upsert({ id: 1, name: 'x' },"
        " { onConflict: 'id', ignoreDuplicates: true })",
        client=PUBLIC_CLIENT,
    )
    assert [r.privilege for r in refs] == ["public"]
    assert _errors_and_warnings(refs) == []


def test_rpc_of_an_overloaded_function_is_judged_on_every_overload() -> None:
    """Observed: _Lookup keeps the first overload only (`setdefault`), so `.rpc('f',
    { b })` is code_access_denied because f(a integer) is not executable, although
    f(b text) is.  Expected: no finding when some overload is executable."""
    refs = _ts("  await supabase.rpc('f', { b: 'x' })", client=PUBLIC_CLIENT)
    assert _errors_and_warnings(refs) == []


def test_missing_names_of_different_kinds_have_different_fingerprints() -> None:
    """Observed: table_missing keys by path only, so a missing table, a missing function and
    missing embeds in two parents, all named `ghost` in one file, are four findings with ONE
    fingerprint; a baseline accepting the embed then silently accepts a new
    `.from('ghost').delete()` (checked: exit 0).  Expected: fingerprints unique."""
    refs = _ts(
        """
  await supabase.from('ghost').select('id')
  await supabase.rpc('ghost')
  await supabase.from('orders').select('id, ghost(id)')
  await supabase.from('customers').select('id, ghost(id)')
"""
    )
    prints = [f.fingerprint for f in _findings(refs) if f.kind == "code_table_missing"]
    assert len(prints) == 4
    assert len(set(prints)) == 4, prints


def test_rpc_of_another_library_is_no_database_function() -> None:
    """Observed: `.rpc()` counts on any receiver but a few globals, so a JSON-RPC client's
    `provider.rpc('eth_blockNumber')` is code_table_missing (error, a missing function)."""
    scan = scan_javascript(
        "app/chain.ts",
        b"import { JsonRpcProvider } from 'some-rpc'\n"
        b"const provider = new JsonRpcProvider(url)\n"
        b"await provider.rpc('eth_blockNumber', [])\n",
        "typescript",
    )
    assert _errors_and_warnings(scan.references) == []


def test_sql_of_a_sqlite_connection_is_not_checked_against_postgres() -> None:
    """Observed: SQL a file sends to sqlite3 (a local cache) is read as PostgreSQL and its
    tables are code_table_missing (error)."""
    refs = _py(
        """
        import sqlite3
        conn = sqlite3.connect("cache.db")
        cur = conn.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT)")
        cur.execute("SELECT v FROM kv WHERE k = ?", ("a",))
        """
    )
    assert _errors_and_warnings(refs) == []


def test_other_tools_migrations_are_not_code(tmp_path: Path) -> None:
    """Observed: prisma/migrations/*/migration.sql (and drizzle, db/migrate...) are scanned
    as application code: a historical data migration naming a column dropped later is
    code_column_missing (error).  Only --migrations and supabase/migrations are skipped."""
    folder = tmp_path / "prisma" / "migrations" / "20240101_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text(
        "ALTER TABLE orders ADD COLUMN legacy int;\n"
        "UPDATE orders SET legacy = 0;\n"
        "ALTER TABLE orders DROP COLUMN legacy;\n"
    )
    scan = scan_code(tmp_path, cache=False, jobs=1)
    assert _errors_and_warnings(scan.references) == []


def test_a_schema_the_snapshot_lacks_is_no_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Observed: any reference to a schema the snapshot did not record (`auth.users` in
    supabase/seed.sql, `information_schema.tables`, `.schema('storage')`) makes
    schemas_named() ask the snapshot for it, and the whole run stops: exit 2, "a spec or
    --schema asks for it".  A pull request can switch the check off this way.  Expected:
    the reference is reported (unread schema / unresolved), the run completes."""
    code = tmp_path / "code"
    (code / "supabase").mkdir(parents=True)
    (code / "supabase" / "seed.sql").write_text(
        "INSERT INTO auth.users (id, email)"
        " VALUES ('00000000-0000-0000-0000-000000000000', 'a@b.c');\n"
    )
    (code / "a.ts").write_text(CLIENT + "supabase.from('ghost').select('id')\n")
    status, out = _usage(tmp_path, monkeypatch, code)
    assert status == 1, out
    assert "ghost" in out


def test_files_left_unscanned_are_shown_outside_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Observed: Usage.problems (a file over 2 MB skipped, a parser crash, code nested too
    deeply) appear only in the JSON report; the terminal, GitHub, Markdown, JUnit and SARIF
    outputs say nothing and the run passes, so code can hide from the check by being big
    or hostile.  Expected: named (a warning line or an info finding)."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "bundle.ts").write_bytes(
        CLIENT.encode() + b"supabase.from('ghost').select('id')\n" + b"//" * MAX_BYTES
    )
    for fmt in ("table", "github", "markdown"):
        status, out = _usage(tmp_path, monkeypatch, code, "-f", fmt)
        assert "bundle.ts" in out, f"{fmt}: exit {status}, the skipped file is not named"


def test_a_poisoned_cache_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Observed: cache.py checks each field's type but not its vocabulary; an entry with
    target "view" is used, and table_missing() then fails with KeyError ("internal error").
    Expected: the entry is refused like any damaged one and the file parsed again."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "a.ts").write_text(CLIENT + "supabase.from('orders').select('id')\n")
    cache = tmp_path / "c"
    scan_code(code, cache_dir=cache, jobs=1)
    [file] = (cache / "usage").glob("*.json")
    data = json.loads(file.read_text())
    for entry in data["files"].values():
        for row in entry["references"]:
            row[5], row[7] = "ghost", "view"
    file.write_text(json.dumps(data))
    file.chmod(0o600)
    scan = scan_code(code, cache_dir=cache, jobs=1)
    assert all(r.target in TARGETS for r in scan.references)
    assert scan.parsed == 1


def test_a_fifo_in_place_of_the_cache_file_does_not_hang(tmp_path: Path) -> None:
    """Observed: ScanCache._read() opens the cache file before checking what it is; a FIFO
    there (a shared or world-writable SCHEMAVERIFY_CACHE_DIR: the name is predictable)
    blocks the run forever.  Expected: open with O_NONBLOCK|O_NOFOLLOW, regular files
    only."""
    code = tmp_path / "code"
    code.mkdir()
    where = f"{os.path.realpath(code)}\0{code}"
    folder = tmp_path / "c" / "usage"
    folder.mkdir(parents=True)
    os.mkfifo(folder / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.json")
    script = (
        "import sys; from pathlib import Path\n"
        "from schemaverify.sources.code.cache import ScanCache\n"
        "ScanCache(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    )
    try:
        subprocess.run(
            [PYTHON, "-c", script, str(code), str(tmp_path / "c")], timeout=20, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail("ScanCache blocked on a FIFO")
