"""Terminal report: findings grouped by table, consequences folded under their cause.

Every string from the model goes through `escape.terminal` into a Rich `Text` (never a markup
string), and what is printed through `escape.log_safe`: the report is read in terminals and CI
logs, where a name must start no line, escape sequence or workflow command.

No width loses a character.  Cells and lines are broken by `Wrapped`, at spaces first, then
after the `/` of a path, then at the punctuation of an identifier (`_`, `.`, before `:`), and
only then between two characters; the columns that are never broken (severity, kind) are
measured first, and when what is left cannot hold an object and a readable message the report
is stacked instead, one block per finding.  A pipe, file or CI log has no width of its own:
`stdout_console` takes `COLUMNS` there, else `PIPE_WIDTH`, never Rich's 80-column guess.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import StringIO
from itertools import pairwise
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from schemaverify.escape import guarded, terminal
from schemaverify.model.findings import Finding
from schemaverify.pipeline.report import (
    NOT_READ,
    Report,
    clean_text,
    consequences_of,
    folded_text,
    group_title,
    source_text,
)
from schemaverify.reports import baseline_view as baseline

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}

PIPE_WIDTH = 160
"""Width of the report when standard output is no terminal and `COLUMNS` is not set: wide
enough for a CI log to show most findings on one line, and nothing is cut beyond it."""
OBJECT_MIN = 10
"""Narrowest object column of the table layout; an object wraps at its boundaries within it."""
OBJECT_MAX = 28
MESSAGE_MIN = 24
"""Narrowest message column of the table layout: narrower, and the report is stacked."""
_SEVERITY_WIDTH = len("severity")
_FRAME = 11
"""Borders (5) and inner padding (3 gaps of 2) of a four-column table without edge padding."""


# --- breaking lines -----------------------------------------------------------------------

_IDENTIFIER_AFTER = frozenset("_.,;-|)")
_IDENTIFIER_BEFORE = frozenset(":(")

Cuts = Callable[[str, int, int], list[int]]


def _at_spaces(s: str, a: int, b: int) -> list[int]:
    """Word starts after a run of spaces (not after the leading indent)."""
    first = next((i for i in range(a, b) if not s[i].isspace()), b)
    return [p for p in range(first + 1, b) if s[p - 1].isspace() and not s[p].isspace()]


def _after_slashes(s: str, a: int, b: int) -> list[int]:
    return [p for p in range(a + 1, b) if s[p - 1] == "/" and s[p] != "/"]


def _before_line_numbers(s: str, a: int, b: int) -> list[int]:
    """`file.sql` | `:12:1`: a place keeps its file name whole before its numbers."""
    return [p for p in range(a + 1, b) if s[p] == ":" and s[p + 1 : p + 2].isdigit()]


def _at_punctuation(s: str, a: int, b: int) -> list[int]:
    return [
        p
        for p in range(a + 1, b)
        if (s[p - 1] in _IDENTIFIER_AFTER and s[p] not in _IDENTIFIER_AFTER)
        or (s[p] in _IDENTIFIER_BEFORE and s[p - 1] not in _IDENTIFIER_BEFORE)
    ]


def _anywhere(s: str, a: int, b: int) -> list[int]:
    return list(range(a + 1, b))


_LEVELS: tuple[Cuts, ...] = (
    _at_spaces,
    _after_slashes,
    _before_line_numbers,
    _at_punctuation,
    _anywhere,
)


class _Breaker:
    """Greedy line filling over pieces that are cut finer only when one is too long alone."""

    def __init__(self, s: str, width: int) -> None:
        self.s = s
        self.width = max(1, width)
        self.lines: list[tuple[int, int]] = []
        self.start = 0
        self.end = 0

    def _fits(self, a: int, b: int) -> bool:
        return cell_len(self.s[a:b].rstrip()) <= self.width

    def place(self, a: int, b: int, levels: Sequence[Cuts]) -> None:
        if self._fits(self.start, b):
            self.end = b
            return
        if self.end > self.start:
            # A piece that does not fit starts the next line, even if it must be cut there:
            # a name or path then begins at a line start, where the eye looks for it.
            self.lines.append((self.start, self.end))
            self.start = self.end = a
            if self._fits(a, b):
                self.end = b
                return
        if not levels:  # one character wider than the whole line: alone on it
            self.end = b
            return
        bounds = [a, *levels[0](self.s, a, b), b]
        for x, y in pairwise(bounds):
            self.place(x, y, levels[1:])

    def done(self) -> list[tuple[int, int]]:
        if self.end > self.start or not self.lines:
            self.lines.append((self.start, self.end))
        return self.lines


def line_ranges(s: str, width: int, phrases: Sequence[int] = ()) -> list[tuple[int, int]]:
    """The `(start, end)` of each line of `s` (one line of text) broken to `width` cells.

    `phrases` are offsets where a break is preferred to any space (a summary line breaks
    between its parts, not inside "(15 root causes, 1 consequence)").  Trailing spaces of a
    line do not count against the width; no character is ever dropped."""
    breaker = _Breaker(s, width)
    levels: list[Cuts] = list(_LEVELS)
    if phrases:
        cuts = sorted(p for p in set(phrases) if 0 < p < len(s))
        levels.insert(0, lambda _s, a, b: [p for p in cuts if a < p < b])
    breaker.place(0, len(s), levels)
    return breaker.done()


def wrap_text(text: Text, width: int, phrases: Sequence[int] = ()) -> list[Text]:
    """`text` as lines of at most `width` cells, styles kept; `\\n` ends a line."""
    lines: list[Text] = []
    offset = 0
    for part in text.split("\n", allow_blank=True):
        plain = part.plain
        shifted = [p - offset for p in phrases]
        for a, b in line_ranges(plain, width, shifted):
            line = part[a:b]
            line.rstrip()
            line.end = "\n"
            line.no_wrap = True
            lines.append(line)
        offset += len(plain) + 1
    return lines


class Wrapped:
    """A Text broken to the width Rich gives it (a table cell, a padded block, the console),
    at the boundaries `line_ranges` prefers, instead of Rich's spaces-then-anywhere fold."""

    def __init__(self, text: Text, phrases: Sequence[int] = ()) -> None:
        self.text = text
        self.phrases = tuple(phrases)

    def lines(self, width: int) -> list[Text]:
        return wrap_text(self.text, width, self.phrases)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        natural = max((cell_len(line) for line in self.text.plain.split("\n")), default=0)
        return Measurement(min(natural, options.max_width), min(natural, options.max_width))


def _longest_atom(s: str) -> int:
    """Cells of the longest piece of `s` that is broken only between two characters."""
    end = len(s)
    cuts = {*_at_spaces(s, 0, end), *_after_slashes(s, 0, end), *_at_punctuation(s, 0, end)}
    bounds = [0, *sorted(cuts), end]
    return max(cell_len(s[x:y].strip()) for x, y in pairwise(bounds))


def _natural(text: Text) -> int:
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


def _phrased(parts: Sequence[Text], separators: Sequence[str]) -> Wrapped:
    """Parts joined by their separators, broken between parts before anywhere else."""
    text = Text()
    offsets = []
    for i, part in enumerate(parts):
        if i:
            text.append(separators[i - 1] if i - 1 < len(separators) else " ")
            offsets.append(len(text.plain))
        text.append_text(part)
    return Wrapped(text, offsets)


# --- the console --------------------------------------------------------------------------


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def report_width(stream: TextIO, environ: Mapping[str, str]) -> int | None:
    """The width to render for when `stream` is no terminal: `COLUMNS` if it is a positive
    number, else `PIPE_WIDTH`; None for a terminal, which Rich measures itself (`COLUMNS`
    still wins there, as in every curses program)."""
    if _is_terminal(stream):
        return None
    columns = environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return PIPE_WIDTH


def stdout_console(
    stream: TextIO | None = None, environ: Mapping[str, str] | None = None
) -> Console:
    """The console for the report on standard output (see `report_width`)."""
    out = sys.stdout if stream is None else stream
    width = report_width(out, os.environ if environ is None else environ)
    return Console(file=stream, width=width, highlight=False)


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    severity: str
    kind: Text
    object: Text
    message: Text
    """The message, and on a line of its own its place."""
    consequence: bool = False
    place: Text = field(default_factory=Text)
    """Where the spec states what was violated, or another place (`specs/x.yaml:14`)."""


def _rows(name: str, findings: list[Finding]) -> list[_Row]:
    children = consequences_of(findings)
    folded = {id(child) for group in children.values() for child in group}
    rows: list[_Row] = []
    for f in findings:
        if id(f) in folded:
            continue
        rows.append(_row(f, consequence=False))
        group = children.get(f.fingerprint, [])
        if not name and group:
            # Migration failures caused by this one: one line, not one row each (a missing
            # extension in a first file of 25 would otherwise bury itself under 24).
            noun = "consequence" if len(group) == 1 else "consequences"
            rows.append(
                _Row(
                    f.severity,
                    Text(f"{len(group)} {noun}", style="dim"),
                    Text(""),
                    Text(terminal(folded_text(group)), style="dim"),
                    consequence=True,
                )
            )
            continue
        rows.extend(_row(child, consequence=True) for child in group)
    return rows


def _row(f: Finding, *, consequence: bool) -> _Row:
    # Text, not str: a str cell is Rich markup, and a name like "a[bold]b" is data.
    message = Text(terminal(f.message))
    place = Text(terminal(f.location or f.spec or ""), style="dim")
    if place.plain:
        message.append("\n").append_text(place)
    return _Row(
        f.severity,
        Text(f.kind, style="dim" if consequence else ""),
        Text(terminal(f.object or "")),
        message,
        consequence=consequence,
        place=place,
    )


def _severity(row: _Row) -> Text:
    return Text(row.severity, style=_STYLE.get(row.severity, ""))


# --- table layout -------------------------------------------------------------------------


def _kind_cell(row: _Row) -> Text:
    return Text("  └ ").append_text(row.kind) if row.consequence else row.kind


def _grid(rows: list[_Row], width: int) -> Table | None:
    """The table of one group at `width`, or None when it cannot fit there whole."""
    kinds = [_kind_cell(row) for row in rows]
    kind_w = max([len("kind"), *(cell_len(k.plain) for k in kinds)])
    severity_w = max([_SEVERITY_WIDTH, *(cell_len(row.severity) for row in rows)])
    object_nat = min(OBJECT_MAX, max([len("object"), *(_natural(r.object) for r in rows)]))
    message_nat = max([len("message"), *(_natural(r.message) for r in rows)])
    # A word of an object (`annotations`, `service_`) is cut only in a narrow report.
    object_min = min(object_nat, max([OBJECT_MIN, *(_longest_atom(r.object.plain) for r in rows)]))
    room = width - _FRAME - severity_w - kind_w
    if room < object_min + min(message_nat, MESSAGE_MIN):
        return None
    # The message keeps half the room, or more to hold its place (`specs/x.yaml:14`) on one
    # line; the object, a name, takes what it needs of the rest.
    place_nat = max([0, *(_natural(r.place) for r in rows)])
    message_floor = min(message_nat, max(MESSAGE_MIN, room // 2, min(place_nat, room - OBJECT_MIN)))
    object_w = max(object_min, min(object_nat, room - message_floor))
    message_w = min(message_nat, room - object_w)
    object_w = min(object_nat, room - message_w)
    grid = Table(
        show_header=True,
        header_style="dim",
        expand=False,
        pad_edge=False,
    )
    grid.add_column("severity", width=severity_w, no_wrap=True)
    grid.add_column("kind", width=kind_w, no_wrap=True)
    grid.add_column("object", width=object_w)
    grid.add_column("message", width=message_w)
    for row, kind in zip(rows, kinds, strict=True):
        grid.add_row(_severity(row), kind, Wrapped(row.object), Wrapped(row.message))
    return grid


# --- stacked layout -----------------------------------------------------------------------


class _Block:
    """One finding, stacked: `severity  kind  object` (continued under the kind when it
    does not fit), then its message and place below, indented; lines carry no padding."""

    def __init__(self, row: _Row) -> None:
        self.row = row

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        row = self.row
        width = options.max_width
        indent = 4 if row.consequence else 2
        lead = Text("└ " if row.consequence else "")
        severity = _severity(row)
        severity.pad_right(_SEVERITY_PAD - len(row.severity))
        head = [lead.append_text(severity), row.kind]
        whole = _phrased([*head, row.object] if row.object.plain else head, ["  ", "  "])
        lines = whole.lines(width - indent)
        if len(lines) == 1 or not row.object.plain:
            yield from _indented(lines, indent)
        else:  # a long object goes under the kind, on lines of its own
            yield from _indented(_phrased(head, ["  "]).lines(width - indent), indent)
            hang = indent + cell_len(head[0].plain) + 2
            yield from _indented(wrap_text(row.object, width - hang), hang)
        yield from _indented(wrap_text(row.message, width - indent - 2), indent + 2)


_SEVERITY_PAD = len("warning")


def _indented(lines: list[Text], indent: int) -> Iterator[Text]:
    for line in lines:
        yield Text(" " * indent).append_text(line)


def _stacked(title: Text, rows: list[_Row]) -> Group:
    return Group(Wrapped(title), *(_Block(row) for row in rows))


# --- summary ------------------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def migrations_line(report: Report) -> Text | None:
    """`migrations: 1 of 25 files applied, 24 failed, 0 skipped` for a migrations source."""
    counts = report.migrations
    if counts is None:
        return None
    text = Text("migrations: ", style="bold")
    text.append(f"{counts.get('applied', 0)} of {_count(counts.get('files', 0), 'file')} applied")
    failed = counts.get("failed", 0)
    text.append(", ")
    text.append(f"{failed} failed", style="bold red" if failed else "")
    text.append(f", {counts.get('skipped', 0)} skipped")
    return text


def _verdict(report: Report, gate: str) -> Text:
    verdict = "FAIL" if report.failed else "pass"
    return Text(f"[{verdict} at {gate}]", style="bold red" if report.failed else "green")


def _tables_phrase(report: Report) -> list[Text]:
    """`in 9 of 39 tables:`, counting the tables listed above it.  Listed tables that are not
    among the tables checked (undocumented ones; for advise, functions) are counted apart:
    `in 14 tables (9 of the 39 checked, 5 undocumented):`."""
    s = report.summary
    listed = {f.table for f in report.findings if f.table}
    checked = s.tables_with_findings
    undocumented = len({f.table for f in report.findings if f.kind == "table_undocumented"})
    other = max(0, len(listed) - checked - undocumented)
    within = checked <= s.tables_checked  # never "111 of 86 tables"
    if not undocumented and not other:
        if not within:
            return [Text(f"in {_count(checked, 'table')}:")]
        return [Text(f"in {checked} of {_count(s.tables_checked, 'table')}:")]
    apart = [f"{checked} of the {s.tables_checked} checked" if within else f"{checked} checked"]
    if undocumented:
        apart.append(f"{undocumented} undocumented")
    if other:
        apart.append(f"{other} other {'object' if other == 1 else 'objects'}")
    noun = "table" if len(listed) == 1 else "tables"
    if other:
        noun += " and objects"
    return [Text(f"in {len(listed)} {noun}"), Text(f"({', '.join(apart)}):")]


def summary_parts(report: Report) -> list[Text]:
    """The summary line's phrases, each kept whole on a line where one fits."""
    s = report.summary
    suffix = baseline.summary_suffix(report).strip()
    consequences = (
        [Text(f"({_count(s.root_causes, 'root cause')}, {_count(s.consequences, 'consequence')})")]
        if s.consequences
        else []
    )
    if not report.schema_read:
        return [
            Text(f"{_count(s.total, 'finding')};", style="bold"),
            Text(NOT_READ),
            *consequences,
            *([Text(suffix)] if suffix else []),
            _verdict(report, f"--fail-on {report.fail_on}"),
        ]
    if not report.findings:
        # A ✓ only on a run that passes: stale baseline entries under --fail-on-stale fail it.
        style = "bold red" if report.failed else "bold green"
        mark = "" if report.failed else "✓ "
        schemas = f" in {len(s.by_schema)} schemas" if len(s.by_schema) > 1 else ""
        parts = [Text(f"{mark}{clean_text(report)}{schemas}", style=style)]
        if suffix:
            parts.append(Text(suffix))
        if report.failed:  # only stale baseline entries under --fail-on-stale
            parts.append(_verdict(report, "--fail-on-stale"))
        return parts
    head = _tables_phrase(report)
    first = Text(_count(s.total, "finding"), style="bold").append(" ").append_text(head[0])
    severities = Text()
    for i, k in enumerate(("error", "warning", "info")):
        if i:
            severities.append(", ")
        severities.append(f"{s.by_severity[k]} {k}", style=_STYLE[k])
    return [
        first,
        *head[1:],
        severities,
        *consequences,
        *([Text(suffix)] if suffix else []),
        _verdict(report, f"--fail-on {report.fail_on}"),
    ]


def _separators(parts: Sequence[Text]) -> list[str]:
    """One space between phrases, two before the verdict (`[FAIL ...]`, `[pass ...]`)."""
    return ["  " if part.plain.startswith("[") else " " for part in parts[1:]]


def summary_line(report: Report) -> Text:
    """The summary as one line of text (the terminal breaks it between phrases)."""
    parts = summary_parts(report)
    text = Text()
    for i, part in enumerate(parts):
        if i:
            text.append(_separators(parts)[i - 1])
        text.append_text(part)
    return text


def schema_lines(report: Report) -> list[Text]:
    """One line per schema with findings, and a count of the others, when more than one
    schema was checked (schema-per-tenant); nothing otherwise."""
    by_schema = report.summary.by_schema
    if len(by_schema) < 2 or not report.findings:
        return []
    lines = [Text("per schema:", style="bold")]
    names = {name: terminal(name) for name in by_schema}
    width = max(len(name) for name in names.values())
    clean = 0
    for name, counts in by_schema.items():
        if not any(counts.values()):
            clean += 1
            continue
        line = Text(f"  {names[name]:<{width}}  ")
        for i, severity in enumerate(("error", "warning", "info")):
            if i:
                line.append(", ")
            line.append(f"{counts[severity]} {severity}", style=_STYLE[severity])
        lines.append(line)
    if clean:
        lines.append(Text(f"  {clean} other schema{'s' if clean > 1 else ''}: no findings"))
    return lines


# --- the report ---------------------------------------------------------------------------


def render(report: Report, width: int = PIPE_WIDTH) -> str:
    """Plain-text rendering (no colour) for files and pipes."""
    buffer = StringIO()
    print_report(report, Console(file=buffer, width=width, no_color=True, highlight=False))
    return buffer.getvalue()


def _groups(report: Report, width: int) -> Iterator[RenderableType]:
    """Each table's findings: all as tables when every one fits `width`, else all stacked
    (a report that changes layout half-way reads as two reports)."""
    groups = [
        (Text(terminal(group_title(name, items)), style="bold"), _rows(name, items))
        for name, items in report.by_table().items()
    ]
    grids = [_grid(rows, width) for _title, rows in groups]
    if all(grid is not None for grid in grids):
        for (title, _), grid in zip(groups, grids, strict=True):
            yield Wrapped(title)
            assert grid is not None
            yield grid
        return
    for i, (title, rows) in enumerate(groups):
        if i:
            yield Text("")
        yield _stacked(title, rows)


def print_report(report: Report, console: Console) -> None:
    with guarded(console):
        source = source_text(report)
        if source:
            console.print(Wrapped(Text(terminal(source), style="dim")))
        groups = list(_groups(report, console.width))
        if groups:
            console.print(Group(*groups))
        for style, note in baseline.notes(report):
            # soft_wrap: fingerprints stay whole
            console.print(Text(terminal(note), style=style), soft_wrap=True)
        for line in schema_lines(report):
            console.print(Wrapped(line))
        counts = migrations_line(report)
        if counts is not None:
            console.print(Wrapped(counts))
        parts = summary_parts(report)
        console.print(_phrased(parts, _separators(parts)))
