"""OR branches in policy conditions: a policy's access is the union of its branches.

Table-driven over sqlglot trees, no server: `USING (is_published OR auth.uid() =
author_id)` once read as plain `owner`, which hid that anyone reads published rows.
"""

from __future__ import annotations

import pytest

from schemaverify.model.schema import Catalog, Grant, Policy, Rls, Role, Table
from schemaverify.rules import access, accessmatrix
from schemaverify.sources.specs.patterns import load_patterns

PATTERNS = load_patterns()
MEMBERSHIP = "org_id IN (SELECT org_id FROM organization_members WHERE user_id = auth.uid())"


def policy(
    using: str, roles: tuple[str, ...] = ("authenticated",), command: str = "select"
) -> Policy:
    return Policy("p", command, roles, True, using)


@pytest.mark.parametrize(
    ("using", "branches"),
    [
        ("author_id = auth.uid()", [{"owner"}]),
        ("is_published OR author_id = auth.uid()", [set(), {"owner"}]),
        ("author_id = auth.uid() OR " + MEMBERSHIP, [{"owner"}, {"organization"}]),
        (
            "(a OR author_id = auth.uid()) AND " + MEMBERSHIP,
            [{"organization"}, {"organization", "owner"}],
        ),
        # An OR inside a subquery filters the subquery's rows, not the policy's branches.
        (
            "org_id IN (SELECT org_id FROM organization_members WHERE user_id = auth.uid() OR x)",
            [{"organization"}],
        ),
    ],
)
def test_each_or_branch_is_classified_on_its_own(using: str, branches: list[set[str]]) -> None:
    found = [set(kinds) for kinds in access.branch_kinds(policy(using), PATTERNS)]
    assert sorted(map(sorted, found)) == sorted(map(sorted, branches))


def test_too_many_branches_count_as_unclassified() -> None:
    wide = " AND ".join(f"(a{i} OR author_id = auth.uid())" for i in range(8))  # 256 branches
    assert access.branch_kinds(policy(wide), PATTERNS) == (frozenset(),)


def test_an_unclassified_branch_is_a_violation_even_next_to_a_documented_one() -> None:
    published = policy("is_published OR author_id = auth.uid()", roles=())
    (found,) = access.violations(("owner",), True, (published,), PATTERNS)
    assert "matches no documented kind" in found.reason and found.forbidden
    owner_only = policy("author_id = auth.uid()")
    assert access.violations(("owner",), True, (owner_only,), PATTERNS) == []
    both = policy("author_id = auth.uid() OR " + MEMBERSHIP)
    (found,) = access.violations(("owner",), True, (both,), PATTERNS)
    assert "grants organization access" in found.reason
    assert not found.forbidden  # a read of a recognised kind the spec does not mention
    assert access.violations(("owner", "organization"), True, (both,), PATTERNS) == []


def _cell(using: str, role: str) -> accessmatrix.Cell:
    table = Table(
        schema="public",
        name="posts",
        kind="table",
        owner="postgres",
        rls=Rls(enabled=True, policies=(policy(using, roles=()),)),
        grants=(Grant("anon", ("select",)), Grant("authenticated", ("select",))),
    )
    catalog = Catalog(
        tables=(table,), roles=(Role("anon"), Role("authenticated"), Role("postgres"))
    )
    return accessmatrix.table_access(table, catalog, PATTERNS).cell(role, "select")


@pytest.mark.parametrize(
    ("using", "shown"),
    [
        ("author_id = auth.uid()", "rows: owner"),
        ("is_published OR author_id = auth.uid()", "rows: conditional, owner"),
        ("true OR author_id = auth.uid()", "rows: unconditional"),
    ],
)
def test_the_matrix_shows_the_union_of_the_branches(using: str, shown: str) -> None:
    assert str(_cell(using, "authenticated")) == shown


def test_a_spec_stating_owner_does_not_pass_a_disjunction_with_a_public_branch() -> None:
    for role in ("anon", "authenticated"):
        assert not accessmatrix.satisfies(
            ("owner",), _cell("is_published OR author_id = auth.uid()", role)
        )
    signed_in = _cell("is_published OR author_id = auth.uid()", "authenticated")
    assert accessmatrix.direction(("owner",), signed_in) == "more"


@pytest.mark.parametrize(
    ("using", "anon", "authenticated"),
    [
        ("author_id = auth.uid()", "no rows", "rows: owner"),
        (MEMBERSHIP, "no rows", "rows: organization"),
        ("is_published OR author_id = auth.uid()", "rows: conditional", "rows: conditional, owner"),
        ("true", "rows: unconditional", "rows: unconditional"),
    ],
)
def test_a_policy_without_to_that_tests_the_user_gives_a_signed_out_caller_no_rows(
    using: str, anon: str, authenticated: str
) -> None:
    """No TO clause means PUBLIC, anon included; but auth.uid() is NULL for anon."""
    assert str(_cell(using, "anon")) == anon
    assert str(_cell(using, "authenticated")) == authenticated


@pytest.mark.parametrize(
    "using",
    [
        "(SELECT auth.jwt() ->> 'role' = 'service_role')",
        "(auth.jwt() ->> 'role')::text = 'service_role'",
        "(select auth.role()) = 'service_role'",
        "current_setting('request.jwt.claim.role', true) = 'service_role'",
        "auth.role() = ANY (ARRAY['service_role'])",
    ],
)
def test_service_role_idioms_apply_to_the_service_role_alone(using: str) -> None:
    """Written `TO public`, as real Supabase schemas do: the role test decides."""
    svc = policy(using, roles=())
    assert access.effective_roles(svc, PATTERNS) == {"service_role"}
    assert access.branch_kinds(svc, PATTERNS) == (frozenset({"service_role"}),)
    assert access.violations(("service_role_only",), True, (svc,), PATTERNS) == []


def test_narrower_than_public_read_is_within_it() -> None:
    signed_in = policy("true")  # authenticated, every row: narrower than anyone
    assert access.violations(("public_read",), True, (signed_in,), PATTERNS) == []
    assert access.violations(("owner",), True, (signed_in,), PATTERNS) != []


def test_organization_and_owner_is_within_organization() -> None:
    both = policy(MEMBERSHIP + " AND author_id = auth.uid()")
    assert access.violations(("organization",), True, (both,), PATTERNS) == []


def test_a_write_policy_that_never_tests_membership_is_a_violation() -> None:
    insert = Policy("p", "insert", ("authenticated",), True, None, "created_by = auth.uid()")
    (found,) = access.violations(("organization",), True, (insert,), PATTERNS)
    assert found.forbidden
    assert found.reason.startswith("grants owner access to authenticated, which the spec does")
    assert "as a write policy that never tests organization access" in found.reason
    assert "any such caller write rows that organization should keep out" in found.reason
    member = Policy("p", "insert", ("authenticated",), True, None, MEMBERSHIP)
    assert access.violations(("organization",), True, (member,), PATTERNS) == []


@pytest.mark.parametrize(
    ("documented", "found", "forbidden"),
    [
        (("organization",), policy("author_id = auth.uid()"), False),  # an unmentioned read
        (("owner",), policy("is_admin()"), False),
        (("owner",), policy("is_published"), True),  # rows nobody can classify
        (("owner",), policy("true", roles=("anon",)), True),  # every row, to anyone
        (("owner",), Policy("p", "all", ("authenticated",), True, MEMBERSHIP), True),  # writes
        (("service_role_only",), policy("author_id = auth.uid()"), True),
    ],
)
def test_forbidden_or_only_unmentioned(
    documented: tuple[str, ...], found: Policy, forbidden: bool
) -> None:
    (outside,) = access.violations(documented, True, (found,), PATTERNS)
    assert outside.forbidden is forbidden
