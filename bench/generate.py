"""Generate a realistic schema and matching specs for benchmarks.

Each table has about ten columns of mixed types, a composite DESC index, a
partial index, a GIN index, a foreign key to a shared parent and RLS with two
policies, so every catalog query of the reader has real rows to return.
"""

from __future__ import annotations

from pathlib import Path

ROLES_SQL = """
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE service_role NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $f$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
"""


def table_sql(schema: str, name: str) -> str:
    q = f'"{schema}".{name}'
    return f"""
CREATE TABLE {q} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id uuid NOT NULL REFERENCES "{schema}".parents (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  amount numeric(12,2) NOT NULL,
  quantity integer,
  tags text[],
  payload jsonb NOT NULL DEFAULT '{{}}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX {name}_parent_created ON {q} (parent_id, created_at DESC);
CREATE INDEX {name}_pending ON {q} (status) WHERE status = 'pending';
CREATE INDEX {name}_payload ON {q} USING gin (payload);
ALTER TABLE {q} ENABLE ROW LEVEL SECURITY;
CREATE POLICY {name}_own ON {q} FOR ALL TO authenticated USING ((select auth.uid()) = user_id);
CREATE POLICY {name}_svc ON {q} FOR ALL TO service_role USING (true);
"""


def schema_sql(schema: str, tables: int) -> str:
    parts = [
        f'CREATE SCHEMA IF NOT EXISTS "{schema}";',
        f'CREATE TABLE "{schema}".parents (id uuid PRIMARY KEY);',
    ]
    parts.extend(table_sql(schema, f"t{i:05d}") for i in range(tables))
    return "\n".join(parts)


def spec_yaml(name: str) -> str:
    return f"""table: {name}
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
    references: {{table: parents}}
    on_delete: cascade
rls:
  access: [owner]
"""


def write_specs(folder: Path, tables: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "parents.yaml").write_text(
        "table: parents\ncolumns:\n  - {name: id, type: uuid, primary_key: true}\n",
        encoding="utf-8",
    )
    for i in range(tables):
        name = f"t{i:05d}"
        (folder / f"{name}.yaml").write_text(spec_yaml(name), encoding="utf-8")
