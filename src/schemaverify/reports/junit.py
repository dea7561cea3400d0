"""JUnit XML report: each checked table as a test case, for CI test-report views.

GitLab, Jenkins, Azure DevOps and most CI systems show JUnit files as test
results, so a spec check reads like a test run: one `<testcase>` per table
(documented tables without findings pass), one `<testcase name="migrations">`
for the migration findings.

A finding that trips the `--fail-on` gate is a `<failure>` (one per finding,
`type` = kind); findings below the gate are listed in the test case's
`<system-out>` so they stay visible without failing it.  That way the JUnit
view and the exit code always agree: `failures` (the number of failing test
cases, never more than `tests`) is 0 exactly when the check passed.  Stale
baseline entries get a `<testcase name="baseline">`, failing only under
`--fail-on-stale`, the one way they fail a check.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from schemaverify.model import values
from schemaverify.model.findings import KINDS, Finding, at_or_above
from schemaverify.pipeline.report import Report, place_of
from schemaverify.reports.paths import rooted

SUITE = "schemaverify"
MIGRATIONS = "migrations"
BASELINE = "baseline"

# Characters XML 1.0 cannot carry at all (SQL error texts may hold any of them), and lone
# surrogates (an undecodable byte of a file name), which no encoder writes.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _value(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def failure_text(f: Finding) -> str:
    """What a reader needs without opening another report: where, expected, actual, cause."""
    lines = []
    where = f.location or f.spec
    if where:
        lines.append(where)
    kind = KINDS.get(f.kind)
    lines.append(f"{f.severity} {f.kind}" + (f": {kind.summary}" if kind else ""))
    if f.object:
        lines.append(f"object: {f.object}")
    if f.expected is not None or f.actual is not None:
        lines.append(f"expected: {_value(values.shown(f.expected))}")
        lines.append(f"actual: {_value(values.shown(f.actual))}")
    if f.caused_by:
        lines.append(f"caused by: {f.caused_by}")
    return "\n".join(lines)


def _case_names(report: Report) -> list[str]:
    """Migrations first (they come before any table), then every table, sorted."""
    grouped = report.by_table()
    names = sorted(set(report.tables) | {t for t in grouped if t})
    has_migrations = "" in grouped or report.source.get("kind") == "migrations"
    return [""] * has_migrations + names


def _testcase(suite: ET.Element, name: str, findings: list[Finding], fail_on: str) -> bool:
    case = ET.SubElement(
        suite, "testcase", {"classname": SUITE, "name": _clean(name or MIGRATIONS)}
    )
    spec_files = [p.path for f in findings if f.spec and (p := place_of(f)) is not None]
    if name and spec_files:
        case.set("file", _clean(spec_files[0]))
    quiet = []
    failed = False
    for f in findings:
        if at_or_above(f.severity, fail_on):
            failure = ET.SubElement(case, "failure", {"message": _clean(f.message), "type": f.kind})
            failure.text = _clean(failure_text(f))
            failed = True
        else:
            quiet.append(f"{f.severity} {f.kind}: {f.message} [{f.location or f.spec or '-'}]")
    if quiet:
        ET.SubElement(case, "system-out").text = _clean("\n".join(quiet))
    return failed


def _baseline_case(suite: ET.Element, report: Report) -> bool:
    """Stale baseline entries (their drift was fixed): failures under `--fail-on-stale`, which
    fails the check, otherwise listed in `<system-out>`."""
    outcome = report.baseline
    assert outcome is not None
    case = ET.SubElement(suite, "testcase", {"classname": SUITE, "name": BASELINE})
    case.set("file", _clean(outcome.path))
    lines = [
        f"stale baseline entry {e.fingerprint} ({outcome.path}:{e.line}): the finding no "
        "longer occurs, remove the entry"
        for e in outcome.stale
    ]
    if not outcome.failed:
        ET.SubElement(case, "system-out").text = _clean("\n".join(lines))
        return False
    for entry, text in zip(outcome.stale, lines, strict=True):
        failure = ET.SubElement(
            case, "failure", {"message": _clean(text), "type": "baseline_stale"}
        )
        failure.text = _clean(f"{outcome.path}:{entry.line}\n{entry.fingerprint}")
    return True


def junit_tree(report: Report) -> ET.Element:
    # `file` attributes and places are paths from the repository root, as CI views resolve.
    report = rooted(report)
    grouped = report.by_table()
    root = ET.Element("testsuites", {"name": SUITE})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE})
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("source", str(report.source.get("description") or report.source.get("dsn") or "")),
        # No specs property where no spec was involved (diff, advise without --specs).
        *([("specs", report.specs)] if report.specs else []),
        ("fail_on", report.fail_on),
    ):
        ET.SubElement(properties, "property", {"name": key, "value": _clean(value)})
    names = _case_names(report)
    failures = sum(_testcase(suite, n, grouped.get(n, []), report.fail_on) for n in names)
    tests = len(names)
    if report.baseline is not None and report.baseline.stale:
        tests += 1
        failures += _baseline_case(suite, report)
    for element in (root, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
        element.set("skipped", "0")
    return root


def render(report: Report) -> str:
    tree = junit_tree(report)
    ET.indent(tree)
    body = ET.tostring(tree, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
