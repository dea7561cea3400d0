"""Merging the reference's regions into a hand-written file: prose byte for byte, regions
replaced, added and dropped, bad markers as file:line errors.  No server: text only."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemaverify.errors import SpecError
from schemaverify.reports.docmerge import has_markers, merge
from schemaverify.reports.reference import BEGIN, END, Region, join


def _region(name: str, body: str, newline: str = "\n") -> str:
    return f"{BEGIN.format(name)}\n{body}\n{END}\n".replace("\n", newline)


def test_regions_are_replaced_and_prose_kept() -> None:
    prose_a = "# Our schema\n\nWritten by hand.  Keep *this*.\n\n"
    prose_b = "\nMore words, trailing spaces   \n\n"
    old = prose_a + _region("overview", "old overview\n") + prose_b + _region("t:a", "old a\n")
    new = [Region("overview", "new overview\n"), Region("t:a", "new a\n")]
    merged = merge(old, new, "REF.md")
    assert merged == prose_a + _region("overview", "new overview\n") + prose_b + _region(
        "t:a", "new a\n"
    )


def test_new_regions_follow_their_predecessor_and_stale_ones_go() -> None:
    old = "intro\n" + _region("a", "A\n") + "between\n" + _region("gone", "G\n") + "end\n"
    new = [Region("a", "A2\n"), Region("b", "B\n"), Region("c", "C\n")]
    assert merge(old, new, "f.md") == (
        "intro\n"
        + _region("a", "A2\n")
        + "\n"
        + _region("b", "B\n")
        + "\n"
        + _region("c", "C\n")
        + "between\nend\n"
    )


def test_a_region_before_every_kept_one_goes_first() -> None:
    old = "intro\n" + _region("b", "B\n")
    assert merge(old, [Region("a", "A\n"), Region("b", "B2\n")], "f.md") == (
        "intro\n" + _region("a", "A\n") + "\n" + _region("b", "B2\n")
    )


def test_crlf_files_stay_crlf() -> None:
    old = "intro\r\n\r\n" + _region("a", "old\n", "\r\n") + "\r\noutro\r\n"
    merged = merge(old, [Region("a", "new\nlines\n")], "f.md")
    assert merged == "intro\r\n\r\n" + _region("a", "new\nlines\n", "\r\n") + "\r\noutro\r\n"


def test_markers_inside_code_are_prose() -> None:
    quoted = "```markdown\n" + _region("a", "example\n") + "```\n\n    " + BEGIN.format("b") + "\n"
    old = quoted + "\n" + _region("a", "real\n")
    merged = merge(old, [Region("a", "fresh\n")], "README.md")
    assert merged.startswith(quoted)
    assert merged.endswith(_region("a", "fresh\n"))
    assert not has_markers("```\n" + _region("a", "x\n") + "```\n")


def test_a_file_without_regions_is_refused() -> None:
    with pytest.raises(SpecError, match=r"^notes\.md:1: no `<!-- schemaverify:begin"):
        merge("# Notes\n\nonly prose\n", [Region("a", "A\n")], "notes.md")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("x\n" + BEGIN.format("a") + "\nbody\n", r"^f\.md:2: region a has no schemaverify:end$"),
        ("x\n\n" + END + "\n", r"^f\.md:3: schemaverify:end without a begin$"),
        (
            BEGIN.format("a") + "\n" + BEGIN.format("b") + "\n" + END + "\n",
            r"^f\.md:2: region b begins inside region a \(begun at line 1\)",
        ),
        (
            _region("a", "1\n") + "\n" + _region("a", "2\n"),
            r"^f\.md:6: region a appears twice \(first at line 1\)$",
        ),
    ],
)
def test_markers_that_do_not_nest_are_file_line_errors(text: str, error: str) -> None:
    with pytest.raises(SpecError, match=error):
        merge(text, [Region("a", "A\n")], "f.md")


# Prose a person might write, without fences (a fence left open would hide the markers, as
# it would from any Markdown reader) and without HTML (a marker of its own).
_LINE = st.one_of(
    st.just(""),
    st.text(alphabet="abc XYZ*_#-|>.,:1()[]!\t", min_size=1, max_size=30)
    .map(str.rstrip)
    .filter(lambda s: s and not s.lstrip().startswith(("<", "`", "~"))),
    st.sampled_from(["# Heading", "- item", "1. step", "> quote", "| a | b |", "---", "  "]),
)
_PROSE = st.lists(_LINE, max_size=6).map(lambda lines: "".join(f"{line}\n" for line in lines))
_BODY = st.lists(
    st.text(alphabet="abc |*#`-\n", max_size=20).filter(lambda s: "`" * 3 not in s),
    max_size=3,
).map(lambda parts: "".join(p.replace("\n", " ") + "\n" for p in parts))


@settings(max_examples=200, deadline=None)
@given(
    proses=st.lists(_PROSE, min_size=2, max_size=5),
    old=st.lists(_BODY, min_size=4, max_size=4),
    new=st.lists(_BODY, min_size=4, max_size=4),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_property_prose_is_kept_byte_for_byte(
    proses: list[str], old: list[str], new: list[str], newline: str
) -> None:
    names = [f"r{i}" for i in range(len(proses) - 1)]
    prose = [p.replace("\n", newline) for p in proses]

    def document(bodies: list[str]) -> str:
        out = prose[0]
        for i, name in enumerate(names):
            # A region starts a line of its own: after a paragraph it needs a blank line
            # for CommonMark to see an HTML block (what a person writing markers does).
            out += newline + _region(name, bodies[i], newline) + newline + prose[i + 1]
        return out

    fresh = [Region(n, new[i]) for i, n in enumerate(names)]
    merged = merge(document(old), fresh, "f.md")
    assert merged == document(new)
    assert merge(merged, fresh, "f.md") == merged


def test_join_is_what_merge_reproduces() -> None:
    regions = [Region("overview", "# T\n"), Region("t:a", "A\n\n| x |\n|---|\n")]
    text = join(regions)
    assert merge(text, regions, "f.md") == text
