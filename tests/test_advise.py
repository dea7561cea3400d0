"""`schemaverify advise`: every advice kind on a real Supabase-like database that has it,
and on one that does not.

Two databases, each created once per server: FLAGGED holds, per kind, the objects that
must be flagged next to look-alikes that must not (a revoked grant, an unexposed schema,
a restrictive policy, a security_invoker view, a trigger function, an index in another
column order); CLEAN is the same application written the way the advice asks, where
advise must find nothing.  The roles are Supabase's (cluster-wide, so created if absent).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pgserver
from schemaverify.cli import app
from schemaverify.model.findings import KINDS
from schemaverify.model.schema import Catalog
from schemaverify.rules.advise import ADVICE_KINDS, AdviceOptions, advise, per_row_calls
from schemaverify.sources import snapshot
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.specs import patterns as patterns_file

SUPABASE = (
    pgserver.SUPABASE_ROLES_SQL
    + """
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
CREATE SCHEMA private;
CREATE TABLE organization_members (organization_id uuid, user_id uuid,
  PRIMARY KEY (organization_id, user_id));
ALTER TABLE organization_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON organization_members FOR SELECT TO authenticated
  USING (user_id = (select auth.uid()));
CREATE TABLE todos (id int PRIMARY KEY, user_id uuid NOT NULL, title text);
ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY todos_owner ON todos TO authenticated
  USING ((select auth.uid()) = user_id) WITH CHECK ((select auth.uid()) = user_id);
CREATE TABLE private.internal (id int PRIMARY KEY);
CREATE TABLE backend_only (id int PRIMARY KEY);
"""
)

GRANTS = """
GRANT USAGE ON SCHEMA public, private, auth TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public, private TO anon, authenticated, service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public, private TO anon, authenticated, service_role;
REVOKE ALL ON backend_only FROM anon, authenticated;
"""

FLAGGED = (
    SUPABASE
    + """
CREATE TABLE open_notes (id int PRIMARY KEY, body text);

CREATE TABLE guestbook (id int PRIMARY KEY, msg text);
ALTER TABLE guestbook ENABLE ROW LEVEL SECURITY;
CREATE POLICY guestbook_read ON guestbook FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY guestbook_sign ON guestbook FOR INSERT TO anon WITH CHECK (true);
CREATE TABLE wiki (id int PRIMARY KEY, body text);
ALTER TABLE wiki ENABLE ROW LEVEL SECURITY;
CREATE POLICY wiki_anyone ON wiki USING (true);
-- not flagged: a restrictive policy narrows the write; anon lacks the privilege
CREATE TABLE signups (id int PRIMARY KEY, captcha_ok boolean NOT NULL);
ALTER TABLE signups ENABLE ROW LEVEL SECURITY;
CREATE POLICY signups_insert ON signups FOR INSERT TO anon WITH CHECK (true);
CREATE POLICY signups_captcha ON signups AS RESTRICTIVE FOR INSERT TO anon
  WITH CHECK (captcha_ok);
CREATE TABLE feedback (id int PRIMARY KEY);
ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY feedback_insert ON feedback FOR INSERT TO anon WITH CHECK (true);

CREATE TABLE service_queue (id int PRIMARY KEY);
ALTER TABLE service_queue ENABLE ROW LEVEL SECURITY;

-- anonymous sign-ins hold `authenticated`; the specs of posts and reviews forbid their writes
CREATE TABLE posts (id int PRIMARY KEY, author uuid);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY posts_read ON posts FOR SELECT TO authenticated USING (true);
CREATE POLICY posts_write ON posts FOR INSERT TO authenticated
  WITH CHECK (author = (select auth.uid()));
CREATE POLICY posts_edit ON posts FOR UPDATE TO authenticated
  USING (author = (select auth.uid()) AND NOT (select (auth.jwt() ->> 'is_anonymous')::boolean));
CREATE TABLE reviews (id int PRIMARY KEY, author uuid);
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY reviews_write ON reviews TO authenticated USING (author = (select auth.uid()));
CREATE POLICY reviews_not_anonymous ON reviews AS RESTRICTIVE TO authenticated
  USING ((select (auth.jwt() ->> 'is_anonymous')::boolean) IS FALSE);
CREATE TABLE drafts (id int PRIMARY KEY, author uuid);
ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
CREATE POLICY drafts_write ON drafts FOR INSERT TO authenticated
  WITH CHECK (author = (select auth.uid()));

CREATE TABLE projects (id int PRIMARY KEY, owner_id uuid, organization_id uuid, tenant text);
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_own ON projects FOR SELECT TO authenticated
  USING (auth.uid() = owner_id);
CREATE POLICY projects_org ON projects FOR SELECT TO authenticated
  USING (organization_id IN (SELECT organization_id FROM organization_members
                             WHERE user_id = auth.uid()));
CREATE POLICY projects_tenant ON projects FOR INSERT TO authenticated
  WITH CHECK (tenant = current_setting('app.tenant') AND owner_id = (select auth.uid()));
-- the service role bypasses RLS: its policies never run, two of them cost nothing
CREATE POLICY projects_service_a ON projects FOR SELECT TO service_role USING (true);
CREATE POLICY projects_service_b ON projects FOR SELECT TO service_role USING (true);

CREATE VIEW todo_titles AS SELECT id, title FROM todos;
CREATE VIEW safe_titles WITH (security_invoker = true) AS SELECT id, title FROM todos;
CREATE VIEW private.all_todos AS SELECT * FROM todos;

CREATE FUNCTION public.todo_count(who uuid) RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS $$ SELECT count(*) FROM public.todos WHERE user_id = who $$;
CREATE FUNCTION public.safe_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  SET search_path = '' AS $$ SELECT count(*) FROM public.todos $$;
CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = '' AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION public.plain_count() RETURNS bigint LANGUAGE sql
  AS $$ SELECT count(*) FROM public.todos $$;
CREATE FUNCTION private.purge() RETURNS void LANGUAGE sql SECURITY DEFINER
  SET search_path = '' AS $$ DELETE FROM public.todos $$;
CREATE FUNCTION private.unsafe_purge() RETURNS void LANGUAGE sql SECURITY DEFINER
  AS $$ DELETE FROM public.todos $$;

CREATE TABLE private.comments (id int PRIMARY KEY, todo_id int REFERENCES todos (id));
CREATE TABLE private.attachments (id int PRIMARY KEY, todo_id int REFERENCES todos (id),
  added timestamptz);
CREATE INDEX attachments_todo ON private.attachments (todo_id, added);
CREATE TABLE private.memberships (organization_id uuid, user_id uuid,
  PRIMARY KEY (user_id, organization_id),
  FOREIGN KEY (organization_id, user_id) REFERENCES organization_members);
CREATE TABLE private.labels (id int PRIMARY KEY, todo_id int REFERENCES todos (id));
CREATE INDEX labels_todo_partial ON private.labels (todo_id) WHERE todo_id IS NOT NULL;
CREATE TABLE private.tags (id int PRIMARY KEY, todo_id int REFERENCES todos (id));
CREATE INDEX tags_todo ON private.tags USING hash (todo_id);

CREATE TABLE private.events (id int PRIMARY KEY, kind text, at timestamptz);
CREATE INDEX events_kind ON private.events (kind);
CREATE INDEX events_kind_again ON private.events (kind);
CREATE INDEX events_kind_desc ON private.events (kind DESC);
CREATE INDEX events_kind_recent ON private.events (kind) WHERE at > '2025-01-01';
CREATE INDEX events_kind_at ON private.events (kind, at);
CREATE UNIQUE INDEX events_id_copy ON private.events (id);
"""
    + GRANTS
    + """
REVOKE EXECUTE ON FUNCTION public.safe_count() FROM PUBLIC, anon, authenticated;
REVOKE INSERT ON feedback FROM anon;
-- Written for Supabase's old automatic grants: the policies are there, the grants are not
-- (anon has none; authenticated reads through a role it belongs to, so that one applies).
CREATE TABLE ungranted (id int PRIMARY KEY);
ALTER TABLE ungranted ENABLE ROW LEVEL SECURITY;
CREATE POLICY ungranted_read ON ungranted FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY ungranted_all ON ungranted FOR UPDATE TO anon USING (true);
DO $$ BEGIN CREATE ROLE readers NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT readers TO authenticated;
GRANT SELECT ON ungranted TO readers;
"""
)

CLEAN = (
    SUPABASE
    + """
CREATE TABLE guestbook (id int PRIMARY KEY, author uuid, msg text);
ALTER TABLE guestbook ENABLE ROW LEVEL SECURITY;
CREATE POLICY guestbook_read ON guestbook FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY guestbook_sign ON guestbook FOR INSERT TO authenticated
  WITH CHECK (author = (select auth.uid()));
CREATE TABLE service_queue (id int PRIMARY KEY);
ALTER TABLE service_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_only ON service_queue TO service_role USING (true);
CREATE TABLE posts (id int PRIMARY KEY, author uuid);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY posts_write ON posts FOR ALL TO authenticated
  USING (author = (select auth.uid()) AND (select auth.jwt() ->> 'is_anonymous') = 'false')
  WITH CHECK (author = (select auth.uid())
              AND coalesce((select (auth.jwt() ->> 'is_anonymous')::boolean), false) = false);
CREATE VIEW todo_titles WITH (security_invoker = true) AS SELECT id, title FROM todos;
CREATE FUNCTION public.todo_count() RETURNS bigint LANGUAGE sql
  AS $$ SELECT count(*) FROM public.todos $$;
CREATE FUNCTION private.purge() RETURNS void LANGUAGE sql SECURITY DEFINER
  SET search_path = '' AS $$ DELETE FROM public.todos $$;
CREATE TABLE private.comments (id int PRIMARY KEY, todo_id int REFERENCES todos (id));
CREATE INDEX comments_todo ON private.comments (todo_id);
CREATE TABLE private.events (id int PRIMARY KEY, kind text, at timestamptz);
CREATE INDEX events_kind ON private.events (kind);
CREATE INDEX events_kind_at ON private.events (kind, at DESC);
"""
    + GRANTS
)

SCHEMAS = ["public", "private"]

# kind -> (table, object) pairs advise must report on FLAGGED with `public` exposed.
EXPECTED: dict[str, set[tuple[str, str | None]]] = {
    "rls_disabled_in_exposed_schema": {("public.open_notes", None)},
    "policy_anon_write": {("public.guestbook", "guestbook_sign"), ("public.wiki", "wiki_anyone")},
    "policy_anonymous_write": {("public.posts", "posts_write")},
    "rls_enabled_no_policy": {("public.service_queue", None)},
    "policy_role_without_privilege": {
        ("public.feedback", "feedback_insert"),
        ("public.ungranted", "ungranted_read"),
        ("public.ungranted", "ungranted_all"),
    },
    "multiple_permissive_policies": {("public.projects", "authenticated select")},
    "auth_rls_initplan": {
        ("public.projects", "projects_own"),
        ("public.projects", "projects_org"),
        ("public.projects", "projects_tenant"),
    },
    "security_definer_view": {("public.todo_titles", None)},
    "security_definer_function": {("public.todo_count", "todo_count(who uuid)")},
    "function_search_path_mutable": {
        ("public.todo_count", "todo_count(who uuid)"),
        ("private.unsafe_purge", "unsafe_purge()"),
    },
    "fk_without_index": {("private.comments", "todo_id"), ("private.labels", "todo_id")},
    "duplicate_index": {
        ("private.events", "events_id_copy, events_pkey"),
        ("private.events", "events_kind, events_kind_again"),
    },
}


@pytest.fixture(scope="module")
def flagged(pg_server: pgserver.Server) -> Iterator[pgserver.TestDatabase]:
    database = pg_server.create_database()
    try:
        database.run(FLAGGED)
        yield database
    finally:
        pg_server.drop_database(database.name)


@pytest.fixture(scope="module")
def clean(pg_server: pgserver.Server) -> Iterator[pgserver.TestDatabase]:
    database = pg_server.create_database()
    try:
        database.run(CLEAN)
        yield database
    finally:
        pg_server.drop_database(database.name)


@pytest.fixture(scope="module")
def flagged_catalog(flagged: pgserver.TestDatabase) -> Catalog:
    return read_catalog(flagged.dsn, SCHEMAS)


@pytest.fixture(scope="module")
def clean_catalog(clean: pgserver.TestDatabase) -> Catalog:
    return read_catalog(clean.dsn, SCHEMAS)


GUARDED = frozenset({"public.posts", "public.reviews"})
"""Tables whose specs say `rls.anonymous_writes: false` (see _guarded_specs)."""


@pytest.fixture(scope="module")
def options() -> AdviceOptions:
    return AdviceOptions(patterns=patterns_file.load_patterns(), no_anonymous_writes=GUARDED)


def _guarded_specs(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for qualified in GUARDED:
        name = qualified.split(".")[1]
        (folder / f"{name}.yaml").write_text(
            f"table: {name}\ncolumns:\n  - name: id\n    type: integer\n"
            "rls:\n  enabled: true\n  anonymous_writes: false\n",
            encoding="utf-8",
        )
    return folder


def _found(catalog: Catalog, options: AdviceOptions, kind: str) -> set[tuple[str, str | None]]:
    return {(f.table, f.object) for f in advise(catalog, options) if f.kind == kind}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_every_advice_kind_has_a_check_and_an_expectation() -> None:
    assert tuple(EXPECTED) == ADVICE_KINDS
    assert all(kind in KINDS for kind in ADVICE_KINDS)
    kinds = list(KINDS)
    # CHECKS run in the order of the kinds table, after the kinds of `check`.
    assert [kinds.index(k) for k in ADVICE_KINDS] == sorted(kinds.index(k) for k in ADVICE_KINDS)


@pytest.mark.parametrize("kind", ADVICE_KINDS)
def test_kind_is_flagged_exactly_where_the_database_has_it(
    kind: str, flagged_catalog: Catalog, options: AdviceOptions
) -> None:
    assert _found(flagged_catalog, options, kind) == EXPECTED[kind]


@pytest.mark.parametrize("kind", ADVICE_KINDS)
def test_kind_is_not_flagged_where_the_database_does_not_have_it(
    kind: str, clean_catalog: Catalog, options: AdviceOptions
) -> None:
    assert _found(clean_catalog, options, kind) == set()


def test_exposing_another_schema_extends_the_exposure_checks(
    flagged_catalog: Catalog, options: AdviceOptions
) -> None:
    wider = AdviceOptions(patterns=options.patterns, exposed_schemas=("public", "private"))
    found = {(f.kind, f.table, f.object) for f in advise(flagged_catalog, wider)}
    assert ("rls_disabled_in_exposed_schema", "private.internal", None) in found
    assert ("rls_disabled_in_exposed_schema", "private.comments", None) in found
    assert ("security_definer_view", "private.all_todos", None) in found
    assert ("security_definer_function", "private.unsafe_purge", "unsafe_purge()") in found
    assert ("security_definer_function", "private.purge", "purge()") in found
    # Exposure does not change the per-object checks.
    assert {(t, o) for k, t, o in found if k == "fk_without_index"} == EXPECTED["fk_without_index"]


def test_messages_give_the_reason_and_the_fix(
    flagged_catalog: Catalog, options: AdviceOptions
) -> None:
    by_key = {(f.kind, f.object): f for f in advise(flagged_catalog, options)}
    write = by_key["policy_anon_write", "wiki_anyone"]
    assert "anon INSERT, UPDATE, DELETE any row of public.wiki" in write.message
    assert write.severity == "error"
    initplan = by_key["auth_rls_initplan", "projects_tenant"]
    assert "current_setting() in WITH CHECK" in initplan.message
    assert by_key["auth_rls_initplan", "projects_own"].expected == "(select auth.uid())"
    view = by_key["security_definer_view", None]
    assert "anon, authenticated may read it" in view.message
    assert "security_invoker = true" in view.message
    duplicate = by_key["duplicate_index", "events_id_copy, events_pkey"]
    assert "keep events_pkey" in duplicate.message
    fk = by_key["fk_without_index", "todo_id"]
    assert fk.table in ("private.comments", "private.labels")
    assert "-> public.todos" in fk.message


def test_per_row_calls_on_the_text_postgresql_stores(flagged_catalog: Catalog) -> None:
    projects = flagged_catalog.table("public.projects")
    todos = flagged_catalog.table("public.todos")
    assert projects is not None and projects.rls is not None
    assert todos is not None and todos.rls is not None
    policies = {p.name: p for p in projects.rls.policies}
    assert per_row_calls(policies["projects_own"].using) == ["auth.uid()"]
    # Inside a subquery with FROM the call still runs per row of that subquery.
    assert per_row_calls(policies["projects_org"].using) == ["auth.uid()"]
    assert per_row_calls(policies["projects_tenant"].with_check) == ["current_setting()"]
    (owner,) = todos.rls.policies
    assert owner.using is not None and "SELECT" in owner.using.upper()
    assert per_row_calls(owner.using) == [] and per_row_calls(owner.with_check) == []


# --- the command -----------------------------------------------------------------------


def _advise_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = invoke("advise", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_command_reports_advice_in_the_check_formats(
    flagged: pgserver.TestDatabase, tmp_path: Path
) -> None:
    sarif = tmp_path / "advice.sarif"
    specs = str(_guarded_specs(tmp_path / "specs"))
    code, report = _advise_json(
        "--dsn", flagged.dsn, "--schema", "private", "--output", f"sarif={sarif}", "--specs", specs
    )
    assert code == 1  # errors at the default --fail-on error
    found = {(f["kind"], f["table"], f["object"]) for f in report["findings"]}
    expected = {(k, t, o) for k, pairs in EXPECTED.items() for t, o in pairs}
    assert found == expected
    assert report["specs"] is None and report["summary"]["fail_on"] == "error"
    rules = {r["id"] for r in json.loads(sarif.read_text())["runs"][0]["tool"]["driver"]["rules"]}
    assert set(EXPECTED) <= rules
    never = invoke("advise", "--dsn", flagged.dsn, "--fail-on", "never")
    assert never.exit_code == 0
    assert "policy_anon_write" in never.stdout
    # without --specs no table forbids anonymous writes
    assert "policy_anonymous_write" not in never.stdout


def test_command_reads_the_default_specs_folder_when_it_exists(
    flagged: pgserver.TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("advise", "--dsn", flagged.dsn, "--fail-on", "never").exit_code == 0
    _guarded_specs(tmp_path / "specs")
    _, report = _advise_json("--dsn", flagged.dsn, "--schema", "private", "--fail-on", "never")
    assert "policy_anonymous_write" in {f["kind"] for f in report["findings"]}
    missing = invoke("advise", "--dsn", flagged.dsn, "--specs", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2, missing.stderr


def test_command_on_a_clean_database_passes(clean: pgserver.TestDatabase, tmp_path: Path) -> None:
    specs = str(_guarded_specs(tmp_path / "specs"))
    code, report = _advise_json(
        "--dsn", clean.dsn, "--schema", "private", "--fail-on", "info", "--specs", specs
    )
    assert code == 0
    assert report["findings"] == []


def test_severity_configuration_and_exposed_schemas(
    flagged: pgserver.TestDatabase, tmp_path: Path
) -> None:
    config = tmp_path / "schemaverify.toml"
    config.write_text(
        '[severity]\nrls_disabled_in_exposed_schema = "info"\nfk_without_index = "error"\n',
        encoding="utf-8",
    )
    _, report = _advise_json(
        "--dsn", flagged.dsn, "--config", str(config), "--exposed-schema", "private"
    )
    severities = {(f["kind"], f["table"]): f["severity"] for f in report["findings"]}
    # --exposed-schema replaces the default: public is no longer exposed, private is.
    assert ("rls_disabled_in_exposed_schema", "public.open_notes") not in severities
    assert severities["rls_disabled_in_exposed_schema", "private.internal"] == "info"
    assert severities["fk_without_index", "private.comments"] == "error"


def test_baseline_silences_recorded_advice(flagged: pgserver.TestDatabase, tmp_path: Path) -> None:
    recorded = tmp_path / "advice-baseline.json"
    result = invoke("advise", "--dsn", flagged.dsn, "--write-baseline", str(recorded))
    assert result.exit_code == 0, result.stderr
    entries = json.loads(recorded.read_text())["entries"]
    assert "public.wiki|policy_anon_write|wiki_anyone" in {e["fingerprint"] for e in entries}
    code, report = _advise_json("--dsn", flagged.dsn, "--baseline", str(recorded))
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["baselined"] == len(entries)
    both = invoke(
        "advise", "--dsn", flagged.dsn, "--baseline", str(recorded), "--write-baseline", "x"
    )
    assert both.exit_code == 2


def test_snapshot_gives_the_same_advice(flagged: pgserver.TestDatabase, tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    taken = invoke(
        "snapshot", "--dsn", flagged.dsn, "-s", "public", "-s", "private", "-o", str(path)
    )
    assert taken.exit_code == 0, taken.stderr
    catalog = snapshot.read(path)
    assert catalog.roles and catalog.functions  # roles and functions are recorded
    _, live = _advise_json("--dsn", flagged.dsn, "--schema", "private")
    _, offline = _advise_json("--snapshot", str(path), "--schema", "private")
    assert offline["findings"] == live["findings"]
    # A snapshot read for fewer schemas keeps only their functions.
    restricted = snapshot.restrict(catalog, ["public"], str(path))
    assert {f.schema for f in restricted.functions} == {"public"}
