"""The package layout is the architecture: each layer imports only from itself and the
layers below it (model <- sources <- rules <- pipeline <- reports <- cli), so the policy
classifier never reads YAML, the catalog reader never sees a spec, and no renderer
decides what the pipeline does.  This test reads every import of the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "schemaverify"

LAYERS = {
    "errors": 0,
    "escape": 0,
    "jsontext": 0,
    "textfile": 0,
    "model": 1,
    "sources": 2,
    "rules": 3,
    "pipeline": 4,
    "reports": 5,
    "cli": 6,
    "api": 7,
}


def _imports() -> list[tuple[str, int, str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if layer not in LAYERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.level:
                    raise AssertionError(f"{path}:{node.lineno}: relative import")
                if node.module.startswith("schemaverify."):
                    found.append((str(path.relative_to(PACKAGE)), node.lineno, layer, node.module))
    return found


def test_every_layer_imports_only_from_below() -> None:
    upward = [
        f"{where}:{line}: {layer} imports {module}"
        for where, line, layer, module in _imports()
        if LAYERS.get(module.split(".")[1], 0) > LAYERS[layer]
    ]
    assert upward == []


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("rules/access.py", ("yamlnodes", "yaml")),
        ("sources/catalog/reader.py", ("model.spec",)),
        ("sources/catalog/build.py", ("model.spec",)),
    ],
)
def test_named_boundaries(module: str, forbidden: tuple[str, ...]) -> None:
    text = (PACKAGE / module).read_text(encoding="utf-8")
    imported = [
        n.module or "" for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ImportFrom)
    ] + [a.name for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported for f in forbidden if m.endswith(f)]


def test_the_command_line_loads_no_heavy_library_before_a_command_runs() -> None:
    """`schemaverify --help` must stay fast: sqlglot, psycopg, rich tables and PyYAML are
    imported by the commands that need them, when they run."""
    import subprocess
    import sys

    code = (
        "import sys, schemaverify.cli\n"
        "heavy = [m for m in ('sqlglot', 'psycopg', 'yaml', 'rich.table') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
