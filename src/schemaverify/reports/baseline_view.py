"""How a baseline's outcome is shown: the JSON fields, the terminal notes and summary
suffix.  The baseline itself (pipeline/baseline.py) only decides which findings it
accepts; these display choices belong to the renderers."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from schemaverify.escape import visible
from schemaverify.model.findings import Finding
from schemaverify.pipeline.baseline import Entry, Suppressed
from schemaverify.pipeline.report import Report


def summary_fields(report: Report) -> dict[str, int]:
    """Counts added to the JSON report's `summary` (always present, 0 without a baseline)."""
    outcome = report.baseline
    return {
        "baselined": len(outcome.suppressed) if outcome else 0,
        "stale": len(outcome.stale) if outcome else 0,
        "baseline_expired": len(outcome.expired) if outcome else 0,
    }


def report_fields(
    report: Report, finding_dict: Callable[[Finding], dict[str, Any]]
) -> dict[str, Any]:
    """Top-level fields added to the JSON report (keys only ever added to the contract)."""
    outcome = report.baseline
    if outcome is None:
        return {"baseline": None, "baselined": [], "stale_baseline": [], "expired_baseline": []}

    def suppressed(item: Suppressed) -> dict[str, Any]:
        shown = finding_dict(item.finding)
        shown["baseline"] = {"reason": item.entry.reason, "expires": _iso(item.entry.expires)}
        return shown

    return {
        "baseline": {
            "path": outcome.path,
            "entries": outcome.entries,
            "fail_on_stale": outcome.fail_on_stale,
        },
        "baselined": [suppressed(item) for item in outcome.suppressed],
        "stale_baseline": [e.as_dict() for e in outcome.stale],
        "expired_baseline": [e.as_dict() for e in (item.entry for item in outcome.expired)],
    }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def notes(report: Report) -> list[tuple[str, str]]:
    """Terminal notes as (style, text): expired entries, stale entries, reasons given."""
    outcome = report.baseline
    if outcome is None:
        return []
    lines: list[tuple[str, str]] = []
    for item in outcome.expired:
        lines.append(
            (
                "yellow",
                f"baseline entry {item.entry.fingerprint} expired on {_iso(item.entry.expires)}"
                f"{_because(item.entry)}: the finding counts again",
            )
        )
    for entry in outcome.stale:
        lines.append(
            (
                "bold red" if outcome.fail_on_stale else "cyan",
                f"stale baseline entry {entry.fingerprint} ({outcome.path}:{entry.line}): the "
                "finding no longer occurs, remove the entry",
            )
        )
    for item in outcome.suppressed:
        if item.entry.reason:
            until = f", until {_iso(item.entry.expires)}" if item.entry.expires else ""
            lines.append(
                ("dim", f"baselined {item.finding.fingerprint}: {item.entry.reason}{until}")
            )
    return lines


def summary_suffix(report: Report) -> str:
    """` (baseline FILE: 3 accepted, 1 stale)` for the terminal summary line, naming the
    file (a baseline may be applied because it was found, not named); '' without one."""
    outcome = report.baseline
    if outcome is None:
        return ""
    parts = [f"baseline {visible(outcome.path)}: {len(outcome.suppressed)} accepted"]
    if outcome.stale:
        parts.append(f"{len(outcome.stale)} stale")
    if outcome.expired:
        parts.append(f"{len(outcome.expired)} expired")
    return " (" + ", ".join(parts) + ")"


def _because(entry: Entry) -> str:
    return f" (reason: {entry.reason})" if entry.reason else ""
