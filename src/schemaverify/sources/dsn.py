"""Which database to read, and how to name it without leaking its password.

A DSN reaches reports, terminal output, CI logs and error messages (libpq and
psycopg echo parts of the conninfo back), so every place that shows one goes
through `redact` or `redact_text`.  Redaction must never raise: it runs while
reporting another error, and a crash there would hide the first one.

Passwords are found by parsing, never by matching a pattern against the text:
libpq's own parser (`conninfo_to_dict`, i.e. PQconninfoParse) says what libpq
will use, and the display form is rebuilt from the parsed parameters with every
secret replaced by `***`.  A URI has a second plausible reading, because people
type `@`, `/` or `?` into a password unencoded: libpq ends the userinfo at the
first `@` or `/`, a human ends it at the last `@` before the host.  Both
readings are taken; when they disagree, or libpq cannot parse the DSN at all,
the DSN is *untrusted*: everything that might be part of a password (the whole
userinfo, every value libpq read differently, every quoted fragment of the DSN
that libpq echoes in its error) is masked.  Over-masking is the safe failure.
"""

from __future__ import annotations

import itertools
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from schemaverify.errors import UsageError

MASK = "***"

# libpq variables that say *where* to connect; any of them set means libpq can
# find the database by itself with an empty conninfo.
LIBPQ_LOCATION_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")

# A password shorter than this is masked wherever it stands in conninfo syntax or in
# quotes (`"pw"`, `'pw'`, `=pw`, `:pw@`), which is how libpq and psycopg echo values,
# but not as a bare substring of free text: masking every "on" or "a" in a message
# would destroy it, and a 1-3 character password (at most 95^3, under a million
# candidates) protects nothing that hiding it in prose could save.
_MIN_SCRUB_LEN = 4

_URI_SCHEMES = ("postgresql://", "postgres://")
# Keys that never belong in a display form whatever libpq version adds them.
_SECRET_WORDS = ("password", "secret", "token")
# Conventional order of the key=value display for keys that are not in the DSN text.
_KV_FIRST = ("host", "hostaddr", "port", "dbname", "user", "password")
_FILE_LIMIT = 1 << 20  # bytes read from a passfile or service file to learn its secrets
_QUOTES_LIMIT = 256  # quote characters examined in one untrusted error message


def resolve_dsn(option: str | None) -> str:
    """The conninfo to use: --dsn, SCHEMAVERIFY_DSN, DATABASE_URL, else libpq's own PG* variables.

    An empty string is returned when only PG* variables are set: libpq reads
    them itself, so passing "" keeps PGPASSWORD and service files working.
    A DSN libpq could never use (a NUL, percent-escapes that are not UTF-8,
    which psycopg cannot even decode, or any text libpq's parser refuses) is
    bad input, refused here with its redacted form (exit 2) rather than failing
    later as "cannot connect" (exit 3) or with a traceback; so is a URI
    libpq would read differently from a human (an unencoded '@' or '/' in the
    password), which would connect to a "host" made of part of the password.
    """
    dsn = _configured_dsn(option)
    if "\x00" in dsn:
        raise UsageError(f"the DSN {redact(dsn)} contains a NUL character")
    try:
        conninfo_to_dict(dsn)
    except UnicodeDecodeError:
        raise UsageError(
            f"the DSN {redact(dsn)} is not valid: a percent-encoded value is not UTF-8"
        ) from None
    except Exception as err:  # libpq's own parse error: the text, not the database, is wrong
        raise UsageError(malformed(dsn, err)) from None
    if _read(dsn).misread:
        # Connecting would send pieces of the password to DNS as a host name.
        raise UsageError(
            f"the DSN {redact(dsn)} is ambiguous: libpq ends the user name and password at "
            "the first @ or / and would read the rest of the password as the host, port "
            "or database; percent-encode @ as %40 and / as %2F in the password"
        )
    return dsn


def malformed(dsn: str, err: BaseException) -> str:
    """The one line for a DSN libpq refuses to parse (`postgres//oops`): a usage error.

    No connection was tried, so it is not "cannot connect" (exit 3): retrying would never
    help, the text must change.  libpq quotes the piece it stumbled on, which may be a
    piece of a password, so its message is scrubbed like any other (`redact_text`)."""
    lines = [" ".join(line.split()) for line in str(err).splitlines() if line.strip()]
    reason = redact_text("; ".join(lines), dsn) or type(err).__name__
    return (
        f"the DSN {redact(dsn)} is not valid: {reason} (a DSN is "
        "postgresql://user@host:5432/db or key=value pairs: host=... dbname=...)"
    )


def _configured_dsn(option: str | None) -> str:
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
    """The DSN as it may be shown: rebuilt from its parsed parameters, secrets as `***`.

    A DSN in which no reading finds any password is returned unchanged, so
    callers can still tell "has a password" by `redact(dsn) != dsn`.
    """
    try:
        return _read(dsn).shown
    except Exception:  # never let reporting fail; hide everything rather than leak
        return MASK


def redact_text(text: str, dsn: str) -> str:
    """`text` (typically a driver error message) with every password of `dsn` scrubbed out.

    The DSN itself is replaced by its display form; then every spelling of
    every secret (raw, percent-encoded and decoded, libpq-quoted) is masked:
    everywhere when it is at least `_MIN_SCRUB_LEN` long, in quotes and
    conninfo syntax when shorter.  Secrets also come from the environment
    libpq reads: PGPASSWORD, the passfile and the service files.  For an
    untrusted DSN every quoted fragment of the DSN (libpq's parse errors quote
    the offending text) and every value libpq read differently is masked too.
    """
    try:
        reading = _read(dsn)
        stripped = dsn.strip()
        for shown in sorted({dsn, stripped} - {""}, key=len, reverse=True):
            text = text.replace(shown, reading.shown)
        secrets = set(reading.secrets) | _ambient_secrets(reading.passfile)
        text = _scrub(text, _spellings(secrets))
        if not reading.trusted:
            text = _scrub_fragments(text, reading.fragments)
            text = _scrub_quoted(text, stripped)
        return text
    except Exception:
        return MASK


def describe(dsn: str) -> dict[str, str]:
    """Where the catalog comes from, for reports: host, port, dbname, user and the redacted DSN.

    Only known values are included, and only values that cannot be part of a
    password.  An empty DSN means libpq's environment, so the description is
    built from the PG* variables.
    """
    params: Mapping[str, str]
    if dsn.strip():
        try:
            reading = _read(dsn)
            params, shown = reading.params, reading.shown
        except Exception:
            params, shown = {}, MASK
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
        listed = " ".join(f"{k}={v}" for k, v in params.items())
        shown = f"libpq environment ({listed})" if listed else "libpq environment"
    info: dict[str, str] = {}
    host = params.get("host") or params.get("hostaddr")
    if host and host != MASK:
        info["host"] = host
    for key in ("port", "dbname", "user"):
        value = params.get(key)
        if value and value != MASK:
            info[key] = value
    info["dsn"] = shown
    return info


# --- reading a DSN ----------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What a DSN may show and what it hides.

    `params` are the values safe to show (secrets and suspect values already
    masked); `secrets` every password value any reading found; `fragments` the
    values libpq read where the other reading saw (part of) a userinfo;
    `trusted` is false when libpq could not parse the DSN or read it otherwise.
    """

    shown: str
    params: Mapping[str, str]
    secrets: frozenset[str]
    fragments: frozenset[str] = frozenset()
    trusted: bool = True
    passfile: str | None = None
    misread: bool = False  # libpq parses it, but not as the userinfo running to the last '@'


def _read(dsn: str) -> _Reading:
    text = dsn.strip()
    if not text:
        return _Reading(shown=dsn, params={}, secrets=frozenset())
    if text[:13].lower().startswith(_URI_SCHEMES):
        return _read_uri(dsn, text)
    return _read_keywords(dsn, text)


def _libpq(conninfo: str) -> dict[str, str] | None:
    """libpq's reading (PQconninfoParse), or None when it refuses the text.

    A NUL ends the string for libpq, so a DSN holding one is not read at all:
    what follows it would be invisible to the parser and shown raw otherwise.
    """
    if "\x00" in conninfo:
        return None
    try:
        parsed = conninfo_to_dict(conninfo)
    except Exception:  # parse error, or percent-escapes that are not UTF-8
        return None
    return {k: v for k, v in parsed.items() if isinstance(v, str)}


def _is_secret_key(key: str) -> bool:
    key = key.lower()
    return any(word in key for word in _SECRET_WORDS)


def _secret_values(params: Mapping[str, str] | None) -> set[str]:
    if not params:
        return set()
    return {v for k, v in params.items() if _is_secret_key(k) and v}


def _read_keywords(dsn: str, text: str) -> _Reading:
    """key=value conninfo: libpq's reading, cross-checked against libpq's grammar.

    The grammar (mirrored in `_keyword_pairs`) yields every occurrence, so a
    password given twice is known twice although libpq keeps only the last.
    Any disagreement, or a parse error, shows nothing but `***`.
    """
    parsed = _libpq(dsn)
    pairs = _keyword_pairs(text)
    secrets = {v for k, v in pairs or () if _is_secret_key(k) and v} | _secret_values(parsed)
    if parsed is None and not any(c in text for c in "=@:"):
        # A bare word (`production`): no reading, URI or key=value, finds a password in it.
        return _Reading(shown=dsn, params={}, secrets=frozenset(), trusted=False)
    if parsed is None or pairs is None or dict(pairs) != parsed:
        return _Reading(shown=MASK, params={}, secrets=frozenset(secrets), trusted=False)
    passfile = parsed.get("passfile")
    if not secrets:
        return _Reading(shown=dsn, params=parsed, secrets=frozenset(), passfile=passfile)
    safe = _masked(parsed, secrets)
    order = list(dict.fromkeys([k for k, _ in pairs]))
    shown = " ".join(f"{key}={_kv_quote(safe[key])}" for key in order)
    return _Reading(shown=shown, params=safe, secrets=frozenset(secrets), passfile=passfile)


def _keyword_pairs(text: str) -> list[tuple[str, str]] | None:
    """(keyword, value) in order, as libpq's conninfo_parse reads them; None where it would fail."""
    pairs: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return pairs
        start = i
        while i < n and text[i] != "=" and not text[i].isspace():
            i += 1
        key = text[start:i]
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            return None
        i += 1
        while i < n and text[i].isspace():
            i += 1
        value: list[str] = []
        if i < n and text[i] == "'":
            i += 1
            while True:
                if i >= n:
                    return None  # unterminated quoted string
                if text[i] == "\\":
                    i += 1
                    if i < n:
                        value.append(text[i])
                        i += 1
                elif text[i] == "'":
                    i += 1
                    break
                else:
                    value.append(text[i])
                    i += 1
        else:
            while i < n and not text[i].isspace():
                if text[i] == "\\":
                    i += 1
                    if i < n:
                        value.append(text[i])
                        i += 1
                else:
                    value.append(text[i])
                    i += 1
        pairs.append((key, "".join(value)))


def _read_uri(dsn: str, text: str) -> _Reading:
    """A URI, read twice: by libpq, and with the userinfo running to the last `@`."""
    scheme, _, body = text.partition("://")
    at = body.rfind("@")
    userinfo, rest = (body[:at], body[at + 1 :]) if at >= 0 else (None, body)
    secrets: set[str] = set()
    user: str | None = None
    password: str | None = None
    if userinfo is not None:
        raw_user, colon, raw_password = userinfo.partition(":")
        user = urllib.parse.unquote(raw_user) if raw_user else None
        if colon and raw_password:
            password = urllib.parse.unquote(raw_password)
            secrets |= {raw_password, password}
    # libpq's own userinfo ends at the first '@' or '/': whatever it reads as a
    # password there is a secret too, even when ?password= overrides it.
    end = next((i for i, c in enumerate(body) if c in "@/"), len(body))
    if end < len(body) and body[end] == "@":
        _, colon, first_password = body[:end].partition(":")
        if colon and first_password:
            secrets |= {first_password, urllib.parse.unquote(first_password)}
    parsed = _libpq(dsn)
    secrets |= _secret_values(parsed)
    rest_params = _libpq("postgresql://" + rest)
    secrets |= _secret_values(rest_params)
    query = _query_pairs(rest)
    secrets |= {v for k, v in query if _is_secret_key(k) and v}
    secrets.discard("")
    expected: dict[str, str] = {}
    if user:
        expected["user"] = user
    if password:
        expected["password"] = password
    expected.update(rest_params or {})
    trusted = parsed is not None and rest_params is not None and parsed == expected
    passfile = (parsed or {}).get("passfile")
    if parsed is not None and not secrets:
        # No reading finds a password (`?application_name=a@b` puts the last '@' in
        # the query): libpq's reading is all there is to show.
        return _Reading(shown=dsn, params=parsed, secrets=frozenset(), passfile=passfile)
    if trusted:
        assert rest_params is not None
        safe_user = _masked({"user": user}, secrets)["user"] if user else None
        safe = _masked(expected, secrets)
        order = [k for k, _ in query]
        shown = _uri(scheme, safe_user, password is not None, _masked(rest_params, secrets), order)
        return _Reading(shown=shown, params=safe, secrets=frozenset(secrets), passfile=passfile)
    # Untrusted: nothing before the last '@' is shown, and nothing after it that could
    # be a piece of a password.
    fragments = frozenset(
        v for k, v in (parsed or {}).items() if v and expected.get(k) != v and v != MASK
    )
    if rest_params is None:
        return _Reading(
            shown=f"{scheme}://{MASK}",
            params={},
            secrets=frozenset(secrets),
            fragments=fragments,
            trusted=False,
        )
    safe = _masked(rest_params, secrets, suspicious=at >= 0)
    safe = {k: (MASK if v in fragments else v) for k, v in safe.items()}
    shown = _uri(scheme, None, False, safe, [k for k, _ in query], userinfo_mask=at >= 0)
    return _Reading(
        shown=shown,
        params=safe,
        secrets=frozenset(secrets),
        fragments=fragments,
        trusted=False,
        misread=parsed is not None,
    )


def _query_pairs(rest: str) -> list[tuple[str, str]]:
    """The query parameters after the host, in order, percent-decoded as libpq decodes them."""
    _, question, query = rest.partition("?")
    if not question:
        return []
    pairs = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        pairs.append((urllib.parse.unquote(key), urllib.parse.unquote(value)))
    return pairs


def _masked(
    params: Mapping[str, str], secrets: Iterable[str], *, suspicious: bool = False
) -> dict[str, str]:
    """`params` with secret keys, and values holding (or, if suspicious, inside) a secret, masked.

    A user named like the password, or a host that is a piece of a password
    libpq split at an unencoded '@', must not show it either.
    """
    secrets = [s for s in secrets if s]
    out: dict[str, str] = {}
    for key, value in params.items():
        hides = _is_secret_key(key) and bool(value)
        hides = hides or any(
            value == s or (len(s) >= _MIN_SCRUB_LEN and s in value) for s in secrets
        )
        if suspicious and value:
            hides = hides or any(value in s for s in secrets)
        out[key] = MASK if hides else value
    return out


def _uri(
    scheme: str,
    user: str | None,
    has_password: bool,
    params: Mapping[str, str],
    order: Iterable[str],
    *,
    userinfo_mask: bool = False,
) -> str:
    """A URI libpq reads as `params` (plus the user and a masked password)."""
    rest = dict(params)
    netloc = ""
    if userinfo_mask:
        netloc = f"{MASK}@"
    elif user is not None or has_password:
        shown_user = user if user == MASK else urllib.parse.quote(user or "", safe="")
        netloc = shown_user + (f":{MASK}" if has_password else "") + "@"
    hosts = rest.get("host")
    ports = rest.get("port")
    hostpart = ""
    if hosts is not None:
        host_list = hosts.split(",")
        port_list = ports.split(",") if ports is not None else [""] * len(host_list)
        if len(port_list) == len(host_list) and all(map(_netloc_host, host_list)):
            hostpart = ",".join(
                (f"[{h}]" if ":" in h else h) + (f":{urllib.parse.quote(p, safe='')}" if p else "")
                for h, p in zip(host_list, port_list, strict=True)
            )
            rest.pop("host")
            rest.pop("port", None)
    dbname = rest.pop("dbname", None)
    path = "/" + urllib.parse.quote(dbname, safe="") if dbname is not None else ""
    keys = [k for k in dict.fromkeys(itertools.chain(order, rest)) if k in rest]
    if "host" in keys and "port" in keys:  # a socket directory: keep host and port together
        keys.remove("port")
        keys.insert(keys.index("host") + 1, "port")
    query = "&".join(
        f"{urllib.parse.quote(k, safe='')}="
        + (
            MASK
            if rest[k] == MASK or _is_secret_key(k)
            else urllib.parse.quote(rest[k], safe="/:,")
        )
        for k in keys
    )
    return f"{scheme}://{netloc}{hostpart}{path}" + (f"?{query}" if query else "")


def _netloc_host(host: str) -> bool:
    """Whether the host can stand in the URI's netloc as it is (else it goes in ?host=)."""
    return bool(host) and host != MASK and all(c.isalnum() or c in "-._~:" for c in host)


def _kv_quote(value: str) -> str:
    if value and not any(c.isspace() or c in "'\\" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --- scrubbing free text ----------------------------------------------------------


def _spellings(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may be written: raw, percent-encoded, percent-decoded,
    libpq-quoted with backslashes; longest first, so a longer spelling is masked whole."""
    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        decoded = urllib.parse.unquote(secret)
        for value in (secret, decoded):
            found |= {
                value,
                urllib.parse.quote(value, safe=""),
                urllib.parse.quote(value),
                urllib.parse.quote_plus(value),
                value.replace("\\", "\\\\").replace("'", "\\'"),
                repr(value)[1:-1],  # psycopg names a host with {host!r}
                ascii(value)[1:-1],
                " ".join(value.split()),  # messages are put on one line, blanks collapsed
            }
    found.discard("")
    return sorted(found, key=len, reverse=True)


def _scrub(text: str, spellings: Iterable[str]) -> str:
    for spelling in spellings:
        if len(spelling) >= _MIN_SCRUB_LEN:
            while spelling in text:  # a replacement may join pieces into the secret again
                text = text.replace(spelling, MASK)
        else:
            text = _scrub_delimited(text, spelling, quoted_only=True)
    return text


def _scrub_delimited(text: str, value: str, *, quoted_only: bool) -> str:
    """Mask `value` where it stands whole: in quotes, after `=` or between `:` and `@`;
    unless `quoted_only`, also as a word of its own."""
    escaped = re.escape(value)
    for quote in ('"', "'"):
        text = text.replace(quote + value + quote, quote + MASK + quote)
    text = re.sub(rf"(?<=[=:]){escaped}(?=[\s&'\"@,;)]|$)", MASK, text)
    if not quoted_only:
        text = re.sub(rf"(?<!\w){escaped}(?!\w)", MASK, text)
    return text


def _scrub_fragments(text: str, fragments: Iterable[str]) -> str:
    for fragment in _spellings(fragments):
        if len(fragment) >= _MIN_SCRUB_LEN:
            text = text.replace(fragment, MASK)
        else:
            text = _scrub_delimited(text, fragment, quoted_only=False)
    return text


def _scrub_quoted(text: str, dsn: str) -> str:
    """Mask every quoted span of `text` whose content is a piece of the DSN.

    libpq's parse errors quote the text they stumbled on (`unexpected spaces
    found in "Pw #1"`, `missing "=" after "word"`), which may be any piece of
    a password, even one holding a quote character: every pairing of quotes is
    tried.  The lone `"="` libpq's messages name is left alone.
    """
    if not dsn:
        return text
    texts = (dsn, urllib.parse.unquote(dsn), " ".join(dsn.split()))
    spans: list[tuple[int, int]] = []
    for quote in ('"', "'"):
        positions = [i for i, c in enumerate(text) if c == quote][:_QUOTES_LIMIT]
        for a, b in itertools.combinations(positions, 2):
            inner = text[a + 1 : b]
            unescaped = inner.replace("\\\\", "\\")  # as repr() shows a backslash
            if inner and inner != "=" and any(t in d for t in (inner, unescaped) for d in texts):
                spans.append((a + 1, b))
    if len(spans) == 0:
        return text
    merged: list[list[int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    out, last = [], 0
    for start, stop in merged:
        out += [text[last:start], MASK]
        last = stop
    out.append(text[last:])
    return "".join(out)


def _ambient_secrets(passfile: str | None) -> set[str]:
    """Passwords libpq may take from the environment rather than the DSN.

    PGPASSWORD, every password in the passfile (`passfile=`, PGPASSFILE or
    ~/.pgpass) and in the service files: libpq does not echo them, but a
    server or a wrapper might, and masking one too many costs nothing.
    """
    found: set[str] = set()
    for var in ("PGPASSWORD", "PGSSLPASSWORD"):
        value = os.environ.get(var)
        if value:
            found.add(value)
    home = Path(os.environ.get("HOME") or "~").expanduser()
    pass_path = passfile or os.environ.get("PGPASSFILE") or str(home / ".pgpass")
    for line in _lines(pass_path):
        if line.startswith("#"):
            continue
        fields: list[str] = []
        field: list[str] = []
        escaped = False
        for c in line:
            if escaped:
                field.append(c)
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == ":" and len(fields) < 4:
                fields.append("".join(field))
                field = []
            else:
                field.append(c)
        if len(fields) == 4 and field:
            found.add("".join(field))
    service_files = [os.environ.get("PGSERVICEFILE") or str(home / ".pg_service.conf")]
    if os.environ.get("PGSYSCONFDIR"):
        service_files.append(str(Path(os.environ["PGSYSCONFDIR"]) / "pg_service.conf"))
    for path in service_files:
        for line in _lines(path):
            key, equals, value = line.partition("=")
            if equals and _is_secret_key(key.strip()) and value.strip():
                found.add(value.strip())
    return found


def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return [line.rstrip("\r\n") for line in handle.read(_FILE_LIMIT).splitlines()]
    except (OSError, ValueError):
        return []
