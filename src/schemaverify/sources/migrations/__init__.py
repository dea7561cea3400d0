"""Check a migration history with no database server: `check --migrations DIR`.

`migrated_database()` discovers the files, scans them for deployment hazards,
starts a throwaway embedded PostgreSQL (with a preset such as Supabase's),
applies the files and yields the server's DSN with the findings; the server
lives until the `with` block ends, so the normal check can read its catalog.

Modules: `discovery` (which files, which preset), `source` and `sqltext`
(reading and splitting SQL with places), `lint` (preflight scan), `runner`
(applying, failures as findings), `progress` (the terminal display),
`presets` (preset SQL and shim extensions).

Trust: a migration folder is untrusted code.  Statements that would act outside
the database (`migration_unsafe`: COPY ... PROGRAM, server files, ALTER SYSTEM,
untrusted languages, ...) are found before anything runs, and a file holding
one is never sent to the server: without `--continue-on-error` no server is
even started.  What the scan cannot see (SQL built at run time) meets the
server's own refusal: migrations are applied as a non-superuser role.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schemaverify.errors import UsageError
from schemaverify.model.findings import Finding
from schemaverify.sources.migrations.discovery import (
    SupabaseConfig,
    discover,
    looks_like_supabase,
    read_supabase_config,
    resolve_preset,
    supabase_config,
)
from schemaverify.sources.migrations.lint import preflight, unsafe_files
from schemaverify.sources.migrations.runner import (
    DEFAULT_STATEMENT_TIMEOUT_MS,
    DEFAULT_TIMEOUT_S,
    Limits,
)
from schemaverify.sources.migrations.source import MigrationFile, read_migration

__all__ = [
    "DEFAULT_STATEMENT_TIMEOUT_MS",
    "DEFAULT_TIMEOUT_S",
    "Limits",
    "MigrationRun",
    "discover",
    "looks_like_supabase",
    "migrated_database",
    "read_files",
    "resolve_preset",
]


@dataclass(frozen=True)
class MigrationRun:
    dsn: str
    findings: tuple[Finding, ...]
    """Preflight findings of every file, then the failures, in file order."""
    stopped: bool
    """True when a failure ended the run before the last file (no `--continue-on-error`)."""
    files: tuple[str, ...]
    """Every migration file of the target, in the order applied."""
    applied: tuple[str, ...] = ()
    """The files that applied without error."""
    preset: str = "none"
    server_version: str = ""
    grants: str | None = None
    """The Supabase Data API grant mode the preset ran in; None without the Supabase preset."""
    supabase_config: SupabaseConfig | None = None
    """The project's `supabase/config.toml`, when there is one next to the migrations."""

    @property
    def failed(self) -> tuple[str, ...]:
        """The files that were sent and failed (rolled back), or could not be read."""
        failed = {f.extra.get("file") for f in self.findings if f.kind == "migration_failed"}
        return tuple(name for name in self.files if name in failed)

    @property
    def skipped(self) -> tuple[str, ...]:
        """The files never sent: skipped as unsafe, or not reached because the run stopped."""
        done = {*self.applied, *self.failed}
        return tuple(name for name in self.files if name not in done)

    def counts(self) -> dict[str, int]:
        """`{files, applied, failed, skipped}`: the report's `source.migrations`."""
        return {
            "files": len(self.files),
            "applied": len(self.applied),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
        }


def read_files(paths: list[Path]) -> list[MigrationFile]:
    files = []
    for path in paths:
        try:
            files.append(read_migration(path))
        except OSError as err:
            raise UsageError(f"{path}: cannot read: {err.strerror or err}") from None
    return files


def _ordered(findings: list[Finding], files: list[MigrationFile]) -> tuple[Finding, ...]:
    rank = {f.name: i for i, f in enumerate(files)}

    def key(finding: Finding) -> tuple[int, int, int]:
        extra = finding.extra
        where = extra.get("file", finding.object or "")
        return (rank.get(where, 0), extra.get("line", 0), extra.get("column", 0))

    return tuple(sorted(findings, key=key))


@contextlib.contextmanager
def migrated_database(
    target: str,
    *,
    preset: str | None = None,
    grants: str = "current",
    continue_on_error: bool = False,
    progress: bool = True,
    limits: Limits | None = None,
) -> Iterator[MigrationRun]:
    """Apply the migrations of `target` to a throwaway server and yield the result.

    The server is stopped and deleted when the block exits, however it exits.  When the
    preflight finds an unsafe statement and the run would stop at it anyway (no
    `continue_on_error`), nothing is applied and no server is started: `dsn` is empty.
    """
    try:
        from schemaverify.sources.embedded import EmbeddedServer
    except ModuleNotFoundError as err:  # fcntl: no POSIX file locks (Windows)
        raise UsageError(f"checking migrations needs Linux or macOS ({err})") from None
    from schemaverify.sources.migrations.progress import make_reporter
    from schemaverify.sources.migrations.runner import apply_files, link_consequences

    files = read_files(discover(target))
    preset_name = resolve_preset(target, preset)
    config_path = supabase_config(target) if preset_name == "supabase" else None
    config = read_supabase_config(config_path, str(config_path)) if config_path else None
    mode = grants if preset_name == "supabase" else None
    findings = preflight(files)
    unsafe = frozenset(unsafe_files(findings))
    if unsafe and not continue_on_error:
        yield MigrationRun(
            dsn="",
            findings=_ordered(findings, files),
            stopped=True,
            files=tuple(f.name for f in files),
            preset=preset_name,
            grants=mode,
            supabase_config=config,
        )
        return
    reporter = make_reporter(progress)
    try:
        with EmbeddedServer(preset_name, on_status=reporter.status, grants=grants) as server:
            outcome = apply_files(
                # Untrusted code: applied as the non-superuser migration role; the
                # superuser `dsn` is for the catalog read only.
                server.migration_dsn,
                files,
                continue_on_error=continue_on_error,
                reporter=reporter,
                limits=limits,
                skip=unsafe,
            )
            reporter.close()
            yield MigrationRun(
                dsn=server.dsn,
                findings=link_consequences(
                    files, _ordered(findings + outcome.findings, files), outcome.applied
                ),
                stopped=outcome.stopped,
                files=tuple(f.name for f in files),
                applied=tuple(outcome.applied),
                preset=preset_name,
                server_version=server.version,
                grants=mode,
                supabase_config=config,
            )
    finally:
        reporter.close()
