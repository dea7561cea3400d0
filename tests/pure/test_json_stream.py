"""The JSON report streamed (`render_chunks`, written by `ReportOutputs.emit`) is byte for
byte the text the report was before it was streamed: one `json.dumps` of the whole document
with each fact on one compact line.  That text is rebuilt here the old way, from the
dicts, and compared on reports full of what hostile databases put in names (lone
surrogates, quotes, control characters, line separators, very long strings) and of every
value type `values.data` spells.  No server: text only."""

from __future__ import annotations

import io
import json
import math
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemaverify.cli.util import ReportOutputs, write_chunks
from schemaverify.errors import UsageError
from schemaverify.jsontext import dumps, escape_surrogates
from schemaverify.model import values
from schemaverify.model.facts import DRIFT, UNVERIFIABLE, VERIFIED, Fact
from schemaverify.model.findings import make
from schemaverify.model.schema import CheckConstraint, ForeignKey, Index, IndexKey, Policy, TypeRef
from schemaverify.pipeline.report import Report
from schemaverify.reports import formats, json_report

HOSTILE = (
    "plain",
    "",
    'quo"te',
    "back\\slash",
    "lone \udcff surrogate",
    "\ud800",
    "pair \U0001f600 emoji",
    "nul \x00 bell \x07 esc \x1b del \x7f",
    "line\nbreak\rreturn\ttab",
    "separators \u2028 and \u2029",
    "</script><!--",
    '"schemaverify:facts:0123456789abcdef0123456789abcdef"',
    "schemaverify:tables:",
    "ünïcödé ß 日本",
    "x" * 100_000 + "\udc80",
)


class Odd(str):
    """A str subclass: the encoder spells it as a string."""


class Unknown:
    """A value no branch of `values.data` knows: spelled as its str()."""

    def __str__(self) -> str:
        return 'unknown "thing" \udcff'


def _values() -> list[Any]:
    """Every kind of value a fact's expected/actual holds, and what may end up there."""
    index = Index(
        keys=(
            IndexKey("a"),
            IndexKey("lower(b)", descending=True, is_expression=True),
        ),
        name='ix "\udcff"',
        unique=True,
        method="btree",
        predicate="deleted_at IS NULL\u2028",
        include=("c", "d"),
        nulls_not_distinct=True,
    )
    return [
        None,
        True,
        False,
        0,
        -17,
        2**70,
        1.5,
        math.inf,
        *HOSTILE,
        Odd("odd \udcff"),
        TypeRef("integer"),
        TypeRef("numeric", "12,2", 1),
        TypeRef("timestamp with time zone", "3"),
        TypeRef('we"ird \udcff'),
        values.Nullability(True),
        values.Nullability(False),
        values.Nullability(False, validated=False),
        values.Switch(True, "enabled", "disabled"),
        values.Switch(False, "enabled", "disabled"),
        values.Generation("a + 1", "stored"),
        values.Generation(None),
        values.Columns(("a", 'b"\x00')),
        values.Columns(("a", "during"), without_overlaps=True),
        values.Columns(()),
        values.AccessKinds(("read", "write")),
        values.AccessKinds(()),
        values.CellAccess(("owner", "\u2028")),
        values.AllowedValues(("low", "hi\udcffgh", "")),
        values.AllowedValues(()),
        CheckConstraint("ck", "(x > 0)", ("x",), enforced=False, validated=False),
        CheckConstraint("ck2", "(y IS NOT NULL)"),
        index,
        Index(keys=(), partial_any=True),
        ForeignKey(("a", "p"), "public", "t\udcff", ("id", "p"), "cascade", "set null"),
        ForeignKey(("a",), "s", "t", ("id",), name="fk", enforced=False, period=True),
        Policy("p \udcff", "select", ("anon", "authenticated"), False, "true", "x = 1"),
        Policy("q"),
        ("a", 1, None, True),
        ["x", ["y", "\udcff"]],
        ("only", "strings"),
        [],
        {"k": TypeRef("text"), 3: ("v",), "\udcff": None},
        Unknown(),
    ]


def _facts(count: int, tables: int) -> list[Fact]:
    pool = _values()
    statuses = (VERIFIED, DRIFT, UNVERIFIABLE)
    facts = []
    for i in range(count):
        name = HOSTILE[i % len(HOSTILE)][:40]
        facts.append(
            Fact(
                table=f"public.t{i % tables}{name}",
                subject="column.type" if i % 3 else "index",
                key=None if i % 7 == 0 else f"c{i}{HOSTILE[(i + 3) % len(HOSTILE)][:30]}",
                status=statuses[i % 3],
                expected=pool[i % len(pool)],
                actual=pool[(i * 7 + 1) % len(pool)],
                spec=None if i % 5 == 0 else f"specs/{name}.yaml:{i}",
                reason="table_missing" if i % 3 == 2 else None,
            )
        )
    return facts


def _report(facts: int = 200, tables: int = 50, findings: int = 30) -> Report:
    pool = _values()
    found = tuple(
        make(
            f"public.t{i}{HOSTILE[i % len(HOSTILE)][:20]}",
            "column_type_mismatch",
            HOSTILE[(i + 1) % len(HOSTILE)],
            HOSTILE[(i + 2) % len(HOSTILE)],
            expected=pool[i % len(pool)],
            actual=pool[(i + 5) % len(pool)],
            spec=f"specs/x.yaml:{i}",
        )
        for i in range(findings)
    )
    return Report(
        findings=found,
        tables_checked=tables,
        source={"kind": "dsn", "dsn": HOSTILE[4], "description": HOSTILE[9]},
        specs=HOSTILE[11],
        facts=tuple(_facts(facts, tables)),
    )


def _reference(report: Report) -> str:
    """The report as `json_report.render` wrote it before it streamed: every fact a dict,
    each encoded alone, the whole document one string."""
    data = json_report.report_dict(report)
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=str).encode
    rows = ["    " + compact(fact) for fact in data["facts"]]
    layout = "[\n" + ",\n".join(rows) + "\n  ]" if rows else "[]"
    while True:
        placeholder = f'"schemaverify:facts:{secrets.token_hex(16)}"'
        data["facts"] = placeholder[1:-1]
        text = dumps(data)
        if text.count(placeholder) == 1:
            break
    head, _, tail = text.partition(placeholder)
    return head + escape_surrogates(layout) + tail


def test_streamed_report_is_the_old_text_byte_for_byte() -> None:
    report = _report()
    expected = _reference(report)
    assert "".join(json_report.render_chunks(report)) == expected
    assert json_report.render(report) == expected
    # Still JSON, every string encodable, the hostile strings all there.
    expected.encode("utf-8")
    assert json.loads(expected)["facts"][0]["table"] == report.facts[0].table


def test_batches_join_as_one_array() -> None:
    """More facts, tables and findings than one batch holds, and none at all."""
    many = json_report._BATCH * 2 + 1
    report = _report(facts=many, tables=json_report._BATCH + 3, findings=many)
    assert json_report.render(report) == _reference(report)
    empty = Report(findings=(), tables_checked=0)
    assert json_report.render(empty) == _reference(empty)
    assert '"findings": [],\n  "tables": {},\n  "facts": [],' in json_report.render(empty)


def test_pieces_are_small_beside_the_whole() -> None:
    """Never all of a large report at once: no piece is a sizeable part of it."""
    report = _report(facts=json_report._BATCH * 8, tables=20, findings=0)
    pieces = list(json_report.render_chunks(report))
    total = sum(map(len, pieces))
    assert max(map(len, pieces)) < total / 4


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(), min_size=1, max_size=6),
    st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.text()), max_size=4),
)
def test_any_text_streams_as_before(texts: list[str], items: list[Any]) -> None:
    facts = tuple(
        Fact(f"s.{t}", t, t or None, VERIFIED, t, (t, *items), t or None, None) for t in texts
    )
    finding = make(texts[0], "column_type_mismatch", texts[-1], texts[0], expected=texts)
    report = Report(findings=(finding,), tables_checked=1, specs=texts[-1], facts=facts)
    assert json_report.render(report) == _reference(report)


def test_a_field_of_another_type_than_declared_is_spelled_as_before() -> None:
    """The fast path refuses what is not a string; the fact then goes the old way."""
    odd: Any = 42
    fact = Fact(odd, odd, Odd("k"), VERIFIED, Unknown(), 2.5, odd, odd)
    report = Report(findings=(), tables_checked=1, facts=(fact,))
    with pytest.raises(TypeError):
        json_report._string(odd)
    text = json_report.render(report)
    assert text == _reference(report)
    assert '"subject": 42' in text
    assert '"42": {' in text


def test_a_placeholder_the_report_spells_is_replaced_by_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken = "0" * 32
    tokens: Iterator[str] = iter([taken, "1" * 32])
    monkeypatch.setattr(json_report.secrets, "token_hex", lambda _n: next(tokens))
    report = Report(findings=(), tables_checked=0, specs=f"schemaverify:tables:{taken}", facts=())
    text = json_report.render(report)
    assert f'"specs": "schemaverify:tables:{taken}"' in text
    monkeypatch.undo()
    assert text == _reference(report)


def test_emit_writes_the_file_and_standard_output_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _report()
    expected = _reference(report)
    target = tmp_path / "r.json"
    target.write_text("old content, longer than nothing" * 10_000, encoding="utf-8")
    target.chmod(0o640)
    ReportOutputs("json", (("json", target),)).emit(report)
    assert target.read_bytes() == expected.encode("utf-8")
    assert target.stat().st_mode & 0o777 == 0o640  # truncated in place, as write_text did
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    ReportOutputs("json").emit(report)
    assert out.getvalue() == expected


def test_other_formats_are_one_piece() -> None:
    report = _report(facts=5, tables=2, findings=3)
    for name in ("sarif", "junit", "markdown", "github"):
        assert list(formats.chunks(name)(report)) == [formats.renderer(name)(report)]
    with pytest.raises(UsageError, match="unknown format"):
        formats.chunks("yaml")


def test_a_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"missing/r\.json: cannot write report: "):
        write_chunks(tmp_path / "missing" / "r.json", iter(["{", "}"]))


def test_a_renderer_failing_before_its_first_piece_leaves_the_file(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_text("kept", encoding="utf-8")

    def failing() -> Iterator[str]:
        raise RuntimeError("renderer bug")
        yield ""  # pragma: no cover - makes this a generator

    with pytest.raises(RuntimeError):
        write_chunks(target, failing())
    assert target.read_text(encoding="utf-8") == "kept"


def test_values_have_their_documented_json_form() -> None:
    """`values.data` dispatches on the exact type first; a subclass still takes its base's
    form, and each form is pinned here independently of how it is found."""

    class Sub(TypeRef):
        pass

    fk = ForeignKey(("a",), "s", "t", ("id",), name="fk", enforced=False, period=True)
    cases: list[tuple[Any, Any]] = [
        (None, None),
        (True, True),
        (3, 3),
        (Odd("x"), Odd("x")),
        (TypeRef("numeric", "12,2", 1), "numeric(12,2)[]"),
        (Sub("integer"), "integer"),
        (values.Nullability(False), False),
        (values.Nullability(False, validated=False), "not valid"),
        (values.Switch(True, "on", "off"), True),
        (values.Generation("a + 1"), {"expression": "a + 1"}),
        (values.Columns(("a",)), ["a"]),
        (values.Columns(("a", "p"), True), {"columns": ["a", "p"], "without_overlaps": True}),
        (values.AccessKinds(("read",)), ["read"]),
        (values.CellAccess(("owner",)), ["owner"]),
        (values.AllowedValues(("x", "y")), ["x", "y"]),
        (
            CheckConstraint("ck", "(x > 0)", ("x",), enforced=False),
            {"name": "ck", "expression": "(x > 0)", "columns": ["x"], "enforced": False},
        ),
        (
            Index((IndexKey("a"), IndexKey("f(b)", True, True)), name="ix", include=("c",)),
            {
                "keys": [{"column": "a"}, {"expression": "f(b)", "descending": True}],
                "method": "btree",
                "unique": False,
                "include": ["c"],
                "name": "ix",
            },
        ),
        (
            fk,
            {
                "columns": ["a"],
                "references": {"schema": "s", "table": "t", "columns": ["id"]},
                "period": True,
                "enforced": False,
                "name": "fk",
            },
        ),
        (
            Policy("p", "select", ("anon",), using="true"),
            {
                "name": "p",
                "command": "select",
                "roles": ["anon"],
                "permissive": True,
                "using": "true",
            },
        ),
        ((TypeRef("text"), None), ["text", None]),
        ({1: values.Switch(False, "on", "off")}, {"1": False}),
        (Unknown(), 'unknown "thing" \udcff'),
    ]
    for value, form in cases:
        assert values.data(value) == form, value
        assert type(values.data(value)) is type(form), value
