"""`schemaverify diff`: two real databases (and snapshots of them) with known differences,
reported in check's finding vocabulary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.errors import UsageError
from schemaverify.pipeline.envdiff import parse_source
from schemaverify.sources.live import SourceOptions

ROLES = """
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
"""

BASE = (
    ROLES
    + """
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  total numeric(10,2) NOT NULL,
  status text NOT NULL DEFAULT 'new',
  note text
);
CREATE INDEX {prefix}orders_customer ON orders (customer_id, status DESC);
CREATE INDEX {prefix}orders_open ON orders (status) WHERE status <> 'done';
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_read ON orders FOR SELECT TO authenticated USING (true);
CREATE TABLE unchanged (id int PRIMARY KEY, tags text[] NOT NULL DEFAULT '{{}}');
CREATE INDEX {prefix}unchanged_tags ON unchanged USING gin (tags);
"""
)

CHANGES = """
ALTER TABLE customers DROP COLUMN name;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
DROP INDEX orders_open;
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey,
  ADD FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT;
ALTER TABLE orders DISABLE ROW LEVEL SECURITY;
CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz NOT NULL);
"""

EXPECTED = {
    (
        "public.audit_log",
        "table_undocumented",
        None,
        "info",
        None,
        "public.audit_log",
        "table public.audit_log (2 columns) exists only in --to",
    ),
    (
        "public.customers",
        "column_missing",
        "name",
        "error",
        "text",
        None,
        "column name (text) exists in --from but not in --to",
    ),
    (
        "public.orders",
        "column_type_mismatch",
        "total",
        "error",
        "numeric(10,2)",
        "numeric(12,2)",
        "column total is numeric(12,2) in --to, numeric(10,2) in --from",
    ),
    (
        "public.orders",
        "index_missing",
        "btree (status) WHERE status <> 'done'",
        "warning",
        "btree (status) WHERE status <> 'done'",
        None,
        "index btree (status) WHERE status <> 'done' exists in --from but not in --to",
    ),
    (
        "public.orders",
        "fk_mismatch",
        "customer_id",
        "error",
        "(customer_id) -> public.customers(id) ON DELETE CASCADE ON UPDATE NO ACTION",
        "(customer_id) -> public.customers(id) ON DELETE RESTRICT ON UPDATE NO ACTION",
        "foreign key on (customer_id): ON DELETE RESTRICT in --to, ON DELETE CASCADE in --from",
    ),
    (
        "public.orders",
        "rls_disabled",
        None,
        "error",
        "enabled",
        "disabled",
        "row-level security is disabled in --to, enabled in --from",
    ),
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def pair(pg_server: Any) -> Iterator[tuple[Any, Any]]:
    """Two fresh databases: --from and --to."""
    made = [pg_server.create_database(), pg_server.create_database()]
    try:
        yield made[0], made[1]
    finally:
        for database in made:
            pg_server.drop_database(database.name)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _rows(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {
        (
            f["table"],
            f["kind"],
            f["object"],
            f["severity"],
            _hashable(f["expected"]),
            _hashable(f["actual"]),
            f["message"],
        )
        for f in report["findings"]
    }


def _diff(*args: str, code: int = 1) -> dict[str, Any]:
    result = invoke("diff", *args, "--format", "json")
    assert result.exit_code == code, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_diff_between_two_databases_reports_each_difference(pair: Any) -> None:
    before, after = pair
    before.run(BASE.format(prefix=""))
    # Other index names on --to: indexes are compared by structure, never by name.
    after.run(
        BASE.format(prefix="x_")
        + CHANGES.replace("DROP INDEX orders_open", "DROP INDEX x_orders_open")
    )
    report = _diff("--from", before.dsn, "--to", after.dsn)
    assert _rows(report) == EXPECTED
    assert all(f["spec"] is None and f["location"] is None for f in report["findings"])
    assert report["specs"] is None
    assert report["source"]["kind"] == "diff"
    assert report["source"]["from"]["dbname"] == before.name
    assert report["source"]["to"]["dbname"] == after.name
    assert report["summary"]["failed"] is True


def test_identical_schemas_have_no_differences(pair: Any) -> None:
    before, after = pair
    before.run(BASE.format(prefix=""))
    after.run(BASE.format(prefix="renamed_"))
    report = _diff("--from", before.dsn, "--to", after.dsn, code=0)
    assert report["findings"] == []
    assert report["summary"]["tables_checked"] == 3


def test_diff_with_a_snapshot_on_one_side(pair: Any, tmp_path: Path) -> None:
    before, after = pair
    before.run(BASE.format(prefix=""))
    after.run(BASE.format(prefix="") + CHANGES)
    path = tmp_path / "prod.json"
    assert invoke("snapshot", "--dsn", before.dsn, "-o", str(path)).exit_code == 0
    report = _diff("--from", f"snapshot:{path}", "--to", after.dsn)
    assert _rows(report) == EXPECTED
    assert report["source"]["from"]["kind"] == "snapshot"
    # Auto-detected by its *.json name, on the --to side: the differences reverse.
    backwards = _diff("--from", after.dsn, "--to", str(path))
    assert {(f["table"], f["kind"], f["object"]) for f in backwards["findings"]} == {
        ("public.audit_log", "table_missing", None),
        ("public.customers", "column_undocumented", "name"),
        ("public.orders", "column_type_mismatch", "total"),
        ("public.orders", "index_mismatch", "btree (status) WHERE status <> 'done'"),
        ("public.orders", "fk_mismatch", "customer_id"),
        ("public.orders", "rls_disabled", None),
    }


ONLY_IN_TO = """
ALTER TABLE customers ADD COLUMN phone text;
ALTER TABLE customers ALTER COLUMN email SET DEFAULT 'x@example.com';
CREATE INDEX orders_note ON orders (note);
ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE (note);
CREATE INDEX orders_phone ON customers (phone);
ALTER TABLE orders ADD COLUMN parent uuid REFERENCES orders (id) ON DELETE SET NULL;
CREATE POLICY orders_anon ON orders FOR SELECT TO anon USING (status = 'public');
ALTER TABLE unchanged ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
ALTER TABLE loose ADD PRIMARY KEY (id);
CREATE VIEW open_orders AS SELECT id FROM orders WHERE status <> 'done';
"""


def test_objects_only_in_to_are_reported_too(pair: Any) -> None:
    before, after = pair
    loose = "CREATE TABLE loose (id int NOT NULL);"
    before.run(BASE.format(prefix="") + loose)
    after.run(BASE.format(prefix="") + loose + ONLY_IN_TO)
    report = _diff("--from", before.dsn, "--to", after.dsn, "--fail-on", "warning")
    rows = {(f[0], f[1], f[2], f[4], f[5]) for f in _rows(report)}
    anon = "PERMISSIVE FOR SELECT TO anon USING (status = 'public')"
    assert rows == {
        ("public.customers", "column_undocumented", "phone", None, "text"),
        ("public.customers", "column_default_mismatch", "email", None, "'x@example.com'"),
        ("public.customers", "index_mismatch", "btree (phone)", None, "btree (phone)"),
        ("public.loose", "primary_key_mismatch", "id", None, ("id",)),
        ("public.open_orders", "table_undocumented", None, None, "public.open_orders"),
        ("public.orders", "column_undocumented", "parent", None, "uuid"),
        ("public.orders", "index_mismatch", "btree (note)", None, "btree (note)"),
        ("public.orders", "index_mismatch", "unique btree (note)", None, "unique btree (note)"),
        (
            "public.orders",
            "fk_mismatch",
            "parent",
            None,
            "(parent) -> public.orders(id) ON DELETE SET NULL ON UPDATE NO ACTION",
        ),
        ("public.orders", "rls_disabled", "force", "not forced", "forced"),
        ("public.orders", "rls_policy_missing", "orders_anon", None, anon),
        ("public.unchanged", "rls_disabled", None, "disabled", "enabled"),
    }
    by_key = {(f["table"], f["kind"], f["object"]): f for f in report["findings"]}
    # An index or FK on a column only --to has follows from that column.
    assert by_key["public.customers", "index_mismatch", "btree (phone)"]["caused_by"] == (
        "public.customers|column_undocumented|phone"
    )
    assert by_key["public.orders", "fk_mismatch", "parent"]["caused_by"] == (
        "public.orders|column_undocumented|parent"
    )
    messages = {f["message"] for f in report["findings"]}
    assert "index btree (note) exists only in --to" in messages
    assert f"policy 'orders_anon' exists only in --to: {anon}" in messages
    assert "view public.open_orders (1 columns) exists only in --to" in messages
    assert "column email defaults to 'x@example.com' in --to, nothing in --from" in messages


def test_fail_on_and_other_formats(pair: Any, tmp_path: Path) -> None:
    before, after = pair
    before.run(BASE.format(prefix=""))
    after.run(BASE.format(prefix="") + "CREATE TABLE extra (id int);")
    # Only an info finding: passes at the default --fail-on error, fails at info.
    assert invoke("diff", "--from", before.dsn, "--to", after.dsn).exit_code == 0
    out = tmp_path / "diff.sarif"
    result = invoke(
        "diff", "--from", before.dsn, "--to", after.dsn, "--fail-on", "info",
        "--output", f"sarif={out}",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "FAIL at --fail-on" in result.stdout
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [
        "table public.extra (1 columns) exists only in --to"
    ]


def test_diff_with_migrations_on_one_side(db: Any) -> None:
    folder = Path(__file__).parent / "fixtures" / "migrations" / "clean"
    db.run(
        """
        CREATE TABLE projects (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,
          note text DEFAULT 'a; b', created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE tasks (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
          title text NOT NULL
        );
        """
    )
    report = _diff("--from", f"migrations:{folder}", "--to", db.dsn)
    assert {(f["table"], f["kind"], f["object"]) for f in report["findings"]} == {
        ("public.tasks", "column_missing", "done;flag"),
        ("public.tasks", "index_missing", "btree (project_id)"),
    }
    assert report["source"]["from"]["kind"] == "migrations"


def test_source_detection(tmp_path: Path) -> None:
    (tmp_path / "migs").mkdir()
    (tmp_path / "live.json").write_text("{}")
    (tmp_path / "one.sql").write_text("")
    cases = {
        "postgresql://u:p@db/app": ("dsn", "postgresql://u:p@db/app"),
        "POSTGRES://db/app": ("dsn", "POSTGRES://db/app"),
        "host=db dbname=app": ("dsn", "host=db dbname=app"),
        f"dsn:{tmp_path}": ("dsn", str(tmp_path)),
        str(tmp_path / "migs"): ("migrations", str(tmp_path / "migs")),
        str(tmp_path / "one.sql"): ("migrations", str(tmp_path / "one.sql")),
        "supabase/migrations/*.sql": ("migrations", "supabase/migrations/*.sql"),
        f"migrations:{tmp_path / 'live.json'}": ("migrations", str(tmp_path / "live.json")),
        str(tmp_path / "live.json"): ("snapshot", str(tmp_path / "live.json")),
        "prod.json": ("snapshot", "prod.json"),
        "snapshot: prod": ("snapshot", "prod"),
    }
    for text, (kind, value) in cases.items():
        opts = parse_source(text, "--from", SourceOptions(preset="supabase"))
        assert getattr(opts, kind) == value, text
        assert [k for k in ("dsn", "snapshot", "migrations") if getattr(opts, k)] == [kind]
        assert opts.preset == ("supabase" if kind == "migrations" else None)
    for bad in ("", "production", "snapshot:", str(tmp_path / "absent")):
        with pytest.raises(UsageError):
            parse_source(bad, "--to")


def test_bad_sides_exit_2_without_a_traceback(tmp_path: Path) -> None:
    result = invoke("diff", "--from", "production", "--to", "prod.json")
    assert result.exit_code == 2
    assert "--from production: not a DSN" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "schemaverify-snapshot",\n "schema_version": 9}')
    result = invoke("diff", "--from", str(bad), "--to", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:2: schema_version: unsupported")
    result = invoke("diff", "--from", "app:hunter2@db/app", "--to", "prod.json")
    assert result.exit_code == 2
    assert "--from (hidden): not a DSN" in result.stderr
    assert "hunter2" not in result.output


def test_severity_overrides_of_the_configuration_reach_diff(
    pair: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pipeline for every source of findings: `diff` applies the file's overrides."""
    before, after = pair
    after.run("CREATE TABLE only_in_to (id int)")
    monkeypatch.chdir(tmp_path)
    plain = invoke("diff", "--from", before.dsn, "--to", after.dsn, "--format", "json")
    assert plain.exit_code == 0, plain.output  # table_undocumented is info
    (tmp_path / "schemaverify.toml").write_text('[severity]\ntable_undocumented = "error"\n')
    strict = invoke("diff", "--from", before.dsn, "--to", after.dsn, "--format", "json")
    assert strict.exit_code == 1, strict.output
    (finding,) = json.loads(strict.stdout)["findings"]
    assert finding["kind"] == "table_undocumented" and finding["severity"] == "error"


CHECKS_FROM = """
CREATE TABLE items (id int PRIMARY KEY, qty int, status text, code text);
ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0);
ALTER TABLE items ADD CONSTRAINT status_values CHECK (status IN ('a', 'b'));
ALTER TABLE items ADD CONSTRAINT code_length CHECK (length(code) = 3);
ALTER TABLE items ADD CONSTRAINT same_everywhere CHECK (id >= 0);
"""

CHECKS_TO = """
CREATE TABLE items (id int PRIMARY KEY, qty int, status text, code text);
ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty >= 0);
ALTER TABLE items ADD CONSTRAINT status_values CHECK (status IN ('a', 'b')) NOT VALID;
ALTER TABLE items ADD CONSTRAINT same_everywhere CHECK ((id >= 0));
ALTER TABLE items ADD CONSTRAINT code_upper CHECK (code = upper(code));
"""


def test_check_constraints_between_environments(pair: Any) -> None:
    before, after = pair
    before.run(CHECKS_FROM)
    after.run(CHECKS_TO)
    result = invoke("diff", "--from", before.dsn, "--to", after.dsn, "--format", "json")
    assert result.exit_code == 1, result.output
    found = {
        f["object"]: (f["kind"], f["severity"], f["message"])
        for f in json.loads(result.stdout)["findings"]
    }
    assert found == {
        "qty_positive": (
            "check_mismatch",
            "error",
            "check constraint qty_positive differs: CHECK (qty >= 0) in --to, "
            "CHECK (qty > 0) in --from",
        ),
        "status_values": (
            "check_mismatch",
            "error",
            "check constraint status_values differs: CHECK (status = ANY (ARRAY['a'::text, "
            "'b'::text])) NOT VALID in --to, CHECK (status = ANY (ARRAY['a'::text, "
            "'b'::text])) in --from",
        ),
        "code_length": (
            "check_missing",
            "error",
            "check constraint code_length (CHECK (length(code) = 3)) exists in --from but not "
            "in --to",
        ),
        "code_upper": (
            "check_mismatch",
            "error",
            "check constraint code_upper (CHECK (code = upper(code))) exists only in --to",
        ),
    }
