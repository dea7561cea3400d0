"""Errors that end a run with a clear message and a fixed exit code.

The CLI catches these and prints `file:line: reason`; anything else escaping
is a bug.  Exit codes are part of the public contract (see README).
"""

from __future__ import annotations

EXIT_CLEAN = 0
"""No finding at or above `--fail-on`."""
EXIT_DRIFT = 1
"""Findings at or above `--fail-on`, a failed migration, or stale baseline entries under
`--fail-on-stale`: the input is fine, the database (or its history) is not."""
EXIT_USAGE = 2
"""The input is wrong and must change: usage, configuration, baseline, spec, snapshot, a DSN
libpq cannot parse.  Retrying the same command can never succeed."""
EXIT_CONNECT = 3
"""The database could not be reached or read (refused, timeout, authentication, permission):
the input may be right, and the same command may succeed later."""
EXIT_INTERNAL = 4
"""A bug: an exception no part of the tool expected (`internal error: ...`).  Distinct from
1-3 so that a CI gate can tell "schemaverify broke" from "the check failed"; documented in
the README's exit-code tables (command line and action)."""
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell shows for any Unix tool whose reader went away (`| head`)."""


class SchemaverifyError(Exception):
    exit_code = EXIT_USAGE


class UsageError(SchemaverifyError):
    """Bad command-line use or configuration."""


class SpecError(SchemaverifyError):
    """A spec (or any input file) is malformed; carries every problem found, each with its place."""

    def __init__(self, problems: list[tuple[str, int, str]]):
        self.problems = sorted(problems, key=lambda p: (p[0], p[1]))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """`path:line: reason`, or `path: reason` for line 0: a problem with a file or
        folder as a whole (a symlink loop, an unreadable folder) has no line to cite."""
        return [
            f"{path}:{line}: {reason}" if line > 0 else f"{path}: {reason}"
            for path, line, reason in self.problems
        ]

    @classmethod
    def one(cls, path: str, line: int, reason: str) -> SpecError:
        return cls([(path, line, reason)])


class ConnectError(SchemaverifyError):
    """Cannot connect to or introspect the database.  Messages are already redacted."""

    exit_code = EXIT_CONNECT
