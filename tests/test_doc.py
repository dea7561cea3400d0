"""`schemaverify doc` on a real server: every fact marked once, Markdown that CommonMark and
Mermaid parse as intended even with hostile names, `--check` as a CI step, merge mode."""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import pgserver
from pgserver import TestDatabase
from schemaverify.cli import app
from schemaverify.pipeline.doc import run_doc
from schemaverify.reports import reference as render
from schemaverify.sources.live import SourceOptions

HOSTILE = "we|ird`\n<!-- schemaverify:end --> @octocat #1 <b>"

SQL = (
    pgserver.SUPABASE_ROLES_SQL
    + f"""
CREATE SCHEMA auth;
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE TABLE customers (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  customer_id uuid REFERENCES customers(id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('new', 'paid', 'sent')),
  total integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  user_id uuid NOT NULL,
  extra text
);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_status ON orders (status);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_owner ON orders FOR SELECT TO authenticated
  USING (user_id = (select auth.uid()));
CREATE POLICY orders_open ON orders FOR SELECT TO anon USING (true);
GRANT SELECT ON orders TO authenticated;
CREATE TABLE "{HOSTILE.replace('"', '""')}" ("col|`x`" text, "<!-- schemaverify:begin x -->" int,
  "c""1]{{x}}" uuid REFERENCES customers(id));
CREATE TABLE undocumented_one (id int);
"""
)

SPECS = {
    "orders.yaml": """\
table: orders
category: Sales & "Orders"
purpose: One row per checkout | *the* ledger @team
verified: {date: "2026-12-01", against: migrations db/migrations}
columns:
  - {name: id, type: uuid, primary_key: true}
  - name: customer_id
    type: uuid
    nullable: true
    references: {table: customers, column: id, on_delete: cascade}
  - {name: status, type: text, values: [new, paid, cancelled], note: "where it is"}
  - {name: total, type: numeric}
  - {name: created_at, type: timestamptz, default: now()}
  - {name: user_id, type: uuid}
  - {name: shipped_at, type: timestamptz, nullable: true}
indexes:
  - primary_key: true
  - columns: [created_at]
  - columns: [total]
rls:
  enabled: true
  access: [owner]
""",
    "weird.yaml": f"""\
table: {json.dumps('"' + HOSTILE + '"')}
category: {json.dumps(HOSTILE)}
purpose: {json.dumps(HOSTILE)}
columns:
  - name: {json.dumps('"col|`x`"')}
    type: text
    nullable: true
    note: {json.dumps(HOSTILE)}
""",
    "gone.yaml": """\
table: gone
category: Sales & "Orders"
columns:
  - {name: id, type: integer}
""",
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    for name, text in SPECS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def drifted(db: TestDatabase) -> TestDatabase:
    db.run(SQL)
    return db


def _doc(db: TestDatabase, specs: Path, **kwargs: Any) -> Any:
    done = run_doc(specs, SourceOptions(dsn=db.dsn), **kwargs)
    assert done is not None
    return done


def test_every_fact_of_the_check_is_on_exactly_one_line(drifted: TestDatabase, specs: Path) -> None:
    done = _doc(drifted, specs)
    on_lines = collections.Counter(f.id for f in done.reference.facts)
    checked = collections.Counter(f.id for f in done.report.facts)
    assert on_lines == checked
    statuses = collections.Counter(f.status for f in done.reference.facts)
    assert statuses["verified"] and statuses["drift"] and statuses["unverifiable"]


def test_the_lines_say_what_the_database_has(drifted: TestDatabase, specs: Path) -> None:
    text = render.render(_doc(drifted, specs).reference)
    section = text[text.index("### public.orders") :]
    section = section[: section.index(render.END)]
    rows = {
        line.split(" | ")[0].strip("| `"): line
        for line in section.splitlines()
        if line.startswith("| `")
    }
    assert "· adopted 2026-12-01 against migrations db/migrations ·" in section
    assert "❌ differs: the database has integer" in rows["total"]
    assert rows["id"].endswith("✅ verified |")
    assert "❌ differs: not in the database" in rows["shipped_at"]
    assert "values: 'new', 'paid', 'cancelled'" in rows["status"]
    assert "❌ differs: the database has 'new', 'paid', 'sent'" in rows["status"]
    assert "`btree (total)` — ❌ differs: not in the database" in section
    assert "`btree (created_at)` — ✅ verified" in section
    assert "ON DELETE CASCADE` — ❌ differs: the database has" in section
    assert "- row-level security enabled — ✅ verified" in section
    assert "- documented access owner — ✅ verified" in section
    assert "orders\\_open (public\\_read)" in section and "grants access outside" in section
    assert "| authenticated | rows: owner | none | none | none |" in section
    # What the document does not mention, from the same catalog.
    assert "- column `extra` `text NULL`" in section
    assert "- index `orders_status: btree (status)`" in section
    gone = text[text.index("### public.gone") :]
    assert gone.startswith("### public.gone — ❌ not in the database")
    assert "❔ unverifiable" in gone
    assert "| `public.undocumented_one` | 1 | disabled |" in text
    assert "| `public.customers` | 2 | disabled |" in text


def test_commonmark_reads_the_structure_that_was_written(
    drifted: TestDatabase, specs: Path
) -> None:
    reference = _doc(drifted, specs).reference
    text = render.render(reference)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks = [t.content.strip() for t in tokens if t.type == "html_block"]
    names = [r.name for r in render.regions(reference, "Database schema reference")]
    # Only the markers are HTML blocks: no name or prose opened or closed a region.
    assert blocks == [b for n in names for b in (render.BEGIN.format(n), render.END)]
    inline_html = [
        c.content for t in tokens if t.children for c in t.children if c.type == "html_inline"
    ]
    assert set(inline_html) <= {"<br>"}
    headings = [
        tokens[i + 1].content
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h3"
    ]
    assert len(headings) == len(reference.tables) == 3
    # Each table section's column table has a row per documented column, whatever the names.
    rows_per_table = []
    depth = 0
    for t in tokens:
        if t.type == "table_open":
            depth, rows = 1, 0
        elif t.type == "tr_open" and depth:
            rows += 1
        elif t.type == "table_close":
            depth = 0
            rows_per_table.append(rows - 1)
    assert 7 in rows_per_table and 1 in rows_per_table  # orders, the hostile table
    for t in tokens:
        for child in t.children or ():
            assert child.type != "link_open" or child.attrs.get("href", "").startswith("#")


def test_output_is_deterministic_and_check_tells_stale_from_current(
    drifted: TestDatabase, specs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "REFERENCE.md"
    args = ("--specs", str(specs), "--dsn", drifted.dsn)
    assert invoke("doc", *args, "-o", str(out)).exit_code == 0
    first = out.read_bytes()
    assert invoke("doc", *args, "-o", str(out)).exit_code == 0
    assert out.read_bytes() == first
    result = invoke("doc", *args, "--check", str(out))
    assert result.exit_code == 0, result.output
    drifted.run("ALTER TABLE orders ALTER COLUMN total TYPE numeric;")
    result = invoke("doc", *args, "--check", str(out))
    assert result.exit_code == 1
    assert "-| `total` | `numeric` | no |  |  | ❌ differs: the database has integer |" in (
        result.stdout
    )
    assert "+| `total` | `numeric` | no |  |  | ✅ verified |" in result.stdout
    assert "stale" in result.stderr
    assert out.read_bytes() == first  # --check writes nothing


def test_merge_mode_keeps_every_line_of_prose(
    drifted: TestDatabase, specs: Path, tmp_path: Path
) -> None:
    args = ("--specs", str(specs), "--dsn", drifted.dsn)
    out = tmp_path / "SCHEMA.md"
    prose_top = "# Our database\r\n\r\nHand-written intro, with `code` and a <div>.\r\n\r\n"
    prose_mid = "\r\n## Notes on orders\r\n\r\nKeep this paragraph.   \r\n\r\n"
    out.write_bytes(
        (
            prose_top
            + render.BEGIN.format("overview")
            + "\r\nstale\r\n"
            + render.END
            + "\r\n"
            + prose_mid
            + render.BEGIN.format("table:public.orders")
            + "\r\nstale too\r\n"
            + render.END
            + "\r\nThe end, no final line break."
        ).encode()
    )
    result = invoke("doc", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    merged = out.read_bytes().decode()
    assert merged.startswith(prose_top + render.BEGIN.format("overview") + "\r\n# Database")
    assert (
        prose_mid + render.BEGIN.format("table:public.orders") + "\r\n### public.orders" in merged
    )
    assert merged.endswith(render.END + "\r\nThe end, no final line break.")
    assert "stale" not in merged
    assert "\n" not in merged.replace("\r\n", "")  # the file's line endings throughout
    # The regions the file lacked came after their predecessors in the generated order.
    assert merged.index("begin category:") < merged.index("begin table:public.orders")
    assert "begin undocumented" in merged
    assert invoke("doc", *args, "--check", str(out)).exit_code == 0


def test_a_file_of_prose_is_never_overwritten(
    drifted: TestDatabase, specs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "NOTES.md"
    out.write_text("# Notes\n\nmine\n", encoding="utf-8")
    result = invoke("doc", "--specs", str(specs), "--dsn", drifted.dsn, "-o", str(out))
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.stderr
    assert out.read_text(encoding="utf-8") == "# Notes\n\nmine\n"
    broken = tmp_path / "BROKEN.md"
    broken.write_text(render.BEGIN.format("overview") + "\nno end\n", encoding="utf-8")
    result = invoke("doc", "--specs", str(specs), "--dsn", drifted.dsn, "-o", str(broken))
    assert result.exit_code == 2
    assert f"{broken}:1: region overview has no schemaverify:end" in result.stderr


def test_the_stamp_is_dated_only_by_the_option_or_the_snapshot(
    drifted: TestDatabase, specs: Path, tmp_path: Path
) -> None:
    args = ("--specs", str(specs), "--dsn", drifted.dsn)
    result = invoke("doc", *args)
    assert result.exit_code == 0
    assert ", on 20" not in result.stdout.split("\n", 5)[3]
    assert drifted.dsn.split("@")[0] not in result.stdout or "password" not in drifted.dsn
    result = invoke("doc", *args, "--date", "2026-12-03")
    assert "on PostgreSQL 1" in result.stdout
    assert ", on 2026-12-03." in result.stdout
    assert invoke("doc", *args, "--date", "yesterday").exit_code == 2
    snap = tmp_path / "snap.json"
    assert invoke("snapshot", "--dsn", drifted.dsn, "--timestamp", "-o", str(snap)).exit_code == 0
    created = json.loads(snap.read_text(encoding="utf-8"))["created_at"]
    result = invoke("doc", "--specs", str(specs), "--snapshot", str(snap))
    assert result.exit_code == 0
    assert f", on {created[:10]}." in result.stdout
    assert "against snapshot " in result.stdout


# --- Mermaid: the diagrams parse with Mermaid's own parser -------------------------------

_PARSE_JS = """
import { JSDOM } from "jsdom";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window; globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
import { readFileSync } from "node:fs";
const texts = JSON.parse(readFileSync(0, "utf8"));
const out = [];
for (const t of texts) {
  try { await mermaid.parse(t); out.push("ok"); }
  catch (e) { out.push("error: " + String(e.message || e)); }
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="session")
def mermaid_parser(request: pytest.FixtureRequest) -> Path:
    """Mermaid and jsdom from the npm registry, once per machine (pytest's cache): the
    renderer GitHub uses is the judge of the diagrams, not a grammar of ours."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed")
    folder = Path(request.config.cache.mkdir("mermaid"))
    script = folder / "parse.mjs"
    if not (folder / "node_modules" / "mermaid").is_dir():
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", "mermaid@11", "jsdom@24"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
        if done.returncode != 0:
            pytest.skip(f"npm could not install mermaid: {done.stderr.strip()[-300:]}")
    script.write_text(_PARSE_JS, encoding="utf-8")
    return script


def _parse_mermaid(script: Path, diagrams: list[str]) -> list[str]:
    done = subprocess.run(
        ["node", str(script)],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=script.parent,
    )
    assert done.returncode == 0, done.stderr
    result: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_every_diagram_parses_with_mermaid(
    drifted: TestDatabase, specs: Path, mermaid_parser: Path
) -> None:
    reference = _doc(drifted, specs).reference
    diagrams = ["\n".join(render.mermaid(c)) for c in reference.categories if c.edges]
    assert diagrams, "the orders category has foreign keys"
    text = "\n".join(diagrams)
    assert 'public_customers ||..o{ public_orders : "customer_id"' not in text
    assert 'public_customers o|--o{ public_orders : "customer_id"' in text
    assert '(undocumented)"' in text  # the hostile table's live-only edge
    results = _parse_mermaid(mermaid_parser, [*diagrams, 'erDiagram\n a ||--o{ b : x"y'])
    assert results[:-1] == ["ok"] * len(diagrams)
    assert results[-1].startswith("error")  # a bad diagram fails: the check is not vacuous


ROOT = Path(__file__).resolve().parent.parent


def test_the_committed_reference_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/REFERENCE_DATABASE_SCHEMA.md is what `make docs` writes: run it when this fails."""
    monkeypatch.chdir(ROOT)
    result = invoke(
        "doc",
        "--migrations",
        "examples/supabase/migrations",
        "--specs",
        "specs",
        "--code",
        "examples/shop",
        "--title",
        "Database schema reference (verified)",
        "--check",
        "docs/REFERENCE_DATABASE_SCHEMA.md",
    )
    assert result.exit_code == 0, result.stdout[-3000:]
    text = (ROOT / "docs" / "REFERENCE_DATABASE_SCHEMA.md").read_text(encoding="utf-8")
    assert text.startswith("<!-- This file is partly generated.")  # the prose is kept
    assert text.count("### public.") == len(list((ROOT / "specs").glob("*.yaml")))
