"""DSN resolution order and password redaction, in every conninfo spelling."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from schemaverify.errors import EXIT_USAGE, UsageError
from schemaverify.sources.dsn import LIBPQ_LOCATION_VARS, describe, redact, redact_text, resolve_dsn

ENV_VARS = ("SCHEMAVERIFY_DSN", "DATABASE_URL", *LIBPQ_LOCATION_VARS, "PGPASSWORD")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


# --- resolution ---------------------------------------------------------------


def test_option_wins_over_every_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SCHEMAVERIFY_DSN", "postgresql://env/a")
    clean_env.setenv("DATABASE_URL", "postgresql://env/b")
    clean_env.setenv("PGHOST", "envhost")
    assert resolve_dsn("postgresql://opt/db") == "postgresql://opt/db"


def test_schemaverify_dsn_before_database_url(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SCHEMAVERIFY_DSN", "postgresql://env/a")
    clean_env.setenv("DATABASE_URL", "postgresql://env/b")
    assert resolve_dsn(None) == "postgresql://env/a"
    clean_env.delenv("SCHEMAVERIFY_DSN")
    assert resolve_dsn(None) == "postgresql://env/b"


def test_empty_values_count_as_unset(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SCHEMAVERIFY_DSN", "  ")
    clean_env.setenv("DATABASE_URL", "postgresql://env/b")
    assert resolve_dsn("") == "postgresql://env/b"


@pytest.mark.parametrize("var", LIBPQ_LOCATION_VARS)
def test_libpq_variables_leave_the_dsn_to_libpq(clean_env: pytest.MonkeyPatch, var: str) -> None:
    clean_env.setenv(var, "x")
    assert resolve_dsn(None) == ""


def test_nothing_configured_is_a_usage_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PGPASSWORD", "only-a-password")  # says nothing about where to connect
    with pytest.raises(UsageError) as caught:
        resolve_dsn(None)
    message = str(caught.value)
    assert "--dsn" in message and "SCHEMAVERIFY_DSN" in message and "DATABASE_URL" in message
    assert caught.value.exit_code == EXIT_USAGE


# --- redaction ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("postgres://app:s3cr%40t@db.example:5432/app", "postgres://app:***@db.example:5432/app"),
        ("postgresql://u:pw@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db"),
        # libpq cannot read an upper-case scheme: untrusted, the userinfo is hidden whole.
        ("POSTGRESQL://u:pw@h1:5432,h2:5433/db", "POSTGRESQL://***@h1:5432,h2:5433/db"),
        # Unencoded '@' or '/' in the password: libpq ends the userinfo at the first
        # one, a human at the last '@'; the readings disagree, so all of it is hidden.
        ("postgresql://u:p@ss@h/db", "postgresql://***@h/db"),
        ("postgresql://u:p/ss@h/db", "postgresql://***@h/db"),
        ("postgresql://u:Pw#Secret77@127.0.0.1:55432/t1", "postgresql://u:***@127.0.0.1:55432/t1"),
        ("postgresql://u:a?b'c\"d@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:Pw Secret@h/db", "postgresql://***@h/db"),  # libpq refuses the space
        (
            "postgresql:///db?host=/run/pg&port=5433&password=pw",
            "postgresql:///db?host=/run/pg&port=5433&password=***",
        ),
        ("postgresql://[::1]:5432/db?password=pw", "postgresql://[::1]:5432/db?password=***"),
        ("postgresql://h/db?application_name=a@b", "postgresql://h/db?application_name=a@b"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db", "postgresql://h/db"),
        (
            "postgresql://u@h/db?sslmode=require&password=pw&application_name=x",
            "postgresql://u@h/db?sslmode=require&password=***&application_name=x",
        ),
        ("postgresql://u:a@h/db?password=b", "postgresql://u:***@h/db?password=***"),
        ("host=h password=pw dbname=d", "host=h password=*** dbname=d"),
        ("host=h password = pw dbname=d", "host=h password=*** dbname=d"),
        ("host=h password='x y' dbname=d", "host=h password=*** dbname=d"),
        (r"host=h password='it\'s x' dbname=d", "host=h password=*** dbname=d"),
        ("password='unterminated host=h", "***"),  # libpq cannot parse it: nothing shown
        ("host=h password=abc def", "***"),
        ("host=h password=a password=b", "host=h password=***"),
        ("user=alice password=alice host=h", "user=*** password=*** host=h"),
        ("host=h sslpassword=k dbname=d", "host=h sslpassword=*** dbname=d"),
        ("host=h dbname=d", "host=h dbname=d"),
        ("", ""),
    ],
)
def test_redact(dsn: str, expected: str) -> None:
    assert redact(dsn) == expected


@pytest.mark.parametrize("junk", ["postgresql://", "password=", "=", "'", "@@@", "\x00", "://:@"])
def test_redact_never_raises(junk: str) -> None:
    assert isinstance(redact(junk), str)
    assert isinstance(redact_text(junk, junk), str)
    assert isinstance(describe(junk), dict)


def test_redact_text_scrubs_echoed_conninfo() -> None:
    dsn = "postgresql://u:hunter22@db.example:5432/app"
    message = (
        f'invalid connection option in "{dsn}": '
        'connection to server at "db.example" failed: password=hunter22 rejected, hunter22!'
    )
    scrubbed = redact_text(message, dsn)
    assert "hunter22" not in scrubbed
    assert "postgresql://u:***@db.example:5432/app" in scrubbed
    assert 'connection to server at "db.example" failed' in scrubbed


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://u:p%40ss%2Fword@h/db",
        "host=h password='sp ace pass'",
        r"host=h password='quo\'tedpass'",
        "postgresql://h/db?password=qp-secret",
    ],
)
def test_redact_text_scrubs_every_spelling_of_the_password(dsn: str) -> None:
    spellings = {
        "postgresql://u:p%40ss%2Fword@h/db": ["p%40ss%2Fword", "p@ss/word"],
        "host=h password='sp ace pass'": ["sp ace pass"],
        r"host=h password='quo\'tedpass'": ["quo'tedpass", r"quo\'tedpass"],
        "postgresql://h/db?password=qp-secret": ["qp-secret"],
    }[dsn]
    text = "failed: " + " / ".join(spellings)
    scrubbed = redact_text(text, dsn)
    for spelling in spellings:
        assert spelling not in scrubbed
    assert scrubbed.startswith("failed: ***")


def test_redact_text_keeps_short_passwords_out_of_free_text() -> None:
    """A 2-letter password is masked in conninfo syntax but does not shred prose."""
    dsn = "postgresql://u:on@h/db"
    scrubbed = redact_text(f"connection to {dsn} failed: connection refused", dsn)
    assert scrubbed == "connection to postgresql://u:***@h/db failed: connection refused"


# --- describe -----------------------------------------------------------------


def test_describe_uri_and_keywords() -> None:
    assert describe("postgresql://app:pw@db.example:6543/prod?sslmode=require") == {
        "host": "db.example",
        "port": "6543",
        "dbname": "prod",
        "user": "app",
        "dsn": "postgresql://app:***@db.example:6543/prod?sslmode=require",
    }
    assert describe("host=h password=pw dbname=d") == {
        "host": "h",
        "dbname": "d",
        "dsn": "host=h password=*** dbname=d",
    }


def test_describe_never_shows_a_password_as_another_field() -> None:
    # libpq reads this malformed URI as host "u", port "p", dbname "ss@h/db".
    info = describe("postgresql://u:p/ss@h/db")
    assert not any("ss" in value for value in info.values())


def test_describe_empty_dsn_reads_libpq_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PGHOST", "envhost")
    clean_env.setenv("PGDATABASE", "envdb")
    clean_env.setenv("PGPASSWORD", "envsecret")
    info = describe("")
    assert info["host"] == "envhost" and info["dbname"] == "envdb"
    assert info["dsn"] == "libpq environment (host=envhost dbname=envdb)"
    assert "envsecret" not in repr(info)


# --- parsed, not patterned ------------------------------------------------------


def _parse_error(dsn: str) -> str:
    """libpq's own message for a DSN it cannot parse (it quotes the text it stumbled on)."""
    with pytest.raises(psycopg.ProgrammingError) as caught:
        conninfo_to_dict(dsn)
    return str(caught.value)


@pytest.mark.parametrize(
    ("dsn", "fragment"),
    [
        ("postgresql://u:Pw Secret77@h/db", "Pw Secret77"),  # unexpected spaces found in "..."
        ("postgresql://u:Pw%zzSecret@h/db", "Pw%zzSecret"),  # invalid percent-encoded token
        ("postgresql://u:Pw/x?sec=ret@h/db", "sec"),  # invalid URI query parameter: "sec"
        ("host=h password=Pw Secret77", "Secret77"),  # missing "=" after "Secret77"
        ("host=h password=Pw ab", "ab"),  # a 2-character piece, quoted: masked all the same
        ("POSTGRESQL://u:Pw-Secret77@h/db", "Pw-Secret77"),  # libpq reads it as key=value
    ],
)
def test_libpq_parse_errors_lose_every_piece_of_the_password(dsn: str, fragment: str) -> None:
    message = _parse_error(dsn)
    assert fragment in message  # libpq does echo it...
    scrubbed = redact_text(message, dsn)
    assert fragment not in scrubbed  # ...and it is gone
    assert "***" in scrubbed
    assert fragment not in redact(dsn) and fragment not in repr(describe(dsn))


def test_a_password_split_by_libpq_at_an_unencoded_at_sign() -> None:
    """libpq reads `u:p@ss...@h` as password "p" and host "ssWord9@h": the host it
    names in its error is a piece of the password, and is masked."""
    dsn = "postgresql://u:p@ssWord9@db.example/app"
    assert conninfo_to_dict(dsn)["host"] == "ssWord9@db.example"
    message = "failed to resolve host 'ssWord9@db.example': Name or service not known"
    scrubbed = redact_text(message, dsn)
    assert "ssWord9" not in scrubbed and scrubbed.endswith("Name or service not known")
    assert describe(dsn) == {"host": "db.example", "dbname": "app", "dsn": redact(dsn)}


def test_libpq_quoted_spelling_is_scrubbed() -> None:
    dsn = r"host=h password='a\\b\'c-long'"
    assert conninfo_to_dict(dsn)["password"] == "a\\b'c-long"
    text = r"conninfo: password='a\\b\'c-long' / a\b'c-long / a%5Cb%27c-long"
    assert redact_text(text, dsn) == "conninfo: password='***' / *** / ***"


def test_short_passwords_are_masked_in_quotes_and_syntax() -> None:
    dsn = "host=h password=on"
    scrubbed = redact_text('running on that host: password=on, "on"', dsn)
    assert scrubbed == 'running on that host: password=***, "***"'


def test_environment_passwords_are_scrubbed(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A password libpq takes from PGPASSWORD, the passfile or a service file never
    shows either, should anything echo it."""
    passfile = tmp_path / "pgpass"
    passfile.write_text("# comment\nh:5432:*:u:from-pass\\:file\n", encoding="utf-8")
    services = tmp_path / "services.conf"
    services.write_text("[prod]\nhost=h\npassword=from-service-file\n", encoding="utf-8")
    clean_env.setenv("PGPASSWORD", "from-environment")
    clean_env.setenv("PGPASSFILE", str(passfile))
    clean_env.setenv("PGSERVICEFILE", str(services))
    text = "from-environment, from-pass:file, from-service-file"
    assert redact_text(text, "host=h service=prod") == "***, ***, ***"
    assert redact_text(text, "") == "***, ***, ***"


def test_redaction_reads_the_passfile_the_dsn_names(tmp_path: Path) -> None:
    passfile = tmp_path / "named"
    passfile.write_text("*:*:*:*:named-file-secret\n", encoding="utf-8")
    dsn = f"host=h passfile={passfile}"
    assert redact_text("named-file-secret", dsn) == "***"


@pytest.mark.parametrize(
    ("dsn", "reason"),
    [
        ("postgresql://u:pw%FF@h/db", "not UTF-8"),
        ("host=h password=pw\x00tail", "NUL"),
    ],
)
def test_a_dsn_psycopg_cannot_decode_is_a_usage_error(
    clean_env: pytest.MonkeyPatch, dsn: str, reason: str
) -> None:
    """Before: psycopg's UnicodeDecodeError escaped as an internal error (exit 4)."""
    with pytest.raises(UsageError) as caught:
        resolve_dsn(dsn)
    assert reason in str(caught.value)
    assert "pw" not in str(caught.value).replace("password", "")
    assert caught.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    "dsn",
    ["postgresql://u:p@ssWord9@db.example/app", "postgresql://u:pa/ssWord9@db.example/app"],
)
def test_a_uri_libpq_would_misread_is_a_usage_error(
    clean_env: pytest.MonkeyPatch, dsn: str
) -> None:
    """Before: libpq connected to the "host" `ssWord9@db.example` (or port `pa`), sending
    a piece of the password to DNS, and the message named it."""
    with pytest.raises(UsageError) as caught:
        resolve_dsn(dsn)
    message = str(caught.value)
    assert "ssWord9" not in message and "percent-encode" in message
    assert message.startswith("the DSN postgresql://***@db.example/app is ambiguous")
    assert resolve_dsn("postgresql://u:p%40ssWord9@db.example/app").endswith("@db.example/app")
