"""The command line: a thin layer over functions that tests call directly.

Commands live in `schemaverify.cli.commands`, one module each.  `main()` turns
every SchemaverifyError into `message` + its exit code, so bad input never
shows a traceback.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

import typer

from schemaverify import __version__
from schemaverify.cli.commands import register_all
from schemaverify.cli.util import flush_stdout, guard_stdout, say_lines, unexpected_error
from schemaverify.errors import EXIT_INTERNAL, SchemaverifyError
from schemaverify.escape import log_safe, visible

app = typer.Typer(
    name="schemaverify",
    help="Prove database documentation true: check YAML table specs against PostgreSQL.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain help and usage errors: typer's rich formatter imports rich's markdown, table
    # and traceback machinery, which more than doubles the time of `schemaverify --help`.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"schemaverify {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Prove database documentation true: check YAML table specs against PostgreSQL."""


register_all(app)


def report_error(err: SchemaverifyError) -> int:
    """Print an expected error as users read it (`file:line: reason`); return its exit code."""
    say_lines(str(err) or type(err).__name__)
    return err.exit_code


def main(argv: list[str] | None = None) -> None:
    """The `schemaverify` program.  Commands handle their own errors (cliutil); this also
    covers what runs outside a command (option parsing, `--help`, `--version`), and turns
    anything else into one line and exit 4, never a traceback."""
    guard_stdout()
    try:
        try:
            app(args=argv, prog_name="schemaverify", standalone_mode=True)
        except SystemExit:
            failed = flush_stdout()  # here, not at interpreter exit, where it cannot be told
            if failed is not None:
                sys.exit(failed)
            raise
    except SchemaverifyError as err:
        sys.exit(report_error(err))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as err:
        code = unexpected_error(err)
        if code is not None:
            sys.exit(code)
        sys.stderr.write(log_safe(visible(f"internal error: {type(err).__name__}: {err}")) + "\n")
        sys.stderr.write(
            "please report this with the command you ran (run with SCHEMAVERIFY_DEBUG=1).\n"
        )
        if os.environ.get("SCHEMAVERIFY_DEBUG"):
            raise
        sys.exit(EXIT_INTERNAL)


def entry() -> None:
    """The program as installed (`schemaverify`, `python -m schemaverify`): `main()`, then a
    hard exit once everything is written.

    A large check ends holding millions of objects (10,000 tables, half a million facts);
    the interpreter would free them one by one on its way out, about a second that
    changes nothing (mypy exits so too).  Exit handlers still run and the standard
    streams are flushed first; only the freeing is skipped.  Tests call `main()`, which
    exits normally."""
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as the interpreter does with a message: print it, exit 1
        sys.stderr.write(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        # A failing stdout was reported by main() already; nothing more can be said.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(status)
