"""Public contracts stay documented: finding kinds and severities in the README."""

from __future__ import annotations

import re
from pathlib import Path

from schemaverify.model.findings import KINDS, SEVERITIES

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_kinds() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- kinds:start -->")[1].split("<!-- kinds:end -->")[0]
    return dict(re.findall(r"^\| `([a-z_]+)` \| ([a-z]+) \|", block, flags=re.M))


def test_readme_documents_every_kind_with_its_severity() -> None:
    documented = _readme_kinds()
    assert documented == {name: kind.severity for name, kind in KINDS.items()}


def test_every_kind_has_valid_severity_and_help() -> None:
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.severity in SEVERITIES
        assert kind.summary and kind.help


# --- the JSON report: its shape is pinned per schema_version ----------------------------

# What each version of the JSON report holds. Changing a report's shape without bumping
# REPORT_SCHEMA_VERSION (and adding its shape here, and documenting it in the README) fails
# the test below; adding a key within a version means updating the pinned shape knowingly.
_V2 = {
        "report": (
            "schema_version", "tool", "source", "specs", "summary", "findings", "tables",
            "facts", "baseline", "baselined", "stale_baseline", "expired_baseline",
        ),
        "finding": (
            "table", "kind", "object", "severity", "expected", "actual", "message", "spec",
            "location", "caused_by", "fingerprint",
        ),
        "fact": ("id", "table", "subject", "key", "status", "expected", "actual", "spec", "reason"),
        "table": ("documented", "verified", "drift", "unverifiable"),
}  # fmt: skip
# 3 changed what RLS findings mean (rls_access_undocumented), not the shape.
_V4 = {**_V2, "report": (*_V2["report"], "usage")}
JSON_SHAPES: dict[int, dict[str, tuple[str, ...]]] = {2: _V2, 3: _V2, 4: _V4}


def test_json_report_shape_is_pinned_per_version() -> None:
    from schemaverify.model.facts import DRIFT, Fact
    from schemaverify.model.findings import REPORT_SCHEMA_VERSION, make
    from schemaverify.model.schema import TypeRef
    from schemaverify.pipeline.report import Report
    from schemaverify.reports.json_report import report_dict

    finding = make("public.t", "column_type_mismatch", "a", "m", expected=TypeRef("integer"))
    fact = Fact("public.t", "column.type", "a", DRIFT, TypeRef("bigint"), TypeRef("integer"), "x:1")
    data = report_dict(Report(findings=(finding,), facts=(fact,), tables_checked=1))
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert REPORT_SCHEMA_VERSION in JSON_SHAPES, "a new report version: pin its shape here"
    shape = JSON_SHAPES[REPORT_SCHEMA_VERSION]
    assert tuple(data) == shape["report"]
    assert tuple(data["findings"][0]) == shape["finding"]
    assert tuple(data["facts"][0]) == shape["fact"]
    assert tuple(data["tables"]["public.t"]) == shape["table"]
    # Values are data in facts, and text in findings (their version-1 form).
    assert data["facts"][0]["expected"] == "bigint"
    assert data["findings"][0]["expected"] == "integer"


def test_readme_documents_every_fact_subject() -> None:
    from schemaverify.rules import subjects_produced

    text = README.read_text(encoding="utf-8")
    section = text.split("**Facts.**")[1].split("## Report formats")[0]
    for subject in subjects_produced():
        assert f"`{subject}`" in section, subject
