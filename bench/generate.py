"""Generate the uniform benchmark schema and matching specs.

Every table has the same shape and the same policy texts, so an expression cache answers
almost every lookup; bench/realistic.py builds the realistic scenario, where each table's
policies, partial-index predicate, CHECK lists and comments are its own.

Each table has ten columns of mixed types, a composite DESC index, a partial
index, a GIN index, a foreign key and RLS with two policies, so every catalog
query of the reader has real rows to return.  Table `tNNNNN` references the
table before it (`t00000` references itself): every table has one outgoing and
at most one incoming foreign key, as in a real schema.  (A single parent
referenced by every table would collect two triggers per table, and PostgreSQL
rebuilds that parent's trigger list on each new one: loading would be
quadratic.)

The SQL comes in batches of `BATCH` tables, each meant to run as one
transaction: one transaction for everything would need a lock per table and
index, beyond the default `max_locks_per_transaction`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

BATCH = 500

ROLES_SQL = """
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE service_role NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $f$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
"""


def name(i: int) -> str:
    return f"t{i:05d}"


def parent(i: int) -> str:
    return name(max(i - 1, 0))


def table_sql(schema: str, i: int) -> str:
    table = name(i)
    q = f'"{schema}".{table}'
    return f"""
CREATE TABLE {q} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id uuid NOT NULL REFERENCES "{schema}".{parent(i)} (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  amount numeric(12,2) NOT NULL,
  quantity integer,
  tags text[],
  payload jsonb NOT NULL DEFAULT '{{}}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX {table}_parent_created ON {q} (parent_id, created_at DESC);
CREATE INDEX {table}_pending ON {q} (status) WHERE status = 'pending';
CREATE INDEX {table}_payload ON {q} USING gin (payload);
ALTER TABLE {q} ENABLE ROW LEVEL SECURITY;
CREATE POLICY {table}_own ON {q} FOR ALL TO authenticated USING ((select auth.uid()) = user_id);
CREATE POLICY {table}_svc ON {q} FOR ALL TO service_role USING (true);
"""


def schema_batches(schemas: list[str], tables: int) -> Iterator[str]:
    """`tables` tables in each of `schemas`, as SQL scripts of about BATCH tables each."""
    parts: list[str] = []
    count = 0
    for schema in schemas:
        if schema != "public":
            parts.append(f'CREATE SCHEMA "{schema}";')
        for i in range(tables):
            parts.append(table_sql(schema, i))
            count += 1
            if count % BATCH == 0:
                yield "\n".join(parts)
                parts = []
    if parts:
        yield "\n".join(parts)


def spec_yaml(i: int) -> str:
    return f"""table: {name(i)}
columns:
  - {{name: id, type: uuid, primary_key: true}}
  - {{name: parent_id, type: uuid}}
  - {{name: user_id, type: uuid}}
  - {{name: status, type: text, default: "'pending'"}}
  - {{name: amount, type: numeric}}
  - {{name: quantity, type: integer, nullable: true}}
  - {{name: tags, type: "text[]", nullable: true}}
  - {{name: payload, type: jsonb}}
  - {{name: created_at, type: timestamptz}}
  - {{name: deleted_at, type: timestamptz, nullable: true}}
indexes:
  - primary_key: true
  - columns: [parent_id, created_at DESC]
  - columns: [status]
    where: status = 'pending'
  - columns: [payload]
    method: gin
foreign_keys:
  - columns: [parent_id]
    references: {{table: {parent(i)}}}
    on_delete: cascade
rls:
  access: [owner]
"""


def write_specs(folder: Path, tables: int) -> None:
    """One spec per table, with no `schema:` key (so they also serve as tenant templates)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(tables):
        (folder / f"{name(i)}.yaml").write_text(spec_yaml(i), encoding="utf-8")
