"""The GitHub Action (action.yml) run as the runner runs it, against the test database.

Each `run:` step of the composite action is executed with bash as GitHub does (`bash
--noprofile --norc -eo pipefail`), with its `env:` expressions filled in from the inputs,
the action path and earlier steps' outputs, and with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
GITHUB_WORKSPACE and RUNNER_TEMP pointing into a temporary workspace, so what a pull request
would show (annotations in the log, the job summary, the step outputs) is asserted on the
real scripts. Steps after a failed one run only with `if: always()`, as on GitHub. The
`uses:` steps (setup-python, the SARIF upload) are GitHub's own; for the upload, whether its
condition would let it run is evaluated. The install step is run with a recording `python`,
since installing would replace this virtualenv's editable schemaverify.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, object]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

TABLE_SQL = "CREATE TABLE orders (id uuid PRIMARY KEY, total numeric NOT NULL);"

GOOD_SPEC = """\
table: orders
columns:
  - name: id
    type: uuid
    primary_key: true
  - name: total
    type: numeric
"""

DRIFTED_SPEC = GOOD_SPEC + "  - name: shipped_at\n    type: timestamptz\n"
"""Line 8 documents a column the database does not have."""

BROKEN_SPEC = """\
table: orders
columns:
  - name: id
    type: uuid
    primary_key: true
  - name: total
    type: numerc(10
    nullable: maybe
"""
"""Line 7: a type that cannot be parsed; line 8: not a boolean."""

BROKEN_CONFIG = """\
specs = "specs"
fail_on = "sometimes"
colour = "blue"
"""
"""Line 2: an unknown --fail-on value; line 3: an unknown key."""


# --------------------------------------------------------------------------- the runner


@dataclass
class ActionRun:
    """What a workflow run of the action leaves: per step its exit code and log, the step
    outputs, the job summary, and which `uses:` steps would have run."""

    workspace: Path
    codes: dict[str, int] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""
    would_use: list[str] = field(default_factory=list)

    def annotations(self, step: str = "check") -> list[str]:
        return [line for line in self.logs.get(step, "").splitlines() if line.startswith("::")]

    def output(self, name: str) -> str:
        """An output of the action as a workflow sees it (`outputs:` in action.yml)."""
        return _evaluate(ACTION["outputs"][name]["value"], self._context())

    def _context(self, inputs: Mapping[str, str] | None = None) -> dict[str, str]:
        context = {f"inputs.{k}": v for k, v in (inputs or {}).items()}
        context["github.action_path"] = str(REPO)
        for step, values in self.outputs.items():
            context.update({f"steps.{step}.outputs.{k}": v for k, v in values.items()})
        return context


def _evaluate(text: str, context: Mapping[str, str]) -> str:
    """`${{ name }}` replaced by its value: the only expressions the action's `env:` and
    `outputs:` may use are plain context names (an unset step output is empty, as on GitHub)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert re.fullmatch(r"(inputs|github|steps)\.[\w.-]+", name), f"expression {name!r}"
        if name.startswith("steps."):
            return context.get(name, "")
        return context[name]

    return EXPRESSION.sub(value, text)


def _condition(expression: str, context: Mapping[str, str], failed: bool) -> bool:
    """The subset of GitHub's expression language action.yml uses in `if:`: terms joined by
    `&&`, each `always()` or `NAME == 'literal'` / `NAME != 'literal'`."""
    assert "||" not in expression and "!(" not in expression, expression
    result = True
    has_status_function = False
    for term in (t.strip() for t in expression.split("&&")):
        if term == "always()":
            has_status_function = True
            continue
        match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
        assert match, f"unsupported condition term {term!r}"
        name, op, literal = match.groups()
        actual = context.get(name, "")
        result = result and ((actual == literal) if op == "==" else (actual != literal))
    if failed and not has_status_function:
        return False  # GitHub's implicit success(): skipped after a failed step
    return result


def run_action(
    workspace: Path,
    inputs: Mapping[str, str],
    *,
    python: Path | None = None,
    failed_before: bool = False,
    only: tuple[str, ...] | None = None,
) -> ActionRun:
    """Run the action's `run:` steps in order, as a workflow job would.

    `python`: the interpreter the steps find as `python` (default: this virtualenv's).
    `failed_before`: a step before these failed (setup or install), as on a broken runner.
    `only`: the step ids to run; by default every `run:` step but the install.
    """
    declared = ACTION["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    values.update(inputs)
    run = ActionRun(workspace)
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    bindir = workspace.parent / "bin"
    bindir.mkdir(exist_ok=True)
    launcher = bindir / "python"  # a script, not a symlink: a venv's python must keep its path
    launcher.write_text(f'#!/bin/sh\nexec "{python or sys.executable}" "$@"\n')
    launcher.chmod(0o755)
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SCHEMAVERIFY_DSN", "DATABASE_URL") and not key.startswith("PG")
    }
    base_env["PATH"] = f"{bindir}{os.pathsep}{base_env.get('PATH', '')}"
    failed = failed_before
    for index, step in enumerate(STEPS):
        step_id = str(step.get("id") or f"step{index}")
        context = run._context(values)
        condition = step.get("if")
        if "uses" in step:
            if condition is not None and _condition(str(condition), context, failed):
                run.would_use.append(str(step["uses"]))
            continue
        if only is not None and step_id not in only:
            continue
        if only is None and step_id == "install":
            continue
        if condition is not None and not _condition(str(condition), context, failed):
            continue
        if condition is None and failed:
            continue
        script = str(step["run"])
        assert "${{" not in script, f"step {step_id}: an expression spliced into the script"
        # Never with this virtualenv's python: it would replace the editable install.
        assert python is not None or "pip install" not in script, f"step {step_id} installs"
        assert step.get("shell") == "bash", f"step {step_id}: shell {step.get('shell')!r}"
        env_block = step.get("env") or {}
        assert isinstance(env_block, dict)
        env = {**base_env, **{k: _evaluate(str(v), context) for k, v in env_block.items()}}
        output_file = runner_temp / f"output-{step_id}"
        summary_file = runner_temp / f"summary-{step_id}"
        for path in (output_file, summary_file):
            path.write_text("")
        env.update(
            GITHUB_OUTPUT=str(output_file),
            GITHUB_STEP_SUMMARY=str(summary_file),
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_ACTION_PATH=str(REPO),
            GITHUB_ACTIONS="true",
            RUNNER_TEMP=str(runner_temp),
        )
        script_file = runner_temp / f"{step_id}.sh"
        script_file.write_text(script)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        run.codes[step_id] = done.returncode
        run.logs[step_id] = done.stdout + done.stderr
        values_out: dict[str, str] = {}
        for line in output_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            assert sep, f"step {step_id}: GITHUB_OUTPUT line {line!r}"
            values_out[key] = value
        run.outputs[step_id] = values_out
        run.summary += summary_file.read_text()
        failed = failed or done.returncode != 0
    return run


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository: specs/ at its root, as a workflow sees it."""
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    return root


# --------------------------------------------------------------------------- errors


def test_a_broken_spec_is_annotated_on_its_lines_and_summarized(db, workspace: Path) -> None:
    db.run(TABLE_SQL)
    (workspace / "specs" / "orders.yaml").write_text(BROKEN_SPEC)
    (workspace / "specs" / "a,b.yaml").write_text("table: [\n")  # a comma: escaped in file=
    # Absolute, as a workflow may pass it: annotations must still name the repository path.
    run = run_action(workspace, {"dsn": db.dsn, "specs": str(workspace / "specs")})

    assert run.codes["check"] == 2, run.logs["check"]
    assert run.output("exit-code") == "2"
    annotations = run.annotations()
    title = "title=schemaverify spec or configuration error"
    assert f"::error file=specs/orders.yaml,line=7,{title}::columns[1].type: cannot parse" in (
        "\n".join(annotations)
    )
    assert any(
        a.startswith(f"::error file=specs/orders.yaml,line=8,{title}::columns[1].nullable")
        for a in annotations
    ), annotations
    assert any(a.startswith("::error file=specs/a%2Cb.yaml,line=") for a in annotations)
    assert not any(str(workspace) in a for a in annotations), annotations
    # The CLI's own lines still reach the log as it printed them.
    assert "specs/orders.yaml:7: columns[1].type" in run.logs["check"]

    assert run.codes["summary"] == 0, run.logs["summary"]  # the summary step ran, and passed
    assert run.summary.startswith("## schemaverify spec or configuration error (exit 2)\n")
    assert run.summary.count("\n## ") == 0  # one summary, not one per step
    assert "no report was written" in run.summary
    assert "specs/orders.yaml:7: columns\\[1\\].type: cannot parse type" in run.summary
    assert run.outputs["check"] == {"exit-code": "2"}  # no report paths without a verdict
    assert run.would_use == []  # so no SARIF upload


def test_a_broken_configuration_is_annotated_on_its_lines(db, workspace: Path) -> None:
    db.run(TABLE_SQL)
    (workspace / "specs" / "orders.yaml").write_text(GOOD_SPEC)
    (workspace / "schemaverify.toml").write_text(BROKEN_CONFIG)
    run = run_action(workspace, {"dsn": db.dsn})  # specs from the configuration file

    assert run.codes["check"] == 2, run.logs["check"]
    annotations = run.annotations()
    title = "title=schemaverify spec or configuration error"
    assert any(
        a.startswith(f"::error file=schemaverify.toml,line=2,{title}::fail_on: unknown value")
        for a in annotations
    ), annotations
    assert any(
        a.startswith(f"::error file=schemaverify.toml,line=3,{title}::unknown key")
        for a in annotations
    ), annotations
    assert "schemaverify.toml:2: fail\\_on: unknown value" in run.summary
    assert "schemaverify.toml:3: unknown key" in run.summary


def test_cannot_connect_is_one_annotation_and_the_password_stays_hidden(
    workspace: Path,
) -> None:
    (workspace / "specs" / "orders.yaml").write_text(GOOD_SPEC)
    dsn = "postgresql://app:hunter2@/app?host=/nonexistent-socket-dir&connect_timeout=2"
    run = run_action(workspace, {"dsn": dsn})

    assert run.codes["check"] == 3, run.logs["check"]
    assert run.output("exit-code") == "3"
    [annotation] = run.annotations()
    assert annotation.startswith("::error title=schemaverify cannot connect::cannot connect to")
    assert "## schemaverify cannot connect (exit 3)" in run.summary
    assert "hunter2" not in run.logs["check"] + run.summary


def test_a_usage_error_without_a_place_is_one_annotation(workspace: Path) -> None:
    (workspace / "specs" / "orders.yaml").write_text(GOOD_SPEC)
    run = run_action(workspace, {"dsn": "dbname=x", "args": "--no-such-option"})

    assert run.codes["check"] == 2
    [annotation] = run.annotations()
    assert annotation.startswith("::error title=schemaverify usage error::")
    assert "No such option: --no-such-option" in annotation
    assert "%0A" in annotation  # typer's several lines, one annotation
    assert "## schemaverify usage error (exit 2)" in run.summary


def test_the_summary_is_written_when_the_check_never_ran(workspace: Path) -> None:
    run = run_action(workspace, {}, failed_before=True)

    assert "check" not in run.codes  # skipped after the failed install, as on GitHub
    assert "## schemaverify did not run" in run.summary
    assert run.output("exit-code") == ""


# --------------------------------------------------------------------------- verdicts


def test_drift_is_annotated_reported_in_the_summary_and_uploaded_on_request(
    db, workspace: Path
) -> None:
    db.run(TABLE_SQL)
    (workspace / "specs" / "orders.yaml").write_text(DRIFTED_SPEC)
    run = run_action(workspace, {"dsn": db.dsn, "upload-sarif": "true"})

    assert run.codes["check"] == 1, run.logs["check"]
    assert run.output("exit-code") == "1"
    assert any(
        a.startswith("::error file=specs/orders.yaml,line=8,title=column_missing (public.orders)")
        for a in run.annotations()
    ), run.annotations()
    report = (workspace / "schemaverify.md").read_text()
    assert "shipped" in report
    assert run.summary == (report if report.endswith("\n") else report + "\n")
    assert run.output("sarif") == "schemaverify.sarif"
    assert (workspace / "schemaverify.sarif").is_file()
    assert run.would_use == ["github/codeql-action/upload-sarif@v3"]


def test_sarif_upload_is_off_by_default(db, workspace: Path) -> None:
    db.run(TABLE_SQL)
    (workspace / "specs" / "orders.yaml").write_text(GOOD_SPEC)
    run = run_action(workspace, {"dsn": db.dsn})

    assert run.codes["check"] == 0, run.logs["check"]
    assert run.annotations() == []
    assert (workspace / "schemaverify.sarif").is_file()  # written, just not uploaded
    assert run.would_use == []
    assert run.summary.strip() == (workspace / "schemaverify.md").read_text().strip()


def test_without_a_markdown_report_the_summary_states_the_verdict(db, workspace: Path) -> None:
    db.run(TABLE_SQL)
    (workspace / "specs" / "orders.yaml").write_text(DRIFTED_SPEC)
    run = run_action(workspace, {"dsn": db.dsn, "markdown": ""})

    assert run.codes["check"] == 1
    assert run.summary.startswith("## schemaverify: drift found (exit 1)")
    assert run.output("markdown") == ""


# --------------------------------------------------------------------------- install


def _recording_python(folder: Path) -> tuple[Path, Path]:
    """A `python` that records its arguments: the install step's command line is the thing
    under test, and running it for real would reinstall this virtualenv's schemaverify."""
    record = folder / "argv.txt"
    fake = folder / "python"
    fake.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            printf '%s\\n' "$@" > {record}
            """
        )
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake, record


def test_the_install_step_installs_the_action_checkout(workspace: Path, tmp_path: Path) -> None:
    fake, record = _recording_python(tmp_path)
    run = run_action(workspace, {}, python=fake, only=("install",))

    assert run.codes["install"] == 0, run.logs["install"]
    argv = record.read_text().splitlines()
    assert argv == ["-m", "pip", "install", "--disable-pip-version-check", f"{REPO}[embedded]"]


def test_the_install_step_installs_a_release_when_a_version_is_given(
    workspace: Path, tmp_path: Path
) -> None:
    fake, record = _recording_python(tmp_path)
    run = run_action(workspace, {"version": "0.2.0"}, python=fake, only=("install",))

    assert run.codes["install"] == 0, run.logs["install"]
    assert record.read_text().splitlines()[-1] == "schemaverify[embedded]==0.2.0"


def test_no_input_is_spliced_into_a_script() -> None:
    """Inputs reach the steps only through `env:`: an input holding `$(...)` or a quote must
    not become shell code."""
    for step in STEPS:
        if "run" in step:
            assert "${{" not in str(step["run"]), step.get("name")
