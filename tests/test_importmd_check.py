"""`schemaverify import-md --check`: the document's own inconsistencies, as `DOC.md:LINE: ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.sources.importmd import check_document, parse_document

REPO = Path(__file__).resolve().parent.parent
DOC = "docs/UNDOCUMENTED_TABLES.md"
MD = Path(__file__).parent / "fixtures" / "md"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def check(name: str, monkeypatch: pytest.MonkeyPatch, folder: Path = MD) -> Any:
    monkeypatch.chdir(folder)
    return run("import-md", "--check", name)


def test_real_document(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(DOC, monkeypatch, REPO)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{DOC}:32: the Quick Reference counts 8 tables under 'Integration', and its section "
        "(line 838) holds 8, but 3 of them belong to other Quick Reference categories: "
        "`product_embeddings` ('Product & Catalog'), `chart_annotations` ('Analytics "
        "Enhancements'), `metric_goals` ('Analytics Enhancements')",
        f"{DOC}:33: the Quick Reference lists 'Product & Catalog' with 1 table, but the document "
        "has no '## Product & Catalog (N tables)' section; the Quick Reference's description "
        "names `product_embeddings` (under 'Integration')",
        f"{DOC}:34: the Quick Reference lists 'Analytics Enhancements' with 2 tables, but the "
        "document has no '## Analytics Enhancements (N tables)' section; the Quick Reference's "
        "description names `chart_annotations` (under 'Integration'), `metric_goals` (under "
        "'Integration')",
        f"{DOC}:36: the Quick Reference lists 'Misc/Utility' with 12 tables, but the document "
        "has no '## Misc/Utility (N tables)' section",
        f"{DOC}:38: the document claims 54 tables but documents 39 (### `table` sections)",
        f"{DOC}:983: table `product_embeddings` is under 'Integration' (line 838), but the Quick "
        "Reference (line 33) files it under 'Product & Catalog' ('Product embedding cache')",
        f"{DOC}:1014: table `chart_annotations` is under 'Integration' (line 838), but the Quick "
        "Reference (line 34) files it under 'Analytics Enhancements' ('Chart annotations and "
        "metric goals')",
        f"{DOC}:1041: table `metric_goals` is under 'Integration' (line 838), but the Quick "
        "Reference (line 34) files it under 'Analytics Enhancements' ('Chart annotations and "
        "metric goals')",
        f"{DOC}:1197: the document claims 54 tables but documents 39 (### `table` sections)",
        f"{DOC}: 9 inconsistencies",
    ]


def test_real_document_has_no_unreadable_line() -> None:
    """Everything --check reports about the real document is about its claims, not its syntax."""
    doc = parse_document((REPO / DOC).read_text(encoding="utf-8"), DOC)
    assert doc.problems == ()
    assert len(doc.tables) == 39
    assert all(p.table is None for p in check_document(doc))


def test_consistent_document_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check("consistent.md", monkeypatch)
    assert result.exit_code == 0
    assert result.stdout == "consistent.md: consistent\n"


def test_counts_and_categories(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check("categories.md", monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "categories.md:7: the Quick Reference counts 2 tables under 'Billing', but its section "
        "(line 28) holds 3, including `monthly_reports` ('Reports') of other Quick Reference "
        "categories",
        "categories.md:8: the Quick Reference lists 'Reports' with 1 table, but the document has "
        "no '## Reports (N tables)' section; the Quick Reference's description names "
        "`monthly_reports` (under 'Billing')",
        "categories.md:9: the Quick Reference lists 'Ghosts' with 4 tables, but the document has "
        "no '## Ghosts (N tables)' section",
        "categories.md:10: Quick Reference row 'People': cannot read its count",
        "categories.md:12: the Quick Reference rows add up to 7 tables, not 8",
        "categories.md:12: the document claims 8 tables but documents 5 (### `table` sections)",
        "categories.md:14: table `orphans` is not under a `## Category (N tables)` heading",
        "categories.md:28: heading says 2 tables but its section holds 3",
        "categories.md:36: column `customer_id` is marked FK → customers(id) but **Foreign "
        "Keys** (line 44) has no line for it",
        "categories.md:42: the same index is stated twice (first at line 41)",
        "categories.md:65: table `monthly_reports` is under 'Billing' (line 28), but the Quick "
        "Reference (line 8) files it under 'Reports' ('Monthly reports')",
        "categories.md:79: category 'Extras' is not in the Quick Reference",
        "categories.md:97: the Quick Reference rows add up to 7 tables, not 6",
        "categories.md:97: the document claims 6 tables but documents 5 (### `table` sections)",
        "categories.md: 14 inconsistencies",
    ]


def test_missing_and_empty_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check("missing_parts.md", monkeypatch)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "missing_parts.md:13: table `widgets` has no **Estimated Columns** part: nothing to verify",
        "missing_parts.md:18: 'Primary key index' but no column is marked PRIMARY KEY",
        "missing_parts.md:26: table `gadgets` has no **RLS** part",
        "missing_parts.md:34: **Expected Indexes** of table `gadgets` is empty",
        "missing_parts.md:40: table `gizmos` has no **Purpose** part",
        "missing_parts.md:40: table `gizmos` has no **Usage** part",
        "missing_parts.md: 6 inconsistencies",
    ]


def test_duplicate_table_and_fk_disagreement(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = check("listed_twice.md", monkeypatch)
    assert twice.exit_code == 1
    assert twice.stdout.splitlines() == [
        "listed_twice.md:43: table `widgets` is listed twice (first at line 11); neither "
        "description is imported until one is removed",
        "listed_twice.md: 1 inconsistency",
    ]
    bad = check("bad_lines.md", monkeypatch)
    assert bad.exit_code == 1
    lines = bad.stdout.splitlines()
    assert (
        "bad_lines.md:29: foreign key on `owner_id` references `accounts(id)` but the column's "
        "FK mark (line 14) says `users(id)`"
    ) in lines
    assert (
        "bad_lines.md:25: index names column `missing_col`, which table `broken` does not list"
        in (lines)
    )
    # the unreadable lines an import reports are inconsistencies of the document too
    assert lines[-1] == "bad_lines.md: 18 inconsistencies"


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    missing = run("import-md", "--check", str(tmp_path / "nope.md"))
    assert missing.exit_code == 2
    assert missing.stdout == ""
    assert missing.stderr == (
        f"{tmp_path / 'nope.md'}:1: cannot read file: No such file or directory\n"
    )
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"## T (1 table)\n\xff\n")
    result = run("import-md", "--check", str(latin))
    assert result.exit_code == 2
    assert result.stderr == f"{latin}:2: not UTF-8 text (byte 0xff at offset 15)\n"
    folder = run("import-md", "--check", str(tmp_path))
    assert folder.exit_code == 2
    assert folder.stderr.startswith(f"{tmp_path}:1: cannot read file: ")


def test_prose_without_tables_is_inconsistent(tmp_path: Path) -> None:
    prose = tmp_path / "prose.md"
    prose.write_text("# Notes\n\nNothing here.\n", encoding="utf-8")
    result = run("import-md", "--check", str(prose))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{prose}:1: no table sections found (expected `### `table_name`` headings)",
        f"{prose}: 1 inconsistency",
    ]
