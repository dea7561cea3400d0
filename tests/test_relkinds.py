"""Relation kinds handled deliberately, each on a real database (README: "Relation kinds").

* partitioned table (parent): checked like a table, reported when undocumented,
  counted by coverage.  Its partitions are not read at all: they inherit the
  parent's columns, keys and indexes, so documenting every monthly partition
  would be noise.  A spec naming a partition is `table_is_partition`.
* inheritance child (`INHERITS`): an ordinary table, inherited columns included.
* view, materialized view: a spec for one is checked for its columns and
  types (nullability is not, PostgreSQL does not track it for views), and for
  a materialized view its indexes too.  Never `table_undocumented`, never
  counted by coverage.
* foreign table: checked when it has a spec (NOT NULL included), otherwise
  ignored like a view.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pgserver import Server, TestDatabase
from schemaverify.cli import app
from schemaverify.pipeline.check import run_check
from schemaverify.pipeline.report import Report
from schemaverify.sources.live import SourceOptions

DDL = """
CREATE TABLE events (
  id bigint, at date NOT NULL, kind text NOT NULL DEFAULT 'click', PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX events_kind ON events (kind);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_other PARTITION OF events DEFAULT;

CREATE TABLE metrics (region text NOT NULL, at date NOT NULL, v int) PARTITION BY LIST (region);
CREATE TABLE metrics_eu PARTITION OF metrics FOR VALUES IN ('eu') PARTITION BY RANGE (at);
CREATE TABLE metrics_eu_2024 PARTITION OF metrics_eu
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE animals (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE dogs (breed text) INHERITS (animals);
ALTER TABLE dogs ADD PRIMARY KEY (id);

CREATE VIEW recent_events AS SELECT id, at, kind FROM events WHERE at > '2024-06-01';
CREATE MATERIALIZED VIEW event_counts AS SELECT kind, count(*) AS n FROM events GROUP BY kind;
CREATE UNIQUE INDEX event_counts_kind ON event_counts (kind);

CREATE FOREIGN DATA WRAPPER sv_dummy_fdw;
CREATE SERVER sv_dummy_server FOREIGN DATA WRAPPER sv_dummy_fdw;
CREATE FOREIGN TABLE remote_things (id integer NOT NULL, label text) SERVER sv_dummy_server;
"""

SPECS = {
    "events.yaml": """
        table: events
        columns:
          - {name: id, type: bigint}
          - {name: at, type: date}
          - {name: kind, type: text, default: "'click'"}
        primary_key: [id, at]
        indexes:
          - primary_key: true
          - columns: [kind]
    """,
    "animals.yaml": """
        table: animals
        columns:
          - {name: id, type: integer, primary_key: true}
          - {name: name, type: text}
    """,
    "dogs.yaml": """
        table: dogs
        columns:
          - {name: id, type: integer, primary_key: true}
          - {name: name, type: text}
          - {name: breed, type: text, nullable: true}
    """,
    # Views: columns and types; no `nullable: true` needed (PostgreSQL does not know).
    "recent_events.yaml": """
        table: recent_events
        columns:
          - {name: id, type: bigint}
          - {name: at, type: date}
          - {name: kind, type: text}
    """,
    "event_counts.yaml": """
        table: event_counts
        columns:
          - {name: kind, type: text, unique: true}
          - {name: n, type: bigint}
        indexes:
          - columns: [kind]
            unique: true
    """,
    "remote_things.yaml": """
        table: remote_things
        columns:
          - {name: id, type: integer}
          - {name: label, type: text, nullable: true}
    """,
}

TABLES = ["public.animals", "public.dogs", "public.events", "public.metrics"]
"""The live tables: regular, inheritance child and partitioned parents; no partition."""


@pytest.fixture(scope="module")
def template(pg_server: Server) -> Iterator[str]:
    """The DDL, run once per server; each test gets a copy."""
    with pg_server.template(DDL) as name:
        yield name


@pytest.fixture
def db(pg_server: Server, template: str) -> Iterator[TestDatabase]:
    with pg_server.copy(template) as database:
        yield database


@pytest.fixture
def kinds(db: TestDatabase, tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text in SPECS.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def check(specs: Path, db: TestDatabase) -> Report:
    return run_check(specs, SourceOptions(dsn=db.dsn))


def found(report: Report) -> list[tuple[str, str, str | None]]:
    return [(f.table or "", f.kind, f.object) for f in report.findings]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_every_kind_checks_clean(kinds: Path, db: TestDatabase) -> None:
    """Only the undocumented partitioned table is reported: no partition (not even the
    sub-partitioned metrics_eu), no view, materialized view or foreign table."""
    report = check(kinds, db)
    assert found(report) == [("public.metrics", "table_undocumented", None)]
    assert "partitioned table public.metrics (3 columns) has no spec" in (
        report.findings[0].message
    )


def test_undocumented_are_tables_and_partitioned_tables_only(
    kinds: Path, db: TestDatabase, tmp_path: Path
) -> None:
    empty = tmp_path / "none.yaml"
    empty.write_text("table: unrelated\ncolumns:\n  - {name: id, type: integer}\n")
    report = check(empty, db)
    undocumented = sorted(f.table or "" for f in report.findings if f.kind == "table_undocumented")
    assert undocumented == TABLES


def test_coverage_counts_tables_and_knows_view_specs(kinds: Path, db: TestDatabase) -> None:
    result = invoke("coverage", "--dsn", db.dsn, "--specs", str(kinds), "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    coverage = json.loads(result.stdout)
    assert coverage["summary"]["live_tables"] == len(TABLES)
    assert coverage["documented"] == ["public.animals", "public.dogs", "public.events"]
    assert [u["table"] for u in coverage["undocumented"]] == ["public.metrics"]
    assert [u["kind"] for u in coverage["undocumented"]] == ["partitioned table"]
    # A spec for a view, materialized view or foreign table has its relation: not missing.
    assert coverage["specs_without_table"] == []


def test_partitioned_parent_drift_is_reported_once(kinds: Path, db: TestDatabase) -> None:
    """A column added to the parent reaches every partition; only the parent reports it."""
    db.run("ALTER TABLE events ADD COLUMN note text; DROP INDEX events_kind;")
    # The parent and its three partitions have the column.
    assert db.query("SELECT count(*) FROM pg_attribute WHERE attname = 'note'") == [(4,)]
    assert sorted(found(check(kinds, db))) == sorted(
        [
            ("public.events", "column_undocumented", "note"),
            ("public.events", "index_missing", "btree (kind)"),
            ("public.metrics", "table_undocumented", None),
        ]
    )


def test_a_spec_for_a_partition_is_a_missing_table(kinds: Path, db: TestDatabase) -> None:
    """Partitions are not read: document the parent.  The finding says so in its kind."""
    (kinds / "events_2024.yaml").write_text(
        "table: events_2024\ncolumns:\n  - {name: id, type: bigint}\n", encoding="utf-8"
    )
    assert ("public.events_2024", "table_is_partition", None) in found(check(kinds, db))


def test_inheritance_child_is_an_ordinary_table(kinds: Path, db: TestDatabase) -> None:
    """A column added to the parent reaches the child: both report it."""
    db.run("ALTER TABLE animals ADD COLUMN legs int")
    assert sorted(found(check(kinds, db))) == sorted(
        [
            ("public.animals", "column_undocumented", "legs"),
            ("public.dogs", "column_undocumented", "legs"),
            ("public.metrics", "table_undocumented", None),
        ]
    )


def test_view_columns_and_types_are_checked(kinds: Path, db: TestDatabase) -> None:
    db.run(
        "DROP VIEW recent_events;"
        "CREATE VIEW recent_events AS SELECT id, kind::varchar(20) AS kind, 1 AS extra FROM events"
    )
    assert sorted(found(check(kinds, db))) == sorted(
        [
            ("public.recent_events", "column_missing", "at"),
            ("public.recent_events", "column_type_mismatch", "kind"),
            ("public.recent_events", "column_undocumented", "extra"),
            ("public.metrics", "table_undocumented", None),
        ]
    )


def test_view_nullability_is_not_checked_but_stated_keys_are(kinds: Path, db: TestDatabase) -> None:
    """`nullable` either way is accepted on a view; a documented primary key or index
    that a view cannot have is still reported: the spec is wrong about it."""
    spec = kinds / "recent_events.yaml"
    spec.write_text(
        textwrap.dedent(
            """\
            table: recent_events
            columns:
              - {name: id, type: bigint, primary_key: true}
              - {name: at, type: date, nullable: true}
              - {name: kind, type: text, nullable: false}
            """
        ),
        encoding="utf-8",
    )
    assert sorted(found(check(kinds, db))) == sorted(
        [
            ("public.recent_events", "primary_key_mismatch", "id"),
            ("public.metrics", "table_undocumented", None),
        ]
    )


def test_materialized_view_indexes_are_checked(kinds: Path, db: TestDatabase) -> None:
    db.run("DROP INDEX event_counts_kind; CREATE INDEX event_counts_n ON event_counts (n)")
    assert sorted(found(check(kinds, db))) == sorted(
        [
            ("public.event_counts", "unique_missing", "kind"),
            ("public.event_counts", "index_missing", "unique btree (kind)"),
            ("public.metrics", "table_undocumented", None),
        ]
    )


def test_foreign_table_nullability_is_checked(kinds: Path, db: TestDatabase) -> None:
    db.run("ALTER FOREIGN TABLE remote_things ALTER COLUMN id DROP NOT NULL")
    assert ("public.remote_things", "column_nullability_mismatch", "id") in found(check(kinds, db))


def test_dropped_view_is_a_missing_table(kinds: Path, db: TestDatabase) -> None:
    db.run("DROP VIEW recent_events")
    assert ("public.recent_events", "table_missing", None) in found(check(kinds, db))
