"""Generate the realistic benchmark schema: every table with its own policy texts.

The uniform scenario (generate.py) gives every table the same policy text, so an
expression cache answers almost every lookup.  Real schemas write each table's policies
against the table itself or its parent, so here every table differs from the others in
what a checker has to parse:

* 11 columns of mixed types, one of them of one of four shared enum types;
* a primary key, a composite DESC index, an index on the parent key, a GIN index and a
  partial index whose predicate holds a per-table literal (three shapes in turn);
* a parent foreign key (`ON DELETE CASCADE`);
* three CHECK constraints: a per-table list of allowed `kind` values and two ranges with
  per-table bounds;
* `COMMENT ON` the table and two or three of its columns;
* row-level security with three or four policies: own row (`user_id = (select
  auth.uid())`), organization membership (an EXISTS naming the table itself), write through
  the parent row (an EXISTS on the parent joined to the memberships, admins only), and on
  every fourth table a service-role policy.

Two shared tables come first, `organizations` and `organization_members`; a database of N
tables holds them and N - 2 generated ones.  Table i references table (i - 1) // 2 (the
first one itself), so each parent has at most two children: loading stays linear (see
generate.py on why one parent for all would not).

Specs: `write_specs(folder, tables)` documents every table (columns with types, defaults,
allowed values and notes; every index; the foreign key; the access kinds the policies
classify as; the table's purpose, compared with `comments: strict`);
`write_specs(folder, tables, only=40)` documents 40 of them spread over the database, the
rest left undocumented (a partly documented database).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BATCH = 250
"""Tables per transaction: each takes about ten locks (table, indexes, TOAST, parent)."""

SHARED = 2
"""`organizations` and `organization_members`."""

WORDS = (
    "invoices",
    "projects",
    "tasks",
    "documents",
    "comments",
    "orders",
    "shipments",
    "tickets",
    "events",
    "assets",
    "contracts",
    "campaigns",
)

ENUMS: dict[str, tuple[str, ...]] = {
    "record_status": ("draft", "active", "archived", "deleted"),
    "priority_level": ("low", "normal", "high", "urgent"),
    "visibility_level": ("private", "team", "organization", "public"),
    "lifecycle_stage": ("new", "in_progress", "review", "done", "cancelled"),
}
_ENUM_NAMES = tuple(ENUMS)

KINDS = (
    "email",
    "sms",
    "push",
    "webhook",
    "manual",
    "import",
    "api",
    "scheduled",
    "recurring",
    "one_off",
    "internal",
    "external",
    "trial",
    "paid",
    "refund",
    "credit",
    "debit",
    "transfer",
    "review",
    "approval",
    "escalation",
    "reminder",
    "digest",
    "alert",
)

SETUP_SQL = """
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE service_role NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $f$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
{enums}
CREATE TABLE public.organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE public.organizations IS 'Customer organizations';
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
CREATE TABLE public.organization_members (
  organization_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  role text NOT NULL DEFAULT 'member'
    CONSTRAINT organization_members_role_check CHECK (role IN ('member', 'admin', 'owner')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
COMMENT ON TABLE public.organization_members IS 'Who belongs to which organization';
CREATE INDEX organization_members_user ON public.organization_members (user_id);
ALTER TABLE public.organization_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members read own memberships" ON public.organization_members
  FOR SELECT TO authenticated USING (user_id = (select auth.uid()));
CREATE POLICY "Members read their organizations" ON public.organizations
  FOR SELECT TO authenticated USING (EXISTS (
    SELECT 1 FROM public.organization_members m
    WHERE m.organization_id = organizations.id AND m.user_id = (select auth.uid())));
""".format(
    enums="\n".join(
        f"CREATE TYPE public.{name} AS ENUM ({', '.join(repr(v) for v in values)});"
        for name, values in ENUMS.items()
    )
)

SHARED_SPECS = {
    "organizations": """table: organizations
purpose: Customer organizations
comments: strict
columns:
  - {name: id, type: uuid, primary_key: true, default: gen_random_uuid()}
  - {name: name, type: text}
  - {name: created_at, type: timestamptz, default: now()}
indexes:
  - primary_key: true
rls:
  access: [organization]
""",
    "organization_members": """table: organization_members
purpose: Who belongs to which organization
comments: strict
primary_key: [organization_id, user_id]
columns:
  - {name: organization_id, type: uuid, references: organizations.id}
  - {name: user_id, type: uuid}
  - {name: role, type: text, default: "'member'", values: [member, admin, owner]}
  - {name: created_at, type: timestamptz, default: now()}
indexes:
  - primary_key: true
  - columns: [user_id]
rls:
  access: [owner]
""",
}


def name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}_{i:05d}"


def parent(i: int) -> str:
    return name(max(i - 1, 0) // 2)


@dataclass(frozen=True)
class Facts:
    """What table i holds that differs from table to table."""

    enum: str
    values: tuple[str, ...]
    """The enum's labels; the first is the default of `status`."""
    kinds: list[str]
    """The allowed values of `kind` (a CHECK ... IN list)."""
    where: str
    """The partial index's predicate."""
    partial_columns: list[str]
    purpose: str
    status_note: str
    kind_note: str
    amount_note: str | None
    max_amount: int
    max_quantity: int
    service: bool
    """A service-role policy too."""


def facts(i: int) -> Facts:
    rng = random.Random(i)
    enum = _ENUM_NAMES[i % len(_ENUM_NAMES)]
    values = ENUMS[enum]
    kinds = sorted(rng.sample(KINDS, rng.randint(3, 6)))
    shape = i % 3
    if shape == 0:
        where = f"deleted_at IS NULL AND amount >= {100 + i}"
        columns = ["user_id"]
    elif shape == 1:
        where = f"status = '{values[1]}' AND quantity > {i}"
        columns = ["organization_id", "quantity"]
    else:
        where = f"kind = '{kinds[0]}' AND created_at IS NOT NULL AND amount < {1000 + 7 * i}"
        columns = ["created_at"]
    word = WORDS[i % len(WORDS)]
    return Facts(
        enum=enum,
        values=values,
        kinds=kinds,
        where=where,
        partial_columns=columns,
        purpose=f"{word.capitalize()} of business unit {i}, kept per organization",
        status_note=f"Lifecycle of the {word[:-1]} ({enum})",
        kind_note=f"How the {word[:-1]} came in; {len(kinds)} kinds allowed",
        amount_note=f"Amount in EUR, at most {1_000_000 + i}" if i % 2 == 0 else None,
        max_amount=1_000_000 + i,
        max_quantity=1000 + i % 9000,
        service=i % 4 == 0,
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_sql(i: int) -> str:
    f = facts(i)
    t = name(i)
    q = f"public.{t}"
    kinds = ", ".join(_quote(k) for k in f.kinds)
    values = f.values
    partial = ", ".join(f.partial_columns)
    sql = f"""
CREATE TABLE {q} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id uuid NOT NULL REFERENCES public.{parent(i)} (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL,
  user_id uuid NOT NULL,
  status public.{f.enum} NOT NULL DEFAULT '{values[0]}',
  kind text NOT NULL CONSTRAINT {t}_kind_check CHECK (kind IN ({kinds})),
  amount numeric(12,2) NOT NULL
    CONSTRAINT {t}_amount_check CHECK (amount >= 0 AND amount <= {f.max_amount}),
  quantity integer CONSTRAINT {t}_quantity_check CHECK (quantity BETWEEN 0 AND {f.max_quantity}),
  payload jsonb NOT NULL DEFAULT '{{}}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX {t}_org_created ON {q} (organization_id, created_at DESC);
CREATE INDEX {t}_parent ON {q} (parent_id);
CREATE INDEX {t}_open ON {q} ({partial}) WHERE {f.where};
CREATE INDEX {t}_payload ON {q} USING gin (payload);
COMMENT ON TABLE {q} IS {_quote(f.purpose)};
COMMENT ON COLUMN {q}.status IS {_quote(f.status_note)};
COMMENT ON COLUMN {q}.kind IS {_quote(f.kind_note)};
ALTER TABLE {q} ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users manage own rows" ON {q} FOR ALL TO authenticated
  USING (user_id = (select auth.uid())) WITH CHECK (user_id = (select auth.uid()));
CREATE POLICY "Members read" ON {q} FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.organization_members m
    WHERE m.organization_id = {t}.organization_id AND m.user_id = (select auth.uid())));
CREATE POLICY "Admins update through the parent" ON {q} FOR UPDATE TO authenticated
  USING (EXISTS (SELECT 1 FROM public.{parent(i)} p
    WHERE p.id = {t}.parent_id AND p.organization_id IN (
      SELECT organization_id FROM public.organization_members
      WHERE user_id = (select auth.uid()) AND role IN ('admin', 'owner'))));
"""
    if f.amount_note:
        sql += f"COMMENT ON COLUMN {q}.amount IS {_quote(f.amount_note)};\n"
    if f.service:
        sql += f'CREATE POLICY "Backend" ON {q} FOR ALL TO service_role USING (true);\n'
    return sql


def batches(tables: int) -> Iterator[str]:
    """The whole schema of `tables` tables (the shared ones included), as SQL scripts of
    about BATCH tables each; the first also creates the roles, types and shared tables."""
    parts = [SETUP_SQL]
    for i in range(max(tables - SHARED, 0)):
        parts.append(table_sql(i))
        if (i + 1) % BATCH == 0:
            yield "\n".join(parts)
            parts = []
    if parts:
        yield "\n".join(parts)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def spec_yaml(i: int) -> str:
    f = facts(i)
    values, kinds, partial = f.values, f.kinds, f.partial_columns
    note = f", note: {_quote(f.amount_note)}" if f.amount_note else ""
    return f"""table: {name(i)}
purpose: {_quote(f.purpose)}
comments: strict
columns:
  - {{name: id, type: uuid, primary_key: true, default: gen_random_uuid()}}
  - {{name: parent_id, type: uuid}}
  - {{name: organization_id, type: uuid}}
  - {{name: user_id, type: uuid}}
  - name: status
    type: {f.enum}
    default: "'{values[0]}'"
    values: {_flow(list(values))}
    note: {_quote(f.status_note)}
  - name: kind
    type: text
    values: {_flow(kinds)}
    note: {_quote(f.kind_note)}
  - {{name: amount, type: "numeric(12,2)"{note}}}
  - {{name: quantity, type: integer, nullable: true}}
  - {{name: payload, type: jsonb, default: "'{{}}'::jsonb"}}
  - {{name: created_at, type: timestamptz, default: now()}}
  - {{name: deleted_at, type: timestamptz, nullable: true}}
indexes:
  - primary_key: true
  - columns: [organization_id, created_at DESC]
  - columns: [parent_id]
  - columns: {_flow(partial)}
    where: "{f.where}"
  - columns: [payload]
    method: gin
foreign_keys:
  - columns: [parent_id]
    references: {{table: {parent(i)}}}
    on_delete: cascade
rls:
  access: [owner, organization, admin]
"""


def write_specs(folder: Path, tables: int, only: int | None = None) -> int:
    """Specs for the database of `tables` tables: every table, or `only` of them spread
    evenly over it (the shared tables among them).  Returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    generated = max(tables - SHARED, 0)
    if only is None or only >= tables:
        chosen = list(range(generated))
        shared = list(SHARED_SPECS)
    else:
        shared = list(SHARED_SPECS)[: max(only, 0)]
        wanted = max(only - len(shared), 0)
        step = generated / wanted if wanted else 0
        chosen = sorted({int(k * step) for k in range(wanted)})
    for table in shared:
        (folder / f"{table}.yaml").write_text(SHARED_SPECS[table], encoding="utf-8")
    for i in chosen:
        (folder / f"{name(i)}.yaml").write_text(spec_yaml(i), encoding="utf-8")
    return len(shared) + len(chosen)
