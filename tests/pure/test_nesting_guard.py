"""Absurdly nested SQL never reaches sqlglot: its compiled build (sqlglotc, a dependency
on CPython x86_64/ARM64) ends the process on ~7,000 nested subqueries instead of raising
RecursionError.  Run in a child process, so that a crash fails the test instead of
ending the test session."""

from __future__ import annotations

import subprocess
import sys

from schemaverify.model.normalize import MAX_NESTING, too_deep

NESTED = "EXISTS (" + "SELECT 1 FROM (" * 10_000 + "SELECT 1" + ") x" * 10_000 + ")"
BUILD = "text = 'EXISTS (' + 'SELECT 1 FROM (' * 10_000 + 'SELECT 1' + ') x' * 10_000 + ')'\n"
"""NESTED, built in the child (the text itself is too long for a command line)."""


def test_too_deep_counts_the_deepest_nesting() -> None:
    assert not too_deep("(" * MAX_NESTING + ")" * MAX_NESTING)
    assert too_deep("(" * (MAX_NESTING + 1) + ")" * (MAX_NESTING + 1))
    # many parentheses side by side are no depth
    assert not too_deep("(a) AND " * 5_000 + "(b)")
    assert too_deep("[" * 600 + "(" * 600)
    assert not too_deep(")" * 5_000 + "(" * 10)
    assert too_deep(NESTED)


def _survives(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_catalog_and_spec_expressions_survive_deep_nesting() -> None:
    code = (
        "from schemaverify.model import normalize\n" + BUILD + ""
        "assert normalize.expression(text) == ' '.join(text.split()).lower()\n"
        "try:\n"
        "    normalize.expression(text, strict=True)\n"
        "except ValueError as err:\n"
        "    print(err)\n"
    )
    done = _survives(code)
    assert done.returncode == 0, done.stderr[-400:]
    assert done.stdout.strip() == "SQL expression is nested too deeply"


def test_sql_in_code_survives_deep_nesting() -> None:
    code = (
        "from schemaverify.sources.code.sqltext import sql_targets\n"
        + BUILD
        + "print(sql_targets('SELECT * FROM ' + text)[1])\n"
    )
    done = _survives(code)
    assert done.returncode == 0, done.stderr[-400:]
    assert done.stdout.strip() == "SQL is nested too deeply"
