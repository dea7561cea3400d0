"""SARIF 2.1.0 report: findings as static-analysis results for code-scanning tools.

GitHub code scanning (and other SARIF viewers) turn each result into an alert
on the spec line that states what the database violates, and track alerts
across runs by `partialFingerprints`, so the stable finding fingerprint goes
there.  Every finding kind is a rule (whether or not it fired in this run) so
that a viewer can explain any kind from the file alone.

Code scanning rejects results without a physical location, so a finding
without a place (`table_undocumented`: there is no spec to point at) points
at the specs folder, where the missing spec belongs, and names its table as a
logical location.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from schemaverify import __version__
from schemaverify.model import values
from schemaverify.model.findings import KINDS, Finding
from schemaverify.pipeline.report import Report, place_of
from schemaverify.reports.json_report import dumps
from schemaverify.reports.paths import rooted

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "schemaverify/v1"
"""Key of the finding fingerprint in `partialFingerprints`; bumped only if fingerprints change."""

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def artifact_location(path: str) -> dict[str, str]:
    """A relative path (already relative to the repository root: see `paths.rooted`) is
    relative to `%SRCROOT%`, which is what code scanning resolves against; an absolute one,
    a file outside the repository, becomes a `file:` URI."""
    if PurePath(path).is_absolute():
        return {"uri": PurePath(path).as_uri()}
    # surrogateescape: an undecodable byte of a file name is that byte, percent-encoded.
    uri = quote(PurePath(path).as_posix(), safe="/", errors="surrogateescape")
    return {"uri": uri, "uriBaseId": SRCROOT}


def _rule(name: str) -> dict[str, Any]:
    kind = KINDS[name]
    return {
        "id": kind.name,
        "name": "".join(part.capitalize() for part in kind.name.split("_")),
        "shortDescription": {"text": kind.summary},
        "fullDescription": {"text": kind.help},
        "help": {"text": kind.help},
        "defaultConfiguration": {"level": LEVELS[kind.severity]},
        "properties": {"tags": ["schemaverify"]},
    }


def _locations(f: Finding, specs: str | None) -> list[dict[str, Any]]:
    location: dict[str, Any] = {}
    place = place_of(f)
    if place is not None:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(place.path)}
        if place.line is not None:
            region: dict[str, int] = {"startLine": place.line}
            if place.column is not None:
                region["startColumn"] = place.column
            physical["region"] = region
        location["physicalLocation"] = physical
    elif specs:
        location["physicalLocation"] = {"artifactLocation": artifact_location(specs)}
    if f.table:
        location["logicalLocations"] = [
            {"name": f.table.rpartition(".")[2], "fullyQualifiedName": f.table, "kind": "table"}
        ]
    return [location] if location else []


def _related(root: Finding) -> list[dict[str, Any]]:
    """The root failure a consequence follows from, as a related location."""
    place = place_of(root)
    if place is None:
        return []
    physical: dict[str, Any] = {"artifactLocation": artifact_location(place.path)}
    if place.line is not None:
        region: dict[str, int] = {"startLine": place.line}
        if place.column is not None:
            region["startColumn"] = place.column
        physical["region"] = region
    return [{"id": 0, "physicalLocation": physical, "message": {"text": "caused by this failure"}}]


def _result(
    f: Finding,
    rule_index: dict[str, int],
    specs: str | None,
    roots: dict[str, Finding] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.kind,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": _locations(f, specs),
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "table": f.table or None,
            "object": f.object,
            "severity": f.severity,
            "expected": values.shown(f.expected),
            "actual": values.shown(f.actual),
            "caused_by": f.caused_by,
        },
    }
    root = (roots or {}).get(f.caused_by or "")
    related = _related(root) if root is not None else []
    if related:
        result["relatedLocations"] = related
    if f.kind in rule_index:
        result["ruleIndex"] = rule_index[f.kind]
    if not result["locations"]:
        del result["locations"]
    return result


def sarif_dict(report: Report) -> dict[str, Any]:
    report = rooted(report)
    names = list(KINDS)
    rule_index = {name: i for i, name in enumerate(names)}
    summary = report.summary
    roots = {f.fingerprint: f for f in report.findings}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "schemaverify",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(name) for name in names],
                    }
                },
                "originalUriBaseIds": {
                    SRCROOT: {
                        "description": {
                            "text": "The repository root: $GITHUB_WORKSPACE, else the nearest "
                            "folder holding .git, else the directory schemaverify ran in."
                        }
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index, report.specs, roots) for f in report.findings],
                "properties": {
                    "tables_checked": summary.tables_checked,
                    "schema_read": report.schema_read,
                    "fail_on": report.fail_on,
                    "failed": report.failed,
                    **({"migrations": report.migrations} if report.migrations else {}),
                },
            }
        ],
    }


def render(report: Report) -> str:
    return dumps(sarif_dict(report))
