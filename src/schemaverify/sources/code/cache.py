"""A cache of scanned files keyed by content hash, so a second `usage` run parses only
what changed.

Parsing is the whole cost of a scan (reading and hashing 500,000 lines takes a few
hundredths of a second); a code base changes a few files per commit.  One JSON file per
scanned folder under the user cache directory (`$SCHEMAVERIFY_CACHE_DIR/usage`, see
specs/cache.py for the lookup) maps sha256(path, content) to the file's `FileScan`.

Why it is safe:

- The key holds the path as shown (references carry it) and the content; the file
  records a fingerprint of the tool version, the scanner modules (size and mtime) and the
  installed parsers (tree-sitter, its grammars, sqlglot): any upgrade or edit starts anew.
- Entries are plain JSON of strings and numbers, checked field by field when read; a
  damaged or foreign file is ignored and replaced.  It is used only when owned by the
  current user and writable by no one else, as the spec cache.
- Writing is atomic (temporary file, then rename) and failures are ignored: the cache
  never fails a scan.  Only entries of the current run are written back, so a file that
  left the code base leaves the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from schemaverify import __version__
from schemaverify.model.usage import (
    OPERATIONS,
    PRIVILEGES,
    TARGETS,
    VIAS,
    CodeReference,
    Export,
    FileScan,
)
from schemaverify.sources.specs.cache import cache_root

FORMAT = 1
MAX_FILES = 64
"""Code folders whose scans are kept; the least recently written go first."""
_PARSERS = (
    "tree-sitter",
    "tree-sitter-typescript",
    "tree-sitter-javascript",
    "tree-sitter-python",
    "sqlglot",
)


def content_key(path: str, data: bytes) -> str:
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def _fingerprint() -> str:
    parts = [str(FORMAT), __version__, sys.version]
    here = Path(__file__).resolve().parent
    modules = [*sorted(here.glob("*.py")), here.parent.parent / "model" / "usage.py"]
    for module in modules:
        try:
            st = module.stat()
            parts.append(f"{module.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{module.name}:absent")
    for package in _PARSERS:
        try:
            parts.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=absent")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _reference_to_json(ref: CodeReference) -> list[Any]:
    return [
        ref.path,
        ref.line,
        ref.column,
        ref.via,
        ref.operation,
        ref.name,
        ref.schema,
        ref.target,
        list(ref.columns),
        ref.all_columns,
        ref.partial,
        ref.privilege,
        ref.unresolved,
        ref.embedded_in,
        list(ref.client) if ref.client is not None else None,
    ]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not a number")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a flag")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return tuple(_text(v) for v in value)


def _one_of(value: Any, allowed: tuple[str, ...]) -> str:
    text = _text(value)
    if text not in allowed:
        raise ValueError(f"not one of {allowed}")
    return text


def _reference_from_json(row: Any) -> CodeReference:
    if not isinstance(row, list) or len(row) != 15:
        raise ValueError("not a reference")
    client = row[14]
    pair = _texts(client) if client is not None else None
    if pair is not None and len(pair) != 2:
        raise ValueError("not a client")
    return CodeReference(
        path=_text(row[0]),
        line=_number(row[1]),
        column=_number(row[2]),
        via=_one_of(row[3], VIAS),
        operation=_one_of(row[4], OPERATIONS),
        name=_optional(row[5]),
        schema=_optional(row[6]),
        target=_one_of(row[7], TARGETS),
        columns=_texts(row[8]),
        all_columns=_flag(row[9]),
        partial=_flag(row[10]),
        privilege=_one_of(row[11], PRIVILEGES),
        unresolved=_optional(row[12]),
        embedded_in=_optional(row[13]),
        client=(pair[0], pair[1]) if pair is not None else None,
    )


def scan_to_json(scan: FileScan) -> dict[str, Any]:
    return {
        "path": scan.path,
        "references": [_reference_to_json(r) for r in scan.references],
        "exports": [[e.name, e.privilege] for e in scan.exports],
        "problems": list(scan.problems),
    }


def scan_from_json(data: Any) -> FileScan:
    if not isinstance(data, dict):
        raise ValueError("not a file scan")
    exports = data.get("exports")
    if not isinstance(exports, list):
        raise ValueError("no exports")
    pairs = [_texts(e) for e in exports]
    if any(len(p) != 2 or p[1] not in PRIVILEGES for p in pairs):
        raise ValueError("not an export")
    references = data.get("references")
    if not isinstance(references, list):
        raise ValueError("no references")
    return FileScan(
        path=_text(data.get("path")),
        references=tuple(_reference_from_json(r) for r in references),
        exports=tuple(Export(p[0], p[1]) for p in pairs),
        problems=_texts(data.get("problems")),
    )


class ScanCache:
    """The cached file scans of one scanned folder."""

    def __init__(self, target: Path, root: Path | None = None) -> None:
        folder = (root if root is not None else cache_root()) / "usage"
        self.fingerprint = _fingerprint()
        where = f"{os.path.realpath(target)}\0{target}"
        self.path = folder / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.json"
        self._old = self._read()
        self._new: dict[str, FileScan] = {}
        self.hits = 0

    def _read(self) -> dict[str, Any]:
        # Not following a link, not waiting on a FIFO put in the file's place: only a
        # regular file of this user, writable by no one else, is read.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags)
        except OSError:
            return {}
        try:
            with os.fdopen(fd, "rb") as handle:
                st = os.fstat(handle.fileno())
                if not stat.S_ISREG(st.st_mode):
                    return {}
                if st.st_uid != os.getuid() or st.st_mode & 0o022:
                    return {}
                data = json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(data, dict) or data.get("fingerprint") != self.fingerprint:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def get(self, key: str) -> FileScan | None:
        raw = self._old.get(key)
        if raw is None:
            return None
        try:
            scan = scan_from_json(raw)
        except (ValueError, TypeError):
            return None
        self.hits += 1
        self._new[key] = scan
        return scan

    def put(self, key: str, scan: FileScan) -> None:
        self._new[key] = scan

    def save(self) -> None:
        if self._new.keys() == self._old.keys() and self.hits == len(self._new):
            return  # nothing changed: every entry came from the file as it is
        data = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "files": {k: scan_to_json(s) for k, s in sorted(self._new.items())},
        }
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".usage-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out, separators=(",", ":"))
                os.replace(tmp, self.path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            self._trim()

    def _trim(self) -> None:
        """Keep the MAX_FILES most recently written folders' caches, as the spec cache."""
        with contextlib.suppress(OSError):
            files = sorted(
                (p for p in self.path.parent.glob("*.json") if p.is_file()),
                key=lambda p: p.stat().st_mtime_ns,
                reverse=True,
            )
            for old in files[MAX_FILES:]:
                with contextlib.suppress(OSError):
                    old.unlink()
