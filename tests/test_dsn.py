"""DSN resolution order and password redaction, in every conninfo spelling."""

from __future__ import annotations

import pytest

from schemaverify.dsn import LIBPQ_LOCATION_VARS, describe, redact, redact_text, resolve_dsn
from schemaverify.errors import EXIT_USAGE, UsageError

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
        ("POSTGRESQL://u:pw@h1:5432,h2:5433/db", "POSTGRESQL://u:***@h1:5432,h2:5433/db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),  # unencoded '@' in the password
        ("postgresql://u:p/ss@h/db", "postgresql://u:***@h/db"),  # unencoded '/'
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db", "postgresql://h/db"),
        (
            "postgresql://u@h/db?sslmode=require&password=pw&application_name=x",
            "postgresql://u@h/db?sslmode=require&password=***&application_name=x",
        ),
        ("postgresql://u:a@h/db?password=b", "postgresql://u:***@h/db?password=***"),
        ("host=h password=pw dbname=d", "host=h password=*** dbname=d"),
        ("host=h password = pw dbname=d", "host=h password = *** dbname=d"),
        ("host=h password='x y' dbname=d", "host=h password=*** dbname=d"),
        (r"host=h password='it\'s x' dbname=d", "host=h password=*** dbname=d"),
        ("password='unterminated host=h", "password=***"),
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
