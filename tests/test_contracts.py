"""Public contracts stay documented: finding kinds and severities in the README."""

from __future__ import annotations

import re
from pathlib import Path

from schemaverify.findings import KINDS, SEVERITIES

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_kinds() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- kinds:start -->")[1].split("<!-- kinds:end -->")[0]
    return dict(re.findall(r"^\| `([a-z_]+)` \| ([a-z]+) \|", block, flags=re.M))


def test_readme_documents_every_kind_with_its_severity() -> None:
    documented = _readme_kinds()
    assert documented == {name: kind.severity for name, kind in KINDS.items()}


def test_every_kind_has_valid_severity_and_help() -> None:
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.severity in SEVERITIES
        assert kind.summary and kind.help
