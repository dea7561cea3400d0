"""Hostile files and a hostile machine end in one clear line and a documented exit code.

Each case here used to end in `internal error: ...` (exit 4), a traceback, a misleading
message or silence.  They run the real program (`python -m schemaverify`) in a
subprocess: standard output redirected to /dev/full or into a pipe closed early, and
memory limits, only exist for a real process.  No database is needed: the live schema
comes from a snapshot file written here.
"""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from schemaverify.cli.util import unexpected_error
from schemaverify.errors import EXIT_BROKEN_PIPE, EXIT_USAGE
from schemaverify.model.schema import Catalog, Column, PrimaryKey, Table, TypeRef
from schemaverify.sources import snapshot

TOO_MANY_DIGITS = "9" * 5000
DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full (not Linux)")
as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def _table(name: str) -> Table:
    return Table(
        schema="public",
        name=name,
        columns=(Column("id", TypeRef("integer"), False), Column("extra", TypeRef("text"), True)),
        primary_key=PrimaryKey(("id",), f"{name}_pkey"),
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """specs/t.yaml and snap.json (table t, one undocumented column: one warning)."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "t.yaml").write_text(
        "table: t\ncolumns:\n  - name: id\n    type: integer\n    primary_key: true\n",
        encoding="utf-8",
    )
    catalog = Catalog(
        tables=(_table("t"),),
        server_version=180000,
        schemas=("public",),
        source={"kind": "dsn", "host": "db", "dbname": "app"},
    )
    (tmp_path / "snap.json").write_text(snapshot.dump(catalog), encoding="utf-8")
    return tmp_path


def run(
    cwd: Path,
    *args: str,
    stdout: int | None = subprocess.PIPE,
    unbuffered: bool = False,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(cwd / ".cache")}
    env.pop("SCHEMAVERIFY_DEBUG", None)
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:  # Python's standard output is then a raw file, not a buffered one
        env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "schemaverify", *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=120,
        **kwargs,
    )


def check(cwd: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return run(cwd, "check", "--snapshot", "snap.json", "--specs", "specs", *args, **kwargs)


def _baseline(project: Path) -> str:
    result = run(project, "baseline", "--snapshot", "snap.json", "--specs", "specs")
    assert result.returncode == 0, result.stderr
    return (project / "schemaverify-baseline.json").read_text(encoding="utf-8")


# --- numbers Python cannot convert ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ('"schema_version": 1', f'"schema_version": {TOO_MANY_DIGITS}', 2),
        ('"reason": null', f'"reason": {TOO_MANY_DIGITS}', 12),
        ('"expires": null', f'"expires": -{TOO_MANY_DIGITS}', 13),
    ],
    ids=["schema_version", "reason", "expires"],
)
def test_huge_integer_in_a_baseline_is_file_line_exit_2(
    project: Path, old: str, new: str, line: int
) -> None:
    text = _baseline(project)
    assert old in text
    # A string holding the same digits comes first: the line found is the number's.
    text = text.replace("{\n", f'{{\n  "note": "{TOO_MANY_DIGITS}",\n', 1)
    (project / "bl.json").write_text(text.replace(old, new), encoding="utf-8")
    result = check(project, "--baseline", "bl.json")
    assert result.stderr == f"bl.json:{line + 1}: invalid JSON: a number of more than 4300 digits\n"
    assert result.returncode == EXIT_USAGE


@pytest.mark.parametrize(
    "value",
    ["0x" + "f" * 3600, "0" + "7" * 5000, "0b" + "1" * 15000, "1" + ":0" * 2500],
    ids=["hex", "octal", "binary", "base60"],
)
def test_spec_integer_too_large_to_show_is_file_line_exit_2(project: Path, value: str) -> None:
    """Fewer characters than 4300 digits, so YAML builds the int, but no message can show it
    (`version: unsupported spec format version <number>` crashed)."""
    (project / "specs" / "t.yaml").write_text(
        f"table: t\nversion: {value}\ncolumns:\n  - name: id\n    type: integer\n",
        encoding="utf-8",
    )
    result = run(project, "lint", "--specs", "specs")
    assert result.stderr == (
        f"specs/t.yaml:2: integer {value[:37] + '...'!r} is too large (more than 4300 digits)\n"
    )
    assert result.returncode == EXIT_USAGE


def test_spec_version_of_4000_digits_is_clipped(project: Path) -> None:
    (project / "specs" / "t.yaml").write_text(
        f"table: t\nversion: {'9' * 4000}\ncolumns:\n  - name: id\n    type: integer\n",
        encoding="utf-8",
    )
    result = run(project, "lint", "--specs", "specs")
    assert result.stderr == (
        f"specs/t.yaml:2: version: unsupported spec format version {'9' * 37}... "
        "(this schemaverify reads version 1)\n"
    )
    assert result.returncode == EXIT_USAGE


# --- text that cannot be written --------------------------------------------------------------


def test_lone_surrogate_in_a_spec_is_file_line_exit_2(project: Path) -> None:
    """YAML's `\\ud800` escape gives a string no report can encode as UTF-8."""
    (project / "specs" / "t.yaml").write_text(
        'table: t\ncolumns:\n  - name: id\n    type: integer\n    note: "a\\ud800b"\n',
        encoding="utf-8",
    )
    result = check(project, "--format", "json")
    assert result.stderr.startswith(
        "specs/t.yaml:5: invalid character U+D800 (a lone surrogate, not text;"
    )
    assert result.returncode == EXIT_USAGE


def test_lone_surrogate_in_a_baseline_is_file_line_exit_2(project: Path) -> None:
    text = _baseline(project)
    # An escaped backslash before `ud800` is text, and a proper pair is one character.
    text = text.replace('"reason": null', '"reason": "\\\\ud800 \\ud83d\\ude00 \\ud800"')
    (project / "bl.json").write_text(text, encoding="utf-8")
    result = check(project, "--baseline", "bl.json", "--format", "json")
    assert (
        result.stderr == "bl.json:12: invalid JSON: \\ud800 is a lone surrogate, not a character\n"
    )
    assert result.returncode == EXIT_USAGE


def test_lone_surrogate_in_a_snapshot_is_file_line_exit_2(project: Path) -> None:
    text = (project / "snap.json").read_text(encoding="utf-8")
    (project / "snap.json").write_text(text.replace('"extra"', '"extra\\udc00"'), encoding="utf-8")
    result = check(project, "--format", "json")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"extra"' in row)
    assert result.stderr == (
        f"snap.json:{line}: \\udc00 is a lone surrogate, not a character (no catalog holds one)\n"
    )
    assert result.returncode == EXIT_USAGE


# --- standard output --------------------------------------------------------------------------


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ("check", "--snapshot", "snap.json", "--specs", "specs"),
        ("check", "--snapshot", "snap.json", "--specs", "specs", "--format", "json"),
        ("check", "--snapshot", "snap.json", "--specs", "specs", "--format", "markdown"),
        ("lint", "--specs", "specs"),
        ("--version",),
    ],
    ids=["table", "json", "markdown", "lint", "version"],
)
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_standard_output_on_a_full_disk(
    project: Path, args: tuple[str, ...], unbuffered: bool
) -> None:
    with DEV_FULL.open("w") as full:
        result = run(project, *args, stdout=full.fileno(), unbuffered=unbuffered)
    assert result.stderr == "cannot write to standard output: No space left on device\n"
    assert result.returncode == EXIT_USAGE


@needs_dev_full
def test_output_file_on_a_full_disk_outside_check(project: Path) -> None:
    """Every command writing `-o` names the file, as `check -o` does, in one line, exit 2."""
    result = run(
        project, "coverage", "--snapshot", "snap.json", "--specs", "specs", "-o", "/dev/full"
    )
    assert result.stderr == "/dev/full: cannot write report: No space left on device\n"
    assert result.returncode == EXIT_USAGE


def _big_project(project: Path) -> None:
    """A snapshot of 3,000 undocumented tables: reports far larger than a pipe's buffer."""
    catalog = Catalog(
        tables=(*[_table(f"t{i:04}") for i in range(3000)], _table("t")),
        server_version=180000,
        schemas=("public",),
        source={"kind": "dsn", "host": "db", "dbname": "app"},
    )
    (project / "snap.json").write_text(snapshot.dump(catalog), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["table", "json", "github"])
def test_closed_pipe_ends_quietly_with_141(project: Path, fmt: str) -> None:
    """`schemaverify check | head -c 10`: no traceback, no "Exception ignored ...
    BrokenPipeError" from Python's flush at exit, and 141 as for any Unix tool."""
    _big_project(project)
    command = (
        f"{sys.executable} -m schemaverify check --snapshot snap.json --specs specs "
        f"--format {fmt} | head -c 10 >/dev/null; exit ${{PIPESTATUS[0]}}"
    )
    env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(project / ".cache")}
    env.pop("PYTHONUNBUFFERED", None)
    result = subprocess.run(
        ["bash", "-c", command], cwd=project, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.stderr == ""
    assert result.returncode == EXIT_BROKEN_PIPE


# --- the specs folder -------------------------------------------------------------------------


def test_symlink_loop_dangling_symlink_and_fifo_are_named(project: Path) -> None:
    """Each is a spec its author meant to be checked: the run fails naming every one (with
    every other problem), instead of aborting the listing without a name, or passing while
    silently leaving it out.  A folder named like a spec is a folder, read as before."""
    specs = project / "specs"
    (specs / "loop.yaml").symlink_to("loop.yaml")
    (specs / "gone.yaml").symlink_to("nowhere.yaml")
    os.mkfifo(specs / "pipe.yaml")
    (specs / "folder.yaml").mkdir()
    (specs / "folder.yaml" / "bad.yaml").write_text("table: [\n", encoding="utf-8")
    result = check(project)
    assert result.stderr.splitlines() == [
        "specs/folder.yaml/bad.yaml:2: YAML syntax error: while parsing a flow node, "
        "expected the node content, but found '<stream end>'",
        "specs/gone.yaml: dangling symlink (its target 'nowhere.yaml' does not exist)",
        "specs/loop.yaml: symlink loop",
        "specs/pipe.yaml: not a regular file (a FIFO, socket or device), cannot read it as a spec",
    ]
    assert result.stdout == ""
    assert result.returncode == EXIT_USAGE


@pytest.mark.parametrize("command", ["check", "lint"])
def test_specs_argument_that_is_a_symlink_loop(project: Path, command: str) -> None:
    (project / "loop.yaml").symlink_to("loop.yaml")
    args = ("--snapshot", "snap.json") if command == "check" else ()
    result = run(project, command, *args, "--specs", "loop.yaml")
    assert result.stderr == "loop.yaml: symlink loop\n"
    assert result.returncode == EXIT_USAGE


@pytest.mark.skipif(as_root, reason="root reads a folder without permissions anyway")
def test_unreadable_folder_among_the_specs_is_named(project: Path) -> None:
    private = project / "specs" / "private"
    private.mkdir()
    (private / "p.yaml").write_text("table: p\n", encoding="utf-8")
    private.chmod(0)
    try:
        result = check(project)
    finally:
        private.chmod(0o755)
    assert result.stderr == "specs/private: cannot list folder: Permission denied\n"
    assert result.returncode == EXIT_USAGE


# --- memory and the last-resort handler -------------------------------------------------------


def test_snapshot_too_large_for_memory_names_the_file(project: Path) -> None:
    """A sparse 4 GB file under a 1 GB address-space limit: reading it cannot succeed."""
    with (project / "huge.json").open("wb") as fh:
        fh.truncate(4 << 30)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = run(
        project,
        "check",
        "--snapshot",
        "huge.json",
        "--specs",
        "specs",
        preexec_fn=limit_memory,
    )
    assert result.stderr == "huge.json: out of memory while reading the snapshot\n"
    assert result.returncode == EXIT_USAGE


def test_unexpected_errors_of_the_machine_get_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """What the last-resort handler says for failures no loader anticipated; a real bug
    (any other exception) is left to `internal error`, exit 4."""
    cases: list[tuple[BaseException, str]] = [
        (
            MemoryError(),
            "out of memory while running `schemaverify check`: an input (a file, "
            "a migration) is too large",
        ),
        (
            RecursionError(),
            "an input is nested too deeply to process while running "
            "`schemaverify check` (Python's recursion limit)",
        ),
        (
            UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
            "an input is not UTF-8 text while running `schemaverify check`: invalid start "
            "byte at offset 0",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "out/report.json"),
            "out/report.json: Permission denied",
        ),
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "cannot read or write a file while running `schemaverify check`: "
            "No space left on device",
        ),
    ]
    for err, said in cases:
        assert unexpected_error(err, "schemaverify check") == EXIT_USAGE
        assert capsys.readouterr().err == said + "\n"
    assert unexpected_error(ValueError("a bug"), "schemaverify check") is None
    assert unexpected_error(KeyError("a bug")) is None
    assert capsys.readouterr().err == ""
