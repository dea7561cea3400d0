"""Preflight: what would break a real deployment of the history, found without running it.

Applying the files to a throwaway server proves they run there; these checks
cover what that cannot show: a deployment tool that keys files by version
prefix (two files, one version), that wraps each file in a transaction
(statements that refuse a transaction block fail in production even where
our runner gets them through), and files that manage transactions themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding
from .placed import at_offset, placed
from .source import MigrationFile
from .sqltext import Statement

_TX_START = {"begin", "start"}
_TX_END = {"commit", "end", "rollback", "abort"}
_EFFECT = {
    "BEGIN": "PostgreSQL only warns about the nested BEGIN, but the file's own COMMIT then ends "
    "the migration tool's transaction early",
    "START TRANSACTION": "PostgreSQL only warns about the nested START TRANSACTION, but the "
    "file's own COMMIT then ends the migration tool's transaction early",
    "COMMIT": "it commits early, so a later failure can no longer roll the whole file back",
    "END": "it commits early, so a later failure can no longer roll the whole file back",
    "ROLLBACK": "it discards everything the file did before it",
    "ABORT": "it discards everything the file did before it",
}


def transaction_control(words: Sequence[str]) -> str | None:
    """`BEGIN`/`COMMIT`/... when the statement is top-level transaction control, else None."""
    if not words:
        return None
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    if first == "begin" or (first == "start" and second == "transaction"):
        return "BEGIN" if first == "begin" else "START TRANSACTION"
    if first in _TX_END:
        if second == "prepared" or (first == "rollback" and second == "to"):
            return None  # two-phase commit (non-transactional), or ROLLBACK TO SAVEPOINT
        return first.upper()
    return None


def non_transactional(words: Sequence[str]) -> str | None:
    """The name of the command when it cannot run inside a transaction block, else None."""
    w = list(words)
    if not w:
        return None
    head = w[:4]
    if head[:1] == ["create"]:
        if head[1:3] == ["index", "concurrently"] or head[1:4] == [
            "unique",
            "index",
            "concurrently",
        ]:
            return "CREATE INDEX CONCURRENTLY"
        if head[1:2] == ["database"]:
            return "CREATE DATABASE"
        if head[1:2] == ["tablespace"]:
            return "CREATE TABLESPACE"
        if head[1:2] == ["subscription"]:
            return "CREATE SUBSCRIPTION"
        return None
    if head[:1] == ["drop"]:
        if head[1:3] == ["index", "concurrently"]:
            return "DROP INDEX CONCURRENTLY"
        if head[1:2] == ["database"]:
            return "DROP DATABASE"
        if head[1:2] == ["tablespace"]:
            return "DROP TABLESPACE"
        return None
    if w[0] == "reindex":
        if "concurrently" in w:
            return "REINDEX CONCURRENTLY"
        target = next(
            (x for x in w[1:] if x in ("index", "table", "schema", "database", "system")), ""
        )
        if target in ("database", "system"):
            return f"REINDEX {target.upper()}"
        return None
    if w[0] == "vacuum":
        return "VACUUM"
    if w[0] == "cluster" and all(x in ("cluster", "verbose") for x in w):
        return "CLUSTER (all tables)"
    if head[:2] == ["alter", "system"]:
        return "ALTER SYSTEM"
    if head[:2] == ["alter", "database"] and w[3:5] == ["set", "tablespace"]:
        return "ALTER DATABASE SET TABLESPACE"
    if head[:2] == ["alter", "table"] and "detach" in w and w[-1] == "concurrently":
        return "ALTER TABLE DETACH PARTITION CONCURRENTLY"
    if head[:2] in (["commit", "prepared"], ["rollback", "prepared"]):
        return f"{w[0].upper()} PREPARED"
    if head[:2] == ["discard", "all"]:
        return "DISCARD ALL"
    return None


def non_transactional_statements(mfile: MigrationFile) -> list[tuple[Statement, str]]:
    found = []
    for statement in mfile.statements:
        command = non_transactional(statement.words)
        if command is not None:
            found.append((statement, command))
    return found


def transaction_statements(mfile: MigrationFile) -> list[tuple[Statement, str]]:
    found = []
    for statement in mfile.statements:
        command = transaction_control(statement.words)
        if command is not None:
            found.append((statement, command))
    return found


def version_conflicts(files: Sequence[MigrationFile]) -> list[Finding]:
    first_by_version: dict[str, MigrationFile] = {}
    findings = []
    for mfile in files:
        version = mfile.version
        if version is None:
            continue
        first = first_by_version.setdefault(version, mfile)
        if first is mfile:
            continue
        findings.append(
            placed(
                "migration_version_conflict",
                mfile,
                1,
                1,
                f"version {version} is also the version of {first.name}: the Supabase CLI keys "
                "migrations by the digits before the first underscore, so a real deployment "
                "records only one of them; rename one file",
                version=version,
                conflicts_with=first.name,
            )
        )
    return findings


def preflight(files: Sequence[MigrationFile]) -> list[Finding]:
    """Every deployment hazard of the history, each at its place."""
    findings = version_conflicts(files)
    for mfile in files:
        for statement, command in non_transactional_statements(mfile):
            findings.append(
                at_offset(
                    "migration_non_transactional",
                    mfile,
                    statement.start,
                    f"{command} cannot run inside a transaction block, and migration tools "
                    "(the Supabase CLI among them) run each file in one: a real deployment "
                    f"fails here; statement: {statement.first_line}",
                    statement=statement.first_line,
                    sqlstate="25001",
                    command=command,
                )
            )
        for statement, command in transaction_statements(mfile):
            findings.append(
                at_offset(
                    "migration_explicit_transaction",
                    mfile,
                    statement.start,
                    f"top-level {command} in a migration file, which already runs in its own "
                    f"transaction: {_EFFECT.get(command, _EFFECT['COMMIT'])} (schemaverify "
                    f"ignores it when applying); statement: {statement.first_line}",
                    statement=statement.first_line,
                    command=command,
                )
            )
    return findings
