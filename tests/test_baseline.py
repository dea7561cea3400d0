"""Baselines on a real database: record, accept, new drift, stale and expired entries,
malformed files, and per-spec `ignore` rules end to end."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.errors import SpecError
from schemaverify.model.findings import make
from schemaverify.pipeline.baseline import Baseline, Entry, apply, loads
from schemaverify.pipeline.report import Report

ORDERS = """\
table: orders
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: total, type: numeric}
  - {name: shipped_at, type: timestamptz, nullable: true}
indexes:
  - primary_key: true
  - columns: [shipped_at DESC]
"""
CUSTOMERS = """\
table: customers
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: name, type: text}
"""
# Two drifts on orders (total is integer and nullable: type + nullability), one missing index.
DRIFTED = """
CREATE TABLE orders (id uuid PRIMARY KEY, total integer, shipped_at timestamptz);
CREATE TABLE customers (id uuid PRIMARY KEY, name text NOT NULL);
"""
ACCEPTED = [
    "public.orders|column_nullability_mismatch|total",
    "public.orders|column_type_mismatch|total",
    "public.orders|index_missing|btree (shipped_at DESC)",
]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "orders.yaml").write_text(ORDERS, encoding="utf-8")
    (specs / "customers.yaml").write_text(CUSTOMERS, encoding="utf-8")
    return tmp_path


def record(db, out: str = "schemaverify-baseline.json") -> dict:
    result = invoke("baseline", "--dsn", db.dsn, "--specs", "specs", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"recorded {len(ACCEPTED)} findings in {out}" in result.stdout
    return json.loads(Path(out).read_text(encoding="utf-8"))


def check(db, *args: str):
    result = invoke("check", "--dsn", db.dsn, "--specs", "specs", "--format", "json", *args)
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else None


def edit_entry(path: Path, fingerprint: str, **fields: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        if entry["fingerprint"] == fingerprint:
            entry.update(fields)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_record_writes_a_sorted_versioned_file(db, project: Path) -> None:
    db.run(DRIFTED)
    data = record(db)
    assert data["schema_version"] == 1
    assert data["created"] == datetime.date.today().isoformat()
    assert [e["fingerprint"] for e in data["entries"]] == ACCEPTED
    first = data["entries"][0]
    assert list(first) == [
        "fingerprint",
        "table",
        "kind",
        "object",
        "severity",
        "message",
        "reason",
        "expires",
    ]
    assert first["table"] == "public.orders" and first["object"] == "total"
    assert first["severity"] == "error" and first["reason"] is None and first["expires"] is None
    # Deterministic: recording again gives the same bytes (created is today both times).
    text = Path("schemaverify-baseline.json").read_text(encoding="utf-8")
    record(db)
    assert Path("schemaverify-baseline.json").read_text(encoding="utf-8") == text


def test_round_trip_new_stale_and_expired(db, project: Path) -> None:
    db.run(DRIFTED)
    record(db)
    baseline = project / "schemaverify-baseline.json"

    # Without the baseline the drift fails; with it the same database passes.
    assert check(db, "--no-baseline")[0].exit_code == 1
    result, report = check(db, "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert report["findings"] == []
    assert report["summary"]["baselined"] == 3 and report["summary"]["stale"] == 0
    assert report["summary"]["failed"] is False
    assert sorted(f["fingerprint"] for f in report["baselined"]) == ACCEPTED
    assert report["baseline"] == {"path": str(baseline), "entries": 3, "fail_on_stale": False}
    terminal = invoke("check", "--dsn", db.dsn, "--specs", "specs", "--baseline", str(baseline))
    assert terminal.exit_code == 0
    assert f"2 tables match their specs (baseline {baseline}: 3 accepted)" in terminal.stdout

    # A new drift fails alone.
    db.run("ALTER TABLE customers ALTER COLUMN name DROP NOT NULL")
    result, report = check(db, "--baseline", str(baseline))
    assert result.exit_code == 1
    assert [f["fingerprint"] for f in report["findings"]] == [
        "public.customers|column_nullability_mismatch|name"
    ]
    assert report["summary"]["findings"] == 1 and report["summary"]["baselined"] == 3
    db.run("ALTER TABLE customers ALTER COLUMN name SET NOT NULL")

    # Fixing an accepted drift leaves a stale entry: a note, not a failure (unless asked).
    db.run("CREATE INDEX orders_shipped ON orders (shipped_at DESC)")
    result, report = check(db, "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert report["summary"]["stale"] == 1 and report["summary"]["baselined"] == 2
    assert [e["fingerprint"] for e in report["stale_baseline"]] == [ACCEPTED[2]]
    terminal = invoke("check", "--dsn", db.dsn, "--specs", "specs", "--baseline", str(baseline))
    assert f"stale baseline entry {ACCEPTED[2]} ({baseline}:" in terminal.stdout
    assert f"(baseline {baseline}: 2 accepted, 1 stale)" in terminal.stdout
    result, report = check(db, "--baseline", str(baseline), "--fail-on-stale")
    assert result.exit_code == 1 and report["summary"]["failed"] is True

    # An expired entry no longer suppresses: its finding counts again, with a note.
    edit_entry(baseline, ACCEPTED[1], expires="2000-01-31", reason="migrate totals to numeric")
    result, report = check(db, "--baseline", str(baseline))
    assert result.exit_code == 1
    assert [f["fingerprint"] for f in report["findings"]] == [ACCEPTED[1]]
    assert report["summary"]["baseline_expired"] == 1
    assert report["expired_baseline"][0]["expires"] == "2000-01-31"
    terminal = invoke("check", "--dsn", db.dsn, "--specs", "specs", "--baseline", str(baseline))
    assert (
        f"baseline entry {ACCEPTED[1]} expired on 2000-01-31 (reason: migrate totals to "
        "numeric): the finding counts again"
    ) in terminal.stdout


def test_reason_is_shown_and_kept_when_recording_again(db, project: Path) -> None:
    db.run(DRIFTED)
    record(db)
    baseline = project / "schemaverify-baseline.json"
    edit_entry(baseline, ACCEPTED[0], reason="nullable until backfill", expires="2999-12-31")
    terminal = invoke("check", "--dsn", db.dsn, "--specs", "specs", "--baseline", str(baseline))
    assert terminal.exit_code == 0
    assert f"baselined {ACCEPTED[0]}: nullable until backfill, until 2999-12-31" in terminal.stdout
    _, report = check(db, "--baseline", str(baseline))
    shown = {f["fingerprint"]: f["baseline"] for f in report["baselined"]}
    assert shown[ACCEPTED[0]] == {
        "reason": "nullable until backfill",
        "expires": "2999-12-31",
    }
    data = record(db)
    assert data["entries"][0]["reason"] == "nullable until backfill"
    assert data["entries"][0]["expires"] == "2999-12-31"
    assert data["entries"][1]["reason"] is None


def test_baseline_from_configuration_and_no_baseline(db, project: Path) -> None:
    db.run(DRIFTED)
    (project / "schemaverify.toml").write_text(
        'specs = "specs"\nbaseline = "ci/accepted.json"\n', encoding="utf-8"
    )
    (project / "ci").mkdir()
    result = invoke("baseline", "--dsn", db.dsn)  # writes where the configuration points
    assert result.exit_code == 0, result.output
    assert (project / "ci" / "accepted.json").is_file()
    assert invoke("check", "--dsn", db.dsn).exit_code == 0
    assert invoke("check", "--dsn", db.dsn, "--no-baseline").exit_code == 1
    (project / "ci" / "accepted.json").unlink()
    missing = invoke("check", "--dsn", db.dsn)
    assert missing.exit_code == 2
    assert "ci/accepted.json:1: baseline file not found" in missing.stderr


@pytest.mark.parametrize(
    ("mutate", "line", "reason"),
    [
        (lambda t: t.replace('"entries": [', '"entries": [,'), 4, "invalid JSON: Expecting value"),
        (
            lambda t: t.replace('"reason": null', '"reasons": null', 1),
            12,
            "entries[0]: unknown key",
        ),
        (
            lambda t: t.replace('"expires": null', '"expires": "next week"', 1),
            13,
            "entries[0]: expires: expected an ISO date (YYYY-MM-DD) or null",
        ),
        (
            lambda t: t.replace("|column_nullability_mismatch|", "|column_nullability|", 1),
            6,
            "entries[0]: unknown finding kind 'column_nullability' (did you mean",
        ),
        (
            lambda t: t.replace('"schema_version": 1', '"schema_version": 7'),
            2,
            "schema_version 7 is newer",
        ),
    ],
)
def test_malformed_baseline_exits_2_with_place(db, project: Path, mutate, line, reason) -> None:
    db.run(DRIFTED)
    record(db)
    path = project / "schemaverify-baseline.json"
    path.write_text(mutate(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = invoke("check", "--dsn", db.dsn, "--specs", "specs", "--baseline", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{path}:{line}: {reason}"), result.stderr
    assert "Traceback" not in result.output


def test_duplicate_fingerprints_are_rejected() -> None:
    entry = '{"fingerprint": "public.t|column_missing|x"}'
    text = f'{{"schema_version": 1,\n "entries": [\n  {entry},\n  {entry}\n]}}'
    with pytest.raises(SpecError, match=r"b.json:4: entries\[1\]: duplicate fingerprint .*line 3"):
        loads(text, "b.json")


def test_expiry_is_inclusive_of_its_day() -> None:
    finding = make("public.t", "column_missing", "x", "column x does not exist")
    report = Report(findings=(finding,), tables_checked=1)
    entry = Entry(finding.fingerprint, "public.t", "column_missing", "x", expires=_day(10))
    baseline = Baseline("b.json", (entry,))
    on_the_day = apply(report, baseline, today=_day(10))
    assert on_the_day.findings == () and not on_the_day.failed
    after = apply(report, baseline, today=_day(11))
    assert after.findings == (finding,) and after.failed
    assert after.baseline is not None and after.baseline.expired[0].entry == entry


def _day(n: int) -> datetime.date:
    return datetime.date(2030, 1, n)


def test_per_spec_ignore_end_to_end(db, project: Path) -> None:
    """`ignore:` in a spec drops a finding for good: not reported, not counted, no baseline."""
    db.run(DRIFTED.replace("name text NOT NULL", "name text NOT NULL, legacy_code text"))
    _, report = check(db)
    assert "public.customers|column_undocumented|legacy_code" in [
        f["fingerprint"] for f in report["findings"]
    ]
    (project / "specs" / "customers.yaml").write_text(
        CUSTOMERS
        + textwrap.dedent(
            """\
            ignore:
              - kind: column_undocumented
                object: legacy_code
                reason: dropped in the next release
            """
        ),
        encoding="utf-8",
    )
    record(db)  # the ignored finding is not recorded either
    data = json.loads(Path("schemaverify-baseline.json").read_text(encoding="utf-8"))
    assert [e["fingerprint"] for e in data["entries"]] == ACCEPTED
    result, report = check(db, "--fail-on", "warning", "--no-baseline")
    assert result.exit_code == 1  # the orders drift still counts
    assert all(f["table"] != "public.customers" for f in report["findings"])
    result, report = check(db, "--fail-on", "warning", "--baseline", "schemaverify-baseline.json")
    assert result.exit_code == 0, result.output


def test_migrations_source_and_a_run_stopped_by_a_failed_migration(project: Path) -> None:
    """`baseline --migrations` records like `check`; when a failing migration stops the run no
    schema is read, so the baseline is left alone and no table entry is called stale."""
    folder = project / "migrations"
    folder.mkdir()
    (folder / "20240101000000_tables.sql").write_text(DRIFTED, encoding="utf-8")
    recorded = invoke("baseline", "--migrations", str(folder), "--specs", "specs")
    assert recorded.exit_code == 0, recorded.output
    path = project / "schemaverify-baseline.json"
    before = path.read_text(encoding="utf-8")
    assert [e["fingerprint"] for e in json.loads(before)["entries"]] == ACCEPTED

    (folder / "20240102000000_broken.sql").write_text("create tabel oops ();\n", encoding="utf-8")
    again = invoke("baseline", "--migrations", str(folder), "--specs", "specs")
    assert again.exit_code == 1
    assert "no schema was read" in again.stderr
    assert path.read_text(encoding="utf-8") == before
    result = invoke(
        "check", "--migrations", str(folder), "--specs", "specs", "--format", "json",
        "--baseline", str(path),
    )  # fmt: skip
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [f["kind"] for f in report["findings"]] == ["migration_failed"]
    assert report["summary"]["stale"] == 0


def test_findings_keyed_by_structure_round_trip() -> None:
    """An index shown with its predicate but keyed by method and keys, a migration statement
    keyed by its place, a code finding keyed by its file: the entry shows the object, the
    fingerprint holds the key, and the file loads again (it did not, before 0.1)."""
    import datetime

    from schemaverify.model.findings import make
    from schemaverify.pipeline import baseline as baselines

    findings = [
        make("public.t", "index_missing", "btree (status) WHERE done", "m", key="btree(status)"),
        make("", "migration_unsafe", "1_init.sql", "m", key="1_init.sql:3:1"),
        make("public.o", "code_column_missing", "totl", "m", key="totl app/page.ts"),
    ]
    text = baselines.record(findings, created=datetime.date(2026, 12, 4))
    loaded = loads(text, "b.json")
    assert sorted(e.fingerprint for e in loaded.entries) == sorted(f.fingerprint for f in findings)
    assert {e.object for e in loaded.entries} == {"btree (status) WHERE done", "1_init.sql", "totl"}
