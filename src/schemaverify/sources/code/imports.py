"""Who a request runs as, across files: a client imported from the module that creates it.

In a real application the client is made once (`lib/supabase/admin.ts` exports
`createAdminClient()` with the service-role key) and imported everywhere, so the file
that calls `.from()` rarely shows the key.  Scanners record where the client came from
(`CodeReference.client`: the import specifier and name) and what each module exports
(`FileScan.exports`); this pass resolves the specifier to a scanned file and takes the
privilege that file's export shows.  A specifier that names no scanned file (a package,
an alias it cannot map) leaves the privilege unknown: never guessed from names.

Specifiers resolved: relative ones (`./x`, `../x`; Python's `.x`, `..x`), `@/x` and `~/x`
(the Next.js and Vite convention for the project root, tried at the root and at `src/`),
and absolute Python modules (`app.db`) from the scanned root or any folder above the
importing file.  Re-exports are not followed.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable, Mapping

from schemaverify.model.usage import CodeReference, FileScan

JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
ROOT_ALIASES = ("@/", "~/")


def _module_key(path: str) -> str:
    """A file's path without its suffix, and without `/index` or `/__init__`, the form a
    specifier resolves to."""
    stem, suffix = posixpath.splitext(path)
    if suffix not in (*JS_SUFFIXES, ".py"):
        return path
    for tail in ("/index", "/__init__"):
        if stem.endswith(tail):
            return stem[: -len(tail)]
    return stem


def _js_candidates(importer: str, specifier: str, root: str) -> Iterable[str]:
    if specifier.startswith(("./", "../")):
        yield posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
        return
    for alias in ROOT_ALIASES:
        if specifier.startswith(alias):
            rest = specifier[len(alias) :]
            yield posixpath.normpath(posixpath.join(root, rest))
            yield posixpath.normpath(posixpath.join(root, "src", rest))
            return


def _py_candidates(importer: str, specifier: str, root: str) -> Iterable[str]:
    dots = len(specifier) - len(specifier.lstrip("."))
    dotted = specifier[dots:].replace(".", "/")
    if dots:
        base = posixpath.dirname(importer)
        for _ in range(dots - 1):
            base = posixpath.dirname(base)
        yield posixpath.normpath(posixpath.join(base, dotted)) if dotted else base
        return
    folder = posixpath.dirname(importer)
    seen = set()
    while True:
        yield posixpath.normpath(posixpath.join(folder, dotted))
        seen.add(folder)
        if folder in (root, "", "/", ".") or not folder.startswith(root):
            break
        folder = posixpath.dirname(folder)
    if root not in seen:
        yield posixpath.normpath(posixpath.join(root, dotted))


def resolve_clients(scans: Iterable[FileScan], root: str) -> list[FileScan]:
    """The scans with each imported client's privilege filled in where the exporting file
    is among them and shows it."""
    scans = list(scans)
    exports: dict[str, Mapping[str, str]] = {}
    for scan in scans:
        if scan.exports:
            exports[_module_key(scan.path)] = {e.name: e.privilege for e in scan.exports}
    if not exports:
        return scans
    root = posixpath.normpath(root)
    resolved: list[FileScan] = []
    for scan in scans:
        python = scan.path.endswith(".py")
        changed = False
        references: list[CodeReference] = []
        for ref in scan.references:
            if ref.client is not None and ref.privilege == "unknown":
                specifier, name = ref.client
                candidates = (_py_candidates if python else _js_candidates)(
                    scan.path, specifier, root
                )
                for candidate in candidates:
                    found = exports.get(candidate, {}).get(name)
                    if found is not None:
                        ref = dataclasses.replace(ref, privilege=found)
                        changed = True
                        break
            references.append(ref)
        resolved.append(
            dataclasses.replace(scan, references=tuple(references)) if changed else scan
        )
    return resolved
