"""Which files a `--migrations` target means, in which order, and which preset it implies."""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path

from schemaverify.errors import SpecError, UsageError
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


_SUPABASE_KEYS = ("project_id", "api", "db", "auth", "studio")
"""Top-level keys of the Supabase CLI's config.toml, one of which a file must have to be it."""


def supabase_config(target: str) -> Path | None:
    """`supabase/config.toml` of the project the migrations belong to: the file the Supabase
    CLI keeps next to its `migrations` folder.  In a `supabase/migrations` layout it is that
    file whatever it holds (a malformed one is then an error); elsewhere a `config.toml`
    next to the folder counts only when it reads as the CLI's (`project_id`, `[api]`,
    `[db]`...): another tool's file, or one outside the project, is left alone."""
    folder = Path(os.path.realpath(_anchor(target)))
    candidate = folder.parent / "config.toml"
    # The CLI's layout is always `<project>/migrations` next to `<project>/config.toml`: a
    # lone file elsewhere (`--migrations schema.sql`) has no project folder to look in.
    if folder.name != "migrations" or not candidate.is_file():
        return None
    if looks_like_supabase(target):
        return candidate
    try:
        data = _parse(candidate, str(candidate))[1]
    except SpecError:
        return None
    return candidate if any(key in data for key in _SUPABASE_KEYS) else None


@dataclass(frozen=True)
class SupabaseConfig:
    """What a run takes from `supabase/config.toml`: where it is, and the schemas its Data
    API serves (`[api] schemas`; None when the file does not say)."""

    path: str
    api_schemas: tuple[str, ...] | None = None


_MAX_CONFIG_BYTES = 1024 * 1024


def read_supabase_config(path: Path, shown: str) -> SupabaseConfig:
    """Read the `[api]` table of a project's config.toml; a malformed file is a SpecError
    (`config.toml:line: reason`), as any other input."""
    text, data = _parse(path, shown)
    api = data.get("api", {})
    if not isinstance(api, dict):
        return SupabaseConfig(shown)
    if api.get("enabled") is False:
        return SupabaseConfig(shown, ())
    if "schemas" not in api:
        return SupabaseConfig(shown)
    schemas = api["schemas"]
    if not isinstance(schemas, list) or not all(isinstance(s, str) and s for s in schemas):
        line = _key_line(text, "api", "schemas")
        raise SpecError.one(shown, line, "api.schemas: expected an array of schema names")
    return SupabaseConfig(shown, tuple(dict.fromkeys(schemas)))


def _parse(path: Path, shown: str) -> tuple[str, dict[str, object]]:
    """The text and the parsed table of a TOML file, or SpecError with the line."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    from schemaverify.textfile import read_input

    text = read_input(path, shown, max_bytes=_MAX_CONFIG_BYTES, what="Supabase config")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _toml_error_line(str(err))
        raise SpecError.one(shown, line, f"not valid TOML: {str(err).split(' (at')[0]}") from None
    except RecursionError:
        raise SpecError.one(shown, 1, "not valid TOML: nested too deeply") from None
    except ValueError as err:  # e.g. an integer beyond Python's digit limit
        raise SpecError.one(shown, 1, f"not valid TOML: {err}") from None


def _toml_error_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _key_line(text: str, table: str, key: str) -> int:
    """The line of `key = ...` inside `[table]` (the first after its header), else 1."""
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            inside = header.group(1) == table
        elif inside and re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 1


def resolve_preset(target: str, preset: str | None) -> str:
    """'supabase' or 'none': the given preset, else chosen by the target's layout (a
    `supabase/migrations` folder, or a `config.toml` of the Supabase CLI next to it)."""
    if preset is None or preset == "auto":
        supabase = looks_like_supabase(target) or supabase_config(target) is not None
        return "supabase" if supabase else "none"
    if preset not in PRESETS:
        raise UsageError(f"--preset {preset}: unknown preset; choose one of {', '.join(PRESETS)}")
    return preset
