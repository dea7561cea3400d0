"""The safety guarantees of the README, each proven against a real PostgreSQL.

* The catalog session is read-only: every kind of write fails, and a whole
  `check` run never even gets a transaction id.
* `statement_timeout`, `lock_timeout` and `connect_timeout` have defaults and
  flags, and each one really fires: a check never hangs on a locked table,
  a slow server or a port that accepts and never answers.
* A check during concurrent DDL neither fails nor reports a table as it was
  half-way through a migration.
* A password in the DSN reaches no report format, no error message, no log.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import conninfo
from typer.testing import CliRunner

from pgserver import Server, TestDatabase
from schemaverify.cli import app
from schemaverify.errors import ConnectError
from schemaverify.model import normalize
from schemaverify.model.schema import Catalog
from schemaverify.reports.formats import FORMATS
from schemaverify.sources.catalog import read_catalog, reader

SECRET = "Zq8-sekr1t-PW"
"""A password that must never be shown; long enough to be scrubbed from free text."""

SPEC = """\
table: orders
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: total, type: numeric}
  - {name: note, type: text, nullable: true}
indexes:
  - primary_key: true
  - columns: [total]
"""

ORDERS = "CREATE TABLE orders (id uuid PRIMARY KEY, total integer, note text DEFAULT 'none');"
"""Drifts from SPEC (total is integer, no index on it).  The default matters for the lock
tests: the catalog session locks a table (ACCESS SHARE) when it deparses one of its
expressions, so a table without any default, predicate or policy never waits."""


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A spec folder, and a working directory without any configuration file."""
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for var in ("SCHEMAVERIFY_DSN", "DATABASE_URL", "PGPASSWORD", "PGHOST", "PGDATABASE"):
        monkeypatch.delenv(var, raising=False)
    return folder


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def with_password(dsn: str, password: str = SECRET) -> str:
    return conninfo.make_conninfo(dsn, password=password)


def uri_with_password(dsn: str, password: str = SECRET, **override: str) -> str:
    """The same target as a URI, password in the userinfo (host may be a socket directory)."""
    from urllib.parse import quote, urlencode

    params = {**conninfo.conninfo_to_dict(dsn), **override}
    user = quote(str(params.pop("user", "postgres")), safe="")
    dbname = quote(str(params.pop("dbname", "postgres")), safe="")
    params.pop("password", None)
    query = urlencode({k: str(v) for k, v in params.items()})
    return f"postgresql://{user}:{quote(password, safe='')}@/{dbname}?{query}"


# --- observing the real session ------------------------------------------------


@dataclass
class SessionSeen:
    kwargs: dict[str, Any]
    settings: dict[str, str] = field(default_factory=dict)
    xid_after: object = "not read"
    read_only_after: str = ""


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[SessionSeen]:
    """Every catalog session a run opens, observed from inside: its settings before the
    catalog queries, and after them whether the transaction ever got a transaction id
    (any write, even one that failed, would have assigned one)."""
    seen: list[SessionSeen] = []
    real = reader._session

    @contextlib.contextmanager
    def observed(dsn: str, **kwargs: Any) -> Iterator[psycopg.Connection[Any]]:
        record = SessionSeen(kwargs)
        with real(dsn, **kwargs) as conn:
            for name in (
                "transaction_isolation",
                "transaction_read_only",
                "statement_timeout",
                "lock_timeout",
                "idle_in_transaction_session_timeout",
                "application_name",
            ):
                row = conn.execute(f"SHOW {name}".encode()).fetchone()
                assert row is not None
                record.settings[name] = str(row[0])
            record.settings["connect_timeout"] = conn.info.get_parameters().get(
                "connect_timeout", ""
            )
            seen.append(record)
            yield conn
            if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                record.xid_after = "aborted"  # a read the reader gave up (and repeats)
                return
            row = conn.execute(
                b"SELECT pg_catalog.pg_current_xact_id_if_assigned(),"
                b" pg_catalog.current_setting('transaction_read_only')"
            ).fetchone()
            assert row is not None
            record.xid_after, record.read_only_after = row[0], str(row[1])

    monkeypatch.setattr(reader, "_session", observed)
    return seen


# --- read-only ------------------------------------------------------------------

WRITES = {
    "create table": "CREATE TABLE public.must_not_exist (id int)",
    "insert": "INSERT INTO public.victim VALUES (2)",
    "update": "UPDATE public.victim SET id = 3",
    "delete": "DELETE FROM public.victim",
    "truncate": "TRUNCATE public.victim",
    "drop": "DROP TABLE public.victim",
    "alter": "ALTER TABLE public.victim ADD COLUMN x int",
    "sequence": "SELECT nextval('public.victim_seq')",
    "select into": "SELECT 1 AS x INTO public.must_not_exist",
    "copy from": "COPY public.victim FROM PROGRAM 'echo 9'",
    "comment": "COMMENT ON TABLE public.victim IS 'changed'",
    "grant": "GRANT SELECT ON public.victim TO PUBLIC",
    "become writable": "SET TRANSACTION READ WRITE",
    "become writable via set_config": (
        "SELECT pg_catalog.set_config('transaction_read_only', 'off', true)"
    ),
}


def test_every_write_fails_in_the_catalog_session(db: TestDatabase) -> None:
    db.run(
        "CREATE TABLE victim (id int); INSERT INTO victim VALUES (1); CREATE SEQUENCE victim_seq"
    )
    for what, statement in WRITES.items():
        with reader._session(db.dsn) as conn:
            with pytest.raises(psycopg.Error) as caught:
                conn.execute(statement.encode())
            # Read-only transaction, or (the escape attempts) "must be set before any query".
            assert caught.value.sqlstate in ("25006", "25001"), (what, caught.value)
    assert db.query("SELECT id FROM victim") == [(1,)]
    assert db.query("SELECT count(*) FROM pg_class WHERE relname = 'must_not_exist'") == [(0,)]
    assert db.query("SELECT last_value, is_called FROM victim_seq") == [(1, False)]
    assert db.query("SELECT obj_description('victim'::regclass)") == [(None,)]
    assert db.query("SELECT count(*) FROM pg_attribute WHERE attname = 'x'") == [(0,)]


def test_a_whole_check_never_writes(
    db: TestDatabase, specs: Path, sessions: list[SessionSeen]
) -> None:
    db.run(ORDERS + "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;")
    result = invoke("check", "--dsn", db.dsn, "--specs", str(specs))
    assert result.exit_code == 1, result.output  # drift: total is integer
    assert len(sessions) == 1
    (session,) = sessions
    assert session.settings["transaction_isolation"] == "repeatable read"
    assert session.settings["transaction_read_only"] == "on"
    assert session.read_only_after == "on"
    assert session.xid_after is None  # no transaction id: nothing was (even tried to be) written


# --- timeouts: defaults and flags ------------------------------------------------


def test_timeout_defaults_reach_the_session(
    db: TestDatabase, specs: Path, sessions: list[SessionSeen]
) -> None:
    db.run(ORDERS)
    assert invoke("check", "--dsn", db.dsn, "--specs", str(specs)).exit_code == 1
    settings = sessions[0].settings
    assert settings["statement_timeout"] == "30s"
    assert settings["lock_timeout"] == "5s"
    # The idle limit never falls below a minute: Python builds objects between queries.
    assert settings["idle_in_transaction_session_timeout"] == "1min"
    assert settings["connect_timeout"] == "10"
    assert settings["application_name"] == "schemaverify"


def test_timeout_flags_reach_the_session(
    db: TestDatabase, specs: Path, sessions: list[SessionSeen]
) -> None:
    db.run(ORDERS)
    result = invoke(
        "check", "--dsn", db.dsn, "--specs", str(specs),
        "--statement-timeout", "4321", "--lock-timeout", "1234", "--connect-timeout", "7",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    settings = sessions[0].settings
    assert settings["statement_timeout"] == "4321ms"
    assert settings["lock_timeout"] == "1234ms"
    assert settings["connect_timeout"] == "7"


def test_timeouts_from_the_configuration_file(
    db: TestDatabase, specs: Path, sessions: list[SessionSeen]
) -> None:
    db.run(ORDERS)
    Path("schemaverify.toml").write_text(
        "statement_timeout = 2500\nlock_timeout = 750\nconnect_timeout = 4\n", encoding="utf-8"
    )
    assert invoke("check", "--dsn", db.dsn, "--specs", str(specs)).exit_code == 1
    settings = sessions[0].settings
    assert (settings["statement_timeout"], settings["lock_timeout"]) == ("2500ms", "750ms")
    assert settings["connect_timeout"] == "4"


@contextlib.contextmanager
def table_locked(db: TestDatabase, table: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session holds ACCESS EXCLUSIVE on `table` in an open transaction (a migration)."""
    holder = psycopg.connect(db.dsn)
    try:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE".encode())
        yield holder
    finally:
        holder.rollback()
        holder.close()


def _schemaverify_sessions(db: TestDatabase) -> int:
    """The tool's backends still connected; a closed one can take a moment to go."""
    deadline = time.monotonic() + 3
    while True:
        rows = db.query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'schemaverify'"
        )
        count = int(str(rows[0][0]))
        if count == 0 or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_lock_timeout_fails_fast_with_exit_3(db: TestDatabase, specs: Path) -> None:
    db.run(ORDERS)
    dsn = with_password(db.dsn)
    with table_locked(db, "orders") as holder:
        started = time.monotonic()
        result = invoke(
            "check", "--dsn", dsn, "--specs", str(specs),
            "--lock-timeout", "300", "--statement-timeout", "60000",
        )  # fmt: skip
        elapsed = time.monotonic() - started
        # The migration is unharmed: its transaction is still open and usable.
        holder.execute(b"ALTER TABLE orders ADD COLUMN added_by_migration int")
    assert result.exit_code == 3, result.output
    assert 0.3 <= elapsed < 3, elapsed
    assert "waited more than the lock timeout (300 ms)" in result.stderr
    assert "--lock-timeout" in result.stderr
    assert SECRET not in result.output + result.stderr
    assert _schemaverify_sessions(db) == 0


def test_statement_timeout_fails_fast_with_exit_3(db: TestDatabase, specs: Path) -> None:
    """A statement kept waiting (here: on a lock, with the lock timeout out of the way) is
    cancelled at the statement timeout: deterministic, unlike racing a slow query."""
    db.run(ORDERS)
    dsn = with_password(db.dsn)
    with table_locked(db, "orders"):
        started = time.monotonic()
        result = invoke(
            "check", "--dsn", dsn, "--specs", str(specs),
            "--statement-timeout", "400", "--lock-timeout", "60000",
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert 0.4 <= elapsed < 3, elapsed
    assert "the statement timeout is 400 ms" in result.stderr
    assert "--statement-timeout" in result.stderr
    assert SECRET not in result.output + result.stderr
    assert _schemaverify_sessions(db) == 0


def test_a_tiny_statement_timeout_is_reported_as_the_statement_timeout(
    db: TestDatabase, specs: Path
) -> None:
    """`--statement-timeout 1` used to set the idle-in-transaction limit to 1 ms too, so
    the server killed the session between two statements ("terminating connection due
    to idle-in-transaction timeout"), a message that names neither the flag nor the
    cause.  The idle limit has a floor; the statement is what gets cancelled."""
    db.run(ORDERS)
    with table_locked(db, "orders"):
        result = invoke(
            "check", "--dsn", db.dsn, "--specs", str(specs),
            "--statement-timeout", "1", "--lock-timeout", "60000",
        )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert "the statement timeout is 1 ms" in result.stderr, result.stderr
    assert "idle" not in result.stderr
    assert "lost the connection" not in result.stderr
    assert _schemaverify_sessions(db) == 0


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never sends a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_connect_timeout_on_a_server_that_never_answers(specs: Path) -> None:
    with silent_server() as port:
        started = time.monotonic()
        result = invoke(
            "check", "--dsn", f"postgresql://app:{SECRET}@127.0.0.1:{port}/app",
            "--specs", str(specs), "--connect-timeout", "2",
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert 1.5 <= elapsed < 6, elapsed  # libpq's minimum connect_timeout is 2 s
    assert "timeout" in result.stderr.lower()
    assert f"postgresql://app:***@127.0.0.1:{port}/app" in result.stderr
    assert SECRET not in result.output + result.stderr


# --- concurrent DDL -------------------------------------------------------------

CHURN_COLUMNS = ("id", "ref", "label", "qty", "at")
PAUSE_BETWEEN_MIGRATIONS_S = 0.15
"""Migrations follow each other this closely (each drops tables: a read that overlaps a
drop is repeated by the reader, so back-to-back drops would only measure its patience)."""


def _create_churn(i: int) -> str:
    """One table with every kind of object, created in one transaction."""
    return f"""
        CREATE TABLE churn_{i} (
          id int PRIMARY KEY,
          ref int NOT NULL REFERENCES anchor (id) ON DELETE CASCADE,
          label text NOT NULL DEFAULT 'new',
          qty int UNIQUE,
          at timestamptz DEFAULT now()
        );
        SELECT pg_sleep(0.01);
        CREATE INDEX churn_{i}_label ON churn_{i} (lower(label)) WHERE qty > 0;
        CREATE INDEX churn_{i}_at ON churn_{i} (ref, at DESC);
        ALTER TABLE churn_{i} ENABLE ROW LEVEL SECURITY;
        CREATE POLICY churn_{i}_own ON churn_{i} USING (qty > {i});
    """


def _assert_complete(catalog: Catalog) -> int:
    """Every churn table is complete, every `wide` column has its index; returns churn count."""
    count = 0
    for table in catalog.tables:
        if table.name.startswith("churn_"):
            count += 1
            i = int(table.name.removeprefix("churn_"))
            assert tuple(c.name for c in table.columns) == CHURN_COLUMNS, table
            assert table.column("label") is not None
            assert table.column("label").default == normalize.expression("'new'::text")  # type: ignore[union-attr]
            assert table.primary_key is not None and table.primary_key.columns == ("id",)
            assert [u.columns for u in table.uniques] == [("qty",)]
            assert [(f.columns, f.ref_table, f.on_delete) for f in table.foreign_keys] == [
                (("ref",), "anchor", "cascade")
            ]
            assert sorted(ix.name or "" for ix in table.indexes) == sorted(
                [f"churn_{i}_label", f"churn_{i}_at", f"churn_{i}_pkey", f"churn_{i}_qty_key"]
            )
            expression = next(ix for ix in table.indexes if ix.name == f"churn_{i}_label")
            assert expression.keys[0].is_expression and expression.keys[0].expression == (
                normalize.expression("lower(label)")
            ), expression
            assert expression.predicate == normalize.expression("qty > 0"), expression
            assert table.rls is not None and table.rls.enabled
            assert [(p.name, p.using) for p in table.rls.policies] == [
                (f"churn_{i}_own", normalize.expression(f"qty > {i}"))
            ]
        elif table.name == "wide":
            extra = {c.name for c in table.columns} - {"id"}
            indexed = {ix.columns[0] for ix in table.indexes if not ix.primary}
            assert extra == indexed, table
            for col in extra:
                assert table.column(col).default == normalize.expression(col[2:])  # type: ignore[union-attr]
    return count


def test_check_during_concurrent_ddl_sees_whole_transactions(
    db: TestDatabase, specs: Path, sessions: list[SessionSeen]
) -> None:
    """Tables created, altered and dropped in a loop while the catalog is read again and
    again: no read fails, and no table is ever seen half-way through a transaction."""
    db.run("CREATE TABLE anchor (id int PRIMARY KEY); CREATE TABLE wide (id int PRIMARY KEY);")
    (specs / "anchor.yaml").write_text(
        "table: anchor\ncolumns:\n  - {name: id, type: integer, primary_key: true}\n",
        encoding="utf-8",
    )
    (specs / "orders.yaml").unlink()
    stop = threading.Event()
    commits = [0]
    failure: list[BaseException] = []

    def migrate() -> None:
        try:
            with psycopg.connect(db.dsn, autocommit=True) as conn:
                i = 0
                while not stop.is_set():
                    # Each step is one transaction, kept open a little so that reads
                    # start while it is in flight (and wait on its locks).
                    with conn.transaction():
                        conn.execute(_create_churn(i).encode())
                    with conn.transaction():
                        conn.execute(
                            f"ALTER TABLE wide ADD COLUMN c_{i} int DEFAULT {i};"
                            "SELECT pg_sleep(0.01);"
                            f"CREATE INDEX wide_c_{i} ON wide (c_{i});".encode()
                        )
                    if i >= 2:
                        with conn.transaction():
                            conn.execute(
                                f"DROP TABLE churn_{i - 2}; DROP INDEX wide_c_{i - 2};"
                                f"ALTER TABLE wide DROP COLUMN c_{i - 2};"
                                "SELECT pg_sleep(0.01);".encode()
                            )
                    commits[0] += 3
                    i += 1
                    stop.wait(PAUSE_BETWEEN_MIGRATIONS_S)
        except BaseException as err:  # reported by the main thread
            failure.append(err)

    worker = threading.Thread(target=migrate, name="sv-test-migration")
    worker.start()
    reads = seen = checks = 0
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and not failure:
            seen += _assert_complete(read_catalog(db.dsn, lock_timeout_ms=30000))
            reads += 1
            if reads % 5 == 0:
                result = invoke("check", "--dsn", db.dsn, "--specs", str(specs))
                assert result.exit_code == 0, result.output + result.stderr
                checks += 1
    finally:
        stop.set()
        worker.join()
    assert not failure, failure
    # Every session (repeated reads included) stayed read-only and wrote nothing.
    assert len(sessions) >= reads + checks
    assert {s.xid_after for s in sessions} <= {None, "aborted"}
    # The reads really overlapped the DDL: many commits, several reads each seeing tables.
    assert commits[0] >= 15 and reads >= 8 and checks >= 1 and seen >= reads, (
        commits,
        reads,
        checks,
        seen,
    )


DOOMED = """
CREATE TABLE keeper (id int PRIMARY KEY, label text NOT NULL DEFAULT 'k');
CREATE INDEX keeper_lower ON keeper (lower(label)) WHERE id > 0;
CREATE TABLE doomed (id int PRIMARY KEY, label text NOT NULL DEFAULT 'd');
CREATE INDEX doomed_lower ON doomed (lower(label)) WHERE id > 0;
ALTER TABLE doomed ENABLE ROW LEVEL SECURITY;
CREATE POLICY doomed_p ON doomed USING (id > 1);
"""


def _assert_keeper_whole(catalog: Catalog) -> None:
    assert [t.name for t in catalog.tables] == ["keeper"]
    keeper = catalog.tables[0]
    assert keeper.column("label") is not None
    assert keeper.column("label").default == normalize.expression("'k'")  # type: ignore[union-attr]
    lower = next(ix for ix in keeper.indexes if ix.name == "keeper_lower")
    assert lower.keys[0].expression == normalize.expression("lower(label)")
    assert lower.predicate == normalize.expression("id > 0")


def test_a_table_dropped_after_the_snapshot_is_read_again(
    db: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot lists a table that a migration drops before its expressions are
    deparsed: PostgreSQL then returns NULL for its default, index expression and policy.
    The reader notices and reads again, so no table shows with its expressions missing."""
    db.run(DOOMED)
    opened: list[int] = []
    real = reader._session

    @contextlib.contextmanager
    def drop_after_snapshot(dsn: str, **kwargs: Any) -> Iterator[psycopg.Connection[Any]]:
        with real(dsn, **kwargs) as conn:  # its set-up statement took the snapshot
            opened.append(1)
            if len(opened) == 1:
                db.run("DROP TABLE doomed")
            yield conn

    monkeypatch.setattr(reader, "_session", drop_after_snapshot)
    catalog = read_catalog(db.dsn)
    assert len(opened) == 2
    _assert_keeper_whole(catalog)


def test_a_table_dropped_while_the_read_waits_on_its_lock_is_read_again(
    db: TestDatabase,
) -> None:
    """The read waits for a migration's lock on a table that the migration then drops:
    PostgreSQL fails the statement ("could not open relation with OID"); the reader
    reads again instead of failing the check."""
    db.run(DOOMED)
    migration = psycopg.connect(db.dsn)
    try:
        migration.execute(b"DROP TABLE doomed")  # in an open transaction: holds the lock
        timer = threading.Timer(0.3, migration.commit)
        timer.start()
        started = time.monotonic()
        catalog = read_catalog(db.dsn)
        timer.join()
    finally:
        migration.close()
    assert 0.3 <= time.monotonic() - started < 3
    _assert_keeper_whole(catalog)


# --- passwords ------------------------------------------------------------------


def _assert_secret_free(texts: dict[str, str], secret: str = SECRET) -> None:
    leaked = [where for where, text in texts.items() if secret in text]
    assert leaked == [], f"the password leaked into: {leaked}"


@pytest.mark.parametrize("form", ["uri", "keywords"])
def test_password_appears_in_no_report_and_no_log(
    db: TestDatabase,
    specs: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    form: str,
) -> None:
    db.run(ORDERS)
    dsn = uri_with_password(db.dsn) if form == "uri" else with_password(db.dsn)
    assert SECRET in dsn or SECRET in conninfo.conninfo_to_dict(dsn).get("password", "")
    caplog.set_level(logging.DEBUG)
    texts: dict[str, str] = {}
    outputs = []
    for fmt in FORMATS:
        outputs += ["--output", f"{fmt}={tmp_path / ('report.' + fmt)}"]
    # Standard output: the terminal table (Rich), and one text renderer (the files hold all).
    for fmt in ("table", "github"):
        result = invoke("check", "--dsn", dsn, "--specs", str(specs), "--format", fmt, *outputs)
        assert result.exit_code == 1, result.output + result.stderr
        texts[f"stdout of --format {fmt}"] = result.stdout
        texts[f"stderr of --format {fmt}"] = result.stderr
    for fmt in FORMATS:
        texts[f"--output {fmt}"] = (tmp_path / f"report.{fmt}").read_text(encoding="utf-8")
    for command in (
        ["coverage", "--dsn", dsn, "--specs", str(specs), "--format", "json"],
        ["coverage", "--dsn", dsn, "--specs", str(specs)],
        ["config", "--dsn", dsn, "--format", "json"],
        ["config", "--dsn", dsn],
        ["snapshot", "--dsn", dsn],
    ):
        result = invoke(*command)
        assert result.exit_code in (0, 1), result.output + result.stderr
        texts[" ".join(command[:1] + command[3:])] = result.output + result.stderr
    texts["log"] = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    _assert_secret_free(texts)
    # The reports do name the database, redacted: the test looks where a DSN would be.
    assert "***" in texts["--output json"]
    assert db.name in texts["--output json"]


def _nonexistent(dsn: str, **override: str) -> str:
    return conninfo.make_conninfo(dsn, password=SECRET, **override)


CONNECT_FAILURES = {
    "refused": lambda db: f"postgresql://app:{SECRET}@127.0.0.1:1/app",
    "no such database": lambda db: _nonexistent(db.dsn, dbname="sv_no_such_db"),
    "no such role": lambda db: _nonexistent(db.dsn, user="sv_no_such_role"),
    "uri, no such database": lambda db: uri_with_password(db.dsn, dbname="sv_no_such_db"),
}


@pytest.mark.parametrize("make_dsn", list(CONNECT_FAILURES.values()), ids=list(CONNECT_FAILURES))
def test_password_appears_in_no_connection_error(
    db: TestDatabase, specs: Path, caplog: pytest.LogCaptureFixture, make_dsn: Any
) -> None:
    dsn = make_dsn(db)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConnectError) as caught:
        read_catalog(dsn, connect_timeout_s=5)
    result = invoke("check", "--dsn", dsn, "--specs", str(specs), "--format", "json")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("cannot connect to "), result.stderr
    assert "***" in result.stderr
    _assert_secret_free(
        {
            "ConnectError": str(caught.value),
            "ConnectError repr": repr(caught.value),
            "stdout": result.stdout,
            "stderr": result.stderr,
            "log": "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records),
        }
    )
    # The reason survives redaction: the message still says what went wrong.
    reason = result.stderr.lower()
    assert re.search(r"refused|does not exist", reason), reason


def test_a_refused_role_with_a_password_does_not_leak(db: TestDatabase, pg_server: Server) -> None:
    """A role that has a password but may not log in is refused by the server; the
    password shows in no message (the test servers trust local connections, so the
    refusal has to come from the role itself)."""
    role = "sv_nologin_role"
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}".encode())
        conn.execute(f"CREATE ROLE {role} NOLOGIN PASSWORD '{SECRET}'".encode())
    try:
        dsn = conninfo.make_conninfo(db.dsn, user=role, password=SECRET)
        with pytest.raises(ConnectError) as caught:
            read_catalog(dsn)
        message = str(caught.value)
        assert "not permitted to log in" in message
        assert SECRET not in message
    finally:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}".encode())


def test_a_host_psycopg_cannot_encode_is_cannot_connect(specs: Path) -> None:
    """psycopg's own host look-up raises UnicodeError (`a..b` is no IDNA name): a
    connection failure, exit 3, not an internal error."""
    result = invoke("check", "--dsn", "host=a..b port=1 password=Secret99", "--specs", str(specs))
    assert result.exit_code == 3, result.output
    assert "cannot connect" in result.stderr
    assert "Secret99" not in result.output + result.stderr
