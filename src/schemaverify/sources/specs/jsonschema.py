"""The JSON Schema of the spec format, for editors and other tools.

The schema is a committed file (`spec.schema.json`) rather than generated at
run time so that editors can point at it by URL or path
(`# yaml-language-server: $schema=...`) and reviewers see format changes in
diffs.  The loader stays the authority on what is valid (it also checks
cross-references such as index columns); tests keep the two in step.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, cast

SCHEMA_RESOURCE = "spec.schema.json"


def spec_json_schema() -> dict[str, Any]:
    """The spec format's JSON Schema (draft 2020-12), as a fresh dict the caller may change."""
    text = (
        resources.files("schemaverify.sources.specs")
        .joinpath(SCHEMA_RESOURCE)
        .read_text(encoding="utf-8")
    )
    return cast(dict[str, Any], json.loads(text))
