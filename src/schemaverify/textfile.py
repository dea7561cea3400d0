"""Reading one input file a person wrote (a spec, the configuration, a baseline, a
Markdown document): bounded in size, UTF-8, and every failure a `file:line: reason`
SpecError worded for its author.  One place, so every input fails the same way."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import BinaryIO

from schemaverify.errors import SpecError


def file_error_reason(path: Path, err: OSError) -> str:
    """The reason an input file cannot be opened, worded for its author: the OS says "Too
    many levels of symbolic links" or "No such file" where the file is a symlink loop or a
    symlink to nothing, which is what to fix."""
    if err.errno == errno.ELOOP:
        return "symlink loop"
    if err.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - removed between the two calls
            return "dangling symlink"
        shown = target if len(target) <= 40 else target[:37] + "..."
        return f"dangling symlink (its target {shown!r} does not exist)"
    return err.strerror or str(err)


def read_input(
    path: Path, shown: str, *, max_bytes: int, what: str = "file", missing: str | None = None
) -> str:
    """The text of `path` (`shown` in messages).  `what` names the input in "cannot read
    {what}: reason"; `missing`, when given, is the whole reason for a file that does not
    exist (a hint on how to make one)."""
    try:
        with path.open("rb") as fh:
            data = _read_at_most(fh, max_bytes + 1)
    except FileNotFoundError as err:
        reason = missing if missing is not None else file_error_reason(path, err)
        prefix = "" if missing is not None else f"cannot read {what}: "
        raise SpecError.one(shown, 1, prefix + reason) from None
    except OSError as err:
        raise SpecError.one(
            shown, 1, f"cannot read {what}: {file_error_reason(path, err)}"
        ) from None
    if len(data) > max_bytes:
        raise SpecError.one(shown, 1, f"file is larger than {max_bytes} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SpecError.one(
            shown, line, f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None


def _read_at_most(fh: BinaryIO, limit: int) -> bytes:
    """Up to `limit` bytes of an open file.  A read of `limit` bytes allocates that much
    first (4 MB for a spec of 2 kB, some 30 µs a file over a folder of ten thousand), so
    the file's size, when it has one, sizes the read; a file that grew since, or that has
    no size (a pipe), is read on to the limit."""
    try:
        size = os.fstat(fh.fileno()).st_size
    except (OSError, ValueError):
        size = 0
    if not 0 < size < limit:
        return fh.read(limit)
    data = fh.read(size + 1)
    if len(data) <= size:
        return data
    return data + fh.read(limit - len(data))
