"""No password reaches any output: property-tested over every printable character,
through libpq's real error messages, every report format, `config`, and a real server
whose role has a hostile password."""

from __future__ import annotations

import functools
import html
import json
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from typer.testing import CliRunner

from pgserver import TestDatabase
from schemaverify.cli import app
from schemaverify.errors import ConnectError, UsageError
from schemaverify.reports.formats import FORMATS
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.dsn import _MIN_SCRUB_LEN, describe, redact, redact_text, resolve_dsn

ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F)) + "éß€中😀"
"""Printable ASCII (space, `#?'"@/:=\\&%` and all) and a few non-ASCII letters."""

SOCKET_DIR = "/nonexistent/schemaverify-redaction"
"""A unix socket directory that cannot exist: libpq fails at once, with its real message."""

PLACEHOLDER = "PLACEHOLDER"


@functools.cache
def closed_port() -> int:
    """A local TCP port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def libpq_escape(password: str) -> str:
    return password.replace("\\", "\\\\").replace("'", "\\'")


def embeddings(password: str) -> dict[str, str]:
    """Every way a user may write `password` into a DSN, keyed by name.

    `uri raw` is the unencoded form the issue reproduces: libpq may read it as
    something else, or refuse it; either way it must not be shown.
    """
    port = closed_port()
    encoded = quote(password, safe="")
    dsns = {
        "uri encoded": f"postgresql://alice:{encoded}@127.0.0.1:{port}/t1",
        "uri raw": f"postgresql://alice:{password}@127.0.0.1:{port}/t1",
        "uri query": f"postgresql://alice@127.0.0.1:{port}/t1?password={encoded}",
        "uri socket": f"postgresql://alice:{encoded}@/t1?host={SOCKET_DIR}",
        "keywords quoted": (
            f"host=127.0.0.1 port={port} user=alice password='{libpq_escape(password)}' dbname=t1"
        ),
        "keywords socket": f"host={SOCKET_DIR} user=alice password='{libpq_escape(password)}'",
    }
    # Given twice, libpq keeps the last: the first is a secret all the same.
    dsns["keywords twice"] = (
        f"host={SOCKET_DIR} password='{libpq_escape(password)}' user=alice password=other"
    )
    dsns["uri twice"] = f"postgresql://alice:{encoded}@/t1?host={SOCKET_DIR}&password=other"
    if password and not any(c.isspace() or c in "'\\" for c in password):
        dsns["keywords plain"] = f"host=127.0.0.1 port={port} user=alice password={password}"
    return dsns


EXACT = ("uri encoded", "uri query", "uri socket", "keywords quoted", "keywords socket")
"""Embeddings libpq reads exactly: its parsed password is the password."""

FIELDS = ("alice", "127.0.0.1", "t1", SOCKET_DIR)


def spellings(password: str) -> set[str]:
    """The password as any output could carry it: raw, percent-encoded, libpq-quoted,
    JSON- and XML-escaped."""
    return {
        password,
        quote(password, safe=""),
        libpq_escape(password),
        json.dumps(password)[1:-1],
        json.dumps(password, ensure_ascii=False)[1:-1],
        html.escape(password),
        html.escape(password, quote=False),
    }


def pieces(password: str) -> set[str]:
    """The password and the pieces libpq may cut it into at an unencoded `@`, `/`, `?`,
    `:`, `&`, `=` or space, when long enough to be scrubbed from free text."""
    parts = {password, *re.split(r"[@/?:&= ]", password)}
    return {s for p in parts for s in spellings(p) if len(s) >= _MIN_SCRUB_LEN}


def assert_absent(password: str, texts: dict[str, str], wording: str = "") -> None:
    """`wording` is what the same message says with another password: a piece of the
    password that is libpq's own text ("file" of "No such file or directory") is no leak."""
    for where, text in texts.items():
        for piece in pieces(password):
            if piece in wording:
                continue
            assert piece not in text, f"{piece!r} of the password shows in {where}: {text!r}"
        # Conninfo syntax and quotes are masked whatever the length.
        for form in (f'"{password}"', f"'{password}'", f"={password} ", f":{password}@"):
            assert form not in text, f"{form!r} shows in {where}: {text!r}"


# --- the property -----------------------------------------------------------------


def libpq_error(dsn: str) -> str:
    try:
        psycopg.connect(dsn, connect_timeout=2).close()
        raise AssertionError(f"{dsn!r} connected")
    except psycopg.Error as err:
        return str(err)
    except UnicodeError as err:  # %-escapes not UTF-8; a misread host IDNA cannot encode
        return str(err)


@functools.cache
def libpq_wording(name: str) -> str:
    """libpq's error for the embedding `name` of the placeholder password, redacted."""
    dsn = embeddings(PLACEHOLDER)[name]
    return redact_text(libpq_error(dsn), dsn)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=st.text(alphabet=ALPHABET, min_size=1, max_size=24), junk=st.text())
@example(password="0 file", junk="")  # "file" is also libpq's word: "No such file or directory"
def test_no_password_in_any_redaction_or_real_libpq_error(password: str, junk: str) -> None:
    """For every embedding: the display form and the description do not depend on the
    password at all, and libpq's real error for that DSN, redacted, does not hold it.
    Nor does redaction ever raise, whatever the text (it runs while reporting an error)."""
    for dsn in (junk, junk + password):
        assert isinstance(redact(dsn), str) and isinstance(describe(dsn), dict)
        assert isinstance(redact_text(junk + dsn, dsn), str)
    assume(password != "***")  # the mask itself shows, of course
    assume(not any(password == f or f in password for f in FIELDS))
    assume(not any(len(password) >= _MIN_SCRUB_LEN and password in f for f in FIELDS))
    mine, theirs = embeddings(password), embeddings(PLACEHOLDER)
    for name, dsn in mine.items():
        if name in EXACT:
            assert conninfo_to_dict(dsn)["password"] == password  # the test is about this one
        shown, described = redact(dsn), describe(dsn)
        if name == "keywords plain":
            assert shown == theirs[name].replace(PLACEHOLDER, "***")
        elif name == "uri raw":
            # Read as libpq reads it, or (an unencoded '@', '/', space...) hidden whole.
            untrusted = f"postgresql://***@127.0.0.1:{closed_port()}/t1"
            assert shown in (redact(theirs[name]), untrusted), (dsn, shown)
            assert {k: v for k, v in described.items() if k != "user"} == {
                "host": "127.0.0.1",
                "port": str(closed_port()),
                "dbname": "t1",
                "dsn": shown,
            }
        else:
            assert shown == redact(theirs[name]), (dsn, shown)
            assert described == describe(theirs[name]), (dsn, described)
        # As the command line does: the DSN is resolved (psycopg could not even decode
        # %-escapes that are not UTF-8: a usage error), then the catalog read fails.
        with pytest.raises((UsageError, ConnectError)) as caught:
            read_catalog(resolve_dsn(dsn), connect_timeout_s=2)
        libpq_message = libpq_error(dsn)
        # The display form is proved independent of the password above; what is left
        # of a message once it is taken out must not hold the password either (a
        # password like "pass" is, of course, part of the display's "password=***").
        assert_absent(
            password,
            {
                f"{name}: redact_text": redact_text(libpq_message, dsn),
                f"{name}: the error": str(caught.value).replace(shown, "<shown>"),
            },
            libpq_wording(name),
        )


# --- end to end through the command line -----------------------------------------

HOSTILE = [
    "Pw#Secret77",
    "q'u\"o te?d@/x1",
    "a b&c=d%zz\\9",
    "é€-Sekr1t:/@中",
    "p@ss/w?rd#Z1",
]

SPEC = """\
table: orders
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: note, type: text, nullable: true}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A spec folder, a working directory without configuration, no DSN in the environment."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "orders.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for var in ("SCHEMAVERIFY_DSN", "DATABASE_URL", "PGPASSWORD", "PGHOST", "PGDATABASE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def cli_texts(args: list[str], result: Any) -> dict[str, str]:
    label = " ".join(a if len(a) < 30 else "<dsn>" for a in args)
    return {f"stdout of {label}": result.stdout, f"stderr of {label}": result.stderr}


@pytest.mark.parametrize("password", HOSTILE)
def test_cannot_connect_shows_no_password_in_any_format(project: Path, password: str) -> None:
    forms = embeddings(password)
    texts: dict[str, str] = {}
    for name in ("uri raw", "uri encoded", "keywords quoted"):
        dsn = forms[name]
        for fmt in FORMATS:
            args = ["check", "--dsn", dsn, "--specs", "specs", "--format", fmt]
            result = invoke(*args, "--connect-timeout", "2")
            assert result.exit_code in (2, 3), (name, fmt, result.output, result.stderr)
            if name in ("uri encoded", "keywords quoted"):
                assert result.exit_code == 3 and result.stderr.startswith("cannot connect to ")
            assert "***" in result.stderr
            texts.update(cli_texts([name, fmt], result))
        for args in (["config", "--dsn", dsn], ["config", "--dsn", dsn, "--format", "json"]):
            result = invoke(*args)
            assert result.exit_code == 0, result.output
            assert "***" in result.stdout
            texts.update(cli_texts([name, *args[:1], *args[3:]], result))
        # The same DSN from the environment, as CI sets it.
        for var in ("DATABASE_URL", "SCHEMAVERIFY_DSN"):
            result = invoke("check", "--specs", "specs", "--format", "json", env={var: dsn})
            assert result.exit_code in ((2, 3) if name == "uri raw" else (3,)), result.output
            texts.update(cli_texts([name, var], result))
            result = invoke("config", "--format", "json", env={var: dsn})
            texts.update(cli_texts([name, var, "config"], result))
    assert_absent(password, texts)


def test_the_issue_reproduction(project: Path) -> None:
    """`check --dsn 'postgresql://u:Pw#Secret77@127.0.0.1:55432/t1' --format json`
    printed the password in `source.dsn` (and in the message)."""
    dsn = f"postgresql://u:Pw#Secret77@127.0.0.1:{closed_port()}/t1"
    result = invoke("check", "--dsn", dsn, "--specs", "specs", "--format", "json")
    assert result.exit_code == 3
    assert "Secret77" not in result.stdout + result.stderr
    assert f"postgresql://u:***@127.0.0.1:{closed_port()}/t1" in result.stderr
    result = invoke("config", "--dsn", dsn, "--format", "json")
    assert json.loads(result.stdout)["settings"]["dsn"]["value"] == (
        f"postgresql://u:***@127.0.0.1:{closed_port()}/t1"
    )


# --- success against a real server whose role has a hostile password --------------

SERVER_PASSWORDS = ["Pw#Se?cr'et\"77", "q'u\"o te?d@/x1 é€"]


@pytest.fixture
def hostile_role(db: TestDatabase, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A login role whose password is hostile, and a table it can see, in `db`."""
    password: str = request.param
    role = f"sv_hostile_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        conn.execute("CREATE TABLE orders (id integer PRIMARY KEY, note text)")
    try:
        yield role, password
    finally:
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def server_dsns(db: TestDatabase, role: str, password: str) -> dict[str, str]:
    """The test database as `role`, the password in each form libpq reads exactly."""
    params = conninfo_to_dict(db.dsn)
    host, dbname = str(params["host"]), str(params["dbname"])
    port = f"&port={params['port']}" if params.get("port") else ""
    kv_port = f" port={params['port']}" if params.get("port") else ""
    dsns = {
        "uri encoded": (
            f"postgresql://{role}:{quote(password, safe='')}@/{dbname}?host={quote(host)}{port}"
        ),
        "keywords quoted": (
            f"host='{host}'{kv_port} dbname={dbname} user={role} "
            f"password='{libpq_escape(password)}'"
        ),
    }
    if not any(c in password for c in "@/% "):  # the unencoded form libpq reads right
        dsns["uri raw"] = f"postgresql://{role}:{password}@/{dbname}?host={quote(host)}{port}"
    for dsn in dsns.values():
        assert conninfo_to_dict(dsn)["password"] == password
    return dsns


@pytest.mark.parametrize("hostile_role", SERVER_PASSWORDS, indirect=True)
def test_a_successful_check_shows_no_password(
    project: Path, db: TestDatabase, hostile_role: tuple[str, str], tmp_path: Path
) -> None:
    """The test servers trust local connections, so the password is not checked; what
    matters is that a DSN carrying it reaches no report, header or setting."""
    role, password = hostile_role
    texts: dict[str, str] = {}
    run: Callable[..., Any] = invoke
    for name, dsn in server_dsns(db, role, password).items():
        outputs = [f"--output={fmt}={tmp_path / f'{name}.{fmt}'}" for fmt in FORMATS]
        for fmt in FORMATS:
            args = ["check", "--dsn", dsn, "--specs", "specs", "--format", fmt]
            result = run(*args, *outputs)
            assert result.exit_code == 0, (name, fmt, result.output, result.stderr)
            texts.update(cli_texts([name, fmt], result))
        for fmt in FORMATS:
            texts[f"{name}: --output {fmt}"] = (tmp_path / f"{name}.{fmt}").read_text("utf-8")
        result = run("check", "--dsn", dsn, "--specs", "specs", "--format", "json")
        source = json.loads(result.stdout)["source"]
        assert source["user"] == role and "***" in source["dsn"], source
        for args in (["config", "--dsn", dsn], ["config", "--dsn", dsn, "--format", "json"]):
            result = run(*args)
            assert result.exit_code == 0, result.output
            texts.update(cli_texts([name, *args[:1], *args[3:]], result))
        result = run("snapshot", "--dsn", dsn)
        assert result.exit_code == 0, result.output + result.stderr
        texts.update(cli_texts([name, "snapshot"], result))
    assert_absent(password, texts)
