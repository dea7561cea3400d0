"""Registry of report formats: name -> renderer, imported only when used.

A renderer takes a `Report` and returns text.  Adding a format is adding a
module with a `render(report) -> str` function and a line here; commands
never import renderers directly.  A format whose reports grow with the schema
(JSON: 185 MB at 10,000 tables) also has `render_chunks(report)`, the same
text in pieces, so that writers (`chunks`) never hold all of it at once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from types import ModuleType
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
    render: Callable[[Report], str] = _module(name).render
    return render


def chunks(name: str) -> Callable[[Report], Iterable[str]]:
    """The format's text in pieces to write one after the other: its `render_chunks`, or
    else its whole `render` text as the one piece."""
    module = _module(name)
    streamed: Callable[[Report], Iterable[str]] | None = getattr(module, "render_chunks", None)
    if streamed is not None:
        return streamed
    render: Callable[[Report], str] = module.render
    return lambda report: (render(report),)


def _module(name: str) -> ModuleType:
    module = FORMATS.get(name)
    if module is None:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return importlib.import_module(f"{__package__}.{module}")
