"""The JavaScript/TypeScript scanner of `schemaverify usage`: each way code reaches the
database, read from realistic snippets, with exact references (names, operations,
columns, lines and columns)."""

from __future__ import annotations

import dataclasses
import textwrap
import time

import pytest

from schemaverify.model.usage import CodeReference, Export, FileScan
from schemaverify.sources.code.javascript import scan_javascript

PATH = "app/actions.ts"


def scan(source: str, language: str = "typescript") -> FileScan:
    text = textwrap.dedent(source).lstrip("\n")
    return scan_javascript(PATH, text.encode(), language)


def refs(source: str, language: str = "typescript") -> list[CodeReference]:
    return list(scan(source, language).references)


def ref(
    line: int, column: int, operation: str, name: str | None, **fields: object
) -> CodeReference:
    via = fields.pop("via", "supabase-js")
    return CodeReference(
        path=PATH,
        line=line,
        column=column,
        via=str(via),
        operation=operation,
        name=name,
        **fields,  # type: ignore[arg-type]
    )


def brief(references: list[CodeReference]) -> list[tuple[object, ...]]:
    return [(r.line, r.column, r.operation, r.name) for r in references]


SERVER = "('@/utils/supabase/server', 'createClient')"
SERVER_CLIENT = ("@/utils/supabase/server", "createClient")


# -- supabase-js chains ---------------------------------------------------------------


def test_server_action_insert_returning() -> None:
    found = refs(
        """
        'use server'
        import { createClient } from '@/utils/supabase/server'

        export async function addTodo(formData: FormData) {
          const supabase = await createClient()
          const { data, error } = await supabase
            .from('todos')
            .insert({ title: formData.get('title'), is_complete: false })
            .select('id, inserted_at')
            .single()
          if (error) throw error
          return data
        }
        """
    )
    assert found == [
        ref(
            7,
            6,
            "insert",
            "todos",
            columns=("title", "is_complete", "id", "inserted_at"),
            client=SERVER_CLIENT,
        )
    ]


def test_select_with_embedded_resources() -> None:
    found = refs(
        """
        const { data } = await supabase
          .from('orders')
          .select(`
            id,
            status,
            customer:customers!orders_customer_id_fkey ( name, email ),
            items:order_items ( qty, product:products(*) )
          `)
          .eq('status', 'paid')
        """
    )
    assert found == [
        ref(2, 4, "select", "orders", columns=("id", "status")),
        ref(3, 11, "select", "customers", columns=("name", "email"), embedded_in="orders"),
        ref(3, 11, "select", "order_items", columns=("qty",), embedded_in="orders"),
        ref(3, 11, "select", "products", all_columns=True, embedded_in="order_items"),
    ]


def test_select_star_and_select_without_arguments() -> None:
    found = refs(
        """
        await supabase.from('a').select('*')
        await supabase.from('b').select()
        await supabase.from('c').select('*, owner:profiles(username)')
        """
    )
    assert found == [
        ref(1, 16, "select", "a", all_columns=True),
        ref(2, 16, "select", "b", all_columns=True),
        ref(3, 16, "select", "c", all_columns=True),
        ref(3, 33, "select", "profiles", columns=("username",), embedded_in="c"),
    ]


def test_insert_rows_keys_and_partial_lists() -> None:
    found = refs(
        """
        const KIND = 'kind'
        await supabase.from('events').insert([
          { name: 'a', 'payload': {}, [KIND]: 'x', user_id },
          { name: 'b', created_at: now },
        ])
        await supabase.from('events').insert({ name: 'c', ...rest })
        await supabase.from('events').insert({ [key]: 1, other: 2 })
        await supabase.from('events').insert(rows)
        await supabase.from('events').insert([row, { extra: 1 }])
        """
    )
    assert found == [
        ref(
            2, 16, "insert", "events", columns=("name", "payload", "kind", "user_id", "created_at")
        ),
        ref(6, 16, "insert", "events", columns=("name",), partial=True),
        ref(7, 16, "insert", "events", columns=("other",), partial=True),
        ref(8, 16, "insert", "events", partial=True),
        ref(9, 16, "insert", "events", columns=("extra",), partial=True),
    ]


def test_upsert_with_on_conflict() -> None:
    found = refs(
        """
        await supabase
          .from('memberships')
          .upsert(
            { org_id: org, user_id: user, role: 'admin' },
            { onConflict: 'org_id, user_id', ignoreDuplicates: false },
          )
        await supabase.from('memberships').upsert(rows, { onConflict: conflictColumns })
        """
    )
    assert found == [
        ref(2, 4, "upsert", "memberships", columns=("org_id", "user_id", "role")),
        ref(7, 16, "upsert", "memberships", partial=True),
    ]


def test_update_with_filters_match_order_and_json_paths() -> None:
    found = refs(
        """
        await supabase
          .from('profiles')
          .update({ full_name: name, updated_at: new Date().toISOString() })
          .eq('id', user.id)
          .match({ org_id: org, 'status': 'active' })
          .neq('data->>tier', 'free')
          .in('role', ['a', 'b'])
          .not('deleted_at', 'is', null)
          .filter('score::int', 'gt', 3)
          .order('created_at', { ascending: false })
        """
    )
    assert found == [
        ref(
            2,
            4,
            "update",
            "profiles",
            columns=(
                "full_name",
                "updated_at",
                "id",
                "org_id",
                "status",
                "data",
                "role",
                "deleted_at",
                "score",
                "created_at",
            ),
        )
    ]


def test_order_and_filter_details() -> None:
    found = refs(
        """
        await supabase.from('cities')
          .select('name, country:countries(name)')
          .order('name', { referencedTable: 'countries' })
          .order('population')
          .eq('countries.code', 'NL')
          .eq(column, value)
        """
    )
    assert found[0] == ref(1, 16, "select", "cities", columns=("name", "population"), partial=True)
    assert found[1] == ref(2, 11, "select", "countries", columns=("name",), embedded_in="cities")


def test_delete_with_filters() -> None:
    assert refs(
        "await supabase.from('sessions').delete().lt('expires_at', now).eq('user_id', id)"
    ) == [ref(1, 16, "delete", "sessions", columns=("expires_at", "user_id"))]


def test_chain_without_operation_is_a_select_of_what_it_shows() -> None:
    found = refs(
        """
        let query = supabase.from('products').eq('active', true)
        if (category) query = query.eq('category', category)
        const builder = supabase.from('orders')
        """
    )
    assert found == [
        ref(1, 22, "select", "products", columns=("active",)),
        ref(3, 26, "select", "orders"),
    ]


def test_schema_sets_the_schema() -> None:
    found = refs(
        """
        await supabase.schema('billing').from('invoices').select('id')
        await supabase.schema(schemaName).from('invoices').select('id')
        await supabase.schema('billing').rpc('close_period', { period })
        """
    )
    assert found == [
        ref(1, 34, "select", "invoices", schema="billing", columns=("id",)),
        ref(
            2,
            35,
            "select",
            None,
            columns=("id",),
            unresolved="schema name from variable schemaName",
        ),
        ref(3, 34, "rpc", "close_period", schema="billing", target="function"),
    ]


def test_typescript_syntax_around_the_chain() -> None:
    found = refs(
        """
        type Row = { id: string }
        export async function load() {
          const res = await (supabase as SupabaseClient<Database>)
            // the newest first
            ?.from<Row>('posts') /* block comment */
            .select('id, title')
            // limit it
            .order('published_at', { ascending: false })
            .returns<Row[]>()
          const one = (await supabase!.from('tags').select('name').limit(1)) as any
          const two = (supabase.from('authors') satisfies unknown)
          return { res, one, two }
        }
        """
    )
    assert found == [
        ref(5, 7, "select", "posts", columns=("id", "title", "published_at")),
        ref(10, 32, "select", "tags", columns=("name",)),
        ref(11, 25, "select", "authors"),
    ]


def test_rpc_arguments_are_not_columns() -> None:
    found = refs(
        """
        const { data } = await supabase.rpc('search_products', { query: q, max_results: 10 })
        await supabase.rpc('get_stats').select('total').single()
        await supabase.rpc(fnName)
        """
    )
    assert found == [
        ref(1, 33, "rpc", "search_products", target="function"),
        ref(2, 16, "rpc", "get_stats", target="function"),
        ref(3, 16, "rpc", None, target="function", unresolved="function name from variable fnName"),
    ]


def test_storage_buckets_are_not_tables() -> None:
    found = refs(
        """
        const { data } = await supabase.storage.from('avatars').upload(`${user.id}.png`, file)
        await supabase.storage.from(BUCKET).remove([path])
        const BUCKET = 'documents'
        """
    )
    assert found == [
        ref(1, 41, "storage", "avatars", target="bucket"),
        ref(2, 24, "storage", "documents", target="bucket"),
    ]


def test_strings_and_comments_that_look_like_calls_are_nothing() -> None:
    assert (
        refs(
            """
        // await supabase.from('commented').select('*')
        /* supabase.from('block').delete() */
        const help = "supabase.from('in_string').select('*')"
        const tpl = `run supabase.from('in_template').insert({ a: 1 })`
        console.log("pool.query('SELECT * FROM users')")
        """
        )
        == []
    )


def test_other_from_methods_are_not_supabase() -> None:
    assert (
        refs(
            """
        const ids = Array.from(new Set(rows.map((r) => r.id))).filter((id) => id)
        const bytes = Buffer.from(text, 'base64')
        const ago = dayjs(createdAt).from(now)
        const stream = Readable.from(chunks)
        const users = await db.select().from(usersTable).where(eq(usersTable.id, 1)).limit(1)
        const q = knex.from('accounts').select('id')
        const obs = from(promise)
        """
        )
        == []
    )


def test_knex_from_an_import_is_not_supabase() -> None:
    assert (
        refs(
            """
        import Knex from 'knex'
        const db = Knex(config)
        const k = require('knex')(config)
        await db.from('accounts').select('id')
        await k.from('accounts').where('id', 1).select('id')
        """
        )
        == []
    )


def test_chain_of_no_supabase_evidence_on_an_unknown_receiver_is_skipped() -> None:
    assert refs("const x = thing.from('a')\nconst y = api.from(source)") == []


# -- names: constants and dynamic names ---------------------------------------------------


def test_constants_resolve() -> None:
    found = refs(
        """
        import { SHARED } from '@/lib/tables'
        const ORDERS = 'orders'
        const ITEMS = 'order_items' as const
        const TABLES = { carts: 'cart_abandonments', nested: { flags: 'feature_flags' } } as const
        const FROZEN = Object.freeze({ logs: 'audit_logs' })
        const ALIAS = ORDERS

        export async function run(tableName: string) {
          const LOCAL = 'local_table'
          await supabase.from(ORDERS).select('id')
          await supabase.from(ITEMS).select('id')
          await supabase.from(TABLES.carts).select('id')
          await supabase.from(TABLES['carts']).select('id')
          await supabase.from(TABLES.nested.flags).select('id')
          await supabase.from(FROZEN.logs).select('id')
          await supabase.from(ALIAS).select('id')
          await supabase.from(LOCAL).select('id')
          await supabase.from(`plain_template`).select('id')
        }
        """
    )
    assert brief(found) == [
        (10, 18, "select", "orders"),
        (11, 18, "select", "order_items"),
        (12, 18, "select", "cart_abandonments"),
        (13, 18, "select", "cart_abandonments"),
        (14, 18, "select", "feature_flags"),
        (15, 18, "select", "audit_logs"),
        (16, 18, "select", "orders"),
        (17, 18, "select", "local_table"),
        (18, 18, "select", "plain_template"),
    ]


def test_dynamic_names_are_unresolved_never_guessed() -> None:
    found = refs(
        """
        import { SHARED } from '@/lib/tables'
        let mutable = 'orders'
        const NAME = 'outer'
        const PREFIX = `${env}_orders`
        export async function run(tableName: string, NAME: string) {
          await supabase.from(tableName).select()
          await supabase.from(mutable).select()
          await supabase.from(NAME).select()
          await supabase.from(`${prefix}_items`).select()
          await supabase.from(getTable()).select()
          await supabase.from(SHARED).select()
          await supabase.from(PREFIX).select()
          await supabase.from(TABLES[kind]).select()
        }
        """
    )
    assert [(r.line, r.name, r.unresolved) for r in found] == [
        (6, None, "table name from variable tableName"),
        (7, None, "table name from variable mutable"),
        (8, None, "table name from variable NAME"),
        (9, None, "table name from template `${prefix}_items`"),
        (10, None, "table name from call getTable()"),
        (11, None, "table name from variable SHARED"),
        (12, None, "table name from variable PREFIX"),
        (13, None, "table name from variable TABLES[kind]"),
    ]
    assert all(r.all_columns for r in found)


def test_inner_scope_constant_shadows_the_outer_one() -> None:
    found = refs(
        """
        const TABLE = 'outer'
        function a() {
          const TABLE = 'inner'
          return supabase.from(TABLE).select()
        }
        function b() {
          return supabase.from(TABLE).select()
        }
        const c = (TABLE) => supabase.from(TABLE).select()
        """
    )
    assert [(r.line, r.name) for r in found] == [(4, "inner"), (7, "outer"), (9, None)]


# -- privilege -------------------------------------------------------------------------


def test_service_client_in_a_route_handler() -> None:
    found = refs(
        """
        import { createClient } from '@supabase/supabase-js'
        import { NextResponse } from 'next/server'

        const supabaseAdmin = createClient(
          process.env.NEXT_PUBLIC_SUPABASE_URL!,
          process.env.SUPABASE_SERVICE_ROLE_KEY!,
          { auth: { persistSession: false } },
        )

        export async function POST(request: Request) {
          const event = await request.json()
          await supabaseAdmin.from('webhook_events').insert({ type: event.type, payload: event })
          return NextResponse.json({ ok: true })
        }
        """
    )
    assert found == [
        ref(12, 23, "insert", "webhook_events", columns=("type", "payload"), privilege="service")
    ]


@pytest.mark.parametrize(
    ("key", "privilege"),
    [
        ("process.env.SUPABASE_SERVICE_ROLE_KEY!", "service"),
        ("process.env['SUPABASE_SECRET_KEY']", "service"),
        ("process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!", "public"),
        ("process.env.SUPABASE_PUBLISHABLE_KEY ?? ''", "public"),
        ("import.meta.env.VITE_SUPABASE_ANON_KEY", "public"),
        ("Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!", "service"),
        ("env.SUPABASE_SERVICE_ROLE_KEY", "service"),
        ("'sb_secret_0123456789'", "service"),
        ("'sb_publishable_0123456789'", "public"),
        ("SERVICE_KEY", "service"),
        ("process.env.SUPABASE_KEY", "unknown"),
        ("key", "unknown"),
        ("getKey()", "unknown"),
    ],
)
def test_privilege_from_the_key(key: str, privilege: str) -> None:
    source = f"""
        import {{ createClient }} from '@supabase/supabase-js'
        const SERVICE_KEY = process.env.SUPABASE_SERVICE_ROLE_KEY
        export function run(key: string) {{
          const supabase = createClient(process.env.SUPABASE_URL!, {key})
          return supabase.from('t').select('id')
        }}
        """
    (found,) = refs(source)
    assert (found.name, found.privilege, found.client) == ("t", privilege, None)


def test_key_destructured_from_the_environment_and_deno_imports() -> None:
    found = refs(
        """
        import { createClient } from 'npm:@supabase/supabase-js@2'
        const { SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY: serviceKey } = process.env
        const { SUPABASE_ANON_KEY } = process.env
        Deno.serve(async (req) => {
          const admin = createClient(SUPABASE_URL!, serviceKey!)
          const anon = createClient(SUPABASE_URL!, SUPABASE_ANON_KEY!)
          await admin.from('a').select()
          await anon.from('b').select()
          return new Response('ok')
        })
        """
    )
    assert [(r.name, r.privilege) for r in found] == [("a", "service"), ("b", "public")]


def test_jwt_key_literal_by_its_role_claim() -> None:
    import base64
    import json

    def jwt(role: str) -> str:
        body = base64.urlsafe_b64encode(json.dumps({"role": role}).encode()).decode().rstrip("=")
        return f"eyJhbGciOiJIUzI1NiJ9.{body}.signature"

    source = f"""
        const a = createClient(url, '{jwt("service_role")}')
        const b = createClient(url, '{jwt("anon")}')
        a.from('x').select()
        b.from('y').select()
        """
    assert [r.privilege for r in refs(source)] == ["service", "public"]


def test_browser_and_server_constructors() -> None:
    found = refs(
        """
        import { createBrowserClient, createServerClient } from '@supabase/ssr'
        const browser = createBrowserClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)
        const anonKey = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!
        const server = createServerClient(url, anonKey, { cookies })
        browser.from('a').select()
        server.from('b').select()
        createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!).from('c').select()
        """
    )
    assert [(r.name, r.privilege) for r in found] == [
        ("a", "public"),
        ("b", "public"),
        ("c", "service"),
    ]


def test_same_file_factories() -> None:
    found = refs(
        """
        import { createClient } from '@supabase/supabase-js'

        function createAdminClient() {
          return createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!)
        }
        const createAnonClient = () =>
          createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!)
        async function either(admin: boolean) {
          if (admin) return createAdminClient()
          return createAnonClient()
        }

        export async function job() {
          const admin = createAdminClient()
          const anon = await createAnonClient()
          await admin.from('jobs').update({ done: true }).eq('id', 1)
          await anon.from('jobs').select('id')
          await (await createAdminClient()).from('logs').insert({ line })
          await (await either(true)).from('mixed').select()
        }
        """
    )
    assert [(r.name, r.privilege) for r in found] == [
        ("jobs", "service"),
        ("jobs", "public"),
        ("logs", "service"),
        ("mixed", "unknown"),
    ]


def test_cross_file_clients_name_their_import() -> None:
    found = refs(
        """
        import { createClient } from '@/utils/supabase/server'
        import { supabaseAdmin as admin } from '@/lib/supabase/admin'
        import db from '../lib/db'
        import * as clients from '@/lib/clients'

        export default async function Page() {
          const supabase = await createClient()
          await supabase.from('a').select()
          await admin.from('b').select()
          await db.from('c').select()
          await clients.service.from('d').select()
          await clients.makeClient().from('e').select()
        }
        """,
        "tsx",
    )
    assert [(r.name, r.privilege, r.client) for r in found] == [
        ("a", "unknown", ("@/utils/supabase/server", "createClient")),
        ("b", "unknown", ("@/lib/supabase/admin", "supabaseAdmin")),
        ("c", "unknown", ("../lib/db", "default")),
        ("d", "unknown", ("@/lib/clients", "service")),
        ("e", "unknown", ("@/lib/clients", "makeClient")),
    ]


def test_use_client_module_is_public_unless_shown_as_service() -> None:
    found = refs(
        """
        'use client'
        import { useEffect, useState } from 'react'
        import { createClient } from '@/lib/supabase/client'
        import { createClient as createSb } from '@supabase/supabase-js'

        const leaked = createSb(url, process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!)

        export function TodoList({ userId }: { userId: string }) {
          const supabase = createClient()
          const [todos, setTodos] = useState<Todo[]>([])
          useEffect(() => {
            supabase.from('todos').select('id, title').eq('user_id', userId)
              .then(({ data }) => setTodos(data ?? []))
          }, [userId])
          const remove = (id: number) => leaked.from('todos').delete().eq('id', id)
          return (
            <ul>
              {todos.map((t) => <li key={t.id} onClick={() => remove(t.id)}>{t.title}</li>)}
            </ul>
          )
        }
        """,
        "tsx",
    )
    assert found == [
        ref(
            12,
            14,
            "select",
            "todos",
            columns=("id", "title", "user_id"),
            privilege="public",
            client=("@/lib/supabase/client", "createClient"),
        ),
        ref(15, 41, "delete", "todos", columns=("id",), privilege="service"),
    ]


def test_use_client_must_be_the_directive() -> None:
    found = refs(
        """
        import x from 'y'
        'use client'
        supabase.from('t').select()
        """
    )
    assert found[0].privilege == "unknown"


# -- exports ---------------------------------------------------------------------------


def test_exports_of_clients_and_factories() -> None:
    result = scan(
        """
        import { createClient } from '@supabase/supabase-js'
        import { createBrowserClient } from '@supabase/ssr'

        const url = process.env.NEXT_PUBLIC_SUPABASE_URL!
        const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY!

        export const supabaseAdmin = createClient(url, serviceKey)
        export function createAdminClient() {
          return createClient(url, serviceKey, { auth: { persistSession: false } })
        }
        export const createBrowser = () =>
          createBrowserClient(url, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)
        const anon = createClient(url, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!)
        export { anon as publicClient, url }
        export const mystery = createClient(url, process.env.SUPABASE_KEY!)
        export { other } from './other'
        export default supabaseAdmin
        """
    )
    assert result.exports == (
        Export("supabaseAdmin", "service"),
        Export("createAdminClient", "service"),
        Export("createBrowser", "public"),
        Export("publicClient", "public"),
        Export("default", "service"),
    )
    assert result.references == ()


def test_use_client_exports_are_public_clients() -> None:
    result = scan(
        """
        'use client'
        import { createClient } from '@supabase/supabase-js'
        export const supabase = createClient(url, key)
        export const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY!)
        export function format(x: string) { return x.trim() }
        """
    )
    assert result.exports == (Export("supabase", "public"), Export("admin", "service"))


def test_default_exported_factory_with_nested_functions() -> None:
    result = scan(
        """
        import { createServerClient } from '@supabase/ssr'
        import { cookies } from 'next/headers'

        export default async function createClient() {
          const cookieStore = await cookies()
          return createServerClient(
            process.env.NEXT_PUBLIC_SUPABASE_URL!,
            process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
            {
              cookies: {
                getAll() {
                  return cookieStore.getAll()
                },
              },
            },
          )
        }
        """
    )
    assert result.exports == (Export("default", "public"),)


def test_the_example_shop_clients() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "examples" / "shop" / "lib" / "supabase"
    expected = {
        "admin.ts": (Export("createAdminClient", "service"),),
        "client.ts": (Export("createClient", "public"),),
        "server.ts": (Export("createClient", "public"),),
    }
    for name, exports in expected.items():
        path = root / name
        if not path.exists():
            pytest.skip("examples/shop is not present")
        assert scan_javascript(name, path.read_bytes(), "typescript").exports == exports


# -- SQL in code ---------------------------------------------------------------------


def test_pg_pool_query() -> None:
    found = refs(
        """
        import { Pool } from 'pg'
        const pool = new Pool()
        export async function getUser(id: string) {
          const { rows } = await pool.query('SELECT id, email FROM public.users WHERE id = $1', [
            id,
          ])
          return rows[0]
        }
        """
    )
    assert found == [
        ref(4, 60, "select", "users", via="sql", schema="public", columns=("id", "email"))
    ]


def test_postgres_js_tagged_templates() -> None:
    found = refs(
        """
        import postgres from 'postgres'
        const sql = postgres(process.env.DATABASE_URL!)

        export async function transfer(from: string, to: string, amount: number) {
          await sql`
            update accounts
               set balance = balance - ${amount}
             where id = ${from}
          `
          const rows = await sql`select * from ${sql(table)} where id = ${to}`
          await sql`insert into ledger ${sql(entry, 'account_id', 'amount')}`
          return sql`and active = ${true}`
        }
        """
    )
    assert brief(found) == [
        (6, 12, "update", "accounts"),
        (10, 40, "select", None),
        (11, 12, "select", None),
    ]
    assert found[0].columns == ("balance", "id")
    assert found[1].unresolved is not None
    # postgres.js's row helper in an INSERT is not SQL sqlglot reads: the statement is
    # reported as unreadable rather than guessed.
    assert (found[2].unresolved or "").startswith("SQL does not parse: ")
    assert all(r.via == "sql" and r.privilege == "unknown" for r in found)


def test_other_sql_callees() -> None:
    found = refs(
        """
        await db.sql`delete from sessions where expires_at < now()`
        await sql.unsafe('select name from tags')
        await prisma.$queryRaw`SELECT id FROM "Account" WHERE id = ${id}`
        await prisma.$executeRawUnsafe('UPDATE "Account" SET flagged = true')
        await db.one('select count(*) from orders where user_id = $1', [id])
        await knex.raw('select * from audit_log')
        await conn.execute("insert into events (kind) values (?)", ['x'])
        """
    )
    assert brief(found) == [
        (1, 26, "delete", "sessions"),
        (2, 36, "select", "tags"),
        (3, 39, "select", "Account"),
        (4, 40, "update", "Account"),
        (5, 36, "select", "orders"),
        (6, 31, "select", "audit_log"),
        (7, 33, "insert", "events"),
    ]


def test_typed_tagged_templates_are_sql_and_no_syntax_error() -> None:
    result = scan(
        """
        const a = sql<Row[]>`select id from t1`
        const b = await db.sql<Row>`select id from t2`
        const c = await prisma.$queryRaw<User[]>`SELECT * FROM t3 WHERE id = ${id}`
        const d = await sql<{ n: number }[]>`select count(*) as n from t4`
        f(await sql<Row>`select 1 from t5`, 2)
        const e = x < y > `not sql from t6`
        """
    )
    assert brief(list(result.references)) == [
        (1, 37, "select", "t1"),
        (2, 44, "select", "t2"),
        (3, 56, "select", "t3"),
        (4, 64, "select", "t4"),
        (5, 32, "select", "t5"),
    ]
    assert result.problems == ()


def test_sql_in_a_constant_and_positions_across_lines() -> None:
    found = refs(
        """
        const QUERY = `
          SELECT o.id, o.total
          FROM orders o
          JOIN customers c ON c.id = o.customer_id
        `
        export const run = () => pool.query(QUERY)
        const escaped = "select *\\n  from \\"Weird\\" where x = 1"
        pool.query(escaped)
        """
    )
    assert brief(found) == [
        (3, 8, "select", "orders"),
        (4, 8, "select", "customers"),
        (7, 35, "select", "Weird"),  # the escaped quote opening "Weird"
    ]


def test_sql_that_does_not_parse_is_one_unresolved_reference() -> None:
    found = refs("await pool.query('SELECT FROM WHERE ((')")
    assert len(found) == 1
    assert (found[0].line, found[0].column, found[0].via, found[0].name) == (1, 18, "sql", None)
    assert found[0].operation == "select"
    assert (found[0].unresolved or "").startswith("SQL does not parse: ")


def test_non_sql_strings_and_non_literal_sql_make_nothing() -> None:
    assert (
        refs(
            """
        $('#save').one('click', handler)
        const found = await Promise.any([a, b])
        await db.query(builtQuery)
        await db.query(`${fragment}`)
        await client.query({ text: 'select 1' })
        sql(columns)
        const schema = z.any()
        router.execute('navigate home')
        runner.execute('start the engine')
        menu.query('show me the money')
        """
        )
        == []
    )


# -- files -----------------------------------------------------------------------------


def test_javascript_with_jsx() -> None:
    found = refs(
        """
        import { supabase } from './supabaseClient'
        export default function App() {
          const load = async () => {
            const { data } = await supabase.from('countries').select('name')
          }
          return <button onClick={load}>Load "supabase.from('x')"</button>
        }
        """,
        "javascript",
    )
    assert found == [
        ref(
            4, 37, "select", "countries", columns=("name",), client=("./supabaseClient", "supabase")
        )
    ]


def test_commonjs_require() -> None:
    found = refs(
        """
        const { createClient } = require('@supabase/supabase-js')
        const { admin: adminClient } = require('./clients')
        const supabase = createClient(process.env.URL, process.env.SUPABASE_SERVICE_ROLE_KEY)
        supabase.from('a').select()
        adminClient.from('b').select()
        """,
        "javascript",
    )
    assert [(r.name, r.privilege, r.client) for r in found] == [
        ("a", "service", None),
        ("b", "unknown", ("./clients", "admin")),
    ]


def test_syntax_error_is_reported_and_the_rest_scanned() -> None:
    result = scan(
        """
        const ok = await supabase.from('before').select('id')
        function broken( {
        const later = await supabase.from('after').select('id')
        """
    )
    assert result.problems[0] == "line 2: syntax error (the rest of the file is still scanned)"
    assert [r.name for r in result.references] == ["before", "after"]


def test_select_problem_is_reported() -> None:
    result = scan("await supabase.from('t').select('id, broken(')")
    assert result.references == (
        ref(1, 16, "select", "t", columns=("id",), partial=True),
        ref(1, 33, "select", "broken", embedded_in="t"),  # named before the list broke
    )
    assert len(result.problems) == 1
    assert result.problems[0].startswith("line 1: select list does not parse: ")


def test_columns_count_characters_not_bytes() -> None:
    found = refs("const é = '日本語'; await supabase.from('t').select()")
    assert (found[0].line, found[0].column) == (1, 33)


def test_references_are_ordered_by_position() -> None:
    found = refs(
        """
        await supabase.from('b').insert(await supabase.from('a').select('x'))
        await pool.query('select * from c')
        """
    )
    assert brief(found) == [(1, 16, "insert", "b"), (1, 48, "select", "a"), (2, 33, "select", "c")]


def test_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        scan_javascript(PATH, b"", "coffeescript")


# -- hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        b"\xff\xfe\x00\x80 supabase.from('t\xff').select('\xc3(')",
        bytes(range(256)) * 200,
        b"supabase.from(" + b"(" * 20_000 + b"'t'" + b")" * 20_000 + b").select('a')",
        b"supabase.from('t')" + b".eq('a', 1)" * 20_000,
        b"function f(){" * 3_000 + b"supabase.from(T).select('a')" + b"}" * 3_000,
        b"supabase.from('t').insert(" + b"[" * 20_000 + b"]" * 20_000 + b")",
        b"supabase.from('t').select('" + b"a(" * 20_000 + b")" * 20_000 + b"')",
        b"pool.query('select " + b"(" * 5_000 + b"1" + b")" * 5_000 + b"')",
        b"export function f(){" + b"{" * 5_000 + b"return createClient(u, k)" + b"}" * 5_001,
        b"\n".join(b"const A%d = A%d" % (i, i + 1) for i in range(3_000)) + b"\nsupabase.from(A0)",
        b"\n".join(b"function f%d() { return f%d() }" % (i, i + 1) for i in range(3_000))
        + b"\nconst s = f0()\ns.from('t').select()",
        b"",
    ],
)
def test_hostile_input_never_crashes_and_stays_fast(source: bytes) -> None:
    for language in ("typescript", "tsx", "javascript"):
        started = time.perf_counter()
        result = scan_javascript(PATH, source, language)
        assert time.perf_counter() - started < 5
        assert isinstance(result, FileScan)
        for reference in result.references:
            assert reference.line >= 1 and reference.column >= 1


def test_long_chain_is_reported_not_slow() -> None:
    result = scan_javascript(PATH, b"supabase.from('t')" + b".eq('a', 1)" * 20_000, "typescript")
    assert any("method chains longer than" in p for p in result.problems)


def test_scan_rate() -> None:
    block = textwrap.dedent(
        """
        export async function handler{n}(req: Request): Promise<Response> {{
          const supabase = await createClient()
          const body = (await req.json()) as {{ name: string }}
          const items = Array.from(body.items ?? []).map((x: any) => ({{ ...x, n: {n} }}))
          const {{ data, error }} = await supabase
            .from('orders')
            .select('id, status, customer:customers(name)')
            .eq('id', body.id)
          for (const item of items) console.log(`item ${{item.name}}`)
          return Response.json({{ data, ok: !error }})
        }}
        """
    )
    source = (
        "import { createClient } from '@/utils/supabase/server'\n"
        + "".join(block.format(n=n) for n in range(1_000))
    ).encode()
    lines = source.count(b"\n")
    started = time.perf_counter()
    result = scan_javascript(PATH, source, "typescript")
    elapsed = time.perf_counter() - started
    assert len(result.references) == 2_000
    assert lines / elapsed > 10_000, f"{lines / elapsed:.0f} lines/s"


def test_reference_fields_are_the_model_fields() -> None:
    (found,) = refs("supabase.from('t').select('a')")
    assert dataclasses.asdict(found)["path"] == PATH
