"""JSON report: a versioned public contract consumed by doc-merging tools.

Shape (schema_version 2) is documented in the README; keys are only ever
added.  Output is deterministic: findings are already sorted and keys are
emitted in a fixed order.
"""

from __future__ import annotations

import json
from typing import Any

from schemaverify import __version__
from schemaverify.jsontext import dumps as dumps
from schemaverify.jsontext import escape_surrogates as escape_surrogates
from schemaverify.model import values
from schemaverify.model.facts import Fact, per_table
from schemaverify.model.findings import REPORT_SCHEMA_VERSION, Finding
from schemaverify.pipeline.report import Report
from schemaverify.reports.baseline_view import report_fields, summary_fields


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "table": f.table or None,
        "kind": f.kind,
        "object": f.object,
        "severity": f.severity,
        "expected": values.shown(f.expected),
        "actual": values.shown(f.actual),
        "message": f.message,
        "spec": f.spec,
        "location": f.location,
        "caused_by": f.caused_by,
        "fingerprint": f.fingerprint,
    }


def fact_dict(fact: Fact) -> dict[str, Any]:
    return {
        "id": fact.id,
        "table": fact.table,
        "subject": fact.subject,
        "key": fact.key,
        "status": fact.status,
        "expected": values.data(fact.expected),
        "actual": values.data(fact.actual),
        "spec": fact.spec,
        "reason": fact.reason,
    }


def tables_dict(report: Report) -> dict[str, dict[str, int]]:
    """Per documented table: how many statements its spec makes and what became of them."""
    return {
        table: {
            "documented": counts.documented,
            "verified": counts.verified,
            "drift": counts.drift,
            "unverifiable": counts.unverifiable,
        }
        for table, counts in per_table(report.facts).items()
    }


def report_dict(report: Report) -> dict[str, Any]:
    summary = report.summary
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "schemaverify", "version": __version__},
        "source": report.source,
        "specs": report.specs,
        "summary": {
            "tables_checked": summary.tables_checked,
            "schema_read": report.schema_read,
            "tables_with_findings": summary.tables_with_findings,
            "findings": summary.total,
            "error": summary.by_severity["error"],
            "warning": summary.by_severity["warning"],
            "info": summary.by_severity["info"],
            "root_causes": summary.root_causes,
            "consequences": summary.consequences,
            "fail_on": report.fail_on,
            "failed": report.failed,
            **summary_fields(report),
            "schemas": summary.by_schema,
        },
        "findings": [finding_dict(f) for f in report.findings],
        "tables": tables_dict(report),
        "facts": [fact_dict(f) for f in report.facts],
        **report_fields(report, finding_dict),
    }


def render(report: Report) -> str:
    """The report as indented JSON, with each fact on one line.

    A fully specified schema has some forty facts per table: indented field by field they
    were most of a large report's size, and `json.dumps(indent=...)` runs Python's own
    encoder, not the C one (0.8 s of a 2 s check at 200 tables).  One compact line per
    fact, in the array's place, is the same JSON and diffs as well.
    """
    data = report_dict(report)
    facts = data.pop("facts")
    rows = ["    " + _COMPACT(fact) for fact in facts]
    layout = "[\n" + ",\n".join(rows) + "\n  ]" if rows else "[]"
    data["facts"] = _PLACEHOLDER
    # `facts` is the last key, so the last occurrence is the placeholder, whatever the
    # strings before it hold.
    head, _, tail = dumps(data).rpartition(f'"{_PLACEHOLDER}"')
    return head + escape_surrogates(layout) + tail


_PLACEHOLDER = "schemaverify:facts"
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=str).encode
