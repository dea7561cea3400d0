"""Shared plumbing for command modules: error handling and exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from .errors import SchemaverifyError

P = ParamSpec("P")
R = TypeVar("R")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn expected errors into `file:line: reason` on stderr plus their exit code.

    Applied to every command so that the same behaviour holds under
    `typer.testing.CliRunner` (which bypasses `cli.main`) and in real use.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except SchemaverifyError as err:
            for line in str(err).splitlines() or [type(err).__name__]:
                sys.stderr.write(f"{line}\n")
            raise typer.Exit(err.exit_code) from None

    return wrapper
