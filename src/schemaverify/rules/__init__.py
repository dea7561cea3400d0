"""Comparison rules: a spec against the live catalog, one module per object kind.

`compare` returns a `Verification`: one fact per documented statement (verified, drift
or unverifiable) and the findings.  See engine.py for the registry and context.py for
what a comparator works on.
"""

from schemaverify.rules.context import DiffOptions, TableContext
from schemaverify.rules.engine import (
    COMPARATORS,
    Comparator,
    Verification,
    compare,
    kinds_produced,
    subjects_produced,
)

__all__ = [
    "COMPARATORS",
    "Comparator",
    "DiffOptions",
    "TableContext",
    "Verification",
    "compare",
    "kinds_produced",
    "subjects_produced",
]
