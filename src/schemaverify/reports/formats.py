"""Registry of report formats: name -> renderer, imported only when used.

A renderer takes a `Report` and returns text.  Adding a format is adding a
module with a `render(report) -> str` function and a line here; commands
never import renderers directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from schemaverify.errors import UsageError

if TYPE_CHECKING:
    from schemaverify.pipeline.report import Report

FORMATS: dict[str, str] = {
    "table": "table",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}


def renderer(name: str) -> Callable[[Report], str]:
    module = FORMATS.get(name)
    if module is None:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    render: Callable[[Report], str] = importlib.import_module(f"{__package__}.{module}").render
    return render
