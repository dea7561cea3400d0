"""JSON report: a versioned public contract consumed by doc-merging tools.

Shape (schema_version 1) is documented in the README; keys are only ever
added.  Output is deterministic: findings are already sorted and keys are
emitted in a fixed order.
"""

from __future__ import annotations

import json
from typing import Any

from . import __version__
from .baseline import report_fields, summary_fields
from .findings import REPORT_SCHEMA_VERSION, Finding
from .report import Report


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "table": f.table or None,
        "kind": f.kind,
        "object": f.object,
        "severity": f.severity,
        "expected": f.expected,
        "actual": f.actual,
        "message": f.message,
        "spec": f.spec,
        "location": f.location,
        "caused_by": f.caused_by,
        "fingerprint": f.fingerprint,
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
        **report_fields(report, finding_dict),
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False, default=str) + "\n"
