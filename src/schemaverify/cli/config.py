"""Configuration: `[tool.schemaverify]` in pyproject.toml, or a schemaverify.toml.

A team runs the same check locally and in CI; repeating `--specs docs/specs
--schema public --schema billing --fail-on warning` everywhere drifts, so the
options live in one file next to the code.  Every value ends in one frozen
`Settings` object that also says where each value came from (`default`,
`pyproject.toml:12`, `--fail-on`, `env SCHEMAVERIFY_DSN`), because "why is the
gate failing on warnings?" must be answerable with `schemaverify config`.

Precedence: command-line flag > configuration file > built-in default.  The
file is `--config FILE`, else the first of `schemaverify.toml` or a
`pyproject.toml` with a `[tool.schemaverify]` table found in the current
directory or its nearest parent (as ruff does).  Relative paths in the file
are relative to the file's folder, so the check means the same thing from
any subdirectory.

tomllib keeps no line numbers, so the line of a key is found by scanning the
file text for `key =` inside the right `[table]` (dotted keys and inline
tables included).  Good enough for hand-written configuration; a key inside a
multi-line string could fool it, which only moves the reported line.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from schemaverify.errors import SpecError, UsageError
from schemaverify.model.findings import FAIL_ON, KINDS, SEVERITIES
from schemaverify.textfile import read_input

if TYPE_CHECKING:
    from schemaverify.sources.live import SourceOptions

T = TypeVar("T")

CONFIG_NAME = "schemaverify.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "schemaverify")
DEFAULT_SPECS = Path("specs")
DEFAULT_SCHEMAS = ("public",)
DEFAULT_BASELINE = Path("schemaverify-baseline.json")
"""Where `schemaverify baseline` writes when neither `-o` nor `baseline` says otherwise."""
BASELINE_FILES = {
    "check": DEFAULT_BASELINE,
    "advise": Path("schemaverify-advise-baseline.json"),
    "usage": Path("schemaverify-usage-baseline.json"),
}
"""The baseline each command applies when it exists in the project root and no flag or
configured `baseline` names one.  One file per command: advice and code findings are of
kinds `check` never reports, so applied to check's file every entry of it would be called
stale.  The configuration's `baseline` is check's (the command the gate runs)."""
FOUND = "found"
"""Origin of a baseline applied because its default file exists."""
DEFAULT_TIMEOUTS = {
    "statement_timeout": 30000,
    "lock_timeout": 5000,
    "connect_timeout": 10,
    "migration_statement_timeout": 300_000,
    "migration_timeout": 1800,
}
"""Built-in limits: ms for the statement and lock timeouts, seconds for the others (the
migration defaults are those of `migrations.runner`)."""
TIMEOUT_MAXIMA = {
    "statement_timeout": 86_400_000,
    "lock_timeout": 86_400_000,
    "connect_timeout": 3600,
    "migration_statement_timeout": 86_400_000,
    "migration_timeout": 86_400,
}
"""The largest accepted value of each limit: a day (an hour to connect).  Beyond that a value
is a typo, and PostgreSQL's own maximum (2^31 - 1 ms) would fail far from the file."""
TIMEOUT_UNITS = {
    "statement_timeout": "ms",
    "lock_timeout": "ms",
    "connect_timeout": "s",
    "migration_statement_timeout": "ms",
    "migration_timeout": "s",
}
DSN_ENV_DEFAULTS = ("SCHEMAVERIFY_DSN", "DATABASE_URL")
"""Environment variables read for a DSN when neither a flag nor the file gives a source."""
PRESETS = ("supabase", "none")
GRANT_MODES = ("current", "legacy")
COMMENT_MODES = ("strict", "off")
"""`comments`: compare specs' purposes and notes with the database's comments, or not."""
"""Supabase's Data API grant modes (presets.platform.GRANT_MODES, repeated so that reading
the configuration imports no preset code)."""
MAX_CONFIG_BYTES = 1024 * 1024

SOURCE_KEYS = ("dsn", "migrations", "snapshot")
"""Mutually exclusive: a run reads exactly one live side."""
PATH_KEYS = ("specs", "access_patterns", "baseline", "migrations", "snapshot")
"""Resolved against the configuration file's folder."""
FILE_KEYS = (
    "specs",
    "schemas",
    "dsn",
    "dsn_env",
    "migrations",
    "snapshot",
    "preset",
    "supabase_grants",
    "fail_on",
    "fail_on_stale",
    "severity",
    "access_patterns",
    "baseline",
    "statement_timeout",
    "lock_timeout",
    "connect_timeout",
    "migration_statement_timeout",
    "migration_timeout",
    "types",
    "comments",
)
RUN_KEYS = ("continue_on_error", "allow_partial")
"""Flags of one run that no file sets: how to treat a failing migration or a partial snapshot."""
CLI_KEYS = (
    *(k for k in FILE_KEYS if k not in ("dsn_env", "severity", "types", "comments")),
    "no_baseline",
    "config",
    *RUN_KEYS,
)
_FLAGS = {"schemas": "--schema"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def flag(key: str) -> str:
    """The command-line spelling of a setting, used as its origin."""
    return _FLAGS.get(key, "--" + key.replace("_", "-"))


@dataclass(frozen=True)
class Setting(Generic[T]):
    value: T
    origin: str
    """Where the value came from: `default`, `pyproject.toml:12`, `schemaverify.toml:3`,
    `--fail-on`, `env SCHEMAVERIFY_DSN`."""


@dataclass(frozen=True)
class Settings:
    """The effective options of one run, each with where it came from."""

    config_file: str | None
    """Display path of the configuration file used, or None."""
    root: Path
    """The configuration file's folder (`.` without one): built-in default paths are
    relative to it, like the file's own paths."""
    specs: Setting[Path]
    schemas: Setting[tuple[str, ...]]
    dsn: Setting[str | None]
    migrations: Setting[str | None]
    snapshot: Setting[str | None]
    preset: Setting[str | None]
    fail_on: Setting[str]
    fail_on_stale: Setting[bool]
    severity: Mapping[str, Setting[str]]
    """Per-kind severity overrides; only the file sets them."""
    access_patterns: Setting[Path | None]
    baseline: Setting[Path | None]
    """The baseline this run applies: `--baseline`, the configured one (check's only), or
    the command's own file found in the root (origin `found`, see BASELINE_FILES); None
    with `--no-baseline`, when the run records one, or when there is none."""
    statement_timeout: Setting[int]
    lock_timeout: Setting[int]
    connect_timeout: Setting[int]
    migration_statement_timeout: Setting[int] = Setting(
        DEFAULT_TIMEOUTS["migration_statement_timeout"], "default"
    )
    """Per-statement limit of applying migrations, in ms."""
    migration_timeout: Setting[int] = Setting(DEFAULT_TIMEOUTS["migration_timeout"], "default")
    """Wall-clock limit of applying the whole migration history, in seconds."""
    warnings: tuple[str, ...] = ()
    """Non-fatal remarks (`file:line: warning: ...`) the commands print on stderr."""
    dsn_problem: str | None = None
    """`file:line: reason` when `dsn_env` names an unset variable; raised only if a DSN is used."""
    continue_on_error: bool = False
    """`--continue-on-error`: roll back a failing migration file and go on."""
    allow_partial: bool = False
    """`--allow-partial`: read a snapshot taken of a history with failed files."""
    supabase_grants: Setting[str] = Setting("current", "default")
    """The Supabase preset's Data API grant mode (GRANT_MODES): `current` or `legacy`."""
    comments: Setting[str] = Setting("off", "default")
    """`strict` compares purposes and column notes with COMMENT ON; only the file sets it."""
    types: Setting[tuple[str, ...]] = Setting((), "default")
    """Type names specs may write without a schema besides PostgreSQL's and the known
    extension types (canonical names); only the file sets them."""

    def in_root(self, path: Path) -> Path:
        """A default path placed in the project root (the configuration file's folder)."""
        return _path_in(self.root, str(path))

    def severity_overrides(self) -> dict[str, str]:
        return {kind: s.value for kind, s in self.severity.items()}

    def source_options(
        self, *, continue_on_error: bool | None = None, allow_partial: bool | None = None
    ) -> SourceOptions:
        """The `sources.SourceOptions` of this run: its one source with every limit."""
        given = [key for key in SOURCE_KEYS if getattr(self, key).value]
        if not given and self.dsn_problem:
            raise UsageError(self.dsn_problem)
        options = dataclasses.replace(
            self.side_options(),
            dsn=self.dsn.value,
            migrations=self.migrations.value,
            snapshot=self.snapshot.value,
            # A preset is a default for migrations; with another source it means nothing.
            preset=self.preset.value if self.migrations.value else None,
            supabase_grants=self.supabase_grants.value,
        )
        if continue_on_error is not None:
            options = dataclasses.replace(options, continue_on_error=continue_on_error)
        if allow_partial is not None:
            options = dataclasses.replace(options, allow_partial=allow_partial)
        return options

    def side_options(self) -> SourceOptions:
        """Every limit and flag of a source, with no source: what `diff` gives each of its
        sides (`envdiff.parse_source` sets the source and keeps the preset for migrations)."""
        from schemaverify.sources.live import SourceOptions

        return SourceOptions(
            preset=self.preset.value,
            supabase_grants=self.supabase_grants.value,
            continue_on_error=self.continue_on_error,
            statement_timeout_ms=self.statement_timeout.value,
            lock_timeout_ms=self.lock_timeout.value,
            connect_timeout_s=self.connect_timeout.value,
            migration_statement_timeout_ms=self.migration_statement_timeout.value,
            migration_timeout_s=self.migration_timeout.value,
            allow_partial=self.allow_partial,
        )

    def items(self) -> list[tuple[str, Setting[Any]]]:
        """Every setting in display order; severity overrides as `severity.<kind>`."""
        rows: list[tuple[str, Setting[Any]]] = [
            ("specs", self.specs),
            ("schemas", self.schemas),
            ("dsn", self.dsn),
            ("migrations", self.migrations),
            ("snapshot", self.snapshot),
            ("preset", self.preset),
            ("supabase_grants", self.supabase_grants),
            ("fail_on", self.fail_on),
            ("fail_on_stale", self.fail_on_stale),
        ]
        rows.extend((f"severity.{kind}", s) for kind, s in sorted(self.severity.items()))
        rows.extend(
            [
                ("access_patterns", self.access_patterns),
                ("baseline", self.baseline),
                ("statement_timeout", self.statement_timeout),
                ("lock_timeout", self.lock_timeout),
                ("connect_timeout", self.connect_timeout),
                ("migration_statement_timeout", self.migration_statement_timeout),
                ("migration_timeout", self.migration_timeout),
                ("types", self.types),
                ("comments", self.comments),
            ]
        )
        return rows

    def display(self) -> list[tuple[str, Any, str]]:
        """(key, JSON-ready value, origin) rows with every DSN redacted."""
        from schemaverify.sources.dsn import redact

        out: list[tuple[str, Any, str]] = []
        for key, setting in self.items():
            value: Any = setting.value
            if key == "dsn" and isinstance(value, str):
                value = redact(value)
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out.append((key, value, setting.origin))
        return out


# --- finding and reading the file ------------------------------------------


@dataclass(frozen=True)
class ConfigFile:
    """One parsed configuration file and the table that holds schemaverify's keys."""

    path: Path
    shown: str
    text: str
    prefix: tuple[str, ...]
    """Table path of the keys: ("tool", "schemaverify") in pyproject.toml, () otherwise."""
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def line(self, *key: str) -> int:
        return locate(self.text, (*self.prefix, *key))

    def origin(self, *key: str) -> str:
        return f"{self.shown}:{self.line(*key)}"


def shown_path(path: Path) -> str:
    """A path as messages show it: relative when under the current directory."""
    try:
        # realpath, not Path.resolve: a symlink loop raises RuntimeError there.
        here = Path(os.path.realpath(Path.cwd()))
        return str(Path(os.path.realpath(path)).relative_to(here))
    except (ValueError, OSError):
        return str(path)


def discover(start: Path) -> tuple[Path | None, list[str]]:
    """The configuration file for `start`: the nearest folder with schemaverify.toml or a
    pyproject.toml holding `[tool.schemaverify]` (schemaverify.toml wins in one folder).
    Returns the file (or None) and warnings."""
    warnings: list[str] = []
    for folder in (start, *start.parents):
        own = folder / CONFIG_NAME
        project = folder / PYPROJECT
        has_project = project.is_file() and _has_table(project)
        if own.is_file():
            if has_project:
                warnings.append(
                    f"{shown_path(project)}: warning: [tool.schemaverify] ignored, "
                    f"{shown_path(own)} takes precedence"
                )
            return own, warnings
        if has_project:
            return project, warnings
    return None, warnings


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml configures schemaverify.  Files that never mention it are not
    parsed, so an unrelated broken pyproject.toml in a parent folder cannot break a run."""
    text = _read(pyproject, shown_path(pyproject))
    if "schemaverify" not in text:
        return False
    data = _parse(text, shown_path(pyproject))
    tool = data.get("tool")
    return isinstance(tool, dict) and "schemaverify" in tool


def _read(path: Path, shown: str) -> str:
    return read_input(path, shown, max_bytes=MAX_CONFIG_BYTES, what="configuration")


def _parse(text: str, shown: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, reason = _toml_error(err, text)
        raise SpecError.one(shown, line, f"invalid TOML: {reason}") from None
    except ValueError as err:  # an integer beyond Python's digit limit (sys.int_info)
        line, reason = _value_error(err, text)
        raise SpecError.one(shown, line, reason) from None
    return data


def _value_error(err: ValueError, text: str) -> tuple[int, str]:
    """Where a value TOML accepts but Python cannot convert is, and which key holds it."""
    limit = _digits_limit()
    match = re.search(rf"[0-9](?:_?[0-9]){{{limit},}}", text) if limit > 0 else None
    if match is None:
        return 1, f"invalid TOML: {err}"
    line = text.count("\n", 0, match.start()) + 1
    table: tuple[str, ...] = ()
    key = ""
    for row in text.splitlines()[:line]:
        header = _HEADER.match(row)
        assign = None if header else _ASSIGN.match(row)
        if header:
            table = _key_parts(header.group(1))
        elif assign:
            full = table + _key_parts(assign.group(1))
            if full[: len(PYPROJECT_TABLE)] == PYPROJECT_TABLE:
                full = full[len(PYPROJECT_TABLE) :]
            key = ".".join(full) + ": "
    return line, f"{key}value out of range (an integer of more than {limit} digits)"


def _digits_limit() -> int:
    """Python's limit on converting integers from decimal text (3.11+, 3.10.7+)."""
    get = getattr(sys, "get_int_max_str_digits", None)
    return int(get()) if get is not None else 4300


def _toml_error(err: Exception, text: str) -> tuple[int, str]:
    message = str(getattr(err, "msg", "") or err)
    full = str(err)
    line = getattr(err, "lineno", None)
    match = re.search(r"\(at line (\d+), column \d+\)\s*$", full)
    if match:
        line = line or int(match.group(1))
        message = message.replace(match.group(0), "").strip()
    elif "(at end of document)" in full:
        line = line or text.count("\n") + 1
        message = message.replace("(at end of document)", "").strip()
    return (line if isinstance(line, int) and line > 0 else 1), message or "syntax error"


def load_file(path: Path) -> ConfigFile:
    """Parse one configuration file.  A pyproject.toml must hold `[tool.schemaverify]`."""
    shown = shown_path(path)
    text = _read(path, shown)
    data = _parse(text, shown)
    if path.name != PYPROJECT:
        return ConfigFile(path, shown, text, (), data)
    tool = data.get("tool")
    table = tool.get("schemaverify") if isinstance(tool, dict) else None
    if table is None:
        raise SpecError.one(shown, 1, "no [tool.schemaverify] table in this pyproject.toml")
    config = ConfigFile(path, shown, text, PYPROJECT_TABLE, {})
    if not isinstance(table, dict):
        raise SpecError.one(shown, config.line(), "tool.schemaverify must be a table")
    return dataclasses.replace(config, data=table)


# --- locating keys in TOML text -------------------------------------------

_KEY_PART = r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'"""
_DOTTED = rf"(?:{_KEY_PART})(?:[ \t]*\.[ \t]*(?:{_KEY_PART}))*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY_PART)


def _key_parts(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in _PART.findall(dotted))


def locate(text: str, path: Sequence[str]) -> int:
    """1-based line where the TOML key `path` is set: the `key =` line inside the right table,
    or the closest enclosing table or inline-table line when the key itself is not on a line
    of its own.  1 when nothing matches."""
    target = tuple(path)
    best_line, best_depth = 1, -1
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _key_parts(header.group(1))
            full = table
        else:
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            full = table + _key_parts(assign.group(1))
        if full == target:
            return number
        if len(full) > best_depth and target[: len(full)] == full:
            best_line, best_depth = number, len(full)
    return best_line


# --- validation ------------------------------------------------------------


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date or time"
    return type(value).__name__


@dataclass(frozen=True)
class FileValues:
    """Validated values of a configuration file, each with its origin."""

    values: Mapping[str, Setting[Any]]
    severity: Mapping[str, Setting[str]]
    dsn_env: Setting[str] | None
    warnings: tuple[str, ...]


def validate(config: ConfigFile) -> FileValues:
    """Check every key and value; raise SpecError with every problem at its line."""
    # Here, not at the top: every command imports this module, and yamlnodes loads PyYAML,
    # which `schemaverify --help` and a configuration without mistakes never need.
    from schemaverify.sources.specs.yamlnodes import clip, suggest

    problems: list[tuple[str, int, str]] = []
    warnings: list[str] = []
    values: dict[str, Setting[Any]] = {}
    severity: dict[str, Setting[str]] = {}
    dsn_env: Setting[str] | None = None

    def problem(key: tuple[str, ...], reason: str) -> None:
        problems.append((config.shown, config.line(*key), reason))

    def wrong(key: str, value: Any, expected: str) -> None:
        problem((key,), f"{key}: expected {expected}, got {_describe(value)}")

    for key, value in config.data.items():
        origin = config.origin(key)
        if key not in FILE_KEYS:
            problem((key,), f"unknown key {clip(key)!r}{suggest(key, FILE_KEYS)}")
        elif key in PATH_KEYS:
            if not isinstance(value, str) or not value.strip():
                wrong(key, value, "a path (a non-empty string)")
            elif key == "migrations" and _is_glob(value):
                values[key] = Setting(_glob_in(config.folder, value), origin)
            else:
                values[key] = Setting(_path_in(config.folder, value), origin)
        elif key == "schemas":
            if not isinstance(value, list) or not value:
                wrong(key, value, "a non-empty array of schema names")
            elif not all(isinstance(s, str) and s for s in value):
                bad = next(s for s in value if not isinstance(s, str) or not s)
                wrong(key, bad, "schema names (non-empty strings)")
            else:
                values[key] = Setting(tuple(dict.fromkeys(value)), origin)
        elif key == "dsn":
            if not isinstance(value, str) or not value.strip():
                wrong(key, value, "a connection string")
            else:
                values[key] = Setting(value.strip(), origin)
                from schemaverify.sources.dsn import redact

                if redact(value) != value:
                    warnings.append(
                        f"{origin}: warning: dsn contains a password; keep it out of the "
                        'file with dsn_env = "NAME" (read from that environment variable)'
                    )
        elif key == "dsn_env":
            if not isinstance(value, str) or not _ENV_NAME.match(value):
                wrong(key, value, "an environment variable name")
            else:
                dsn_env = Setting(value, origin)
        elif key in ("preset", "fail_on", "supabase_grants", "comments"):
            choices = {"preset": PRESETS, "fail_on": FAIL_ON, "comments": COMMENT_MODES}.get(
                key, GRANT_MODES
            )
            if not isinstance(value, str):
                wrong(key, value, f"one of {', '.join(choices)}")
            elif value not in choices:
                problem(
                    (key,),
                    f"{key}: unknown value {clip(value)!r}{suggest(value, choices)}; "
                    f"expected one of: {', '.join(choices)}",
                )
            else:
                values[key] = Setting(value, origin)
        elif key == "types":
            names = _type_names(value)
            if isinstance(names, str):
                problem((key,), f"types: {names}")
            else:
                values[key] = Setting(names, origin)
        elif key == "fail_on_stale":
            if not isinstance(value, bool):
                wrong(key, value, "true or false")
            else:
                values[key] = Setting(value, origin)
        elif key in DEFAULT_TIMEOUTS:
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                wrong(key, value, "a positive integer")
            elif value > TIMEOUT_MAXIMA[key]:
                problem((key,), f"{key}: {_out_of_range(key, value)}")
            else:
                values[key] = Setting(value, origin)
        elif key == "severity":
            if not isinstance(value, dict):
                wrong(key, value, "a table of finding kind = severity")
                continue
            for kind, level in value.items():
                where = ("severity", kind)
                if kind not in KINDS:
                    problem(
                        where,
                        f"severity: unknown finding kind {clip(kind)!r}{suggest(kind, KINDS)}",
                    )
                elif not isinstance(level, str) or level not in SEVERITIES:
                    shown = repr(clip(level)) if isinstance(level, str) else _describe(level)
                    hint = suggest(level, SEVERITIES) if isinstance(level, str) else ""
                    problem(
                        where,
                        f"severity.{kind}: unknown severity {shown}{hint}; expected one of: "
                        f"{', '.join(SEVERITIES)}",
                    )
                else:
                    severity[kind] = Setting(level, config.origin(*where))
    given: list[str] = [k for k in SOURCE_KEYS if k in values]
    if dsn_env is not None:
        given.insert(0, "dsn_env")
    if len(given) > 1:
        problem(
            (given[1],),
            f"give at most one source ({', '.join(given)} are all set): "
            "dsn, dsn_env, migrations or snapshot",
        )
    if problems:
        raise SpecError(problems)
    return FileValues(values, severity, dsn_env, tuple(warnings))


def _type_names(value: Any) -> tuple[str, ...] | str:
    """The canonical names of a `types` array (`Mood` is `mood`, as in a spec), or why
    it is refused."""
    from schemaverify.model.normalize import parse_type
    from schemaverify.sources.specs.yamlnodes import clip

    if not isinstance(value, list):
        return f"expected an array of type names, got {_describe(value)}"
    names: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            return f"expected type names (non-empty strings), got {_describe(item)}"
        try:
            ref = parse_type(item)
        except ValueError as err:
            return f"cannot parse type {clip(item)!r}: {err}"
        if ref.modifier is not None or ref.array_dims:
            return f"{clip(item)!r}: list the type's name only, without a modifier or []"
        names.append(ref.name)
    return tuple(dict.fromkeys(names))


def _out_of_range(key: str, value: int) -> str:
    shown = str(value) if value.bit_length() <= 64 else "a number of more than 19 digits"
    unit = TIMEOUT_UNITS[key]
    return f"value out of range: {shown} is above the maximum of {TIMEOUT_MAXIMA[key]} {unit}"


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _path_in(folder: Path, value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    joined = folder / path
    shown = shown_path(joined)
    return Path(shown) if not Path(shown).is_absolute() else joined


def _glob_in(folder: Path, value: str) -> str:
    if Path(value).is_absolute():
        return value
    return str(_path_in(folder, value))


# --- resolution -------------------------------------------------------------


def resolve(
    cli: Mapping[str, Any],
    start: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    sources: Sequence[str] = SOURCE_KEYS,
    baselines: str = "check",
    writing: bool = False,
) -> Settings:
    """The effective settings of one run: flags over the file over built-in defaults.

    `cli` maps setting names (see CLI_KEYS) to the values of command-line
    options, None meaning "not given"; `config` is `--config FILE`.  `start`
    is where discovery begins (the current directory by default).  `sources`
    are the source keys the command reads: `snapshot` reads a database or
    migrations, never a snapshot file, and `diff` none at all (its sides are
    `--from` and `--to`), so a configured source outside them must not become
    the command's input.  It is then shown as `not read by this command`.

    `baselines` is the command whose baseline file applies (BASELINE_FILES): its default
    file is applied when it exists, and the configured `baseline` only for `check`.
    `writing`: the run records a baseline (`--write-baseline`), so none is applied, and a
    `--baseline` flag with it is refused.
    """
    unknown = set(cli) - set(CLI_KEYS)
    if unknown:  # a programming error in a command, not a user error
        raise TypeError(f"unknown settings {sorted(unknown)}")
    env = os.environ if environ is None else environ
    _check_cli(cli)
    warnings: list[str] = []
    explicit = cli.get("config")
    path: Path | None
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"--config {path}: no such file")
    else:
        path, found = discover(start if start is not None else Path.cwd())
        warnings.extend(found)
    config = load_file(path) if path is not None else None
    file = validate(config) if config is not None else FileValues({}, {}, None, ())
    warnings.extend(file.warnings)

    root = config.folder if config is not None else Path(".")

    def pick(key: str, default: Any) -> Setting[Any]:
        given = cli.get(key)
        if given is not None and given != []:
            if key == "schemas":
                given = tuple(dict.fromkeys(given))
            elif key in ("specs", "access_patterns", "baseline"):
                given = Path(given)
            return Setting(given, flag(key))
        return file.values.get(key) or Setting(default, "default")

    side, dsn_problem = _sources(cli, file, env, tuple(sources))
    preset = pick("preset", None)
    if preset.origin == "--preset" and "migrations" in sources and not side["migrations"].value:
        raise UsageError("--preset applies to --migrations only")
    baseline = _baseline(cli, file, root, baselines, writing)
    return Settings(
        config_file=config.shown if config is not None else None,
        root=root,
        specs=pick("specs", _path_in(root, str(DEFAULT_SPECS))),
        schemas=pick("schemas", DEFAULT_SCHEMAS),
        dsn=side["dsn"],
        migrations=side["migrations"],
        snapshot=side["snapshot"],
        preset=preset,
        fail_on=pick("fail_on", "error"),
        fail_on_stale=pick("fail_on_stale", False),
        severity=dict(file.severity),
        access_patterns=pick("access_patterns", None),
        baseline=baseline,
        statement_timeout=pick("statement_timeout", DEFAULT_TIMEOUTS["statement_timeout"]),
        lock_timeout=pick("lock_timeout", DEFAULT_TIMEOUTS["lock_timeout"]),
        connect_timeout=pick("connect_timeout", DEFAULT_TIMEOUTS["connect_timeout"]),
        migration_statement_timeout=pick(
            "migration_statement_timeout", DEFAULT_TIMEOUTS["migration_statement_timeout"]
        ),
        migration_timeout=pick("migration_timeout", DEFAULT_TIMEOUTS["migration_timeout"]),
        warnings=tuple(warnings),
        dsn_problem=dsn_problem,
        continue_on_error=bool(cli.get("continue_on_error")),
        allow_partial=bool(cli.get("allow_partial")),
        types=file.values.get("types") or Setting((), "default"),
        supabase_grants=pick("supabase_grants", "current"),
        comments=file.values.get("comments") or Setting("off", "default"),
    )


def _check_cli(cli: Mapping[str, Any]) -> None:
    fail_on = cli.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    preset = cli.get("preset")
    if preset is not None and preset not in PRESETS:
        raise UsageError(f"--preset must be supabase or none, not {preset!r}")
    grants = cli.get("supabase_grants")
    if grants is not None and grants not in GRANT_MODES:
        raise UsageError(f"--supabase-grants must be current or legacy, not {grants!r}")
    for key in DEFAULT_TIMEOUTS:
        value = cli.get(key)
        if value is not None and value <= 0:
            raise UsageError(f"{flag(key)} must be a positive number, not {value}")
        if value is not None and value > TIMEOUT_MAXIMA[key]:
            raise UsageError(f"{flag(key)}: {_out_of_range(key, value)}")
    given = [flag(k) for k in SOURCE_KEYS if cli.get(k)]
    if len(given) > 1:
        raise UsageError(f"give exactly one source, not {' and '.join(given)}")


NOT_READ = "not read by this command"


def _baseline(
    cli: Mapping[str, Any], file: FileValues, root: Path, kind: str, writing: bool
) -> Setting[Path | None]:
    """The baseline a run applies: `--baseline`, else the configured one (check's only),
    else the command's default file when it exists; none with `--no-baseline` or when the
    run records one."""
    given = cli.get("baseline")
    if writing:
        if given is not None:
            raise UsageError("give --baseline or --write-baseline, not both")
        return Setting(None, "--write-baseline")
    if cli.get("no_baseline"):
        return Setting(None, "--no-baseline")
    if given is not None:
        return Setting(Path(given), flag("baseline"))
    configured = file.values.get("baseline")
    if configured is not None and kind == "check":
        return configured
    default = _path_in(root, str(BASELINE_FILES[kind]))
    if default.is_file():
        return Setting(default, FOUND)
    return Setting(None, "default")


def _sources(
    cli: Mapping[str, Any], file: FileValues, env: Mapping[str, str], allowed: tuple[str, ...]
) -> tuple[dict[str, Setting[str | None]], str | None]:
    """The live side: a source flag replaces the file's source as a whole; then the file's
    source (`dsn_env` reads the named variable); then $SCHEMAVERIFY_DSN / $DATABASE_URL.
    Only the `allowed` keys are read; a file's other source is shown as not read."""
    result: dict[str, Setting[str | None]] = {k: Setting(None, "default") for k in SOURCE_KEYS}
    for key in SOURCE_KEYS:
        if key not in allowed and (key in file.values or (key == "dsn" and file.dsn_env)):
            result[key] = Setting(None, f"{NOT_READ} ({_file_origin(file, key)})")
    for key in SOURCE_KEYS:
        if cli.get(key):
            if key not in allowed:  # a programming error in a command, not a user error
                raise TypeError(f"source {key} is not read by this command")
            result[key] = Setting(str(cli[key]), flag(key))
            return _mark_overridden(result, file, key), None
    for key in allowed:
        if key in file.values:
            result[key] = Setting(str(file.values[key].value), file.values[key].origin)
            return result, None
    if "dsn" not in allowed:
        return result, None
    if file.dsn_env is not None:
        name = file.dsn_env.value
        value = env.get(name, "").strip()
        if value:
            result["dsn"] = Setting(value, f"env {name} ({file.dsn_env.origin})")
            return result, None
        result["dsn"] = Setting(None, f"env {name}, not set ({file.dsn_env.origin})")
        return result, (
            f"{file.dsn_env.origin}: dsn_env: environment variable {name} is not set "
            "(set it, or pass --dsn or --migrations)"
        )
    for name in DSN_ENV_DEFAULTS:
        value = env.get(name, "").strip()
        if value:
            result["dsn"] = Setting(value, f"env {name}")
            break
    return result, None


def _file_origin(file: FileValues, key: str) -> str:
    if key in file.values:
        return file.values[key].origin
    return file.dsn_env.origin if file.dsn_env is not None else "the configuration"


def _mark_overridden(
    result: dict[str, Setting[str | None]], file: FileValues, chosen: str
) -> dict[str, Setting[str | None]]:
    """Show a file source that a flag replaced as such in `schemaverify config`."""
    for key in SOURCE_KEYS:
        if key != chosen and (key in file.values or (key == "dsn" and file.dsn_env)):
            result[key] = Setting(None, f"overridden by {flag(chosen)}")
    return result


def emit_warnings(settings: Settings) -> None:
    from schemaverify.cli.util import say_lines

    for line in settings.warnings:
        say_lines(line)
