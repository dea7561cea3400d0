"""schemaverify: prove database documentation true against the live PostgreSQL catalog.

The public API (see api.py and the README's "Python API" section) is loaded on first
use, so `schemaverify --help` does not pay for sqlglot, psycopg and the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "check": "api",
    "compare": "api",
    "load_specs": "api",
    "read_catalog": "api",
    "scan_code": "api",
    "usage": "api",
    "CodeReference": "model.usage",
    "Report": "pipeline.report",
    "Verification": "rules",
    "Fact": "model.facts",
    "Finding": "model.findings",
    "KINDS": "model.findings",
    "Catalog": "model.schema",
    "Table": "model.schema",
    "Column": "model.schema",
    "TypeRef": "model.schema",
    "Index": "model.schema",
    "IndexKey": "model.schema",
    "ForeignKey": "model.schema",
    "Policy": "model.schema",
    "Rls": "model.schema",
    "SpecSet": "model.spec",
    "TableSpec": "model.spec",
    "SchemaverifyError": "errors",
    "SpecError": "errors",
    "UsageError": "errors",
    "ConnectError": "errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'schemaverify' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
