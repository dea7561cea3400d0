"""The report: everything a renderer needs, and nothing about where it came from.

Renderers (one module per format) take a `Report` and return text; none of
them knows about the database, YAML or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from schemaverify.model.facts import Fact
from schemaverify.model.findings import Finding, Summary, at_or_above, summarize
from schemaverify.model.usage import Usage


def consequences_of(findings: tuple[Finding, ...] | list[Finding]) -> dict[str, list[Finding]]:
    """The findings caused by each root (by its fingerprint), for the formats that fold
    consequences under their cause."""
    prints = {f.fingerprint for f in findings}
    children: dict[str, list[Finding]] = {}
    for f in findings:
        if f.caused_by and f.caused_by in prints and f.caused_by != f.fingerprint:
            children.setdefault(f.caused_by, []).append(f)
    return children


if TYPE_CHECKING:
    from schemaverify.pipeline.baseline import Outcome


FOLDED_NAMES = 3
"""File names shown in the folded line of a root migration failure's consequences."""


def folded_text(group: list[Finding]) -> str:
    """`24 later failures caused by this one: a.sql, b.sql, c.sql and 21 more`."""
    files = list(dict.fromkeys(str(f.extra.get("file") or f.object or "") for f in group))
    shown = ", ".join(files[:FOLDED_NAMES])
    more = f" and {len(files) - FOLDED_NAMES} more" if len(files) > FOLDED_NAMES else ""
    noun = "later failure" if len(group) == 1 else "later failures"
    return f"{len(group)} {noun} caused by this one: {shown}{more}"


def group_title(table: str, findings: list[Finding]) -> str:
    """What a group of findings is about: its table, or for findings about no table the
    migrations (a failed statement) or the code (a reference `usage` could not resolve)."""
    if table:
        return table
    code = {f.kind.startswith("code_") for f in findings}
    return {frozenset({True}): "code", frozenset({True, False}): "migrations and code"}.get(
        frozenset(code), "migrations"
    )


NOT_READ = "no table was checked: the migrations failed before the schema could be read"

CHECK = "check"
DIFF = "diff"
ADVISE = "advise"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    tables_checked: int
    """The tables checked: documented ones for check, the `--from` tables for diff, every
    relation read for advise; 0 when no schema was read (the summary counts 0 then too)."""
    source: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Redacted description of the live side (kind, dsn/migrations/snapshot, server version)."""
    specs: str | None = None
    """The specs folder the check used."""
    fail_on: str = "error"
    tables: tuple[str, ...] = ()
    """Qualified names of the documented tables checked, in spec order, so that formats listing
    passing checks (JUnit) can show tables without findings; empty when no catalog was read
    (a failed migration stopped the run), so nothing is reported as passing unchecked."""
    baseline: Outcome | None = None
    """What `--baseline` did: findings it accepted (already left out of `findings`), stale
    and expired entries.  None when no baseline was used."""
    schemas: tuple[str, ...] = ()
    """The schemas checked (specs applied, or undocumented tables reported), globs resolved;
    empty when unknown (the summary then takes the schemas from the findings' tables)."""
    schema_read: bool = True
    """False when the live side produced no schema (a failed migration stopped the run):
    no table was checked, whatever the specs hold."""
    facts: tuple[Fact, ...] = ()
    """One per statement of the specs checked (facts.py): verified, drift or unverifiable."""
    usage: Usage | None = None
    """What `schemaverify usage` scanned and found; None for every other command."""
    command: str = CHECK
    """What compared the tables (CHECK, DIFF or ADVISE), so that summaries name what they
    were compared with: specs, the other environment, or nothing (`clean_text`)."""

    @property
    def migrations(self) -> dict[str, int] | None:
        """`{files, applied, failed, skipped}` of the migration run, if the source was one."""
        counts = self.source.get("migrations")
        return counts if isinstance(counts, dict) else None

    @property
    def summary(self) -> Summary:
        # No schema read (the migrations stopped first): no table was checked at all, however
        # many specs there were to check.
        checked = self.tables_checked if self.schema_read else 0
        summary = summarize(list(self.findings), checked, schemas=self.schemas, tables=self.tables)
        if not self.tables:
            return summary
        # "N of M tables": N counts only tables among the M.  A finding about something else
        # (advice on a function, an undocumented table) has a `table` too, and counted, it
        # made advise say "111 of 86 tables".
        listed = set(self.tables)
        within = len({f.table for f in self.findings if f.table in listed})
        return replace(summary, tables_with_findings=min(within, summary.tables_with_findings))

    @property
    def failed(self) -> bool:
        if self.baseline is not None and self.baseline.failed:
            return True
        return any(at_or_above(f.severity, self.fail_on) for f in self.findings)

    def by_table(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            grouped.setdefault(f.table, []).append(f)
        return grouped


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def source_text(report: Report) -> str:
    """The report's first line: `checked against SOURCE`; a diff compares two sources and
    checks nothing against either (`compared --from A with --to B`).  Empty without a source."""
    if report.command == DIFF:
        before, after = (_described(report.source.get(side)) for side in ("from", "to"))
        return f"compared --from {before} with --to {after}"
    shown = _described(report.source)
    return f"checked against {shown}" if shown else ""


def _described(source: object) -> str:
    if not isinstance(source, dict):
        return ""
    return str(source.get("description") or source.get("dsn") or "")


def clean_text(report: Report) -> str:
    """What a report without findings says of its tables, in the words of its command: only
    `check` has specs (`39 tables match their specs`)."""
    n = report.summary.tables_checked
    if report.command == DIFF:
        return _count(n, "table is the same", "tables are the same") + " in --from and --to"
    if report.command == ADVISE:
        return f"no advice on {_count(n, 'table', 'tables')}"
    return _count(n, "table matches its spec", "tables match their specs")


def checked_text(report: Report) -> str:
    """What was checked, after the findings count (`from checking 39 documented tables`)."""
    n = report.summary.tables_checked
    if report.command == DIFF:
        return f"from comparing {_count(n, 'table', 'tables')} of --from with --to"
    if report.command == ADVISE:
        return f"on {_count(n, 'table', 'tables')}"
    return f"from checking {_count(n, 'documented table', 'documented tables')}"


@dataclass(frozen=True)
class Place:
    """A finding's place in a file, parsed once for the formats that link to files
    (SARIF, GitHub annotations, JUnit, Markdown) instead of each splitting strings."""

    path: str
    line: int | None = None
    column: int | None = None


def place_of(finding: Finding) -> Place | None:
    """`location` (`path:line:column`, e.g. a migration statement) wins over `spec`
    (`path:line`), as in the terminal report; None for findings without a place."""
    text = finding.location or finding.spec
    return split_place(text) if text else None


def split_place(text: str) -> Place:
    """`path:line[:column]` parsed.  Numbers are taken from the right so that a path may
    itself contain colons."""
    numbers: list[int] = []
    path = text
    while len(numbers) < 2:
        head, sep, tail = path.rpartition(":")
        if not (sep and head and tail.isdigit()):
            break
        numbers.insert(0, int(tail))
        path = head
    if not numbers:
        return Place(text)
    return Place(path, numbers[0], numbers[1] if len(numbers) == 2 else None)
