"""Verification facts: one per statement a spec makes, and what the source showed of it.

A check that only lists mismatches cannot tell a confirmed fact from one nobody looked
at, and that difference is the whole point of verifying documentation: a tool merging
results back into the docs needs "verified" as much as "drift".  So every comparator
records, for each statement of a spec (the table exists; a column exists, has a type,
a nullability, a default; the primary key; each unique, index and foreign key; RLS on;
each access kind; each policy; each access-matrix cell), one `Fact`.

Identity comes from structure, never from prose: `Fact.id` is the table, the subject
(what kind of statement) and the object's key (a column name, an index's method and
keys, a foreign key's columns, a role and command), so it survives a reworded message
or another sqlglot version.  A fact whose status is `drift` has exactly one finding with
the same table, kind and key (`Finding.fact`).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

VERIFIED = "verified"
DRIFT = "drift"
UNVERIFIABLE = "unverifiable"
STATUSES = (VERIFIED, DRIFT, UNVERIFIABLE)

# The subjects (what kind of statement a fact is about) are declared by the comparators
# that record them (rules/engine.py: `subjects_produced()`), like the finding kinds: a
# public contract, documented in the README and only ever added to.


@dataclass(frozen=True, slots=True)
class Fact:
    table: str
    """Qualified table name."""
    subject: str
    """What the statement is about: `column.type`, `index`, ... (rules.subjects_produced())."""
    key: str | None
    """The object within the table (None for the table itself)."""
    status: str
    """verified | drift | unverifiable."""
    expected: Any
    """The documented value (a model value: TypeRef, bool, Index, ...)."""
    actual: Any
    """What the source showed (None when absent or not shown)."""
    spec: str | None
    """`file:line` of the statement in the spec."""
    reason: str | None = None
    """Why a fact is unverifiable (`table_missing`, `column_missing`, `not_recorded`)."""

    @property
    def id(self) -> str:
        return f"{self.table}|{self.subject}|{self.key or ''}"


@dataclass(frozen=True)
class TableFacts:
    """Counts of one table's facts, for the per-table summary of the JSON report."""

    documented: int
    verified: int
    drift: int
    unverifiable: int


def per_table(facts: Iterable[Fact]) -> Mapping[str, TableFacts]:
    # Counted in C (570,000 facts at 10,000 tables), then spread per table.
    pairs = Counter(map(_table_and_status, facts))
    counts: dict[str, dict[str, int]] = {}
    for (table, status), n in pairs.items():
        counts.setdefault(table, dict.fromkeys(STATUSES, 0))[status] += n
    return {
        table: TableFacts(
            documented=sum(row.values()),
            verified=row[VERIFIED],
            drift=row[DRIFT],
            unverifiable=row[UNVERIFIABLE],
        )
        for table, row in sorted(counts.items())
    }


_table_and_status = operator.attrgetter("table", "status")
