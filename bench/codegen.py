"""Generate a realistic code base for the `schemaverify usage` benchmark.

A Next.js application with a Python worker, as a seeded, deterministic tree:

    app/<feature>/<page>/page.tsx, actions.ts   server components and server actions
    app/api/<feature>/<resource>/route.ts       route handlers
    components/<feature>/*.tsx, components/ui/  React components (some 'use client')
    lib/<feature>/*.ts, lib/db/*.ts             queries, types, validators, utilities
    lib/supabase/{server,client,admin}.ts       the client factories (anon, browser, service)
    worker/<package>/*.py                       jobs, pydantic models, repositories

Most lines are ordinary code: JSX markup, hooks, interfaces, zod schemas, utilities,
comments, Python classes and functions.  Database access comes at about one call per
50 lines, unevenly (repositories are dense, UI components rarely touch the database):

* supabase-js chains: `.from('t').select('a, b, rel(c)').eq(...).order(...)`, inserts,
  updates, upserts (`onConflict`), deletes, `.rpc(...)`, `storage.from(...)`;
* postgres.js tagged templates (`sql\\`...\\``) with joins, CTEs, aggregates, windows,
  `INSERT ... ON CONFLICT`, `UPDATE ... FROM`;
* supabase-py `.table(...).select(...).execute()`, `.rpc`, `storage.from_`;
* asyncpg `await conn.fetch(\"\"\"...\"\"\", ...)`, `fetchrow`, `fetchval`, `execute`.

Tables come from a set of 300 names in 25 feature areas, each table with its own columns
and foreign keys (embeds and joins follow them).  Every SQL text is distinct (a cache of
parsed SQL gets no help), and so are nearly all select lists.  A few files are long
(1,500+ lines), most are small; a few have syntax errors; comments and strings that look
like calls (`// was: supabase.from('orders')...`) are planted as decoys.  About 15 % of
the postgres.js calls are typed (sql<Row[]> before a template), as is common, which
tree-sitter-typescript reads as a syntax error.  `write_codebase` returns where every
call and decoy is, so a benchmark can check that a scan found the calls and only them.

    python bench/codegen.py /tmp/code            # 5,000 files, ~500,000 lines
    python bench/codegen.py /tmp/code --files 500 --lines 50000
"""

# The templates below are lines of the generated code, kept whole so they read as such.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FEATURES: dict[str, list[str]] = {
    "billing": [
        "billing_accounts", "invoices", "invoice_lines", "payments", "refunds",
        "credit_notes", "tax_rates", "price_lists", "subscriptions", "subscription_items",
        "plans", "coupons",
    ],
    "commerce": [
        "products", "product_variants", "product_images", "categories", "orders",
        "order_items", "carts", "cart_items", "customers", "addresses", "reviews", "wishlists",
    ],
    "inventory": [
        "warehouses", "inventory_levels", "stock_movements", "suppliers", "purchase_orders",
        "purchase_order_lines", "storage_bins", "stock_counts", "transfer_orders", "lots",
        "serial_numbers", "reorder_rules",
    ],
    "logistics": [
        "shipments", "shipment_events", "carriers", "parcels", "delivery_routes",
        "route_stops", "drivers", "vehicles", "pickups", "returns", "return_items",
        "tracking_numbers",
    ],
    "crm": [
        "contacts", "companies", "deals", "deal_stages", "pipelines", "activities", "notes",
        "leads", "lead_sources", "email_threads", "call_logs", "segments",
    ],
    "support": [
        "tickets", "ticket_messages", "ticket_tags", "agents", "queues", "macros",
        "sla_policies", "satisfaction_ratings", "knowledge_articles", "article_feedback",
        "escalations", "canned_responses",
    ],
    "hr": [
        "employees", "departments", "positions", "time_off_requests", "time_off_balances",
        "payroll_runs", "payslips", "benefits", "performance_reviews", "job_openings",
        "candidates", "interviews",
    ],
    "scheduling": [
        "calendars", "calendar_events", "event_attendees", "bookings", "booking_slots",
        "availability_rules", "resources", "resource_bookings", "reminders", "holidays",
        "recurrences", "rooms",
    ],
    "content": [
        "posts", "comments", "tags", "post_tags", "media_assets", "pages", "page_revisions",
        "authors", "series", "newsletters", "newsletter_issues", "redirects",
    ],
    "learning": [
        "courses", "lessons", "enrollments", "quizzes", "quiz_questions", "quiz_attempts",
        "certificates", "instructors", "course_modules", "assignments", "submissions",
        "grades",
    ],
    "analytics": [
        "page_views", "visitor_sessions", "usage_events", "funnels", "funnel_steps",
        "dashboards", "dashboard_widgets", "saved_reports", "metrics", "metric_snapshots",
        "cohorts", "experiments",
    ],
    "marketing": [
        "campaigns", "campaign_recipients", "email_templates", "landing_pages", "referrals",
        "promo_codes", "ab_variants", "utm_links", "audiences", "audience_members",
        "unsubscribes", "form_submissions",
    ],
    "accounts": [
        "organizations", "memberships", "profiles", "invitations", "api_keys", "teams",
        "team_members", "roles", "permissions", "user_settings", "login_attempts",
        "sso_connections",
    ],
    "notifications": [
        "notifications", "notification_preferences", "push_tokens", "email_deliveries",
        "sms_messages", "webhooks", "webhook_deliveries", "digests", "channels",
        "channel_members", "mentions", "announcements",
    ],
    "projects": [
        "projects", "tasks", "task_assignees", "milestones", "sprints", "boards",
        "board_columns", "time_entries", "labels", "task_labels", "attachments", "checklists",
    ],
    "finance": [
        "ledger_accounts", "journal_entries", "journal_lines", "expenses", "expense_reports",
        "budgets", "budget_lines", "bank_accounts", "bank_transactions", "reconciliations",
        "vendors", "bills",
    ],
    "clinic": [
        "patients", "appointments", "providers", "prescriptions", "encounters", "diagnoses",
        "lab_orders", "lab_results", "insurance_policies", "claims", "referral_requests",
        "care_plans",
    ],
    "property": [
        "properties", "units", "leases", "tenants", "rent_payments", "maintenance_requests",
        "inspections", "listings", "listing_photos", "showings", "rental_applications",
        "owners",
    ],
    "events": [
        "venues", "ticket_types", "ticket_orders", "attendees", "check_ins", "sponsors",
        "speakers", "agenda_items", "tracks", "exhibitors", "badges", "waitlist_entries",
    ],
    "compliance": [
        "audit_logs", "policies", "policy_acknowledgements", "risks", "controls",
        "control_tests", "incidents", "incident_updates", "data_requests", "retention_rules",
        "consents", "vendor_assessments",
    ],
    "integrations": [
        "integrations", "integration_accounts", "sync_jobs", "sync_runs", "sync_errors",
        "oauth_tokens", "field_mappings", "imports", "import_rows", "exports", "export_files",
        "api_requests",
    ],
    "community": [
        "forums", "threads", "replies", "reactions", "reputation_events",
        "moderation_reports", "bans", "follows", "groups", "group_members", "polls",
        "poll_votes",
    ],
    "restaurant": [
        "menus", "menu_items", "modifiers", "modifier_groups", "dining_tables",
        "reservations", "kitchen_tickets", "tabs", "tab_items", "shifts", "tips",
        "suppliers_orders",
    ],
    "devices": [
        "devices", "device_readings", "sensors", "alerts", "alert_rules",
        "firmware_versions", "device_groups", "gateways", "device_commands",
        "telemetry_batches", "maintenance_windows", "sites",
    ],
    "travel": [
        "trips", "itineraries", "itinerary_items", "flights", "hotels", "hotel_bookings",
        "travelers", "visas", "expense_claims", "loyalty_programs", "fare_alerts",
        "travel_policies",
    ],
}  # fmt: skip
"""300 tables in 25 feature areas; each feature is a folder of the application."""

ATTRIBUTES: dict[str, list[str]] = {
    "text": [
        "title", "name", "full_name", "email", "phone", "description", "notes", "slug",
        "code", "label", "summary", "body", "subject", "url", "reference", "sku", "currency",
        "country", "city", "postal_code", "locale", "timezone", "color", "icon", "source",
        "channel", "external_id", "display_name", "first_name", "last_name", "company_name",
        "website", "address_line1", "address_line2", "region", "reason", "message", "path",
        "mime_type", "filename", "version", "kind", "category", "avatar_url", "tracking_code",
        "invoice_number", "vat_number", "iban", "job_title", "headline", "excerpt",
    ],
    "int": [
        "quantity", "position", "sort_order", "attempts", "retry_count", "duration_minutes",
        "capacity", "seats", "level", "rating", "score", "views", "size_bytes", "max_uses",
        "used_count", "week_number", "stock_on_hand", "reorder_point", "amount_cents",
        "total_cents", "subtotal_cents", "tax_cents", "discount_cents", "unit_price_cents",
        "balance_cents", "year", "priority_rank", "failures",
    ],
    "num": [
        "weight_kg", "latitude", "longitude", "rate", "percentage", "hours", "exchange_rate",
        "conversion_rate", "utilization", "temperature",
    ],
    "bool": [
        "is_active", "is_archived", "is_default", "is_public", "is_verified", "is_primary",
        "enabled", "featured", "billable", "requires_approval", "is_internal", "auto_renew",
    ],
    "ts": [
        "starts_at", "ends_at", "due_at", "paid_at", "sent_at", "closed_at", "resolved_at",
        "published_at", "expires_at", "last_seen_at", "cancelled_at", "shipped_at",
        "delivered_at", "archived_at", "approved_at", "scheduled_for", "completed_at",
        "deleted_at", "last_synced_at", "opened_at",
    ],
    "status": ["status", "state", "stage", "priority", "visibility", "role", "tier", "frequency"],
    "json": ["metadata", "settings", "payload", "attributes", "config", "tags"],
}  # fmt: skip

STATUS_VALUES: dict[str, list[str]] = {
    "status": ["active", "pending", "archived", "draft", "open", "closed", "paid", "failed"],
    "state": ["new", "queued", "running", "done", "error", "cancelled"],
    "stage": ["lead", "qualified", "proposal", "won", "lost"],
    "priority": ["low", "normal", "high", "urgent"],
    "visibility": ["private", "team", "public"],
    "role": ["owner", "admin", "member", "viewer"],
    "tier": ["free", "pro", "business", "enterprise"],
    "frequency": ["daily", "weekly", "monthly", "yearly"],
}

RPC_VERBS = [
    "recalculate", "archive", "close", "approve", "assign", "merge", "refresh", "import",
    "expire", "reopen", "duplicate", "summarize", "rank", "reconcile", "notify",
]  # fmt: skip
BUCKETS = [
    "avatars", "documents", "invoice-pdfs", "product-images", "attachments", "exports",
    "imports", "receipts", "media", "contracts", "lab-reports", "floor-plans",
]  # fmt: skip

PROSE = (
    "the list is refreshed after every mutation so the view stays consistent with the "
    "server state this keeps the number of round trips low for large accounts we batch "
    "requests by organization and fall back to a full reload when the cache is stale the "
    "values are validated again on the server because the client cannot be trusted"
)
ENGLISH = PROSE.split()

TW = [
    "flex", "items-center", "justify-between", "gap-2", "gap-4", "rounded-md", "rounded-lg",
    "border", "bg-white", "bg-gray-50", "px-3", "px-4", "py-2", "py-3", "text-sm",
    "text-xs", "font-medium", "font-semibold", "text-gray-500", "text-gray-900", "shadow-sm",
    "hover:bg-gray-50", "grid", "grid-cols-2", "md:grid-cols-3", "space-y-2", "space-y-4",
    "truncate", "w-full", "max-w-4xl", "mx-auto", "divide-y", "p-4", "p-6", "mt-2", "mb-4",
]  # fmt: skip

KEYWORDS = re.compile(
    r"\b(SELECT|FROM|WHERE|AND|OR|JOIN|LEFT|INNER|ON|ORDER|BY|DESC|ASC|LIMIT|OFFSET|GROUP|"
    r"HAVING|WITH|AS|INSERT|INTO|VALUES|RETURNING|UPDATE|SET|DELETE|CONFLICT|DO|NOTHING|"
    r"EXCLUDED|EXISTS|NOT|NULL|IS|IN|ANY|OVER|PARTITION|COALESCE|COUNT|SUM|MAX|MIN|AVG|"
    r"INTERVAL|NOW|TRUE|FALSE|DISTINCT|CASE|WHEN|THEN|ELSE|END|ILIKE|BETWEEN|FILTER)\b"
)


START, END, DECOY = "\x00<", "\x00>", "\x00!"
"""Markers the generator appends to the first and last line of each planted call (the
start marker followed by the call's `via`) and to decoy lines; `write_codebase` records
their line numbers and removes them."""
MARKER = re.compile("\x00(?:<([a-z-]+)|>|!)")


def site(lines: list[str], via: str) -> list[str]:
    """Mark `lines` (one call) as a planted call site."""
    lines[0] += START + via
    lines[-1] += END
    return lines


def singular(table: str) -> str:
    head, _, last = table.rpartition("_")
    if last == "series":
        word = "series"
    elif last.endswith("ies"):
        word = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        word = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        word = last[:-1]
    else:
        word = last
    return f"{head}_{word}" if head else word


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(p[:1].upper() + p[1:] for p in rest)


def pascal(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[_\-]", name))


def kebab(name: str) -> str:
    return name.replace("_", "-")


def words(name: str) -> str:
    return name.replace("_", " ")


@dataclass
class Table:
    name: str
    feature: str
    columns: list[str]
    kinds: dict[str, str]
    parents: list[tuple[str, str]] = field(default_factory=list)
    """(fk column, parent table)."""
    children: list[tuple[str, str]] = field(default_factory=list)
    """(child table, its fk column)."""

    def of(self, *kinds: str) -> list[str]:
        return [c for c in self.columns if self.kinds[c] in kinds]


def build_schema(rng: random.Random) -> dict[str, Table]:
    """Every table with its own columns: a few attributes drawn per table, the foreign keys
    to earlier tables of its feature, timestamps."""
    tables: dict[str, Table] = {}
    seen: set[str] = set()
    for feature, names in FEATURES.items():
        for i, name in enumerate(names):
            if name in seen:
                raise ValueError(f"table {name} twice")
            seen.add(name)
            kinds: dict[str, str] = {"id": "uuid"}
            parents: list[tuple[str, str]] = []
            if name != "organizations" and rng.random() < 0.6:
                kinds["organization_id"] = "uuid"
                parents.append(("organization_id", "organizations"))
            earlier = names[:i]
            for parent in rng.sample(earlier, min(len(earlier), rng.choice((0, 1, 1, 2, 2, 3)))):
                col = singular(parent) + "_id"
                if col not in kinds:
                    kinds[col] = "uuid"
                    parents.append((col, parent))
            for kind, count in (
                ("status", rng.choice((0, 1, 1, 1, 2))),
                ("text", rng.randint(2, 6)),
                ("int", rng.randint(0, 3)),
                ("num", rng.choice((0, 0, 0, 1))),
                ("bool", rng.randint(0, 2)),
                ("ts", rng.randint(0, 3)),
                ("json", rng.choice((0, 0, 1))),
            ):
                for col in rng.sample(ATTRIBUTES[kind], count):
                    kinds.setdefault(col, kind)
            kinds["created_at"] = "ts"
            if rng.random() < 0.8:
                kinds["updated_at"] = "ts"
            tables[name] = Table(name, feature, list(kinds), kinds, parents)
    for table in tables.values():
        for col, parent in table.parents:
            tables[parent].children.append((table.name, col))
    return tables


class Params:
    """Placeholders of one SQL text: `${expr}` for postgres.js, `$n` for asyncpg (with the
    argument list to pass)."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.args: list[str] = []

    def __call__(self, expr: str) -> str:
        if self.style == "js":
            return "${" + expr + "}"
        if expr in self.args:
            return f"${self.args.index(expr) + 1}"
        self.args.append(expr)
        return f"${len(self.args)}"


@dataclass
class File:
    path: str
    lang: str
    """ts, tsx or py."""
    role: str
    feature: str
    budget: int
    semi: str = ";"
    upper_sql: bool = True
    lines: list[str] = field(default_factory=list)
    imports: dict[str, list[str]] = field(default_factory=dict)
    calls: int = 0
    directive: str = ""

    def need(self, module: str, *names: str) -> None:
        have = self.imports.setdefault(module, [])
        for n in names:
            if n not in have:
                have.append(n)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tables = build_schema(self.rng)
        self.by_feature = {f: [self.tables[n] for n in names] for f, names in FEATURES.items()}
        self.functions = sorted(
            {
                f"{verb}_{singular(t)}"
                for verb in RPC_VERBS
                for t in self.rng.sample(sorted(self.tables), 6)
            }
        )
        self.sql_seen: set[str] = set()
        self.select_seen: set[str] = set()
        self.kinds: Counter[str] = Counter()
        self.decoys = 0
        self.typed_sql = 0
        self.names_used: set[str] = set()

    # ---- small helpers -------------------------------------------------------------

    def pick(self, seq: list[str] | tuple[str, ...]) -> str:
        return seq[self.rng.randrange(len(seq))]

    def table(self, f: File) -> Table:
        feature = f.feature
        if self.rng.random() < 0.15:
            feature = self.pick(list(FEATURES))
        return self.by_feature[feature][self.rng.randrange(12)]

    def cols(self, t: Table, low: int, high: int, *, skip: tuple[str, ...] = ()) -> list[str]:
        pool = [c for c in t.columns if c not in skip]
        n = min(len(pool), self.rng.randint(low, high))
        chosen = set(self.rng.sample(pool, n))
        return [c for c in pool if c in chosen]

    def fresh(self, base: str) -> str:
        """A function name not used before in the code base (so call sites differ)."""
        name = base
        n = 2
        while name in self.names_used:
            name = f"{base}{n}"
            n += 1
        self.names_used.add(name)
        return name

    def sentence(self, lo: int = 6, hi: int = 14) -> str:
        start = self.rng.randrange(len(ENGLISH))
        n = self.rng.randint(lo, hi)
        text = " ".join(ENGLISH[(start + i) % len(ENGLISH)] for i in range(n))
        return text[:1].upper() + text[1:] + "."

    def js_value(self, t: Table, col: str, source: str) -> str:
        kind = t.kinds[col]
        r = self.rng.random()
        if kind == "status":
            return f"'{self.pick(STATUS_VALUES[col])}'" if r < 0.5 else f"{source}.{camel(col)}"
        if kind == "bool":
            return self.pick(("true", "false")) if r < 0.4 else f"{source}.{camel(col)}"
        if kind == "ts":
            return "new Date().toISOString()" if r < 0.5 else f"{source}.{camel(col)}"
        if kind == "json":
            return f"{source}.{camel(col)} ?? {{}}"
        if col == "organization_id":
            return "orgId"
        if kind == "int" and r < 0.2:
            return f"Math.round({source}.{camel(col)})"
        return f"{source}.{camel(col)}"

    def py_value(self, t: Table, col: str, source: str) -> str:
        kind = t.kinds[col]
        r = self.rng.random()
        if kind == "status":
            return f'"{self.pick(STATUS_VALUES[col])}"' if r < 0.5 else f"{source}.{col}"
        if kind == "bool":
            return self.pick(("True", "False")) if r < 0.4 else f"{source}.{col}"
        if kind == "ts":
            return "datetime.now(timezone.utc).isoformat()" if r < 0.5 else f"{source}.{col}"
        if col == "organization_id":
            return "str(org_id)"
        if kind == "uuid":
            return f"str({source}.{col})"
        return f"{source}.{col}"

    # ---- SQL -----------------------------------------------------------------------

    def sql_condition(self, t: Table, alias: str, p: Params, var: str) -> str:
        col = self.pick(t.columns)
        kind = t.kinds[col]
        a = f"{alias}." if alias else ""
        r = self.rng.random()
        if kind == "status":
            if r < 0.5:
                return f"{a}{col} = '{self.pick(STATUS_VALUES[col])}'"
            if r < 0.7:
                values = self.rng.sample(STATUS_VALUES[col], 2)
                return f"{a}{col} IN ('{values[0]}', '{values[1]}')"
            return f"{a}{col} = {p(f'{var}.{camel(col)}' if p.style == 'js' else col)}"
        if kind == "ts":
            if r < 0.4:
                return f"{a}{col} < NOW() - INTERVAL '{self.rng.choice((7, 14, 30, 90))} days'"
            if r < 0.6:
                return f"{a}{col} IS NULL"
            return f"{a}{col} >= {p('since')}"
        if kind == "bool":
            return f"{a}{col}" if r < 0.5 else f"{a}{col} IS NOT TRUE"
        if kind == "uuid":
            if r < 0.3:
                return f"{a}{col} = ANY({p('ids')})"
            return f"{a}{col} = {p(camel(col) if p.style == 'js' else col)}"
        if kind in ("int", "num"):
            return f"{a}{col} > {p('minimum')}" if r < 0.5 else f"{a}{col} BETWEEN 1 AND 100"
        if kind == "json":
            return f"{a}{col} ? 'enabled'" if p.style == "py" else f"{a}{col} IS NOT NULL"
        return f"{a}{col} ILIKE {p('pattern')}"

    def alias(self, t: Table, taken: set[str]) -> str:
        base = "".join(w[0] for w in t.name.split("_"))
        alias = base
        n = 2
        while alias in taken or KEYWORDS.fullmatch(alias.upper()):
            alias = f"{base}{n}"
            n += 1
        taken.add(alias)
        return alias

    def sql(self, t: Table, p: Params, var: str) -> tuple[str, str]:
        """A distinct SQL text touching `t` (and its neighbours), and its kind."""
        for _ in range(50):
            p.args.clear()
            shape = self.rng.choices(
                (
                    "select", "join", "cte", "aggregate", "insert", "upsert", "update",
                    "delete", "exists", "window", "update_from",
                ),
                (22, 20, 8, 9, 10, 7, 10, 4, 4, 3, 3),
            )[0]  # fmt: skip
            text = getattr(self, f"_sql_{shape}")(t, p, var)
            if text is None:
                continue
            key = " ".join(text.split())
            if key not in self.sql_seen:
                self.sql_seen.add(key)
                return text, shape
        text = f"SELECT {', '.join(t.columns)} FROM {t.name} WHERE id = {p('id')}"
        self.sql_seen.add(" ".join(text.split()))
        return text, "select"

    def _where(self, t: Table, alias: str, p: Params, var: str, lo: int = 1, hi: int = 3) -> str:
        conds = [self.sql_condition(t, alias, p, var) for _ in range(self.rng.randint(lo, hi))]
        return "\n  AND ".join(dict.fromkeys(conds))

    def _order(self, t: Table, alias: str) -> str:
        col = self.pick(t.of("ts", "int", "text") or t.columns)
        a = f"{alias}." if alias else ""
        return f"{a}{col}{self.pick(('', ' DESC', ' DESC', ' ASC'))}"

    def _sql_select(self, t: Table, p: Params, var: str) -> str:
        cols = ", ".join(self.cols(t, 2, 8))
        text = f"SELECT {cols}\nFROM {t.name}\nWHERE {self._where(t, '', p, var)}"
        if self.rng.random() < 0.6:
            text += f"\nORDER BY {self._order(t, '')}"
        if self.rng.random() < 0.5:
            text += f"\nLIMIT {self.pick(('1', '10', '50', '100', p('limit')))}"
        return text

    def _sql_join(self, t: Table, p: Params, var: str) -> str | None:
        links = [(c, self.tables[n], "parent") for c, n in t.parents]
        links += [(c, self.tables[n], "child") for n, c in t.children]
        if not links:
            return None
        taken: set[str] = set()
        a = self.alias(t, taken)
        select = [f"{a}.{c}" for c in self.cols(t, 2, 5)]
        joins = []
        for col, other, how in self.rng.sample(links, min(len(links), self.rng.randint(1, 3))):
            b = self.alias(other, taken)
            select += [f"{b}.{c} AS {singular(other.name)}_{c}" for c in self.cols(other, 1, 3)]
            kind = self.pick(("JOIN", "JOIN", "LEFT JOIN", "INNER JOIN"))
            if how == "parent":
                joins.append(f"{kind} {other.name} {b} ON {b}.id = {a}.{col}")
            else:
                joins.append(f"LEFT JOIN {other.name} {b} ON {b}.{col} = {a}.id")
        listed = ", ".join(select) if len(select) < 6 else ",\n       ".join(select)
        text = f"SELECT {listed}\nFROM {t.name} {a}\n" + "\n".join(joins)
        text += f"\nWHERE {self._where(t, a, p, var, 1, 2)}\nORDER BY {self._order(t, a)}"
        if self.rng.random() < 0.5:
            text += f"\nLIMIT {p('limit')}"
        return text

    def _sql_cte(self, t: Table, p: Params, var: str) -> str | None:
        if not t.children:
            return None
        child, fk = self.rng.choice(t.children)
        c = self.tables[child]
        recent = self.pick(("recent", "scoped", "visible", "candidates"))
        stats = self.pick(("totals", "counts", "stats", "agg"))
        nums = c.of("int", "num")
        measure = f"SUM({self.pick(nums)})" if nums and self.rng.random() < 0.6 else "COUNT(*)"
        cols = ", ".join(self.cols(t, 2, 5, skip=("id",)))
        return (
            f"WITH {recent} AS (\n  SELECT id, {cols}\n  FROM {t.name}\n"
            f"  WHERE {self._where(t, '', p, var, 1, 2)}\n),\n"
            f"{stats} AS (\n  SELECT {fk}, {measure} AS value\n  FROM {child}\n"
            f"  WHERE {fk} IN (SELECT id FROM {recent})\n  GROUP BY {fk}\n)\n"
            f"SELECT r.*, COALESCE(s.value, 0) AS {singular(child)}_value\n"
            f"FROM {recent} r\nLEFT JOIN {stats} s ON s.{fk} = r.id\n"
            f"ORDER BY s.value DESC NULLS LAST"
        )

    def _sql_aggregate(self, t: Table, p: Params, var: str) -> str:
        group = self.pick(t.of("status", "uuid", "text") or ["id"])
        nums = t.of("int", "num")
        measures = ["COUNT(*) AS n"]
        for col in self.rng.sample(nums, min(len(nums), 2)):
            measures.append(f"{self.pick(('SUM', 'AVG', 'MAX', 'MIN'))}({col}) AS {col}_agg")
        ts = t.of("ts")
        if ts and self.rng.random() < 0.5:
            bucket = f"date_trunc('{self.pick(('day', 'week', 'month'))}', {self.pick(ts)})"
            return (
                f"SELECT {bucket} AS bucket, {', '.join(measures)}\nFROM {t.name}\n"
                f"WHERE {self._where(t, '', p, var, 1, 2)}\nGROUP BY 1\nORDER BY 1"
            )
        having = f"\nHAVING COUNT(*) > {self.rng.randint(1, 20)}" if self.rng.random() < 0.4 else ""
        return (
            f"SELECT {group}, {', '.join(measures)}\nFROM {t.name}\n"
            f"WHERE {self._where(t, '', p, var, 1, 2)}\nGROUP BY {group}{having}\n"
            f"ORDER BY n DESC"
        )

    def _values(self, t: Table, p: Params, var: str, cols: list[str]) -> list[str]:
        out = []
        for col in cols:
            kind = t.kinds[col]
            if kind == "ts" and self.rng.random() < 0.5:
                out.append("NOW()")
            elif kind == "status" and self.rng.random() < 0.5:
                out.append(f"'{self.pick(STATUS_VALUES[col])}'")
            else:
                out.append(p(f"{var}.{camel(col)}" if p.style == "js" else col))
        return out

    def _sql_insert(self, t: Table, p: Params, var: str) -> str:
        cols = self.cols(t, 2, 7, skip=("id", "created_at", "updated_at"))
        values = self._values(t, p, var, cols)
        ret = self.pick(("id", "id, created_at", "*", ", ".join(cols[:2])))
        return (
            f"INSERT INTO {t.name} ({', '.join(cols)})\nVALUES ({', '.join(values)})\n"
            f"RETURNING {ret}"
        )

    def _sql_upsert(self, t: Table, p: Params, var: str) -> str:
        cols = self.cols(t, 3, 7, skip=("created_at", "updated_at"))
        key = cols[0]
        values = self._values(t, p, var, cols)
        rest = cols[1:] or cols
        sets = ",\n  ".join(f"{c} = EXCLUDED.{c}" for c in rest)
        if "updated_at" in t.columns:
            sets += ",\n  updated_at = NOW()"
        conflict = "DO NOTHING" if self.rng.random() < 0.2 else f"DO UPDATE SET\n  {sets}"
        return (
            f"INSERT INTO {t.name} ({', '.join(cols)})\nVALUES ({', '.join(values)})\n"
            f"ON CONFLICT ({key}) {conflict}"
        )

    def _sql_update(self, t: Table, p: Params, var: str) -> str:
        cols = self.cols(t, 1, 4, skip=("id", "created_at"))
        values = self._values(t, p, var, cols)
        sets = ",\n  ".join(f"{c} = {v}" for c, v in zip(cols, values, strict=True))
        text = f"UPDATE {t.name}\nSET {sets}\nWHERE id = {p('id')}"
        if self.rng.random() < 0.5:
            text += f"\n  AND {self.sql_condition(t, '', p, var)}"
        if self.rng.random() < 0.5:
            text += f"\nRETURNING {', '.join(self.cols(t, 1, 3))}"
        return text

    def _sql_delete(self, t: Table, p: Params, var: str) -> str:
        return f"DELETE FROM {t.name}\nWHERE {self._where(t, '', p, var, 1, 2)}"

    def _sql_exists(self, t: Table, p: Params, var: str) -> str | None:
        if not t.children:
            return None
        child, fk = self.rng.choice(t.children)
        c = self.tables[child]
        taken: set[str] = set()
        a, b = self.alias(t, taken), self.alias(c, taken)
        neg = self.pick(("", "NOT "))
        return (
            f"SELECT {', '.join(f'{a}.{x}' for x in self.cols(t, 2, 5))}\n"
            f"FROM {t.name} {a}\nWHERE {neg}EXISTS (\n  SELECT 1 FROM {child} {b}\n"
            f"  WHERE {b}.{fk} = {a}.id\n    AND {self.sql_condition(c, b, p, var)}\n)"
        )

    def _sql_window(self, t: Table, p: Params, var: str) -> str | None:
        keys = t.of("uuid")
        if len(keys) < 2:
            return None
        part = self.pick([k for k in keys if k != "id"])
        cols = ", ".join(self.cols(t, 2, 5))
        return (
            f"SELECT * FROM (\n  SELECT {cols}, {part},\n"
            f"    ROW_NUMBER() OVER (PARTITION BY {part} ORDER BY {self._order(t, '')}) AS rn\n"
            f"  FROM {t.name}\n  WHERE {self._where(t, '', p, var, 1, 1)}\n) ranked\n"
            f"WHERE rn <= {self.rng.randint(1, 5)}"
        )

    def _sql_update_from(self, t: Table, p: Params, var: str) -> str | None:
        if not t.parents:
            return None
        col, parent = self.rng.choice(t.parents)
        pt = self.tables[parent]
        target = self.pick(t.of("text", "status", "int", "ts") or t.columns)
        source = self.pick(pt.of("text", "status", "int", "ts") or pt.columns)
        return (
            f"UPDATE {t.name} AS x\nSET {target} = y.{source}\nFROM {parent} AS y\n"
            f"WHERE y.id = x.{col}\n  AND {self.sql_condition(pt, 'y', p, var)}"
        )

    def styled(self, f: File, text: str) -> str:
        if f.upper_sql:
            return text
        return KEYWORDS.sub(lambda m: m.group(0).lower(), text)

    # ---- PostgREST select lists ----------------------------------------------------

    def select_list(self, t: Table) -> str:
        for _ in range(20):
            if self.rng.random() < 0.1:
                text = "*"
            else:
                parts = self.cols(t, 2, 7)
                if t.parents and self.rng.random() < 0.35:
                    _, parent = self.rng.choice(t.parents)
                    inner = ", ".join(self.cols(self.tables[parent], 1, 3))
                    form = self.rng.random()
                    if form < 0.4:
                        parts.append(f"{parent}({inner})")
                    elif form < 0.8:
                        parts.append(f"{singular(parent)}:{parent}({inner})")
                    else:
                        parts.append(f"{parent}!inner({inner})")
                if t.children and self.rng.random() < 0.25:
                    child, _ = self.rng.choice(t.children)
                    if self.rng.random() < 0.3:
                        parts.append(f"{child}(count)")
                    else:
                        parts.append(f"{child}({', '.join(self.cols(self.tables[child], 1, 3))})")
                text = ", ".join(parts)
            if text not in self.select_seen or text == "*":
                self.select_seen.add(text)
                return text
        return text

    # ---- TypeScript blocks ---------------------------------------------------------

    def ts_type(self, t: Table, col: str) -> str:
        if t.kinds[col] == "status":
            return " | ".join(f"'{v}'" for v in STATUS_VALUES[col])
        return {
            "uuid": "string",
            "text": "string",
            "int": "number",
            "num": "number",
            "bool": "boolean",
            "ts": "string",
            "json": "Record<string, unknown>",
        }[t.kinds[col]]

    def b_interface(self, f: File) -> list[str]:
        t = self.table(f)
        name = self.fresh(pascal(singular(t.name)) + self.pick(("", "Row", "Record", "Dto")))
        out = [f"export interface {name} {{"]
        for col in t.columns:
            typ = self.ts_type(t, col)
            opt = "?" if col.endswith("_at") and col != "created_at" else ""
            null = " | null" if t.kinds[col] in ("text", "ts") and self.rng.random() < 0.3 else ""
            out.append(f"  {col}{opt}: {typ}{null}{f.semi}")
        out.append("}")
        if self.rng.random() < 0.4:
            out += [
                "",
                f"export type {name}Insert = Omit<{name}, 'id' | 'created_at'>{f.semi}",
                f"export type {name}Patch = Partial<{name}Insert>{f.semi}",
            ]
        return out

    def b_zod(self, f: File) -> list[str]:
        t = self.table(f)
        name = self.fresh(camel(singular(t.name)) + self.pick(("Schema", "Input", "FormSchema")))
        f.need("zod", "z")
        out = [f"export const {name} = z.object({{"]
        for col in self.cols(t, 2, 8, skip=("id", "created_at", "updated_at")):
            kind = t.kinds[col]
            if kind == "status":
                vals = ", ".join(f"'{v}'" for v in STATUS_VALUES[col])
                rule = f"z.enum([{vals}])"
            elif kind in ("int", "num"):
                rule = "z.coerce.number()" + self.pick((".int()", ".min(0)", ".nonnegative()", ""))
            elif kind == "bool":
                rule = "z.boolean().default(false)"
            elif kind == "ts":
                rule = "z.string().datetime().optional()"
            elif kind == "uuid":
                rule = "z.string().uuid()"
            elif kind == "json":
                rule = "z.record(z.unknown()).optional()"
            elif col == "email":
                rule = "z.string().email()"
            else:
                rule = f"z.string().min(1).max({self.rng.choice((80, 120, 200, 500, 2000))})"
            out.append(f"  {camel(col)}: {rule},")
        out.append(f"}}){f.semi}")
        out.append("")
        out.append(f"export type {pascal(name)} = z.infer<typeof {name}>{f.semi}")
        return out

    def b_util(self, f: File) -> list[str]:
        t = self.table(f)
        ent = pascal(singular(t.name))
        s = f.semi
        col = camel(self.pick(t.of("text", "status") or ["name"]))
        num = camel(self.pick(t.of("int", "num") or ["position"]))
        which = self.rng.randrange(8)
        if which == 0:
            name = self.fresh(f"group{ent}sBy{pascal(col)}")
            return [
                f"export function {name}(items: {ent}[]): Record<string, {ent}[]> {{",
                f"  const out: Record<string, {ent}[]> = {{}}{s}",
                "  for (const item of items) {",
                f"    const key = String(item.{col} ?? 'unknown'){s}",
                "    if (!out[key]) {",
                f"      out[key] = []{s}",
                "    }",
                f"    out[key].push(item){s}",
                "  }",
                f"  return out{s}",
                "}",
            ]
        if which == 1:
            name = self.fresh(f"total{pascal(num)}")
            return [
                f"export function {name}(rows: Array<{{ {num}?: number | null }}>): number {{",
                f"  return rows.reduce((sum, row) => sum + (row.{num} ?? 0), 0){s}",
                "}",
            ]
        if which == 2:
            name = self.fresh(f"format{ent}{pascal(col)}")
            return [
                f"export function {name}(value: string | null | undefined, fallback = '—'): string {{",
                "  if (!value) {",
                f"    return fallback{s}",
                "  }",
                f"  const trimmed = value.trim(){s}",
                f"  return trimmed.length > {self.rng.choice((24, 32, 48, 64))} ? `${{trimmed.slice(0, 30)}}…` : trimmed{s}",
                "}",
            ]
        if which == 3:
            name = self.fresh(f"parse{ent}SearchParams")
            return [
                f"export function {name}(params: URLSearchParams) {{",
                f"  const page = Math.max(1, Number(params.get('page') ?? '1')){s}",
                f"  const perPage = Math.min(100, Number(params.get('perPage') ?? '{self.rng.choice((10, 20, 25, 50))}')){s}",
                f"  const q = params.get('q')?.trim() ?? ''{s}",
                f"  const sort = params.get('sort') === 'asc' ? 'asc' : 'desc'{s}",
                f"  return {{ page, perPage, q, sort, from: (page - 1) * perPage, to: page * perPage - 1 }}{s}",
                "}",
            ]
        if which == 4:
            name = self.fresh(f"with{ent}Retry")
            return [
                f"export async function {name}<T>(fn: () => Promise<T>, attempts = {self.rng.randint(2, 5)}): Promise<T> {{",
                f"  let lastError: unknown{s}",
                "  for (let i = 0; i < attempts; i++) {",
                "    try {",
                f"      return await fn(){s}",
                "    } catch (err) {",
                f"      lastError = err{s}",
                f"      await new Promise((resolve) => setTimeout(resolve, 2 ** i * {self.rng.choice((50, 100, 250))})){s}",
                "    }",
                "  }",
                f"  throw lastError{s}",
                "}",
            ]
        if which == 5:
            name = self.fresh(f"sort{ent}s")
            return [
                f"export function {name}(items: {ent}[], key: keyof {ent} = '{self.pick(t.columns)}', dir: 'asc' | 'desc' = 'asc') {{",
                f"  const factor = dir === 'asc' ? 1 : -1{s}",
                "  return [...items].sort((a, b) => {",
                f"    const left = a[key] ?? ''{s}",
                f"    const right = b[key] ?? ''{s}",
                f"    if (left < right) return -1 * factor{s}",
                f"    if (left > right) return 1 * factor{s}",
                f"    return 0{s}",
                f"  }}){s}",
                "}",
            ]
        if which == 6:
            name = self.fresh(f"build{ent}Query")
            return [
                f"export function {name}(filters: Record<string, string | number | undefined>) {{",
                f"  const search = new URLSearchParams(){s}",
                "  for (const [key, value] of Object.entries(filters)) {",
                "    if (value !== undefined && value !== '') {",
                f"      search.set(key, String(value)){s}",
                "    }",
                "  }",
                f"  const text = search.toString(){s}",
                f"  return text ? `/{kebab(t.feature)}/{kebab(t.name)}?${{text}}` : '/{kebab(t.feature)}/{kebab(t.name)}'{s}",
                "}",
            ]
        name = self.fresh(f"is{ent}Editable")
        status = t.of("status")
        cond = f"item.{camel(status[0])} !== '{STATUS_VALUES[status[0]][-1]}'" if status else "true"
        return [
            f"export function {name}(item: {ent}, userRole: string): boolean {{",
            "  if (userRole === 'viewer') {",
            f"    return false{s}",
            "  }",
            f"  return {cond}{s}",
            "}",
        ]

    def b_comment(self, f: File) -> list[str]:
        out = ["/**"] if f.lang != "py" else []
        lead = " * " if f.lang != "py" else "# "
        for _ in range(self.rng.randint(1, 4)):
            out.append(lead + self.sentence())
        if self.rng.random() < 0.15:
            t = self.table(f)
            self.decoys += 1
            if f.lang == "py":
                out.append(f'# Was: client.table("{t.name}").select("*").execute() (slow){DECOY}')
            else:
                out.append(
                    f" * Previously: supabase.from('{t.name}').select('*').eq('id', id){DECOY}"
                )
        if f.lang != "py":
            out.append(" */")
        return out

    def b_decoy_string(self, f: File) -> list[str]:
        t = self.table(f)
        self.decoys += 1
        s = f.semi
        if f.lang == "py":
            return [
                f"HELP_{t.name.upper()} = (",
                f'    "Call .table(\\"{t.name}\\").select(...) to read rows; "{DECOY}',
                '    "see docs/data.md for the columns."',
                ")",
            ]
        name = self.fresh(f"{camel(t.name)}Hint")
        return [
            f"const {name} = \"Use .from('{t.name}').select('id') to list them\"{s}{DECOY}",
            f"export const {name}Error = `select from {t.name} failed: check the filters`{s}{DECOY}",
        ]

    def client(self, f: File, admin: bool = False) -> tuple[str, str]:
        """The statement creating a client in a function body, and its variable."""
        if f.directive == "'use client'":
            f.need("@/lib/supabase/client", "createClient")
            return f"const supabase = createClient(){f.semi}", "supabase"
        if admin:
            f.need("@/lib/supabase/admin", "createAdminClient")
            return f"const supabase = createAdminClient(){f.semi}", "supabase"
        f.need("@/lib/supabase/server", "createClient")
        return f"const supabase = await createClient(){f.semi}", "supabase"

    def js_filters(self, t: Table, f: File, ind: str) -> list[str]:
        out = []
        for _ in range(self.rng.randint(0, 3)):
            col = self.pick(t.columns)
            kind = t.kinds[col]
            r = self.rng.random()
            if kind == "uuid":
                out.append(f".in('{col}', ids)" if r < 0.2 else f".eq('{col}', {camel(col)})")
            elif kind == "status":
                out.append(f".eq('{col}', '{self.pick(STATUS_VALUES[col])}')")
            elif kind == "ts":
                out.append(f".gte('{col}', since)" if r < 0.6 else f".is('{col}', null)")
            elif kind == "text":
                out.append(f".ilike('{col}', `%${{q}}%`)")
            elif kind == "bool":
                out.append(f".eq('{col}', {self.pick(('true', 'false'))})")
            else:
                out.append(f".gt('{col}', 0)")
        if self.rng.random() < 0.6:
            asc = self.pick(("true", "false"))
            out.append(f".order('{self._order(t, '').split()[0]}', {{ ascending: {asc} }})")
        r = self.rng.random()
        if r < 0.3:
            out.append(f".limit({self.rng.choice((1, 10, 20, 50, 100))})")
        elif r < 0.45:
            out.append(".range(from, to)")
        elif r < 0.6:
            out.append(".single()")
        elif r < 0.7:
            out.append(".maybeSingle()")
        return [ind + x for x in out]

    def js_select(self, f: File, t: Table, var: str, ind: str) -> list[str]:
        return site(self._js_select(f, t, var, ind), "supabase-js")

    def _js_select(self, f: File, t: Table, var: str, ind: str) -> list[str]:
        select = self.select_list(t)
        table = t.name
        dynamic = self.rng.random() < 0.02
        head = f"{ind}const {{ data, error }} = await {var}"
        out = [head]
        if self.rng.random() < 0.03:
            out.append(f"{ind}  .schema('public')")
        out.append(f"{ind}  .from({'tableName' if dynamic else repr(table)})")
        if len(select) > 60 and self.rng.random() < 0.5:
            out.append(f"{ind}  .select(`")
            out += [f"{ind}    {part.strip()}," for part in select.split(", ")]
            out[-1] = out[-1].rstrip(",")
            out.append(f"{ind}  `)")
        elif self.rng.random() < 0.1:
            out.append(f"{ind}  .select('{select}', {{ count: 'exact' }})")
        else:
            out.append(f"{ind}  .select('{select}')")
        out += self.js_filters(t, f, ind + "  ")
        out[-1] += f.semi
        self.kinds["supabase-js select"] += 1
        f.calls += 1
        return out

    def js_write(self, f: File, t: Table, var: str, ind: str) -> list[str]:
        return site(self._js_write(f, t, var, ind), "supabase-js")

    def _js_write(self, f: File, t: Table, var: str, ind: str) -> list[str]:
        s = f.semi
        op = self.rng.choices(("insert", "update", "upsert", "delete"), (40, 30, 18, 12))[0]
        self.kinds[f"supabase-js {op}"] += 1
        f.calls += 1
        table = repr(t.name)
        if op == "delete":
            col = self.pick(t.of("uuid"))
            return [
                f"{ind}const {{ error }} = await {var}.from({table}).delete().eq('{col}', {camel(col)}){s}"
            ]
        cols = self.cols(t, 1, 6, skip=("id", "created_at"))
        body = [f"{ind}    {col}: {self.js_value(t, col, 'input')}," for col in cols]
        if self.rng.random() < 0.1:
            body.insert(0, f"{ind}    ...payload,")
        if op == "update":
            tail = f"{ind}  .eq('id', id)"
            if self.rng.random() < 0.4:
                tail += "\n" + f"{ind}  .select('{', '.join(self.cols(t, 1, 3))}')"
            return [
                f"{ind}const {{ error }} = await {var}",
                f"{ind}  .from({table})",
                f"{ind}  .update({{",
                *body,
                f"{ind}  }})",
                tail + s,
            ]
        if op == "upsert":
            key = ",".join(self.cols(t, 1, 2, skip=("created_at",)))
            return [
                f"{ind}const {{ error }} = await {var}.from({table}).upsert(",
                f"{ind}  {{",
                *body,
                f"{ind}  }},",
                f"{ind}  {{ onConflict: '{key}' }},",
                f"{ind}){s}",
            ]
        out = [f"{ind}const {{ data, error }} = await {var}", f"{ind}  .from({table})"]
        if self.rng.random() < 0.2:
            out += [f"{ind}  .insert(rows.map((input) => ({{", *body, f"{ind}  }})))"]
        else:
            out += [f"{ind}  .insert({{", *body, f"{ind}  }})"]
        if self.rng.random() < 0.5:
            out += [f"{ind}  .select('id')", f"{ind}  .single()"]
        out[-1] += s
        return out

    def js_rpc(self, f: File, var: str, ind: str) -> list[str]:
        return site(self._js_rpc(f, var, ind), "supabase-js")

    def _js_rpc(self, f: File, var: str, ind: str) -> list[str]:
        fn = self.pick(self.functions)
        arg = singular(fn.split("_", 1)[1])
        self.kinds["supabase-js rpc"] += 1
        f.calls += 1
        return [
            f"{ind}const {{ data, error }} = await {var}.rpc('{fn}', {{ p_{arg}_id: id }}){f.semi}"
        ]

    def js_storage(self, f: File, var: str, ind: str) -> list[str]:
        return site(self._js_storage(f, var, ind), "supabase-js")

    def _js_storage(self, f: File, var: str, ind: str) -> list[str]:
        bucket = self.pick(BUCKETS)
        self.kinds["supabase-js storage"] += 1
        f.calls += 1
        s = f.semi
        which = self.rng.randrange(4)
        if which == 0:
            return [
                f"{ind}const {{ data, error }} = await {var}.storage",
                f"{ind}  .from('{bucket}')",
                f"{ind}  .upload(`${{orgId}}/${{file.name}}`, file, {{ upsert: true }}){s}",
            ]
        if which == 1:
            return [
                f"{ind}const {{ data, error }} = await {var}.storage.from('{bucket}').createSignedUrl(path, 3600){s}"
            ]
        if which == 2:
            return [f"{ind}const {{ data }} = {var}.storage.from('{bucket}').getPublicUrl(path){s}"]
        return [f"{ind}const {{ error }} = await {var}.storage.from('{bucket}').remove([path]){s}"]

    def b_supabase_fn(self, f: File, *, admin: bool = False) -> list[str]:
        t = self.table(f)
        ent = pascal(singular(t.name))
        make, var = self.client(f, admin)
        s = f.semi
        r = self.rng.random()
        if r < 0.55:
            name = self.fresh(self.pick(("get", "list", "fetch", "load")) + pascal(t.name))
            params = "orgId: string, q = '', since?: string"
            body = self.js_select(f, t, var, "  ")
            ret = "data ?? []"
        elif r < 0.85:
            name = self.fresh(self.pick(("save", "create", "update", "sync", "remove")) + ent)
            params = f"id: string, input: {ent}Input, orgId: string"
            body = self.js_write(f, t, var, "  ")
            ret = "true"
        elif r < 0.93:
            name = self.fresh("run" + pascal(self.pick(self.functions)))
            params = "id: string"
            body = self.js_rpc(f, var, "  ")
            ret = "data"
        else:
            name = self.fresh("handle" + ent + "File")
            params = "orgId: string, path: string, file: File"
            body = self.js_storage(f, var, "  ")
            ret = "data"
        out = [f"export async function {name}({params}) {{", f"  {make}"]
        out += body
        out += [
            "  if (error) {",
            f"    console.error('{words(name)} failed', error){s}"
            if self.rng.random() < 0.5
            else f"    throw new Error(error.message){s}",
            "  }",
        ]
        if self.rng.random() < 0.25 and t.children:
            child = self.tables[self.rng.choice(t.children)[0]]
            out.append("")
            out += [
                line.replace("{ data, error }", "{ data: related }")
                for line in self.js_select(f, child, var, "  ")
            ]
            ret = f"{{ items: {ret}, related }}"
        out.append(f"  return {ret}{s}")
        out.append("}")
        return out

    def b_sql_fn(self, f: File) -> list[str]:
        t = self.table(f)
        f.need("@/lib/db", "sql")
        p = Params("js")
        text, shape = self.sql(t, p, "input")
        text = self.styled(f, text)
        self.kinds[f"postgres.js {shape}"] += 1
        f.calls += 1
        s = f.semi
        verb = {"insert": "insert", "upsert": "upsert", "update": "update", "delete": "purge"}.get(
            shape, self.pick(("find", "list", "query", "select"))
        )
        name = self.fresh(
            verb + pascal(t.name) + self.pick(("", "ForOrg", "Since", "ById", "Report"))
        )
        ent = pascal(singular(t.name))
        out = [
            f"export async function {name}(input: Partial<{ent}>, ids: string[] = [], since = new Date(0), limit = 50) {{"
        ]
        if "id" in text or "Id" in text:
            out.append(
                f"  const {{ id = '', organizationId = '' }} = input as Record<string, string>{s}"
            )
        out.append(
            f"  const pattern = `%${{input.{camel(self.pick(t.of('text') or ['name']))} ?? ''}}%`{s}"
        )
        out.append(f"  const minimum = {self.rng.randint(0, 10)}{s}")
        # `sql<Row[]>` is common with postgres.js, and tree-sitter-typescript reads the
        # type arguments of a tagged template as an error: the scanner must recover.
        typed = self.rng.random() < 0.15
        self.typed_sql += typed
        out += site(
            [
                f"  const rows = await sql{'<' + ent + '[]>' if typed else ''}`",
                *("    " + line for line in text.splitlines()),
                f"  `{s}",
            ],
            "sql",
        )
        out.append(f"  return rows{'[0]' if shape in ('insert', 'upsert') else ''}{s}")
        out.append("}")
        return out

    def b_action(self, f: File) -> list[str]:
        t = self.table(f)
        ent = pascal(singular(t.name))
        s = f.semi
        f.need("next/cache", "revalidatePath")
        make, var = self.client(f, self.rng.random() < 0.15)
        name = self.fresh(
            self.pick(("create", "update", "archive", "save", "submit")) + ent + "Action"
        )
        out = [
            f"export async function {name}(prevState: ActionState, formData: FormData): Promise<ActionState> {{",
            f"  const parsed = {camel(singular(t.name))}Schema.safeParse(Object.fromEntries(formData)){s}",
            "  if (!parsed.success) {",
            f"    return {{ ok: false, errors: parsed.error.flatten().fieldErrors }}{s}",
            "  }",
            f"  const input = parsed.data{s}",
            f"  const id = String(formData.get('id') ?? ''){s}",
            f"  const orgId = String(formData.get('orgId') ?? ''){s}",
            f"  {make}",
        ]
        out += self.js_write(f, t, var, "  ")
        out += [
            "  if (error) {",
            f"    return {{ ok: false, message: error.message }}{s}",
            "  }",
            f"  revalidatePath('/{kebab(t.feature)}/{kebab(t.name)}'){s}",
            f"  return {{ ok: true }}{s}",
            "}",
        ]
        return out

    def b_route(self, f: File) -> list[str]:
        t = self.table(f)
        s = f.semi
        f.need("next/server", "NextResponse")
        method = self.pick(("GET", "GET", "POST", "PATCH", "DELETE"))
        if method in self.names_used_in(f):
            method = self.pick(("GET", "POST", "PATCH", "DELETE", "PUT"))
            if method in self.names_used_in(f):
                return self.b_supabase_fn(f, admin=True)
        out = [
            f"export async function {method}(request: Request, {{ params }}: {{ params: Promise<{{ id: string }}> }}) {{",
            f"  const {{ id }} = await params{s}",
            f"  const url = new URL(request.url){s}",
            f"  const q = url.searchParams.get('q') ?? ''{s}",
            f"  const since = url.searchParams.get('since') ?? new Date(0).toISOString(){s}",
        ]
        if self.rng.random() < 0.35:
            f.need("@/lib/db", "sql")
            p = Params("js")
            text, shape = self.sql(t, p, "body")
            self.kinds[f"postgres.js {shape}"] += 1
            f.calls += 1
            read = "{}" if method == "GET" else "await request.json()"
            out += [
                f"  const body = {read}{s}",
                f"  const ids = url.searchParams.getAll('id'){s}",
                f"  const limit = Number(url.searchParams.get('limit') ?? 50){s}",
                f"  const minimum = Number(url.searchParams.get('min') ?? 0){s}",
                f"  const pattern = `%${{q}}%`{s}",
                f"  const organizationId = request.headers.get('x-org-id'){s}",
                *site(
                    [
                        "  const rows = await sql`",
                        *("    " + line for line in self.styled(f, text).splitlines()),
                        f"  `{s}",
                    ],
                    "sql",
                ),
                f"  return NextResponse.json({{ data: rows }}){s}",
                "}",
            ]
            return out
        make, var = self.client(f, self.rng.random() < 0.4)
        out += [
            f"  const ids = url.searchParams.getAll('id'){s}",
            f"  const orgId = request.headers.get('x-org-id') ?? ''{s}",
            f"  {make}",
        ]
        if method == "GET":
            out += self.js_select(f, t, var, "  ")
        else:
            out.append(f"  const input = await request.json(){s}")
            out += self.js_write(f, t, var, "  ")
        out += [
            "  if (error) {",
            f"    return NextResponse.json({{ error: error.message }}, {{ status: {self.pick(('400', '500'))} }}){s}",
            "  }",
            f"  return NextResponse.json({{ ok: true }}){s}",
            "}",
        ]
        return out

    def names_used_in(self, f: File) -> set[str]:
        text = "\n".join(f.lines)
        return {m for m in ("GET", "POST", "PATCH", "DELETE", "PUT") if f"function {m}(" in text}

    # ---- TSX blocks ----------------------------------------------------------------

    def classes(self) -> str:
        return " ".join(self.rng.sample(TW, self.rng.randint(2, 6)))

    def jsx_markup(self, f: File, t: Table, rows: str, ind: str) -> list[str]:
        fields = self.cols(t, 3, 6)
        title = pascal(t.name).replace("_", " ")
        shape = self.rng.randrange(4)
        c = self.classes
        if shape == 1:
            f.need("next/link", "Link")
        elif shape == 2:
            f.need("@/components/ui/button", "Button")
        elif shape == 3:
            f.need(
                "@/components/ui/card",
                "Card",
                "CardContent",
                "CardDescription",
                "CardHeader",
                "CardTitle",
            )
        if shape == 0:
            out = [
                f'{ind}<div className="{c()}">',
                f'{ind}  <div className="{c()}">',
                f'{ind}    <h2 className="{c()}">{words(t.name).title()}</h2>',
                f'{ind}    <span className="{c()}">{{{rows}.length}} total</span>',
                f"{ind}  </div>",
                f'{ind}  <table className="min-w-full {c()}">',
                f'{ind}    <thead className="{c()}">',
                f"{ind}      <tr>",
                *(f'{ind}        <th className="{c()}">{words(x).title()}</th>' for x in fields),
                f"{ind}      </tr>",
                f"{ind}    </thead>",
                f"{ind}    <tbody>",
                f"{ind}      {{{rows}.map((row) => (",
                f'{ind}        <tr key={{row.id}} className="{c()}">',
                *(
                    f'{ind}          <td className="{c()}">{{String(row.{x} ?? "")}}</td>'
                    for x in fields
                ),
                f"{ind}        </tr>",
                f"{ind}      ))}}",
                f"{ind}    </tbody>",
                f"{ind}  </table>",
                f"{ind}</div>",
            ]
        elif shape == 1:
            out = [
                f'{ind}<ul className="{c()}">',
                f"{ind}  {{{rows}.map((item) => (",
                f'{ind}    <li key={{item.id}} className="{c()}">',
                f'{ind}      <Link href={{`/{kebab(t.feature)}/{kebab(t.name)}/${{item.id}}`}} className="{c()}">',
                f"{ind}        {{item.{fields[0]}}}",
                f"{ind}      </Link>",
                *(f'{ind}      <p className="{c()}">{{item.{x}}}</p>' for x in fields[1:]),
                f"{ind}    </li>",
                f"{ind}  ))}}",
                f"{ind}</ul>",
            ]
        elif shape == 2:
            out = [
                f'{ind}<form action={{formAction}} className="{c()}">',
                f'{ind}  <input type="hidden" name="id" value={{{rows}[0]?.id ?? ""}} />',
            ]
            for x in fields:
                out += [
                    f'{ind}  <label className="{c()}">',
                    f'{ind}    <span className="{c()}">{words(x).capitalize()}</span>',
                    f'{ind}    <input name="{camel(x)}" defaultValue={{String({rows}[0]?.{x} ?? "")}} className="{c()}" />',
                    f"{ind}  </label>",
                ]
            out += [
                f'{ind}  <div className="{c()}">',
                f'{ind}    <Button type="submit" disabled={{pending}}>Save {words(singular(t.name))}</Button>',
                f'{ind}    <Button type="button" variant="ghost" onClick={{() => router.back()}}>Cancel</Button>',
                f"{ind}  </div>",
                f"{ind}</form>",
            ]
        else:
            out = [
                f'{ind}<Card className="{c()}">',
                f"{ind}  <CardHeader>",
                f"{ind}    <CardTitle>{title}</CardTitle>",
                f"{ind}    <CardDescription>{self.sentence(4, 9)}</CardDescription>",
                f"{ind}  </CardHeader>",
                f'{ind}  <CardContent className="{c()}">',
                f'{ind}    <dl className="{c()}">',
            ]
            for x in fields:
                out += [
                    f'{ind}      <div className="{c()}">',
                    f'{ind}        <dt className="{c()}">{words(x).capitalize()}</dt>',
                    f'{ind}        <dd className="{c()}">{{{rows}[0]?.{x} ?? "—"}}</dd>',
                    f"{ind}      </div>",
                ]
            out += [f"{ind}    </dl>", f"{ind}  </CardContent>", f"{ind}</Card>"]
        return out

    def b_component(self, f: File) -> list[str]:
        t = self.table(f)
        ent = pascal(singular(t.name))
        s = f.semi
        name = self.fresh(
            ent
            + self.pick(("List", "Table", "Card", "Panel", "Summary", "Form", "Grid", "Overview"))
        )
        rows = camel(t.name)
        out = [
            f"interface {name}Props {{",
            f"  {rows}: {ent}[]{s}",
            f"  onSelect?: (id: string) => void{s}",
            f"  emptyLabel?: string{s}",
            "}",
            "",
            f"export function {name}({{ {rows}, onSelect, emptyLabel = 'Nothing here yet' }}: {name}Props) {{",
        ]
        interactive = f.directive == "'use client'"
        if interactive:
            f.need("react", "useState", "useMemo", "useTransition")
            f.need("next/navigation", "useRouter")
            key = self.pick(t.of("text") or ["id"])
            out += [
                f"  const router = useRouter(){s}",
                f"  const [query, setQuery] = useState(''){s}",
                f"  const [pending, startTransition] = useTransition(){s}",
                "  const visible = useMemo(",
                f"    () => {rows}.filter((row) => String(row.{key} ?? '').toLowerCase().includes(query.toLowerCase())),",
                f"    [{rows}, query],",
                f"  ){s}",
                f"  const formAction = (data: FormData) => startTransition(() => onSelect?.(String(data.get('id')))){s}",
            ]
            rows = "visible"
        else:
            out += [
                f"  const pending = false{s}",
                f"  const router = {{ back: () => undefined }}{s}",
                f"  const formAction = undefined{s}",
            ]
        out += [
            f"  if ({rows}.length === 0) {{",
            f'    return <p className="{self.classes()}">{{emptyLabel}}</p>{s}',
            "  }",
            "",
            "  return (",
        ]
        if interactive and self.rng.random() < 0.5:
            out += [
                "    <>",
                f'      <input value={{query}} onChange={{(e) => setQuery(e.target.value)}} placeholder="Search {words(t.name)}" className="{self.classes()}" />',
                *self.jsx_markup(f, t, rows, "      "),
                "    </>",
            ]
        else:
            out += self.jsx_markup(f, t, rows, "    ")
        out += [f"  ){s}", "}"]
        return out

    def b_client_fetch(self, f: File) -> list[str]:
        """A 'use client' hook loading rows with the browser client."""
        t = self.table(f)
        s = f.semi
        f.need("react", "useEffect", "useState")
        make, var = self.client(f)
        name = self.fresh("use" + pascal(t.name))
        ent = pascal(singular(t.name))
        out = [
            f"export function {name}(orgId: string, q = '') {{",
            f"  const [rows, setRows] = useState<{ent}[]>([]){s}",
            f"  const [loading, setLoading] = useState(true){s}",
            "  useEffect(() => {",
            f"    let cancelled = false{s}",
            f"    const since = new Date(Date.now() - {self.rng.randint(1, 90)} * 86400000).toISOString(){s}",
            "    async function load() {",
            f"      {make}",
        ]
        out += self.js_select(f, t, var, "      ")
        out += [
            "      if (!cancelled) {",
            f"        setRows((data as {ent}[]) ?? []){s}",
            f"        setLoading(false){s}",
            "      }",
            "      if (error) {",
            f"        console.warn(error){s}",
            "      }",
            "    }",
            f"    void load(){s}",
            "    return () => {",
            f"      cancelled = true{s}",
            "    }",
            f"  }}, [orgId, q]){s}",
            f"  return {{ rows, loading }}{s}",
            "}",
        ]
        return out

    def b_page(self, f: File) -> list[str]:
        t = self.by_feature[f.feature][self.rng.randrange(12)]
        s = f.semi
        make, var = self.client(f)
        f.need("next/navigation", "notFound")
        rows = camel(t.name)
        out = [
            "export default async function Page({",
            "  params,",
            "  searchParams,",
            "}: {",
            f"  params: Promise<{{ id: string }}>{s}",
            f"  searchParams: Promise<Record<string, string>>{s}",
            "}) {",
            f"  const {{ id }} = await params{s}",
            f"  const {{ q = '', since = '1970-01-01' }} = await searchParams{s}",
            f"  const orgId = id{s}",
            f"  {make}",
        ]
        out += self.js_select(f, t, var, "  ")
        out += [
            "  if (error) {",
            f"    throw error{s}",
            "  }",
            "  if (!data) {",
            f"    notFound(){s}",
            "  }",
            f"  const {rows} = (Array.isArray(data) ? data : [data]) as {pascal(singular(t.name))}[]{s}",
            "",
            "  return (",
            f'    <main className="{self.classes()}">',
            f'      <header className="{self.classes()}">',
            f'        <h1 className="{self.classes()}">{words(t.name).title()}</h1>',
            f'        <p className="{self.classes()}">{self.sentence(5, 10)}</p>',
            "      </header>",
            *self.jsx_markup(f, t, rows, "      "),
            "    </main>",
            f"  ){s}",
            "}",
        ]
        return out

    # ---- Python blocks -------------------------------------------------------------

    def py_type(self, t: Table, col: str) -> str:
        return {
            "uuid": "UUID",
            "text": "str",
            "int": "int",
            "num": "float",
            "bool": "bool",
            "ts": "datetime",
            "status": "str",
            "json": "dict[str, Any]",
        }[t.kinds[col]]

    def p_model(self, f: File) -> list[str]:
        t = self.table(f)
        name = self.fresh(pascal(singular(t.name)) + self.pick(("", "Model", "Row", "Out")))
        out = [f"class {name}(BaseModel):"]
        if self.rng.random() < 0.5:
            out.append(f'    """{self.sentence()}"""')
            out.append("")
        for col in t.columns:
            typ = self.py_type(t, col)
            if col.endswith("_at") and col != "created_at":
                out.append(f"    {col}: {typ} | None = None")
            elif t.kinds[col] in ("int", "num") and self.rng.random() < 0.4:
                out.append(f"    {col}: {typ} = Field(default=0, ge=0)")
            else:
                out.append(f"    {col}: {typ}")
        out += ["", "    model_config = ConfigDict(from_attributes=True)"]
        return out

    def p_enum(self, f: File) -> list[str]:
        col = self.pick(list(STATUS_VALUES))
        name = self.fresh(pascal(f.feature) + pascal(col))
        return [f"class {name}(str, Enum):"] + [
            f'    {v.upper()} = "{v}"' for v in STATUS_VALUES[col]
        ]

    def p_util(self, f: File) -> list[str]:
        t = self.table(f)
        which = self.rng.randrange(5)
        if which == 0:
            name = self.fresh(f"chunked_{t.name}")
            return [
                f"def {name}(items: list[Any], size: int = {self.rng.choice((50, 100, 500))}) -> Iterator[list[Any]]:",
                f'    """{self.sentence()}"""',
                "    for start in range(0, len(items), size):",
                "        yield items[start : start + size]",
            ]
        if which == 1:
            name = self.fresh(f"normalize_{singular(t.name)}")
            col = self.pick(t.of("text") or ["name"])
            return [
                f"def {name}(row: dict[str, Any]) -> dict[str, Any]:",
                "    out = dict(row)",
                f'    value = out.get("{col}")',
                "    if isinstance(value, str):",
                f'        out["{col}"] = value.strip().lower()',
                "    for key, item in list(out.items()):",
                "        if isinstance(item, datetime):",
                "            out[key] = item.astimezone(timezone.utc).isoformat()",
                "    return out",
            ]
        if which == 2:
            name = self.fresh(f"retry_{t.feature}")
            return [
                f"def {name}(attempts: int = {self.rng.randint(2, 6)}, delay: float = {self.rng.choice((0.1, 0.5, 1.0))}):",
                "    def decorate(fn):",
                "        @functools.wraps(fn)",
                "        async def wrapper(*args, **kwargs):",
                "            for attempt in range(attempts):",
                "                try:",
                "                    return await fn(*args, **kwargs)",
                "                except (OSError, asyncio.TimeoutError):",
                "                    if attempt == attempts - 1:",
                "                        raise",
                '                    logger.warning("retrying %s (%d)", fn.__name__, attempt)',
                "                    await asyncio.sleep(delay * 2**attempt)",
                "",
                "        return wrapper",
                "",
                "    return decorate",
            ]
        if which == 3:
            name = self.fresh(f"parse_{singular(t.name)}_window")
            return [
                f"def {name}(value: str | None, default_days: int = {self.rng.randint(1, 90)}) -> tuple[datetime, datetime]:",
                "    end = datetime.now(timezone.utc)",
                "    if not value:",
                "        return end - timedelta(days=default_days), end",
                '    start_text, _, end_text = value.partition("..")',
                "    start = datetime.fromisoformat(start_text)",
                "    if end_text:",
                "        end = datetime.fromisoformat(end_text)",
                "    if start > end:",
                '        raise ValueError(f"empty window: {value}")',
                "    return start, end",
            ]
        name = self.fresh(f"{singular(t.name)}_summary")
        num = self.pick(t.of("int", "num") or ["id"])
        return [
            f"def {name}(rows: list[dict[str, Any]]) -> dict[str, Any]:",
            "    if not rows:",
            '        return {"count": 0}',
            f'    values = [r.get("{num}") or 0 for r in rows]',
            "    return {",
            '        "count": len(rows),',
            '        "min": min(values),',
            '        "max": max(values),',
            '        "mean": sum(values) / len(values),',
            "    }",
        ]

    def p_supabase_call(self, f: File, t: Table, ind: str) -> list[str]:
        return site(self._p_supabase_call(f, t, ind), "supabase-py")

    def _p_supabase_call(self, f: File, t: Table, ind: str) -> list[str]:
        f.calls += 1
        r = self.rng.random()
        if r < 0.55:
            self.kinds["supabase-py select"] += 1
            out = [f"{ind}response = (", f'{ind}    client.table("{t.name}")']
            out.append(f'{ind}    .select("{self.select_list(t)}")')
            for _ in range(self.rng.randint(0, 3)):
                col = self.pick(t.columns)
                kind = t.kinds[col]
                if kind == "status":
                    out.append(f'{ind}    .eq("{col}", "{self.pick(STATUS_VALUES[col])}")')
                elif kind == "ts":
                    out.append(f'{ind}    .gte("{col}", since.isoformat())')
                elif kind == "uuid":
                    out.append(f'{ind}    .eq("{col}", str(org_id))')
                elif kind == "bool":
                    out.append(f'{ind}    .is_("{col}", "true")')
                else:
                    out.append(f'{ind}    .neq("{col}", "")')
            if self.rng.random() < 0.5:
                out.append(f'{ind}    .order("{self.pick(t.columns)}", desc=True)')
            if self.rng.random() < 0.4:
                out.append(f"{ind}    .limit({self.rng.choice((10, 100, 1000))})")
            out += [f"{ind}    .execute()", f"{ind})"]
            return out
        if r < 0.85:
            op = self.rng.choices(("insert", "update", "upsert", "delete"), (40, 30, 20, 10))[0]
            self.kinds[f"supabase-py {op}"] += 1
            if op == "delete":
                return [f'{ind}client.table("{t.name}").delete().eq("id", str(item.id)).execute()']
            cols = self.cols(t, 1, 5, skip=("id", "created_at"))
            body = [f'{ind}        "{c}": {self.py_value(t, c, "item")},' for c in cols]
            tail = f'{ind}    .eq("id", str(item.id))' if op == "update" else None
            conflict = f', on_conflict="{cols[0]}"' if op == "upsert" else ""
            out = [
                f"{ind}response = (",
                f'{ind}    client.table("{t.name}")',
                f"{ind}    .{op}(",
                f"{ind}        {{",
            ]
            out += [line.replace(f"{ind}        ", f"{ind}            ", 1) for line in body]
            out += [
                f"{ind}        }}{conflict.replace(', ', ',' + chr(10) + ind + '        ') if conflict else ''}",
                f"{ind}    )",
            ]
            if tail:
                out.append(tail)
            out += [f"{ind}    .execute()", f"{ind})"]
            return out
        if r < 0.93:
            self.kinds["supabase-py rpc"] += 1
            fn = self.pick(self.functions)
            return [f'{ind}response = client.rpc("{fn}", {{"p_id": str(item.id)}}).execute()']
        self.kinds["supabase-py storage"] += 1
        bucket = self.pick(BUCKETS)
        return [
            f'{ind}response = client.storage.from_("{bucket}").upload(',
            f'{ind}    f"{{org_id}}/{{item.id}}.pdf", content, {{"content-type": "application/pdf"}}',
            f"{ind})",
        ]

    def p_supabase_fn(self, f: File) -> list[str]:
        t = self.table(f)
        name = self.fresh(self.pick(("sync", "export", "refresh", "load", "push")) + "_" + t.name)
        out = [
            f'def {name}(client: Client, org_id: UUID, item: Any, since: datetime, content: bytes = b"") -> list[dict[str, Any]]:',
            f'    """{self.sentence()}"""',
        ]
        out += self.p_supabase_call(f, t, "    ")
        if self.rng.random() < 0.3:
            out.append(f'    logger.info("{name}: %d rows", len(response.data or []))')
        out.append("    return response.data or []")
        return out

    def p_asyncpg_method(self, f: File, t: Table) -> list[str]:
        p = Params("py")
        text, shape = self.sql(t, p, "row")
        text = self.styled(f, text)
        self.kinds[f"asyncpg {shape}"] += 1
        f.calls += 1
        method = {
            "insert": "fetchrow",
            "upsert": "execute",
            "update": self.pick(("execute", "fetchrow")),
            "delete": "execute",
            "aggregate": self.pick(("fetch", "fetch", "fetchval")),
        }.get(shape, self.pick(("fetch", "fetch", "fetchrow")))
        verb = {"insert": "add", "upsert": "upsert", "update": "update", "delete": "purge"}.get(
            shape, self.pick(("list", "find", "get", "count"))
        )
        name = self.fresh(f"{verb}_{t.name}")
        params = "".join(f", {a}: Any" for a in p.args)
        out = [f"    async def {name}(self{params}) -> Any:"]
        if self.rng.random() < 0.3:
            out.append(f'        """{self.sentence()}"""')
        inner = "        "
        if self.rng.random() < 0.5:
            out.append("        async with self.pool.acquire() as conn:")
            inner = "            "
            recv = "conn"
        else:
            recv = "self.pool"
        args = "".join(f"\n{inner}    {a}," for a in p.args)
        call = [
            f"{inner}return await {recv}.{method}(",
            f'{inner}    """',
            *(f"{inner}    {line}" for line in text.splitlines()),
            f'{inner}    """,{args}',
            f"{inner})",
        ]
        return out + site(call, "sql")

    def p_repository(self, f: File, budget: int) -> list[str]:
        t = self.by_feature[f.feature][self.rng.randrange(12)]
        name = self.fresh(pascal(singular(t.name)) + "Repository")
        out = [
            f"class {name}:",
            f'    """{self.sentence()}"""',
            "",
            "    def __init__(self, pool: asyncpg.Pool) -> None:",
            "        self.pool = pool",
        ]
        related = (
            [t] + [self.tables[n] for _, n in t.parents] + [self.tables[n] for n, _ in t.children]
        )
        while len(out) < budget:
            out.append("")
            out += self.p_asyncpg_method(f, self.rng.choice(related))
        return out

    def p_job(self, f: File) -> list[str]:
        t = self.table(f)
        name = self.fresh(
            f"run_{singular(t.name)}_{self.pick(('sync', 'cleanup', 'digest', 'rollup', 'import'))}"
        )
        out = [
            f"async def {name}(pool: asyncpg.Pool, client: Client, org_id: UUID) -> int:",
            f'    """{self.sentence()}"""',
            "    since = datetime.now(timezone.utc) - timedelta(hours=24)",
            "    processed = 0",
            "    async with pool.acquire() as conn:",
        ]
        p = Params("py")
        text, shape = self.sql(t, p, "row")
        self.kinds[f"asyncpg {shape}"] += 1
        f.calls += 1
        binds = {"since": "since", "org_id": "org_id", "organization_id": "org_id", "ids": "[]"}
        args = "".join(f"\n            {binds.get(a, 'None')}," for a in p.args)
        out += [
            *site(
                [
                    "        rows = await conn.fetch(",
                    '            """',
                    *("            " + line for line in self.styled(f, text).splitlines()),
                    f'            """,{args}',
                    "        )",
                ],
                "sql",
            ),
            "    for item in rows:",
            "        try:",
        ]
        out += self.p_supabase_call(f, self.table(f), "            ")
        out += [
            "        except Exception:  # noqa: BLE001",
            f'            logger.exception("{name} failed for %s", item["id"])',
            "            continue",
            "        processed += 1",
            "    return processed",
        ]
        return out

    # ---- files ---------------------------------------------------------------------

    def body(self, f: File) -> list[str]:
        """Blocks until the file's line budget is spent, weighted by the file's role."""
        weights = ROLE_BLOCKS[f.role]
        names = list(weights)
        w = list(weights.values())
        out: list[str] = []
        first = True
        while first or len(out) < f.budget:
            block = self.rng.choices(names, w)[0]
            if first and f.role == "page":
                block = "page"
            elif block == "page" and not first:
                block = "component"
            if f.role == "repository" and block == "repository":
                lines = self.p_repository(f, max(20, min(f.budget - len(out), 400)))
            else:
                f.lines = out
                lines = getattr(self, BLOCKS[block])(f)
            if out:
                out.append("")
                if f.lang == "py" and not lines[0].startswith("    "):
                    out.append("")
            out += lines
            first = False
        return out

    def header(self, f: File) -> list[str]:
        out: list[str] = []
        if f.lang == "py":
            out.append(f'"""{self.sentence(5, 12)}"""')
            out.append("")
            out.append("from __future__ import annotations")
            out.append("")
            out += [f"import {m}" for m in f.imports.get("", [])]
            out.append("")
            for module, names in f.imports.items():
                if module:
                    out.append(f"from {module} import {', '.join(names)}")
            out.append("")
            out += ["logger = logging.getLogger(__name__)", "", ""]
            return out
        if f.directive:
            out += [f"{f.directive}{f.semi}", ""]
        for module, names in f.imports.items():
            if module == "zod":
                out.append(f"import {{ z }} from 'zod'{f.semi}")
            elif module == "next/link":
                out.append(f"import Link from 'next/link'{f.semi}")
            else:
                out.append(f"import {{ {', '.join(names)} }} from '{module}'{f.semi}")
        types = self.rng.sample(self.by_feature[f.feature], 3)
        out.append(
            f"import type {{ {', '.join(pascal(singular(t.name)) for t in types)} }} "
            f"from '@/lib/{f.feature}/types'{f.semi}"
        )
        out.append("")
        return out

    def render(self, f: File) -> str:
        f.semi = ";" if self.rng.random() < 0.7 else ""
        f.upper_sql = self.rng.random() < 0.6
        if f.lang == "tsx" and f.role == "component" and self.rng.random() < 0.45:
            f.directive = "'use client'"
        if f.role == "action":
            f.directive = "'use server'"
        if f.lang == "py":
            f.imports = {
                "": ["asyncio", "functools", "logging"],
                "collections.abc": ["Iterator"],
                "datetime": ["datetime", "timedelta", "timezone"],
                "enum": ["Enum"],
                "typing": ["Any"],
                "uuid": ["UUID"],
                "asyncpg": ["Pool"],
                "pydantic": ["BaseModel", "ConfigDict", "Field"],
                "supabase": ["Client"],
            }
            if f.role == "py_models":
                f.imports = {k: v for k, v in f.imports.items() if k not in ("asyncpg", "supabase")}
        body = self.body(f)
        if f.lang == "py":
            body = [line.replace("asyncpg.Pool", "Pool") for line in body]
        return "\n".join(self.header(f) + body) + "\n"


BLOCKS = {
    "interface": "b_interface",
    "zod": "b_zod",
    "util": "b_util",
    "comment": "b_comment",
    "decoy": "b_decoy_string",
    "supabase": "b_supabase_fn",
    "sql": "b_sql_fn",
    "action": "b_action",
    "route": "b_route",
    "component": "b_component",
    "client_fetch": "b_client_fetch",
    "page": "b_page",
    "model": "p_model",
    "enum": "p_enum",
    "putil": "p_util",
    "psupabase": "p_supabase_fn",
    "repository": "p_repository",
    "job": "p_job",
}

ROLE_BLOCKS: dict[str, dict[str, int]] = {
    "page": {"page": 1, "component": 4, "util": 2, "comment": 2, "supabase": 5},
    "component": {"component": 10, "interface": 2, "util": 3, "comment": 2, "decoy": 1, "client_fetch": 3},
    "ui": {"component": 6, "util": 3, "comment": 1, "interface": 1},
    "action": {"action": 8, "zod": 3, "comment": 2, "util": 2, "interface": 1},
    "route": {"route": 6, "util": 2, "comment": 2, "zod": 2, "interface": 1},
    "queries": {"supabase": 8, "sql": 4, "interface": 3, "util": 3, "comment": 3, "decoy": 1},
    "db": {"sql": 8, "interface": 2, "util": 2, "comment": 2},
    "types": {"interface": 6, "zod": 3, "comment": 2},
    "utils": {"util": 8, "comment": 3, "interface": 2, "decoy": 1, "supabase": 1},
    "hooks": {"client_fetch": 4, "util": 3, "interface": 2, "comment": 2},
    "py_models": {"model": 6, "enum": 2, "putil": 2, "comment": 1},
    "repository": {"repository": 1},
    "py_service": {"psupabase": 5, "putil": 4, "model": 2, "comment": 2, "decoy": 1},
    "py_job": {"job": 4, "putil": 3, "model": 2, "comment": 2, "psupabase": 2},
    "py_utils": {"putil": 6, "enum": 1, "comment": 2, "model": 1},
}  # fmt: skip
"""What blocks each kind of file is made of, by weight."""

ROLE_MEDIAN = {
    "page": 70, "component": 60, "ui": 35, "action": 60, "route": 45, "queries": 110,
    "db": 180, "types": 50, "utils": 55, "hooks": 60, "py_models": 80, "repository": 160,
    "py_service": 100, "py_job": 110, "py_utils": 60,
}  # fmt: skip

FIXED: dict[str, str] = {
    "lib/supabase/server.ts": """import { createServerClient } from '@supabase/ssr';
import { cookies } from 'next/headers';

export async function createClient() {
  const cookieStore = await cookies();
  return createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    {
      cookies: {
        getAll() {
          return cookieStore.getAll();
        },
        setAll(cookiesToSet) {
          for (const { name, value, options } of cookiesToSet) {
            cookieStore.set(name, value, options);
          }
        },
      },
    },
  );
}
""",
    "lib/supabase/client.ts": """import { createBrowserClient } from '@supabase/ssr';

export function createClient() {
  return createBrowserClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!,
  );
}
""",
    "lib/supabase/admin.ts": """import { createClient } from '@supabase/supabase-js';

export function createAdminClient() {
  return createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}
""",
    "lib/db/index.ts": """import postgres from 'postgres';

export const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  idle_timeout: 20,
  prepare: false,
});
""",
    "worker/common/clients.py": '''"""Clients shared by the jobs: the service-role Supabase client and the asyncpg pool."""

from __future__ import annotations

import os

import asyncpg
from supabase import Client, create_client


def service_client() -> Client:
    return create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])


async def create_pool() -> asyncpg.Pool:
    return await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=10)
''',
}
"""The client factories every other file imports (with the keys that tell privileges)."""

COMPONENT_SUFFIXES = (
    "List", "Table", "Card", "Form", "Dialog", "Header", "Filters", "Summary", "Row", "Badge",
    "Chart", "Empty", "Skeleton", "Detail", "Editor", "Picker", "Menu", "Toolbar", "Panel",
    "Sidebar", "Timeline", "Stats",
)  # fmt: skip
UI = (
    "button", "card", "input", "label", "select", "dialog", "dropdown-menu", "table", "tabs",
    "badge", "avatar", "tooltip", "popover", "sheet", "separator", "skeleton", "switch",
    "textarea", "toast", "checkbox",
)  # fmt: skip
PAGES = ("", "[id]", "new", "[id]/edit", "settings", "reports", "import", "archive")
LIB_KINDS = ("queries", "types", "utils", "hooks", "validators", "format", "constants")


def plan(rng: random.Random, files: int) -> list[tuple[str, str, str, str]]:
    """(path, language, role, feature) for every generated file: 45 % TS, 35 % TSX, 20 %
    Python."""
    n_tsx = round(files * 0.35)
    n_py = round(files * 0.20)
    n_ts = files - n_tsx - n_py - len(FIXED)
    feats = list(FEATURES)
    out: list[tuple[str, str, str, str]] = []
    used: set[str] = set()

    def add(path: str, lang: str, role: str, feature: str) -> bool:
        if path in used or path in FIXED:
            return False
        used.add(path)
        out.append((path, lang, role, feature))
        return True

    # TSX: pages and their small companions, feature components, ui primitives.
    tsx: list[tuple[str, str, str]] = []
    for feature in feats:
        for table in FEATURES[feature]:
            for page in PAGES:
                base = "/".join(x for x in ("app", feature, kebab(table), page) if x)
                tsx.append((f"{base}/page.tsx", "page", feature))
        for extra in ("layout", "loading", "error"):
            tsx.append((f"app/{feature}/{extra}.tsx", "ui", feature))
    rng.shuffle(tsx)
    pages = tsx[: round(n_tsx * 0.35)]
    for path, role, feature in pages:
        add(path, "tsx", role, feature)
    for name in UI:
        add(f"components/ui/{name}.tsx", "tsx", "ui", "accounts")
    while sum(1 for x in out if x[1] == "tsx") < n_tsx:
        feature = rng.choice(feats)
        table = rng.choice(FEATURES[feature])
        name = pascal(singular(table)) + rng.choice(COMPONENT_SUFFIXES)
        add(f"components/{feature}/{name}.tsx", "tsx", "component", feature)
    # TS: actions next to pages, route handlers, lib modules.
    page_dirs = [p.rsplit("/", 1)[0] for p, lang, role, _ in out if role == "page"]
    ts_plan: list[tuple[str, str, str]] = []
    for d in page_dirs[: round(n_ts * 0.18)]:
        ts_plan.append((f"{d}/actions.ts", "action", d.split("/")[1]))
    for feature in feats:
        for table in FEATURES[feature]:
            ts_plan.append((f"app/api/{feature}/{kebab(table)}/route.ts", "route", feature))
            ts_plan.append((f"app/api/{feature}/{kebab(table)}/[id]/route.ts", "route", feature))
    for feature in feats:
        ts_plan.append((f"lib/db/{feature}.ts", "db", feature))
        for kind in LIB_KINDS:
            role = {"validators": "types", "format": "utils", "constants": "utils"}.get(kind, kind)
            ts_plan.append((f"lib/{feature}/{kind}.ts", role, feature))
        ts_plan.append((f"lib/{feature}/index.ts", "index", feature))
        for table in FEATURES[feature]:
            for kind in ("queries", "types", "utils"):
                ts_plan.append((f"lib/{feature}/{kebab(table)}/{kind}.ts", kind, feature))
    actions = [x for x in ts_plan if x[1] == "action"]
    rest = [x for x in ts_plan if x[1] != "action"]
    rng.shuffle(rest)
    for path, role, feature in actions + rest:
        if sum(1 for x in out if x[1] == "ts") >= n_ts:
            break
        add(path, "ts", role, feature)
    while sum(1 for x in out if x[1] == "ts") < n_ts:
        feature = rng.choice(feats)
        table = rng.choice(FEATURES[feature])
        kind = rng.choice(("queries", "utils", "types", "hooks", "mappers", "selectors"))
        role = {"mappers": "utils", "selectors": "queries"}.get(kind, kind)
        add(f"lib/{feature}/{kebab(table)}/{kind}-{rng.randrange(100)}.ts", "ts", role, feature)
    # Python: a worker package per feature.
    while sum(1 for x in out if x[1] == "py") < n_py - 1:
        feature = rng.choice(feats)
        pkg = f"worker/{feature}"
        if add(f"{pkg}/__init__.py", "py", "init", feature):
            continue
        kind = rng.choices(("models", "repository", "service", "jobs", "utils"), (3, 3, 2, 3, 2))[0]
        table = rng.choice(FEATURES[feature])
        role = {
            "models": "py_models",
            "service": "py_service",
            "jobs": "py_job",
            "utils": "py_utils",
        }.get(kind, kind)
        add(f"{pkg}/{kind}/{table}.py", "py", role, feature)
    add("worker/__init__.py", "py", "init", "accounts")
    return out


def sizes(rng: random.Random, roles: list[str], lines: int) -> list[int]:
    """A line budget per file: log-normal around each role's median, about 1 % of files
    long (1,500-3,500 lines), tiny index files; scaled so the budgets add up to `lines`."""
    raw = []
    long_ = []
    for role in roles:
        if role in ("index", "init"):
            raw.append(float(rng.randint(1, 12)))
            long_.append(False)
        elif rng.random() < 0.011 and role not in ("ui", "page"):
            raw.append(float(rng.randint(1500, 3500)))
            long_.append(True)
        else:
            raw.append(ROLE_MEDIAN[role] * math.exp(rng.gauss(0, 0.75)))
            long_.append(False)
    fixed = sum(
        r
        for r, big, role in zip(raw, long_, roles, strict=True)
        if big or role in ("index", "init")
    )
    scale = max(0.05, (lines - fixed) / max(1.0, sum(raw) - fixed))
    out = []
    for r, big, role in zip(raw, long_, roles, strict=True):
        out.append(int(r) if big or role in ("index", "init") else max(8, int(r * scale)))
    return out


def tiny(rng: random.Random, lang: str, feature: str, budget: int) -> str:
    if lang == "py":
        if budget < 3:
            return ""
        return f'"""{pascal(feature)} jobs."""\n'
    out = []
    for kind in LIB_KINDS[: max(1, min(len(LIB_KINDS), budget))]:
        out.append(f"export * from './{kind}';")
    return "\n".join(out) + "\n"


BREAKS = {
    "ts": ["export function unfinished(input: string {", "  const value = input.split(','", ""],
    "tsx": [
        "export function Broken() {",
        "  return (",
        '    <div className="x">',
        "      <span>{",
        "",
    ],
    "py": ["def unfinished(value:", '    return value.split(","', ""],
}


def extract(
    path: str, text: str, sites: list[tuple[str, int, int, str]], decoys: list[tuple[str, int]]
) -> str:
    """`text` without its markers; the call sites (path, first line, last line, via) and
    decoy lines (path, line) they marked appended to `sites` and `decoys`."""
    if "\x00" not in text:
        return text
    lines = text.split("\n")
    start: tuple[int, str] | None = None
    for number, line in enumerate(lines, 1):
        for m in MARKER.finditer(line):
            if m.group(1):
                start = (number, m.group(1))
            elif m.group(0) == END and start is not None:
                sites.append((path, start[0], number, start[1]))
                start = None
            elif m.group(0) == DECOY:
                decoys.append((path, number))
        if "\x00" in line:
            lines[number - 1] = MARKER.sub("", line)
    return "\n".join(lines)


def write_codebase(
    root: Path, files: int = 5000, lines: int = 500_000, seed: int = 14
) -> dict[str, object]:
    """Write the code base under `root` (which should be empty); return what it holds:
    files and lines per language, the database calls planted (by kind), the SQL texts (all
    distinct), decoys, the files with syntax errors, and where each call is
    (`call_sites`: path, first and last line, via) and each decoy (`decoy_lines`)."""
    gen = Generator(seed)
    rng = random.Random(seed + 1)
    layout = plan(rng, files)
    budgets = sizes(
        rng, [role for _, _, role, _ in layout], lines - sum(t.count("\n") for t in FIXED.values())
    )
    broken_at = set(rng.sample(range(len(layout)), max(1, files // 1000)))
    sites: list[tuple[str, int, int, str]] = []
    decoys: list[tuple[str, int]] = []
    per_lang: Counter[str] = Counter()
    per_lang_lines: Counter[str] = Counter()
    total_lines = 0
    calls_in_broken = 0
    broken: list[str] = []
    long_files = 0
    planned_left = sum(budgets)
    for path, text in FIXED.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        lang = Path(path).suffix[1:]
        per_lang[lang] += 1
        per_lang_lines[lang] += text.count("\n")
        total_lines += text.count("\n")
    target_left = lines - total_lines
    for i, ((path, lang, role, feature), budget) in enumerate(zip(layout, budgets, strict=True)):
        # Budgets are rescaled as files are written so that block overshoot does not add up.
        scaled = max(1, round(budget * target_left / planned_left)) if planned_left > 0 else budget
        planned_left -= budget
        if role in ("index", "init"):
            text = tiny(rng, lang, feature, budget)
            calls = 0
        else:
            f = File(path, lang, role, feature, scaled)
            text = gen.render(f)
            calls = f.calls
            if i in broken_at:
                parts = text.split("\n\n")
                cut = max(1, len(parts) * 3 // 5)
                parts.insert(cut, "\n".join(BREAKS[lang]))
                text = "\n\n".join(parts)
                calls_in_broken += calls
                broken.append(path)
        text = extract(path, text, sites, decoys)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        n = text.count("\n")
        if n >= 1500:
            long_files += 1
        per_lang[lang] += 1
        per_lang_lines[lang] += n
        total_lines += n
        target_left -= n
    calls = sum(gen.kinds.values())
    return {
        "files": sum(per_lang.values()),
        "files_by_language": dict(sorted(per_lang.items())),
        "lines": total_lines,
        "lines_by_language": dict(sorted(per_lang_lines.items())),
        "db_calls": calls,
        "db_calls_by_kind": dict(sorted(gen.kinds.items())),
        "lines_per_call": round(total_lines / max(1, calls), 1),
        "sql_texts": len(gen.sql_seen),
        "tables": len(gen.tables),
        "decoys": gen.decoys,
        "typed_sql_templates": gen.typed_sql,
        "long_files": long_files,
        "syntax_error_files": sorted(broken),
        "calls_in_syntax_error_files": calls_in_broken,
        "call_sites": sites,
        "decoy_lines": decoys,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    if args.root.exists() and any(args.root.iterdir()):
        raise SystemExit(f"{args.root} is not empty")
    stats = write_codebase(args.root, args.files, args.lines, args.seed)
    stats["call_sites"] = len(stats["call_sites"])  # type: ignore[arg-type]
    stats["decoy_lines"] = len(stats["decoy_lines"])  # type: ignore[arg-type]
    json.dump(stats, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
