"""Which conditions keep Supabase's anonymous sign-ins out, on the text PostgreSQL stores.

Each condition is written as pg_get_expr returns it (PostgreSQL 18 and 15 agree), so the
recognizer is tested on catalog spelling: `IS NOT TRUE` arrives as `IS NOT TRUE`, the
claim's cast as `::boolean` around a parenthesised `->>`.
"""

from __future__ import annotations

import pytest

from schemaverify.model.normalize import expression
from schemaverify.rules.access import excludes_anonymous
from schemaverify.sources.specs.patterns import load_patterns

CLAIM = "((auth.jwt() ->> 'is_anonymous'::text))::boolean"
OWNER = "(user_id = auth.uid())"


@pytest.mark.parametrize(
    ("condition", "excluded"),
    [
        (f"(( SELECT {CLAIM} AS bool) IS FALSE)", True),
        (f"({OWNER} AND (NOT {CLAIM}))", True),
        (f"({OWNER} AND (COALESCE({CLAIM}, false) = false))", True),
        (f"({OWNER} AND ((auth.jwt() ->> 'is_anonymous'::text) = 'false'::text))", True),
        (f"({OWNER} AND ({CLAIM} IS NOT TRUE))", True),
        (f"({CLAIM} <> true)", True),
        (f"(false = {CLAIM})", True),
        # every OR branch must exclude them
        (f"(({OWNER} AND (NOT {CLAIM})) OR (note = 'x'::text))", False),
        (f"(({OWNER} AND (NOT {CLAIM})) OR (NOT {CLAIM}))", True),
        # not an exclusion
        (OWNER, False),
        (f"({OWNER} AND ({CLAIM} IS TRUE))", False),
        (f"({OWNER} AND {CLAIM})", False),
        (f"({OWNER} AND ({CLAIM} = true))", False),
        (f"({OWNER} AND (NOT ((auth.jwt() ->> 'is_admin'::text))::boolean))", False),
        (f"(NOT ({OWNER} AND {CLAIM}))", False),
    ],
)
def test_anonymous_exclusion(condition: str, excluded: bool) -> None:
    assert excludes_anonymous(expression(condition), load_patterns()) is excluded


def test_no_condition_excludes_nobody() -> None:
    assert excludes_anonymous(None, load_patterns()) is False
