"""`advise` as a run: the advice on a live side, through the one pipeline, as a Report, so
every format, baselines and the gate apply."""

from __future__ import annotations

from collections.abc import Mapping

from schemaverify.pipeline import Pipeline
from schemaverify.pipeline.report import ADVISE, Report
from schemaverify.rules.advise import AdviceOptions, advise
from schemaverify.sources.live import LiveSide


def advice_report(
    live: LiveSide,
    options: AdviceOptions,
    *,
    fail_on: str = "error",
    severity: Mapping[str, str] | None = None,
) -> Report:
    """The advice on a live side as a Report, so every format, baselines and the gate
    apply.  Findings of the source itself (a failed migration) come first, as in check;
    `severity` overrides kinds' default severities (the configuration's `severity`)."""
    findings = list(live.findings)
    catalog = live.catalog
    if catalog is not None:
        findings.extend(advise(catalog, options))
    # The relations advised on.  Advice on a function names the function as its `table`:
    # the summary counts only these among "N of M tables" (Report.summary).
    tables = tuple(t.qualified for t in catalog.tables) if catalog is not None else ()
    return Report(
        findings=Pipeline(severity=dict(severity or {})).run(findings),
        tables_checked=len(tables),
        source=dict(live.description),
        fail_on=fail_on,
        tables=tables,
        schema_read=catalog is not None,
        command=ADVISE,
    )
