"""The progress display of a migrations run: start-up, then each file.

Shown on stderr only when it is a terminal, and transient, so that reports on
stdout, CI logs and pipes never contain it.  rich is imported only when the
display is actually shown.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from schemaverify.escape import visible
from schemaverify.sources.migrations.runner import SilentReporter

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class RichReporter:
    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._failed = 0

    def _ensure(self) -> tuple[Progress, TaskID]:
        if self._progress is None or self._task is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("preparing", total=None)
        return self._progress, self._task

    def status(self, message: str) -> None:
        progress, task = self._ensure()
        progress.update(task, description=message)

    def begin_files(self, total: int) -> None:
        progress, task = self._ensure()
        progress.update(task, total=total, completed=0, description="applying migrations")

    def file_started(self, name: str) -> None:
        from rich.markup import escape

        progress, task = self._ensure()
        failed = f" [red]({self._failed} failed)[/red]" if self._failed else ""
        # The description is Rich markup: the name (data) has its brackets escaped.
        progress.update(task, description=f"applying {escape(visible(name))}{failed}")

    def file_done(self, name: str, ok: bool) -> None:
        from rich.text import Text

        progress, task = self._ensure()
        if not ok:
            self._failed += 1
            # A Text, never markup: a file may be named `[/red].sql`.
            progress.console.print(Text.assemble(("✗", "red"), f" {visible(name)} failed"))
        progress.advance(task)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class QuietReporter(SilentReporter):
    def close(self) -> None:
        pass


def make_reporter(enabled: bool) -> RichReporter | QuietReporter:
    """The rich display when wanted and stderr is a terminal, else a silent one."""
    if enabled and sys.stderr.isatty():
        return RichReporter()
    return QuietReporter()
