"""RLS access classification, on policies PostgreSQL really stored.

Every policy is created in one real database and read back from pg_policy
with pg_get_expr, so the classifier sees the text the catalog reader will
give it (`( SELECT auth.uid() AS uid)`, `'service_role'::text`, ...), not
text a test author imagined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from schemaverify.errors import SpecError
from schemaverify.model.normalize import expression
from schemaverify.model.schema import Policy
from schemaverify.rules.access import (
    SERVICE_ROLE,
    AccessPatterns,
    classify_policy,
    effective_roles,
    granted_kinds,
    violations,
)
from schemaverify.sources.specs import patterns as patterns_file
from schemaverify.sources.specs.patterns import load_patterns

if TYPE_CHECKING:
    from pgserver import Server

SETUP = """
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END LOOP;
END $$;

CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'anon'::text $$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT false $$;
CREATE FUNCTION user_in_organization(uuid) RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT false $$;
CREATE FUNCTION has_domain_access(uuid) RETURNS boolean LANGUAGE sql STABLE
  AS $$ SELECT false $$;

CREATE TABLE organization_members (organization_id uuid, user_id uuid, role text);
CREATE TABLE team_members (team_id uuid, user_id uuid, role text);
CREATE TABLE projects (id uuid, owner_id uuid, org_id uuid);
CREATE TABLE orgs (id uuid, owner_id uuid);
CREATE TABLE org_users (org uuid, user_id uuid);

CREATE TABLE docs (
  id uuid, user_id uuid, organization_id uuid, organization_name text, team_id uuid,
  domain_id uuid, org uuid, note text, body text, project_id uuid
);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;

-- organization
CREATE POLICY org_in ON docs TO authenticated USING (organization_id IN (
  SELECT organization_id FROM organization_members WHERE user_id = auth.uid()));
CREATE POLICY org_exists ON docs FOR SELECT TO authenticated USING (EXISTS (
  SELECT 1 FROM organization_members m
  WHERE m.user_id = (select auth.uid()) AND m.organization_id = docs.organization_id));
CREATE POLICY org_fn ON docs FOR UPDATE TO authenticated
  USING (user_in_organization(team_id)) WITH CHECK (user_in_organization(team_id));
-- a role test inside the expression narrows TO public down to authenticated
CREATE POLICY org_role_test ON docs TO public USING (
  auth.role() = 'authenticated' AND organization_id IN (
    SELECT organization_id FROM organization_members WHERE user_id = auth.uid()));
-- domain, admin
CREATE POLICY domain_fn ON docs TO authenticated USING (has_domain_access(domain_id));
CREATE POLICY admin_fn ON docs TO authenticated USING (is_admin());
CREATE POLICY admin_public ON docs FOR DELETE TO public USING (is_admin());
-- owner, both spellings of auth.uid()
CREATE POLICY owner_plain ON docs TO authenticated USING (auth.uid() = user_id);
CREATE POLICY owner_select ON docs TO authenticated USING ((select auth.uid()) = user_id);
CREATE POLICY owner_insert ON docs FOR INSERT TO authenticated
  WITH CHECK (user_id = (select auth.uid()));
-- public_read
CREATE POLICY read_anon ON docs FOR SELECT TO anon USING (true);
CREATE POLICY read_public ON docs FOR SELECT TO public USING (true);
CREATE POLICY read_all_anon ON docs FOR ALL TO anon, authenticated USING (true);
-- service role, by TO clause and by each spelling of a role test
CREATE POLICY svc_to ON docs TO service_role USING (true) WITH CHECK (true);
CREATE POLICY svc_role_fn ON docs TO public USING (auth.role() = 'service_role');
CREATE POLICY svc_jwt ON docs TO public USING ((auth.jwt() ->> 'role') = 'service_role');
CREATE POLICY svc_setting ON docs TO public
  USING (current_setting('request.jwt.claims', true)::json ->> 'role' = 'service_role');
CREATE POLICY svc_current_user ON docs TO public USING (current_user = 'service_role');
CREATE POLICY svc_select_role ON docs TO authenticated
  USING ((select auth.role()) = 'service_role');
CREATE POLICY svc_conjunct ON docs FOR ALL TO public
  USING (auth.role() = 'service_role' AND organization_id IS NOT NULL)
  WITH CHECK ('service_role' = auth.role());
-- admin as a test of a role value (= ANY is stored; IN is what we read)
CREATE POLICY admin_member_role ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM organization_members om WHERE om.organization_id = docs.organization_id
  AND om.user_id = auth.uid() AND om.role IN ('admin', 'owner')));
CREATE POLICY admin_any_array ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM team_members tm WHERE tm.user_id = (select auth.uid())
  AND tm.role = ANY (ARRAY['admin', 'owner'])));
CREATE POLICY admin_eq ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM team_members tm WHERE tm.user_id = auth.uid() AND 'admin' = tm.role));
CREATE POLICY admin_app_metadata ON docs TO authenticated
  USING ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
CREATE POLICY admin_claim ON docs TO authenticated USING ((auth.jwt() ->> 'user_role') = 'owner');
-- the service role, as the whole comparison in a sub-select, with a cast, as a setting
CREATE POLICY svc_whole_select ON docs TO public
  USING ((SELECT (auth.jwt() ->> 'role') = 'service_role'));
CREATE POLICY svc_cast ON docs TO public USING ((auth.jwt() ->> 'role')::text = 'service_role');
CREATE POLICY svc_claim_setting ON docs TO public
  USING (current_setting('request.jwt.claim.role', true) = 'service_role');
-- ownership through the parent (and grandparent) row
CREATE POLICY parent_exists ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM projects p WHERE p.id = docs.project_id AND p.owner_id = (select auth.uid())));
CREATE POLICY parent_in ON docs TO authenticated USING (project_id IN (
  SELECT id FROM projects WHERE owner_id = auth.uid()));
CREATE POLICY grandparent ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM projects p WHERE p.id = docs.project_id AND EXISTS (
    SELECT 1 FROM orgs o WHERE o.id = p.org_id AND o.owner_id = auth.uid())));
-- negatives
CREATE POLICY member_or_admin ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM team_members tm WHERE tm.user_id = auth.uid()
  AND tm.role IN ('member', 'admin')));
CREATE POLICY user_metadata_role ON docs TO authenticated
  USING ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
CREATE POLICY any_project_owner ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM projects p WHERE p.owner_id = auth.uid()));
CREATE POLICY parent_by_other_column ON docs TO authenticated USING (EXISTS (
  SELECT 1 FROM projects p WHERE p.org_id = docs.team_id AND p.owner_id = auth.uid()));
CREATE POLICY role_literal_column ON docs TO authenticated USING (note = 'admin');
CREATE POLICY svc_or ON docs TO public USING (auth.role() = 'service_role' OR note = 'x');
CREATE POLICY svc_read_only_check ON docs FOR ALL TO public
  USING (auth.role() = 'service_role') WITH CHECK (true);
CREATE POLICY auth_true ON docs FOR SELECT TO authenticated USING (true);
CREATE POLICY restrictive_anon ON docs AS RESTRICTIVE FOR SELECT TO anon USING (true);
CREATE POLICY literal_names ON docs TO authenticated
  USING (note = 'organization_members' OR body = 'admin domain organization_id');
CREATE POLICY org_name_col ON docs TO authenticated USING (organization_name = 'acme');
CREATE POLICY anon_owner ON docs TO anon USING (auth.uid() = user_id);
CREATE POLICY uid_not_null ON docs TO authenticated USING (auth.uid() IS NOT NULL);
CREATE POLICY owner_in_subquery ON docs TO authenticated USING (id IN (
  SELECT d.id FROM docs d WHERE d.user_id = auth.uid()));
CREATE POLICY team ON docs TO authenticated USING (team_id IN (
  SELECT team_id FROM team_members WHERE user_id = auth.uid()));
CREATE POLICY org_users_pol ON docs TO authenticated USING (org IN (
  SELECT org FROM org_users WHERE user_id = auth.uid()));
CREATE POLICY nobody ON docs TO public
  USING (auth.role() = 'anon' AND current_user = 'service_role');
CREATE POLICY user_role_claim ON docs TO public USING ((auth.jwt() ->> 'user_role') = 'manager');

-- tables for table-level verdicts
CREATE TABLE closed (id int);
ALTER TABLE closed ENABLE ROW LEVEL SECURITY;
CREATE TABLE closed_with_service (id int, organization_id uuid);
ALTER TABLE closed_with_service ENABLE ROW LEVEL SECURITY;
CREATE POLICY svc ON closed_with_service TO public USING (auth.role() = 'service_role');
CREATE POLICY svc2 ON closed_with_service TO service_role USING (true);
CREATE POLICY lim ON closed_with_service AS RESTRICTIVE TO anon USING (organization_id IS NULL);
CREATE POLICY custom ON closed_with_service TO pg_monitor USING (true);
CREATE TABLE leaky (id int);
ALTER TABLE leaky ENABLE ROW LEVEL SECURITY;
CREATE POLICY leak ON leaky FOR SELECT TO public USING (true);
CREATE TABLE rls_off (id int);
CREATE POLICY ignored ON rls_off FOR SELECT TO anon USING (true);
"""

READ_POLICIES = """
SELECT c.relname, c.relrowsecurity, p.polname,
       CASE p.polcmd WHEN '*' THEN 'all' WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert'
                     WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' END,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END
             FROM unnest(p.polroles) AS r ORDER BY 1),
       p.polpermissive,
       pg_get_expr(p.polqual, p.polrelid),
       pg_get_expr(p.polwithcheck, p.polrelid)
FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname, p.polname
"""


@dataclass(frozen=True)
class LiveTables:
    policies: dict[str, Policy]
    """Every policy of every table, by name (names are unique in SETUP)."""
    tables: dict[str, tuple[bool, tuple[Policy, ...]]]
    """Table name -> (RLS enabled, its policies)."""


@pytest.fixture(scope="module")
def live(pg_server: Server) -> Iterator[LiveTables]:
    database = pg_server.create_database()
    try:
        database.run(SETUP)
        rows = database.query(READ_POLICIES)
    finally:
        pg_server.drop_database(database.name)
    policies: dict[str, Policy] = {}
    tables: dict[str, tuple[bool, list[Policy]]] = {}
    for table, enabled, name, command, roles, permissive, using, check in rows:
        entry = tables.setdefault(str(table), (bool(enabled), []))
        if name is None:
            continue
        assert isinstance(roles, list)
        policy = Policy(
            name=str(name),
            command=str(command),
            roles=tuple(str(r) for r in roles),
            permissive=bool(permissive),
            using=expression(str(using)) if using is not None else None,
            with_check=expression(str(check)) if check is not None else None,
        )
        policies[policy.name] = policy
        entry[1].append(policy)
    yield LiveTables(policies, {t: (e, tuple(ps)) for t, (e, ps) in tables.items()})


@pytest.fixture(scope="module")
def patterns() -> AccessPatterns:
    return load_patterns()


def test_catalog_really_rewrote_the_policies(live: LiveTables) -> None:
    """Guard: the classifier below is fed PostgreSQL's spelling, not ours."""
    assert live.policies["owner_select"].using == "(SELECT auth.uid()) = user_id"
    assert live.policies["svc_current_user"].using == "CURRENT_USER = 'service_role'"
    assert len(live.policies) >= 35


@pytest.mark.parametrize(
    ("policy", "kinds"),
    [
        ("org_in", {"organization"}),
        ("org_exists", {"organization"}),
        ("org_fn", {"organization"}),
        ("org_role_test", {"organization"}),
        ("domain_fn", {"domain"}),
        ("admin_fn", {"admin"}),
        ("admin_public", {"admin"}),
        ("owner_plain", {"owner"}),
        ("owner_select", {"owner"}),
        ("owner_insert", {"owner"}),
        ("read_anon", {"public_read"}),
        ("read_public", {"public_read"}),
        ("read_all_anon", {"public_read"}),
        ("svc_to", {SERVICE_ROLE}),
        ("svc_role_fn", {SERVICE_ROLE}),
        ("svc_jwt", {SERVICE_ROLE}),
        ("svc_setting", {SERVICE_ROLE}),
        ("svc_current_user", {SERVICE_ROLE}),
        ("svc_select_role", {SERVICE_ROLE}),
        ("svc_conjunct", {SERVICE_ROLE}),
        ("svc_whole_select", {SERVICE_ROLE}),
        ("svc_cast", {SERVICE_ROLE}),
        ("svc_claim_setting", {SERVICE_ROLE}),
        # admin: a role value tested in a membership subquery or a backend-set claim
        ("admin_member_role", {"organization", "admin"}),
        ("admin_any_array", {"admin"}),
        ("admin_eq", {"admin"}),
        ("admin_app_metadata", {"admin"}),
        ("admin_claim", {"admin"}),
        # ownership through the row's parent, picked by its key
        ("parent_exists", {"owner"}),
        ("parent_in", {"owner"}),
        ("grandparent", {"owner"}),
        ("owner_in_subquery", {"owner"}),  # the row's own id among the caller's rows
        # negatives: nothing, or not what the names in them suggest
        ("svc_or", set()),
        ("svc_read_only_check", set()),
        ("auth_true", set()),
        ("restrictive_anon", set()),
        ("literal_names", set()),
        ("org_name_col", set()),
        ("anon_owner", set()),
        ("uid_not_null", set()),
        ("member_or_admin", set()),  # members pass it too
        ("user_metadata_role", set()),  # a claim the user may set
        ("any_project_owner", set()),  # owning any project opens every row
        ("parent_by_other_column", set()),  # many projects, not the row's parent
        ("role_literal_column", set()),
        ("team", set()),
        ("org_users_pol", set()),
        ("user_role_claim", set()),
        ("nobody", set()),
    ],
)
def test_classify_policy(
    live: LiveTables, patterns: AccessPatterns, policy: str, kinds: set[str]
) -> None:
    assert classify_policy(live.policies[policy], patterns) == kinds


@pytest.mark.parametrize(
    ("policy", "roles"),
    [
        ("owner_plain", {"authenticated"}),
        ("read_public", {"public"}),
        ("read_all_anon", {"anon", "authenticated"}),
        ("svc_to", {"service_role"}),
        ("svc_role_fn", {"service_role"}),
        ("svc_jwt", {"service_role"}),
        ("svc_setting", {"service_role"}),
        ("svc_current_user", {"service_role"}),
        # whatever the TO clause says
        ("svc_select_role", {"service_role"}),
        ("svc_conjunct", {"service_role"}),
        ("org_role_test", {"authenticated"}),
        # an OR does not restrict; an open WITH CHECK lets PUBLIC insert
        ("svc_or", {"public"}),
        ("svc_read_only_check", {"public"}),
        # contradictory role tests: nobody
        ("nobody", set()),
    ],
)
def test_effective_roles(
    live: LiveTables, patterns: AccessPatterns, policy: str, roles: set[str]
) -> None:
    assert effective_roles(live.policies[policy], patterns) == roles


def _table(live: LiveTables, name: str) -> tuple[bool, tuple[Policy, ...]]:
    return live.tables[name]


def test_service_role_only_tables(live: LiveTables, patterns: AccessPatterns) -> None:
    for name in ("closed", "closed_with_service"):
        enabled, policies = _table(live, name)
        assert enabled
        assert granted_kinds(enabled, policies, patterns) == {"service_role_only"}, name
        assert violations(["service_role_only"], enabled, policies, patterns) == [], name


def test_public_policy_breaks_service_role_only(live: LiveTables, patterns: AccessPatterns) -> None:
    enabled, policies = _table(live, "leaky")
    assert granted_kinds(enabled, policies, patterns) == {"public_read"}
    found = violations(["service_role_only"], enabled, policies, patterns)
    assert [(o.policy.name, o.reason, o.forbidden) for o in found] == [
        ("leak", "lets public reach rows of a table documented as service_role_only", True)
    ]


def test_rls_off_grants_nothing_and_reports_nothing(
    live: LiveTables, patterns: AccessPatterns
) -> None:
    enabled, policies = _table(live, "rls_off")
    assert not enabled and policies
    assert granted_kinds(enabled, policies, patterns) == frozenset()
    assert violations(["service_role_only"], enabled, policies, patterns) == []


def test_granted_kinds_union(live: LiveTables, patterns: AccessPatterns) -> None:
    pick = ["org_in", "owner_select", "svc_jwt", "restrictive_anon", "svc_or"]
    policies = [live.policies[n] for n in pick]
    assert granted_kinds(True, policies, patterns) == {"organization", "owner"}


def test_violations_on_an_organization_table(live: LiveTables, patterns: AccessPatterns) -> None:
    names = [
        "org_in",  # documented
        "org_role_test",  # documented, role narrowed by expression
        "read_anon",  # public_read: not documented
        "auth_true",  # unconditional for authenticated
        "svc_role_fn",  # service role only: never a violation
        "svc_to",
        "restrictive_anon",  # restrictive: grants nothing
        "admin_fn",  # another kind
    ]
    policies = [live.policies[n] for n in names]
    outside = {o.policy.name: o for o in violations(["organization"], True, policies, patterns)}
    found = {name: o.reason for name, o in outside.items()}
    assert set(found) == {"read_anon", "auth_true", "admin_fn"}
    # Every row to anon, rows nobody can classify: forbidden. admin_fn (FOR ALL) writes.
    assert {name: o.forbidden for name, o in outside.items()} == {
        "read_anon": True,
        "auth_true": True,
        "admin_fn": True,
    }
    assert found["read_anon"] == (
        "grants public_read access to anon, which the spec does not document "
        "(documented: organization)"
    )
    assert found["auth_true"].startswith(
        "grants authenticated access that matches no documented kind (documented: organization)"
    )
    assert "USING TRUE" in found["auth_true"]
    assert "grants admin access" in found["admin_fn"]


def test_service_role_only_flags_every_client_policy(
    live: LiveTables, patterns: AccessPatterns
) -> None:
    names = [
        "org_in",
        "svc_role_fn",
        "svc_setting",
        "svc_or",
        "restrictive_anon",
        "svc_to",
        "nobody",
    ]
    policies = [live.policies[n] for n in names]
    found = [o.policy.name for o in violations(["service_role_only"], True, policies, patterns)]
    assert found == ["org_in", "svc_or"]


def test_documented_kinds_clear_their_policies(live: LiveTables, patterns: AccessPatterns) -> None:
    policies = [live.policies[n] for n in ("owner_plain", "read_public", "admin_public")]
    assert violations(["owner", "public_read", "admin"], True, policies, patterns) == []


# --- user patterns files ----------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patterns.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_extra_file_adds_kinds_and_extends_lists(tmp_path: Path, live: LiveTables) -> None:
    path = _write(
        tmp_path,
        """\
role_expressions:
  - auth.jwt() ->> 'user_role'
kinds:
  team:
    description: Members of the row's team.
    roles: [authenticated]
    references:
      tables: [team_members]
  organization:
    references:
      tables: [org_users]
  manager:
    roles: [manager]
    references:
      columns: [note, id]
""",
    )
    extended = load_patterns(path)
    assert extended.kinds == (
        "service_role_only",
        "organization",
        "domain",
        "admin",
        "owner",
        "public_read",
        "team",
        "manager",
    )
    assert extended.sources[-1] == str(path)
    assert classify_policy(live.policies["team"], extended) == {"team"}
    assert classify_policy(live.policies["org_users_pol"], extended) == {"organization"}
    # built-in organization patterns still hold after the extension
    assert classify_policy(live.policies["org_in"], extended) == {"organization"}
    # the new role expression narrows TO public to the claimed role
    assert effective_roles(live.policies["user_role_claim"], extended) == {"manager"}
    rule = extended.rule("organization")
    assert rule is not None and rule.tables == ("organization_members", "org_users")


def test_builtin_vocabulary_matches_the_spec_format(patterns: AccessPatterns) -> None:
    assert patterns.kinds == (
        "service_role_only",
        "organization",
        "domain",
        "admin",
        "owner",
        "public_read",
    )
    assert patterns_file.PACKAGE_FILE == "access_patterns.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", ["1: expected a mapping, got a list"]),
        ("version: 2\n", ["1: unsupported version: expected 'version: 1'"]),
        ("kind:\n  x: {}\n", ["1: unknown key 'kind' (did you mean 'kinds'?)"]),
        ("kinds: [a]\n", ["1: 'kinds' must be a mapping, got a list"]),
        ("kinds:\n  Bad-Name:\n    roles: [x]\n", ["2: invalid kind name 'Bad-Name'"]),
        ("kinds:\n  service_role:\n    roles: [x]\n", ["2: 'service_role' is reserved"]),
        ("kinds:\n  x:\n", ["2: kind 'x' needs a rule (a mapping)"]),
        (
            "kinds:\n  x:\n    rolse: [a]\n    roles: [a]\n    using_true: true\n",
            ["3: unknown key 'rolse' in kind 'x' (did you mean 'roles'?)"],
        ),
        (
            "kinds:\n  x:\n    roles: [a]\n    commands: [select, selekt]\n    using_true: true\n",
            ["4: unknown command 'selekt' (did you mean 'select'?)"],
        ),
        ("kinds:\n  x:\n    using_true: true\n", ["2: kind 'x' needs 'roles'"]),
        ("kinds:\n  x:\n    roles: [a]\n", ["2: kind 'x' states no condition"]),
        (
            "kinds:\n  x:\n    no_client_access: true\n    roles: [a]\n",
            ["2: kind 'x' has 'no_client_access: true', which takes no other condition"],
        ),
        (
            "kinds:\n  x:\n    roles: [a]\n    using_true: yes please\n",
            ["4: 'using_true' must be true or false, got a string"],
        ),
        (
            "kinds:\n  x:\n    roles: [a]\n    column_equals:\n      - auth.uid(\n",
            ["5: invalid SQL in 'column_equals' (auth.uid(): not a valid SQL expression"],
        ),
        (
            "role_expressions:\n  - ok()\n  - 'a b c'\n  - 3\n",
            [
                "3: invalid SQL in 'role_expressions' (a b c)",
                "4: 'role_expressions' entries must be non-empty strings, got an integer",
            ],
        ),
        (
            "kinds:\n  x:\n    roles: [a]\n    references:\n      tabels: [t]\n",
            [
                "5: unknown key 'tabels' in 'references' of kind 'x' (did you mean 'tables'?)",
                "2: kind 'x' states no condition",
            ],
        ),
        ("client_roles: anon\n", ["1: 'client_roles' must be a list, got a string"]),
        (
            "kinds:\n  x:\n    roles: [a]\n    references:\n      values: {role: admin}\n",
            ["5: 'values' of kind 'x' must be a list of mappings"],
        ),
        (
            "kinds:\n  x:\n    roles: [a]\n    references:\n      values:\n"
            "        - expression: role\n          inn: [admin]\n",
            [
                "7: unknown key 'inn' in 'values' of kind 'x' (did you mean 'in'?)",
                "6: an entry of 'values' of kind 'x' needs expression and in",
            ],
        ),
        (
            "kinds:\n  x:\n    roles: [a]\n    references:\n      values:\n"
            "        - {expression: 'role = (', in: [admin]}\n",
            ["6: invalid SQL in 'values'"],
        ),
        (
            "anonymous_expressions:\n  - is_anon(\n",
            ["2: invalid SQL in 'anonymous_expressions'"],
        ),
        ("kinds:\n  x:\n    roles: [a]\n  x:\n    roles: [b]\n", ["4: duplicate key 'x'"]),
    ],
)
def test_bad_patterns_files_say_where(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        load_patterns(path)
    lines = caught.value.lines()
    for want in expected:
        assert any(line.startswith(f"{path}:{want}") for line in lines), (want, lines)


def test_extra_file_adds_value_tests(tmp_path: Path, live: LiveTables) -> None:
    """A project's own literal condition (`user_role = 'manager'` in its JWT) names a kind."""
    path = _write(
        tmp_path,
        "kinds:\n  manager:\n    roles: [authenticated]\n    references:\n      values:\n"
        "        - expression: auth.jwt() ->> 'user_role'\n          in: [manager]\n",
    )
    extended = load_patterns(path)
    rule = extended.rule("manager")
    assert rule is not None and rule.values[0].expression == "auth.jwt() ->> 'user_role'"
    manager = replace(live.policies["user_role_claim"], roles=("authenticated",))
    assert classify_policy(manager, extended) == {"manager"}
    assert classify_policy(live.policies["admin_claim"], extended) == {"admin"}


def test_empty_extra_file_is_allowed(tmp_path: Path, patterns: AccessPatterns) -> None:
    assert load_patterns(_write(tmp_path, "")) == patterns


def test_unparsable_catalog_expression_is_classified_not_crashed(
    patterns: AccessPatterns,
) -> None:
    """Catalog text sqlglot cannot read still yields a verdict (and a violation)."""
    weird = Policy(
        name="weird",
        roles=("authenticated",),
        using=expression("x operator(pg_catalog.===) y"),
    )
    assert classify_policy(weird, patterns) == frozenset()
    assert [o.policy.name for o in violations(["owner"], True, [weird], patterns)] == ["weird"]
