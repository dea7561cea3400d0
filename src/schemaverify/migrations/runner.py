"""Apply migration files to a server, turning every failure into a finding with a place.

Each file is sent as ONE simple-protocol query string inside its own
transaction, so the server parses exactly what a migration tool would send
and its error position (a character offset into that string) is an offset
into the file.  When the server gives no position (most runtime and catalog
errors: "relation already exists", a changed return type, a foreign key to a
table that does not exist yet) the file is replayed statement by statement
in a transaction that is rolled back, and the first failing statement is the
place.  Top-level BEGIN/COMMIT in a file are blanked out (same length, so
offsets hold): the file's transaction is ours.  A file containing a
statement that refuses a transaction block (CREATE INDEX CONCURRENTLY,
VACUUM, ...) is run statement by statement in autocommit mode, so that the
history can still be applied; the preflight scan reports it as an error
because a real deployment fails there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..errors import ConnectError
from ..findings import Finding
from .lint import non_transactional_statements, transaction_control, transaction_statements
from .placed import at_offset, placed
from .source import MigrationFile
from .sqltext import Statement, blank_out, find_identifier, literal_body_start

if TYPE_CHECKING:
    import psycopg


RECONNECT_TIMEOUT_S = 15.0


class Reporter(Protocol):
    """Progress callbacks (the rich display, or nothing)."""

    def status(self, message: str) -> None: ...

    def begin_files(self, total: int) -> None: ...

    def file_started(self, name: str) -> None: ...

    def file_done(self, name: str, ok: bool) -> None: ...


class SilentReporter:
    def status(self, message: str) -> None:
        pass

    def begin_files(self, total: int) -> None:
        pass

    def file_started(self, name: str) -> None:
        pass

    def file_done(self, name: str, ok: bool) -> None:
        pass


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    stopped: bool = False


@dataclass(frozen=True)
class _Failure:
    error: psycopg.Error
    offset: int | None
    """Where in the file, or None when it could not be located."""
    statement: Statement | None
    note: str = ""


def describe_error(err: psycopg.Error) -> tuple[str, str | None]:
    """`SQLSTATE primary; DETAIL: ...; HINT: ...; CONTEXT: ...` and the sqlstate."""
    diag = err.diag
    primary = diag.message_primary or str(err).strip().splitlines()[0]
    sqlstate = diag.sqlstate
    parts = [f"{sqlstate} {primary}" if sqlstate else primary]
    if diag.message_detail:
        parts.append(f"DETAIL: {diag.message_detail}")
    if diag.message_hint:
        parts.append(f"HINT: {diag.message_hint}")
    if diag.context:
        parts.append(f"CONTEXT: {diag.context.strip().splitlines()[0]}")
    return "; ".join(parts), sqlstate


def _position(err: psycopg.Error) -> int | None:
    raw = err.diag.statement_position
    try:
        return int(raw) - 1 if raw else None
    except ValueError:
        return None


_NAMED = re.compile(
    r"^(?:relation|table|column|type|function|schema|role|index|constraint|sequence|view|"
    r'extension|policy|trigger|publication)\s+"([^"]+)"'
)
_INLINE_INDEX = re.compile(r"(?i)\b(?:index|key)\s+$")


def _named_object(err: psycopg.Error) -> str | None:
    """The object an error message names first, e.g. `d` in `relation "d" does not exist`."""
    match = _NAMED.match(err.diag.message_primary or "")
    if match is None:
        return None
    name = match.group(1)
    return name.rsplit(".", 1)[-1].split("(", 1)[0]


def _hint(mfile: MigrationFile, offset: int | None, err: psycopg.Error) -> str | None:
    """A hint for errors whose server message misleads (MySQL syntax, mostly)."""
    if offset is None:
        return None
    if err.diag.sqlstate == "42704" and _INLINE_INDEX.search(
        mfile.text[max(0, offset - 40) : offset]
    ):
        return (
            "an inline INDEX/KEY clause inside CREATE TABLE is MySQL syntax; "
            "use a separate CREATE INDEX statement"
        )
    return None


def _executable(mfile: MigrationFile) -> list[Statement]:
    return [s for s in mfile.statements if transaction_control(s.words) is None]


_DO_LINE = re.compile(r"PL/pgSQL function inline_code_block line (\d+)")


def _do_block_line(statement: Statement, err: psycopg.Error) -> int | None:
    """Inside a DO block, PL/pgSQL names the failing line of the body: map it into the statement."""
    match = _DO_LINE.search(err.diag.context or "")
    if match is None or statement.words[:1] != ("do",):
        return None
    body = literal_body_start(statement.text)
    if body is None:
        return None
    offset = body
    for _ in range(int(match.group(1)) - 1):
        newline = statement.text.find("\n", offset)
        if newline < 0:
            return None
        offset = newline + 1
    while offset < len(statement.text) and statement.text[offset] in " \t":
        offset += 1
    return offset


def _offset_in(statement: Statement, err: psycopg.Error) -> int:
    """The error's place in the file: its position, else the object it names or the DO block
    line, else the statement's start."""
    inner = _position(err)
    if inner is None:
        inner = _do_block_line(statement, err)
    if inner is None:
        name = _named_object(err)
        inner = find_identifier(statement.text, name) if name else None
    return statement.start + (inner if inner is not None else 0)


class Applier:
    """Applies files over one connection, reconnecting when a failure killed the session."""

    def __init__(self, dsn: str):
        self._dsn = dsn
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    def __enter__(self) -> Applier:
        self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """Connect; after a migration crashed a backend, wait out the server's recovery."""
        import psycopg

        deadline = time.monotonic() + RECONNECT_TIMEOUT_S
        while True:
            try:
                self._conn = psycopg.connect(
                    self._dsn, autocommit=True, application_name="schemaverify-migrations"
                )
                return self._conn
            except psycopg.OperationalError as err:
                if time.monotonic() > deadline:
                    raise ConnectError(f"cannot connect to the embedded server: {err}") from None
                time.sleep(0.1)

    @property
    def conn(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            return self._connect()
        return self._conn

    def _rollback(self) -> None:
        import psycopg

        conn = self.conn
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:
                conn.execute(b"ROLLBACK")
            except psycopg.Error:
                conn.close()

    # -- one file ---------------------------------------------------------------

    def apply(self, mfile: MigrationFile) -> Finding | None:
        """Apply one file; a finding when it failed (the file is then rolled back)."""
        if mfile.decode_error is not None:
            line, column, reason = mfile.decode_error
            return placed(
                "migration_failed", mfile, line, column, f"cannot apply the file: {reason}"
            )
        if not mfile.statements:
            return None
        if non_transactional_statements(mfile):
            return self._apply_outside_transaction(mfile)
        return self._apply_in_transaction(mfile)

    def _apply_in_transaction(self, mfile: MigrationFile) -> Finding | None:
        import psycopg

        control = [(s.start, s.end) for s, _ in transaction_statements(mfile)]
        text = blank_out(mfile.text, control)
        conn = self.conn
        try:
            conn.execute(b"BEGIN")
            conn.execute(text.encode())
            conn.execute(b"COMMIT")
            return None
        except psycopg.Error as err:
            lost = conn.broken or conn.closed
            self._rollback()
            failure = self._locate(mfile, err, lost)
            return self._finding(mfile, failure)

    def _locate(self, mfile: MigrationFile, err: psycopg.Error, lost: bool) -> _Failure:
        offset = _position(err)
        if offset is not None:
            offset = max(0, min(offset, len(mfile.text) - 1))
            return _Failure(err, offset, mfile.statement_at(offset))
        if lost:
            return _Failure(err, None, None, "the server closed the connection")
        return self._replay(mfile, err)

    def _replay(self, mfile: MigrationFile, err: psycopg.Error) -> _Failure:
        """Find the failing statement of an error without position, then roll everything back."""
        import psycopg

        conn = self.conn
        try:
            conn.execute(b"BEGIN")
            # A deferred constraint fails at COMMIT, which a replay never reaches.
            conn.execute(b"SET CONSTRAINTS ALL IMMEDIATE")
            for statement in _executable(mfile):
                try:
                    conn.execute(statement.text.encode())
                except psycopg.Error as again:
                    return _Failure(err, _offset_in(statement, again), statement)
        except psycopg.Error:
            pass
        finally:
            self._rollback()
        return _Failure(err, None, None, "the failing statement could not be located")

    def _apply_outside_transaction(self, mfile: MigrationFile) -> Finding | None:
        """Statement by statement in autocommit: what precedes a failure stays applied."""
        import psycopg

        conn = self.conn
        for statement in _executable(mfile):
            try:
                conn.execute(statement.text.encode())
            except psycopg.Error as err:
                lost = conn.broken or conn.closed
                self._rollback()
                note = "" if not lost else "the server closed the connection"
                failure = _Failure(err, _offset_in(statement, err), statement, note)
                return self._finding(mfile, failure, outside_transaction=True)
        return None

    def _finding(
        self, mfile: MigrationFile, failure: _Failure, *, outside_transaction: bool = False
    ) -> Finding:
        error, sqlstate = describe_error(failure.error)
        statement = failure.statement.first_line if failure.statement else ""
        offset = failure.offset
        if offset is None:
            first = mfile.statements[0] if mfile.statements else None
            offset = first.start if first else 0
        message = error
        hint = _hint(mfile, failure.offset, failure.error)
        if hint:
            message += f"; hint: {hint}"
        if failure.statement is not None:
            line, _ = mfile.line_col(failure.statement.start)
            message += f"; statement at line {line}: {statement}"
        if failure.note:
            message += f" ({failure.note})"
        if outside_transaction:
            message += " (applied outside a transaction: the statements before it stay applied)"
        diag = failure.error.diag
        return at_offset(
            "migration_failed",
            mfile,
            offset,
            message,
            statement=statement,
            sqlstate=sqlstate,
            error=diag.message_primary,
            detail=diag.message_detail,
            hint=diag.message_hint,
        )


def apply_files(
    dsn: str,
    files: Sequence[MigrationFile],
    *,
    continue_on_error: bool = False,
    reporter: Reporter | None = None,
) -> Outcome:
    """Apply the files in order; stop at the first failure unless told to go on."""
    report = reporter or SilentReporter()
    outcome = Outcome()
    report.begin_files(len(files))
    with Applier(dsn) as applier:
        for mfile in files:
            report.file_started(mfile.path.name)
            failure = applier.apply(mfile)
            report.file_done(mfile.path.name, failure is None)
            if failure is None:
                outcome.applied.append(mfile.name)
                continue
            outcome.findings.append(failure)
            if not continue_on_error:
                outcome.stopped = True
                break
    return outcome
