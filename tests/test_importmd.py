"""`schemaverify import-md`: docs/UNDOCUMENTED_TABLES.md -> specs/, and its Markdown grammar.

The real document is imported once per module (into a temporary folder, run
from the repository root so `source:` reads `docs/UNDOCUMENTED_TABLES.md:N`)
and ten varied tables are asserted field by field through the spec loader,
so the tests prove both what was transcribed and that it loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.errors import SpecError
from schemaverify.model import normalize
from schemaverify.model.spec import TableSpec
from schemaverify.sources.importmd import build_spec, check_document, parse_document, render
from schemaverify.sources.importmd.build import certainty_of
from schemaverify.sources.importmd.document import DocRls, DocTable
from schemaverify.sources.importmd.grammar import (
    GrammarError,
    parse_column,
    parse_foreign_key,
    parse_index,
    parse_rls,
)
from schemaverify.sources.specs.load import load_spec_file, load_specs

REPO = Path(__file__).resolve().parent.parent
DOC = "docs/UNDOCUMENTED_TABLES.md"
MD = Path(__file__).parent / "fixtures" / "md"
TZ = "timestamp with time zone"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("specs")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = run("import-md", DOC, "--out-dir", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stderr == ""
    yield out


@pytest.fixture(scope="module")
def specs(imported: Path) -> dict[str, TableSpec]:
    return {s.table.name: s for s in load_specs(imported).specs}


# -- the real document ----------------------------------------------------------------

HEADINGS = [
    line.split("`")[1]
    for line in (REPO / DOC).read_text(encoding="utf-8").splitlines()
    if line.startswith("### `")
]


def test_real_document_gives_exactly_39_specs(imported: Path, specs: dict[str, TableSpec]) -> None:
    assert len(HEADINGS) == 39
    assert sorted(p.name for p in imported.iterdir()) == sorted(f"{t}.yaml" for t in HEADINGS)
    assert sorted(specs) == sorted(HEADINGS)


def test_every_spec_records_its_source_line(specs: dict[str, TableSpec]) -> None:
    lines = (REPO / DOC).read_text(encoding="utf-8").splitlines()
    for name, spec in specs.items():
        assert spec.source is not None and spec.source.startswith(f"{DOC}:")
        line = int(spec.source.rsplit(":", 1)[1])
        assert lines[line - 1] == f"### `{name}`"


def test_totals_transcribed(specs: dict[str, TableSpec]) -> None:
    """Every column, index, FK and access kind of the document made it into a spec."""
    tables = [s.table for s in specs.values()]
    assert sum(len(t.columns) for t in tables) == 371
    assert sum(len(t.indexes) for t in tables) == 125
    assert sum(len(t.foreign_keys) for t in tables) == 35
    assert sum(len(t.uniques) for t in tables) == 7
    access: dict[str, int] = {}
    for t in tables:
        assert t.rls is not None and t.rls.enabled is True
        for kind in t.rls.access:
            access[kind] = access.get(kind, 0) + 1
    assert access == {
        "organization": 23,
        "service_role_only": 7,
        "admin": 5,
        "domain": 2,
        "owner": 2,
        "public_read": 1,
    }
    assert {s.certainty for s in specs.values()} == {"estimated"}


def _index(index: Any) -> str:
    if index.primary:
        return "PRIMARY KEY"
    keys = ", ".join(k.expression + (" DESC" if k.descending else "") for k in index.keys)
    text = f"{'UNIQUE ' if index.unique else ''}{index.method} ({keys})"
    if index.predicate is not None:
        text += f" WHERE {index.predicate}"
    if index.partial_any:
        text += " (partial)"
    return text


def summary(spec: TableSpec) -> dict[str, Any]:
    t = spec.table
    return {
        "columns": [(c.name, str(c.type), c.nullable) for c in t.columns],
        "primary_key": t.primary_key.columns if t.primary_key else None,
        "unique": [u.columns for u in t.uniques],
        "indexes": [_index(i) for i in t.indexes],
        "foreign_keys": [
            (f.columns, f.ref_qualified, f.ref_columns, f.on_delete, f.on_update)
            for f in t.foreign_keys
        ],
        "access": t.rls.access if t.rls else None,
    }


def cols(*spec: str) -> list[tuple[str, str, bool]]:
    """`name type` or `name type?` (nullable)."""
    result = []
    for item in spec:
        name, _, type_ = item.partition(" ")
        nullable = type_.endswith("?")
        result.append((name, type_.rstrip("?").replace("tz", TZ), nullable))
    return result


def fk(column: str, target: str, on_delete: str | None = "cascade") -> tuple[Any, ...]:
    return ((column,), f"public.{target}", ("id",), on_delete, None)


EXPECTED: dict[str, dict[str, Any]] = {
    "cart_abandonments": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "session_id text",
            "cart_data jsonb",
            "abandoned_at tz",
            "recovered_at tz?",
            "recovery_email_sent_at tz?",
            "total_value numeric",
            "created_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "btree (customer_id)",
            "btree (abandoned_at)",
            "btree (recovered_at) WHERE recovered_at IS NULL",
            "gin (cart_data)",
        ],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("organization",),
    },
    "cart_analytics_daily": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "date date",
            "total_carts integer",
            "abandoned_carts integer",
            "recovered_carts integer",
            "abandonment_rate numeric",
            "recovery_rate numeric",
            "total_value_abandoned numeric",
            "total_value_recovered numeric",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": ["PRIMARY KEY", "UNIQUE btree (customer_id, date)", "btree (date DESC)"],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("organization",),
    },
    "cart_session_metrics": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "session_id text",
            "started_at tz",
            "last_activity_at tz",
            "total_operations integer",
            "items_added integer",
            "items_removed integer",
            "final_cart_value numeric",
            "abandoned boolean",
            "converted boolean",
            "conversion_value numeric?",
            "duration_seconds integer",
        ),
        "primary_key": ("id",),
        "unique": [("session_id",)],
        "indexes": [
            "PRIMARY KEY",
            "UNIQUE btree (session_id)",
            "btree (customer_id, started_at DESC)",
            "btree (abandoned) (partial)",
        ],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("organization",),
    },
    "conversation_funnel": {
        "columns": cols(
            "id uuid",
            "conversation_id uuid",
            "current_stage text",
            "stage_timestamps jsonb",
            "conversion_events jsonb[]",
            "drop_off_stage text?",
            "drop_off_reason text?",
            "total_messages integer",
            "duration_seconds integer",
            "converted boolean",
            "conversion_value numeric?",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [("conversation_id",)],
        "indexes": [
            "PRIMARY KEY",
            "UNIQUE btree (conversation_id)",
            "btree (current_stage)",
            "btree (converted)",
            "gin (stage_timestamps)",
        ],
        "foreign_keys": [fk("conversation_id", "conversations")],
        "access": ("domain",),
    },
    "autonomous_consent": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "user_identifier text",
            "consent_type text",
            "granted boolean",
            "granted_at tz?",
            "revoked_at tz?",
            "ip_address text?",
            "user_agent text?",
            "metadata jsonb",
            "created_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "UNIQUE btree (customer_id, user_identifier, consent_type) WHERE revoked_at IS NULL",
            "btree (consent_type)",
        ],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("domain",),
    },
    "funnel_alert_rules": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "funnel_id uuid?",
            "metric_name text",
            "comparison text",
            "threshold numeric",
            "time_window interval",
            "recipients text[]",
            "active boolean",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": ["PRIMARY KEY", "btree (customer_id, active)", "btree (funnel_id)"],
        "foreign_keys": [
            fk("customer_id", "customer_configs"),
            fk("funnel_id", "custom_funnels"),
        ],
        "access": ("organization",),
    },
    "autonomous_operations": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "conversation_id uuid?",
            "operation_type text",
            "user_identifier text",
            "consent_verified boolean",
            "operation_data jsonb",
            "success boolean",
            "error_message text?",
            "performed_at tz",
            "audit_log jsonb",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "btree (customer_id, performed_at DESC)",
            "btree (operation_type)",
            "btree (success)",
            "gin (operation_data)",
        ],
        "foreign_keys": [
            fk("customer_id", "customer_configs"),
            fk("conversation_id", "conversations", "set null"),
        ],
        "access": ("organization",),
    },
    "autonomous_credentials": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "encrypted_credentials jsonb",
            "credential_types text[]",
            "last_used_at tz?",
            "expires_at tz?",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [("customer_id",)],
        "indexes": ["PRIMARY KEY", "UNIQUE btree (customer_id)"],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("service_role_only",),
    },
    "product_embeddings": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "product_id text",
            "product_name text",
            "product_description text",
            "embedding vector(1536)",
            "metadata jsonb",
            "content_hash text",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "UNIQUE btree (customer_id, product_id)",
            "hnsw (embedding)",
            "btree (content_hash)",
        ],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("organization",),
    },
    "whatsapp_sessions": {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "phone_number text",
            "window_opened_at tz",
            "window_expires_at tz",
            "last_message_at tz",
            "messages_sent integer",
            "active boolean",
            "created_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "UNIQUE btree (customer_id, phone_number) WHERE "
            + normalize.expression("active = true"),
            "btree (window_expires_at)",
        ],
        "foreign_keys": [fk("customer_id", "customer_configs")],
        "access": ("organization",),
    },
    "notifications": {
        "columns": cols(
            "id uuid",
            "user_id uuid",
            "type text",
            "title text",
            "message text",
            "data jsonb?",
            "read boolean",
            "read_at tz?",
            "sent_at tz",
            "expires_at tz?",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": ["PRIMARY KEY", "btree (user_id, read, sent_at DESC)"],
        "foreign_keys": [],
        "access": ("owner",),
    },
    "feedback": {
        "columns": cols(
            "id uuid",
            "user_id uuid?",
            "customer_id uuid?",
            "type text",
            "title text",
            "description text",
            "status text",
            "priority text?",
            "metadata jsonb",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": ["PRIMARY KEY", "btree (status, created_at DESC)", "btree (type)"],
        "foreign_keys": [],
        "access": ("owner", "admin"),
    },
    "translation_cache": {
        "columns": cols(
            "id uuid",
            "source_language text",
            "target_language text",
            "source_text text",
            "translated_text text",
            "translation_service text",
            "quality_score numeric?",
            "created_at tz",
            "last_used_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "UNIQUE btree (source_language, target_language, source_text)",
            "btree (last_used_at)",
        ],
        "foreign_keys": [],
        "access": ("public_read",),
    },
    "follow_up_messages": {
        "columns": cols(
            "id uuid",
            "conversation_id uuid",
            "customer_id uuid",
            "message_template text",
            "scheduled_for tz",
            "sent_at tz?",
            "status text",
            "created_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "btree (status, scheduled_for) WHERE status = 'pending'",
            "btree (conversation_id)",
        ],
        "foreign_keys": [
            fk("conversation_id", "conversations"),
            fk("customer_id", "customer_configs"),
        ],
        "access": ("organization",),
    },
    "feature_rollouts": {
        "columns": cols(
            "id uuid",
            "flag_key text",
            "rollout_percentage integer",
            "target_audience jsonb",
            "start_date date",
            "end_date date?",
            "status text",
            "created_at tz",
            "updated_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": ["PRIMARY KEY", "btree (flag_key, status)", "btree (status)"],
        "foreign_keys": [],
        "access": ("admin",),
    },
}


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_table_transcribed_exactly(specs: dict[str, TableSpec], table: str) -> None:
    assert summary(specs[table]) == EXPECTED[table]


def test_prose_notes_values_and_certainty(specs: dict[str, TableSpec]) -> None:
    cart = specs["cart_abandonments"]
    assert cart.purpose == "Track abandoned shopping carts for recovery campaigns"
    assert cart.usage == "Recovery email campaigns, analytics dashboards"
    assert cart.category == "Cart Analytics"
    # 'Estimated Columns' and a 'Likely' RLS sentence: the weaker claim wins.
    assert cart.certainty == "estimated"
    assert cart.columns_doc["cart_data"].note == "Cart contents"
    ops = specs["cart_operations"].columns_doc["operation_type"]
    assert ops.values == ("add", "remove", "update", "clear") and ops.note is None
    flag = specs["feature_flag_changes"].columns_doc["flag_type"]
    assert flag.values == ("customer", "organization") and flag.note is None
    lang = specs["language_preferences"].columns_doc["language_code"]
    # The list is open-ended ("etc."): examples, not the allowed values; the note says so.
    assert lang.values == ()
    assert lang.note == "'en', 'es', 'fr', etc."
    assert specs["funnel_alert_rules"].columns_doc["time_window"].values == (
        "1 hour",
        "1 day",
        "1 week",
    )
    assert specs["feature_rollouts"].columns_doc["rollout_percentage"].note == "0-100"
    assert specs["translation_cache"].index_notes == {2: "for LRU eviction"}
    assert specs["product_embeddings"].category == "Integration"


def test_emitted_yaml_states_what_the_document_says(imported: Path) -> None:
    text = (imported / "cart_session_metrics.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Generated by `schemaverify import-md` from docs/UNDOCUMENTED")
    data = yaml.safe_load(text)
    assert list(data) == [
        "table",
        "category",
        "certainty",
        "source",
        "purpose",
        "usage",
        "columns",
        "indexes",
        "foreign_keys",
        "rls",
    ]
    assert data["source"] == f"{DOC}:137"
    assert data["columns"][2] == {"name": "session_id", "type": "text", "unique": True}
    assert data["indexes"] == [
        {"primary_key": True},
        {"columns": ["session_id"], "unique": True},
        {"columns": ["customer_id", "started_at DESC"]},
        {"columns": ["abandoned"], "partial": True},
    ]
    assert data["foreign_keys"] == [
        {
            "columns": ["customer_id"],
            "references": {"table": "customer_configs", "columns": ["id"]},
            "on_delete": "cascade",
        }
    ]
    assert data["rls"] == {"access": ["organization"]}
    assert "# RLS as documented (docs/UNDOCUMENTED_TABLES.md:165): Organization-based access" in (
        text
    )
    consent = yaml.safe_load((imported / "autonomous_consent.yaml").read_text(encoding="utf-8"))
    assert consent["indexes"][1] == {
        "columns": ["customer_id", "user_identifier", "consent_type"],
        "unique": True,
        "where": "revoked_at IS NULL",
    }
    follow = yaml.safe_load((imported / "follow_up_messages.yaml").read_text(encoding="utf-8"))
    assert follow["indexes"][1] == {
        "columns": ["status", "scheduled_for"],
        "where": "status = 'pending'",
    }


def test_committed_specs_are_the_import_of_the_document(imported: Path) -> None:
    """specs/ is generated: regenerate it with `schemaverify import-md` when the doc changes."""
    committed = REPO / "specs"
    assert sorted(p.name for p in committed.glob("*.yaml")) == sorted(
        p.name for p in imported.iterdir()
    )
    for path in sorted(imported.iterdir()):
        assert (committed / path.name).read_bytes() == path.read_bytes(), path.name
    result = run("lint", "--specs", str(committed))
    assert result.exit_code == 0 and result.stdout == "39 specs OK\n"


def test_import_twice_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    first = run("import-md", DOC, "--out-dir", str(out))
    assert first.exit_code == 0
    assert first.stdout == (
        f"39 specs in {out} from 39 tables of {DOC} (39 written, 0 unchanged)\n"
    )
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    second = run("import-md", DOC, "--out-dir", str(out))
    assert second.exit_code == 0
    assert second.stdout == (
        f"39 specs in {out} from 39 tables of {DOC} (0 written, 39 unchanged)\n"
    )
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert after == before  # not even rewritten
    merged = run("import-md", DOC, "--out-dir", str(out), "--merge")
    assert merged.exit_code == 0 and "(0 written, 39 unchanged)" in merged.stdout


# -- --merge ---------------------------------------------------------------------

HAND_EDITED = """\
# a comment of mine
table: cart_abandonments
certainty: verified
purpose: Abandoned carts, in better words
columns:
  - name: id
    type: uuid
    primary_key: true
    default: gen_random_uuid()
  - name: customer_id
    type: text
    note: the tenant
  - name: legacy_flag
    type: boolean
indexes:
  - primary_key: true
    name: cart_abandonments_pkey
  - columns: [customer_id]
    name: idx_cart_customer
foreign_keys:
  - columns: [customer_id]
    references: {table: customer_configs}
    on_update: no action
rls:
  access: [admin]
  policies:
    - name: Members read carts
      command: select
      roles: [authenticated]
ignore:
  - kind: column_undocumented
    object: tmp_col
    reason: dropped soon
"""


def test_merge_keeps_hand_edits_and_restores_documented_structure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "cart_abandonments.yaml"
    target.write_text(HAND_EDITED, encoding="utf-8")
    result = run("import-md", DOC, "--out-dir", str(out), "--merge")
    assert result.exit_code == 0, result.stderr
    spec = load_spec_file(target)
    # kept: prose, human certainty, default, extra column, index name, policies, ignore
    assert spec.purpose == "Abandoned carts, in better words"
    assert spec.certainty == "verified"
    id_col, customer_col = spec.table.column("id"), spec.table.column("customer_id")
    assert id_col is not None and customer_col is not None
    assert id_col.default == normalize.expression("gen_random_uuid()")
    assert spec.columns_doc["customer_id"].note == "the tenant"
    assert spec.table.columns[-1].name == "legacy_flag"
    assert spec.table.indexes[0].name == "cart_abandonments_pkey"
    assert spec.table.indexes[1].name == "idx_cart_customer"
    assert spec.table.rls is not None
    assert [p.name for p in spec.table.rls.policies] == ["Members read carts"]
    assert [(r.kind, r.object) for r in spec.ignore] == [("column_undocumented", "tmp_col")]
    # from the document: what it states wins over the file
    assert str(customer_col.type) == "uuid"
    assert spec.table.rls.access == ("organization",)
    assert spec.usage == "Recovery email campaigns, analytics dashboards"
    assert spec.columns_doc["cart_data"].note == "Cart contents"
    assert [f.on_delete for f in spec.table.foreign_keys] == ["cascade"]
    assert [f.on_update for f in spec.table.foreign_keys] == ["no action"]
    assert len(spec.table.columns) == 10  # the document's 9, then the hand-added one
    assert len(spec.table.indexes) == 5
    # and merging again changes nothing
    again = run("import-md", DOC, "--out-dir", str(out), "--merge")
    assert "(0 written, 39 unchanged)" in again.stdout


def test_without_merge_the_file_is_a_fresh_transcription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    out.mkdir()
    (out / "cart_abandonments.yaml").write_text(HAND_EDITED, encoding="utf-8")
    assert run("import-md", DOC, "--out-dir", str(out)).exit_code == 0
    spec = load_spec_file(out / "cart_abandonments.yaml")
    assert spec.purpose == "Track abandoned shopping carts for recovery campaigns"
    assert spec.certainty == "estimated"
    assert spec.table.column("legacy_flag") is None
    assert spec.ignore == ()


def test_merge_reports_an_unreadable_spec_file_and_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    out.mkdir()
    broken = out / "feedback.yaml"
    broken.write_text("table: feedback\ncolumns: [\n", encoding="utf-8")
    result = run("import-md", DOC, "--out-dir", str(out), "--merge")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(f"{broken}:3: ")
    assert result.stderr.splitlines()[-1] == "1 problem; not written: feedback"
    assert broken.read_text(encoding="utf-8") == "table: feedback\ncolumns: [\n"
    assert len(list(out.glob("*.yaml"))) == 39


# -- malformed documents -------------------------------------------------------------


def import_fixture(name: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(MD)
    return run("import-md", name, "--out-dir", str(out))


def test_odd_spacing_reads_like_the_tidy_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tidy = import_fixture("tidy.md", tmp_path / "tidy", monkeypatch)
    odd = import_fixture("odd_spacing.md", tmp_path / "odd", monkeypatch)
    assert tidy.exit_code == odd.exit_code == 0, odd.stderr
    assert odd.stderr == ""
    for name in ("orders.yaml", "order_lines.yaml"):
        a = yaml.safe_load((tmp_path / "tidy" / name).read_text(encoding="utf-8"))
        b = yaml.safe_load((tmp_path / "odd" / name).read_text(encoding="utf-8"))
        assert a.pop("source").startswith("tidy.md:")
        assert b.pop("source").startswith("odd_spacing.md:")
        assert a == b
    orders = load_spec_file(tmp_path / "odd" / "orders.yaml")
    assert summary(orders) == {
        "columns": cols(
            "id uuid",
            "customer_id uuid",
            "owner_id uuid?",
            "status text",
            "total numeric(10,2)",
            "created_at tz",
        ),
        "primary_key": ("id",),
        "unique": [],
        "indexes": [
            "PRIMARY KEY",
            "btree (customer_id, created_at DESC)",
            "btree (status) WHERE status = 'new'",
        ],
        "foreign_keys": [
            fk("customer_id", "customers"),
            (("owner_id",), "auth.users", ("id",), "set null", None),
        ],
        "access": ("owner",),
    }
    lines = load_spec_file(tmp_path / "odd" / "order_lines.yaml")
    # a column FK mark without a Foreign Keys line: an FK with no action stated
    assert summary(lines)["foreign_keys"] == [fk("order_id", "orders", None)]
    assert lines.certainty == "estimated"
    assert lines.index_notes == {1: "for tag search"}


def test_crlf_line_endings_read_the_same(tmp_path: Path) -> None:
    text = (MD / "tidy.md").read_text(encoding="utf-8")
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    result = run("import-md", str(crlf), "--out-dir", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert load_spec_file(tmp_path / "out" / "orders.yaml").table.indexes[2].predicate == (
        "status = 'new'"
    )


def test_missing_column_list_is_an_error_and_that_table_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = import_fixture("missing_parts.md", tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "missing_parts.md:13: table `widgets` has no **Estimated Columns** part: nothing to verify",
        "missing_parts.md:18: 'Primary key index' but no column is marked PRIMARY KEY",
        "2 problems; not written: widgets",
    ]
    # the tables without problems are written (a missing RLS part is for --check)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gadgets.yaml", "gizmos.yaml"]
    gadgets = load_spec_file(tmp_path / "gadgets.yaml")
    assert gadgets.table.rls is None and gadgets.table.indexes == ()


def test_unknown_index_wording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = import_fixture("unknown_index.md", tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "unknown_index.md:16: unknown index method 'Fulltext'; expected one of: brin, btree, "
        "gin, gist, hash, hnsw, ivfflat, spgist",
        "unknown_index.md:17: unknown index wording 'Covering index for `title`'; expected "
        "'Primary key index', 'Index on `col`', 'Index on `(a, b DESC)`', 'Unique index on "
        "...' or '<GIN|GiST|HNSW|BRIN|Hash|...> index on ...'",
        "unknown_index.md:18: cannot read the indexed columns in 'title'; write them in "
        "backticks: `col` or `(a, b DESC)`",
        "unknown_index.md:19: cannot read 'sorted by date' after the index columns; expected "
        "(partial), (partial, WHERE ...), (UNIQUE where ...), WHERE ..., a (remark) or ' - note'",
        "4 problems; not written: articles",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["authors.yaml"]
    authors = load_spec_file(tmp_path / "authors.yaml")
    assert [_index(i) for i in authors.table.indexes] == ["PRIMARY KEY", "brin (name)"]


def test_table_listed_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = import_fixture("listed_twice.md", tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "listed_twice.md:43: table `widgets` is listed twice (first at line 11); neither "
        "description is imported until one is removed",
        "1 problem; not written: widgets",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["gadgets.yaml"]


def test_a_spoiled_table_keeps_its_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "widgets.yaml").write_text("table: widgets\n", encoding="utf-8")
    result = import_fixture("listed_twice.md", tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert (tmp_path / "widgets.yaml").read_text(encoding="utf-8") == "table: widgets\n"


BAD_LINES = [
    "bad_lines.md:3: **Estimated Columns** outside a table section (missing ### `table_name` "
    "heading?): not imported",
    "bad_lines.md:15: column `kind`: unknown mark 'indexed'; expected PRIMARY KEY, UNIQUE, "
    "nullable, NOT NULL, DEFAULT <expr> or FK → table.column",
    "bad_lines.md:16: column `size`: cannot read type 'bigint integer': unknown type "
    "'bigint integer'",
    "bad_lines.md:17: column `id` is listed twice (first at line 13)",
    "bad_lines.md:18: cannot read column line 'id uuid'; expected `name` (type[, marks]) [- note]",
    "bad_lines.md:19: nested list item is not understood",
    "bad_lines.md:20: unexpected text 'and more' after the type of column `label`; write "
    "remarks after ' - ' (e.g. `- `x` (text) - remark`)",
    "bad_lines.md:21: text in **Estimated Columns** is not understood (expected a `- ` list "
    "item or a **Part**: label): 'This sentence is not a list item.'",
    "bad_lines.md:25: index names column `missing_col`, which table `broken` does not list",
    "bad_lines.md:29: foreign key on `owner_id` references `accounts(id)` but the column's FK "
    "mark (line 14) says `users(id)`",
    "bad_lines.md:30: cannot read 'ON DELETE EXPLODE' after the foreign key target; expected "
    "ON DELETE <action> / ON UPDATE <action> (CASCADE, SET NULL, SET DEFAULT, RESTRICT, "
    "NO ACTION)",
    "bad_lines.md:31: foreign key names column `ghost_id`, which table `broken` does not list",
    "bad_lines.md:33: unknown part **Triggers**: expected Purpose, Estimated Columns, "
    "Expected Indexes, Foreign Keys, RLS or Usage",
    "bad_lines.md:34: list item outside any **Part**: 'audit trigger'",
    "bad_lines.md:36: cannot map the RLS sentence 'Whoever asks nicely' to access kinds; "
    "expected wording such as 'Service role only', 'Organization-based access', "
    "'Domain-based access', 'Admin only', 'User-based access (own rows only)', "
    "'Public read access'",
    "bad_lines.md:40: a code block inside a table section is not imported",
    "bad_lines.md:44: cannot read table heading 'Not a table heading' (expected ### "
    "`table_name`); its section (lines 44-48) is not imported",
]


def test_every_unreadable_line_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = import_fixture("bad_lines.md", tmp_path, monkeypatch)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    predicate = next(line for line in lines if line.startswith("bad_lines.md:26: "))
    assert predicate.startswith(
        "bad_lines.md:26: index predicate: cannot parse SQL \"kind = = 'x'\""
    )
    assert [line for line in lines if line is not predicate] == [
        *BAD_LINES,
        "18 problems; not written: broken",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["fine.yaml"]
    assert result.stdout.startswith("1 spec in ")


# -- command line ------------------------------------------------------------------


def test_usage_errors(tmp_path: Path) -> None:
    doc = str(MD / "tidy.md")
    no_out = run("import-md", doc)
    assert no_out.exit_code == 2
    assert no_out.stderr == "import-md needs --out-dir DIR (or --check)\n"
    both = run("import-md", doc, "--check", "--out-dir", str(tmp_path))
    assert both.exit_code == 2
    assert both.stderr == "--check writes nothing: it takes no --out-dir or --merge\n"
    file_out = tmp_path / "file"
    file_out.write_text("x", encoding="utf-8")
    not_dir = run("import-md", doc, "--out-dir", str(file_out))
    assert not_dir.exit_code == 2
    assert not_dir.stderr == f"--out-dir {file_out}: not a folder\n"


def test_unreadable_documents_exit_2(tmp_path: Path) -> None:
    missing = run("import-md", str(tmp_path / "nope.md"), "--out-dir", str(tmp_path / "o"))
    assert missing.exit_code == 2
    assert (
        missing.stderr == f"{tmp_path / 'nope.md'}:1: cannot read file: No such file or directory\n"
    )
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"# Tables\n\n### `caf\xe9`\n")
    result = run("import-md", str(latin), "--out-dir", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert result.stderr == f"{latin}:3: not UTF-8 text (byte 0xe9 at offset 18)\n"
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"PK\x03\x04\x00\x00")
    result = run("import-md", str(binary), "--out-dir", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert result.stderr == f"{binary}:1: binary data (a NUL byte): not a Markdown document\n"
    empty = tmp_path / "empty.md"
    empty.write_text("just prose\n", encoding="utf-8")
    result = run("import-md", str(empty), "--out-dir", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"{empty}:1: no table sections found (expected `### `table_name`` headings)"
    )
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


# -- grammar -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("`id` (uuid, PRIMARY KEY)", {"type": "uuid", "primary_key": True}),
        ("`x` (uuid, FK → customer_configs.id)", {"reference": "customer_configs(id)"}),
        ("`x` (uuid, FK -> auth.users(id), nullable)", {"reference": "auth.users(id)"}),
        ("`x` (uuid, FK → billing.accounts.id)", {"reference": "billing.accounts(id)"}),
        ("`session_id` (text, UNIQUE)", {"unique": True}),
        ("`recovered_at` (timestamptz, nullable)", {"nullable": True}),
        ("`embedding` (vector(1536))", {"type": "vector(1536)"}),
        ("`conversion_events` (jsonb[])", {"type": "jsonb[]"}),
        ("`total` (numeric(10, 2), NOT NULL)", {"type": "numeric(10, 2)", "nullable": False}),
        ("`status` (text, DEFAULT 'new')", {"default": "'new'"}),
        ("`op` (text) - 'add', 'remove'", {"values": ("add", "remove"), "note": None}),
        ("`t` (text) - 'a' or 'b'", {"values": ("a", "b"), "note": None}),
        ("`n` (text) - user's own label", {"values": (), "note": "user's own label"}),
        ("`m` (jsonb) — Map of stage → timestamp", {"note": "Map of stage → timestamp"}),
    ],
)
def test_column_lines(line: str, expected: dict[str, Any]) -> None:
    column = parse_column(line, 7)
    assert column.line == 7
    for key, value in expected.items():
        got = getattr(column, key)
        assert (str(got) if key == "reference" else got) == value


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("`x` (uuid, PRIMARY KEY, nullable)", "marked both PRIMARY KEY and nullable"),
        ("`x` (uuid, UNIQUE, UNIQUE)", "unique is stated twice"),
        ("`x` (uuid,, nullable)", "empty mark"),
        ("`x` (uuid", "unbalanced parentheses"),
        ("`x y` (uuid)", "is not a plain SQL name"),
        ("`x` ()", "has no type"),
        ("`x` (uuid, FK → a.b.c.d)", "cannot read foreign key target"),
    ],
)
def test_column_line_errors(line: str, reason: str) -> None:
    with pytest.raises(GrammarError, match=reason):
        parse_column(line, 1)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Primary key index", {"primary_key": True}),
        ("Index on `x`", {"keys": ("x",), "unique": False, "method": None}),
        ("Index on `date DESC`", {"keys": ("date DESC",)}),
        ("Index on `(a, b DESC)`", {"keys": ("a", "b DESC")}),
        ("Index on `a`, `b`", {"keys": ("a", "b")}),
        ("Index on `(lower(email))`", {"keys": ("(lower(email))",)}),
        ("Unique index on `(a, b)`", {"unique": True, "keys": ("a", "b")}),
        ("GIN index on `payload`", {"method": "gin"}),
        ("HNSW index on `embedding`", {"method": "hnsw"}),
        ("Unique B-tree index on `k`", {"method": "btree", "unique": True}),
        ("Index on `r` (partial, WHERE r IS NULL)", {"where": "r IS NULL", "partial": False}),
        ("Index on `r` (partial)", {"partial": True, "where": None}),
        ("Index on `(a, b)` (UNIQUE where c IS NULL)", {"unique": True, "where": "c IS NULL"}),
        ("Unique index on `(a, b)` WHERE active = true", {"where": "active = true"}),
        ("Index on `t` (for LRU eviction)", {"note": "for LRU eviction"}),
        ("Index on `s` WHERE s IN ('a, b', 'c')", {"where": "s IN ('a, b', 'c')"}),
        ("Index on `t` - hot path", {"note": "hot path"}),
    ],
)
def test_index_lines(line: str, expected: dict[str, Any]) -> None:
    index = parse_index(line, 3)
    for key, value in expected.items():
        assert getattr(index, key) == value


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Index over `x`", "unknown index wording"),
        ("Trigram index on `x`", "unknown index method 'Trigram'"),
        ("Index on `x` (gin)", "index method 'gin' in parentheses"),
        ("Index on `x` (partial, WHERE a, WHERE b)", "two WHERE predicates"),
        ("Index on `x` WHERE", "WHERE without a predicate|cannot read"),
        ("Index on `x` (partial", "unbalanced parentheses"),
    ],
)
def test_index_line_errors(line: str, reason: str) -> None:
    with pytest.raises(GrammarError, match=reason):
        parse_index(line, 1)


@pytest.mark.parametrize(
    ("line", "columns", "target", "on_delete", "on_update"),
    [
        ("`customer_id` → `customer_configs(id)` ON DELETE CASCADE", ("customer_id",),
         "customer_configs(id)", "cascade", None),
        ("`c` → `conversations(id)` ON DELETE SET NULL", ("c",), "conversations(id)",
         "set null", None),
        ("`u` -> `auth.users(id)` on delete restrict on update no action", ("u",),
         "auth.users(id)", "restrict", "no action"),
        ("`(a, b)` → `t(x, y)`", ("a", "b"), "t(x, y)", None, None),
        ("`o` references orders.id", ("o",), "orders(id)", None, None),
    ],
)  # fmt: skip
def test_foreign_key_lines(
    line: str,
    columns: tuple[str, ...],
    target: str,
    on_delete: str | None,
    on_update: str | None,
) -> None:
    fk_line = parse_foreign_key(line, 5)
    assert (fk_line.columns, str(fk_line.target), fk_line.on_delete, fk_line.on_update) == (
        columns,
        target,
        on_delete,
        on_update,
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("`a` to `b(id)`", "cannot read foreign key"),
        ("`(a, b)` → `t(x)`", "references 1 column"),
        ("`a` → `t(id)` ON DELETE CASCADE ON DELETE SET NULL", "ON DELETE is stated twice"),
        ("`a` → `t(id)` (cascades)", "after the foreign key target"),
    ],
)
def test_foreign_key_line_errors(line: str, reason: str) -> None:
    with pytest.raises(GrammarError, match=reason):
        parse_foreign_key(line, 1)


@pytest.mark.parametrize(
    ("sentence", "access", "likely"),
    [
        ("Service role only (high security)", ("service_role_only",), False),
        ("Likely has organization-based access control", ("organization",), True),
        ("Organization member access", ("organization",), False),
        ("Domain-based access", ("domain",), False),
        ("Admin only", ("admin",), False),
        ("Admin access", ("admin",), False),
        ("User-based access (own notifications only)", ("owner",), False),
        ("User can read own feedback, admins can read all", ("owner", "admin"), False),
        ("Public read access", ("public_read",), False),
    ],
)
def test_rls_sentences(sentence: str, access: tuple[str, ...], likely: bool) -> None:
    rls = parse_rls(sentence, 9)
    assert (rls.access, rls.likely, rls.enabled) == (access, likely, True)


def test_rls_disabled_and_unmappable() -> None:
    assert parse_rls("None (no RLS)", 1).enabled is False
    with pytest.raises(GrammarError, match="cannot map the RLS sentence"):
        parse_rls("Whatever the app decides", 1)


@pytest.mark.parametrize(
    ("columns_label", "rls_likely", "certainty"),
    [
        ("estimated", False, "estimated"),
        ("estimated", True, "estimated"),
        (None, True, "likely"),
        ("likely", False, "likely"),
        (None, False, "likely"),
    ],
)
def test_certainty_precedence(columns_label: str | None, rls_likely: bool, certainty: str) -> None:
    table = DocTable(
        name="t",
        line=1,
        certainty=columns_label,
        rls=DocRls(line=2, text="x", access=("admin",), likely=rls_likely),
    )
    assert certainty_of(table) == certainty


def test_columns_heading_without_hedge() -> None:
    doc = parse_document("### `t`\n\n**Columns**:\n- `id` (uuid, PRIMARY KEY)\n", "d.md")
    assert doc.problems == ()
    spec, problems = build_spec(doc.tables[0], "d.md")
    assert problems == []
    assert spec.data == {
        "table": "t",
        "certainty": "likely",
        "source": "d.md:1",
        "columns": [{"name": "id", "type": "uuid", "primary_key": True}],
    }


def test_schema_qualified_table() -> None:
    text = (
        "### `billing.invoices`\n\n**Estimated Columns**:\n- `id` (uuid, PRIMARY KEY)\n"
        "- `customer_id` (uuid, FK → customers.id)\n- `user_id` (uuid, FK → auth.users(id))\n"
    )
    table = parse_document(text, "d.md").tables[0]
    spec, problems = build_spec(table, "d.md")
    assert problems == []
    assert spec.filename == "billing.invoices.yaml"
    assert spec.data["schema"] == "billing"
    # unqualified targets are in public by the document's convention, so it is spelt out
    assert [f["references"]["table"] for f in spec.data["foreign_keys"]] == [
        "public.customers",
        "auth.users",
    ]


# -- emitter -----------------------------------------------------------------------


def test_render_quotes_only_what_needs_it() -> None:
    text = render(
        {
            "a": "plain text, with comma",
            "b": "yes",
            "c": "'pending'",
            "d": "key: value",
            "e": "1.5",
            "f": ["x", "a, b", "null", "DESC"],
            "g": "",
            "h": " padded",
            "i": "line\nbreak",
            "j": "tab\there",
        },
        header=["head"],
    )
    assert text == (
        "# head\n"
        "a: plain text, with comma\n"
        'b: "yes"\n'
        "c: \"'pending'\"\n"
        'd: "key: value"\n'
        'e: "1.5"\n'
        'f: [x, "a, b", "null", DESC]\n'
        'g: ""\n'
        'h: " padded"\n'
        'i: "line\\nbreak"\n'
        'j: "tab\\there"\n'
    )


yaml_scalars = st.one_of(
    st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=10), inner)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), yaml_values, min_size=1))
def test_render_reads_back_exactly(data: dict[str, Any]) -> None:
    assert yaml.safe_load(render(data)) == data


# -- hostile input -------------------------------------------------------------------

FRAGMENTS = [
    "\n",
    "\n\n",
    "## Cat (2 tables)",
    "### `t`",
    "### `",
    "**Estimated Columns**:",
    "**Expected Indexes**:",
    "**Foreign Keys**:",
    "**RLS**: ",
    "**Purpose**: ",
    "- `id` (uuid, PRIMARY KEY)",
    "- `",
    "` (",
    ")",
    "(",
    ", ",
    "FK → ",
    "Index on `",
    "WHERE ",
    "(partial",
    "| a | 3 | b |",
    "**Total**: 7",
    "```",
    "→",
    "\t",
    "'",
    "\x85",
    "\u2028",
    "\x00",
    "Organization",
    "x",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)))
def test_any_text_parses_without_exceptions(text: str) -> None:
    doc = parse_document(text, "h.md")
    check_document(doc)
    for table in doc.tables:
        spec, _ = build_spec(table, "h.md")
        assert yaml.safe_load(render(spec.data, comments=spec.comments)) == spec.data


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda t: t.encode())))
def test_hostile_files_never_give_a_traceback(tmp_path: Path, data: bytes) -> None:
    doc = tmp_path / "hostile.md"
    doc.write_bytes(data)
    for args in (
        ["import-md", str(doc), "--out-dir", str(tmp_path / "out")],
        ["import-md", "--check", str(doc)],
    ):
        result = run(*args)
        assert result.exit_code in (0, 1, 2)
        assert result.exception is None or isinstance(result.exception, SystemExit)


SECTION_LINES = (REPO / DOC).read_text(encoding="utf-8").splitlines()[43:1190]
MUTATIONS = [
    "`",
    "(",
    ")",
    ",",
    " DESC",
    "(partial)",
    "FK → x.id",
    ", nullable",
    ", UNIQUE",
    " WHERE a = 1",
    "Unique ",
    "GIN ",
    "vector(3)",
    "auth.",
    "'a', ",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(0, len(SECTION_LINES) - 40),
    st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 80), st.sampled_from(MUTATIONS)),
        max_size=6,
    ),
)
def test_a_table_understood_is_a_spec_that_loads(
    tmp_path: Path, start: int, edits: list[Any]
) -> None:
    """The importer never writes a spec that `lint` would reject."""
    lines = ["### `t`", *SECTION_LINES[start : start + 40]]
    for line_no, column, text in edits:
        line = lines[line_no % len(lines)]
        lines[line_no % len(lines)] = line[:column] + text + line[column:]
    doc = parse_document("\n".join(lines), "m.md")
    spoiled = {p.table for p in doc.problems}
    for table in doc.tables:
        spec, problems = build_spec(table, "m.md")
        if problems or table.qualified in spoiled:
            continue
        path = tmp_path / "t.yaml"
        path.write_text(render(spec.data, comments=spec.comments), encoding="utf-8")
        try:
            load_spec_file(path)
        except SpecError as err:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{err}\n---\n" + "\n".join(lines))


def test_a_misspelt_type_is_refused_and_a_projects_own_type_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "### `orders`\n\n"
        "**Estimated Columns**:\n"
        "- `id` (uuid, PRIMARY KEY)\n"
        "- `placed_at` (timestampz)\n"
        "- `status` (order_status)\n"
        "- `tags` (public.tag_kind[])\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = run("import-md", "doc.md", "--out-dir", str(tmp_path / "specs"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "doc.md:5: column `placed_at`: unknown type 'timestampz' (did you mean 'timestamptz'?)"
    )
    assert "order_status" not in result.stderr and "tag_kind" not in result.stderr
    doc.write_text(doc.read_text().replace("timestampz", "timestamptz"), encoding="utf-8")
    fixed = run("import-md", "doc.md", "--out-dir", str(tmp_path / "specs"))
    assert fixed.exit_code == 0, fixed.stderr
    assert "type: order_status" in (tmp_path / "specs" / "orders.yaml").read_text()
