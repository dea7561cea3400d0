"""Paths as the repository names them, for the formats that place findings on files.

Code scanning (SARIF `%SRCROOT%`), workflow annotations (`file=`), JUnit's `file` and the
pull-request comment resolve a path against the repository root, not against the folder
schemaverify ran in: `schemaverify check --specs specs` run from `db/` reports
`specs/orders.yaml`, which GitHub cannot find; `db/specs/orders.yaml` it can.  An absolute
path (`--migrations "$PWD/supabase/migrations"`) it cannot place at all.

So the paths of a report are rebased once, here, and every such format renders the rebased
report (`rooted`).  The root is $GITHUB_WORKSPACE when set (the checkout the runner resolves
against), else the nearest folder upwards holding `.git`, else the current folder.  A path
outside the root stays exactly as given: never made absolute by us, never guessed.
The JSON and terminal reports keep the paths as given, relative to where the command ran,
which is where their reader is.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path, PurePath

from schemaverify.model.findings import Finding
from schemaverify.pipeline.report import Report, split_place

WORKSPACE = "GITHUB_WORKSPACE"
MIGRATION_KINDS = "migration_"
"""Kinds whose findings are about a migration file rather than a table."""


def find_root(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The folder report paths are relative to (see the module doc); always absolute."""
    here = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    env = os.environ if environ is None else environ
    workspace = env.get(WORKSPACE, "").strip()
    if workspace and Path(here, workspace).is_dir():
        return Path(os.path.abspath(Path(here, workspace)))
    for folder in (here, *here.parents):
        # A file `.git` marks a worktree or a submodule: its root all the same.
        if (folder / ".git").exists():
            return folder
    return here


class Rebase:
    """Turns paths relative to the current folder (or absolute) into paths relative to the
    root; one instance per rendering, remembering each path it saw."""

    def __init__(self, root: Path | None = None, cwd: Path | None = None) -> None:
        self.cwd = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
        self.root = Path(os.path.abspath(root)) if root is not None else find_root(self.cwd)
        self._seen: dict[str, str] = {}

    def path(self, text: str) -> str:
        """`text` relative to the root when it lies inside it, else `text` unchanged."""
        if not text:
            return text
        shown = self._seen.get(text)
        if shown is None:
            shown = self._seen[text] = self._rebased(text)
        return shown

    def place(self, text: str | None) -> str | None:
        """A `path:line[:column]` place with its path rebased."""
        if not text:
            return text
        place = split_place(text)
        shown = self.path(place.path)
        if shown == place.path:
            return text
        numbers = [n for n in (place.line, place.column) if n is not None]
        return ":".join([shown, *map(str, numbers)])

    def _rebased(self, text: str) -> str:
        full = os.path.normpath(os.path.join(self.cwd, text))
        inside = _relative(full, str(self.root))
        if inside is None:
            # The same folder by another name (a symlinked workspace, /tmp -> /private/tmp).
            inside = _relative(os.path.realpath(full), os.path.realpath(self.root))
        return inside if inside is not None else text


def _relative(path: str, root: str) -> str | None:
    try:
        if os.path.commonpath([path, root]) != root:
            return None
    except ValueError:  # different drives, or one relative: not inside
        return None
    return PurePath(os.path.relpath(path, root)).as_posix()


def rooted(report: Report, rebase: Rebase | None = None) -> Report:
    """`report` with every path the file-placing formats show relative to the root: the
    findings' `spec` and `location`, a migration finding's file (its `object`, see
    migrations/placed.py), the specs folder and the baseline file.  Fingerprints and
    messages are identity and text, never rewritten."""
    paths = rebase if rebase is not None else Rebase()
    findings = tuple(_finding(f, paths) for f in report.findings)
    outcome = report.baseline
    if outcome is not None:
        outcome = dataclasses.replace(outcome, path=paths.path(outcome.path))
    return dataclasses.replace(
        report,
        findings=findings,
        specs=paths.path(report.specs) if report.specs else report.specs,
        baseline=outcome,
    )


def _finding(f: Finding, paths: Rebase) -> Finding:
    spec, location = paths.place(f.spec), paths.place(f.location)
    obj, extra = f.object, f.extra
    if not f.table and f.kind.startswith(MIGRATION_KINDS) and f.object:
        # About a file, not a table: the object is the file (or its statement's place).
        obj = paths.place(f.object)
        file = f.extra.get("file")
        if isinstance(file, str) and paths.path(file) != file:
            extra = {**f.extra, "file": paths.path(file)}
    if (spec, location, obj) == (f.spec, f.location, f.object) and extra is f.extra:
        return f
    # The key keeps the fingerprint (a baseline's and `caused_by`'s identity) as it was.
    key = f.key if f.key is not None else f.object
    return dataclasses.replace(f, spec=spec, location=location, object=obj, extra=extra, key=key)
