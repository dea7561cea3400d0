"""Documented `values` against what a real PostgreSQL enforces: enum labels and CHECK lists
in the spellings PostgreSQL stores them, NOT ENFORCED (18) and NOT VALID checks, and checks
that are no list of values."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgserver import Server, TestDatabase
from schemaverify.model import normalize
from schemaverify.model.schema import CheckConstraint
from schemaverify.pipeline.check import run_check
from schemaverify.pipeline.report import Report
from schemaverify.rules.values import literal_set
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions

DDL = """
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE TABLE t (
  id int PRIMARY KEY,
  s_in text CHECK (s_in IN ('pending', 'sent', 'cancelled')),
  s_any text CHECK (s_any = ANY (ARRAY['pending', 'sent'])),
  s_varchar varchar(20) CHECK (s_varchar IN ('pending', 'sent')),
  s_or text CHECK (s_or = 'a' OR s_or = 'b' OR s_or IS NULL),
  s_two text CHECK (s_two IN ('a', 'b', 'c')) CHECK (s_two <> 'c'),
  n int CHECK (n IN (1, 2, -3)),
  feeling mood,
  free text,
  shaped text CHECK (length(shaped) = 3),
  late text
);
ALTER TABLE t ADD CONSTRAINT late_values CHECK (late IN ('x', 'y')) NOT VALID;
ALTER TABLE t ADD CONSTRAINT two_values CHECK (s_two IN ('a', 'b'));
"""

SPEC = """\
table: t
columns:
  - {{name: id, type: integer, primary_key: true}}
  - {{name: s_in, type: text, nullable: true, values: [{s_in}]}}
  - {{name: s_any, type: text, nullable: true, values: [pending, sent]}}
  - {{name: s_varchar, type: varchar(20), nullable: true, values: [sent, pending]}}
  - {{name: s_or, type: text, nullable: true, values: [a, b]}}
  - {{name: s_two, type: text, nullable: true, values: [a, b]}}
  - {{name: n, type: integer, nullable: true, values: ["1", "2", "-3"]}}
  - {{name: feeling, type: mood, nullable: true, values: [{feeling}]}}
  - {{name: free, type: text, nullable: true, values: [a]}}
  - {{name: shaped, type: text, nullable: true, values: [abc]}}
  - {{name: late, type: text, nullable: true, values: [x, y]}}
"""


def _check(db: TestDatabase, folder: Path, **fill: str) -> Report:
    folder.mkdir(exist_ok=True)
    values = {"s_in": "pending, sent, cancelled", "feeling": "happy, sad, meh", **fill}
    (folder / "t.yaml").write_text(SPEC.format(**values), encoding="utf-8")
    return run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never")


def _values(report: Report) -> dict[str, str]:
    return {str(f.key): f.status for f in report.facts if f.subject == "column.values"}


def test_every_stored_spelling_is_read_as_its_list(db: TestDatabase, tmp_path: Path) -> None:
    db.run(DDL)
    report = _check(db, tmp_path)
    assert _values(report) == {
        "s_in": "verified",
        "s_any": "verified",
        "s_varchar": "verified",
        "s_or": "verified",
        "s_two": "verified",  # two checks: what both allow
        "n": "verified",
        "feeling": "verified",
        "free": "drift",
        "shaped": "drift",
        "late": "drift",
    }
    found = {f.object: f for f in report.findings}
    assert {k: f.kind for k, f in found.items()} == {
        "free": "values_unenforced",
        "shaped": "values_unenforced",
        "late": "values_unenforced",
    }
    assert found["free"].severity == "info"
    assert "(CHECK late_values (NOT VALID) is not enforced on every row)" in found["late"].message


def test_a_different_list_names_both_sides(db: TestDatabase, tmp_path: Path) -> None:
    db.run(DDL)
    report = _check(db, tmp_path, s_in="pending, sent, refunded", feeling="happy, sad")
    found = {f.object: f for f in report.findings if f.kind == "values_mismatch"}
    assert set(found) == {"s_in", "feeling"}
    assert found["s_in"].severity == "warning"
    assert found["s_in"].message == (
        "column s_in: the database (CHECK t_s_in_check) also allows 'cancelled' and rejects "
        "documented 'refunded'; it allows 'cancelled', 'pending', 'sent', documented "
        "'pending', 'sent', 'refunded'"
    )
    assert "the database (enum public.mood) also allows 'meh'" in found["feeling"].message
    assert dict(found["feeling"].details)["undocumented"] == ("meh",)


def test_not_enforced_check_enforces_nothing(
    db: TestDatabase, pg_server: Server, tmp_path: Path
) -> None:
    if pg_server.major < 18:
        pytest.skip(f"NOT ENFORCED is new in PostgreSQL 18 (this is {pg_server.id})")
    db.run(
        "CREATE TABLE t (id int PRIMARY KEY, late text);\n"
        "ALTER TABLE t ADD CONSTRAINT late_values CHECK (late IN ('x', 'y')) NOT ENFORCED;\n"
    )
    (table,) = read_catalog(db.dsn).tables
    (check,) = table.checks
    assert (check.name, check.columns, check.enforced) == ("late_values", ("late",), False)
    tmp_path.joinpath("specs").mkdir()
    tmp_path.joinpath("specs", "t.yaml").write_text(
        "table: t\ncolumns:\n  - {name: id, type: int, primary_key: true}\n"
        "  - {name: late, type: text, nullable: true, values: [x, y]}\n",
        encoding="utf-8",
    )
    report = run_check(tmp_path / "specs", SourceOptions(dsn=db.dsn), fail_on="never")
    (finding,) = report.findings
    assert finding.kind == "values_unenforced"
    assert "(CHECK late_values (NOT ENFORCED) is not enforced on every row)" in finding.message


@pytest.mark.parametrize(
    ("stored", "column", "expected"),
    [
        ("(s IN ('a', 'b'))", "s", {"a", "b"}),
        (
            "((s)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
            "s",
            {"a", "b"},
        ),
        ("((s = 'a'::text) OR (s IS NULL))", "s", {"a"}),
        ("(s IN ('a', 'b'))", "other", None),
        ("(s IN ('', 'b'))", "s", {"", "b"}),
        ("(s = ANY ('{a,\"b c\"}'::text[]))", "s", {"a", "b c"}),
        ("(s = ANY ('{a,NULL}'::text[]))", "s", None),
        ("(s = ANY (other_column))", "s", None),
        ("(s NOT IN ('a', 'b'))", "s", None),
        ("((s = 'a'::text) AND (t = 'b'::text))", "s", None),
        ("(s IN (SELECT x FROM y))", "s", None),
        ("(s = lower(s))", "s", None),
        ("(length(s) = 3)", "s", None),
    ],
)
def test_literal_lists(stored: str, column: str, expected: set[str] | None) -> None:
    found = literal_set(normalize.parse_expression(stored), column)
    assert (None if found is None else set(found)) == expected


def test_a_check_that_does_not_parse_is_no_list() -> None:
    from schemaverify.rules.values import _check_values

    assert _check_values(CheckConstraint("c", "((((", ("s",)), "s") is None
