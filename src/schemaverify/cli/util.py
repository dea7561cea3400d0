"""Shared plumbing for command modules: error handling, exit codes, standard output and the
files a command writes (`write_output` for every `-o FILE`, `ReportOutputs` for the
`--format` + `--output [FORMAT=]FILE` of findings reports, the file's extension naming its
format), so that each failure reads the same in every command.

Three kinds of failure end a run here instead of as `internal error` (exit 4):

- SchemaverifyError: expected bad input, printed as `file:line: reason` with its code.
- Standard output failing.  A closed pipe (`schemaverify check | head -1`) ends the run
  quietly with 141 (128 + SIGPIPE), what a shell shows for any Unix tool in that place.
  Any other write error (a full disk, an I/O error) is one line, `cannot write to standard
  output: <reason>`, exit 2: like an `-o FILE` that cannot be written, the report was not
  delivered, so the run must neither pass (0) nor look like drift (1), and the database is
  not at fault (3).  Either way standard output is then pointed at the null device, so that
  Python's own flush at exit cannot print "Exception ignored ... BrokenPipeError".
- Failures whose cause is the machine or the size of an input, which no loader turned into
  a SpecError (an OSError from a file operation, running out of memory, nesting too deep
  for the recursion limit, undecodable text): one line naming what happened, exit 2.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer

from schemaverify.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_CLEAN,
    EXIT_DRIFT,
    EXIT_USAGE,
    SchemaverifyError,
    UsageError,
)
from schemaverify.escape import log_safe, visible

if TYPE_CHECKING:
    from schemaverify.pipeline.baseline import Baseline
    from schemaverify.pipeline.report import Report

P = ParamSpec("P")
R = TypeVar("R")


class StdoutError(Exception):
    """Writing standard output failed.

    Deliberately not an OSError: code that catches OSError around its own files (`-o
    FILE`) must not report a full standard output as a problem with that file, and click
    must not turn a closed pipe into its exit 1 (which this tool's contract calls drift).
    """

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or str(cause))
        self.cause = cause


class _GuardedStdout(io.FileIO):
    """File descriptor 1, raising StdoutError for any failure to write it.

    Every byte written to `sys.stdout` passes through `write` here, whoever writes it
    (rich, click, plain `sys.stdout.write`) and whenever the buffer is flushed, so a
    failure is known to be standard output's without guessing from the error.
    """

    def write(self, data: object) -> int | None:  # type: ignore[override]
        try:
            return super().write(data)  # type: ignore[arg-type]
        except OSError as err:
            raise StdoutError(err) from None


def guard_stdout() -> None:
    """Route `sys.stdout` through `_GuardedStdout` (a new text layer over file descriptor 1
    with the same encoding and buffering); nothing when standard output has no descriptor."""
    current = sys.stdout
    buffer = getattr(current, "buffer", None)
    unbuffered = type(buffer) is io.FileIO  # PYTHONUNBUFFERED, python -u
    if not unbuffered and type(getattr(buffer, "raw", None)) is not io.FileIO:
        return  # already guarded, replaced, or a Windows console (which is not a plain file)
    try:
        fd = current.fileno()
        current.flush()
    except (OSError, ValueError, AttributeError):
        return
    raw = _GuardedStdout(fd, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        raw if unbuffered else io.BufferedWriter(raw),
        encoding=current.encoding,
        errors=current.errors,
        line_buffering=bool(current.line_buffering),
        write_through=getattr(current, "write_through", False),
    )


def _say(line: str) -> None:
    """One line on stderr, unless stderr itself cannot be written (nothing left to tell).

    The line quotes data (paths, schema names, SQL error texts): control characters become
    visible escapes, and no line it prints is a CI workflow command."""
    try:
        sys.stderr.write(f"{log_safe(visible(line))}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def say_lines(text: str) -> None:
    """A message of ours on stderr: its `\n` are line breaks, anything else is escaped."""
    for line in text.split("\n"):
        _say(line)


def warn_finding(place: str | None, message: str) -> None:
    """A finding (a failed migration) on stderr as `place: message`, both parts data."""
    _say(f"{place}: {message}" if place else message)


def write_output(path: Path, text: str, what: str = "report") -> None:
    """Write an output file (`-o FILE`) or fail naming it: `FILE: cannot write report: reason`,
    exit 2, the same for every command."""
    write_chunks(path, (text,), what)


def write_chunks(path: Path, chunks: Iterable[str], what: str = "report") -> None:
    """`write_output` of text made piece by piece (a report too large to hold whole).

    The file is opened as `Path.write_text` opens it (truncated in place, UTF-8, the
    platform's newlines), so its mode, owner and links stay, and a device or pipe (`-o
    /dev/stdout`) works.  The first piece is made before the file is touched: a renderer
    that returns its text whole (every format but JSON) fails with the file unchanged."""
    pieces = iter(chunks)
    first = next(pieces, "")
    try:
        with path.open("w", encoding="utf-8") as out:
            out.write(first)
            for piece in pieces:
                out.write(piece)
    except OSError as err:
        raise UsageError(f"{path}: cannot write {what}: {err.strerror or err}") from None


def check_format(fmt: str, choices: Sequence[str]) -> None:
    """Refuse a `--format` the command cannot write, before anything is read."""
    if fmt not in choices:
        raise UsageError(f"--format must be one of {', '.join(choices)}, not {fmt!r}")


REPORT_EXTENSIONS: dict[str, str] = {
    ".json": "json",
    ".sarif": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".txt": "table",
}
"""What an `-o FILE` holds, by the file's extension (`x.sarif.json` is SARIF).  `github`
annotations have no extension of their own: they take `github=FILE`."""


def format_of(path: Path) -> str | None:
    """The report format a file name asks for, or None when its extension names none."""
    name = path.name.lower()
    if name.endswith(".sarif.json"):
        return "sarif"
    return REPORT_EXTENSIONS.get(Path(name).suffix)


def extensions_help(choices: Sequence[str]) -> str:
    """`.json, .sarif, .xml for junit, .md for markdown, .txt for table`: the extensions of
    `choices`, each with its format where the names differ."""
    return ", ".join(
        ext if fmt == ext[1:] else f"{ext} for {fmt}"
        for ext, fmt in REPORT_EXTENSIONS.items()
        if fmt in choices
    )


def output_target(item: str, choices: Sequence[str]) -> tuple[str, Path]:
    """One `--output`: `FORMAT=FILE`, or FILE in the format its extension names.

    The extension decides, not `--format` (which is what standard output shows): before,
    `-o report.json` silently wrote the terminal table into report.json.  A name whose
    extension says nothing (or names a format the command cannot write) is refused, exit 2,
    before anything is read."""
    name, sep, rest = item.partition("=")
    if sep and name in choices:
        if not rest:
            raise UsageError(f"--output {item}: no file after {name}=")
        return name, Path(rest)
    if sep and name.isidentifier():
        raise UsageError(f"--output {item}: unknown format {name!r} ({', '.join(choices)})")
    if not item:
        raise UsageError("--output: no file named")
    path = Path(item)
    fmt = format_of(path)
    if fmt is not None and fmt in choices:
        return fmt, path
    suffix = path.suffix
    if fmt is not None:
        why = f"{suffix} names {fmt}, which this command does not write"
    elif suffix:
        why = f"cannot tell the format from the extension {suffix}"
    else:
        why = "cannot tell the format: the file has no extension"
    raise UsageError(
        f"--output {item}: {why}; use {extensions_help(choices)}, or name the format: "
        f"FORMAT={item} ({', '.join(choices)})"
    )


def write_or_print(text: str, output: Path | None, what: str = "report") -> None:
    """The result to `--output FILE` when given, else to standard output."""
    if output is not None:
        write_output(output, text, what)
    else:
        sys.stdout.write(text)


@dataclass(frozen=True)
class ReportOutputs:
    """Where a findings report goes: the terminal in `--format`, plus each `--output` file.

    Parsed before the run, so that a bad `--format` or `--output` fails before a database
    is read; `emit` then writes everything and gives the run's exit code."""

    fmt: str
    files: tuple[tuple[str, Path], ...] = ()

    @classmethod
    def parse(
        cls, fmt: str, outputs: Sequence[str], choices: Sequence[str] | None = None
    ) -> ReportOutputs:
        """`--output FILE` (format from its extension) or `--output FORMAT=FILE`,
        repeatable; `choices` are the formats the command writes (default: all)."""
        from schemaverify.reports.formats import FORMATS

        allowed = tuple(FORMATS) if choices is None else tuple(choices)
        check_format(fmt, allowed)
        return cls(fmt, tuple(output_target(item, allowed) for item in outputs))

    @property
    def to_stdout(self) -> bool:
        """Whether standard output shows `--format`: always the terminal table, and another
        format only when no file already holds it (`-f json -o r.json` writes r.json only)."""
        return self.fmt == "table" or not any(f == self.fmt for f, _ in self.files)

    def emit(self, report: Report) -> int:
        """Write each requested file, then the terminal view on stdout (unless a file already
        holds that format); the exit code: 1 when the report fails its `--fail-on`."""
        from schemaverify.reports.formats import chunks

        for out_fmt, path in self.files:
            write_chunks(path, chunks(out_fmt)(report))
        if self.fmt == "table":
            from schemaverify.reports.table import print_report, stdout_console

            print_report(report, stdout_console())
        elif self.to_stdout:
            for piece in chunks(self.fmt)(report):
                sys.stdout.write(piece)
        return EXIT_DRIFT if report.failed else EXIT_CLEAN


def _silence_stdout() -> None:
    """Point file descriptor 1 at the null device: what is still buffered, and the flush
    Python does at exit, then succeed instead of failing again."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return  # no descriptor (a test runner's buffer): nothing will flush at exit
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # pragma: no cover - no /dev/null
        return
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def stdout_failed(err: StdoutError) -> int:
    """Report a failure to write standard output; its exit code (see the module doc)."""
    _silence_stdout()
    if isinstance(err.cause, BrokenPipeError) or err.cause.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE
    _say(f"cannot write to standard output: {err.cause.strerror or err.cause}")
    return EXIT_USAGE


def flush_stdout() -> int | None:
    """Flush standard output now, while a failure can still be reported; the exit code
    when it fails."""
    try:
        sys.stdout.flush()
    except StdoutError as err:
        return stdout_failed(err)
    except (OSError, ValueError):  # a replaced stream that is closed or broken: not ours
        return None
    return None


def unexpected_error(err: BaseException, command: str | None = None) -> int | None:
    """Report an exception no loader turned into a SpecError but whose cause is the machine
    or the size of an input, not a bug; its exit code, or None for a real bug."""
    doing = f" while running `{command}`" if command else ""
    if isinstance(err, StdoutError):
        return stdout_failed(err)
    if isinstance(err, MemoryError):
        err.__traceback__ = None  # frees the frames holding what filled the memory
        _say(f"out of memory{doing}: an input (a file, a migration) is too large")
        return EXIT_USAGE
    if isinstance(err, RecursionError):
        _say(f"an input is nested too deeply to process{doing} (Python's recursion limit)")
        return EXIT_USAGE
    if isinstance(err, UnicodeDecodeError):
        _say(f"an input is not UTF-8 text{doing}: {err.reason} at offset {err.start}")
        return EXIT_USAGE
    if isinstance(err, OSError):
        # The machine refused a file operation (full disk, permissions, I/O error): the
        # place to fix is outside the code, even where the error does not name the file.
        if err.filename is not None:
            second = f" -> {err.filename2}" if err.filename2 is not None else ""
            _say(f"{err.filename}{second}: {err.strerror or err}")
        else:
            _say(f"cannot read or write a file{doing}: {err.strerror or err}")
        return EXIT_USAGE
    return None


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn expected errors into `file:line: reason` on stderr plus their exit code.

    Applied to every command so that the same behaviour holds under
    `typer.testing.CliRunner` (which bypasses `cli.main`) and in real use.  Standard
    output is flushed before the command returns, so that a failure to write it is
    reported here rather than by Python at exit.
    """

    command = "schemaverify " + fn.__name__.removesuffix("_command").replace("_", "-")

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = fn(*args, **kwargs)
        except SchemaverifyError as err:
            flush_stdout()  # what was printed before the error comes first
            say_lines(str(err) or type(err).__name__)
            raise typer.Exit(err.exit_code) from None
        except typer.Exit:
            failed = flush_stdout()
            if failed is not None:
                raise typer.Exit(failed) from None
            raise
        except (StdoutError, OSError, MemoryError, RecursionError, UnicodeDecodeError) as err:
            code = unexpected_error(err, command)
            if code is None:
                raise
            raise typer.Exit(code) from None
        failed = flush_stdout()
        if failed is not None:
            raise typer.Exit(failed)
        return result

    return wrapper


def record_baseline(report: Report, target: Path, previous: Baseline | None, *, read: bool) -> None:
    """`--write-baseline FILE` (check, advise, usage) and `schemaverify baseline`: the
    report's findings recorded in FILE (entries of `previous` keep their reasons and dates),
    or exit 1 without writing when no schema was read (a failed migration stopped the run:
    recording then would drop every table's entry)."""
    import datetime

    from schemaverify.pipeline import baseline as baselines

    if not read:
        for f in report.findings:
            warn_finding(f.location or f.spec or f.object, f.message)
        warn_finding(None, f"no schema was read; {target} left unchanged")
        raise typer.Exit(1)
    text = baselines.record(report.findings, created=datetime.date.today(), previous=previous)
    write_output(target, text, "baseline")
    count = len({f.fingerprint for f in report.findings})
    kept = sum(1 for e in previous.entries if e.reason or e.expires) if previous else 0
    note = " (reason and expires kept from the previous file)" if kept else ""
    noun = "finding" if count == 1 else "findings"
    sys.stdout.write(f"recorded {count} {noun} in {target}{note}\n")
