"""The live side: pg_catalog read into the canonical model (see reader.py)."""

from __future__ import annotations

from schemaverify.sources.catalog.reader import QUERIES, STATEMENTS, read_catalog

__all__ = ["QUERIES", "STATEMENTS", "read_catalog"]
