"""`schemaverify usage` on the example application (examples/shop) against the example
migrations: every planted reference found exactly, the planted code drift reported
exactly, and the usage facts in JSON, the reference and coverage.

The expectations are data written with the fixture (tests/data/usage/*.tsv), checked by
hand against the migrated schema; see examples/shop/README.md for the planted drift.
The example migrations grant nothing, so under Supabase's current default (new tables
granted to no API role) every client call is refused; the drift the fixture plants is
that of a project with the legacy grants, hence `--supabase-grants legacy`.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.model.usage import CodeReference
from schemaverify.sources.code.scan import scan_code

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "usage"
SOURCE = ("--migrations", "examples/supabase/migrations")

Row = tuple[object, ...]


def _expected_references() -> list[Row]:
    with open(DATA / "expected_references.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = []
    for r in rows:
        columns = [c for c in r["columns"].split(",") if c]
        out.append(
            (
                r["path"],
                int(r["line"]),
                r["via"],
                r["operation"],
                r["target"],
                r["schema"] or None,
                r["name"] or None,
                tuple(c for c in columns if c != "*"),
                "*" in columns,
                r["privilege"],
                r["embedded_in"] or None,
                r["unresolved"] == "yes",
            )
        )
    return out


def _row(ref: CodeReference) -> Row:
    return (
        ref.path,
        ref.line,
        ref.via,
        ref.operation,
        ref.target,
        ref.schema,
        ref.name,
        ref.columns,
        ref.all_columns,
        ref.privilege,
        ref.embedded_in,
        ref.unresolved is not None,
    )


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_every_planted_reference_is_found_exactly(in_root: None, tmp_path: Path) -> None:
    expected = _expected_references()
    scan = scan_code(
        Path("examples/shop"),
        exclude=[Path("examples/supabase/migrations")],
        cache_dir=tmp_path,
    )
    found = [_row(r) for r in scan.references]
    missing = Counter(expected) - Counter(found)
    extra = Counter(found) - Counter(expected)
    assert (list(missing.elements()), list(extra.elements())) == ([], [])
    assert len(expected) == 111 and scan.problems == ()
    # Look-alikes (comments, log strings, a Realtime channel) are no references.
    assert not [r for r in scan.references if r.name in ("ghost_table", "nope")]


def test_a_second_scan_parses_nothing_and_finds_the_same(in_root: None, tmp_path: Path) -> None:
    code = Path("examples/shop")
    first = scan_code(code, cache_dir=tmp_path)
    second = scan_code(code, cache_dir=tmp_path)
    assert first.parsed == first.files > 40 and second.parsed == 0
    assert second.references == first.references
    parallel = scan_code(code, cache=False, jobs=2)
    assert parallel.references == first.references


def _expected_findings() -> list[tuple[str, str, str, str]]:
    with open(DATA / "expected_findings.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return sorted(
        (r["kind"], r["table"], r["object"], f"{r['path']}:{r['line']}" if r["path"] else "")
        for r in rows
    )


def _usage_json(tmp_path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "usage.json"
    result = invoke(
        "usage", "--code", "examples/shop", *SOURCE, "--specs", "specs", *extra,
        "--format", "json", "--output", str(out),
    )  # fmt: skip
    return result.exit_code, json.loads(out.read_text(encoding="utf-8"))  # type: ignore[attr-defined]


def test_the_planted_code_drift_is_reported_exactly(in_root: None, tmp_path: Path) -> None:
    code, data = _usage_json(tmp_path, "--supabase-grants", "legacy")
    assert code == 1  # code_table_missing and code_column_missing are errors
    findings = data["findings"]
    assert isinstance(findings, list)
    planted = sorted(
        (
            f["kind"],
            f["table"] or "",
            f["object"] or "",
            f["location"].rsplit(":", 1)[0] if f["location"] else "",
        )
        for f in findings
        if f["kind"] != "code_reference_unresolved"
    )
    assert planted == _expected_findings()
    unresolved = sorted(f["location"] for f in findings if f["kind"] == "code_reference_unresolved")
    assert unresolved == [
        "examples/shop/app/(dashboard)/settings/flags/actions.ts:36:6",
        "examples/shop/lib/admin/purge.ts:15:6",
        "examples/shop/lib/db.ts:49:62",
        "examples/shop/worker/translations.py:67:48",
    ]
    by_kind = {f["kind"]: f for f in findings}
    assert "did you mean" in by_kind["code_column_missing"]["message"]
    usage = data["usage"]
    assert isinstance(usage, dict)
    assert usage["code"] == "examples/shop" and usage["references"] == 111
    recovery = usage["objects"]["public.cart_abandonments"]
    assert {r["path"] for r in recovery} >= {"examples/shop/worker/recovery.py"}
    assert {b["name"] for b in usage["buckets"]} == {"avatars"}


def test_under_current_supabase_grants_every_client_call_is_refused(
    in_root: None, tmp_path: Path
) -> None:
    """The same code against the same migrations with Supabase's current default grants (no
    API role holds a privilege the migrations did not grant): the service role too."""
    _, data = _usage_json(tmp_path)
    denied = [f for f in data["findings"] if f["kind"] == "code_access_denied"]  # type: ignore[union-attr]
    assert len(denied) > 10
    assert any("the service role runs" in f["message"] for f in denied)
    assert all("no " in f["message"] and "privilege" in f["message"] for f in denied)


def test_terminal_report_and_baseline(in_root: None, tmp_path: Path) -> None:
    base = ("usage", "--code", "examples/shop", *SOURCE, "--supabase-grants", "legacy")
    result = invoke(*base, "--fail-on", "never")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    text = result.stdout  # type: ignore[attr-defined]
    assert "public.cart_abandonment" in text and "code_reference_unresolved" in text
    # A copy of the code, so that it can be edited after the baseline is recorded.
    shop = tmp_path / "shop"
    shutil.copytree("examples/shop", shop)
    copy = ("usage", "--code", str(shop), *SOURCE, "--supabase-grants", "legacy")
    baseline = tmp_path / "baseline.json"
    recorded = invoke(*copy, "--write-baseline", str(baseline))
    assert recorded.exit_code == 0  # type: ignore[attr-defined]
    assert recorded.stdout == f"recorded 19 findings in {baseline}\n"  # type: ignore[attr-defined]
    accepted = invoke(*copy, "--baseline", str(baseline), "--format", "json")
    assert accepted.exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(accepted.stdout)["findings"] == []  # type: ignore[attr-defined]
    # Lines moved: still accepted (keyed by file, not line). A new mistake in a baselined
    # file is not: keyed by the file and the column.
    errors = shop / "lib" / "errors.ts"
    source = errors.read_text(encoding="utf-8")
    errors.write_text("// moved down\n\n" + source, encoding="utf-8")
    moved = invoke(*copy, "--baseline", str(baseline), "--format", "json")
    assert json.loads(moved.stdout)["findings"] == []  # type: ignore[attr-defined]
    errors.write_text(source.replace("stack_trace:", "stacktrace:"), encoding="utf-8")
    edited = invoke(*copy, "--baseline", str(baseline), "--format", "json")
    assert edited.exit_code == 1  # type: ignore[attr-defined]
    kinds = [(f["kind"], f["object"]) for f in json.loads(edited.stdout)["findings"]]  # type: ignore[attr-defined]
    assert kinds == [("code_column_missing", "stacktrace")]


def test_doc_fills_each_tables_code_line(in_root: None, tmp_path: Path) -> None:
    out = tmp_path / "ref.md"
    result = invoke("doc", *SOURCE, "--specs", "specs", "--code", "examples/shop", "-o", str(out))
    assert result.exit_code == 0, result.stdout  # type: ignore[attr-defined]
    text = out.read_text(encoding="utf-8")
    section = text.split("### public.cart\\_abandonments")[1].split("### ")[0]
    code_line = next(line for line in section.splitlines() if line.startswith("**Used by code:**"))
    assert "examples/shop/worker/recovery.py" in code_line
    assert "#L" in code_line
    unused = text.split("### public.metric\\_goals")[1].split("### ")[0]
    assert "**Used by code:** no scanned file names this table." in unused


def test_coverage_lists_used_undocumented_and_unused_documented(
    in_root: None, tmp_path: Path
) -> None:
    out = tmp_path / "coverage.json"
    result = invoke(
        "coverage", *SOURCE, "--specs", "specs", "--code", "examples/shop",
        "--format", "json", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout  # type: ignore[attr-defined]
    code = json.loads(out.read_text(encoding="utf-8"))["code"]
    assert code["documented_unused"] == [
        "public.autonomous_credentials",
        "public.autonomous_operations_audit",
        "public.feature_rollouts",
        "public.instagram_credentials",
        "public.metric_goals",
        "public.translation_statistics",
    ]
    undocumented = {u["table"] for u in code["used_undocumented"]}
    assert len(undocumented) == 5
    assert all(u["first"].startswith("examples/shop/") for u in code["used_undocumented"])
