"""GitHub Actions workflow commands: one annotation line per finding.

Printed in a workflow step, each line becomes an annotation on the spec line
in the pull request's diff view and in the run summary, with no upload step
or extra permission; `file=` is a path from the repository root (`paths.rooted`),
which is what the runner resolves it against.  Escaping follows the runner's
rules: in the message `%`, CR and LF are percent-encoded; in property values
`:` and `,` too, since they separate properties.  Other control characters
become visible escapes (`escape.visible`), so every line printed is one
command of ours: no data starts a line, and the log viewer draws no ANSI
sequence from a name.
"""

from __future__ import annotations

from schemaverify.escape import workflow_data, workflow_property
from schemaverify.model.findings import Finding
from schemaverify.pipeline.report import Report, consequences_of, folded_text, place_of
from schemaverify.reports.paths import rooted

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def annotation(f: Finding, consequences: list[Finding] | None = None) -> str:
    properties: list[tuple[str, str]] = []
    place = place_of(f)
    if place is not None:
        properties.append(("file", place.path))
        if place.line is not None:
            properties.append(("line", str(place.line)))
        if place.column is not None:
            properties.append(("col", str(place.column)))
    properties.append(("title", f"{f.kind} ({f.table})" if f.table else f.kind))
    message = f.message
    if consequences:
        message += f" ({folded_text(consequences)})"
    return _command(COMMANDS[f.severity], properties, message)


def _command(command: str, properties: list[tuple[str, str]], message: str) -> str:
    props = ",".join(f"{key}={workflow_property(value)}" for key, value in properties)
    return f"::{command} {props}::{workflow_data(message)}"


def stale_annotation(path: str, line: int, fingerprint: str, failing: bool) -> str:
    """A baseline entry whose drift is gone, on its line of the baseline file: an error
    under `--fail-on-stale` (it fails the check), a notice otherwise."""
    properties = [("file", path)] + ([("line", str(line))] if line > 0 else [])
    return _command(
        "error" if failing else "notice",
        [*properties, ("title", "stale baseline entry")],
        f"{fingerprint} no longer occurs: remove the entry",
    )


def render(report: Report) -> str:
    # `file=` is resolved against the repository root, not where the command ran.
    report = rooted(report)
    # Migration failures caused by an earlier one are folded into its annotation: one
    # missing extension must not flood the pull request with a failure per later file.
    children = {
        root: group
        for root, group in consequences_of(report.findings).items()
        if root.startswith("|migration_")
    }
    folded = {id(f) for group in children.values() for f in group}
    lines = [
        annotation(f, children.get(f.fingerprint)) for f in report.findings if id(f) not in folded
    ]
    outcome = report.baseline
    if outcome is not None:
        lines += [
            stale_annotation(outcome.path, e.line, e.fingerprint, outcome.failed)
            for e in outcome.stale
        ]
    return "".join(line + "\n" for line in lines)
