"""Time `normalize.expression` over distinct policy expressions of the realistic shape.

Every table of a real schema writes its own policies (they name the table or its parent),
so a check normalizes one distinct text per policy: this loop is that work alone, without
a server.  It reports which sqlglot build ran (compiled `sqlglotc` or pure), so the same
script run in two environments compares the builds:

    python bench/expressions.py [--count 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import sqlglot.parser

from schemaverify.model import normalize


def expressions(count: int) -> list[str]:
    """Two distinct expressions per table, as pg_get_expr prints them."""
    texts = []
    for i in range(count):
        texts.append(
            f"(EXISTS ( SELECT 1 FROM parent_{i} p WHERE ((p.id = t{i}.parent_id) AND "
            "(p.org_id IN ( SELECT memberships.org_id FROM memberships WHERE "
            "(memberships.user_id = ( SELECT auth.uid() AS uid)))))))"
        )
        texts.append(
            f"((user_id = ( SELECT auth.uid() AS uid)) AND "
            f"(status_{i % 97} = ANY (ARRAY['a{i}'::text, 'b'::text])))"
        )
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="tables (two texts each)")
    args = parser.parse_args()
    texts = expressions(args.count)
    build = "compiled" if sqlglot.parser.__file__.endswith(".so") else "pure"
    start = time.perf_counter()
    for text in texts:
        normalize.expression(text, strict=False)
    took = time.perf_counter() - start
    print(
        f"sqlglot {sqlglot.__version__} ({build}): {len(texts):,} distinct expressions in "
        f"{took:.2f} s ({took / len(texts) * 1e6:.0f} µs each)"
    )


if __name__ == "__main__":
    main()
