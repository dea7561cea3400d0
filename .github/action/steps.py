"""The steps of the schemaverify GitHub Action (action.yml), as one small program.

`python steps.py check` runs `schemaverify check` with the action's inputs and, when the check
cannot reach a verdict (exit 2: usage, spec or configuration error; 3: cannot connect; 4:
internal error), turns each `file:line: reason` it printed into an `::error file=...,line=...`
annotation, so a broken spec is marked on its line of the pull request like any drift, and
lists them in the job summary. `python steps.py summary` (`if: always()`) writes the job
summary in every other case: the Markdown report after a verdict, or why the check never
finished. So there is a summary whatever happened, and no temporary file between the steps.

The inputs arrive as environment variables (SV_*), never spliced into a script, so no input
can run a command. The steps are Python rather than inline shell because parsing the error
lines, escaping them for workflow commands and Markdown, and making paths relative to the
repository do not fit in shell; `tests/test_action.py` runs them as action.yml does.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

VERDICTS = (0, 1)
"""Exit codes after which the report files exist: 0 clean, 1 drift at or above --fail-on."""

TITLES = {
    2: "schemaverify usage error",
    3: "schemaverify cannot connect",
    4: "schemaverify internal error",
}
"""Annotation titles by exit code; no `:` or `,`, which a property value must escape."""
LOCATED_TITLE = "schemaverify spec or configuration error"
"""Exit 2 with a place: a spec, configuration or baseline file is wrong at that line."""
MAX_SUMMARY_LINES = 200
"""Problems quoted in the job summary; the log has them all."""

_LOCATED = re.compile(
    r"^(?P<path>.+?):(?P<line>[1-9][0-9]*)(?::(?P<col>[1-9][0-9]*))?: (?P<msg>.+)$"
)
_WHOLE_FILE = re.compile(r"^(?P<path>[^:]+): (?P<msg>.+)$")
"""`specs/loop.yaml: symlink loop`: a problem with a file as a whole has no line."""
_ZWSP = "\u200b"


@dataclass(frozen=True)
class Problem:
    """One line of the check's error output, with its place when it names an existing file."""

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None


def _env(name: str) -> str:
    return os.environ.get(name, "")


def check_arguments(env: dict[str, str]) -> list[str]:
    """`schemaverify check` arguments from the inputs: only what is set, so the configuration
    file (schemaverify.toml, [tool.schemaverify]) supplies the rest."""
    args = ["check", "--format", env.get("SV_FORMAT") or "github"]
    for variable, option in (
        ("SV_SPECS", "--specs"),
        ("SV_FAIL_ON", "--fail-on"),
        ("SV_MIGRATIONS", "--migrations"),
    ):
        if env.get(variable):
            args += [option, env[variable]]
    for schema in env.get("SV_SCHEMA", "").split():
        args += ["--schema", schema]
    if env.get("SV_BASELINE"):
        args += ["--baseline", env["SV_BASELINE"]]
    for variable, fmt in (
        ("SV_SARIF", "sarif"),
        ("SV_MARKDOWN", "markdown"),
        ("SV_JUNIT", "junit"),
        ("SV_JSON", "json"),
    ):
        if env.get(variable):
            args += ["--output", f"{fmt}={env[variable]}"]
    return args + env.get("SV_ARGS", "").split()


def repository_path(path: str, workspace: Path) -> str | None:
    """`path` as GitHub places annotations: relative to the repository root (the workspace),
    with `/`; None when it names nothing on disk, so that `cannot connect to host:5432: ...`
    is not taken for a file."""
    if not os.path.lexists(path):
        return None
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(workspace.resolve()).as_posix()
    except ValueError:
        try:
            return Path(os.path.realpath(path)).relative_to(workspace.resolve()).as_posix()
        except ValueError:
            return path  # outside the repository: no annotation can sit on it, the text stays


def parse_problems(lines: Iterable[str], workspace: Path) -> list[Problem]:
    """The error output as problems; the lines that name no file (typer's usage text, a
    connection error) become one problem, since they are one message."""
    located: list[Problem] = []
    loose: list[str] = []
    for raw in lines:
        text = raw.rstrip("\r\n").replace(_ZWSP, "")  # the CLI's guard against `::` commands
        if not text.strip():
            continue
        match = _LOCATED.match(text)
        if match:
            place = repository_path(match["path"], workspace)
            if place is not None:
                column = int(match["col"]) if match["col"] else None
                located.append(Problem(match["msg"], place, int(match["line"]), column))
                continue
        match = _WHOLE_FILE.match(text)
        if match:
            place = repository_path(match["path"], workspace)
            if place is not None:
                located.append(Problem(match["msg"], place))
                continue
        loose.append(text)
    return located + ([Problem("\n".join(loose))] if loose else [])


def title_of(problem: Problem, code: int) -> str:
    if code == 2 and problem.path is not None:
        return LOCATED_TITLE
    return TITLES.get(code, f"schemaverify exit status {code}")


def place_text(problem: Problem) -> str:
    """`file:line[:col]: message` as a reader sees it in the summary (message alone when
    there is no place)."""
    if problem.path is None:
        return problem.message
    where = problem.path
    if problem.line is not None:
        where += f":{problem.line}"
        if problem.column is not None:
            where += f":{problem.column}"
    return f"{where}: {problem.message}"


def annotation(problem: Problem, title: str) -> str:
    """An `::error` workflow command, escaped as the runner requires (schemaverify.escape)."""
    from schemaverify.escape import workflow_data, workflow_property

    properties: list[tuple[str, str]] = []
    if problem.path is not None:
        properties.append(("file", problem.path))
        if problem.line is not None:
            properties.append(("line", str(problem.line)))
        if problem.column is not None:
            properties.append(("col", str(problem.column)))
    properties.append(("title", title))
    head = ",".join(f"{key}={workflow_property(value)}" for key, value in properties)
    return f"::error {head}::{workflow_data(problem.message)}"


def run_check(argv: Sequence[str]) -> tuple[int, list[str]]:
    """Run schemaverify, passing standard output through and standard error to the log as
    it comes (applying migrations can take minutes); the error lines are also kept for the
    annotations and the summary."""
    proc = subprocess.Popen([sys.executable, "-m", "schemaverify", *argv], stderr=subprocess.PIPE)
    assert proc.stderr is not None
    lines: list[str] = []
    for chunk in iter(proc.stderr.readline, b""):
        sys.stderr.buffer.write(chunk)
        sys.stderr.buffer.flush()
        lines.append(chunk.decode("utf-8", "replace").rstrip("\r\n").replace(_ZWSP, ""))
    proc.stderr.close()
    return proc.wait(), lines


def _append(variable: str, text: str) -> None:
    """Append to the file a runner variable names (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY);
    nothing when it is unset, as outside a runner."""
    target = _env(variable)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(text)


def _report_file(variable: str) -> str:
    """A report path for the step outputs, empty when that report is not wanted."""
    path = _env(variable)
    return path if path and os.path.isfile(path) else ""


def check() -> int:
    if importlib.util.find_spec("schemaverify") is None:
        # `python -m schemaverify` would exit 1, which reads as drift.
        print(f"::error title=schemaverify is not installed::no schemaverify for {sys.executable}")
        return 1
    workspace = Path(_env("GITHUB_WORKSPACE") or os.getcwd())
    if _env("SV_DSN"):
        os.environ["SCHEMAVERIFY_DSN"] = _env("SV_DSN")
    code, lines = run_check(check_arguments(dict(os.environ)))
    outputs = {"exit-code": str(code)}
    if code in VERDICTS:
        # Report files exist only after a verdict; the summary step shows the Markdown one.
        outputs.update(sarif=_report_file("SV_SARIF"), markdown=_report_file("SV_MARKDOWN"))
    else:
        problems = parse_problems(lines, workspace)
        for problem in problems or [Problem(f"schemaverify exited with status {code}")]:
            print(annotation(problem, title_of(problem, code)), flush=True)
        _append("GITHUB_STEP_SUMMARY", error_summary(code, problems))
    _append("GITHUB_OUTPUT", "".join(f"{key}={value}\n" for key, value in outputs.items()))
    return code


# --------------------------------------------------------------------------- summary


def error_summary(code: int, problems: Sequence[Problem]) -> str:
    """The job summary of a check that stopped before a verdict: its problems, escaped, since
    a summary is rendered Markdown. Written by the check step, which holds them."""
    from schemaverify.escape import markdown as md

    title = title_of(problems[0], code) if problems else title_of(Problem(""), code)
    shown = [f"- {md(place_text(p))}" for p in problems[:MAX_SUMMARY_LINES]]
    if len(problems) > MAX_SUMMARY_LINES:
        shown.append(f"- … {len(problems) - MAX_SUMMARY_LINES} more in the log")
    body = "\n".join(shown) or "- (no message; see the log)"
    return (
        f"## {md(title)} (exit {code})\n\n"
        "The check stopped before a verdict, so no report was written. What it said:\n\n"
        f"{body}\n"
    )


def summary_text(code_text: str, markdown: str) -> str:
    """The job summary after the check step: the Markdown report after a verdict (or, without
    one, the verdict), a note when the check never finished; nothing after an error, whose
    summary the check step wrote."""
    if not code_text:
        return (
            "## schemaverify did not run\n\n"
            "The check step did not finish: see the step that failed (setting up Python, "
            "installing schemaverify, or the check itself).\n"
        )
    code = int(code_text)
    if code not in VERDICTS:
        return ""
    if markdown and os.path.isfile(markdown):
        text = Path(markdown).read_text(encoding="utf-8")
        return text if text.endswith("\n") else text + "\n"
    verdict = "no drift at the gate" if code == 0 else "drift found"
    return (
        f"## schemaverify: {verdict} (exit {code})\n\n"
        "No Markdown report was requested (`markdown` input empty); the findings are in "
        "the log and its annotations.\n"
    )


def summary() -> int:
    _append("GITHUB_STEP_SUMMARY", summary_text(_env("SV_EXIT_CODE"), _env("SV_MARKDOWN")))
    return 0


def main(argv: Sequence[str]) -> int:
    steps = {"check": check, "summary": summary}
    if len(argv) != 1 or argv[0] not in steps:
        print(f"usage: steps.py {{{'|'.join(steps)}}}", file=sys.stderr)
        return 2
    return steps[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
