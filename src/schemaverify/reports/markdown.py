"""Markdown report: a pull-request comment or job summary that reviewers read in place.

A summary table first (counts by severity, tables checked, the verdict at
`--fail-on`), then one collapsible section per table so a long report stays
short on screen.  Consequences sit under their root cause, marked `↳`, as in
the terminal report.  Every string from the model is escaped for where it
lands (`escape.markdown` in cells, `escape.html_text` inside `<summary>`):
finding texts hold SQL (`|`, `*`, `<`, backticks) that would otherwise break
the table or vanish as HTML, and names come from a database that anyone with
CREATE may have named (a blank line, `</summary>`, `@someone`, a link).
The output holds no timestamp and only the paths in the findings, so two runs
on the same database give the same comment.

GitHub rejects comments over 65,536 characters, so sections are left off past
`LIMIT` with a line saying how many; the JSON or SARIF report has them all.
"""

from __future__ import annotations

from schemaverify.escape import html_text, log_safe, markdown
from schemaverify.model.findings import SEVERITIES, Finding
from schemaverify.pipeline.report import (
    CHECK,
    NOT_READ,
    Report,
    checked_text,
    clean_text,
    consequences_of,
    folded_text,
    group_title,
)
from schemaverify.reports import baseline_view as baseline

LIMIT = 60_000
MAX_NOTES = 50
ICONS = {"error": "🔴", "warning": "🟡", "info": "🔵"}


def cell(text: str) -> str:
    """A table cell or list item: every string from the model goes through here."""
    return markdown(text)


def _title(table: str, findings: list[Finding]) -> str:
    return group_title(table, findings)


def _ordered(findings: list[Finding]) -> list[tuple[Finding, bool]]:
    """Roots in report order, each followed by its consequences (flagged True)."""
    prints = {f.fingerprint for f in findings}
    children: dict[str, list[Finding]] = {}
    roots = []
    for f in findings:
        if f.caused_by and f.caused_by in prints:
            children.setdefault(f.caused_by, []).append(f)
        else:
            roots.append(f)
    ordered = []
    for f in roots:
        ordered.append((f, False))
        ordered.extend((child, True) for child in children.get(f.fingerprint, []))
    return ordered


def _plural(n: int, noun: str) -> str:
    """`1 finding`, `2 findings`: every count the comment prints."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _counts(findings: list[Finding]) -> str:
    parts = []
    for severity in SEVERITIES:
        n = sum(1 for f in findings if f.severity == severity)
        if n:
            parts.append(f"{n} {severity}")
    return ", ".join(parts)


def _cause(f: Finding, by_print: dict[str, Finding]) -> str:
    """The root cause in words when it is in the same table, else its fingerprint."""
    root = by_print.get(f.caused_by or "")
    if root is None:
        return cell(f.caused_by or "")
    return f"`{root.kind}` {cell(root.object or '')}".rstrip()


def _section(table: str, findings: list[Finding]) -> str:
    lines = [
        f"<details><summary><b>{html_text(_title(table, findings))}</b>: "
        f"{html_text(_counts(findings))}</summary>",
        "",
        "| severity | kind | object | message | where |",
        "| --- | --- | --- | --- | --- |",
    ]
    by_print = {f.fingerprint: f for f in findings}
    children = consequences_of(findings) if not table else {}
    for f, folded in _ordered(findings):
        if folded and not table:
            continue  # migration consequences: one line under their root, below
        severity = f"{ICONS.get(f.severity, '')} {f.severity}"
        kind = f"↳ `{f.kind}`" if folded else f"`{f.kind}`"
        message = cell(f.message)
        if f.caused_by:
            message += f" <br>_follows from_ {_cause(f, by_print)}"
        lines.append(
            f"| {severity} | {kind} | {cell(f.object or '')} | {message} "
            f"| {cell(f.location or f.spec or '')} |"
        )
        group = children.get(f.fingerprint)
        if group:
            lines.append(
                f"| {severity} | ↳ {len(group)} consequence{'' if len(group) == 1 else 's'} "
                f"| | {cell(folded_text(group))} | |"
            )
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _summary(report: Report) -> list[str]:
    s = report.summary
    verdict = "❌ fail" if report.failed else "✅ pass"
    lines = [
        "| | |",
        "| --- | ---: |",
        *(f"| {ICONS[k]} {k} | {s.by_severity[k]} |" for k in SEVERITIES),
        f"| tables checked | {s.tables_checked if report.schema_read else f'0 ({NOT_READ})'} |",
    ]
    counts = report.migrations
    if counts is not None:
        lines.append(
            "| migration files applied / failed / skipped | "
            f"{counts.get('applied', 0)} / {counts.get('failed', 0)} / {counts.get('skipped', 0)} "
            f"(of {counts.get('files', 0)}) |"
        )
    if s.consequences:
        lines.append(f"| root causes / consequences | {s.root_causes} / {s.consequences} |")
    outcome = report.baseline
    if outcome is not None:
        lines.append(f"| accepted by the baseline | {len(outcome.suppressed)} |")
        if outcome.stale:
            lines.append(f"| stale baseline entries | {len(outcome.stale)} |")
        if outcome.expired:
            lines.append(f"| expired baseline entries | {len(outcome.expired)} |")
    lines.append(f"| gate (`--fail-on {report.fail_on}`) | {verdict} |")
    return lines


def _baseline_notes(report: Report) -> list[str]:
    """Stale and expired entries, reasons for accepted drift: what a reviewer should act on."""
    notes = baseline.notes(report)
    if not notes:
        return []
    path = report.baseline.path if report.baseline else ""
    shown = [f"- {cell(text)}" for _style, text in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        shown.append(f"- _and {len(notes) - MAX_NOTES} more_")
    return [
        f"<details><summary>baseline <code>{html_text(path)}</code>: "
        f"{_plural(len(notes), 'note')}</summary>",
        "",
        *shown,
        "",
        "</details>",
        "",
    ]


def render(report: Report) -> str:
    from schemaverify.reports.paths import rooted  # places from the repository root

    report = rooted(report)
    s = report.summary
    if not report.findings and not report.failed:
        # `clean_text`: in the words of the command (only check has specs to match).
        clean = clean_text(report)
        many = report.command == CHECK and s.tables_checked != 1
        line = f"All {clean}" if many else clean[:1].upper() + clean[1:]
        if report.baseline is not None and report.baseline.suppressed:
            accepted = _plural(len(report.baseline.suppressed), "finding")
            line += f" (with {accepted} accepted by the baseline)"
        return log_safe(
            "\n".join(["## schemaverify ✅", "", line + ".", "", *_baseline_notes(report)])
        )
    status = "❌" if report.failed else "✅"
    head = [
        f"## schemaverify {status}",
        "",
        (
            f"**{_plural(s.total, 'finding')}** {checked_text(report)}."
            if report.schema_read
            else f"**{_plural(s.total, 'finding')}**; {NOT_READ}."
        ),
        "",
        *_summary(report),
        "",
        *_baseline_notes(report),
    ]
    text = "\n".join(head) + "\n"
    groups = list(report.by_table().items())
    for shown, (table, findings) in enumerate(groups):
        section = _section(table, findings)
        if len(text) + len(section) > LIMIT:
            left = len(groups) - shown
            more = f"{_plural(left, 'more table')} with findings {'is' if left == 1 else 'are'}"
            text += f"_{more} left off to fit a comment._\n"
            break
        text += section + "\n"
    # Printed in a CI job, the comment is also log lines: none may be a workflow command.
    return log_safe(text.rstrip("\n") + "\n")
