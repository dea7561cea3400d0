"""Which files a `--migrations` target means, in which order, and which preset it implies."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from schemaverify.errors import UsageError
from schemaverify.sources.migrations.presets import PRESETS

_MAGIC = set("*?[")


def _is_glob(target: str) -> bool:
    return any(ch in _MAGIC for ch in target)


def _order(paths: list[Path]) -> list[Path]:
    """Lexical order of file names (the Supabase convention), then of full paths."""
    return sorted(paths, key=lambda p: (p.name, str(p)))


def discover(target: str) -> list[Path]:
    """The migration files of a directory (`*.sql` in it), a single file, or a glob.

    Paths keep the spelling of `target` (relative stays relative), because
    findings cite them and users click them.
    """
    if not target:
        raise UsageError("--migrations: give a directory, a .sql file or a glob")
    path = Path(target)
    if path.is_dir():
        files = _order([p for p in path.glob("*.sql") if p.is_file()])
        if not files:
            raise UsageError(f"{target}: no *.sql files in this directory")
        return files
    if path.is_file():
        return [path]
    if _is_glob(target):
        files = _order([Path(p) for p in glob.glob(target, recursive=True) if Path(p).is_file()])
        if not files:
            raise UsageError(f"{target}: no migration files match this pattern")
        return files
    raise UsageError(f"{target}: no such file or directory")


def _anchor(target: str) -> Path:
    """The directory a target lives in: itself, a file's folder, a glob's fixed prefix."""
    if _is_glob(target):
        fixed: list[str] = []
        for part in Path(target).parts:
            if _is_glob(part):
                break
            fixed.append(part)
        return Path(*fixed) if fixed else Path(".")
    path = Path(target)
    return path if path.is_dir() else path.parent


def looks_like_supabase(target: str) -> bool:
    """True for `.../supabase/migrations` (the Supabase CLI layout) and files inside it."""
    # realpath, not Path.resolve: a symlink loop raises RuntimeError there.
    parts = Path(os.path.realpath(_anchor(target))).parts
    return len(parts) >= 2 and parts[-2:] == ("supabase", "migrations")


def resolve_preset(target: str, preset: str | None) -> str:
    """'supabase' or 'none': the given preset, else chosen by the target's layout."""
    if preset is None or preset == "auto":
        return "supabase" if looks_like_supabase(target) else "none"
    if preset not in PRESETS:
        raise UsageError(f"--preset {preset}: unknown preset; choose one of {', '.join(PRESETS)}")
    return preset
