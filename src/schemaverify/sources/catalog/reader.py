"""Read the live schema from pg_catalog into a `model.Catalog`.

Design constraints, and why:

- One read-only REPEATABLE READ transaction: every query sees the same
  snapshot, so a migration running meanwhile cannot produce a table whose
  indexes come from before it and its columns from after.  READ ONLY makes
  the server itself refuse any write; timeouts (statement, lock, idle) keep a
  CI gate from hanging on a locked or overloaded production database.
- A fixed number of statements (`STATEMENTS`: the nine `QUERIES` and one consistency
  probe), whatever the number of tables:
  the reader is benchmarked at 10,000 tables against running the same SQL in
  psql.  The SQL lives in `sql/*.sql` so it can be run and timed on its own.
  Key columns travel as attnums and are named from the columns query: one
  subquery per index or constraint cost the server more than everything else.
- The queries run one result ahead of the Python side (build.py), in a
  worker thread: the driver releases the GIL while the server works, so
  building objects from one result overlaps computing the next.
- Schema globs (`tenant_*`, see tenants.py) are matched in the same queries,
  as an array of LIKE patterns next to the array of plain names, so 200
  tenant schemas cost the same nine queries as one schema.
- Partitions are skipped unless asked for: they inherit their parent's
  columns, keys and indexes, and documenting every monthly partition is noise.
- PostgreSQL 14 to 18 read the same SQL, except for the columns newer servers
  added, written `{{name}}` in the SQL and filled in per server version from
  `VERSIONED` (the column, or the value every row has on an older server):
  PostgreSQL 15's indnullsnotdistinct, PostgreSQL 18's conenforced and
  conperiod.  Other differences need no column: PostgreSQL 18 lists NOT NULL
  constraints in pg_constraint (contype 'n'; only the NOT VALID ones are read,
  nullability comes from attnotnull) and adds virtual generated columns
  (attgenerated 'v').  The differences end here: the model is the same.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.resources
import queue
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import errors as pgerrors

from schemaverify.errors import ConnectError
from schemaverify.model.schema import Catalog
from schemaverify.sources.catalog.build import QUERIES, CatalogBuilder, Row
from schemaverify.sources.dsn import describe, redact, redact_text
from schemaverify.sources.tenants import like_pattern, split

__all__ = ["QUERIES", "STATEMENTS", "query_params", "query_text", "read_catalog"]

STATEMENTS = len(QUERIES) + 1
"""Statements one read sends, whatever the number of tables: the catalog queries plus the
consistency probe (`Catalog.query_count` of a read that did not have to retry)."""

# The floor of idle_in_transaction_session_timeout.  Between two statements the
# session idles while Python builds objects from the previous result (seconds at
# 10,000 tables), so the idle limit must not follow a tiny statement timeout: with
# `--statement-timeout 1` the read has to fail as "cancelled by the statement timeout",
# not as an idle session the server killed.  It only catches a stuck reader.
_IDLE_FLOOR_MS = 60000

# The first statement of every read, in the transaction (is_local = true, so nothing
# outlives it).  search_path comes first: the checked database is untrusted, and any
# role with CREATE on a schema of the default path could plant `public.unnest(oid[])`
# or an `=` operator on oid that PostgreSQL would prefer to pg_catalog's, and that would
# run as the (often superuser) caller of the check: the CVE-2018-1058 pattern, which
# pg_dump defends against the same way.  pg_temp is listed last explicitly: otherwise
# it is searched first for relations and types (it is never searched for functions or
# operators).  The catalog SQL also qualifies every function and type it names, so
# neither defence depends on the other.  With the path pinned, pg_catalog.pg_get_expr() and
# pg_catalog.format_type() qualify every name outside pg_catalog (`public.is_member(...)`,
# `public.my_enum`): normalize.py drops the schemas that are on a Supabase path, so
# findings read as before.
_SESSION_SETUP = (
    b"SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true),"
    b" pg_catalog.set_config('statement_timeout', %s, true),"
    b" pg_catalog.set_config('lock_timeout', %s, true),"
    b" pg_catalog.set_config('idle_in_transaction_session_timeout', %s, true)"
)


def _session_settings(statement_timeout_ms: int, lock_timeout_ms: int) -> tuple[str, str, str]:
    statement = int(statement_timeout_ms)
    idle = max(statement, _IDLE_FLOOR_MS) if statement else _IDLE_FLOOR_MS
    return str(statement), str(int(lock_timeout_ms)), str(idle)


VERSIONED: dict[bytes, tuple[int, bytes, bytes]] = {
    b"{{indnullsnotdistinct}}": (150000, b"i.indnullsnotdistinct", b"false"),
    b"{{conenforced}}": (180000, b"con.conenforced", b"true"),
    b"{{conperiod}}": (180000, b"con.conperiod", b"false"),
}
"""`{{column}}` of the SQL -> (first server_version_num with it, the column, its value before)."""


@functools.cache
def query_text(name: str, server_version: int) -> bytes:
    """The text of `sql/<name>.sql` for a server version (server_version_num).  Bytes:
    psycopg takes them as a query as they are."""
    resource = importlib.resources.files("schemaverify.sources.catalog") / "sql" / f"{name}.sql"
    text = resource.read_bytes()
    for token, (since, column, before) in VERSIONED.items():
        text = text.replace(token, column if server_version >= since else before)
    return text


@contextlib.contextmanager
def _session(
    dsn: str,
    *,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 5000,
    connect_timeout_s: int = 10,
    application_name: str = "schemaverify",
) -> Iterator[psycopg.Connection[Row]]:
    """A connection inside one REPEATABLE READ, READ ONLY transaction with timeouts set.

    Failures to connect or to set up the transaction become a redacted
    ConnectError; errors raised by the caller's own statements pass through
    unchanged.  The transaction is rolled back: nothing was written anyway.
    """
    try:
        conn = psycopg.connect(
            dsn,
            autocommit=True,
            connect_timeout=connect_timeout_s,
            application_name=application_name,
        )
    except (psycopg.Error, UnicodeError) as err:
        # UnicodeError: psycopg's own host look-up (`host=a..b`: the idna codec refuses it).
        raise ConnectError(f"cannot connect to {_where(dsn)}: {_reason(err, dsn)}") from None
    try:
        try:
            conn.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            conn.execute(_SESSION_SETUP, _session_settings(statement_timeout_ms, lock_timeout_ms))
        except psycopg.Error as err:
            raise _read_error(err, dsn, statement_timeout_ms, lock_timeout_ms) from None
        yield conn
        with contextlib.suppress(psycopg.Error):
            conn.execute(b"ROLLBACK")
    finally:
        conn.close()


def query_params(schemas: Sequence[str], include_partitions: bool = False) -> dict[str, Any]:
    """The parameters every catalog query takes: plain schema names, the LIKE patterns
    of the schema globs, and whether partitions are read."""
    names, globs = split(schemas)
    return {
        "schemas": list(names),
        "patterns": [like_pattern(g) for g in globs],
        "partitions": include_partitions,
    }


class _Queries:
    """Runs the named catalog queries; the one place they are counted, so the count is honest."""

    def __init__(self, conn: psycopg.Connection[Row], params: dict[str, Any]):
        self.conn = conn
        self.params = params
        self.count = 0
        self.version = conn.info.server_version

    def fetch(self, name: str) -> list[Row]:
        self.count += 1
        # Binary results load about a third faster.  One catch: an empty
        # "char" (attidentity, attgenerated) arrives as NUL, not as "".
        with self.conn.cursor(binary=True) as cur:
            cur.execute(query_text(name, self.version), self.params)
            return cur.fetchall()

    def probe(self, oids: list[int]) -> Row | None:
        """The consistency probe: a statement like any other, so it is counted too."""
        self.count += 1
        return self.conn.execute(_VANISHED_PROBE, {"oids": oids}).fetchone()


def read_catalog(
    dsn: str,
    schemas: Sequence[str] = ("public",),
    *,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 5000,
    connect_timeout_s: int = 10,
    application_name: str = "schemaverify",
    include_partitions: bool = False,
    normalized: Callable[[str, str], bool] | None = None,
) -> Catalog:
    """The relations of `schemas` (tables, views, materialized views, foreign tables).

    `schemas` holds names and globs (`tenant_*`); the catalog's `schemas` are the names
    as given followed by the existing schemas the globs matched, sorted.
    `normalized(schema, name)` picks the relations whose expressions are normalized
    (None: every one); the others come `verbatim` (model.Table).
    Raises ConnectError, with the password redacted, when the database cannot
    be reached or read (refused, timeout, permission denied).
    """
    params = query_params(schemas, include_partitions)
    for attempt in range(1, _ATTEMPTS + 1):
        catalog = _read_once(
            dsn,
            params,
            statement_timeout_ms=statement_timeout_ms,
            lock_timeout_ms=lock_timeout_ms,
            connect_timeout_s=connect_timeout_s,
            application_name=application_name,
            normalized=normalized,
        )
        if catalog is not None:
            return catalog
        time.sleep(0.05 * attempt)
    raise ConnectError(
        f"the schema of {_where(dsn)} kept changing while its catalog was read "
        f"({_ATTEMPTS} attempts; tables were dropped meanwhile): retry when the migration is done"
    )


# Relations dropped while the catalog is read: the REPEATABLE READ snapshot still lists
# them, but pg_catalog.pg_get_expr() and pg_catalog.pg_get_indexdef() look at the
# current catalog, so for them they fail ("could not open relation with OID") or return
# NULL, which would show a default, predicate, index expression or policy as absent.
# Such a read is detected (the error, or this probe after the queries) and repeated
# with a new snapshot.  The probe is one more statement (counted in STATEMENTS): one
# indexed look-up per relation.
_ATTEMPTS = 5
_VANISHED_PROBE = b"""
SELECT pg_catalog.count(*)
FROM (SELECT r.oid FROM pg_catalog.unnest(%(oids)s::pg_catalog.oid[]) AS r(oid)
      UNION ALL
      SELECT i.indexrelid
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.unnest(%(oids)s::pg_catalog.oid[]) AS t(oid) ON t.oid = i.indrelid) AS o(oid)
WHERE pg_catalog.pg_table_is_visible(o.oid) IS NULL
"""
# (A join, not `indrelid = ANY(...)`: that compares every pg_index row with the whole
# array, 0.1 s at 5,000 tables; joined, the probe costs about 3 percent of a read.)
_VANISHED_ERROR = re.compile(r"could not open relation with OID|cache lookup failed for")


def _vanished(err: psycopg.Error) -> bool:
    return err.sqlstate == "XX000" and bool(_VANISHED_ERROR.search(str(err)))


def _read_once(
    dsn: str,
    params: dict[str, Any],
    *,
    statement_timeout_ms: int,
    lock_timeout_ms: int,
    connect_timeout_s: int,
    application_name: str,
    normalized: Callable[[str, str], bool] | None = None,
) -> Catalog | None:
    """One read in one snapshot; None when a relation was dropped meanwhile."""
    builder = CatalogBuilder(normalized)
    with (
        _gc_paused(),
        _session(
            dsn,
            statement_timeout_ms=statement_timeout_ms,
            lock_timeout_ms=lock_timeout_ms,
            connect_timeout_s=connect_timeout_s,
            application_name=application_name,
        ) as conn,
    ):
        queries = _Queries(conn, params)
        oids: list[int] = []
        try:
            with contextlib.closing(_prefetched(queries)) as results:
                for name, rows in results:
                    if name == "relations":
                        # Skipped partitions are only named: nothing read of them can vanish.
                        oids = [row[0] for row in rows if row[0] is not None and not row[6]]
                    builder.add(name, rows)
            row = queries.probe(oids)
        except psycopg.Error as err:
            if _vanished(err):
                return None
            raise _read_error(err, dsn, statement_timeout_ms, lock_timeout_ms) from None
        if row is None or row[0]:
            return None
        version = conn.info.server_version
        tables = builder.tables()
    names = params["schemas"]
    matched = [s for s in builder.schemas() if s not in names] if params["patterns"] else []
    return Catalog(
        tables=tables,
        server_version=version,
        schemas=(*names, *matched),
        query_count=queries.count,
        source=describe(dsn),
        roles=builder.roles(),
        functions=builder.functions(),
        partitions=builder.partitions(),
        types=builder.types(),
    )


def _prefetched(queries: _Queries) -> Generator[tuple[str, list[Row]], None, None]:
    """Each query's rows in `QUERIES` order, fetched by a worker one query ahead.

    Errors reach the consumer in order.  A consumer that stops early (an error
    of its own, Ctrl-C) gets the running query cancelled and the worker joined
    before the session closes; close the generator (contextlib.closing) so
    that happens at once.
    """
    results: queue.SimpleQueue[tuple[str, list[Row]] | BaseException] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            for name in QUERIES:
                if stop.is_set():
                    return
                results.put((name, queries.fetch(name)))
        except BaseException as err:  # re-raised in the consumer's thread
            results.put(err)

    worker = threading.Thread(target=work, name="schemaverify-catalog", daemon=True)
    worker.start()
    done = False
    try:
        for _ in QUERIES:
            item = results.get()
            if isinstance(item, BaseException):
                raise item
            yield item
        done = True
    finally:
        if not done:
            stop.set()
            with contextlib.suppress(Exception):
                queries.conn.cancel_safe(timeout=5)
        worker.join()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while ~10^5 objects are created.

    Without it, allocation bursts trigger collections that rescan the growing
    heap again and again (about 0.5 s of a 2 s read at 10,000 tables); paused,
    it costs one collection afterwards.  Nothing built here forms reference
    cycles, so nothing is kept alive longer.  The pause is process-wide, for
    the duration of one read.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- errors -------------------------------------------------------------------


def _where(dsn: str) -> str:
    return redact(dsn) if dsn else "the database named by the PG* environment variables"


def _reason(err: BaseException, dsn: str) -> str:
    """The driver's message on one line, password scrubbed (libpq may echo the conninfo)."""
    text = re.sub(r"^connection failed:\s*", "", str(err).strip())
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return redact_text("; ".join(lines), dsn) or type(err).__name__


def _read_error(
    err: psycopg.Error, dsn: str, statement_timeout_ms: int, lock_timeout_ms: int
) -> ConnectError:
    where = _where(dsn)
    reason = _reason(err, dsn)
    if isinstance(err, pgerrors.QueryCanceled):
        return ConnectError(
            f"reading the catalog of {where} was cancelled ({reason}): the statement timeout is "
            f"{statement_timeout_ms} ms; raise it with --statement-timeout"
        )
    if isinstance(err, pgerrors.LockNotAvailable):
        return ConnectError(
            f"reading the catalog of {where} waited more than the lock timeout "
            f"({lock_timeout_ms} ms) for a lock, is a migration running? ({reason}); "
            "retry, or raise it with --lock-timeout"
        )
    if isinstance(err, pgerrors.InsufficientPrivilege):
        return ConnectError(f"permission denied reading the catalog of {where}: {reason}")
    if isinstance(err, psycopg.OperationalError):
        return ConnectError(f"lost the connection to {where}: {reason}")
    return ConnectError(f"cannot read the catalog of {where}: {reason}")
