"""Typed specs: a type name no database can have is a spec error, never drift.

The lists of known names are compared with the pg_type of each real server, so they cannot
drift from PostgreSQL; `lint` refuses typos with a did-you-mean (exit 2); `check` resolves
a spec's own types (enums, domains, extension types in any schema) against the catalog it
reads, from a database and from a snapshot, and refuses what is left.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pgserver import Server, TestDatabase
from schemaverify.cli import app
from schemaverify.errors import SpecError
from schemaverify.model import typenames
from schemaverify.model.normalize import parse_type
from schemaverify.model.spec import TypeUse
from schemaverify.pipeline.check import run_check
from schemaverify.sources import snapshot
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.live import SourceOptions
from schemaverify.sources.specs import cache as speccache
from schemaverify.sources.specs.load import load_specs

PG_CATALOG_TYPES = """
SELECT pg_catalog.format_type(t.oid, NULL)
FROM pg_catalog.pg_type t
WHERE t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace
  AND t.typtype IN ('b', 'r', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
"""

EXTENSION_TYPES = """
SELECT x.extname::text, t.typname::text
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_depend d
  ON d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid
 AND d.deptype = 'e'
JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid
WHERE t.typtype IN ('b', 'd', 'e', 'r', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
"""

TESTED_EXTENSIONS = (
    "citext",
    "cube",
    "earthdistance",
    "hstore",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "pg_trgm",
    "seg",
    "btree_gist",
    "vector",
)
INDEX_INTERNAL = {
    "gbtreekey2",
    "gbtreekey4",
    "gbtreekey8",
    "gbtreekey16",
    "gbtreekey32",
    "gbtreekey_var",
    "ghstore",
    "gtrgm",
    "intbig_gkey",
    "ltree_gist",
}
"""Types extensions create for their index support only: no column is declared with them."""


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def spec(*types: str) -> str:
    lines = ["table: t", "columns:"]
    lines += [f"  - {{name: c{i}, type: '{t}', nullable: true}}" for i, t in enumerate(types)]
    return "\n".join(lines) + "\n"


# --- the lists against real servers ------------------------------------------------


def test_builtin_is_exactly_pg_catalogs_column_types(db: TestDatabase) -> None:
    on_server = {parse_type(str(row[0])).name for row in db.query(PG_CATALOG_TYPES)}
    assert on_server == typenames.BUILTIN


def test_pseudo_types_are_pg_catalogs(db: TestDatabase) -> None:
    rows = db.query("SELECT typname::text FROM pg_catalog.pg_type WHERE typtype = 'p'")
    # `_record` is the array of record, which parse_type reads as record[].
    assert {str(r[0]) for r in rows} - {"_record"} == typenames.PSEUDO


def test_extension_types_are_the_extensions_own(db: TestDatabase, pg_server: Server) -> None:
    available = {str(r[0]) for r in db.query("SELECT name FROM pg_catalog.pg_available_extensions")}
    created = [x for x in TESTED_EXTENSIONS if x in available]
    if "cube" not in created:
        created = [x for x in created if x != "earthdistance"]
    assert {"citext", "hstore", "ltree"} <= set(created), available  # contrib is installed
    db.run("".join(f"CREATE EXTENSION {x};\n" for x in created))
    defined = {(str(ext), str(name)) for ext, name in db.query(EXTENSION_TYPES)}
    listed = {(ext, name) for name, ext in typenames.EXTENSION_TYPES.items() if ext in created}
    assert {(e, n) for e, n in defined if n not in INDEX_INTERNAL} == listed
    if pg_server.has_pgvector:
        assert ("vector", "halfvec") in listed


# --- the loader: what is known without a database ----------------------------------

KNOWN = [
    "text",
    "int",
    "int4",
    "serial",
    "bigserial",
    "varchar(80)",
    "character varying",
    "timestamptz",
    "timestamp(3) with time zone",
    "interval year to month",
    "numeric(10,2)",
    "text[]",
    "_text",
    '"char"',
    "double precision",
    "float(10)",
    "int4range",
    "tstzmultirange",
    "regclass",
    "vector(1536)",
    "halfvec(3)",
    "citext",
    "geometry",
    "extensions.vector(3)",
    "public.mood",
    '"My Schema".status',
    "pg_catalog.int4",
]


def test_known_names_load_without_a_database(tmp_path: Path) -> None:
    write(tmp_path, **{"t.yaml": spec(*KNOWN)})
    (loaded,) = load_specs(tmp_path / "t.yaml", types=()).specs
    assert loaded.unresolved_types == ()


def test_unknown_names_are_set_aside_for_the_catalog(tmp_path: Path) -> None:
    write(tmp_path, **{"t.yaml": spec("text", "mood", '"Mood"[]', "txt")})
    (loaded,) = load_specs(tmp_path / "t.yaml").specs
    assert loaded.unresolved_types == (
        TypeUse("mood", 4, "columns[1].type"),
        TypeUse("Mood", 5, "columns[2].type"),
        TypeUse("txt", 6, "columns[3].type"),
    )


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [
        ("txt", "'text'"),
        ("timestampz", "'timestamptz'"),
        ("jsnb", "'jsonb'"),
        ("uuuid", "'uuid'"),
        ("intger", "'integer'"),
        ("vectr(3)", "'vector'"),
        ("record", None),
        ("trigger", None),
    ],
)
def test_lint_refuses_an_unknown_type_with_did_you_mean(
    tmp_path: Path, written: str, suggestion: str | None
) -> None:
    write(tmp_path / "specs", **{"t.yaml": spec("text", written)})
    result = invoke("lint", "--specs", str(tmp_path / "specs"))
    assert result.exit_code == 2, result.output
    name = parse_type(written).name
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'specs' / 't.yaml'}:4: columns[1].type: ")
    if suggestion:
        assert f"unknown type '{name}' (did you mean {suggestion}?)" in first
        assert "public." in first and "`types`" in first  # how to say it is one's own type
    else:
        assert first.endswith(f"'{name}' is a pseudo-type, which no column can have")


def test_a_line_break_in_a_quoted_type_name_stays_on_its_line(tmp_path: Path) -> None:
    # A double-quoted YAML string turns \\n into a line break inside the type's name.
    spec_text = 'table: t\ncolumns:\n  - {name: a, type: "\\"x\\ny\\""}\n'
    write(tmp_path / "specs", **{"t.yaml": spec_text})
    (loaded,) = load_specs(tmp_path / "specs" / "t.yaml").specs
    assert loaded.unresolved_types[0].name == "x\ny"
    result = invoke("lint", "--specs", str(tmp_path / "specs"))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_lint_lists_type_errors_with_the_other_problems(tmp_path: Path) -> None:
    write(
        tmp_path / "specs",
        **{
            "a.yaml": spec("txt"),
            "b.yaml": "table: b\ncolumns:\n  - {name: x, type: text, nulable: true}\n",
        },
    )
    result = invoke("lint", "--specs", str(tmp_path / "specs"))
    assert result.exit_code == 2
    assert "a.yaml:3: columns[0].type: unknown type 'txt'" in result.stderr
    assert "b.yaml:3: " in result.stderr and "nulable" in result.stderr


def test_pg_catalog_qualified_names_must_be_built_in(tmp_path: Path) -> None:
    write(tmp_path / "specs", **{"t.yaml": spec("pg_catalog.txt")})
    result = invoke("lint", "--specs", str(tmp_path / "specs"))
    assert result.exit_code == 2
    assert "columns[0].type: pg_catalog has no type 'txt' (did you mean 'text'?)" in result.stderr


def test_configured_types_lint_clean(tmp_path: Path) -> None:
    write(tmp_path / "specs", **{"t.yaml": spec("mood", "Email_Address[]", "txt")})
    write(tmp_path, **{"schemaverify.toml": 'types = ["mood", "EMAIL_ADDRESS"]\n'})
    result = invoke("lint", "--config", str(tmp_path / "schemaverify.toml"))
    assert result.exit_code == 2
    assert result.stderr.count("unknown type") == 1 and "'txt'" in result.stderr
    write(tmp_path / "specs", **{"t.yaml": spec("mood", "Email_Address[]")})
    result = invoke("lint", "--config", str(tmp_path / "schemaverify.toml"))
    assert result.exit_code == 0, result.stderr
    shown = invoke("config", "--config", str(tmp_path / "schemaverify.toml"), "--format", "json")
    assert '"mood"' in shown.stdout and '"email_address"' in shown.stdout


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('"mood"', "types: expected an array of type names, got a string"),
        ("[1]", "types: expected type names (non-empty strings), got an integer"),
        ('["numeric(10"]', "types: cannot parse type 'numeric(10'"),
        ('["vector(3)"]', "types: 'vector(3)': list the type's name only"),
    ],
)
def test_bad_types_setting(tmp_path: Path, value: str, reason: str) -> None:
    write(tmp_path, **{"schemaverify.toml": f"fail_on = 'error'\ntypes = {value}\n"})
    result = invoke("lint", "--config", str(tmp_path / "schemaverify.toml"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path / 'schemaverify.toml'}:2: {reason}"), result.stderr


# --- check: the database's own types resolve ----------------------------------------

DDL = """
CREATE SCHEMA extras;
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN extras.email_address AS text CHECK (VALUE LIKE '%@%');
CREATE TYPE extras.span AS RANGE (subtype = float8);
CREATE TYPE extras.pair AS (a int, b int);
CREATE TABLE t (id int PRIMARY KEY, feeling mood NOT NULL, contact extras.email_address);
"""

RESOLVED = """
table: t
columns:
  - {name: id, type: integer, primary_key: true}
  - {name: feeling, type: mood}
  - {name: contact, type: email_address, nullable: true}
"""


def test_check_resolves_enums_domains_and_types_no_column_uses(
    db: TestDatabase, tmp_path: Path
) -> None:
    db.run(DDL)
    folder = write(tmp_path / "specs", **{"t.yaml": RESOLVED})
    assert run_check(folder, SourceOptions(dsn=db.dsn)).findings == ()
    # A type the database defines but no column uses is a real type: drift, not a typo.
    write(folder, **{"t.yaml": RESOLVED.replace("type: mood", "type: span")})
    report = run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never")
    assert [(f.kind, f.object) for f in report.findings] == [("column_type_mismatch", "feeling")]
    assert {t.qualified: t.kind for t in read_catalog(db.dsn).types} == {
        "extras.email_address": "domain",
        "extras.pair": "composite",
        "extras.span": "range",
        "extras.span_multirange": "multirange",
        "public.mood": "enum",
    }


def test_check_refuses_what_the_database_does_not_define(db: TestDatabase, tmp_path: Path) -> None:
    db.run(DDL)
    write(tmp_path / "specs", **{"t.yaml": RESOLVED.replace("type: mood", "type: moood")})
    result = invoke("check", "--dsn", db.dsn, "--specs", str(tmp_path / "specs"))
    assert result.exit_code == 2, result.output
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"{tmp_path / 'specs' / 't.yaml'}:4: columns[1].type: ")
    assert "unknown type 'moood' (did you mean 'mood'?)" in line
    assert "defines no type of that name" in line


def test_extension_types_in_any_schema_resolve(
    db: TestDatabase, pg_server: Server, tmp_path: Path
) -> None:
    db.run(
        "CREATE SCHEMA extensions;\n"
        "CREATE EXTENSION hstore SCHEMA extensions;\n"
        "CREATE TABLE t (id int PRIMARY KEY, attrs extensions.hstore);\n"
    )
    folder = write(
        tmp_path / "specs",
        **{
            "t.yaml": "table: t\ncolumns:\n  - {name: id, type: int, primary_key: true}\n"
            "  - {name: attrs, type: hstore, nullable: true}\n"
        },
    )
    report = run_check(folder, SourceOptions(dsn=db.dsn), fail_on="never")
    assert [f.kind for f in report.findings] == []


def test_snapshot_resolves_like_the_database(db: TestDatabase, tmp_path: Path) -> None:
    db.run(DDL)
    path = tmp_path / "live.json"
    path.write_text(snapshot.dump(read_catalog(db.dsn)), encoding="utf-8")
    folder = write(tmp_path / "specs", **{"t.yaml": RESOLVED})
    assert invoke("check", "--snapshot", str(path), "--specs", str(folder)).exit_code == 0
    write(folder, **{"t.yaml": RESOLVED.replace("type: mood", "type: txt")})
    result = invoke("check", "--snapshot", str(path), "--specs", str(folder))
    assert result.exit_code == 2
    assert "unknown type 'txt' (did you mean 'text'?)" in result.stderr


def test_the_spec_cache_keeps_the_unresolved_names(
    db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(speccache, "RACY_NS", 0)  # record the file just written
    db.run(DDL)
    folder = write(tmp_path / "specs", **{"t.yaml": RESOLVED.replace("type: mood", "type: txt")})
    for _ in range(2):  # the second load comes from the cache
        with pytest.raises(SpecError, match="unknown type 'txt'"):
            run_check(folder, SourceOptions(dsn=db.dsn), cache=True)
    assert list((tmp_path / "cache").rglob("*")), "nothing was cached"
