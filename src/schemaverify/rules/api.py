"""`api: exposed | hidden`: whether the Data API can reach a table at all.

PostgREST acts as `anon` (the public key) or `authenticated` (a signed-in user), so a table
is reachable when one of those client roles may use its schema (USAGE) and holds a SELECT,
INSERT, UPDATE or DELETE privilege on it, directly, through a role it belongs to or through
PUBLIC.  Row-level security is a separate layer: it narrows the rows of a reachable table and
cannot make an unreachable one reachable.  Since Supabase stopped granting new public tables
to the API roles (2026), "the policies are there" no longer means "the app can read it", and
a table documented as public-facing can be hidden by a missing GRANT; the other way round, a
table documented as internal can be exposed by a broad grant.
"""

from __future__ import annotations

from schemaverify.model.schema import Table
from schemaverify.rules.access import PUBLIC
from schemaverify.rules.accessmatrix import COMMANDS, RoleFacts, holds, role_facts
from schemaverify.rules.context import TableContext

KINDS = ("api_exposure_mismatch",)
SUBJECTS = ("table.api",)


def reachers(table: Table, facts: RoleFacts, client_roles: tuple[str, ...]) -> dict[str, list[str]]:
    """Client role -> the privileges through which it reaches `table`, for each that does."""
    found: dict[str, list[str]] = {}
    for role in client_roles:
        if not facts.exists(role) or not facts.uses_schema(role, table.schema):
            continue
        held = [p for p in COMMANDS if holds(table.grants, role, p, facts)]
        if held:
            found[role] = held
    return found


def compare(ctx: TableContext) -> None:
    stated = ctx.spec.api
    if stated is None:
        return
    facts = role_facts(ctx.catalog.roles)
    clients = tuple(r for r in ctx.options.patterns.client_roles if r != PUBLIC)
    found = reachers(ctx.live, facts, clients)
    actual = "exposed" if found else "hidden"
    where = ctx.where("api")
    if actual == stated:
        ctx.verified("table.api", None, stated, actual, where)
        return
    ctx.drift(
        "table.api",
        "api_exposure_mismatch",
        None,
        stated,
        actual,
        where,
        details={
            "reached_by": {role: tuple(held) for role, held in found.items()},
            "clients": clients,
            "schema_usage": tuple(r for r in clients if facts.uses_schema(r, ctx.live.schema)),
        },
    )
