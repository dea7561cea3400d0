"""The spec loader: YAML in, canonical model objects (or `file:line: reason`) out.

Pure file parsing, so no database here; what the loader builds is compared
with live tables in the diff and check tests.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemaverify.errors import SpecError
from schemaverify.model import normalize
from schemaverify.model.findings import KINDS
from schemaverify.model.schema import (
    FK_ACTIONS,
    INDEX_METHODS,
    POLICY_COMMANDS,
    Column,
    ForeignKey,
    Index,
    IndexKey,
    Policy,
    PrimaryKey,
    Rls,
    Table,
    TypeRef,
    UniqueConstraint,
)
from schemaverify.model.spec import CERTAINTIES, ColumnDoc, IgnoreRule
from schemaverify.sources.specs import load as specload
from schemaverify.sources.specs import yamlnodes
from schemaverify.sources.specs.jsonschema import spec_json_schema
from schemaverify.sources.specs.load import load_spec_file, load_specs

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "specs_good"
BAD = FIXTURES / "specs_bad"
ACCESS = ("service_role_only", "organization", "domain", "admin", "owner", "public_read")


def write(folder: Path, text: str, name: str = "t.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(folder: Path, text: str):
    return load_spec_file(write(folder, text), display_path="t.yaml", access_kinds=ACCESS)


def problems(folder: Path, text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        load(folder, text)
    return info.value.lines()


# -- a full valid spec, precisely ---------------------------------------------


def test_full_spec_round_trip():
    spec = load_specs(GOOD / "cart_abandonments.yaml", access_kinds=ACCESS).specs[0]
    timestamptz = TypeRef("timestamp with time zone")
    assert spec.table == Table(
        schema="public",
        name="cart_abandonments",
        columns=(
            Column("id", TypeRef("uuid"), False, normalize.expression("gen_random_uuid()")),
            Column("customer_id", TypeRef("uuid"), False),
            Column("session_id", TypeRef("text"), False),
            Column("cart_data", TypeRef("jsonb"), False),
            Column("abandoned_at", timestamptz, False),
            Column("recovered_at", timestamptz, True),
            Column(
                "status",
                TypeRef("character varying", "20"),
                False,
                normalize.expression("'pending'"),
            ),
            Column("total_value", TypeRef("numeric", "10,2"), False),
            Column("created_at", timestamptz, False, normalize.expression("now()")),
        ),
        primary_key=PrimaryKey(("id",)),
        uniques=(UniqueConstraint(("session_id",)),),
        indexes=(
            Index(keys=(IndexKey("id"),), unique=True, primary=True),
            Index(keys=(IndexKey("customer_id"),)),
            Index(keys=(IndexKey("abandoned_at", descending=True),)),
            Index(
                keys=(IndexKey("recovered_at"),),
                predicate=normalize.expression("recovered_at IS NULL"),
            ),
            Index(keys=(IndexKey("cart_data"),), method="gin"),
        ),
        foreign_keys=(
            ForeignKey(
                columns=("customer_id",),
                ref_schema="public",
                ref_table="customer_configs",
                ref_columns=("id",),
                on_delete="cascade",
            ),
        ),
        rls=Rls(enabled=True, forced=None, access=("organization",)),
    )
    assert spec.path == str(GOOD / "cart_abandonments.yaml")
    assert spec.line == 2
    assert dict(spec.lines) == {
        "table": 2,
        "column:id": 10,
        "column:customer_id": 14,
        "column:session_id": 17,
        "column:cart_data": 20,
        "column:abandoned_at": 23,
        "column:recovered_at": 25,
        "column:status": 28,
        "column:total_value": 32,
        "column:created_at": 34,
        "primary_key": 12,
        "unique:session_id": 19,
        "index:0": 39,
        "index:1": 40,
        "index:2": 41,
        "index:3": 42,
        "index:4": 44,
        "fk:0": 49,
        "rls": 54,
        "rls.access": 55,
    }
    assert spec.certainty == "estimated"
    assert spec.category == "Cart Analytics"
    assert spec.purpose == "Track abandoned shopping carts for recovery campaigns"
    assert spec.usage == "Recovery email campaigns, analytics dashboards"
    assert spec.source == "docs/UNDOCUMENTED_TABLES.md:48"
    assert dict(spec.columns_doc) == {
        "cart_data": ColumnDoc(note="Cart contents"),
        "status": ColumnDoc(values=("pending", "sent", "recovered")),
    }
    assert dict(spec.index_notes) == {4: "containment queries on cart contents"}
    assert spec.ignore == (
        IgnoreRule(
            kind="column_undocumented",
            object="legacy_flag",
            reason="dropped in the next migration",
            line=58,
        ),
    )
    assert spec.where("column:status") == f"{GOOD / 'cart_abandonments.yaml'}:28"


def test_composite_keys_merged_fks_policies_and_anchors():
    spec = load_spec_file(GOOD / "sales" / "order_lines.yml", access_kinds=ACCESS)
    table = spec.table
    assert table.qualified == "sales.order_lines"
    # The merge key copies order_id's type; the explicit name wins.
    assert table.column("product_id") == Column("product_id", TypeRef("uuid"), False)
    assert table.column("line_no") == Column("line_no", TypeRef("integer"), False)
    assert table.column("tags") == Column("tags", TypeRef("text", None, 1), True)
    assert table.column("seq") == Column("seq", TypeRef("bigint"), False, identity="by default")
    assert table.primary_key == PrimaryKey(("order_id", "line_no"))
    assert table.uniques == (UniqueConstraint(("order_id", "product_id")),)
    assert table.indexes == (
        Index(
            keys=(IndexKey("order_id"), IndexKey("line_no")),
            name="order_lines_pkey",
            unique=True,
            primary=True,
        ),
        Index(keys=(normalize.index_key("(lower(tags::text))"),), partial_any=True),
        Index(keys=(IndexKey("product_id"),), unique=True, include=("line_no",)),
    )
    # Column-level references first (merged with the list entry on the same column:
    # the column's on_delete and the entry's on_update), then the other entries.
    assert table.foreign_keys == (
        ForeignKey(("owner_id",), "auth", "users", ("id",), "set null", "no action"),
        ForeignKey(("order_id",), "sales", "orders", ("id",), "cascade", None),
    )
    assert spec.lines["fk:0"] == 46 and spec.lines["fk:1"] == 42
    assert table.rls == Rls(
        enabled=True,
        forced=True,
        access=("owner", "service_role_only"),
        policies=(
            Policy(
                name="Owners read their lines",
                command="select",
                roles=("authenticated",),
                using=normalize.expression("auth.uid() = owner_id"),
            ),
            Policy(
                name="Nobody deletes",
                command="delete",
                permissive=False,
                using=normalize.expression("false"),
            ),
        ),
    )
    assert spec.lines["policy:Nobody deletes"] == 61
    assert spec.certainty == "likely"


def test_folder_is_loaded_recursively_sorted_with_paths_as_given(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    specs = load_specs(Path("specs_good"), access_kinds=ACCESS)
    assert [s.path for s in specs.specs] == [
        "specs_good/cart_abandonments.yaml",
        "specs_good/feature_flags.yaml",
        "specs_good/sales/order_lines.yml",
    ]
    assert sorted(specs.by_name()) == [
        "public.cart_abandonments",
        "public.feature_flags",
        "sales.order_lines",
    ]


def test_defaults_and_names(tmp_path):
    spec = load(
        tmp_path,
        """\
        table: Users
        schema: '"Auth"'
        columns:
          - name: '"MixedCase"'
            type: int
          - name: Plain
            type: text
            default: 0
          - name: flag
            type: bool
            default: true
            values: [yes, no, 1]
        rls: false
        """,
    )
    assert spec.table.qualified == "Auth.users"
    assert [c.name for c in spec.table.columns] == ["MixedCase", "plain", "flag"]
    assert all(c.nullable is False for c in spec.table.columns)
    assert spec.table.column("plain").default == normalize.expression("0")
    assert spec.table.column("flag").default == normalize.expression("true")
    # Enum values keep their source text, not YAML 1.1's booleans.
    assert spec.columns_doc["flag"].values == ("yes", "no", "1")
    assert spec.table.rls == Rls(enabled=False)
    assert spec.table.primary_key is None
    assert spec.certainty == "verified"
    assert spec.line == 1


def test_docs_example_is_a_valid_spec(tmp_path):
    """The annotated example in docs/spec-format.md must load and match the JSON Schema."""
    doc = (Path(__file__).parent.parent / "docs" / "spec-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S)
    assert example is not None
    path = tmp_path / "example.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    spec = load_spec_file(path, access_kinds=ACCESS)
    assert spec.qualified == "public.cart_abandonments"
    jsonschema.validate(yaml.safe_load(example.group(1)), spec_json_schema())


# -- every error class, with its exact place -----------------------------------

ERROR_CASES = {
    "yaml_syntax": (
        """\
        table: t
        columns:
          - name: a
           type: b
        """,
        [
            "t.yaml:4: YAML syntax error: while parsing a block collection, "
            "expected <block end>, but found '<block mapping start>'"
        ],
    ),
    "not_a_mapping": (
        "- a\n- b\n",
        ["t.yaml:1: a spec must be a mapping (table: ..., columns: ...), got a list"],
    ),
    "empty_file": (
        "# only a comment\n",
        ["t.yaml:1: a spec must be a mapping (table: ..., columns: ...), got an empty file"],
    ),
    "unknown_key": (
        "table: t\ncolums: []\n",
        ["t.yaml:2: unknown key 'colums' (did you mean 'columns'?)"],
    ),
    "unknown_nested_key": (
        """\
        table: t
        columns:
          - name: a
            type: int
            nulable: true
        """,
        ["t.yaml:5: unknown key 'nulable' in columns[0] (did you mean 'nullable'?)"],
    ),
    "wrong_type": (
        "table: t\nprimary_key: {a: 1}\n",
        ["t.yaml:2: primary_key: expected a list of strings, got a mapping"],
    ),
    "wrong_type_quote_hint": (
        """\
        table: t
        columns:
          - name: on
            type: text
          - name: x
            type: 1.5
            nullable: "no"
        """,
        [
            "t.yaml:3: columns[0].name: expected a string, got a boolean "
            "(quote it to make it text: 'on')",
            "t.yaml:6: columns[1].type: expected a string, got a number "
            "(quote it to make it text: '1.5')",
            "t.yaml:7: columns[1].nullable: expected true or false, got a string",
        ],
    ),
    "missing_required": (
        "columns:\n  - name: a\n",
        [
            "t.yaml:1: missing required key 'table'",
            "t.yaml:2: columns[0]: missing required key 'type'",
        ],
    ),
    "duplicate_yaml_key": (
        "table: t\ntable: u\n",
        ["t.yaml:2: duplicate key 'table' (first on line 1)"],
    ),
    "duplicate_column": (
        """\
        table: t
        columns:
          - {name: a, type: int}
          - {name: A, type: text}
        """,
        ["t.yaml:4: duplicate column 'a' (first on line 3)"],
    ),
    "unknown_columns_in_keys": (
        """\
        table: t
        columns:
          - {name: id, type: int}
        primary_key: [idd]
        unique:
          - [id, nope]
        indexes:
          - columns: [idx, "(lower(x))", "id DESC"]
          - columns: [id]
            include: [zz]
        foreign_keys:
          - columns: [other]
            references: {table: u}
        """,
        [
            "t.yaml:4: primary_key: no column 'idd' in columns (did you mean 'id'?)",
            "t.yaml:6: unique[0]: no column 'nope' in columns",
            "t.yaml:8: indexes[0].columns: no column 'idx' in columns (did you mean 'id'?)",
            "t.yaml:10: indexes[1].include: no column 'zz' in columns",
            "t.yaml:12: foreign_keys[0].columns: no column 'other' in columns",
        ],
    ),
    "unknown_access_kind": (
        "table: t\nrls:\n  access: [organisation, admin]\n",
        [
            "t.yaml:3: rls.access[0]: unknown access kind 'organisation' "
            "(did you mean 'organization'?); known kinds: "
            "admin, domain, organization, owner, public_read, service_role_only"
        ],
    ),
    "unknown_index_method": (
        """\
        table: t
        columns: [{name: a, type: int}]
        indexes:
          - columns: [a]
            method: gni
        """,
        [
            "t.yaml:5: indexes[0].method: unknown index method 'gni' (did you mean 'gin'?); "
            "expected one of: btree, hash, gin, gist, spgist, brin, hnsw, ivfflat"
        ],
    ),
    "bad_fk_action": (
        """\
        table: t
        columns:
          - {name: a, type: int, references: {table: u, on_delete: casade}}
        foreign_keys:
          - columns: [a]
            references: {table: u}
            on_update: c
        """,
        [
            "t.yaml:3: columns[0].references.on_delete: unknown action 'casade' "
            "(did you mean 'cascade'?); expected one of: "
            "no action, restrict, cascade, set null, set default",
            "t.yaml:7: foreign_keys[0].on_update: unknown action 'c'; expected one of: "
            "no action, restrict, cascade, set null, set default",
        ],
    ),
    "unparseable_type": (
        """\
        table: t
        columns:
          - {name: a, type: "varchar("}
          - {name: b, type: ""}
        """,
        [
            "t.yaml:3: columns[0].type: cannot parse type 'varchar(': ",
            "t.yaml:4: columns[1].type: empty type",
        ],
    ),
    "unparseable_expressions": (
        """\
        table: t
        columns:
          - {name: a, type: int, default: "1 +"}
        indexes:
          - columns: [a]
            where: "a >>>= 1 )"
        rls:
          policies:
            - name: p
              using: "select from where"
              with_check: "(("
        """,
        [
            "t.yaml:3: columns[0].default: cannot parse expression '1 +': ",
            "t.yaml:6: indexes[0].where: cannot parse expression 'a >>>= 1 )': ",
            "t.yaml:10: rls.policies[0].using: cannot parse expression 'select from where': ",
            "t.yaml:11: rls.policies[0].with_check: cannot parse expression '((': ",
        ],
    ),
    "where_and_partial": (
        """\
        table: t
        columns: [{name: a, type: int}]
        indexes:
          - columns: [a]
            where: a > 0
            partial: true
        """,
        [
            "t.yaml:6: indexes[0]: 'where' and 'partial' exclude each other "
            "(a 'where' predicate already makes the index partial)"
        ],
    ),
    "conflicting_references": (
        """\
        table: t
        columns:
          - {name: a, type: int, references: u.id}
        foreign_keys:
          - columns: [a]
            references: {table: v}
        """,
        [
            "t.yaml:5: foreign_keys[0]: references public.v(id) but columns[0].references "
            "(line 3) says public.u(id)"
        ],
    ),
    "unknown_certainty": (
        "table: t\ncertainty: guess\n",
        [
            "t.yaml:2: certainty: unknown certainty 'guess'; "
            "expected one of: estimated, likely, verified"
        ],
    ),
    "non_string_key": (
        "table: t\n1: x\n",
        ["t.yaml:2: key '1' must be a string, got an integer"],
    ),
    "ignore_rules": (
        """\
        table: t
        ignore:
          - kind: column_undocumentd
            object: x
          - object: y
        """,
        [
            "t.yaml:3: ignore[0].kind: unknown finding kind 'column_undocumentd' "
            "(did you mean 'column_undocumented'?)",
            "t.yaml:5: ignore[1]: missing required key 'kind'",
        ],
    ),
    "version": (
        "version: 2\ntable: t\n",
        [
            "t.yaml:1: version: unsupported spec format version 2 "
            "(this schemaverify reads version 1)"
        ],
    ),
    "pk_flags_vs_list": (
        """\
        table: t
        columns:
          - {name: a, type: int, primary_key: true}
          - {name: b, type: int}
        primary_key: [b]
        """,
        ["t.yaml:5: primary_key: lists b but the columns marked primary_key: true are a"],
    ),
    "nullable_pk_column": (
        """\
        table: t
        columns:
          - name: a
            type: int
            primary_key: true
            nullable: true
        """,
        ["t.yaml:6: column 'a' is in the primary key, so it cannot be nullable"],
    ),
    "pk_index": (
        """\
        table: t
        indexes:
          - primary_key: true
          - primary_key: true
            columns: [a]
        """,
        [
            "t.yaml:3: indexes[0]: a primary key index needs a primary key "
            "(mark a column primary_key: true or add a primary_key list)",
            "t.yaml:4: indexes[1]: 'primary_key: true' takes no other key than name and note; "
            "found 'columns'",
        ],
    ),
    "fk_column_count": (
        """\
        table: t
        columns: [{name: a, type: int}, {name: b, type: int}]
        foreign_keys:
          - columns: [a, b]
            references: {table: u, columns: [id]}
        """,
        ["t.yaml:5: foreign_keys[0]: 2 column(s) reference 1 column(s)"],
    ),
    "duplicates_in_lists": (
        """\
        table: t
        columns:
          - {name: a, type: int, unique: true}
        unique:
          - [a]
          - [a, a]
        rls:
          access: [owner, owner]
          policies:
            - name: p
            - name: p
        """,
        [
            "t.yaml:5: unique (a) is stated twice (first on line 3)",
            "t.yaml:6: unique[1]: column 'a' is listed twice",
            "t.yaml:8: rls.access: 'owner' is listed twice",
            "t.yaml:11: rls.policies[1]: policy 'p' is already described on line 10",
        ],
    ),
    "bad_references_shorthand": (
        """\
        table: t
        columns:
          - {name: a, type: int, references: users}
          - {name: b, type: int, references: 'a..b'}
        """,
        [
            "t.yaml:3: columns[0].references: expected [schema.]table.column or a mapping, "
            "got 'users'",
            "t.yaml:4: columns[1].references: expected [schema.]table.column or a mapping, "
            "got 'a..b'",
        ],
    ),
    "anonymous_writes_not_a_flag": (
        "table: t\nrls:\n  access: [owner]\n  anonymous_writes: never\n",
        ["t.yaml:4: rls.anonymous_writes: "],
    ),
    "generated_kind_unknown": (
        "table: t\ncolumns:\n  - name: a\n    type: int\n    generated: {kind: computed}\n",
        ["t.yaml:5: columns[0].generated.kind: "],
    ),
    "generated_mapping_states_nothing": (
        "table: t\ncolumns:\n  - name: a\n    type: int\n    generated: {}\n",
        ["t.yaml:5: columns[0].generated: states neither expression nor kind"],
    ),
    "generated_mapping_unknown_key": (
        "table: t\ncolumns:\n  - name: a\n    type: int\n    generated: {expr: a}\n",
        ["t.yaml:5: unknown key 'expr' in columns[0].generated"],
    ),
    "nulls_not_distinct_needs_unique": (
        "table: t\ncolumns:\n  - {name: a, type: int}\nindexes:\n  - columns: [a]\n"
        "    nulls_not_distinct: true\n",
        ["t.yaml:6: indexes[0]: nulls_not_distinct applies to a unique index (add unique: true)"],
    ),
    "period_needs_two_columns": (
        "table: t\ncolumns:\n  - {name: a, type: int}\nforeign_keys:\n  - columns: [a]\n"
        "    references: {table: u, columns: [a]}\n    period: true\n",
        [
            "t.yaml:7: foreign_keys[0]: a PERIOD foreign key needs a key column"
            " and the period column"
        ],
    ),
    "without_overlaps_on_unknown_column": (
        "table: t\ncolumns:\n  - {name: a, type: int}\nprimary_key: [a, 'b WITHOUT OVERLAPS']\n",
        ["t.yaml:4: primary_key: no column 'b' in columns"],
    ),
    "enforced_not_a_flag": (
        "table: t\ncolumns:\n"
        "  - {name: a, type: int, references: {table: u, enforced: sometimes}}\n",
        ["t.yaml:3: columns[0].references.enforced: "],
    ),
    "bad_identifier": (
        "table: 'bad\"name'\n",
        ["t.yaml:1: table: cannot parse name 'bad\"name': "],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_error(tmp_path, case):
    text, expected = ERROR_CASES[case]
    got = problems(tmp_path, text)
    assert len(got) == len(expected), got
    for line, want in zip(got, expected, strict=True):
        # A trailing ': ' marks a message whose reason comes from normalize (not ours to pin).
        if want.endswith(": "):
            assert line.startswith(want) and len(line) > len(want), line
        else:
            assert line == want


def test_reference_shorthand_and_mapping(tmp_path):
    spec = load(
        tmp_path,
        """\
        table: t
        schema: app
        columns:
          - {name: a, type: int, references: u.uid}
          - {name: b, type: int, references: other.u.id}
          - name: c
            type: int
            references: {table: auth.users, on_update: SET_NULL}
        """,
    )
    assert spec.table.foreign_keys == (
        ForeignKey(("a",), "app", "u", ("uid",)),
        ForeignKey(("b",), "other", "u", ("id",)),
        ForeignKey(("c",), "auth", "users", ("id",), on_update="set null"),
    )
    assert spec.lines["fk:0"] == 4 and spec.lines["fk:2"] == 8


def test_empty_values_mean_not_stated(tmp_path):
    spec = load(
        tmp_path,
        """\
        table: t
        purpose:
        columns:
          - name: a
            type: int
            nullable:
            default:
            note:
        indexes:
        rls:
        """,
    )
    assert spec.purpose is None
    assert spec.table.columns == (Column("a", TypeRef("integer"), False),)
    assert spec.table.rls is None
    assert spec.columns_doc == {}


# -- folders -----------------------------------------------------------------------


def test_all_problems_of_all_files_in_one_error(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "table: a\ncolums: []\n", "specs/b.yaml")
    write(tmp_path, "table: a\ncolumns: [{name: x}]\n", "specs/a.yaml")
    write(tmp_path, "- not a spec\n", "specs/sub/c.yml")
    write(tmp_path, "table: ignored\n", "specs/.hidden/d.yaml")
    write(tmp_path, "not yaml: [\n", "specs/notes.txt")
    with pytest.raises(SpecError) as info:
        load_specs(Path("specs"), access_kinds=ACCESS)
    assert info.value.lines() == [
        "specs/a.yaml:2: columns[0]: missing required key 'type'",
        "specs/b.yaml:2: unknown key 'colums' (did you mean 'columns'?)",
        "specs/sub/c.yml:1: a spec must be a mapping (table: ..., columns: ...), got a list",
    ]


def test_same_table_in_two_files(tmp_path):
    write(tmp_path, "table: orders\n", "a.yaml")
    write(tmp_path, "# the same table again\nschema: public\ntable: ORDERS\n", "b.yaml")
    with pytest.raises(SpecError) as info:
        load_specs(tmp_path, access_kinds=ACCESS)
    assert info.value.lines() == [
        f"{tmp_path}/b.yaml:3: table public.orders is already described by {tmp_path}/a.yaml:1"
    ]


def test_no_specs(tmp_path):
    with pytest.raises(SpecError) as info:
        load_specs(tmp_path, access_kinds=ACCESS)
    assert info.value.lines() == [f"{tmp_path}: no specs found (no *.yaml or *.yml file)"]
    with pytest.raises(SpecError) as info:
        load_specs(tmp_path / "absent", access_kinds=ACCESS)
    assert str(info.value) == f"{tmp_path}/absent: no specs found: no such file or folder"


def test_single_file_target(tmp_path):
    path = write(tmp_path, "table: t\n", "one.spec")
    assert [s.qualified for s in load_specs(path, access_kinds=ACCESS).specs] == ["public.t"]


def test_access_kinds_default_to_the_access_vocabulary(tmp_path):
    from schemaverify.sources.specs.patterns import load_patterns

    kinds = load_patterns().kinds
    assert "organization" in kinds
    spec = load_spec_file(write(tmp_path, "table: t\nrls: {access: [organization]}\n"))
    assert spec.table.rls == Rls(enabled=True, access=("organization",))
    with pytest.raises(SpecError, match="unknown access kind 'custom_kind'"):
        load_spec_file(write(tmp_path, "table: t\nrls: {access: [custom_kind]}\n"))
    spec = load_spec_file(
        write(tmp_path, "table: t\nrls: {access: [custom_kind]}\n"),
        access_kinds=[*kinds, "custom_kind"],
    )
    assert spec.table.rls is not None and spec.table.rls.access == ("custom_kind",)


# -- hostile input -------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)

HOSTILE = {
    "binary": (
        b"\x00\x01\x02table: t\n",
        "t.yaml:1: invalid character U+0000 (not allowed in YAML)",
    ),
    "latin1": (
        b"table: t\npurpose: caf\xe9\n",
        "t.yaml:2: not UTF-8 text (byte 0xe9 at offset 21)",
    ),
    "deep": (
        b"table: " + b"[" * 5000,
        "t.yaml:1: YAML syntax error: nested more than 64 levels deep",
    ),
    "alias_bomb": (
        BILLION_LAUGHS.encode(),
        "t.yaml:1: document expands to more than 200000 values (aliases)",
    ),
    "recursive_alias": (b"table: &x [*x]\n", "t.yaml:1: recursive alias: a value contains itself"),
    "python_tag": (
        b"table: !!python/object/apply:os.system [echo hi]\n",
        "t.yaml:1: unsupported YAML tag !!python/object/apply:os.system",
    ),
    "binary_tag": (b"table: !!binary aGk=\n", "t.yaml:1: unsupported YAML tag !!binary"),
    "complex_key": (
        b"? [a, b]\n: 1\n",
        "t.yaml:1: a mapping key must be a plain value, not a collection",
    ),
    "two_documents": (
        b"table: a\n---\ntable: b\n",
        "t.yaml:2: more than one YAML document in the file (remove the '---' separator)",
    ),
    "undefined_alias": (
        b"table: *nope\n",
        "t.yaml:1: YAML syntax error: found undefined alias 'nope'",
    ),
    "huge_int": (
        b"table: t\nversion: " + b"9" * 5000 + b"\n",
        f"t.yaml:2: integer '{'9' * 37}...' is too large (more than 4300 digits)",
    ),
    # Fewer characters than 4300 digits, but a value Python cannot show in a message.
    "huge_hex_int": (
        b"table: t\nversion: 0x" + b"f" * 3600 + b"\n",
        f"t.yaml:2: integer '0x{'f' * 35}...' is too large",
    ),
    "huge_binary_int": (
        b"table: t\nversion: 0b" + b"1" * 15000 + b"\n",
        f"t.yaml:2: integer '0b{'1' * 35}...' is too large",
    ),
    "huge_base60_int": (
        b"table: t\nversion: 1" + b":0" * 2500 + b"\n",
        f"t.yaml:2: integer '1{':0' * 18}...' is too large",
    ),
    "lone_surrogate": (
        b'table: "t\\ud800"\n',
        "t.yaml:1: invalid character U+D800 (a lone surrogate, not text;",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input(tmp_path, case):
    data, expected = HOSTILE[case]
    path = tmp_path / "t.yaml"
    path.write_bytes(data)
    with pytest.raises(SpecError) as info:
        load_spec_file(path, display_path="t.yaml", access_kinds=ACCESS)
    assert info.value.lines()[0].startswith(expected)


def test_merge_keys_and_aliases_within_limits(tmp_path):
    spec = load(
        tmp_path,
        """\
        table: t
        columns:
          - &base {name: a, type: int, nullable: true}
          - <<: *base
            name: b
        """,
    )
    assert spec.table.columns == (
        Column("a", TypeRef("integer"), True),
        Column("b", TypeRef("integer"), True),
    )


def test_oversized_and_unreadable_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"table: t\n" + b"#" * 100 + b"\n")
    with pytest.raises(SpecError, match=r"big.yaml:1: file is larger than 50 bytes"):
        yamlnodes.load(big, max_bytes=50)
    with pytest.raises(SpecError, match=r"cannot read file"):
        load_spec_file(tmp_path, access_kinds=ACCESS)  # a folder is not a readable file


_SPEC_KEYS = sorted(
    {
        *specload.TOP_KEYS,
        *specload.COLUMN_KEYS,
        *specload.INDEX_KEYS,
        *specload.FK_KEYS,
        *specload.RLS_KEYS,
        *specload.POLICY_KEYS,
    }
)
_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["id", "int", "text", "a > 0", "cascade", "gin", "owner", "DESC", "(x)"]),
)
_yamlish = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_SPEC_KEYS), inner, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300))
def test_random_text_never_escapes_as_a_traceback(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            spec = load_spec_file(path, display_path="r.yaml", access_kinds=ACCESS)
        except SpecError as err:
            assert all(line.startswith("r.yaml:") for line in err.lines())
        else:
            assert spec.table.name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.dictionaries(st.sampled_from(_SPEC_KEYS), _yamlish, max_size=8),
    table=st.sampled_from(["t", None]),
)
def test_random_spec_shapes_never_escape_as_a_traceback(body, table):
    """Spec-shaped documents with values of every wrong type reach the typed checks."""
    if table:
        body["table"] = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.yaml"
        path.write_text(yaml.safe_dump(body), encoding="utf-8")
        try:
            load_spec_file(path, display_path="r.yaml", access_kinds=ACCESS)
        except SpecError as err:
            assert err.lines() and all(re.match(r"r\.yaml:\d+: ", x) for x in err.lines())


# -- the JSON Schema ---------------------------------------------------------------


def _spec_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = spec_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", _spec_files(GOOD), ids=lambda p: p.name)
def test_valid_specs_match_the_schema(path):
    load_spec_file(path, access_kinds=ACCESS)
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), spec_json_schema())


@pytest.mark.parametrize("path", _spec_files(BAD), ids=lambda p: p.name)
def test_invalid_specs_fail_both_loader_and_schema(path):
    with pytest.raises(SpecError):
        load_spec_file(path, access_kinds=ACCESS)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), spec_json_schema())


def test_schema_declares_exactly_the_loader_keys_and_words():
    """The loader's key lists and vocabularies are the truth; the schema must follow them."""
    schema = spec_json_schema()
    defs = schema["$defs"]

    def keys(obj):
        return set(obj["properties"])

    assert keys(schema) == set(specload.TOP_KEYS)
    assert keys(defs["column"]) == set(specload.COLUMN_KEYS)
    assert keys(defs["columnReference"]) == set(specload.COLUMN_REF_KEYS)
    assert keys(defs["index"]) == set(specload.INDEX_KEYS)
    assert keys(defs["primaryKeyIndex"]) == set(specload.PK_INDEX_KEYS)
    assert keys(defs["foreignKey"]) == set(specload.FK_KEYS)
    assert keys(defs["foreignKey"]["properties"]["references"]) == set(specload.FK_REF_KEYS)
    assert keys(defs["rls"]) == set(specload.RLS_KEYS)
    assert keys(defs["policy"]) == set(specload.POLICY_KEYS)
    assert keys(defs["ignoreRule"]) == set(specload.IGNORE_KEYS)

    def words(node):
        found = [n["enum"] for n in node.get("anyOf", [node]) if "enum" in n]
        if not found:
            found = [words(n) for n in node.get("anyOf", []) if "anyOf" in n]
        return list(found[0])

    props = schema["properties"]
    assert words(props["certainty"]) == list(CERTAINTIES)
    assert words(defs["fkAction"]) == list(FK_ACTIONS)
    assert words(defs["index"]["properties"]["method"]) == list(INDEX_METHODS)
    assert words(defs["policy"]["properties"]["command"]) == list(POLICY_COMMANDS)
    # Finding kinds grow with every release, so the schema only checks their shape
    # (like access kinds, which a patterns file extends); the loader checks the name.
    assert defs["ignoreRule"]["properties"]["kind"]["type"] == "string"
    assert all(re.match(defs["ignoreRule"]["properties"]["kind"]["pattern"], k) for k in KINDS)
    assert words(defs["column"]["properties"]["identity"]) == list(specload.IDENTITY_KINDS)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("cascade", True), ("SET NULL", True), ("set_null", True), ("casade", False), ("c", False)],
)
def test_schema_fk_action_words_follow_the_loader(tmp_path, value, ok):
    text = (
        "table: t\ncolumns:\n"
        f"  - {{name: a, type: int, references: {{table: u, on_delete: {value}}}}}\n"
    )
    validator = jsonschema.Draft202012Validator(spec_json_schema())
    assert validator.is_valid(yaml.safe_load(text)) is ok
    if ok:
        load(tmp_path, text)
    else:
        assert problems(tmp_path, text)
