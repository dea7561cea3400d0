"""The Supabase preset's SQL, generated from one declarative description per platform component.

Hosted Supabase is several services that each own part of the database
(GoTrue owns `auth`, storage-api owns `storage`, Realtime owns `realtime`, the
CLI owns `supabase_migrations`, ...), each versioned on its own.  Writing the
preset as one hand-kept SQL file made every one of them drift silently; here
each component is a YAML file under `supabase/` that names the release it
follows, lists its roles, schemas, types, tables, functions, grants and default
privileges as data, and keeps as SQL text only what is truly procedural
(function bodies, column definitions).  The generator is pure and
deterministic: the same files give byte-identical SQL, which matters because
that text is part of the cached cluster's key.

A description is package data, not user input, but it is still checked
strictly: an unknown key, a wrong type or a duplicate name is a bug in
schemaverify, reported with the file and the path inside it, never applied as
half a preset.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

COMPONENTS = (
    # Dependency order: roles before everything that grants to them, the extensions
    # schema (and the event trigger functions living there) before the components
    # that use it, auth before what references auth.users.
    "roles",
    "database",
    "extensions",
    "auth",
    "storage",
    "realtime",
    "graphql",
    "pgbouncer",
    "supabase_functions",
    "supabase_migrations",
)
"""Every component, in the order its SQL is emitted; each is `supabase/<name>.yaml`."""

GRANT_MODES = ("current", "legacy")
"""How a project grants new public tables to the API roles: `current` (Supabase's default for
projects created since 30 May 2026, and for every project since 30 October 2026: no automatic
grants) or `legacy` (select, insert, update, delete and more to anon, authenticated and
service_role on creation).  A `default_privileges` entry with `grants: legacy` is emitted in
legacy mode only."""

_PLAIN = re.compile(r"[a-z_][a-z0-9_]*\Z")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# Keywords PostgreSQL reserves (or reserves as function names) that the components use or
# might: an identifier spelled like one is quoted, as pg_dump does.
# fmt: off
_RESERVED = frozenset((
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "both", "case", "cast", "check", "collate", "column", "constraint",
    "create", "current_catalog", "current_date", "current_role", "current_time",
    "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
    "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group",
    "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit",
    "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order",
    "placing", "primary", "references", "returning", "select", "session_user", "some",
    "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
    "unique", "user", "using", "variadic", "when", "where", "window", "with",
))
# fmt: on
_PRIVILEGED_SETTINGS = frozenset({"session_preload_libraries", "shared_preload_libraries"})


class DescriptionError(ValueError):
    """A platform description is malformed: a bug in schemaverify, named by file and path."""


@dataclass(frozen=True)
class Component:
    """One platform component as described: its name, the release it follows, its SQL."""

    name: str
    follows: str
    sources: tuple[str, ...]
    sql: str


@dataclass(frozen=True)
class Installed:
    """An extension a new hosted project has enabled, and how the preset creates it."""

    name: str
    schema: str
    fixed_schema: bool
    """The control file names the schema (and creates it): no WITH SCHEMA clause."""
    shim: bool
    """A schemaverify stand-in: created only once its script ships."""


@dataclass(frozen=True)
class ExtensionPlan:
    """What the extensions component says about extensions (for the README and the tests)."""

    installed: tuple[Installed, ...]
    """Each extension a new hosted project has enabled."""
    available: tuple[str, ...]
    """Every extension a hosted project can enable."""
    forced_schema: tuple[tuple[str, str], ...]
    """(name, schema) where Supabase moves an extension whatever WITH SCHEMA says."""
    refused: tuple[str, ...]
    """Available on Supabase and in the build, refused to the migration role on purpose."""


def ident(name: str) -> str:
    """An SQL identifier, quoted only when it has to be (as pg_dump writes them)."""
    if _PLAIN.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """An SQL string literal (standard_conforming_strings is always on in PostgreSQL 18)."""
    return "'" + value.replace("'", "''") + "'"


class _Reader:
    """Typed access to one parsed description, naming the path of whatever is wrong."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, what: str) -> DescriptionError:
        return DescriptionError(f"presets/supabase/{self.file}: {where}: {what}")

    def mapping(self, value: object, where: str, keys: Iterable[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping")
        allowed = set(keys)
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(where, f"unknown key {key!r}")
        return value

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value

    def name(self, value: object, where: str) -> str:
        text = self.text(value, where)
        if not _NAME.match(text) or len(text) > 63:
            raise self.fail(where, f"{text!r} is not a valid name")
        return text

    def names(self, value: object, where: str) -> list[str]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of names")
        return [self.name(item, f"{where}[{i}]") for i, item in enumerate(value)]

    def items(self, value: object, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, "expected a list")
        return value

    def flag(self, value: object, where: str, default: bool = False) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(where, "expected true or false")
        return value

    def settings(self, value: object, where: str) -> list[tuple[str, str]]:
        if value is None:
            return []
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping of settings")
        out: list[tuple[str, str]] = []
        for key, setting in value.items():
            key = self.name(key, where)
            if key in _PRIVILEGED_SETTINGS:
                raise self.fail(f"{where}.{key}", "loads a library this build does not have")
            if not isinstance(setting, str):
                raise self.fail(f"{where}.{key}", "expected a string value")
            out.append((key, setting))
        return out


def _split_args(args: str) -> list[str]:
    """Top-level comma-separated parts of an argument list (quotes and parentheses kept whole)."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(args):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(args[start:i])
            start = i + 1
    parts.append(args[start:])
    return [part.strip() for part in parts if part.strip()]


def identity_args(args: str) -> str:
    """An argument list without its defaults: what ALTER, COMMENT and GRANT name a function by."""
    return ", ".join(
        re.split(r"\s+DEFAULT\s+|\s*=\s*", part, maxsplit=1, flags=re.IGNORECASE)[0]
        for part in _split_args(args)
    )


def _qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def _grant_lines(
    r: _Reader, grants: object, target: str, where: str, *, revoke_public: bool = False
) -> list[str]:
    lines = [f"REVOKE ALL ON {target} FROM PUBLIC;"] if revoke_public else []
    for i, raw in enumerate(r.items(grants, where)):
        at = f"{where}[{i}]"
        grant = r.mapping(raw, at, ("privileges", "to", "grant_option"))
        privileges = r.text(grant.get("privileges"), f"{at}.privileges")
        if not re.fullmatch(r"[A-Z]+( [A-Z]+)?(, [A-Z]+( [A-Z]+)?)*", privileges):
            raise r.fail(f"{at}.privileges", f"{privileges!r} is not a privilege list")
        roles = ", ".join(ident(role) for role in r.names(grant.get("to"), f"{at}.to"))
        option = " WITH GRANT OPTION" if r.flag(grant.get("grant_option"), at) else ""
        lines.append(f"GRANT {privileges} ON {target} TO {roles}{option};")
    return lines


def _comment(kind: str, target: str, text: object) -> list[str]:
    if text is None:
        return []
    return [f"COMMENT ON {kind} {target} IS {literal(str(text))};"]


class _Generator:
    """Turns one parsed description into SQL, section by section, in a fixed order."""

    def __init__(self, file: str, data: Mapping[str, Any], grants: str = "current") -> None:
        self.r = _Reader(file)
        self.data = data
        self.grants = grants
        self.out: list[str] = []
        self.seen: set[tuple[str, str]] = set()
        raw = data.get("extensions")
        self.plan = None if raw is None else _extension_plan(self.r, raw)

    def unique(self, kind: str, name: str, where: str) -> None:
        if (kind, name) in self.seen:
            raise self.r.fail(where, f"{kind} {name} is described twice")
        self.seen.add((kind, name))

    def section(self, title: str, lines: Sequence[str]) -> None:
        if lines:
            self.out.append(f"-- {title}")
            self.out.extend(lines)
            self.out.append("")

    def roles(self) -> None:
        r, lines = self.r, []
        for i, raw in enumerate(r.items(self.data.get("roles"), "roles")):
            at = f"roles[{i}]"
            role = r.mapping(raw, at, ("name", "attributes", "settings", "comment"))
            name = r.name(role.get("name"), f"{at}.name")
            self.unique("role", name, at)
            attributes = r.text(role.get("attributes"), f"{at}.attributes")
            if not re.fullmatch(r"[A-Z]+( [A-Z]+)*", attributes):
                raise r.fail(f"{at}.attributes", f"{attributes!r} is not a list of role options")
            lines.append(f"CREATE ROLE {ident(name)} WITH {attributes};")
            for key, value in r.settings(role.get("settings"), f"{at}.settings"):
                lines.append(f"ALTER ROLE {ident(name)} SET {key} TO {literal(value)};")
            lines += _comment("ROLE", ident(name), role.get("comment"))
        for i, raw in enumerate(r.items(self.data.get("memberships"), "memberships")):
            at = f"memberships[{i}]"
            grant = r.mapping(raw, at, ("grant", "to", "options"))
            granted = ", ".join(ident(n) for n in r.names(grant.get("grant"), f"{at}.grant"))
            members = ", ".join(ident(n) for n in r.names(grant.get("to"), f"{at}.to"))
            options = grant.get("options")
            suffix = ""
            if options is not None:
                text = r.text(options, f"{at}.options")
                if not re.fullmatch(r"[A-Z]+ (OPTION|TRUE|FALSE)(, [A-Z]+ [A-Z]+)*", text):
                    raise r.fail(f"{at}.options", f"{text!r} is not a list of grant options")
                suffix = f" WITH {text}"
            lines.append(f"GRANT {granted} TO {members}{suffix};")
        self.section("roles and memberships", lines)

    def database(self) -> None:
        lines = [
            f"ALTER DATABASE postgres SET {key} TO {value};"
            for key, value in self.r.settings(self.data.get("database"), "database")
        ]
        self.section("database settings", lines)

    def schemas(self) -> list[str]:
        r, lines, grants = self.r, [], []
        for i, raw in enumerate(r.items(self.data.get("schemas"), "schemas")):
            at = f"schemas[{i}]"
            schema = r.mapping(raw, at, ("name", "owner", "grants", "comment"))
            name = r.name(schema.get("name"), f"{at}.name")
            self.unique("schema", name, at)
            owner = r.name(schema.get("owner"), f"{at}.owner")
            lines.append(f"CREATE SCHEMA IF NOT EXISTS {ident(name)};")
            lines.append(f"ALTER SCHEMA {ident(name)} OWNER TO {ident(owner)};")
            lines += _comment("SCHEMA", ident(name), schema.get("comment"))
            grants += _grant_lines(r, schema.get("grants"), f"SCHEMA {ident(name)}", f"{at}.grants")
        self.section("schemas", lines)
        return grants

    def types(self) -> None:
        r, lines = self.r, []
        for i, raw in enumerate(r.items(self.data.get("types"), "types")):
            at = f"types[{i}]"
            kind = r.mapping(raw, at, ("schema", "name", "enum", "composite", "owner"))
            target = _qualified(
                r.name(kind.get("schema"), f"{at}.schema"), r.name(kind.get("name"), f"{at}.name")
            )
            self.unique("type", target, at)
            if ("enum" in kind) == ("composite" in kind):
                raise r.fail(at, "give exactly one of enum and composite")
            if "enum" in kind:
                labels = [r.text(v, f"{at}.enum") for v in r.items(kind["enum"], f"{at}.enum")]
                body = ", ".join(literal(label) for label in labels)
                lines.append(f"CREATE TYPE {target} AS ENUM ({body});")
            else:
                fields = self.pairs(kind["composite"], f"{at}.composite")
                body = ", ".join(f"{ident(n)} {t}" for n, t in fields)
                lines.append(f"CREATE TYPE {target} AS ({body});")
            lines.append(f"ALTER TYPE {target} OWNER TO {ident(r.name(kind.get('owner'), at))};")
        self.section("types", lines)

    def pairs(self, value: object, where: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        names: set[str] = set()
        for i, item in enumerate(self.r.items(value, where)):
            if not isinstance(item, list) or len(item) != 2:
                raise self.r.fail(f"{where}[{i}]", "expected [name, definition]")
            name = self.r.name(item[0], f"{where}[{i}]")
            if name in names:
                raise self.r.fail(f"{where}[{i}]", f"{name} is listed twice")
            names.add(name)
            out.append((name, self.r.text(item[1], f"{where}[{i}]")))
        if not out:
            raise self.r.fail(where, "expected at least one entry")
        return out

    def expand(self, body: str, where: str) -> str:
        """A body with @forced_schema@ replaced by the (extension, schema) VALUES rows."""
        if "@forced_schema@" not in body:
            return body
        if self.plan is None or not self.plan.forced_schema:
            raise self.r.fail(where, "@forced_schema@ needs extensions.forced_schema")
        rows = ", ".join(f"({literal(n)}, {literal(s)})" for n, s in self.plan.forced_schema)
        return body.replace("@forced_schema@", rows)

    def functions(self) -> list[str]:
        r, lines, grants = self.r, [], []
        keys = (
            "schema", "name", "args", "returns", "language", "volatility", "strict",
            "security_definer", "set", "owner", "comment", "body", "grants", "revoke_public",
        )  # fmt: skip
        for i, raw in enumerate(r.items(self.data.get("functions"), "functions")):
            at = f"functions[{i}]"
            fn = r.mapping(raw, at, keys)
            name = _qualified(
                r.name(fn.get("schema"), f"{at}.schema"), r.name(fn.get("name"), f"{at}.name")
            )
            args = fn.get("args", "")
            if not isinstance(args, str):
                raise r.fail(f"{at}.args", "expected a string")
            signature = f"{name}({identity_args(args)})"
            self.unique("function", signature, at)
            language = r.text(fn.get("language"), f"{at}.language")
            if language not in ("sql", "plpgsql"):
                raise r.fail(f"{at}.language", f"{language!r}: only sql and plpgsql")
            body = self.expand(r.text(fn.get("body"), f"{at}.body"), f"{at}.body")
            if "$fn$" in body:
                raise r.fail(f"{at}.body", "must not contain the $fn$ delimiter")
            returns = r.text(fn.get("returns"), f"{at}.returns")
            head = [f"CREATE FUNCTION {name}({' '.join(args.split())}) RETURNS {returns}"]
            options = [f"LANGUAGE {language}"]
            volatility = fn.get("volatility")
            if volatility is not None:
                if volatility not in ("immutable", "stable", "volatile"):
                    raise r.fail(f"{at}.volatility", f"{volatility!r} is not a volatility")
                options.append(str(volatility).upper())
            if r.flag(fn.get("strict"), f"{at}.strict"):
                options.append("STRICT")
            if r.flag(fn.get("security_definer"), f"{at}.security_definer"):
                options.append("SECURITY DEFINER")
            for key, value in r.settings(fn.get("set"), f"{at}.set"):
                options.append(f"SET {key} TO {literal(value)}" if value else f"SET {key} TO ''")
            head.append("    " + " ".join(options))
            head.append(f"    AS $fn${body.rstrip()}\n$fn$;")
            lines.append("\n".join(head))
            lines.append(
                f"ALTER FUNCTION {signature} OWNER TO {ident(r.name(fn.get('owner'), at))};"
            )
            lines += _comment("FUNCTION", signature, fn.get("comment"))
            grants += _grant_lines(
                r,
                fn.get("grants"),
                f"FUNCTION {signature}",
                f"{at}.grants",
                revoke_public=r.flag(fn.get("revoke_public"), f"{at}.revoke_public"),
            )
        self.section("functions", lines)
        return grants

    def tables(self) -> list[str]:
        r, lines, after, grants = self.r, [], [], []
        keys = (
            "schema", "name", "columns", "constraints", "partition_by", "rls", "owner",
            "comment", "indexes", "triggers", "grants", "rows", "unlogged",
        )  # fmt: skip
        for i, raw in enumerate(r.items(self.data.get("tables"), "tables")):
            at = f"tables[{i}]"
            table = r.mapping(raw, at, keys)
            schema = r.name(table.get("schema"), f"{at}.schema")
            target = _qualified(schema, r.name(table.get("name"), f"{at}.name"))
            self.unique("table", target, at)
            columns = self.pairs(table.get("columns"), f"{at}.columns")
            body = [f"    {ident(n)} {d}" for n, d in columns]
            for j, c in enumerate(r.items(table.get("constraints"), f"{at}.constraints")):
                body.append("    " + r.text(c, f"{at}.constraints[{j}]"))
            partition = table.get("partition_by")
            tail = f" PARTITION BY {r.text(partition, f'{at}.partition_by')}" if partition else ""
            kind = "UNLOGGED TABLE" if r.flag(table.get("unlogged"), at) else "TABLE"
            lines.append(f"CREATE {kind} {target} (\n" + ",\n".join(body) + f"\n){tail};")
            for j, raw_index in enumerate(r.items(table.get("indexes"), f"{at}.indexes")):
                lines.append(self.index(raw_index, target, f"{at}.indexes[{j}]"))
            if r.flag(table.get("rls"), f"{at}.rls"):
                lines.append(f"ALTER TABLE {target} ENABLE ROW LEVEL SECURITY;")
            lines.append(f"ALTER TABLE {target} OWNER TO {ident(r.name(table.get('owner'), at))};")
            lines += _comment("TABLE", target, table.get("comment"))
            for j, raw_trigger in enumerate(r.items(table.get("triggers"), f"{at}.triggers")):
                after.append(self.trigger(raw_trigger, target, f"{at}.triggers[{j}]"))
            for j, row in enumerate(r.items(table.get("rows"), f"{at}.rows")):
                if not isinstance(row, list) or len(row) != len(columns):
                    # Seed rows give every column, in order, as strings or null.
                    row_count = len(columns)
                    raise r.fail(f"{at}.rows[{j}]", f"expected a list of {row_count} values")
                values = ", ".join("NULL" if v is None else literal(str(v)) for v in row)
                after.append(f"INSERT INTO {target} VALUES ({values});")
            grants += _grant_lines(r, table.get("grants"), f"TABLE {target}", f"{at}.grants")
        self.section("tables", lines)
        self.section("triggers and seed rows", after)
        return grants

    def index(self, raw: object, target: str, at: str) -> str:
        r = self.r
        index = r.mapping(raw, at, ("name", "unique", "using", "keys", "where"))
        name = r.name(index.get("name"), f"{at}.name")
        self.unique("index", name, at)
        unique = "UNIQUE " if r.flag(index.get("unique"), f"{at}.unique") else ""
        using = index.get("using")
        method = f" USING {r.name(using, f'{at}.using')}" if using else ""
        where = index.get("where")
        predicate = f" WHERE {r.text(where, f'{at}.where')}" if where else ""
        keys = r.text(index.get("keys"), f"{at}.keys")
        return f"CREATE {unique}INDEX {ident(name)} ON {target}{method} ({keys}){predicate};"

    def trigger(self, raw: object, target: str, at: str) -> str:
        r = self.r
        trigger = r.mapping(raw, at, ("name", "when", "level", "execute"))
        name = r.name(trigger.get("name"), f"{at}.name")
        when = r.text(trigger.get("when"), f"{at}.when")
        level = trigger.get("level", "ROW")
        if level not in ("ROW", "STATEMENT"):
            raise r.fail(f"{at}.level", "expected ROW or STATEMENT")
        execute = r.text(trigger.get("execute"), f"{at}.execute")
        return (
            f"CREATE TRIGGER {ident(name)} {when} ON {target}\n"
            f"    FOR EACH {level} EXECUTE FUNCTION {execute};"
        )

    def default_privileges(self) -> None:
        r, lines = self.r, []
        for i, raw in enumerate(r.items(self.data.get("default_privileges"), "default_privileges")):
            at = f"default_privileges[{i}]"
            entry = r.mapping(
                raw,
                at,
                ("for_role", "in_schema", "objects", "privileges", "to", "grant_option", "grants"),
            )
            mode = r.text(entry.get("grants"), f"{at}.grants") if "grants" in entry else None
            if mode is not None and mode not in GRANT_MODES:
                raise r.fail(f"{at}.grants", f"expected one of {', '.join(GRANT_MODES)}")
            if mode is not None and mode != self.grants:
                continue
            role = ident(r.name(entry.get("for_role"), f"{at}.for_role"))
            schema = ident(r.name(entry.get("in_schema"), f"{at}.in_schema"))
            privileges = r.text(entry.get("privileges"), f"{at}.privileges")
            if not re.fullmatch(r"[A-Z]+(, [A-Z]+)*", privileges):
                raise r.fail(f"{at}.privileges", f"{privileges!r} is not a privilege list")
            roles = ", ".join(ident(n) for n in r.names(entry.get("to"), f"{at}.to"))
            option = " WITH GRANT OPTION" if r.flag(entry.get("grant_option"), at) else ""
            for kind in r.names(entry.get("objects"), f"{at}.objects"):
                if kind not in ("TABLES", "SEQUENCES", "FUNCTIONS", "TYPES"):
                    raise r.fail(f"{at}.objects", f"{kind!r} is not an object kind")
                lines.append(
                    f"ALTER DEFAULT PRIVILEGES FOR ROLE {role} IN SCHEMA {schema}\n"
                    f"    GRANT {privileges} ON {kind} TO {roles}{option};"
                )
        self.section("default privileges", lines)

    def extensions(self) -> None:
        if self.plan is None:
            return
        lines: list[str] = []
        for ext in self.plan.installed:
            if ext.shim and not shim_shipped(ext.name):
                continue
            where = "" if ext.fixed_schema else f" WITH SCHEMA {ident(ext.schema)}"
            lines.append(f"CREATE EXTENSION IF NOT EXISTS {ident(ext.name)}{where};")
        self.section("extensions a new project has enabled", lines)

    def event_triggers(self) -> None:
        r, lines = self.r, []
        for i, raw in enumerate(r.items(self.data.get("event_triggers"), "event_triggers")):
            at = f"event_triggers[{i}]"
            entry = r.mapping(raw, at, ("name", "event", "tags", "execute"))
            name = r.name(entry.get("name"), f"{at}.name")
            event = r.text(entry.get("event"), f"{at}.event")
            if event not in ("ddl_command_start", "ddl_command_end", "sql_drop"):
                raise r.fail(f"{at}.event", f"{event!r} is not an event")
            tags = [r.text(t, f"{at}.tags") for t in r.items(entry.get("tags"), f"{at}.tags")]
            when = f"\n    WHEN TAG IN ({', '.join(literal(t) for t in tags)})" if tags else ""
            execute = r.text(entry.get("execute"), f"{at}.execute")
            head = f"CREATE EVENT TRIGGER {ident(name)} ON {event}{when}"
            lines.append(f"{head}\n    EXECUTE FUNCTION {execute};")
        self.section("event triggers", lines)

    def publications(self) -> None:
        r, lines = self.r, []
        for i, raw in enumerate(r.items(self.data.get("publications"), "publications")):
            at = f"publications[{i}]"
            entry = r.mapping(raw, at, ("name", "publish", "owner"))
            name = ident(r.name(entry.get("name"), f"{at}.name"))
            publish = literal(r.text(entry.get("publish"), f"{at}.publish"))
            lines.append(f"CREATE PUBLICATION {name} WITH (publish = {publish});")
            lines.append(
                f"ALTER PUBLICATION {name} OWNER TO {ident(r.name(entry.get('owner'), at))};"
            )
        self.section("publications", lines)

    def run(self) -> str:
        self.roles()
        self.database()
        schema_grants = self.schemas()
        self.types()
        function_grants = self.functions()
        table_grants = self.tables()
        self.section("grants", schema_grants + table_grants + function_grants)
        self.default_privileges()
        self.event_triggers()
        self.extensions()
        self.publications()
        sql = self.data.get("sql")
        if sql is not None:
            self.section("procedural", [self.r.text(sql, "sql").rstrip()])
        return "\n".join(self.out)


_TOP_KEYS = (
    "component", "follows", "sources", "roles", "memberships", "database", "schemas", "types",
    "functions", "tables", "default_privileges", "event_triggers", "extensions",
    "publications", "sql",
)  # fmt: skip


def _extension_plan(r: _Reader, raw: object) -> ExtensionPlan:
    entry = r.mapping(raw, "extensions", ("installed", "available", "forced_schema", "refused"))
    installed: list[Installed] = []
    for i, item in enumerate(r.items(entry.get("installed"), "extensions.installed")):
        at = f"extensions.installed[{i}]"
        ext = r.mapping(item, at, ("name", "schema", "fixed_schema", "shim"))
        installed.append(
            Installed(
                r.name(ext.get("name"), f"{at}.name"),
                r.name(ext.get("schema"), f"{at}.schema"),
                r.flag(ext.get("fixed_schema"), f"{at}.fixed_schema"),
                r.flag(ext.get("shim"), f"{at}.shim"),
            )
        )
    available = r.names(entry.get("available"), "extensions.available")
    if len(set(available)) != len(available):
        raise r.fail("extensions.available", "an extension is listed twice")
    forced: list[tuple[str, str]] = []
    for i, item in enumerate(r.items(entry.get("forced_schema"), "extensions.forced_schema")):
        at = f"extensions.forced_schema[{i}]"
        ext = r.mapping(item, at, ("name", "schema"))
        forced.append((r.name(ext.get("name"), f"{at}.name"), r.name(ext.get("schema"), at)))
    refused = r.names(entry.get("refused"), "extensions.refused") if "refused" in entry else []
    for name in [e.name for e in installed] + [n for n, _ in forced] + refused:
        if name not in available:
            raise r.fail("extensions", f"{name} is not in the available list")
    return ExtensionPlan(tuple(installed), tuple(available), tuple(forced), tuple(refused))


def shim_shipped(name: str) -> bool:
    """Whether schemaverify ships the install script of a stand-in extension."""
    folder = resources.files(__package__) / "shims"
    prefix = f"{name}--"
    return any(
        entry.name.startswith(prefix)
        and entry.name.endswith(".sql")
        and "--" not in entry.name[len(prefix) :]
        for entry in folder.iterdir()
    )


def _load(name: str) -> tuple[_Reader, Mapping[str, Any]]:
    file = f"{name}.yaml"
    text = (resources.files(__package__) / "supabase" / file).read_text(encoding="utf-8")
    reader = _Reader(file)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        raise reader.fail("YAML", str(err).replace("\n", " ")) from None
    data = reader.mapping(data, "top level", _TOP_KEYS)
    if data.get("component") != name:
        raise reader.fail("component", f"expected {name!r}")
    return reader, data


def component(name: str, grants: str = "current") -> Component:
    """One component, generated from its description for the grant mode `grants`."""
    reader, data = _load(name)
    follows = reader.text(data.get("follows"), "follows")
    sources = tuple(reader.text(s, "sources") for s in reader.items(data.get("sources"), "sources"))
    sql = _Generator(f"{name}.yaml", data, grants).run()
    return Component(name, " ".join(follows.split()), sources, sql)


def extension_plan() -> ExtensionPlan:
    """The extensions component's lists: available, installed by default, forced schemas."""
    reader, data = _load("extensions")
    return _extension_plan(reader, data.get("extensions"))


def _described_files() -> set[str]:
    folder = resources.files(__package__) / "supabase"
    return {entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml")}


@functools.lru_cache(maxsize=2)
def supabase_sql(grants: str = "current") -> str:
    """The whole Supabase preset, components in order (run after roles.sql, as supabase_admin).

    `grants` is the Data API grant mode (GRANT_MODES): `current`, Supabase's default since
    2026 (new tables in public are granted to no API role), or `legacy`, the automatic grants
    older projects still have.

    Function bodies are not checked while the preset is built, as in pg_dump
    output: the components reference one another (storage policies call auth
    functions, generated columns call functions of their own schema), and every
    body is exercised by the tests instead.
    """
    extra = _described_files() - {f"{name}.yaml" for name in COMPONENTS}
    if extra:
        raise DescriptionError(f"presets/supabase: {', '.join(sorted(extra))} is not in COMPONENTS")
    parts = [
        f'-- schemaverify preset "supabase" (grants: {grants}): generated by presets/platform.py',
        "-- from presets/supabase/*.yaml (one file per platform component).",
        "SET check_function_bodies = off;",
        "",
    ]
    for name in COMPONENTS:
        part = component(name, grants)
        parts.append(f"-- ===== {part.name}: follows {part.follows}")
        parts.append(part.sql)
    parts.append("RESET check_function_bodies;")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    # `python -m schemaverify.sources.migrations.presets.platform`: the preset, to read or diff.
    print(supabase_sql(), end="")
