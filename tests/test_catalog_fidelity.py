"""Catalog fidelity for what newer PostgreSQL versions can say about a table.

PostgreSQL 18: `NOT NULL ... NOT VALID`, `NOT ENFORCED` foreign keys, temporal keys
(`WITHOUT OVERLAPS`, `PERIOD`), virtual generated columns; PostgreSQL 15: `NULLS NOT
DISTINCT`; every version: partitions.  Each is checked both ways against a real server:
a spec that states what the database has is verified, a spec that does not is drift
with a message that names the difference.  Features a version lacks are skipped there,
and the rest of the table reads the same on it (the reader, not the model, absorbs the
version).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pgserver import Server, TestDatabase
from schemaverify.model.schema import Column, ForeignKey, PrimaryKey, TypeRef, UniqueConstraint
from schemaverify.pipeline.check import run_check
from schemaverify.pipeline.report import Report
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions


def _needs_18(server: Server) -> None:
    if server.major < 18:
        pytest.skip(f"new in PostgreSQL 18 (this is {server.id})")


def _check(db: TestDatabase, folder: Path, **specs: str) -> Report:
    folder.mkdir(exist_ok=True)
    for name, text in specs.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never")


def _found(report: Report) -> dict[tuple[str, str | None], str]:
    return {(f.kind, f.object): f.message for f in report.findings}


def _status(report: Report, subject: str) -> list[str]:
    return [f.status for f in report.facts if f.subject == subject]


# --- NOT NULL ... NOT VALID ------------------------------------------------------------

NOT_VALID = """
CREATE TABLE notes (id int PRIMARY KEY, body text);
INSERT INTO notes VALUES (1, NULL);
ALTER TABLE notes ADD CONSTRAINT body_set NOT NULL body NOT VALID;
"""


def test_not_null_not_valid_is_not_not_null(
    db: TestDatabase, pg_server: Server, tmp_path: Path
) -> None:
    _needs_18(pg_server)
    db.run(NOT_VALID)
    (table,) = read_catalog(db.dsn).tables
    assert table.column("body") == Column(
        "body", TypeRef("text"), nullable=False, not_null_validated=False
    )
    spec = "table: notes\ncolumns:\n  - {name: id, type: int, primary_key: true}\n"
    report = _check(db, tmp_path / "a", notes=spec + "  - {name: body, type: text}\n")
    assert _found(report) == {
        ("column_nullability_mismatch", "body"): "column body is NOT NULL NOT VALID, "
        "documented as NOT NULL"
    }
    (fact,) = [f for f in report.facts if f.subject == "column.nullable" and f.key == "body"]
    assert (fact.status, str(fact.actual)) == ("drift", "NOT NULL NOT VALID")
    # Nullable is no better: new rows can no longer be NULL.
    nullable = _check(
        db, tmp_path / "b", notes=spec + "  - {name: body, type: text, nullable: true}\n"
    )
    assert list(_found(nullable)) == [("column_nullability_mismatch", "body")]


def test_validated_not_null_is_plain_not_null(
    db: TestDatabase, pg_server: Server, tmp_path: Path
) -> None:
    _needs_18(pg_server)
    db.run(
        NOT_VALID + "UPDATE notes SET body = '';\nALTER TABLE notes VALIDATE CONSTRAINT body_set;"
    )
    spec = "table: notes\ncolumns:\n  - {name: id, type: int, primary_key: true}\n"
    report = _check(db, tmp_path, notes=spec + "  - {name: body, type: text}\n")
    assert report.findings == ()
    assert _status(report, "column.nullable") == ["verified", "verified"]


# --- NOT ENFORCED and PERIOD foreign keys ----------------------------------------------

FOREIGN = """
CREATE TABLE owners (id int PRIMARY KEY);
CREATE TABLE pets (id int PRIMARY KEY, owner_id int);
ALTER TABLE pets ADD CONSTRAINT pets_owner FOREIGN KEY (owner_id) REFERENCES owners NOT ENFORCED;
"""
PETS = """\
table: pets
columns:
  - {name: id, type: int, primary_key: true}
  - {name: owner_id, type: int, nullable: true}
foreign_keys:
  - columns: [owner_id]
    references: {table: owners}
"""
OWNERS = "table: owners\ncolumns:\n  - {name: id, type: int, primary_key: true}\n"


def test_not_enforced_foreign_key(db: TestDatabase, pg_server: Server, tmp_path: Path) -> None:
    _needs_18(pg_server)
    db.run(FOREIGN)
    pets = read_catalog(db.dsn).table("public.pets")
    assert pets is not None
    assert pets.foreign_keys == (
        ForeignKey(
            ("owner_id",),
            "public",
            "owners",
            ("id",),
            "no action",
            "no action",
            "pets_owner",
            enforced=False,
        ),
    )
    plain = _check(db, tmp_path / "a", pets=PETS, owners=OWNERS)
    assert _found(plain) == {
        ("fk_mismatch", "owner_id"): "foreign key pets_owner on (owner_id) differs: "
        "it is NOT ENFORCED: the database does not check it"
    }
    stated = _check(db, tmp_path / "b", pets=PETS + "    enforced: false\n", owners=OWNERS)
    assert stated.findings == ()
    assert _status(stated, "foreign_key") == ["verified"]
    # The column shorthand says it too.
    short = PETS.split("foreign_keys:")[0].replace(
        "{name: owner_id, type: int, nullable: true}",
        "{name: owner_id, type: int, nullable: true, references: {table: owners, enforced: false}}",
    )
    assert _check(db, tmp_path / "c", pets=short, owners=OWNERS).findings == ()


TEMPORAL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE rooms (id int, valid daterange, PRIMARY KEY (id, valid WITHOUT OVERLAPS));
CREATE TABLE bookings (
    id int PRIMARY KEY,
    room_id int,
    during daterange,
    code text,
    CONSTRAINT bookings_code UNIQUE (code, during WITHOUT OVERLAPS),
    FOREIGN KEY (room_id, PERIOD during) REFERENCES rooms (id, PERIOD valid)
);
"""
ROOMS = """\
table: rooms
columns:
  - {name: id, type: int}
  - {name: valid, type: daterange}
primary_key: [id, "valid WITHOUT OVERLAPS"]
"""
BOOKINGS = """\
table: bookings
columns:
  - {name: id, type: int, primary_key: true}
  - {name: room_id, type: int, nullable: true}
  - {name: during, type: daterange, nullable: true}
  - {name: code, type: text, nullable: true}
unique:
  - [code, "during WITHOUT OVERLAPS"]
foreign_keys:
  - columns: [room_id, during]
    references: {table: rooms, columns: [id, valid]}
    period: true
"""


def test_temporal_keys_verified_when_documented(
    db: TestDatabase, pg_server: Server, tmp_path: Path
) -> None:
    _needs_18(pg_server)
    db.run(TEMPORAL)
    catalog = read_catalog(db.dsn)
    rooms, bookings = catalog.table("public.rooms"), catalog.table("public.bookings")
    assert rooms is not None and bookings is not None
    assert rooms.primary_key == PrimaryKey(("id", "valid"), "rooms_pkey", without_overlaps=True)
    assert bookings.uniques == (
        UniqueConstraint(("code", "during"), "bookings_code", without_overlaps=True),
    )
    assert [fk.period for fk in bookings.foreign_keys] == [True]
    report = _check(db, tmp_path, rooms=ROOMS, bookings=BOOKINGS)
    assert report.findings == ()
    for subject in ("primary_key", "unique", "foreign_key"):
        assert set(_status(report, subject)) == {"verified"}, subject


def test_temporal_keys_documented_as_plain_keys_are_drift(
    db: TestDatabase, pg_server: Server, tmp_path: Path
) -> None:
    _needs_18(pg_server)
    db.run(TEMPORAL)
    report = _check(
        db,
        tmp_path,
        rooms=ROOMS.replace('"valid WITHOUT OVERLAPS"', "valid"),
        bookings=BOOKINGS.replace('"during WITHOUT OVERLAPS"', "during").replace(
            "    period: true\n", ""
        ),
    )
    assert _found(report) == {
        ("primary_key_mismatch", "id, valid"): "primary key is (id, valid WITHOUT OVERLAPS), "
        "documented as (id, valid)",
        ("unique_missing", "code, during"): "(code, during) is documented as UNIQUE but no "
        "unique constraint or index enforces it (a key WITHOUT OVERLAPS on them does: rows "
        "with equal values are allowed when their ranges do not overlap)",
        ("fk_mismatch", "room_id, during"): "foreign key bookings_room_id_during_fkey on "
        "(room_id, during) differs: it is a PERIOD (temporal) key",
    }


# --- generated columns: stored and virtual ----------------------------------------------

GENERATED = """
CREATE TABLE prices (
    cents int NOT NULL,
    euros numeric GENERATED ALWAYS AS (cents / 100.0) STORED,
    label text GENERATED ALWAYS AS (cents::text || ' c') {kind}
);
"""
PRICES = """\
table: prices
columns:
  - {{name: cents, type: int}}
  - {{name: euros, type: numeric, nullable: true, generated: {euros}}}
  - {{name: label, type: text, nullable: true, generated: {label}}}
"""


def test_generated_kind_and_expression(db: TestDatabase, pg_server: Server, tmp_path: Path) -> None:
    kind = "VIRTUAL" if pg_server.major >= 18 else "STORED"
    db.run(GENERATED.format(kind=kind))
    (table,) = read_catalog(db.dsn).tables
    assert [(c.name, c.generated_kind) for c in table.columns] == [
        ("cents", None),
        ("euros", "stored"),
        ("label", kind.lower()),
    ]
    stated = PRICES.format(
        euros="{expression: cents / 100.0, kind: stored}",
        label=f"{{kind: {kind.lower()}}}",
    )
    report = _check(db, tmp_path / "a", prices=stated)
    assert report.findings == ()
    assert _status(report, "column.generated") == ["verified", "verified"]
    other = "stored" if kind == "VIRTUAL" else "virtual"
    wrong = PRICES.format(euros="cents / 10.0", label=f"{{kind: {other}}}")
    drift = _check(db, tmp_path / "b", prices=wrong)
    assert _found(drift) == {
        ("column_generated_mismatch", "euros"): "column euros is GENERATED ALWAYS AS "
        "(cents / 100.0) STORED, documented as GENERATED ALWAYS AS (cents / 10.0)",
        ("column_generated_mismatch", "label"): f"column label is GENERATED ALWAYS AS "
        f"(cents || ' c') {kind}, documented as GENERATED ALWAYS AS (...) "
        f"{other.upper()}",
    }


def test_a_plain_column_documented_as_generated(db: TestDatabase, tmp_path: Path) -> None:
    db.run("CREATE TABLE plain (n int NOT NULL, m int NOT NULL)")
    spec = "table: plain\ncolumns:\n  - {name: n, type: int}\n"
    report = _check(db, tmp_path, plain=spec + "  - {name: m, type: int, generated: n * 2}\n")
    assert _found(report) == {
        ("column_generated_mismatch", "m"): "column m is not generated, documented as "
        "GENERATED ALWAYS AS (n * 2)"
    }


# --- NULLS NOT DISTINCT (PostgreSQL 15+) ------------------------------------------------

NULLS = """
CREATE TABLE handles (id int PRIMARY KEY, handle text,
                      CONSTRAINT handles_handle UNIQUE NULLS NOT DISTINCT (handle));
CREATE UNIQUE INDEX handles_lower ON handles (lower(handle));
"""
HANDLES = """\
table: handles
columns:
  - {{name: id, type: int, primary_key: true}}
  - {{name: handle, type: text, nullable: true, unique: true}}
indexes:
  - columns: [handle]
    unique: true{extra}
"""


def test_nulls_not_distinct(db: TestDatabase, tmp_path: Path) -> None:
    db.run(NULLS)
    (table,) = read_catalog(db.dsn).tables
    assert table.uniques == (
        UniqueConstraint(("handle",), "handles_handle", nulls_not_distinct=True),
    )
    assert {i.name: i.nulls_not_distinct for i in table.indexes} == {
        "handles_handle": True,
        "handles_lower": False,
        "handles_pkey": False,
    }
    extra = "\n    nulls_not_distinct: true"
    stated = _check(db, tmp_path / "a", handles=HANDLES.format(extra=extra))
    assert stated.findings == ()
    plain = _check(db, tmp_path / "b", handles=HANDLES.format(extra=""))
    assert _found(plain) == {
        ("index_mismatch", "unique btree (handle)"): "index handles_handle on (handle) "
        "differs: it is NULLS NOT DISTINCT (one NULL allowed)"
    }


# --- partitions ------------------------------------------------------------------------

PARTITIONED = """
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
"""


def test_a_spec_naming_a_partition(db: TestDatabase, tmp_path: Path) -> None:
    db.run(PARTITIONED)
    catalog = read_catalog(db.dsn)
    assert [t.qualified for t in catalog.tables] == ["public.events"]
    assert [(p.qualified, p.parent) for p in catalog.partitions] == [
        ("public.events_2026", "public.events")
    ]
    spec = "table: events_2026\ncolumns:\n  - {name: id, type: int, nullable: true}\n"
    report = _check(db, tmp_path, events_2026=spec)
    assert _found(report) == {
        ("table_is_partition", None): "public.events_2026 is a partition of public.events: a "
        "partition has its parent's columns, keys and indexes and is not checked on its own; "
        "document public.events instead",
        ("table_undocumented", None): "partitioned table public.events (2 columns) has no spec",
    }
    assert [f.severity for f in report.findings if f.kind == "table_is_partition"] == ["warning"]
    assert {(f.status, f.reason) for f in report.facts if f.subject == "column"} == {
        ("unverifiable", "table_is_partition")
    }
    # A real missing table stays table_missing.
    gone = _check(db, tmp_path / "b", events_1999=spec.replace("events_2026", "events_1999"))
    assert ("table_missing", None) in _found(gone)
