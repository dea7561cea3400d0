"""JSON text every writer shares (reports, snapshots, baselines): readable non-ASCII, and
encodable whatever a name holds.  Neutral, so that the layers below the reports need not
import a renderer to write a file."""

from __future__ import annotations

import json
import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """JSON text written with `ensure_ascii=False`, its lone surrogates (an undecodable byte
    of a file name, `\\udcff`) as `\\uXXXX` escapes: the same JSON value, which no encoder
    refuses.  A lone surrogate only occurs inside a JSON string, where the escape means it.

    ASCII text (nearly every report, and `isascii` is a flag on the string, not a scan)
    holds none: a report of 185 MB is not searched for them."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(value: Any) -> str:
    """Indented, non-ASCII text kept readable, every string encodable (`escape_surrogates`)."""
    return escape_surrogates(json.dumps(value, indent=2, ensure_ascii=False, default=str)) + "\n"
