"""Every command takes its options from one resolved Settings: the configuration file reaches
each of them, a flag beats the file, and the shared options are spelled alike everywhere.

Before `commands/options.py`, `lint`, `snapshot` and `diff` ignored `schemaverify.toml`
(`specs = "docs/specs"`: lint said "no specs found"), `coverage` had no
`--statement-timeout`, and the same option had a different help in different commands.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.cli.config import resolve

FIXTURES = Path(__file__).parent / "fixtures"

TWO_SCHEMAS = """
CREATE TABLE orders (id int PRIMARY KEY, note text DEFAULT 'none');
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int PRIMARY KEY, total numeric NOT NULL DEFAULT 0);
CREATE INDEX invoices_total ON billing.invoices (total);
CREATE INDEX invoices_total_again ON billing.invoices (total);
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no configuration above it and no DSN in the environment."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for var in ("SCHEMAVERIFY_DSN", "DATABASE_URL", "PGHOST", "PGDATABASE", "PGPASSWORD"):
        monkeypatch.delenv(var, raising=False)
    return folder


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def configure(project: Path, text: str) -> None:
    (project / "schemaverify.toml").write_text(text, encoding="utf-8")


@contextlib.contextmanager
def table_locked(dsn: str, table: str) -> Iterator[None]:
    """Another session holds ACCESS EXCLUSIVE on `table`: the catalog read waits on it when
    it deparses the table's default, so a statement timeout cancels it deterministically
    (see test_safety)."""
    holder = psycopg.connect(dsn)
    try:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE".encode())
        yield
    finally:
        holder.rollback()
        holder.close()


# --- lint: no database ---------------------------------------------------------------------


def test_lint_reads_specs_from_the_configuration(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / "specs_good", project / "docs" / "specs")
    configure(project, 'specs = "docs/specs"\n')
    result = invoke("lint")
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 specs OK\n"
    # From a subfolder the file is found in the parent, its path still the same folder.
    (project / "src").mkdir()
    monkeypatch.chdir(project / "src")
    assert invoke("lint").stdout == "3 specs OK\n"


def test_lint_flag_beats_the_file_and_config_names_the_file(project: Path) -> None:
    shutil.copytree(FIXTURES / "specs_good", project / "good")
    configure(project, 'specs = "docs/missing"\n')
    assert invoke("lint").exit_code == 2
    one = invoke("lint", "--specs", "good/feature_flags.yaml")
    assert (one.exit_code, one.stdout) == (0, "1 spec OK\n")
    other = project / "ci.toml"
    other.write_text('specs = "good"\n', encoding="utf-8")
    assert invoke("lint", "--config", str(other)).stdout == "3 specs OK\n"


def test_lint_reads_access_patterns_from_the_configuration(project: Path) -> None:
    (project / "specs").mkdir()
    (project / "specs" / "tenant.yaml").write_text(
        "table: tenant_data\nrls:\n  access: [tenant_only]\n", encoding="utf-8"
    )
    (project / "patterns.yaml").write_text(
        "kinds:\n"
        "  tenant_only:\n"
        "    description: rows visible to their tenant\n"
        "    roles: [authenticated]\n"
        "    column_equals: [\"current_setting('app.tenant')::uuid\"]\n",
        encoding="utf-8",
    )
    assert "unknown access kind 'tenant_only'" in invoke("lint").stderr
    configure(project, 'access_patterns = "patterns.yaml"\n')
    result = invoke("lint")
    assert (result.exit_code, result.stdout) == (0, "1 spec OK\n"), result.output


def test_a_bad_configuration_fails_lint_at_its_line(project: Path) -> None:
    configure(project, 'specs = "specs"\nfail_on = "loud"\n')
    result = invoke("lint")
    assert result.exit_code == 2
    assert result.stderr.startswith("schemaverify.toml:2: fail_on: unknown value 'loud'")


# --- one spelling of each option -----------------------------------------------------------


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


def test_every_shared_option_is_spelled_alike_in_every_command() -> None:
    seen: dict[str, tuple[str, tuple[tuple[str, ...], str | None, str | None]]] = {}
    different = []
    for name, command in _commands().items():
        for param in command.params:
            if not isinstance(param, TyperOption) or param.name in ("fmt", "output"):
                continue  # formats and outputs differ by command (their own choices)
            if name in ("advise", "import-md") and param.name in ("baseline", "check", "out"):
                continue  # other meanings: advice's own baseline file, import-md's modes
            if name in ("adopt", "doc") and param.name == "date":
                continue  # other defaults: adopt stamps today, doc stays reproducible
            shape = (tuple(param.opts), param.metavar, param.help)
            first = seen.setdefault(str(param.name), (name, shape))
            if first[1] != shape:
                different.append((param.name, first[0], name))
    assert different == []


def test_every_command_reading_settings_takes_config() -> None:
    commands = _commands()
    for name in ("check", "advise", "baseline", "access", "coverage", "lint", "snapshot", "diff"):
        flags = {opt for p in commands[name].params for opt in p.opts}
        assert "--config" in flags, name
        if name not in ("lint",):
            assert {"--statement-timeout", "--migration-timeout", "--schema"} <= flags, name


def test_diff_reads_no_source_from_the_configuration(project: Path) -> None:
    configure(project, 'dsn = "postgresql://app@nowhere.invalid/app"\nfail_on = "never"\n')
    settings = resolve({}, project, environ={"SCHEMAVERIFY_DSN": "host=elsewhere"}, sources=())
    assert settings.dsn.value is None
    assert settings.dsn.origin == "not read by this command (schemaverify.toml:1)"
    assert settings.fail_on.origin == "schemaverify.toml:2"
    options = settings.side_options()
    assert (options.dsn, options.migrations, options.snapshot) == (None, None, None)


# --- commands on a real database -----------------------------------------------------------


def test_snapshot_reads_schemas_from_the_file_and_the_flag_beats_it(db: Any, project: Path) -> None:
    db.run(TWO_SCHEMAS)
    # A configured snapshot is where check reads, not this command's input: the
    # environment's DSN is read, the file's schemas recorded.
    configure(project, 'snapshot = "schema.json"\nschemas = ["billing"]\n')
    env = {"SCHEMAVERIFY_DSN": db.dsn}
    result = invoke("snapshot", "-o", "out.json", env=env)
    assert result.exit_code == 0, result.output
    data = json.loads((project / "out.json").read_text())
    assert [(t["schema"], t["name"]) for t in data["tables"]] == [("billing", "invoices")]
    flagged = invoke("snapshot", "--schema", "public", env=env)
    assert flagged.exit_code == 0, flagged.output
    assert [t["name"] for t in json.loads(flagged.stdout)["tables"]] == ["orders"]


def test_snapshot_and_diff_use_the_statement_timeout_of_the_file(db: Any, project: Path) -> None:
    db.run(TWO_SCHEMAS)
    configure(project, "statement_timeout = 400\nlock_timeout = 60000\n")
    with table_locked(db.dsn, "orders"):
        snap = invoke("snapshot", "--dsn", db.dsn)
        diff = invoke("diff", "--from", db.dsn, "--to", db.dsn)
        flag = invoke("snapshot", "--dsn", db.dsn, "--statement-timeout", "300")
    for result, limit in ((snap, 400), (diff, 400), (flag, 300)):
        assert result.exit_code == 3, result.output
        assert f"the statement timeout is {limit} ms" in result.stderr, result.stderr


def test_diff_takes_schemas_and_fail_on_from_the_file_not_its_dsn(db: Any, project: Path) -> None:
    db.run(TWO_SCHEMAS)
    assert invoke("snapshot", "--dsn", db.dsn, "-s", "public", "-s", "billing", "-o", "a.json")
    db.run("ALTER TABLE billing.invoices ADD COLUMN paid boolean; ALTER TABLE orders ADD x int;")
    invoke("snapshot", "--dsn", db.dsn, "-s", "public", "-s", "billing", "-o", "b.json")
    # The file's dsn never becomes a side, however it is given.
    configure(
        project,
        'dsn = "postgresql://app@nowhere.invalid/app"\nschemas = ["billing"]\nfail_on = "never"\n',
    )
    env = {"SCHEMAVERIFY_DSN": "postgresql://app@elsewhere.invalid/app"}
    result = invoke("diff", "--from", "a.json", "--to", "b.json", "-f", "json", env=env)
    assert result.exit_code == 0, result.output  # fail_on = "never"
    report = json.loads(result.stdout)
    assert report["source"]["from"]["kind"] == report["source"]["to"]["kind"] == "snapshot"
    assert {(f["table"], f["object"]) for f in report["findings"]} == {("billing.invoices", "paid")}
    flagged = invoke("diff", "--from", "a.json", "--to", "b.json", "-s", "public", "-f", "json")
    assert {f["table"] for f in json.loads(flagged.stdout)["findings"]} == {"public.orders"}
    assert invoke("diff", "--from", "a.json", "--to", "b.json", "--fail-on", "info").exit_code == 1


def test_advise_takes_severity_and_schemas_from_the_file(db: Any, project: Path) -> None:
    db.run(TWO_SCHEMAS)
    configure(project, 'schemas = ["billing"]\n[severity]\nduplicate_index = "error"\n')
    result = invoke("advise", "--dsn", db.dsn, "-f", "json")
    assert result.exit_code == 1, result.output
    duplicates = [
        f for f in json.loads(result.stdout)["findings"] if f["kind"] == "duplicate_index"
    ]
    assert [(f["table"], f["severity"]) for f in duplicates] == [("billing.invoices", "error")]
    # The flag beats the file: only public is read, where nothing is duplicated.
    flagged = invoke("advise", "--dsn", db.dsn, "-f", "json", "--schema", "public")
    kinds = {f["kind"] for f in json.loads(flagged.stdout)["findings"]}
    assert "duplicate_index" not in kinds


def test_access_takes_schemas_from_the_file(db: Any, project: Path) -> None:
    db.run(TWO_SCHEMAS)
    configure(project, 'schemas = ["billing"]\n')
    result = invoke("access", "--dsn", db.dsn, "-f", "json")
    assert result.exit_code == 0, result.output
    tables = [t["table"] for t in json.loads(result.stdout)["tables"]]
    assert tables == ["billing.invoices"]
    flagged = invoke("access", "--dsn", db.dsn, "-f", "json", "-s", "public")
    assert [t["table"] for t in json.loads(flagged.stdout)["tables"]] == ["public.orders"]


def test_coverage_takes_specs_schemas_and_timeouts(db: Any, project: Path) -> None:
    db.run(TWO_SCHEMAS)
    (project / "docs").mkdir()
    (project / "docs" / "invoices.yaml").write_text(
        "schema: billing\ntable: invoices\ncolumns:\n  - {name: id, type: integer}\n",
        encoding="utf-8",
    )
    configure(project, 'specs = "docs"\nschemas = ["billing"]\n')
    result = invoke("coverage", "--dsn", db.dsn, "-f", "json")
    assert result.exit_code == 0, result.output
    cov = json.loads(result.stdout)
    assert cov["schemas"] == ["billing"]
    assert cov["undocumented"] == []
    # coverage reads a database like check: the same timeout flags.
    with table_locked(db.dsn, "billing.invoices"):
        slow = invoke("coverage", "--dsn", db.dsn, "--statement-timeout", "300")
    assert slow.exit_code == 3, slow.output
    assert "the statement timeout is 300 ms" in slow.stderr


def test_config_shows_where_each_value_comes_from(project: Path) -> None:
    configure(project, 'schemas = ["billing"]\nstatement_timeout = 400\n')
    result = invoke("config", "-f", "json", "--lock-timeout", "700")
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)["settings"]
    assert settings["schemas"] == {"value": ["billing"], "source": "schemaverify.toml:1"}
    assert settings["statement_timeout"] == {"value": 400, "source": "schemaverify.toml:2"}
    assert settings["lock_timeout"] == {"value": 700, "source": "--lock-timeout"}
    assert settings["connect_timeout"] == {"value": 10, "source": "default"}


MIGRATION = "CREATE TABLE notes (id int PRIMARY KEY, author uuid REFERENCES auth.users (id));\n"


def test_snapshot_and_diff_take_the_preset_from_the_file(project: Path) -> None:
    """The folder is not named supabase/migrations, so only the configured preset provides
    `auth.users`; without it the migration fails."""
    (project / "db").mkdir()
    (project / "db" / "0001_notes.sql").write_text(MIGRATION, encoding="utf-8")
    configure(project, 'preset = "supabase"\n')
    result = invoke("snapshot", "--migrations", "db", "-o", "notes.json")
    assert result.exit_code == 0, result.output
    assert [t["name"] for t in json.loads((project / "notes.json").read_text())["tables"]] == [
        "notes"
    ]
    diff = invoke("diff", "--from", "migrations:db", "--to", "notes.json")
    assert diff.exit_code == 0, diff.output
    # The flag beats the file.
    bare = invoke("snapshot", "--migrations", "db", "--preset", "none")
    assert bare.exit_code == 1
    assert "auth" in bare.stderr
