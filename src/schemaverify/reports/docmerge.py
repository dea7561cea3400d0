"""Put the reference's regions into a hand-written Markdown file, keeping everything else.

A team's schema reference is mostly prose somebody wrote; only the parts between
`<!-- schemaverify:begin NAME -->` and `<!-- schemaverify:end -->` are generated.  Merging
replaces each region by its new text, drops regions that are no longer generated (a table
whose spec was deleted), inserts new ones after the region that precedes them in the
generated order, and copies every other line byte for byte, line endings included.

The markers are found with markdown-it-py (a CommonMark parser, already a dependency of
rich) as HTML blocks, so a marker quoted in a code block or an indented example, as a README
documenting this very feature has, is prose and stays untouched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from schemaverify.errors import SpecError
from schemaverify.escape import visible
from schemaverify.reports.reference import Region, region_text

_BEGIN = re.compile(r"<!-- schemaverify:begin (\S+) -->")
_END = "<!-- schemaverify:end -->"


def _error(path: str, line: int, reason: str) -> SpecError:
    """The file's markers do not nest: a `file:line` error (exit 2), never a guess."""
    return SpecError.one(path, line, reason)


@dataclass(frozen=True)
class _Piece:
    text: str
    region: str | None = None
    """The region's name; None for prose."""
    line: int = 0


def has_markers(text: str) -> bool:
    return bool(_markers(text))


def _markers(text: str) -> list[tuple[int, str | None]]:
    """(0-based line, region name or None for an end marker) of each marker line."""
    from markdown_it import MarkdownIt

    found: list[tuple[int, str | None]] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "html_block" or token.map is None:
            continue
        lines = token.content.splitlines()
        for offset, line in enumerate(lines):
            stripped = line.strip()
            begin = _BEGIN.fullmatch(stripped)
            if begin:
                found.append((token.map[0] + offset, begin.group(1)))
            elif stripped == _END:
                found.append((token.map[0] + offset, None))
    return found


def _pieces(text: str, path: str) -> list[_Piece]:
    lines = text.splitlines(keepends=True)
    pieces: list[_Piece] = []
    start = 0
    open_at: tuple[int, str] | None = None
    seen: dict[str, int] = {}
    for line, name in _markers(text):
        if name is not None:
            if open_at is not None:
                raise _error(
                    path,
                    line + 1,
                    f"region {visible(name)} begins inside region "
                    f"{visible(open_at[1])} (begun at line {open_at[0] + 1}), which has no end",
                )
            if name in seen:
                raise _error(
                    path,
                    line + 1,
                    f"region {visible(name)} appears twice (first at line {seen[name]})",
                )
            seen[name] = line + 1
            if line > start:
                pieces.append(_Piece("".join(lines[start:line])))
            open_at, start = (line, name), line
        else:
            if open_at is None:
                raise _error(path, line + 1, "schemaverify:end without a begin")
            pieces.append(_Piece("".join(lines[start : line + 1]), open_at[1], open_at[0] + 1))
            open_at, start = None, line + 1
    if open_at is not None:
        raise _error(path, open_at[0] + 1, f"region {visible(open_at[1])} has no schemaverify:end")
    if start < len(lines):
        pieces.append(_Piece("".join(lines[start:])))
    return pieces


def _newline(text: str) -> str:
    first = re.search(r"\r\n|\n|\r", text)
    return first.group() if first else "\n"


def _region_text(region: Region, newline: str, *, inserted: bool = False) -> str:
    """A region in the file's line endings; one the file did not have gets a blank line
    before it, as regions have in a reference written whole."""
    text = ("\n" if inserted else "") + region_text(region)
    return text.replace("\n", newline) if newline != "\n" else text


def merge(existing: str, regions: Sequence[Region], path: str) -> str:
    """`existing` with its regions replaced by `regions`; prose kept byte for byte.

    A file without any marker is refused (SpecError): writing the reference over it would
    lose what a person wrote.  New regions follow the nearest earlier region the file has,
    in the generated order, or come before the first one when no earlier region is there;
    a region that ends the file without a final line break gets one."""
    pieces = _pieces(existing, path)
    in_file = [p.region for p in pieces if p.region is not None]
    if not in_file:
        raise _error(
            path,
            1,
            "no `<!-- schemaverify:begin NAME -->` region to replace; refusing to "
            "overwrite a file of prose (write the reference to a new file, or add the "
            "markers where it goes)",
        )
    newline = _newline(existing)
    wanted = {r.name: r for r in regions}
    kept = [n for n in in_file if n in wanted]
    after: dict[str | None, list[Region]] = {}
    anchor: str | None = None
    for region in regions:
        if region.name in kept:
            anchor = region.name
        else:
            after.setdefault(anchor, []).append(region)
    out: list[str] = []
    placed_leading = False
    for piece in pieces:
        if piece.region is None:
            out.append(piece.text)
            continue
        if not placed_leading and (piece.region in wanted or not kept):
            out.extend(_region_text(r, newline) + newline for r in after.get(None, []))
            placed_leading = True
        if piece.region in wanted:
            if out and out[-1] and not out[-1].endswith(("\n", "\r")):
                out.append(newline)
            out.append(_region_text(wanted[piece.region], newline))
            out.extend(_region_text(r, newline, inserted=True) for r in after.get(piece.region, []))
    return "".join(out)
