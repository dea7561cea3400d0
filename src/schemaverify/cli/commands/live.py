"""The live schema for the commands that show it rather than check it (access, coverage,
snapshot): the source's own findings (a failed migration) go to stderr, a run that read no
schema ends with exit 1, and one that read a partial schema is told apart."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from schemaverify.cli.util import warn_finding

if TYPE_CHECKING:
    from schemaverify.cli.config import Settings
    from schemaverify.model.schema import Catalog
    from schemaverify.sources.live import LiveSide


@dataclass(frozen=True)
class Read:
    live: LiveSide
    catalog: Catalog

    @property
    def partial(self) -> bool:
        """A migration failed (with --continue-on-error): the run must not pass."""
        return any(f.severity == "error" for f in self.live.findings)


@contextlib.contextmanager
def read_live(
    settings: Settings,
    schemas: Sequence[str],
    *,
    with_severity: bool = False,
    nothing_read: str | None = None,
) -> Iterator[Read]:
    """Open the configured source on `schemas`; exit 1 (after `nothing_read`, if given) when
    the migrations did not produce a schema."""
    from schemaverify.sources.live import open_live

    with open_live(settings.source_options(), schemas) as live:
        for f in live.findings:
            message = f"{f.severity}: {f.message}" if with_severity else f.message
            warn_finding(f.location or f.object, message)
        if live.catalog is None:
            if nothing_read:
                warn_finding(None, nothing_read)
            raise typer.Exit(1)
        yield Read(live, live.catalog)
