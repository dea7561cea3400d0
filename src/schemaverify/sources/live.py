"""Where the live schema comes from: a DSN, a migrations folder or a snapshot file.

Exactly one source per run.  Every source ends as a `model.Catalog`, plus any
findings the source itself produced (a failing migration), so the rest of the
pipeline never knows which one was used.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from schemaverify.errors import UsageError
from schemaverify.model.findings import Finding
from schemaverify.model.schema import Catalog


@dataclass(frozen=True)
class SourceOptions:
    dsn: str | None = None
    migrations: str | None = None
    snapshot: str | None = None
    """A snapshot file (`schemaverify snapshot`): fully offline, no server at all."""
    preset: str | None = None
    supabase_grants: str = "current"
    """The Data API grant mode of the Supabase preset: `current` or `legacy`."""
    continue_on_error: bool = False
    statement_timeout_ms: int = 30000
    lock_timeout_ms: int = 5000
    connect_timeout_s: int = 10
    migration_statement_timeout_ms: int = 300_000
    """Per-statement limit of applying migrations (`--migration-statement-timeout`)."""
    migration_timeout_s: int = 1800
    """Wall-clock limit of applying the whole history (`--migration-timeout`)."""
    allow_partial: bool = False
    """Read a snapshot taken of a migration history with failed or skipped files
    (`--allow-partial`); refused otherwise, as its schema lacks what those files create."""


@dataclass(frozen=True)
class LiveSide:
    catalog: Catalog | None
    """None when the source could not produce a schema (a migration failed and stopped the run)."""
    findings: tuple[Finding, ...] = ()
    description: dict[str, str] = field(default_factory=dict)
    migrations: dict[str, int] | None = None
    """`{files, applied, failed, skipped}` of a migrations run (or of the run a snapshot was
    taken of, as it recorded them); None for a database."""


def _status(message: str) -> contextlib.AbstractContextManager[object]:
    """A spinner on stderr when it is a terminal; silent otherwise (CI logs, pipes)."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _read(
    dsn: str,
    schemas: Sequence[str],
    opts: SourceOptions,
    normalized: Callable[[str, str], bool] | None,
) -> Catalog:
    from schemaverify.sources.catalog.reader import read_catalog

    return read_catalog(
        dsn,
        schemas,
        statement_timeout_ms=opts.statement_timeout_ms,
        lock_timeout_ms=opts.lock_timeout_ms,
        connect_timeout_s=opts.connect_timeout_s,
        normalized=normalized,
    )


@contextlib.contextmanager
def open_live(
    opts: SourceOptions,
    schemas: Sequence[str],
    normalized: Callable[[str, str], bool] | None = None,
) -> Iterator[LiveSide]:
    """The live side.  `normalized(schema, name)` picks the relations a database or
    migrations read normalizes the expressions of (None: all; see read_catalog); a
    snapshot holds normalized expressions already."""
    given = [
        name
        for name, value in (
            ("--dsn", opts.dsn),
            ("--migrations", opts.migrations),
            ("--snapshot", opts.snapshot),
        )
        if value
    ]
    if len(given) > 1:
        raise UsageError(f"give exactly one source, not {' and '.join(given)}")
    if opts.snapshot:
        from schemaverify.sources import snapshot

        full, record = snapshot.read_document(opts.snapshot)
        if record is not None and not opts.allow_partial:
            snapshot.refuse_partial(opts.snapshot, record)
        # Only the schemas a DSN run would read, so both give the same findings; a schema
        # the snapshot did not record is a UsageError (see snapshot.restrict).
        catalog = snapshot.restrict(full, schemas, opts.snapshot)
        description = snapshot.describe_source(opts.snapshot, catalog)
        counts = snapshot.record_counts(record) if record is not None else None
        yield LiveSide(replace(catalog, source=description), (), description, counts)
        return
    if opts.migrations:
        from schemaverify.sources.migrations import Limits, migrated_database

        with migrated_database(
            opts.migrations,
            preset=opts.preset,
            grants=opts.supabase_grants,
            continue_on_error=opts.continue_on_error,
            progress=sys.stderr.isatty(),
            limits=Limits(opts.migration_statement_timeout_ms, opts.migration_timeout_s),
        ) as run:
            description = {"kind": "migrations", "path": opts.migrations, "preset": run.preset}
            if run.grants is not None:
                description["grants"] = run.grants
            if run.supabase_config is not None:
                description["supabase_config"] = run.supabase_config.path
            preset = run.preset if run.grants is None else f"{run.preset}, grants {run.grants}"
            description["description"] = (
                f"migrations {opts.migrations} (embedded PostgreSQL, preset {preset})"
            )
            counts = run.counts()
            if run.stopped:
                yield LiveSide(None, run.findings, description, counts)
                return
            with _status("reading the catalog…"):
                catalog = _read(run.dsn, schemas, opts, normalized)
            description["server_version"] = str(catalog.server_version)
            yield LiveSide(catalog, run.findings, description, counts)
        return
    from schemaverify.sources.dsn import describe, resolve_dsn

    dsn = resolve_dsn(opts.dsn)
    description = {"kind": "dsn", **describe(dsn)}
    with _status(f"reading the catalog of {description.get('dsn', 'the database')}…"):
        catalog = _read(dsn, schemas, opts, normalized)
    description["server_version"] = str(catalog.server_version)
    description["description"] = description.get("dsn", "")
    yield LiveSide(catalog, (), description)
