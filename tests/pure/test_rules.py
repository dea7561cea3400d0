"""The comparators without a server: specs and catalogs built in memory.

Every comparator is pure (model values in, facts and findings out), so each rule is
tested here on both sides (a catalog that has the drift and one that does not), with its
facts, in milliseconds; the integration suite proves the same against real PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from schemaverify.model.facts import DRIFT, UNVERIFIABLE, VERIFIED
from schemaverify.model.schema import (
    Catalog,
    Column,
    ForeignKey,
    Grant,
    Index,
    IndexKey,
    MatrixCell,
    Policy,
    PrimaryKey,
    Rls,
    Role,
    Table,
    TypeRef,
    UniqueConstraint,
)
from schemaverify.model.spec import SpecSet, TableSpec
from schemaverify.rules import COMPARATORS, DiffOptions, compare, kinds_produced, messages
from schemaverify.sources.specs import patterns as patterns_file

PATTERNS = patterns_file.load_patterns()
OPTIONS = DiffOptions(patterns=PATTERNS)
STRICT = DiffOptions(patterns=PATTERNS, strict=True)

INT = TypeRef("integer")
BIGINT = TypeRef("bigint")
TEXT = TypeRef("text")
UUID = TypeRef("uuid")


def col(name: str, type_: TypeRef = TEXT, nullable: bool | None = False, **kw: object) -> Column:
    return Column(name, type_, nullable, **kw)  # type: ignore[arg-type]


def idx(*cols: str, **kw: object) -> Index:
    return Index(tuple(IndexKey(c) for c in cols), **kw)  # type: ignore[arg-type]


ORDERS = Table(
    "public",
    "orders",
    columns=(
        col("id", BIGINT),
        col("org_id", BIGINT),
        col("status", TEXT, default="'pending'"),
        col("note", TEXT, True),
    ),
    primary_key=PrimaryKey(("id",), "orders_pkey"),
    indexes=(
        idx("id", unique=True, primary=True, name="orders_pkey", constraint="orders_pkey"),
        idx("org_id", name="orders_org"),
        idx("status", name="orders_pending", predicate="status = 'pending'"),
    ),
    foreign_keys=(ForeignKey(("org_id",), "public", "orgs", ("id",), "cascade", "no action"),),
    rls=Rls(enabled=True, forced=False, policies=()),
)
ORGS = Table("public", "orgs", columns=(col("id", BIGINT),), primary_key=PrimaryKey(("id",)))


def spec_of(table: Table, path: str = "specs/orders.yaml") -> TableSpec:
    lines = {"table": 1, "primary_key": 2, "rls": 30, "rls.access": 31}
    lines.update({f"column:{c.name}": 10 + i for i, c in enumerate(table.columns)})
    lines.update({f"index:{i}": 20 + i for i in range(len(table.indexes))})
    lines.update({f"fk:{i}": 25 + i for i in range(len(table.foreign_keys))})
    return TableSpec(table=table, path=path, lines=lines)


def run(
    spec_table: Table, *live: Table, options: DiffOptions = OPTIONS, roles: tuple[Role, ...] = ()
):
    catalog = Catalog(tables=live, roles=roles)
    return compare(SpecSet((spec_of(spec_table),)), catalog, options)


def kinds(verification) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.kind for f in verification.findings if f.kind != "table_undocumented")


def statuses(verification, subject: str) -> dict[str | None, str]:  # type: ignore[no-untyped-def]
    return {f.key: f.status for f in verification.facts if f.subject == subject}


# --- the contract between facts and findings --------------------------------------------


def test_a_matching_table_is_all_verified_and_has_no_finding() -> None:
    spec = dataclasses.replace(
        ORDERS, indexes=(idx("org_id"), idx("status", predicate="status = 'pending'"))
    )
    result = run(spec, ORDERS, ORGS)
    assert kinds(result) == []
    assert {f.status for f in result.facts} == {VERIFIED}
    subjects = Counter(f.subject for f in result.facts)
    assert subjects["column"] == 4 and subjects["column.type"] == 4
    assert subjects["column.default"] == 1  # only the stated default
    assert subjects["index"] == 2 and subjects["foreign_key"] == 1
    assert subjects["rls.enabled"] == 1 and subjects["rls.forced"] == 1


def test_each_drift_fact_has_exactly_one_finding_with_its_key() -> None:
    live = dataclasses.replace(
        ORDERS,
        columns=(col("id", BIGINT), col("org_id", INT), col("status", TEXT, True), col("extra")),
        indexes=(),
        foreign_keys=(),
        rls=Rls(enabled=False),
    )
    result = run(ORDERS, live, ORGS)
    drift = [f for f in result.facts if f.status == DRIFT]
    documented = [f for f in result.findings if f.kind not in ("column_undocumented",)]
    documented = [f for f in documented if f.kind != "table_undocumented"]
    assert len(drift) == len(documented)
    assert sorted((f.table, f.key or "") for f in drift) == sorted(
        (f.table, f.key or f.object or "") for f in documented
    )
    assert "column_undocumented" in kinds(result)  # a live-only observation: no fact


def test_fact_ids_and_fingerprints_are_unique_and_structural() -> None:
    live = dataclasses.replace(ORDERS, indexes=(), columns=ORDERS.columns[:1])
    first = run(ORDERS, live)
    ids = [f.id for f in first.facts]
    assert len(ids) == len(set(ids))
    prints = [f.fingerprint for f in first.findings]
    assert len(prints) == len(set(prints))
    again = run(ORDERS, live)
    assert [f.fingerprint for f in again.findings] == prints
    assert [f.id for f in again.facts] == ids
    # Identity does not depend on the message.
    reworded = [dataclasses.replace(f, message="reworded") for f in first.findings]
    assert [f.fingerprint for f in reworded] == prints


def test_a_missing_table_makes_every_other_fact_unverifiable() -> None:
    result = run(ORDERS, ORGS)
    assert kinds(result) == ["table_missing"]
    table_fact = [f for f in result.facts if f.subject == "table"]
    assert [f.status for f in table_fact] == [DRIFT]
    others = [f for f in result.facts if f.subject != "table"]
    assert others and {f.status for f in others} == {UNVERIFIABLE}
    assert {f.reason for f in others} == {"table_missing"}


def test_the_registry_declares_every_kind_it_produces() -> None:
    declared = set(kinds_produced())
    assert {
        "table_missing",
        "table_undocumented",
        "column_missing",
        "rls_matrix_mismatch",
    } <= declared
    assert set(messages.kinds()) >= declared
    assert len({c.name for c in COMPARATORS}) == len(COMPARATORS)


# --- columns ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("live_col", "kind"),
    [
        (col("org_id", INT), "column_type_mismatch"),
        (col("org_id", BIGINT, True), "column_nullability_mismatch"),
        (col("org_id", BIGINT, default="1"), None),  # no default stated: not compared
        (col("org_id", BIGINT), None),
    ],
)
def test_column_properties(live_col: Column, kind: str | None) -> None:
    spec = dataclasses.replace(
        ORDERS,
        columns=(col("org_id", BIGINT),),
        indexes=(),
        foreign_keys=(),
        rls=None,
        primary_key=None,
    )
    live = dataclasses.replace(spec, columns=(live_col,))
    result = run(spec, live)
    assert kinds(result) == ([kind] if kind else [])


def test_a_missing_column_names_a_same_typed_rename_and_leaves_its_properties_unverifiable() -> (
    None
):
    spec = dataclasses.replace(
        ORDERS,
        columns=(col("org_id", BIGINT, default="1"),),
        indexes=(idx("org_id"),),
        foreign_keys=(),
        rls=None,
        primary_key=None,
    )
    live = dataclasses.replace(spec, columns=(col("organization_id", BIGINT),), indexes=())
    result = run(spec, live)
    missing = next(f for f in result.findings if f.kind == "column_missing")
    assert "renamed to organization_id" in missing.message
    assert statuses(result, "column.type") == {"org_id": UNVERIFIABLE}
    assert statuses(result, "column.default") == {"org_id": UNVERIFIABLE}
    index = next(f for f in result.findings if f.kind == "index_missing")
    assert index.caused_by == missing.fingerprint


def test_view_nullability_is_unverifiable_not_drift() -> None:
    spec = Table("public", "v", columns=(col("a", TEXT, False),), kind="view")
    live = Table("public", "v", columns=(col("a", TEXT, True),), kind="view")
    result = run(spec, live)
    assert kinds(result) == []
    assert statuses(result, "column.nullable") == {"a": UNVERIFIABLE}


def test_strict_compares_type_modifiers_and_fills() -> None:
    spec = Table(
        "public", "t", columns=(col("a", TypeRef("numeric")), col("b", INT, identity="always"))
    )
    live = Table("public", "t", columns=(col("a", TypeRef("numeric", "10,2")), col("b", INT)))
    # The stated identity is compared in both modes; strict mode as part of the fill.
    assert kinds(run(spec, live)) == ["column_identity_mismatch"]
    assert kinds(run(spec, live, options=STRICT)) == [
        "column_default_mismatch",
        "column_type_mismatch",
    ]


# --- keys, indexes, foreign keys --------------------------------------------------------


def test_primary_key_and_uniques() -> None:
    spec = dataclasses.replace(
        ORGS, uniques=(UniqueConstraint(("id",)),), columns=(col("id", BIGINT), col("slug"))
    )
    spec = dataclasses.replace(spec, uniques=(UniqueConstraint(("slug",)),))
    live = dataclasses.replace(spec, primary_key=None, uniques=())
    assert kinds(run(spec, live)) == ["primary_key_mismatch", "unique_missing"]
    fixed = dataclasses.replace(spec, indexes=(idx("slug", unique=True),))
    assert kinds(run(spec, fixed)) == []


@pytest.mark.parametrize(
    ("live_index", "difference"),
    [
        (idx("status", predicate="status = 'sent'"), "predicate is WHERE status = 'sent'"),
        (idx("status"), "it is not partial"),
        (idx("status", method="hash", predicate="status = 'pending'"), "method is hash"),
        (
            Index((IndexKey("status", True),), predicate="status = 'pending'"),
            "key order is status DESC",
        ),
    ],
)
def test_index_mismatch_says_what_differs(live_index: Index, difference: str) -> None:
    spec = dataclasses.replace(ORDERS, indexes=(idx("status", predicate="status = 'pending'"),))
    live = dataclasses.replace(ORDERS, indexes=(live_index,))
    result = run(spec, live, ORGS)
    (finding,) = [f for f in result.findings if f.kind == "index_mismatch"]
    assert difference in finding.message
    assert finding.key == "btree (status)"  # the predicate is not part of the identity


def test_undocumented_indexes_and_fks_only_in_strict() -> None:
    spec = dataclasses.replace(ORDERS, indexes=(), foreign_keys=())
    assert "index_mismatch" not in kinds(run(spec, ORDERS, ORGS))
    strict = kinds(run(spec, ORDERS, ORGS, options=STRICT))
    assert strict.count("index_mismatch") == 2 and "fk_mismatch" in strict


def test_fk_actions_and_target() -> None:
    spec = dataclasses.replace(
        ORDERS, foreign_keys=(ForeignKey(("org_id",), "public", "orgs", ("id",), "set null"),)
    )
    result = run(spec, ORDERS, ORGS)
    (finding,) = [f for f in result.findings if f.kind == "fk_mismatch"]
    assert "ON DELETE is CASCADE, documented SET NULL" in finding.message
    gone = dataclasses.replace(ORDERS, foreign_keys=())
    assert "fk_missing" in kinds(run(spec, gone, ORGS))


# --- row-level security ---------------------------------------------------------------------


OWNER_POLICY = Policy("own rows", "select", ("authenticated",), True, "(owner_id = auth.uid())")


def test_rls_off_is_the_root_of_the_access_findings() -> None:
    spec = dataclasses.replace(ORDERS, rls=Rls(enabled=True, access=("owner",)))
    live = dataclasses.replace(ORDERS, rls=Rls(enabled=False))
    result = run(spec, live, ORGS)
    disabled = next(f for f in result.findings if f.kind == "rls_disabled")
    missing = next(f for f in result.findings if f.kind == "rls_policy_missing")
    assert missing.caused_by == disabled.fingerprint


def test_access_kinds_granted_and_violated() -> None:
    spec = dataclasses.replace(ORDERS, rls=Rls(enabled=True, access=("owner",)))
    granted = dataclasses.replace(ORDERS, rls=Rls(enabled=True, policies=(OWNER_POLICY,)))
    result = run(spec, granted, ORGS)
    assert kinds(result) == []
    assert statuses(result, "rls.access") == {"owner": VERIFIED}
    assert statuses(result, "rls.policy_within_access") == {"own rows": VERIFIED}
    public = Policy("everyone", "select", ("anon",), True, "true")
    open_ = dataclasses.replace(ORDERS, rls=Rls(enabled=True, policies=(OWNER_POLICY, public)))
    result = run(spec, open_, ORGS)
    assert kinds(result) == ["rls_access_violation"]
    assert statuses(result, "rls.policy_within_access") == {"own rows": VERIFIED, "everyone": DRIFT}


def test_explicit_policies_field_by_field() -> None:
    spec = dataclasses.replace(
        ORDERS, rls=Rls(enabled=True, policies=(dataclasses.replace(OWNER_POLICY, command="all"),))
    )
    live = dataclasses.replace(ORDERS, rls=Rls(enabled=True, policies=(OWNER_POLICY,)))
    (finding,) = [f for f in run(spec, live, ORGS).findings if f.kind == "rls_policy_missing"]
    assert "command is SELECT" in finding.message


def test_access_matrix_cells() -> None:
    grants = (Grant("authenticated", ("select",)),)
    live = dataclasses.replace(
        ORDERS, rls=Rls(enabled=True, policies=(OWNER_POLICY,)), grants=grants
    )
    roles = (Role("authenticated"), Role("anon"))
    stated = (
        MatrixCell("authenticated", "select", ("owner",)),
        MatrixCell("anon", "select", ("none",)),
    )
    spec = dataclasses.replace(ORDERS, rls=Rls(enabled=True, access_matrix=stated))
    result = run(spec, live, ORGS, roles=roles)
    assert statuses(result, "access_matrix") == {
        "authenticated select": VERIFIED,
        "anon select": VERIFIED,
    }
    wrong = (MatrixCell("authenticated", "select", ("all rows",)),)
    result = run(
        dataclasses.replace(spec, rls=Rls(enabled=True, access_matrix=wrong)),
        live,
        ORGS,
        roles=roles,
    )
    (finding,) = [f for f in result.findings if f.kind == "rls_matrix_mismatch"]
    assert "less than documented" in finding.message


def test_every_kind_a_comparator_declares_has_a_message_and_a_registered_kind() -> None:
    from schemaverify.model.findings import KINDS

    for kind in kinds_produced():
        assert kind in KINDS and kind in messages.kinds(), kind


@pytest.mark.parametrize(
    ("live_identity", "kind"),
    [
        ("always", None),
        ("by default", "column_identity_mismatch"),
        (None, "column_identity_mismatch"),
    ],
)
def test_column_identity(live_identity: str | None, kind: str | None) -> None:
    spec = Table("public", "t", columns=(col("id", BIGINT, identity="always"),))
    live = Table("public", "t", columns=(col("id", BIGINT, identity=live_identity),))
    result = run(spec, live)
    assert kinds(result) == ([kind] if kind else [])
    assert statuses(result, "column.identity") == {"id": DRIFT if kind else VERIFIED}
    if kind:
        (finding,) = result.findings
        assert "documented as GENERATED ALWAYS AS IDENTITY" in finding.message
