"""JSON report: a versioned public contract consumed by doc-merging tools.

Shape (schema_version 4) is documented in the README; keys are only ever
added.  Output is deterministic: findings are already sorted and keys are
emitted in a fixed order.
"""

from __future__ import annotations

import json
import json.encoder
import secrets
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from schemaverify import __version__
from schemaverify.jsontext import dumps as dumps
from schemaverify.jsontext import escape_surrogates as escape_surrogates
from schemaverify.model import values
from schemaverify.model.facts import Fact, TableFacts, per_table
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
    return _document(
        report,
        findings=[finding_dict(f) for f in report.findings],
        tables=tables_dict(report),
        facts=[fact_dict(f) for f in report.facts],
    )


def _document(report: Report, *, findings: Any, tables: Any, facts: Any) -> dict[str, Any]:
    """The report's fields in their fixed order, its three large arrays given: built, or
    placeholders that `render_chunks` streams in place of."""
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
        "findings": findings,
        "tables": tables,
        "facts": facts,
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
    """The report as one string (see `render_chunks`, which writers use instead)."""
    return "".join(render_chunks(report))


_SECTIONS = ("findings", "tables", "facts")
"""The arrays that grow with the schema, streamed in place of placeholders, in key order."""

_BATCH = 2048
"""Items per chunk: ~0.5 MB of facts, few enough writes, little text held at a time."""


def render_chunks(report: Report) -> Iterator[str]:
    """The report as indented JSON, each fact on one line, in pieces that concatenate to it.

    A fully specified schema has some fifty facts per table: 10,000 tables make 570,000
    facts and a 185 MB report.  Built whole (a dict per fact, then one string) it held a
    gigabyte at once and took 8 s; streamed, the large arrays are written a batch at a
    time and each fact is spelled directly from its fields (`_fact_line`), so only one
    batch of text is alive.  Indented field by field, facts were most of a large report's size, and
    `json.dumps(indent=...)` runs Python's own encoder, not the C one: one compact line per
    fact, in the array's place, is the same JSON and diffs as well.

    The rest of the document is small and is still written by `dumps`, with a placeholder
    per large array: a fresh random token, checked to occur once (the report's strings come
    from hostile databases, baselines and code, and could spell any fixed one).
    """
    while True:
        token = secrets.token_hex(16)
        holders = {name: f'"schemaverify:{name}:{token}"' for name in _SECTIONS}
        text = dumps(_document(report, **{name: h[1:-1] for name, h in holders.items()}))
        if all(text.count(h) == 1 for h in holders.values()):
            break
    streams = {
        "findings": _findings(report.findings),
        "tables": _tables(report),
        "facts": _facts(report.facts),
    }
    for name in _SECTIONS:
        head, _, text = text.partition(holders[name])
        yield head
        for chunk in streams[name]:
            yield escape_surrogates(chunk)
    yield text


def _findings(findings: Sequence[Finding]) -> Iterator[str]:
    """The findings array as `dumps` indents it at depth 1: each finding indented alone,
    its lines shifted by the two levels above it (a JSON string holds no raw newline)."""
    if not findings:
        yield "[]"
        return
    yield "[\n"
    for start in range(0, len(findings), _BATCH):
        batch = findings[start : start + _BATCH]
        items = map(_finding_text, batch)
        sep = "" if start + _BATCH >= len(findings) else ",\n"
        yield ",\n".join(items) + sep
    yield "\n  ]"


def _finding_text(finding: Finding) -> str:
    """One finding as `dumps` indents it at depth 2; spelled directly when every value is a
    string, a number, a boolean or null (a `table_undocumented` of each of ten thousand
    tables), by the indenting encoder otherwise (a value with a structure of its own)."""
    fields = finding_dict(finding)
    try:
        return (
            "    {\n"
            + ",\n".join(
                [f"      {_string(key)}: {_plain(value)}" for key, value in fields.items()]
            )
            + "\n    }"
        )
    except TypeError:
        return "    " + json.dumps(fields, indent=2, ensure_ascii=False, default=str).replace(
            "\n", "\n    "
        )


def _plain(value: Any) -> str:
    """A JSON scalar as the encoder spells it; TypeError for anything else."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    raise TypeError(kind.__name__)


def _tables(report: Report) -> Iterator[str]:
    """`tables_dict` as `dumps` indents it at depth 1, spelled directly (10,000 entries)."""
    counts = list(per_table(report.facts).items())
    if not counts:
        yield "{}"
        return
    yield "{\n"
    for start in range(0, len(counts), _BATCH):
        sep = "" if start + _BATCH >= len(counts) else ",\n"
        yield (
            ",\n".join(_table_entry(table, c) for table, c in counts[start : start + _BATCH]) + sep
        )
    yield "\n  }"


def _table_entry(table: str, c: TableFacts) -> str:
    try:
        return (
            f'    {_string(table)}: {{\n      "documented": {c.documented},\n'
            f'      "verified": {c.verified},\n      "drift": {c.drift},\n'
            f'      "unverifiable": {c.unverifiable}\n    }}'
        )
    except TypeError:  # a name that is not a string: as `dumps` spells the key
        entry = dumps(
            {
                table: {
                    "documented": c.documented,
                    "verified": c.verified,
                    "drift": c.drift,
                    "unverifiable": c.unverifiable,
                }
            }
        )
        return "  " + entry[2:-3].replace("\n", "\n  ")


def _facts(facts: Sequence[Fact]) -> Iterator[str]:
    """The facts array: one compact line per fact, as `_COMPACT(fact_dict(fact))` spells it."""
    if not facts:
        yield "[]"
        return
    yield "[\n"
    for start in range(0, len(facts), _BATCH):
        sep = "" if start + _BATCH >= len(facts) else ",\n"
        yield ",\n".join(map(_fact_line, facts[start : start + _BATCH])) + sep
    yield "\n  ]"


def _fact_line(fact: Fact) -> str:
    """`"    " + _COMPACT(fact_dict(fact))`, without the dict: the fields are strings, None
    or a value whose `values.data` is one in nearly every fact (a type, a nullability),
    each spelled by the encoder's own string function.  A field that is not the type it
    is declared (the string function refuses it) sends the fact the old way."""
    try:
        return (
            f'    {{"id": {_string(fact.id)}, "table": {_string(fact.table)}, '
            f'"subject": {_string(fact.subject)}, "key": {_scalar(fact.key)}, '
            f'"status": {_string(fact.status)}, '
            f'"expected": {_scalar(values.data(fact.expected))}, '
            f'"actual": {_scalar(values.data(fact.actual))}, "spec": {_scalar(fact.spec)}, '
            f'"reason": {_scalar(fact.reason)}}}'
        )
    except TypeError:
        return "    " + _COMPACT(fact_dict(fact))


def _scalar(value: Any) -> str:
    """One JSON value as `_COMPACT` spells it, the common types without its overhead."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is not list:
        try:
            return _plain(value)
        except TypeError:
            return _COMPACT(value)
    # A list of strings (column names, access kinds, allowed values): a third of the
    # values of a large report.  Any other item makes the string function refuse.
    try:
        return f"[{', '.join(map(_string, value))}]"
    except TypeError:
        return _COMPACT(value)


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=str).encode
_string: Callable[[str], str] = json.encoder.encode_basestring
"""The function the encoder itself spells a string with (`ensure_ascii=False`): the C one."""
