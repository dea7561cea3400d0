"""Preflight: what would break a real deployment of the history, found without running it.

Applying the files to a throwaway server proves they run there; these checks
cover what that cannot show: a deployment tool that keys files by version
prefix (two files, one version), that wraps each file in a transaction
(statements that refuse a transaction block fail in production even where
our runner gets them through), and files that manage transactions themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from schemaverify.model.findings import Finding
from schemaverify.sources.migrations.placed import at_offset, placed
from schemaverify.sources.migrations.source import MigrationFile
from schemaverify.sources.migrations.sqltext import Statement, Token, tokens

_TX_START = {"begin", "start"}
_TX_END = {"commit", "end", "rollback", "abort"}
_TX_WORDS = _TX_START | _TX_END
_NON_TX_FIRST = {
    "create", "drop", "reindex", "vacuum", "cluster", "alter", "commit", "rollback", "discard"
}  # fmt: skip
"""The first words `non_transactional` can answer for: any other is answered at once."""
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
    if not words or words[0] not in _TX_WORDS:
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
    if not words or words[0] not in _NON_TX_FIRST:
        return None
    w = list(words)
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
    statements = mfile.statements
    found = []
    for i in range(len(statements)):
        command = non_transactional(statements.words(i))
        if command is not None:
            found.append((statements[i], command))
    return found


def transaction_statements(mfile: MigrationFile) -> list[tuple[Statement, str]]:
    statements = mfile.statements
    found = []
    for i in range(len(statements)):
        command = transaction_control(statements.words(i))
        if command is not None:
            found.append((statements[i], command))
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


# --- statements that reach out of the database -----------------------------------------

_SHELL = "runs a shell command as the database server's operating-system user"
_FILE_READ = "reads the file system of the machine running the check"
_FILE_WRITE = "writes to the file system of the machine running the check"
_FILE_FUNCTIONS = {
    "pg_read_file": _FILE_READ,
    "pg_read_binary_file": _FILE_READ,
    "pg_ls_dir": "lists directories of the machine running the check",
    "pg_stat_file": _FILE_READ,
    "lo_import": _FILE_READ + " (into a large object)",
    "lo_export": _FILE_WRITE + " (from a large object)",
    # adminpack
    "pg_file_write": _FILE_WRITE,
    "pg_file_rename": _FILE_WRITE,
    "pg_file_unlink": _FILE_WRITE,
    "pg_file_sync": _FILE_WRITE,
    "pg_logdir_ls": "lists directories of the machine running the check",
}
_CONNECTING = "opens a network connection from the server to another database"
_DBLINK = ("dblink", "dblink_connect", "dblink_connect_u", "dblink_exec", "dblink_send_query")
_SERVER_ROLES = ("pg_execute_server_program", "pg_read_server_files", "pg_write_server_files")
_UNTRUSTED_LANGUAGE = re.compile(r"pl\w*u|plsh|plr")
_CODE_CONTEXT = {"do", "execute", "function", "procedure"}
_MAX_NESTING = 3
_HINTS = (
    "program", "copy", "pg_read", "pg_ls_dir", "pg_stat_file", "pg_file_", "pg_logdir",
    "lo_import", "lo_export", "system", "extension", "language", "dblink", "import",
    "server_files",
)  # fmt: skip
"""Every unsafe use contains one of these (any case): statements without one, most of a big
file, skip the token scan."""
_UNSAFE_HINT = re.compile("(?i)" + "|".join(_HINTS))


@dataclass(frozen=True)
class UnsafeUse:
    command: str
    """What the statement does, as the message names it: `COPY ... TO PROGRAM`."""
    reason: str
    offset: int
    """Where in the scanned text; for a use inside a literal, the literal's start."""
    nested: bool = False
    """Inside a string or dollar-quoted literal (a DO or function body, an EXECUTE string)."""


def unsafe_uses(text: str, nesting: int = 0) -> list[UnsafeUse]:
    """What in `text` would act outside the database if it ran, found on its tokens (never in
    a comment).  Literals that are code (dollar-quoted bodies; strings in DO, EXECUTE and
    function definitions) are scanned as SQL too, so `EXECUTE 'COPY t TO PROGRAM ...'` in a
    DO block is found.  Anything built at run time (`EXECUTE a || b`) is not: applying as a
    non-superuser is the containment, this scan says early and clearly what would fail."""
    if not _UNSAFE_HINT.search(text):
        return []
    found: list[UnsafeUse] = []
    segment: list[Token] = []
    depth = 0
    for token in tokens(text):
        if token.kind == "other":
            if token.value == "(":
                depth += 1
            elif token.value == ")":
                depth = max(0, depth - 1)
            elif token.value == ";" and depth == 0:
                found.extend(_segment_uses(segment, nesting))
                segment = []
                continue
        segment.append(token)
    found.extend(_segment_uses(segment, nesting))
    unique: dict[tuple[str, int], UnsafeUse] = {}
    for use in found:
        unique.setdefault((use.command, use.offset), use)
    return list(unique.values())


def _segment_uses(seg: list[Token], nesting: int) -> list[UnsafeUse]:
    """The unsafe uses of one statement (a statement of a body, between semicolons)."""
    if not seg:
        return []
    names = [t.value if t.kind in ("word", "quoted") else None for t in seg]
    words = {t.value for t in seg if t.kind == "word"}
    lead = seg[0].value if seg[0].kind == "word" else ""

    def name(i: int) -> str | None:
        return names[i] if 0 <= i < len(seg) else None

    def punct(i: int, char: str) -> bool:
        return 0 <= i < len(seg) and seg[i].kind == "other" and seg[i].value == char

    found: list[UnsafeUse] = []
    for i, token in enumerate(seg):
        word = token.value if token.kind == "word" else None
        called = name(i) if punct(i + 1, "(") else None
        if word == "copy" and not punct(i - 1, "."):
            use = _copy_use(seg, i)
            if use is not None:
                found.append(use)
        elif called in _FILE_FUNCTIONS:
            found.append(UnsafeUse(f"{called}()", _FILE_FUNCTIONS[called], token.start))
        elif called in _DBLINK:
            found.append(UnsafeUse(f"{called}()", _CONNECTING, token.start))
        elif word == "alter" and name(i + 1) == "system":
            found.append(
                UnsafeUse(
                    "ALTER SYSTEM",
                    "rewrites the server's postgresql.auto.conf (the configuration of every "
                    "later start)",
                    token.start,
                )
            )
        elif word == "import" and name(i + 1) == "foreign" and name(i + 2) == "schema":
            found.append(UnsafeUse("IMPORT FOREIGN SCHEMA", _CONNECTING, token.start))
        elif lead == "grant" and name(i) in _SERVER_ROLES:
            found.append(
                UnsafeUse(
                    f"GRANT {name(i)}",
                    "gives a role shell or file access on the machine running the check",
                    token.start,
                )
            )
        elif word == "extension" and name(i - 1) == "create":
            use = _extension_use(seg, names, i)
            if use is not None:
                found.append(use)
        elif word == "language" and lead in ("create", "do"):
            use = _language_use(seg, i, "handler" in words)
            if use is not None:
                found.append(use)
    if nesting < _MAX_NESTING and lead != "comment":
        code = bool(_CODE_CONTEXT & words)
        for token in seg:
            if token.kind == "dollar" or (token.kind == "string" and code):
                for use in unsafe_uses(token.value, nesting + 1):
                    found.append(UnsafeUse(use.command, use.reason, token.start, nested=True))
    return found


def _copy_use(seg: list[Token], at: int) -> UnsafeUse | None:
    """COPY's target: the token after its first TO or FROM outside parentheses."""
    depth = 0
    for j in range(at + 1, len(seg)):
        token = seg[j]
        if token.kind == "other" and token.value in "()":
            depth += 1 if token.value == "(" else -1
            continue
        if depth != 0 or token.kind != "word" or token.value not in ("to", "from"):
            continue
        direction = token.value.upper()
        target = seg[j + 1] if j + 1 < len(seg) else None
        if target is None:
            return None
        if target.kind == "word" and target.value == "program":
            return UnsafeUse(f"COPY ... {direction} PROGRAM", _SHELL, seg[at].start)
        if target.kind in ("string", "dollar"):
            reason = _FILE_WRITE if direction == "TO" else _FILE_READ
            return UnsafeUse(f"COPY ... {direction} a server file", reason, seg[at].start)
        return None
    return None


def _extension_use(seg: list[Token], names: list[str | None], at: int) -> UnsafeUse | None:
    j = at + 1
    while j < len(seg) and names[j] in ("if", "not", "exists"):
        j += 1
    token = seg[j] if j < len(seg) else None
    extension = token.value.lower() if token and token.kind in ("word", "quoted") else ""
    if not _UNTRUSTED_LANGUAGE.fullmatch(extension):
        return None
    return UnsafeUse(
        f"CREATE EXTENSION {extension}",
        "installs an untrusted language, whose functions run arbitrary code as the server's "
        "operating-system user",
        seg[0].start,
    )


def _language_use(seg: list[Token], at: int, handler: bool) -> UnsafeUse | None:
    """`LANGUAGE x` of a function, procedure, DO block or CREATE LANGUAGE."""
    token = seg[at + 1] if at + 1 < len(seg) else None
    if token is None or token.kind not in ("word", "quoted", "string"):
        return None
    language = token.value.lower()
    defining = seg[0].value == "create" and all(
        t.kind == "word" and t.value in ("or", "replace", "trusted", "procedural")
        for t in seg[1:at]
    )
    if defining:
        if handler:
            return UnsafeUse(
                f"CREATE LANGUAGE {language} ... HANDLER",
                "defines a language from C handler functions loaded into the server",
                seg[0].start,
            )
        if _UNTRUSTED_LANGUAGE.fullmatch(language):
            return UnsafeUse(
                f"CREATE LANGUAGE {language}",
                "installs an untrusted language, whose functions run arbitrary code as the "
                "server's operating-system user",
                seg[0].start,
            )
        return None
    if language in ("c", "internal"):
        return UnsafeUse(
            f"LANGUAGE {language}",
            "loads native code into the server (a C function runs with the server's rights)",
            token.start,
        )
    if _UNTRUSTED_LANGUAGE.fullmatch(language):
        return UnsafeUse(
            f"LANGUAGE {language}",
            "runs code in an untrusted language, with the server's operating-system rights",
            token.start,
        )
    return None


def unsafe_statements(mfile: MigrationFile) -> list[tuple[Statement, list[UnsafeUse]]]:
    """Each statement of the file that would reach out of the database, with what it does."""
    statements = mfile.statements
    found = []
    for index in sorted(_hinted(mfile)):
        statement = statements[index]
        uses = unsafe_uses(statement.text)
        if uses:
            found.append((statement, uses))
    return found


def _hinted(mfile: MigrationFile) -> set[int]:
    """Indexes of the statements containing a hint word (str.find runs at C speed, a regex
    alternation does not)."""
    text = mfile.text
    statements = mfile.statements
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer: offsets shift
        starts = (m.start() for m in _UNSAFE_HINT.finditer(text))
        return {i for i in map(statements.index_at, starts) if i is not None}
    found: set[int] = set()
    for hint in _HINTS:
        at = lowered.find(hint)
        while at >= 0:
            index = statements.index_at(at)
            if index is not None:
                found.add(index)
            at = lowered.find(hint, at + 1)
    return found


def unsafe_finding(mfile: MigrationFile, statement: Statement, uses: list[UnsafeUse]) -> Finding:
    parts = []
    for use in uses:
        where = ""
        if use.nested:
            line, _ = mfile.line_col(statement.start + use.offset)
            where = f" (inside the literal at line {line})"
        parts.append(f"{use.command}{where} {use.reason}")
    line, column = mfile.line_col(statement.start)
    return at_offset(
        "migration_unsafe",
        mfile,
        statement.start,
        f"{'; '.join(parts)}: a migration must only change the database, so schemaverify "
        "never sends this file to the server (which would refuse it anyway: migrations are "
        f"applied as a non-superuser); statement: {statement.first_line}",
        statement=statement.first_line,
        identity=f"{mfile.name}:{line}:{column}",
        commands=[use.command for use in uses],
    )


def unsafe_files(findings: Sequence[Finding]) -> set[str]:
    """The files holding a `migration_unsafe` statement: they are never sent to the server."""
    return {str(f.extra.get("file")) for f in findings if f.kind == "migration_unsafe"}


def preflight(files: Sequence[MigrationFile]) -> list[Finding]:
    """Every deployment hazard of the history, each at its place."""
    findings = version_conflicts(files)
    for mfile in files:
        for statement, uses in unsafe_statements(mfile):
            findings.append(unsafe_finding(mfile, statement, uses))
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
