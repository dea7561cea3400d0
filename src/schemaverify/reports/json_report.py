"""JSON report: a versioned public contract consumed by doc-merging tools.

Shape (schema_version 4) is documented in the README; keys are only ever
added.  Output is deterministic: findings are already sorted and keys are
emitted in a fixed order.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from schemaverify import __version__
from schemaverify.jsontext import dumps as dumps
from schemaverify.jsontext import escape_surrogates as escape_surrogates
from schemaverify.model import values
from schemaverify.model.facts import Fact, per_table
from schemaverify.model.findings import REPORT_SCHEMA_VERSION, Finding
from schemaverify.model.usage import CodeReference, Usage
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
        "usage": usage_dict(report.usage) if report.usage is not None else None,
    }


def reference_dict(ref: CodeReference) -> dict[str, Any]:
    return {
        "path": ref.path,
        "line": ref.line,
        "column": ref.column,
        "via": ref.via,
        "operation": ref.operation,
        "target": ref.target,
        "schema": ref.schema,
        "name": ref.name,
        "columns": list(ref.columns),
        "all_columns": ref.all_columns,
        "partial": ref.partial,
        "privilege": ref.privilege,
        "embedded_in": ref.embedded_in,
        "unresolved": ref.unresolved,
    }


def usage_dict(usage: Usage) -> dict[str, Any]:
    """The code references of `schemaverify usage`: per relation or function the code
    reaches (what doc merges into each table's Usage line), and the rest."""
    reached = {id(ref) for _, refs in usage.by_object for ref in refs}
    return {
        "code": usage.code,
        "files": usage.files,
        "lines": usage.lines,
        "references": len(usage.references),
        "objects": {name: [reference_dict(ref) for ref in refs] for name, refs in usage.by_object},
        "buckets": [reference_dict(r) for r in usage.references if r.target == "bucket"],
        "unresolved": [reference_dict(r) for r in usage.references if r.unresolved is not None],
        "unmatched": [
            reference_dict(r)
            for r in usage.references
            if id(r) not in reached and r.unresolved is None and r.target != "bucket"
        ],
        "problems": list(usage.problems),
    }


def render(report: Report) -> str:
    """The report as indented JSON, with each fact on one line.

    A fully specified schema has some forty facts per table: indented field by field they
    were most of a large report's size, and `json.dumps(indent=...)` runs Python's own
    encoder, not the C one (0.8 s of a 2 s check at 200 tables).  One compact line per
    fact, in the array's place, is the same JSON and diffs as well.
    """
    data = report_dict(report)
    facts = data["facts"]
    rows = ["    " + _COMPACT(fact) for fact in facts]
    layout = "[\n" + ",\n".join(rows) + "\n  ]" if rows else "[]"
    # A placeholder that occurs once: a fresh random token (the report's strings come from
    # hostile databases, baselines and code, and could spell any fixed one).
    while True:
        placeholder = f'"schemaverify:facts:{secrets.token_hex(16)}"'
        data["facts"] = placeholder[1:-1]
        text = dumps(data)
        if text.count(placeholder) == 1:
            break
    head, _, tail = text.partition(placeholder)
    return head + escape_surrogates(layout) + tail


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=str).encode
