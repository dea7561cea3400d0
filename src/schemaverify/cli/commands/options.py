"""The options every command shares, declared once, and the one way a command gets its settings.

A command names the settings it takes (`@takes("specs", "source", "schemas", ...)`) and
receives one resolved `config.Settings` as its `settings` argument: the flags, the
configuration file and the environment combined by `config.resolve`, each value with its
origin.  Before this, every command declared the same fifteen options and copied them
into a dict by hand, and the commands that did not (`lint`, `snapshot`, `diff`) ignored
the configuration file altogether.  Declaring an option here also gives it the same name,
metavar and help in every command.

The decorator rewrites the command's signature (typer reads `__signature__`), so the
settings' flags appear in the command's help where its `settings` parameter stands.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import typer

from schemaverify.cli.config import (
    BASELINE_FILES,
    GRANT_MODES,
    PRESETS,
    SOURCE_KEYS,
    emit_warnings,
    resolve,
)
from schemaverify.cli.util import extensions_help
from schemaverify.model.findings import FAIL_ON
from schemaverify.reports.formats import FORMATS

if typing.TYPE_CHECKING:
    from schemaverify.model.vocabulary import AccessPatterns

R = TypeVar("R")


def choices_metavar(choices: Sequence[str]) -> str:
    """`[a|b|c]`: how click and most tools show an option's choices in help."""
    return "[" + "|".join(choices) + "]"


_SPECS = typer.Option(
    None, "--specs", metavar="PATH", help="Folder (or file) of YAML specs. Default: specs."
)
_DSN = typer.Option(
    None,
    "--dsn",
    metavar="DSN",
    help="Connection string. Default: $SCHEMAVERIFY_DSN, $DATABASE_URL or libpq PG* variables.",
)
_MIGRATIONS = typer.Option(
    None,
    "--migrations",
    metavar="PATH",
    help="Apply these *.sql migrations (folder, file or glob) to a throwaway embedded PostgreSQL.",
)
_SUPABASE_GRANTS = typer.Option(
    None,
    "--supabase-grants",
    metavar=choices_metavar(GRANT_MODES),
    help="Whether the Supabase preset grants new public tables to the API roles (legacy, "
    "projects before the 2026 change) or not (current). Default: current.",
    autocompletion=lambda: list(GRANT_MODES),
)
_SNAPSHOT = typer.Option(
    None,
    "--snapshot",
    metavar="FILE",
    help="Read the live schema from a snapshot file (`schemaverify snapshot`), offline.",
)
_PRESET = typer.Option(
    None,
    "--preset",
    metavar=choices_metavar(PRESETS),
    help="Platform the migrations were written for. Default: supabase for a "
    "supabase/migrations folder, else none.",
    autocompletion=lambda: list(PRESETS),
)
_SCHEMA = typer.Option(
    None, "--schema", "-s", metavar="SCHEMA", help="Schema to read (repeatable). Default: public."
)
_FAIL_ON = typer.Option(
    None,
    "--fail-on",
    metavar=choices_metavar(FAIL_ON),
    help="Exit 1 on findings of this severity or above (never: always exit 0). Default: error.",
    autocompletion=lambda: list(FAIL_ON),
)
_FAIL_ON_STALE = typer.Option(
    None,
    "--fail-on-stale/--no-fail-on-stale",
    help="Exit 1 when baseline entries no longer occur. Default: off.",
)
_ACCESS_PATTERNS = typer.Option(
    None, "--access-patterns", metavar="FILE", help="YAML file adding RLS access kinds or patterns."
)
_BASELINE = typer.Option(
    None,
    "--baseline",
    metavar="FILE",
    help="Accept the findings recorded in this baseline file (see --write-baseline). Default: "
    "the configured baseline (check only), else the command's own file when it exists: "
    "schemaverify-baseline.json (check), schemaverify-advise-baseline.json, "
    "schemaverify-usage-baseline.json.",
)
_NO_BASELINE = typer.Option(
    False,
    "--no-baseline",
    help="Apply no baseline, neither a configured nor a found one: report every finding.",
)
_STATEMENT_TIMEOUT = typer.Option(
    None,
    "--statement-timeout",
    metavar="MS",
    help="Per-query timeout in milliseconds. Default: 30000.",
)
_LOCK_TIMEOUT = typer.Option(
    None, "--lock-timeout", metavar="MS", help="Lock wait in milliseconds. Default: 5000."
)
_CONNECT_TIMEOUT = typer.Option(
    None, "--connect-timeout", metavar="SECONDS", help="Connection timeout in seconds. Default: 10."
)
_MIGRATION_STATEMENT_TIMEOUT = typer.Option(
    None,
    "--migration-statement-timeout",
    metavar="MS",
    help="Limit of one migration statement, in milliseconds. Default: 300000.",
)
_MIGRATION_TIMEOUT = typer.Option(
    None,
    "--migration-timeout",
    metavar="SECONDS",
    help="Wall-clock limit of applying all migrations, in seconds. Default: 1800.",
)
_CONFIG = typer.Option(
    None,
    "--config",
    metavar="FILE",
    help="Configuration file: a schemaverify.toml, or a pyproject.toml with a tool.schemaverify "
    "table. Default: the nearest one in this folder or a parent.",
)
_CONTINUE_ON_ERROR = typer.Option(
    False, "--continue-on-error", help="Roll back a failing migration file and go on."
)
_ALLOW_PARTIAL = typer.Option(
    False,
    "--allow-partial",
    help="Read a snapshot taken of a migration history with failed files (refused otherwise).",
)

OPTIONS: dict[str, tuple[Any, Any]] = {
    "specs": (Path | None, _SPECS),
    "dsn": (str | None, _DSN),
    "migrations": (str | None, _MIGRATIONS),
    "snapshot": (str | None, _SNAPSHOT),
    "preset": (str | None, _PRESET),
    "supabase_grants": (str | None, _SUPABASE_GRANTS),
    "continue_on_error": (bool, _CONTINUE_ON_ERROR),
    "allow_partial": (bool, _ALLOW_PARTIAL),
    "schemas": (list[str] | None, _SCHEMA),
    "fail_on": (str | None, _FAIL_ON),
    "baseline": (Path | None, _BASELINE),
    "no_baseline": (bool, _NO_BASELINE),
    "fail_on_stale": (bool | None, _FAIL_ON_STALE),
    "access_patterns": (Path | None, _ACCESS_PATTERNS),
    "statement_timeout": (int | None, _STATEMENT_TIMEOUT),
    "lock_timeout": (int | None, _LOCK_TIMEOUT),
    "connect_timeout": (int | None, _CONNECT_TIMEOUT),
    "migration_statement_timeout": (int | None, _MIGRATION_STATEMENT_TIMEOUT),
    "migration_timeout": (int | None, _MIGRATION_TIMEOUT),
    "config": (Path | None, _CONFIG),
}
"""Setting name (config.CLI_KEYS) -> (flag type, typer option)."""

TIMEOUTS = ("statement_timeout", "lock_timeout", "connect_timeout")
MIGRATION_LIMITS = ("migration_statement_timeout", "migration_timeout")
GROUPS: dict[str, tuple[str, ...]] = {
    "source": (*SOURCE_KEYS, "preset", "supabase_grants", "continue_on_error", "allow_partial"),
    "timeouts": (*TIMEOUTS, *MIGRATION_LIMITS),
    "baseline": ("baseline", "no_baseline", "fail_on_stale"),
}
"""Names standing for several settings that always go together."""
LIVE = ("source", "schemas", "access_patterns", "timeouts", "config")
"""What every command reading a live schema takes."""


def _expand(names: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        for key in GROUPS.get(name, (name,)):
            if key not in OPTIONS:  # a programming error in a command
                raise TypeError(f"unknown setting {key!r}")
            if key not in out:
                out.append(key)
    return tuple(out)


def takes(
    *names: str,
    sources: Sequence[str] = SOURCE_KEYS,
    drop: Sequence[str] = (),
    baselines: str = "check",
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Give a command the flags of these settings and call it with them resolved.

    `names` are settings or GROUPS; `drop` leaves some out of a group (a command with a
    flag of the same name and another meaning).  `sources` are the source keys the
    command reads (see `config.resolve`): a source outside them has no flag and a
    configured one is not read.  `baselines` names whose findings the command's baseline
    holds (config.BASELINE_FILES): the file found by default, and whether the configured
    `baseline` (check's) applies.  The command's `settings` parameter receives the
    `config.Settings`; the file's warnings are printed before the command runs.

    A command with a `write_baseline` parameter (WRITE_BASELINE) records instead of
    reporting when it is given: then no baseline is applied, and `--baseline` with it is
    refused, so each such command need not say so itself.
    """
    if baselines not in BASELINE_FILES:  # a programming error in a command
        raise TypeError(f"unknown baseline kind {baselines!r}")
    keys = tuple(
        k for k in _expand(names) if k not in drop and not (k in SOURCE_KEYS and k not in sources)
    )

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        hints = typing.get_type_hints(fn)
        own: list[inspect.Parameter] = []
        for param in inspect.signature(fn).parameters.values():
            if param.name == "settings":
                own.extend(
                    inspect.Parameter(
                        key,
                        inspect.Parameter.KEYWORD_ONLY,
                        default=OPTIONS[key][1],
                        annotation=OPTIONS[key][0],
                    )
                    for key in keys
                )
                continue
            own.append(
                param.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[param.name])
            )
        clash = [k for k in keys if sum(1 for p in own if p.name == k) > 1]
        if clash:
            raise TypeError(f"{fn.__name__}: its own parameters shadow settings {clash}")

        @functools.wraps(fn)
        def command(**kwargs: Any) -> R:
            cli = {key: kwargs.pop(key) for key in keys}
            writing = kwargs.get("write_baseline") is not None
            settings = resolve(cli, sources=sources, baselines=baselines, writing=writing)
            emit_warnings(settings)
            return fn(settings=settings, **kwargs)

        command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            own, return_annotation=hints.get("return", inspect.Signature.empty)
        )
        command.__annotations__ = {p.name: p.annotation for p in own}
        return command

    return decorate


def format_option(choices: Sequence[str] = tuple(FORMATS)) -> Any:
    """`--format/-f` with its choices as the placeholder, completed by the shell."""
    return typer.Option(
        "table",
        "--format",
        "-f",
        metavar=choices_metavar(choices),
        help="What to print on standard output. Default: table.",
        show_default=False,
        autocompletion=lambda: list(choices),
    )


def output_file(help: str) -> Any:
    """`--output/-o FILE` of the commands that write one file in their one format."""
    return typer.Option(None, "--output", "-o", metavar="FILE", help=help)


def report_output(choices: Sequence[str] = tuple(FORMATS)) -> Any:
    """`--output/-o [FORMAT=]FILE` of the commands writing one of several formats: the
    file's extension picks the format (`cli.util.output_target`), in every such command."""
    return typer.Option(
        [],
        "--output",
        "-o",
        metavar="[FORMAT=]FILE",
        help="Also write a report file, in the format its extension names "
        f"({extensions_help(choices)}), or in FORMAT with FORMAT=FILE (repeatable).",
    )


TABLES = typer.Option(
    [],
    "--table",
    "-t",
    metavar="TABLE",
    help="Only this table, NAME or SCHEMA.NAME (repeatable). Default: all.",
)
"""`--table` of the commands that work on some tables (access, adopt)."""

REPORT_OUTPUT = report_output()
"""`--output` of the commands whose result is a findings report (check, advise, diff, usage)."""


def load_patterns(extra: Path | None = None) -> AccessPatterns:
    """The access vocabulary, imported on first use: it loads sqlglot, which `--help`
    must not pay for."""
    from schemaverify.sources.specs.patterns import load_patterns as load

    return load(extra)


NO_CACHE = typer.Option(
    False,
    "--no-cache",
    help="Read every spec file (and, for usage, every code file) again: do not use the caches.",
)
"""`--no-cache` of the commands that load specs or scan code through a cache."""

CODE = typer.Option(
    None,
    "--code",
    metavar="DIR",
    help="The code base to scan: TypeScript, JavaScript, Python and .sql files.",
)
"""`--code` of the commands that scan a code base (usage; doc and coverage, optional)."""

WRITE_BASELINE = typer.Option(
    None,
    "--write-baseline",
    metavar="FILE",
    help="Record the findings of this run in FILE instead of reporting them; an existing "
    "file keeps the reason and expires of entries that still occur (see --baseline).",
)
"""`--write-baseline` of the commands that report findings (check, advise, usage): each
records what it would report, with the same options, so its entries match when it applies
them.  `schemaverify baseline` is `check --write-baseline` under its old name."""
