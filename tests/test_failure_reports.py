"""Honest failure reports (issue 10 item 4), on real embedded servers.

A failed migration file is rolled back, so with `--continue-on-error` every later file using
what it was to create fails too.  Those later failures carry `caused_by` (the root failure's
fingerprint) and are folded under it; the reports count the files applied, failed and
skipped; a run that stopped before the schema was read checks no table; a snapshot of a
partial history says so and is refused unless `--allow-partial`; `coverage` and `access`
take `--continue-on-error`, and `coverage --min` fails when nothing was read.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.errors import SpecError
from schemaverify.model.findings import make
from schemaverify.model.schema import Catalog
from schemaverify.sources import snapshot
from schemaverify.sources.migrations.runner import MissingObject, created_object, missing_object

MISSING_EXTENSION = {
    "001_init.sql": (
        "create extension not_a_real_extension;\n"
        "create schema app;\n"
        "create type mood as enum ('happy', 'sad');\n"
        "create table items (id int primary key);\n"
        "create function item_count() returns bigint language sql\n"
        "  as $$ select count(*) from items $$;\n"
    ),
    "002_seed.sql": "insert into items values (1);\n",
    "003_count.sql": "select item_count();\n",
    "004_moods.sql": "create table moods (id int, m mood);\n",
    "005_app.sql": "create table app.things (id int);\n",
}

REAL_BUG = {
    "001_a.sql": "create table a (id int primary key);\n",
    "002_b.sql": "create table b (id int primary key);\n",
    "003_c.sql": (
        "create type status as enum ('x');\n"
        "ALTER TYPE never_created OWNER TO postgres;\n"
        "create table c (id int, s status);\n"
    ),
    "004_seed.sql": "insert into c values (1, 'x');\n",
}

SPEC = "table: items\ncolumns:\n  - name: id\n    type: integer\n    primary_key: true\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Short relative paths, as users type them: reports cite them as given."""
    monkeypatch.chdir(tmp_path)


def history(root: Path, files: dict[str, str]) -> Path:
    folder = root / "migrations"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Path("migrations")


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "items.yaml").write_text(SPEC, encoding="utf-8")
    return Path("specs")


def invoke(*args: str):
    # Wide enough that the terminal report wraps no line the tests look for.
    return CliRunner().invoke(
        app, [str(a) for a in args], env={"COLUMNS": "250"}, catch_exceptions=False
    )


def migration_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["kind"] == "migration_failed"]


# --------------------------------------------------------------------------- caused_by


def test_missing_extension_gives_one_root_and_folded_consequences(
    tmp_path: Path, specs: Path
) -> None:
    folder = history(tmp_path, MISSING_EXTENSION)
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "sarif", "junit", "markdown", "github")}
    result = invoke(
        "check", "--migrations", folder, "--specs", specs, "--continue-on-error",
        *[a for fmt, path in out.items() for a in ("-o", f"{fmt}={path}")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads(out["json"].read_text(encoding="utf-8"))
    failed = migration_findings(report)
    assert len(failed) == 5
    (root,) = [f for f in failed if f["caused_by"] is None]
    assert root["location"] == f"{folder}/001_init.sql:1:18"
    assert "not_a_real_extension" in root["message"]
    consequences = [f for f in failed if f["caused_by"] is not None]
    assert {f["caused_by"] for f in consequences} == {root["fingerprint"]}
    assert sorted(Path(f["object"]).name for f in consequences) == [
        "002_seed.sql", "003_count.sql", "004_moods.sql", "005_app.sql",
    ]  # fmt: skip
    assert report["source"]["migrations"] == {"files": 5, "applied": 0, "failed": 5, "skipped": 0}
    assert report["summary"]["consequences"] == 4
    assert report["summary"]["schema_read"] is True

    # the terminal folds the four into one line under the root
    text = result.output
    assert text.count("migration_failed") == 1, text
    assert "4 later failures caused by this one:" in text
    assert "002_seed.sql" in text and "and 1 more" in text
    assert "migrations: 0 of 5 files applied, 5 failed, 0 skipped" in text

    # Markdown and GitHub annotations: compact too
    markdown = out["markdown"].read_text(encoding="utf-8")
    assert markdown.count("`migration_failed`") == 1
    assert "↳ 4 consequences" in markdown
    assert "| migration files applied / failed / skipped | 0 / 5 / 0 (of 5) |" in markdown
    annotations = out["github"].read_text(encoding="utf-8").splitlines()
    migration_lines = [a for a in annotations if "title=migration_failed" in a]
    assert len(migration_lines) == 1
    assert "4 later failures caused by this one" in migration_lines[0]

    # SARIF and JUnit keep every finding, with its cause
    sarif = json.loads(out["sarif"].read_text(encoding="utf-8"))["runs"][0]
    results = [r for r in sarif["results"] if r["ruleId"] == "migration_failed"]
    assert len(results) == 5
    linked = [r for r in results if r["properties"]["caused_by"] == root["fingerprint"]]
    assert len(linked) == 4
    for r in linked:
        (related,) = r["relatedLocations"]
        assert related["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 18}
    assert sarif["properties"]["migrations"]["failed"] == 5
    junit = ET.parse(out["junit"]).getroot()
    texts = [f.text or "" for f in junit.iter("failure") if f.get("type") == "migration_failed"]
    assert sum(f"caused by: {root['fingerprint']}" in t for t in texts) == 4


def test_real_bug_fails_at_its_line_and_its_consequence_is_folded(
    tmp_path: Path, specs: Path
) -> None:
    folder = history(tmp_path, REAL_BUG)
    out = tmp_path / "r.json"
    result = invoke(
        "check", "--migrations", folder, "--specs", specs, "--continue-on-error", "-o",
        f"json={out}",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    root, consequence = migration_findings(report)
    assert root["location"] == f"{folder}/003_c.sql:2:12"
    assert 'type "never_created" does not exist' in root["message"]
    assert root["caused_by"] is None
    assert consequence["location"].startswith(f"{folder}/004_seed.sql:1:")
    assert consequence["caused_by"] == root["fingerprint"]
    assert report["source"]["migrations"] == {"files": 4, "applied": 2, "failed": 2, "skipped": 0}
    assert "1 later failure caused by this one: " in result.output
    assert "migrations: 2 of 4 files applied, 2 failed, 0 skipped" in result.output


def test_a_stopped_run_checks_no_table_and_counts_skipped_files(
    tmp_path: Path, specs: Path
) -> None:
    folder = history(tmp_path, REAL_BUG)
    out = tmp_path / "r.json"
    md = tmp_path / "r.md"
    result = invoke(
        "check", "--migrations", folder, "--specs", specs, "-o", f"json={out}", "-o",
        f"markdown={md}",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["tables_checked"] == 0
    assert report["summary"]["schema_read"] is False
    assert report["source"]["migrations"] == {"files": 4, "applied": 2, "failed": 1, "skipped": 1}
    assert "no table was checked" in result.output
    assert "migrations: 2 of 4 files applied, 1 failed, 1 skipped" in result.output
    assert "| tables checked | 0 (no table was checked" in md.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- snapshots


def test_partial_snapshot_is_recorded_and_refused_unless_allowed(
    tmp_path: Path, specs: Path
) -> None:
    folder = history(tmp_path, REAL_BUG)
    snap = tmp_path / "snap.json"
    result = invoke("snapshot", "--migrations", folder, "--continue-on-error", "-o", snap)
    assert result.exit_code == 1, result.output
    assert "partial: 2 of 4 migration files failed" in result.stderr
    data = json.loads(snap.read_text(encoding="utf-8"))
    record = data["migrations"]
    assert {k: record[k] for k in ("files", "applied", "failed", "skipped")} == {
        "files": 4, "applied": 2, "failed": 2, "skipped": 0,
    }  # fmt: skip
    assert [f["location"] for f in record["failures"]] == [
        f"{folder}/003_c.sql:2:12",
        f"{folder}/004_seed.sql:1:13",
    ]
    assert record["failures"][1]["caused_by"] == f"|migration_failed|{folder}/003_c.sql"

    refusal = (
        f"{snap}: the snapshot was taken of a partial schema (2 of 4 migration files failed, "
        "2 applied); fix the migrations and take it again, or pass --allow-partial to read "
        "it anyway\n"
    )
    for command in (
        ["check", "--specs", specs],
        ["coverage", "--specs", specs],
        ["access"],
        ["advise"],
        ["baseline", "--specs", specs, "-o", tmp_path / "b.json"],
    ):
        refused = invoke(*command, "--snapshot", snap)
        assert refused.exit_code == 2, (command, refused.output)
        assert refused.stderr == refusal, command
    diffed = invoke("diff", "--from", snap, "--to", snap)
    assert diffed.exit_code == 2 and diffed.stderr == refusal

    out = tmp_path / "r.json"
    allowed = invoke(
        "check", "--snapshot", snap, "--specs", specs, "--allow-partial", "-o", f"json={out}"
    )
    assert allowed.exit_code == 1, allowed.output  # items is missing
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["source"]["migrations"]["failed"] == 2
    assert invoke("access", "--snapshot", snap, "--allow-partial").exit_code == 0


def test_snapshot_record_round_trip_and_old_snapshots_load(tmp_path: Path) -> None:
    catalog = Catalog(tables=(), server_version=180000, schemas=("public",))
    old = snapshot.dump(catalog)
    assert '"migrations"' not in old
    assert snapshot.load_document(old)[1] is None
    failure = make("", "migration_failed", "m/1.sql", "42P01 boom", location="m/1.sql:1:1")
    record = snapshot.migrations_record(
        {"files": 3, "applied": 1, "failed": 1, "skipped": 1}, [failure]
    )
    text = snapshot.dump(catalog, migrations=record)
    loaded, back = snapshot.load_document(text)
    assert loaded == snapshot.load(old) and back == record
    # a clean run records nothing: its snapshot is byte-identical to a database's
    clean = snapshot.migrations_record({"files": 2, "applied": 2, "failed": 0, "skipped": 0}, [])
    assert snapshot.dump(catalog, migrations=clean) == old
    broken = text.replace('"failed": 1', '"failed": -1')
    with pytest.raises(SpecError) as err:
        snapshot.load_document(broken, "s.json")
    line = broken.splitlines().index('    "failed": -1,') + 1
    assert str(err.value).startswith(f"s.json:{line}: ")


# --------------------------------------------------------------------------- coverage, access


def test_coverage_and_access_continue_on_error(tmp_path: Path, specs: Path) -> None:
    folder = history(tmp_path, REAL_BUG)
    stopped = invoke("coverage", "--migrations", folder, "--specs", specs, "--format", "json")
    assert stopped.exit_code == 1 and stopped.stdout == ""
    went_on = invoke(
        "coverage", "--migrations", folder, "--specs", specs, "--format", "json",
        "--continue-on-error",
    )  # fmt: skip
    assert went_on.exit_code == 1, went_on.output  # the schema is partial
    cov = json.loads(went_on.stdout)
    assert sorted(t["table"] for t in cov["undocumented"]) == ["public.a", "public.b"]
    assert "003_c.sql:2:12" in went_on.stderr
    access = invoke("access", "--migrations", folder, "--continue-on-error", "--format", "json")
    assert access.exit_code == 1, access.output
    assert {t["table"] for t in json.loads(access.stdout)["tables"]} == {"public.a", "public.b"}


def test_coverage_min_fails_when_nothing_was_read(tmp_path: Path, specs: Path) -> None:
    folder = history(tmp_path, MISSING_EXTENSION)
    result = invoke(
        "coverage", "--migrations", folder, "--specs", specs, "--continue-on-error", "--min", "80"
    )
    assert result.exit_code == 1
    assert (
        "--min 80: no live table was read in public (5 of 5 migration files failed): there is "
        "no documented share to measure" in result.stderr
    )


# --------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("create table if not exists public.t (id int)", MissingObject("relation", "public", "t")),
        ('CREATE UNLOGGED TABLE "Odd"."T" ()', MissingObject("relation", "Odd", "T")),
        ("create or replace view v as select 1", MissingObject("relation", None, "v")),
        ("create materialized view mv as select 1", MissingObject("relation", None, "mv")),
        ("create or replace function f() returns int", MissingObject("function", None, "f")),
        ("create domain d as int", MissingObject("type", None, "d")),
        ("create schema if not exists app", MissingObject("schema", None, "app")),
        ("create schema authorization bob", MissingObject("schema", None, "bob")),
        (
            'create extension if not exists "http" with schema extensions',
            MissingObject("extension", None, "http", "extensions"),
        ),
        ("create role api nologin", MissingObject("role", None, "api")),
        ("create index i on t (a)", None),
        ("create", None),
        ("create table", None),
        ("create table (", None),
        ("select 1", None),
        ("create schema a.b", None),
    ],
)
def test_created_object(sql: str, expected: MissingObject | None) -> None:
    assert created_object(sql) == expected


@pytest.mark.parametrize(
    ("sqlstate", "error", "expected"),
    [
        ("42P01", 'relation "public.t" does not exist', MissingObject("relation", "public", "t")),
        ("42883", "function f(integer) does not exist", MissingObject("function", None, "f")),
        (
            "42883",
            'function "My S".f(text, int) does not exist',
            MissingObject("function", "My S", "f"),
        ),
        ("42704", 'type "mood" does not exist', MissingObject("type", None, "mood")),
        ("42704", 'type "s.mood[]" does not exist', MissingObject("type", "s", "mood")),
        ("42704", 'role "api" does not exist', MissingObject("role", None, "api")),
        ("3F000", 'schema "app" does not exist', MissingObject("schema", None, "app")),
        ("42601", "syntax error at or near x", None),
        (None, None, None),
    ],
)
def test_missing_object(
    sqlstate: str | None, error: str | None, expected: MissingObject | None
) -> None:
    finding = make(
        "", "migration_failed", "m.sql", "x", extra={"sqlstate": sqlstate, "error": error}
    )
    assert missing_object(finding) == expected
