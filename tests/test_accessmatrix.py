"""The effective access matrix on a real Supabase-like database, the `access` command, and
`rls.access_matrix` in specs (loaded, checked against the database, passing and failing).

One database per server holds every case: grants as Supabase makes them (`GRANT ALL ON
ALL TABLES IN SCHEMA public TO anon, authenticated, service_role`), RLS off and on, a
BYPASSRLS service role, a table owner with and without FORCE, role membership, PUBLIC,
permissive and restrictive policies, a role test in a condition and a view.  The roles
anon, authenticated and service_role are cluster-wide and created if absent; the two
roles only this module uses carry a per-run suffix and are dropped afterwards.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
import pytest
import yaml
from typer.testing import CliRunner

import pgserver
from schemaverify.cli import app
from schemaverify.errors import SpecError
from schemaverify.model.schema import Catalog, Function, Grant, MatrixCell, Role, Table
from schemaverify.rules import access
from schemaverify.rules.accessmatrix import COMMANDS, Cell, satisfies, spec_word, table_access
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.specs import patterns as patterns_file
from schemaverify.sources.specs.jsonschema import spec_json_schema
from schemaverify.sources.specs.load import load_spec_file

SUFFIX = uuid.uuid4().hex[:8]
EDITOR = f"sv_editor_{SUFFIX}"
OWNER = f"sv_owner_{SUFFIX}"

SQL = (
    pgserver.SUPABASE_ROLES_SQL
    + f"""
GRANT authenticated TO "{EDITOR}";
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT current_setting('request.jwt.claim.role', true) $$;

CREATE TABLE organization_members (organization_id uuid, user_id uuid);
CREATE TABLE todos (id int PRIMARY KEY, user_id uuid NOT NULL, title text);
ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY todos_owner ON todos TO authenticated
  USING ((select auth.uid()) = user_id) WITH CHECK ((select auth.uid()) = user_id);

CREATE TABLE guestbook (id int PRIMARY KEY, msg text);
ALTER TABLE guestbook ENABLE ROW LEVEL SECURITY;
CREATE POLICY guestbook_read ON guestbook FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY guestbook_sign ON guestbook FOR INSERT TO anon WITH CHECK (true);

CREATE TABLE notes (id int PRIMARY KEY, user_id uuid, organization_id uuid, archived boolean);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_mine ON notes FOR SELECT TO authenticated
  USING (user_id = (select auth.uid()));
CREATE POLICY notes_org ON notes FOR SELECT TO authenticated
  USING (organization_id IN (SELECT organization_id FROM organization_members
                             WHERE user_id = (select auth.uid())));
CREATE POLICY notes_live ON notes AS RESTRICTIVE FOR SELECT TO authenticated
  USING (NOT archived);
CREATE POLICY notes_edit ON notes FOR UPDATE TO authenticated
  USING (user_id = (select auth.uid())) WITH CHECK (true);
CREATE POLICY notes_editor ON notes FOR DELETE TO "{EDITOR}" USING (true);

CREATE TABLE locked (id int PRIMARY KEY);
ALTER TABLE locked ENABLE ROW LEVEL SECURITY;
CREATE POLICY locked_read ON locked FOR SELECT TO anon USING (true);
CREATE POLICY locked_closed ON locked AS RESTRICTIVE FOR SELECT TO anon USING (false);

CREATE TABLE open_notes (id int PRIMARY KEY);
CREATE TABLE backend_only (id int PRIMARY KEY);

CREATE TABLE role_tested (id int PRIMARY KEY);
ALTER TABLE role_tested ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_only ON role_tested USING (auth.role() = 'service_role');

CREATE TABLE public_read (id int PRIMARY KEY);
ALTER TABLE public_read ENABLE ROW LEVEL SECURITY;
CREATE POLICY anyone_reads ON public_read FOR SELECT USING (true);

CREATE TABLE owned (id int PRIMARY KEY);
ALTER TABLE owned ENABLE ROW LEVEL SECURITY;
ALTER TABLE owned OWNER TO "{OWNER}";
CREATE TABLE owned_forced (id int PRIMARY KEY);
ALTER TABLE owned_forced ENABLE ROW LEVEL SECURITY;
ALTER TABLE owned_forced FORCE ROW LEVEL SECURITY;
ALTER TABLE owned_forced OWNER TO "{OWNER}";
CREATE POLICY owner_reads ON owned_forced FOR SELECT TO "{OWNER}" USING (true);

CREATE TABLE posts (id int PRIMARY KEY, author_id uuid NOT NULL, is_published boolean);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY posts_read ON posts FOR SELECT USING (is_published OR auth.uid() = author_id);
CREATE VIEW todo_titles AS SELECT id, title FROM todos;
CREATE VIEW safe_titles WITH (security_invoker) AS SELECT id, title FROM todos;
CREATE VIEW published WITH (security_invoker) AS SELECT id FROM posts;
CREATE VIEW closed WITH (security_invoker) AS SELECT id FROM backend_only;
CREATE VIEW todo_book WITH (security_invoker) AS
  SELECT t.id, g.msg FROM todos t JOIN guestbook g ON g.id = t.id;
CREATE VIEW todo_posts WITH (security_invoker) AS
  SELECT t.id FROM todos t JOIN posts p ON p.id = t.id;
CREATE VIEW titles_again WITH (security_invoker) AS SELECT id FROM safe_titles;
CREATE FUNCTION public.helper(a integer, b text) RETURNS uuid LANGUAGE sql
  SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT NULL::uuid $$;

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
REVOKE ALL ON backend_only, public_read FROM anon, authenticated;
GRANT SELECT ON public_read, role_tested TO PUBLIC;
"""
)

# table -> role -> the four cells (select, insert, update, delete) as `access` prints them.
EXPECTED: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "todos": {
        "anon": ("no rows",) * 4,
        "authenticated": ("rows: owner",) * 4,
        "service_role": ("all rows",) * 4,
        "public": ("none",) * 4,
        EDITOR: ("rows: owner",) * 4,  # a member of authenticated
    },
    "guestbook": {
        "anon": ("rows: unconditional", "rows: unconditional", "no rows", "no rows"),
        "authenticated": ("rows: unconditional", "no rows", "no rows", "no rows"),
    },
    "notes": {
        "anon": ("no rows",) * 4,
        "authenticated": (
            "rows: organization, owner (restricted: conditional)",
            "no rows",
            "rows: owner",
            "no rows",
        ),
        EDITOR: (
            "rows: organization, owner (restricted: conditional)",
            "no rows",
            "rows: owner",
            "rows: unconditional",
        ),
    },
    "locked": {"anon": ("no rows",) * 4, "authenticated": ("no rows",) * 4},
    "open_notes": {"anon": ("all rows",) * 4, "public": ("none",) * 4},
    "backend_only": {
        "anon": ("none",) * 4,
        "authenticated": ("none",) * 4,
        "service_role": ("all rows",) * 4,
    },
    "role_tested": {
        "anon": ("no rows",) * 4,
        "authenticated": ("no rows",) * 4,
        "public": ("no rows", "none", "none", "none"),
    },
    "public_read": {
        "anon": ("rows: unconditional", "none", "none", "none"),
        "public": ("rows: unconditional", "none", "none", "none"),
    },
    "owned": {OWNER: ("all rows",) * 4, "anon": ("no rows",) * 4},
    "owned_forced": {OWNER: ("rows: unconditional", "no rows", "no rows", "no rows")},
    # Runs as its owner, the superuser that owns todos: every row.
    "todo_titles": {"anon": ("all rows",) * 4, "public": ("none",) * 4},
    # security_invoker: the caller's own privileges and policies on what the view reads.
    "safe_titles": {
        "anon": ("no rows",) * 4,
        "authenticated": ("rows: owner",) * 4,
        "service_role": ("all rows",) * 4,
        "public": ("none",) * 4,
    },
    "published": {
        "anon": ("rows: conditional", "no rows", "no rows", "no rows"),
        "authenticated": ("rows: conditional, owner", "no rows", "no rows", "no rows"),
    },
    "closed": {"anon": ("none",) * 4, "service_role": ("all rows",) * 4},
    "todo_book": {
        "anon": ("no rows",) * 4,
        "authenticated": ("rows: owner", "no rows", "no rows", "no rows"),
    },
    "todo_posts": {"authenticated": ("rows: conditional", "no rows", "no rows", "no rows")},
    "titles_again": {"anon": ("no rows",) * 4, "authenticated": ("rows: owner",) * 4},
    # No TO clause: PUBLIC, so anon too; the `is_published` branch is not dropped.
    # and the owner branch gives a caller who is not signed in nothing (auth.uid() is NULL).
    "posts": {
        "anon": ("rows: conditional", "no rows", "no rows", "no rows"),
        "authenticated": ("rows: conditional, owner", "no rows", "no rows", "no rows"),
    },
}


@pytest.fixture(scope="module")
def roles(pg_server: pgserver.Server) -> Iterator[None]:
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        for role in (EDITOR, OWNER):
            conn.execute(f'CREATE ROLE "{role}" NOLOGIN'.encode())
    try:
        yield
    finally:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            for role in (EDITOR, OWNER):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"'.encode())


@pytest.fixture(scope="module")
def supa(pg_server: pgserver.Server, roles: None) -> Iterator[pgserver.TestDatabase]:
    database = pg_server.create_database()
    try:
        database.run(SQL)
        yield database
    finally:
        pg_server.drop_database(database.name)


@pytest.fixture(scope="module")
def catalog(supa: pgserver.TestDatabase) -> Catalog:
    return read_catalog(supa.dsn)


@pytest.fixture(scope="module")
def patterns() -> access.AccessPatterns:
    return patterns_file.load_patterns()


def _table(catalog: Catalog, name: str) -> Table:
    table = catalog.table(f"public.{name}")
    assert table is not None
    return table


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


# --- what the catalog reader provides ------------------------------------------------------


def test_catalog_reads_roles_grants_owners_views_and_functions(catalog: Catalog) -> None:
    roles = {r.name: r for r in catalog.roles}
    assert roles["service_role"] == Role("service_role", bypassrls=True, schema_usage=("public",))
    assert roles[EDITOR].member_of == ("authenticated",)
    assert not any(name.startswith("pg_") for name in roles)
    owner = _table(catalog, "todos").owner
    assert owner is not None and roles[owner].superuser  # the test user
    assert _table(catalog, "owned").owner == OWNER
    grantees = {g.grantee: g.privileges for g in _table(catalog, "todos").grants}
    assert {"anon", "authenticated", "service_role", owner} <= set(grantees)
    assert {"select", "insert", "update", "delete", "truncate"} <= set(grantees["anon"])
    assert grantees["anon"] == tuple(sorted(grantees["anon"]))
    assert {g.grantee for g in _table(catalog, "backend_only").grants} == {
        owner,
        "service_role",
    }
    assert Grant("public", ("select",)) in _table(catalog, "public_read").grants
    assert not _table(catalog, "todo_titles").security_invoker
    assert _table(catalog, "safe_titles").security_invoker
    assert catalog.functions == (
        Function(
            schema="public",
            name="helper",
            arguments="a integer, b text",
            returns="uuid",
            security_definer=True,
            search_path="public, pg_temp",
            owner=owner,
            grants=(Grant(owner, ("execute",)), Grant("public", ("execute",))),
        ),
    )


# --- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXPECTED))
def test_effective_access_matrix(
    name: str, catalog: Catalog, patterns: access.AccessPatterns
) -> None:
    expected = EXPECTED[name]
    matrix = table_access(_table(catalog, name), catalog, patterns, roles=list(expected))
    found = {role: tuple(str(cell) for cell in cells) for role, cells in matrix.rows()}
    assert found == expected


def test_matrix_rows_and_reasons(catalog: Catalog, patterns: access.AccessPatterns) -> None:
    notes = table_access(_table(catalog, "notes"), catalog, patterns)
    owner = _table(catalog, "notes").owner
    assert notes.roles == (
        "anon",
        "authenticated",
        "service_role",
        "public",
        *sorted(
            [
                EDITOR,
                owner or "",
            ]
        ),
    )
    assert notes.cell(owner or "", "select").reason == "superuser"
    cell = notes.cell("authenticated", "select")
    assert cell.policies == ("notes_mine", "notes_org", "notes_live")
    assert notes.cell("service_role", "delete").reason == "BYPASSRLS"
    assert notes.cell("anon", "select").reason == "RLS on, no permissive policy lets a row through"
    backend = table_access(_table(catalog, "backend_only"), catalog, patterns)
    assert backend.cell("anon", "update").reason == "no UPDATE privilege"
    owned = table_access(_table(catalog, "owned"), catalog, patterns)
    assert owned.cell(OWNER, "select").reason == "table owner, RLS not forced"
    locked = table_access(_table(catalog, "locked"), catalog, patterns)
    assert "locked_closed" in locked.cell("anon", "select").reason
    view = table_access(_table(catalog, "closed"), catalog, patterns)
    assert view.cell("anon", "select").reason == (
        "security_invoker view: no SELECT privilege on public.backend_only"
    )
    published = table_access(_table(catalog, "published"), catalog, patterns)
    assert published.cell("anon", "select").reason == (
        "security_invoker view: policies of public.posts"
    )
    assert published.cell("anon", "select").policies == ("posts_read",)
    definer = table_access(_table(catalog, "todo_titles"), catalog, patterns)
    owner = _table(catalog, "todo_titles").owner
    assert definer.cell("anon", "select").reason == (  # the owner's access, not anon's
        f"view run as its owner {owner}: nothing filters the rows of public.todos"
    )
    assert _table(catalog, "todo_book").reads == ("public.guestbook", "public.todos")


@pytest.mark.parametrize(
    ("stated", "cell", "ok"),
    [
        (("none",), Cell("none"), True),
        (("none",), Cell("no rows"), True),
        (("no rows",), Cell("none"), False),
        (("all rows",), Cell("rows", ("unconditional",)), True),
        (("all rows",), Cell("rows", ("unconditional",), ("owner",)), False),
        (("unconditional",), Cell("all rows"), False),
        (("owner",), Cell("rows", ("owner",), ("conditional",)), True),
        (("organization", "owner"), Cell("rows", ("organization", "owner")), True),
        (("owner",), Cell("rows", ("organization", "owner")), False),
    ],
)
def test_what_a_stated_cell_accepts(stated: tuple[str, ...], cell: Cell, ok: bool) -> None:
    assert satisfies(stated, cell) is ok


def test_spec_words() -> None:
    assert spec_word("No_Rows") == "no rows"
    assert spec_word("rows: owner") == "owner"
    assert spec_word("public_read") == "public_read"
    assert spec_word(" ALL  rows ") == "all rows"


# --- the command ---------------------------------------------------------------------------


def test_access_command_json_and_table(supa: pgserver.TestDatabase, tmp_path: Path) -> None:
    result = invoke("access", "--dsn", supa.dsn, "--table", "guestbook", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1 and document["commands"] == list(COMMANDS)
    (table,) = document["tables"]
    assert table["table"] == "public.guestbook" and table["rls"] == {
        "enabled": True,
        "forced": False,
    }
    assert list(table["matrix"])[:4] == ["anon", "authenticated", "service_role", "PUBLIC"]
    insert = table["matrix"]["anon"]["insert"]
    assert insert["access"] == "rows: unconditional"
    assert insert["policies"] == ["guestbook_sign"]
    out = tmp_path / "matrix.txt"
    shown = invoke("access", "--dsn", supa.dsn, "-t", "public.notes", "-t", "todos", "-o", str(out))
    assert shown.exit_code == 0, shown.stderr
    assert "public.notes" in shown.stdout and "public.todos" in shown.stdout
    assert "rows: organization, owner" in out.read_text()
    every = invoke("access", "--dsn", supa.dsn, "--format", "json")
    names = [t["table"] for t in json.loads(every.stdout)["tables"]]
    assert "public.todo_titles" in names and len(names) == len(EXPECTED) + 1  # organization_members


def test_access_command_errors(supa: pgserver.TestDatabase) -> None:
    missing = invoke("access", "--dsn", supa.dsn, "--table", "nosuch")
    assert missing.exit_code == 2
    assert "--table public.nosuch: no such table or view" in missing.stderr
    assert invoke("access", "--dsn", supa.dsn, "--table", "a.b.c").exit_code == 2
    assert invoke("access", "--dsn", supa.dsn, "--format", "sarif").exit_code == 2


def test_access_on_a_snapshot_equals_the_database(
    supa: pgserver.TestDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "snap.json"
    assert invoke("snapshot", "--dsn", supa.dsn, "-o", str(path)).exit_code == 0
    live = json.loads(invoke("access", "--dsn", supa.dsn, "--format", "json").stdout)
    offline = json.loads(invoke("access", "--snapshot", str(path), "--format", "json").stdout)
    assert offline["tables"] == live["tables"]


# --- rls.access_matrix in specs ------------------------------------------------------------

TODOS_SPEC = """
table: todos
columns:
  - {name: id, type: int, primary_key: true}
  - {name: user_id, type: uuid}
  - {name: title, type: text, nullable: true}
rls:
  access: [owner]
  access_matrix:
    anon: none
    authenticated: {all: owner}
    service_role: all rows
    public: none
"""

GUESTBOOK_SPEC = """
table: guestbook
columns:
  - {name: id, type: int, primary_key: true}
  - {name: msg, type: text, nullable: true}
rls:
  access_matrix:
    anon: {select: all rows, insert: none, delete: no_rows}
    authenticated:
      select: [owner]
      update: conditional
"""

OPEN_SPEC = """
table: open_notes
columns:
  - {name: id, type: int, primary_key: true}
rls:
  access_matrix:
    anon: {select: none}
"""


def _specs(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def _check(dsn: str, specs: Path) -> tuple[int, list[dict[str, Any]]]:
    result = invoke("check", "--dsn", dsn, "--specs", str(specs), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_a_spec_stating_the_true_matrix_passes(supa: pgserver.TestDatabase, tmp_path: Path) -> None:
    code, findings = _check(supa.dsn, _specs(tmp_path, todos=TODOS_SPEC))
    assert code == 0
    assert [f for f in findings if f["table"] == "public.todos"] == []


def test_a_spec_stating_another_matrix_fails_cell_by_cell(
    supa: pgserver.TestDatabase, tmp_path: Path
) -> None:
    specs = _specs(tmp_path, guestbook=GUESTBOOK_SPEC, open_notes=OPEN_SPEC)
    code, findings = _check(supa.dsn, specs)
    assert code == 1
    mismatches = {f["object"]: f for f in findings if f["kind"] == "rls_matrix_mismatch"}
    assert set(mismatches) == {
        "anon insert",
        "authenticated select",
        "authenticated update",
        "anon select",
    }
    insert = mismatches["anon insert"]
    assert insert["table"] == "public.guestbook"
    assert insert["expected"] == "none" and insert["actual"] == "rows: unconditional"
    assert "grants more than documented" in insert["message"]
    assert "guestbook_sign" in insert["message"]
    assert insert["spec"] == f"{specs / 'guestbook.yaml'}:7"
    assert "grants more than documented" in mismatches["authenticated select"]["message"]
    update = mismatches["authenticated update"]
    assert update["actual"] == "no rows" and "grants less than documented" in update["message"]
    assert update["spec"] == f"{specs / 'guestbook.yaml'}:10"
    # RLS off is the root cause of the open table's mismatch.
    (disabled,) = [f for f in findings if f["kind"] == "rls_disabled"]
    opened = mismatches["anon select"]
    assert opened["table"] == "public.open_notes" and opened["actual"] == "all rows"
    assert opened["caused_by"] == disabled["fingerprint"]


POSTS_SPEC = """
table: posts
columns:
  - {name: id, type: int, primary_key: true}
  - {name: author_id, type: uuid}
  - {name: is_published, type: boolean, nullable: true}
rls:
  access: [owner]
  access_matrix:
    anon: {select: [owner]}
"""


def test_a_disjunction_is_not_read_as_its_narrowest_branch(
    supa: pgserver.TestDatabase, tmp_path: Path
) -> None:
    """`is_published OR auth.uid() = author_id` lets anyone read published rows: a spec
    documenting owner access only must fail, on the cell and on the policy."""
    code, findings = _check(supa.dsn, _specs(tmp_path, posts=POSTS_SPEC))
    assert code == 1
    found = {(f["kind"], f["object"]): f for f in findings if f["table"] == "public.posts"}
    assert set(found) == {
        ("rls_matrix_mismatch", "anon select"),
        ("rls_access_violation", "posts_read"),
    }
    cell = found[("rls_matrix_mismatch", "anon select")]
    assert cell["actual"] == "rows: conditional"
    assert "other access than documented" in cell["message"]
    assert "matches no documented kind" in found[("rls_access_violation", "posts_read")]["message"]
    result = invoke("access", "--dsn", supa.dsn, "--table", "public.posts", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (table,) = json.loads(result.stdout)["tables"]
    assert table["matrix"]["anon"]["select"]["access"] == "rows: conditional"
    assert table["matrix"]["authenticated"]["select"]["access"] == "rows: conditional, owner"


BAD_MATRIX = """
table: todos
rls:
  access_matrix:
    anonymous: none
    anon: {selekt: none, insert: owners, update: [none, owner], delete: []}
    authenticated: 3
    public: {select: [owner, owner]}
    ANON: {select: none}
"""


def test_matrix_errors_are_file_line_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(BAD_MATRIX).lstrip(), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec_file(path, display_path="bad.yaml")
    lines = caught.value.lines()
    text = "\n".join(lines)
    assert "bad.yaml:4: rls.access_matrix.anonymous: unknown role 'anonymous'" in text
    assert "(did you mean 'anon'?)" in text
    assert "bad.yaml:5: rls.access_matrix.anon: unknown command 'selekt'" in text
    assert "bad.yaml:5: rls.access_matrix.anon.insert: unknown access 'owners'" in text
    assert "(did you mean 'owner'?)" in text
    assert "bad.yaml:5: rls.access_matrix.anon.update: 'none' stands alone" in text
    assert "bad.yaml:5: rls.access_matrix.anon.delete: an empty list states nothing" in text
    assert "bad.yaml:6: rls.access_matrix.authenticated: expected an access word" in text
    assert "bad.yaml:7: rls.access_matrix.public.select: 'owner' is listed twice" in text
    # Unquoted names fold to lower case: ANON is anon again.
    assert (
        "bad.yaml:8: rls.access_matrix.ANON: role 'anon' is stated twice (first on line 5)" in lines
    )
    result = invoke("lint", "--specs", str(path))
    assert result.exit_code == 2
    assert f"{path}:4: rls.access_matrix.anonymous: unknown role" in result.stderr


def test_matrix_roles_follow_the_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "table: t\nrls:\n  access_matrix:\n    editor: {all: none, select: [owner, admin]}\n"
        "    anon: {select: null}\n    authenticated:\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match="unknown role 'editor'"):
        load_spec_file(path)
    # An empty value means "not stated", as everywhere in a spec.
    spec = load_spec_file(path, access_roles=("anon", "authenticated", "editor"))
    assert spec.table.rls is not None
    assert spec.table.rls.access_matrix == (
        MatrixCell("editor", "select", ("admin", "owner")),
        MatrixCell("editor", "insert", ("none",)),
        MatrixCell("editor", "update", ("none",)),
        MatrixCell("editor", "delete", ("none",)),
    )
    assert spec.where("access_matrix:editor:select") == f"{path}:4"


def test_json_schema_accepts_the_matrix_and_rejects_unknown_commands() -> None:
    validator = jsonschema.Draft202012Validator(spec_json_schema())
    assert validator.is_valid(yaml.safe_load(textwrap.dedent(TODOS_SPEC)))
    assert validator.is_valid(yaml.safe_load(textwrap.dedent(GUESTBOOK_SPEC)))
    bad = yaml.safe_load("table: t\nrls:\n  access_matrix:\n    anon: {selekt: none}\n")
    assert not validator.is_valid(bad)
