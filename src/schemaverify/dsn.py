"""Which database to read, and how to name it without leaking its password.

A DSN reaches reports, terminal output, CI logs and error messages (libpq and
psycopg echo parts of the conninfo back), so every place that shows one goes
through `redact` or `redact_text`.  Redaction must never raise: it runs while
reporting another error, and a crash there would hide the first one.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping

from psycopg.conninfo import conninfo_to_dict

from .errors import UsageError

MASK = "***"

# libpq variables that say *where* to connect; any of them set means libpq can
# find the database by itself with an empty conninfo.
LIBPQ_LOCATION_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")

_SCHEME = re.compile(r"postgres(?:ql)?://", re.IGNORECASE)
# The userinfo of a URI ends at its last '@' before the query string, so an
# unencoded '@' or '/' typed into a password is still covered (over-masking a
# path with '@' in it is the safe failure).
_URI_USERINFO = re.compile(r"(postgres(?:ql)?://)([^?#\s'\"]*)@", re.IGNORECASE)
_URI_QUERY_PASSWORD = re.compile(r"([?&][A-Za-z_]*password=)([^&#\s'\"]*)", re.IGNORECASE)
_URI_ANYWHERE = re.compile(r"postgres(?:ql)?://[^\s'\"]*", re.IGNORECASE)
# key=value conninfo: a quoted value may hold spaces and backslash escapes; an
# unquoted one runs to the next whitespace (libpq skips blanks after '=').
_KV_PASSWORD = re.compile(
    r"(\b[A-Za-z_]*password\s*=\s*)('(?:\\.|\\$|[^'\\])*'?|[^\s'][^\s]*)",
    re.IGNORECASE | re.DOTALL,
)
# Scrubbing a 1-3 character password out of free text would shred the message
# (every "a" masked) for little protection; such passwords are still masked
# wherever they appear in conninfo syntax.
_MIN_SCRUB_LEN = 4


def resolve_dsn(option: str | None) -> str:
    """The conninfo to use: --dsn, SCHEMAVERIFY_DSN, DATABASE_URL, else libpq's own PG* variables.

    An empty string is returned when only PG* variables are set: libpq reads
    them itself, so passing "" keeps PGPASSWORD and service files working.
    """
    if option is not None and option.strip():
        return option.strip()
    for var in ("SCHEMAVERIFY_DSN", "DATABASE_URL"):
        value = os.environ.get(var, "").strip()
        if value:
            return value
    if any(os.environ.get(var) for var in LIBPQ_LOCATION_VARS):
        return ""
    raise UsageError(
        "no database to check: pass --dsn postgresql://user@host:5432/db, or set "
        "SCHEMAVERIFY_DSN or DATABASE_URL (or libpq's PGHOST/PGDATABASE/PGSERVICE variables), "
        "or use --migrations DIR to check against migrations applied to an embedded PostgreSQL"
    )


def redact(dsn: str) -> str:
    """The DSN with every password replaced by `***` (URI userinfo, ?password=, password=...)."""
    try:
        return _redact_syntax(dsn)
    except Exception:  # never let reporting fail; hide everything rather than leak
        return MASK


def redact_text(text: str, dsn: str) -> str:
    """`text` (typically a driver error message) with the DSN's password scrubbed out.

    The raw DSN is replaced by its redacted form first; then any conninfo
    syntax in the text is redacted; then every remaining occurrence of the
    password itself (plain, percent-encoded or decoded) is masked, because
    libpq messages may quote fragments of the conninfo.
    """
    try:
        if dsn:
            text = text.replace(dsn, redact(dsn))
        text = _redact_syntax(text, anywhere=True)
        for secret in sorted(_passwords(dsn), key=len, reverse=True):
            if len(secret) >= _MIN_SCRUB_LEN:
                text = text.replace(secret, MASK)
        return text
    except Exception:
        return MASK


def describe(dsn: str) -> dict[str, str]:
    """Where the catalog comes from, for reports: host, port, dbname, user and the redacted DSN.

    Only known values are included.  An empty DSN means libpq's environment,
    so the description is built from the PG* variables.
    """
    params: Mapping[str, str]
    if dsn:
        # Parse the redacted text, not the DSN: on a malformed DSN libpq may
        # read part of a password as a host or database name.
        try:
            parsed = conninfo_to_dict(redact(dsn))
            params = {k: v for k, v in parsed.items() if isinstance(v, str)}
        except Exception:
            params = {}
    else:
        params = {
            key: os.environ[var]
            for key, var in (
                ("host", "PGHOST"),
                ("hostaddr", "PGHOSTADDR"),
                ("port", "PGPORT"),
                ("dbname", "PGDATABASE"),
                ("user", "PGUSER"),
                ("service", "PGSERVICE"),
            )
            if os.environ.get(var)
        }
    info: dict[str, str] = {}
    host = params.get("host") or params.get("hostaddr")
    if host:
        info["host"] = host
    for key in ("port", "dbname", "user"):
        if params.get(key):
            info[key] = params[key]
    if dsn:
        info["dsn"] = redact(dsn)
    else:
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        info["dsn"] = f"libpq environment ({shown})" if shown else "libpq environment"
    return info


def _redact_syntax(text: str, anywhere: bool = False) -> str:
    """Mask passwords where conninfo syntax marks them.

    A string starting with a URI scheme is a URI (its query may carry
    `password=`); anything else is key=value conninfo.  With `anywhere`, URIs
    embedded in free text are redacted as URIs and the rest as key=value text.
    """
    if not anywhere:
        if _SCHEME.match(text.lstrip()):
            return _redact_uri(text)
        return _redact_keywords(text)
    parts: list[str] = []
    end = 0
    for match in _URI_ANYWHERE.finditer(text):
        parts.append(_redact_keywords(text[end : match.start()]))
        parts.append(_redact_uri(match.group(0)))
        end = match.end()
    parts.append(_redact_keywords(text[end:]))
    return "".join(parts)


def _redact_keywords(text: str) -> str:
    return _KV_PASSWORD.sub(lambda m: m.group(1) + MASK, text)


def _redact_uri(uri: str) -> str:
    def userinfo(match: re.Match[str]) -> str:
        user, colon, _password = match.group(2).partition(":")
        return match.group(1) + user + (colon + MASK if colon else "") + "@"

    uri = _URI_USERINFO.sub(userinfo, uri, count=1)
    return _URI_QUERY_PASSWORD.sub(lambda m: m.group(1) + MASK, uri)


def _passwords(dsn: str) -> set[str]:
    """Every spelling of every password the DSN carries (libpq's view and the raw text)."""
    found: set[str] = set()
    if not dsn:
        return found
    try:
        parsed = conninfo_to_dict(dsn)
    except Exception:
        parsed = {}
    for key, value in parsed.items():
        if "password" in key and isinstance(value, str) and value:
            found.add(value)
    for match in _URI_USERINFO.finditer(dsn):
        _user, colon, password = match.group(2).partition(":")
        if colon and password:
            found.add(password)
    for match in _URI_QUERY_PASSWORD.finditer(dsn):
        if match.group(2):
            found.add(match.group(2))
    for match in _KV_PASSWORD.finditer(dsn):
        value = match.group(2)
        if value.startswith("'"):
            value = value[1:-1] if value.endswith("'") and len(value) > 1 else value[1:]
            found.add(value)
            value = re.sub(r"\\(.)", r"\1", value)
        if value:
            found.add(value)
    for value in list(found):
        found.add(urllib.parse.unquote(value))
        found.add(urllib.parse.quote(value, safe=""))
    found.discard("")
    return found
