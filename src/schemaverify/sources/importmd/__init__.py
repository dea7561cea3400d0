"""`schemaverify import-md`: turn Markdown table documentation into YAML specs.

Data flows one way, each step in its own module: Markdown text ->
`parser.parse_document` (a neutral `document.Document` with line numbers,
`grammar` reading single list lines) -> `build.build_spec` (spec mappings) ->
`emit.render` (YAML text); `merge` keeps hand edits on re-import and `check`
lists the document's own inconsistencies.  Nothing here touches a database.
"""

from __future__ import annotations

from schemaverify.sources.importmd.build import BuiltSpec, build_spec
from schemaverify.sources.importmd.check import check_document
from schemaverify.sources.importmd.document import Document, Problem
from schemaverify.sources.importmd.emit import render
from schemaverify.sources.importmd.parser import parse_document, read_text
from schemaverify.sources.importmd.run import ImportResult, check_markdown, import_markdown

__all__ = [
    "BuiltSpec",
    "Document",
    "ImportResult",
    "Problem",
    "build_spec",
    "check_document",
    "check_markdown",
    "import_markdown",
    "parse_document",
    "read_text",
    "render",
]
