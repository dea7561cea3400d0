"""Apply migration files to a server, turning every failure into a finding with a place.

Each file is sent as ONE simple-protocol query string inside its own
transaction, so the server parses exactly what a migration tool would send
and its error position (a character offset into that string) is an offset
into the file.  A file larger than `CHUNK_CHARS` or `CHUNK_STATEMENTS` is sent
as several such strings, cut between statements, in the same transaction:
the server parses (and keeps the parse trees of) one string at a time.
Results are read at the libpq level and dropped as they arrive, rows in
chunks, so applying a file costs memory for its text and one chunk, not for
every statement's result (400,000 `SELECT 1;` once took 1.5 GB).

When the server gives no position (most runtime and catalog errors:
"relation already exists", a changed return type, a foreign key to a table
that does not exist yet) the failing statement is the one after the last
result the server returned for that string; only an error at COMMIT (a
deferred constraint) replays the file statement by statement in a
transaction that is rolled back.  Top-level BEGIN/COMMIT in a file are
blanked out (same length, so offsets hold): the file's transaction is ours.
A file containing a statement that refuses a transaction block (CREATE
INDEX CONCURRENTLY, VACUUM, ...) is run statement by statement in autocommit
mode, so that the history can still be applied; the preflight scan reports
it as an error because a real deployment fails there.

Limits (`Limits`): the session's `statement_timeout` ends any one statement
(an endless DO loop, a `pg_sleep(600)`), and a wall-clock deadline for the
whole run cancels the running statement, after which no further file runs.
A migration may set its own statement_timeout (pg_dump output sets it to 0):
the wall-clock limit still holds.
"""

from __future__ import annotations

import contextlib
import re
import selectors
import time
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from schemaverify.errors import ConnectError
from schemaverify.model.findings import Finding
from schemaverify.sources.migrations.lint import non_transactional_statements, transaction_control
from schemaverify.sources.migrations.placed import at_offset, placed
from schemaverify.sources.migrations.source import MigrationFile
from schemaverify.sources.migrations.sqltext import (
    Statement,
    Token,
    blank_out,
    find_identifier,
    literal_body_start,
    tokens,
)

if TYPE_CHECKING:
    import psycopg
    from psycopg import pq


RECONNECT_TIMEOUT_S = 15.0
DEFAULT_STATEMENT_TIMEOUT_MS = 300_000
"""`--migration-statement-timeout`: generous, a migration statement may rewrite a big table."""
DEFAULT_TIMEOUT_S = 1800
"""`--migration-timeout`: the wall-clock limit of applying the whole history."""
CHUNK_CHARS = 1 << 20
CHUNK_STATEMENTS = 10_000
"""A file is sent in strings of at most about this many characters or statements."""
ROWS_PER_RESULT = 1000
"""Rows of a query result are fetched in chunks of this size and dropped."""
CANCEL_RETRY_S = 2.0
CANCEL_GRACE_S = 10.0
"""After the deadline: cancel again every CANCEL_RETRY_S, give up on the session after
CANCEL_GRACE_S (a statement that ignores cancellation must not hang the check)."""


@dataclass(frozen=True)
class Limits:
    """How long migrations may run: per statement (server-side) and for the whole run."""

    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    timeout_s: float = DEFAULT_TIMEOUT_S


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
    error: psycopg.Error | None
    """None when the run's wall-clock limit passed before the statement was sent."""
    offset: int | None
    """Where in the file, or None when it could not be located."""
    statement: Statement | None
    note: str = ""
    limit: str | None = None
    """`migration_statement_timeout` or `migration_timeout` when a limit ended the statement."""


@dataclass(frozen=True)
class _Sent:
    """What the server answered to one query string."""

    error: psycopg.Error | None = None
    done: int = 0
    """Statements of the string that completed (one result each) before the error."""
    expired: bool = False
    """The wall-clock limit ended it: the statement was cancelled, or never sent."""
    lost: bool = False
    """The session is gone (the server closed it, or it ignored cancellation)."""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.expired and not self.lost


class _Deadline(Exception):
    """The run's wall-clock limit passed before a query could be sent."""


@dataclass(frozen=True)
class _Chunk:
    start: int
    """Offset of the chunk's text in the file."""
    text: str
    """The file's text from `start`, transaction control blanked out."""
    answering: array[int]
    """Indexes of the statements the server answers, one result each, in order (not the
    blanked transaction control, not empty `;` statements)."""


def _chunks(mfile: MigrationFile) -> Iterator[_Chunk]:
    """The file as consecutive query strings covering all of it, cut between statements.

    A file within the limits is one chunk: exactly the text a migration tool sends."""
    statements = mfile.statements
    text = mfile.text
    begin = 0
    first = 0
    answering: array[int] = array("q")
    control: list[tuple[int, int]] = []
    count = len(statements)
    for i in range(count):
        start, end = statements.span(i)
        if control or answering:
            chunk_start = statements.span(first)[0]
            if end - chunk_start > CHUNK_CHARS or i - first >= CHUNK_STATEMENTS:
                yield _Chunk(begin, blank_out(text[begin:start], control), answering)
                begin, first, answering, control = start, i, array("q"), []
        if transaction_control(statements.words(i)) is not None:
            control.append((start - begin, end - begin))
        elif not (end - start == 1 and text[start] == ";"):
            answering.append(i)
    if count:
        yield _Chunk(begin, blank_out(text[begin:], control), answering)


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


def _executable(mfile: MigrationFile) -> Iterator[Statement]:
    statements = mfile.statements
    for i in range(len(statements)):
        if transaction_control(statements.words(i)) is None:
            yield statements[i]


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
    """Applies files over one connection, reconnecting when a failure killed the session.

    Every query goes through `_send`, which reads results at the libpq level (dropping them)
    and enforces the wall-clock deadline by cancelling the running statement."""

    def __init__(self, dsn: str, limits: Limits | None = None):
        self._dsn = dsn
        self.limits = limits or Limits()
        self.deadline = time.monotonic() + self.limits.timeout_s
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    def __enter__(self) -> Applier:
        self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """Connect; after a migration crashed a backend, wait out the server's recovery.

        The statement timeout is the session's default (`options`), so that a migration's
        `RESET statement_timeout` comes back to it."""
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        given = str(conninfo_to_dict(self._dsn).get("options") or "")
        options = f"{given} -c statement_timeout={self.limits.statement_timeout_ms}".strip()
        deadline = time.monotonic() + RECONNECT_TIMEOUT_S
        while True:
            try:
                self._conn = psycopg.connect(
                    self._dsn,
                    autocommit=True,
                    application_name="schemaverify-migrations",
                    options=options,
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

        conn = self._conn
        if conn is None or conn.closed:
            return
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:
                conn.execute(b"ROLLBACK")
            except psycopg.Error:
                conn.close()

    # -- one query string -------------------------------------------------------

    def _send(self, sql: str) -> _Sent:
        """Run `sql` (one or more statements), keeping no result, within the deadline.

        Raises _Deadline when the deadline passed before anything was sent."""
        import psycopg
        from psycopg import errors, pq

        if self.expired:
            raise _Deadline
        conn = self.conn
        pgconn = conn.pgconn
        encoding = conn.info.encoding
        error: psycopg.Error | None = None
        done = 0
        try:
            pgconn.send_query(sql.encode(encoding))
            self._chunk_rows(pgconn)
            waiter = _Waiter(self, conn)
            while pgconn.flush():
                waiter.wait(write=True)
            status = pq.ExecStatus
            while True:
                while pgconn.is_busy():
                    waiter.wait()
                result = pgconn.get_result()
                if result is None:
                    break
                code = result.status
                if code in (status.COMMAND_OK, status.TUPLES_OK, status.EMPTY_QUERY):
                    done += error is None
                elif code == status.FATAL_ERROR:
                    # The error reads its fields from this result: not cleared.
                    error = error or errors.error_from_result(result, encoding=encoding)
                    continue
                elif code == status.COPY_OUT:
                    waiter.drain_copy()
                elif code == status.COPY_IN:
                    pgconn.put_copy_end(b"COPY FROM STDIN has no data in a migration file")
                    while pgconn.flush():
                        waiter.wait(write=True)
                result.clear()
        except _GaveUp:
            conn.close()
            return _Sent(None, done, expired=True, lost=True)
        except psycopg.OperationalError as err:
            conn.close()
            return _Sent(error or err, done, lost=True)
        lost = conn.closed or pgconn.status != pq.ConnStatus.OK
        return _Sent(error, done, expired=waiter.cancelled, lost=lost)

    @staticmethod
    def _chunk_rows(pgconn: pq.abc.PGconn) -> None:
        """Rows arrive in small results (libpq 17+), else one by one: never a whole table."""
        try:
            pgconn.set_chunked_rows_mode(ROWS_PER_RESULT)
        except Exception:  # older libpq: NotSupportedError
            pgconn.set_single_row_mode()

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
        try:
            if non_transactional_statements(mfile):
                return self._apply_outside_transaction(mfile)
            return self._apply_in_transaction(mfile)
        except _Deadline:
            self._rollback()
            first = mfile.statements[0]
            return self._finding(
                mfile, _Failure(None, first.start, first, limit="migration_timeout")
            )

    def _apply_in_transaction(self, mfile: MigrationFile) -> Finding | None:
        begun = self._send("BEGIN")
        if not begun.ok:
            return self._finding(mfile, self._failed(begun, mfile, None, None))
        for chunk in _chunks(mfile):
            sent = self._send(chunk.text)
            if sent.ok:
                continue
            self._rollback()
            return self._finding(mfile, self._located(mfile, chunk, sent))
        committed = self._send("COMMIT")
        if committed.ok:
            return None
        self._rollback()
        if committed.error is None or committed.lost:
            return self._finding(mfile, self._failed(committed, mfile, None, None))
        return self._finding(mfile, self._replay(mfile, committed.error))

    def _failed(
        self,
        sent: _Sent,
        mfile: MigrationFile,
        statement: Statement | None,
        offset: int | None,
    ) -> _Failure:
        """The failure of a string whose place is known (or unknowable)."""
        limit = _limit_of(sent)
        note = ""
        if sent.lost and limit is None:
            note = "the server closed the connection"
        elif sent.lost:
            note = "the statement ignored the cancellation; its session was closed"
        if statement is not None and offset is None and sent.error is not None:
            offset = _offset_in(statement, sent.error)
        elif statement is not None and offset is None:
            offset = statement.start
        return _Failure(sent.error, offset, statement, note, limit)

    def _located(self, mfile: MigrationFile, chunk: _Chunk, sent: _Sent) -> _Failure:
        """Place a failed chunk: the server's position, else the statement after the last one
        the server answered."""
        error = sent.error
        inner = _position(error) if error is not None else None
        if inner is not None:
            offset = max(0, min(chunk.start + inner, len(mfile.text) - 1))
            return self._failed(sent, mfile, mfile.statement_at(offset), offset)
        if sent.done < len(chunk.answering):
            return self._failed(sent, mfile, mfile.statements[chunk.answering[sent.done]], None)
        if sent.lost or _limit_of(sent) is not None:
            return self._failed(sent, mfile, None, None)
        assert error is not None
        return self._replay(mfile, error)

    def _replay(self, mfile: MigrationFile, err: psycopg.Error) -> _Failure:
        """Find the failing statement of an error without position, then roll everything back."""
        try:
            begun = self._send("BEGIN")
            # A deferred constraint fails at COMMIT, which a replay never reaches.
            immediate = self._send("SET CONSTRAINTS ALL IMMEDIATE") if begun.ok else begun
            if immediate.ok:
                for statement in _executable(mfile):
                    sent = self._send(statement.text)
                    if sent.error is not None and not sent.expired and not sent.lost:
                        return _Failure(err, _offset_in(statement, sent.error), statement)
                    if not sent.ok:
                        break
        except _Deadline:
            pass
        finally:
            self._rollback()
        return _Failure(err, None, None, "the failing statement could not be located")

    def _apply_outside_transaction(self, mfile: MigrationFile) -> Finding | None:
        """Statement by statement in autocommit: what precedes a failure stays applied."""
        for statement in _executable(mfile):
            sent = self._send(statement.text)
            if sent.ok:
                continue
            self._rollback()
            failure = self._failed(sent, mfile, statement, None)
            return self._finding(mfile, failure, outside_transaction=True)
        return None

    def _finding(
        self, mfile: MigrationFile, failure: _Failure, *, outside_transaction: bool = False
    ) -> Finding:
        statement = failure.statement.first_line if failure.statement else ""
        offset = failure.offset
        if offset is None:
            first = mfile.statements[0] if mfile.statements else None
            offset = first.start if first else 0
        sqlstate: str | None = "57014"
        if failure.limit is not None:
            message = self._limit_message(failure)
        else:
            assert failure.error is not None
            message, sqlstate = describe_error(failure.error)
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
        outside = True if outside_transaction else None
        diag = failure.error.diag if failure.error is not None else None
        return at_offset(
            "migration_failed",
            mfile,
            offset,
            message,
            statement=statement,
            sqlstate=sqlstate,
            error=diag.message_primary if diag else None,
            detail=diag.message_detail if diag else None,
            hint=diag.message_hint if diag else None,
            limit=failure.limit,
            outside_transaction=outside,
        )

    def _limit_message(self, failure: _Failure) -> str:
        if failure.limit == "migration_statement_timeout":
            ms = self.limits.statement_timeout_ms
            return (
                f"57014 statement cancelled by the statement timeout of {ms} ms (unless the "
                "migration set its own statement_timeout); raise it with "
                "--migration-statement-timeout MS or migration_statement_timeout in the "
                "configuration"
            )
        seconds = _seconds(self.limits.timeout_s)
        what = "was cancelled" if failure.error is not None else "was not started"
        return (
            f"57014 the migrations ran past the wall-clock limit of {seconds} s: this statement "
            f"{what} and no further file is applied; raise the limit with --migration-timeout "
            "SECONDS or migration_timeout in the configuration"
        )


class _GaveUp(Exception):
    """The running statement ignored every cancellation until the grace period ended."""


class _Waiter:
    """Waits for the socket of one query, cancelling it once the run's deadline passes."""

    def __init__(self, applier: Applier, conn: psycopg.Connection[tuple[object, ...]]):
        self._applier = applier
        self._conn = conn
        self._pgconn = conn.pgconn
        self.cancelled = False
        self._give_up = 0.0
        self._next_cancel = 0.0

    def wait(self, *, write: bool = False) -> None:
        """Block until the socket is ready (or a deadline passes), then read what came."""
        now = time.monotonic()
        if not self.cancelled and now >= self._applier.deadline:
            self.cancelled = True
            self._give_up = now + CANCEL_GRACE_S
            self._next_cancel = now
        if self.cancelled:
            if now >= self._give_up:
                raise _GaveUp
            if now >= self._next_cancel:
                self._cancel()
                self._next_cancel = now + CANCEL_RETRY_S
            timeout = min(self._next_cancel, self._give_up) - now
        else:
            timeout = self._applier.deadline - now
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if write else 0)
        with selectors.DefaultSelector() as selector:
            selector.register(self._pgconn.socket, events)
            ready = selector.select(max(0.0, timeout))
        if any(mask & selectors.EVENT_READ for _, mask in ready):
            self._pgconn.consume_input()

    def _cancel(self) -> None:
        import psycopg

        # A failed attempt is retried, and the session given up after the grace period.
        with contextlib.suppress(psycopg.Error):
            self._conn.cancel_safe(timeout=CANCEL_RETRY_S)

    def drain_copy(self) -> None:
        """Read and drop the data of a COPY ... TO STDOUT."""
        while True:
            size, _ = self._pgconn.get_copy_data(1)
            if size == 0:
                self.wait()
            elif size < 0:
                return


def _limit_of(sent: _Sent) -> str | None:
    if sent.expired:
        return "migration_timeout"
    error = sent.error
    if error is not None and error.diag.sqlstate == "57014":
        primary = error.diag.message_primary or ""
        if "statement timeout" in primary:
            return "migration_statement_timeout"
    return None


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def apply_files(
    dsn: str,
    files: Sequence[MigrationFile],
    *,
    continue_on_error: bool = False,
    reporter: Reporter | None = None,
    limits: Limits | None = None,
    skip: frozenset[str] = frozenset(),
) -> Outcome:
    """Apply the files in order; stop at the first failure unless told to go on.

    Files named in `skip` (those holding a `migration_unsafe` statement) are never sent
    (counted as skipped, like the files a stopped run never reached).  Past the wall-clock
    limit nothing more is applied."""
    report = reporter or SilentReporter()
    outcome = Outcome()
    report.begin_files(len(files))
    with Applier(dsn, limits) as applier:
        for mfile in files:
            report.file_started(mfile.path.name)
            if mfile.name in skip:
                report.file_done(mfile.path.name, False)
                if not continue_on_error:
                    outcome.stopped = True
                    break
                continue
            failure = applier.apply(mfile)
            report.file_done(mfile.path.name, failure is None)
            if failure is None:
                outcome.applied.append(mfile.name)
                continue
            outcome.findings.append(failure)
            if not continue_on_error or failure.extra.get("limit") == "migration_timeout":
                outcome.stopped = True
                break
    return outcome


# -- consequences: a failure caused by an earlier failed file ---------------------------------
#
# With --continue-on-error, a file that failed (rolled back) or was skipped leaves out every
# object it was to create, and each later file using one of them fails too: one missing
# extension in a first file of 25 gives 25 failures, one of them worth reading.  A later
# failure whose error names a missing object (relation, function, type, schema, role,
# extension) that an earlier failed file was to create, or that lives in a schema it was to
# create, or that an extension it was to create would have provided, carries `caused_by`:
# the fingerprint of the root failure.  Everything here is read from the failed files' text
# and the server's error fields; a statement this scan does not understand is skipped.

_CREATE_KINDS: dict[tuple[str, ...], str] = {
    ("table",): "relation",
    ("view",): "relation",
    ("materialized", "view"): "relation",
    ("foreign", "table"): "relation",
    ("sequence",): "relation",
    ("function",): "function",
    ("procedure",): "function",
    ("aggregate",): "function",
    ("type",): "type",
    ("domain",): "type",
    ("schema",): "schema",
    ("extension",): "extension",
    ("role",): "role",
    ("user",): "role",
    ("group",): "role",
}
_CREATE_MODIFIERS = frozenset(
    {"or", "replace", "temp", "temporary", "unlogged", "global", "local", "recursive"}
)
_EXTENSION_SCHEMAS: dict[str, tuple[str, ...]] = {
    "pg_net": ("net",),
    "supabase_vault": ("vault",),
    "pgsodium": ("pgsodium", "pgsodium_masks"),
    "pg_graphql": ("graphql",),
    "pg_cron": ("cron",),
    "pgtap": (),
    "postgis": ("tiger", "topology"),
}
"""Schemas well-known extensions create for their objects (besides `WITH SCHEMA`)."""

_MISSING: dict[str, re.Pattern[str]] = {
    "42P01": re.compile(r'^(?P<kind>relation) "(?P<name>.+)" does not exist'),
    "42883": re.compile(r"^(?P<kind>function|procedure) (?P<name>.+?)\(.*\) does not exist"),
    "42704": re.compile(r'^(?P<kind>type|role|extension) "(?P<name>.+)" does not exist'),
    "3F000": re.compile(r'^(?P<kind>schema) "(?P<name>.+)" does not exist'),
}
"""The error (sqlstate, primary message) of a missing object, naming it."""


@dataclass(frozen=True)
class MissingObject:
    """An object a statement needed, or one a file was to create."""

    kind: str
    """relation, function, type, schema, role or extension."""
    schema: str | None
    name: str
    extension_schema: str | None = None
    """For an extension: the schema of `WITH SCHEMA`."""

    def __str__(self) -> str:
        return f"{self.kind} {self.schema + '.' if self.schema else ''}{self.name}"


def _split_name(text: str) -> tuple[str | None, str]:
    """`s.t`, `"My S".t` or `t` as (schema, name), quotes removed."""
    parts: list[str] = []
    current = ""
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            if quoted and text[i + 1 : i + 2] == '"':
                current += '"'
                i += 1
            else:
                quoted = not quoted
        elif char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    parts.append(current)
    if len(parts) >= 2:
        return parts[-2], parts[-1]
    return None, parts[0]


def missing_object(finding: Finding) -> MissingObject | None:
    """The object whose absence made a migration statement fail, from its error."""
    pattern = _MISSING.get(finding.extra.get("sqlstate") or "")
    match = pattern.match(finding.extra.get("error") or "") if pattern else None
    if match is None:
        return None
    kind = "function" if match["kind"] == "procedure" else match["kind"]
    if kind in ("schema", "role", "extension"):
        return MissingObject(kind, None, match["name"])
    text = match["name"]
    if kind == "type":
        text = re.sub(r"(\[\d*\])+$", "", text)  # `t[]`: the array of a missing type
    schema, name = _split_name(text)
    return MissingObject(kind, schema, name)


def _name_at(toks: list[Token], i: int) -> tuple[tuple[str | None, str], int] | None:
    """The (possibly qualified) name starting at token `i`, and the index after it."""

    def ident(j: int) -> str | None:
        if j < len(toks) and toks[j].kind in ("word", "quoted"):
            return toks[j].value
        return None

    first = ident(i)
    if first is None:
        return None
    if i + 2 < len(toks) and toks[i + 1].value == "." and (second := ident(i + 2)) is not None:
        return (first, second), i + 3
    return (None, first), i + 1


def created_object(text: str) -> MissingObject | None:
    """What a CREATE statement creates (TABLE, VIEW, FUNCTION, TYPE, SCHEMA, EXTENSION, ROLE
    and kin), from its tokens; None for anything else or anything not understood."""
    toks: list[Token] = []
    for token in tokens(text):
        toks.append(token)
        if len(toks) >= 16:
            break
    if not toks or toks[0].value != "create" or toks[0].kind != "word":
        return None
    i = 1
    while i < len(toks) and toks[i].kind == "word" and toks[i].value in _CREATE_MODIFIERS:
        i += 1
    kind = None
    for words, what in _CREATE_KINDS.items():
        if tuple(t.value for t in toks[i : i + len(words)] if t.kind == "word") == words:
            kind, i = what, i + len(words)
            break
    if kind is None:
        return None
    if [t.value for t in toks[i : i + 3] if t.kind == "word"] == ["if", "not", "exists"]:
        i += 3
    if kind == "schema" and i < len(toks) and toks[i].value == "authorization":
        i += 1
    named = _name_at(toks, i)
    if named is None:
        return None
    (schema, name), after = named
    if kind in ("schema", "role", "extension") and schema is not None:
        return None
    extension_schema = None
    if kind == "extension":
        rest = [t for t in toks[after:] if t.kind in ("word", "quoted")]
        for j, token in enumerate(rest[:-1]):
            if token.kind == "word" and token.value == "schema":
                extension_schema = rest[j + 1].value
                break
    return MissingObject(kind, schema, name, extension_schema)


def would_create(mfile: MigrationFile, from_line: int = 0) -> list[MissingObject]:
    """What the statements of a file (from `from_line` on) were to create."""
    statements = mfile.statements
    created = []
    for i in range(len(statements)):
        if statements.words(i)[:1] != ("create",):
            continue
        start, _ = statements.span(i)
        if from_line and mfile.line_col(start)[0] < from_line:
            continue
        try:
            found = created_object(statements[i].text)
        except Exception:  # a statement this scan cannot read explains nothing
            found = None
        if found is not None:
            created.append(found)
    return created


def _explains(created: MissingObject, missing: MissingObject) -> bool:
    same_schema = (
        created.schema is None or missing.schema is None or (created.schema == missing.schema)
    )
    if created.kind == "schema":
        return missing.schema == created.name or (
            missing.kind == "schema" and missing.name == created.name
        )
    if created.kind == "extension":
        if missing.kind == "extension":
            return missing.name == created.name
        ext = created.name
        schemas = {ext, *_EXTENSION_SCHEMAS.get(ext, ())}
        if created.extension_schema:
            schemas.add(created.extension_schema)
        if missing.kind == "schema":
            return missing.name in schemas - {created.extension_schema}
        if missing.kind == "role":
            return False
        return (missing.schema is not None and missing.schema in schemas) or (
            missing.name == ext or missing.name.startswith(ext + "_")
        )
    kinds = {created.kind}
    if created.kind == "relation":
        kinds.add("type")  # a table's row type
    return missing.kind in kinds and missing.name == created.name and same_schema


def link_consequences(
    files: Sequence[MigrationFile], findings: Sequence[Finding], applied: Sequence[str]
) -> tuple[Finding, ...]:
    """`findings` (in file order) with `caused_by` set on each migration failure explained
    by an earlier file that did not apply (see above); `caused_by` names the root failure."""
    from dataclasses import replace

    done = set(applied)
    by_name = {f.name: f for f in files}
    roots: dict[str, Finding] = {}
    """The failure standing for each file that did not apply: its `migration_failed`, or
    (skipped as unsafe) its first `migration_unsafe` finding."""
    for f in findings:
        where = str(f.extra.get("file", ""))
        if f.kind in ("migration_failed", "migration_unsafe") and where not in done:
            roots.setdefault(where, f)
    providers: list[tuple[Finding, list[MissingObject]]] = []
    linked = []
    for f in findings:
        where = str(f.extra.get("file", ""))
        if f.kind == "migration_failed" and roots.get(where) is f:
            missing = missing_object(f)
            cause = _cause_of(missing, providers) if missing is not None else None
            if cause is not None:
                f = replace(
                    f,
                    caused_by=cause.caused_by or cause.fingerprint,
                    extra={**f.extra, "missing": str(missing)},
                )
            mfile = by_name.get(where)
            if mfile is not None:
                outside = "outside_transaction" in f.extra
                providers.append((f, would_create(mfile, f.extra.get("line", 0) if outside else 0)))
        elif f.kind == "migration_unsafe" and roots.get(where) is f:
            mfile = by_name.get(where)
            if mfile is not None:
                providers.append((f, would_create(mfile)))
        linked.append(f)
    return tuple(linked)


def _cause_of(
    missing: MissingObject, providers: list[tuple[Finding, list[MissingObject]]]
) -> Finding | None:
    """The latest earlier failure whose file was to create (or provide) the missing object."""
    for finding, created in reversed(providers):
        if any(_explains(c, missing) for c in created):
            return finding
    return None
