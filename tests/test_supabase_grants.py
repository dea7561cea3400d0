"""Supabase's Data API grant modes on the embedded server, and what a run says about them.

Since 30 October 2026 no Supabase project grants new `public` tables to anon, authenticated
and service_role by itself (projects created since 30 May 2026 never did): the preset
follows that by default (`current`), and `--supabase-grants legacy` (or `supabase_grants`
in the configuration) recreates the automatic grants of older projects.  A history written
for the old grants is then reported for what it does under the new default: its policies
name roles that hold no privilege.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app, config
from schemaverify.sources.catalog import read_catalog
from schemaverify.sources.migrations import migrated_database
from schemaverify.sources.migrations.presets import platform

HISTORY = """
CREATE TABLE public.notes (id bigint PRIMARY KEY, body text NOT NULL);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_read ON public.notes FOR SELECT TO anon, authenticated USING (true);

CREATE TABLE public.granted (id bigint PRIMARY KEY);
ALTER TABLE public.granted ENABLE ROW LEVEL SECURITY;
CREATE POLICY granted_read ON public.granted FOR SELECT TO authenticated USING (true);
GRANT SELECT ON public.granted TO authenticated;
"""

API_ROLES = ("anon", "authenticated", "service_role")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def project(root: Path, folder: str = "supabase", config_toml: str | None = None) -> Path:
    migrations = root / folder / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20260101000000_notes.sql").write_text(HISTORY, encoding="utf-8")
    if config_toml is not None:
        (root / folder / "config.toml").write_text(textwrap.dedent(config_toml), encoding="utf-8")
    return migrations


def api_grants(migrations: Path, grants: str) -> dict[str, dict[str, tuple[str, ...]]]:
    with migrated_database(str(migrations), grants=grants, progress=False) as run:
        assert run.preset == "supabase" and run.grants == grants
        catalog = read_catalog(run.dsn)
    return {
        t.name: {g.grantee: g.privileges for g in t.grants if g.grantee in API_ROLES}
        for t in catalog.tables
    }


def test_the_config_module_knows_the_presets_grant_modes() -> None:
    assert config.GRANT_MODES == platform.GRANT_MODES


def test_current_mode_grants_new_tables_to_no_api_role(tmp_path: Path) -> None:
    found = api_grants(project(tmp_path), "current")
    assert found["notes"] == {}
    assert found["granted"] == {"authenticated": ("select",)}


def test_legacy_mode_grants_every_new_table_to_the_api_roles(tmp_path: Path) -> None:
    found = api_grants(project(tmp_path), "legacy")
    for role in API_ROLES:
        assert {"select", "insert", "update", "delete"} <= set(found["notes"][role])


def test_a_history_written_for_the_old_grants_under_the_new_default(tmp_path: Path) -> None:
    migrations = project(tmp_path)
    result = invoke("advise", "--migrations", str(migrations), "--format", "json")
    report = json.loads(result.stdout)
    lacking = [f for f in report["findings"] if f["kind"] == "policy_role_without_privilege"]
    assert [(f["table"], f["object"]) for f in lacking] == [("public.notes", "notes_read")]
    assert "anon, authenticated, which hold no SELECT privilege" in lacking[0]["message"]
    assert report["source"]["preset"] == "supabase" and report["source"]["grants"] == "current"
    # The same history in legacy mode: the automatic grants make the policy apply.
    legacy = invoke(
        "advise", "--migrations", str(migrations), "--supabase-grants", "legacy", "--format", "json"
    )
    report = json.loads(legacy.stdout)
    assert not [f for f in report["findings"] if f["kind"] == "policy_role_without_privilege"]
    assert report["source"]["grants"] == "legacy"
    assert "preset supabase, grants legacy" in report["source"]["description"]


def test_config_key_and_its_origin(tmp_path: Path) -> None:
    migrations = project(tmp_path)
    (tmp_path / "schemaverify.toml").write_text(
        f'migrations = "{migrations}"\nsupabase_grants = "legacy"\n', encoding="utf-8"
    )
    shown = invoke("config", "--config", str(tmp_path / "schemaverify.toml"), "--format", "json")
    setting = json.loads(shown.stdout)["settings"]["supabase_grants"]
    assert setting == {"value": "legacy", "source": f"{tmp_path / 'schemaverify.toml'}:2"}
    (tmp_path / "schemaverify.toml").write_text('supabase_grants = "old"\n', encoding="utf-8")
    bad = invoke("config", "--config", str(tmp_path / "schemaverify.toml"))
    assert bad.exit_code == 2
    assert "schemaverify.toml:1: supabase_grants: unknown value 'old'" in bad.stderr
    flag = invoke("advise", "--migrations", str(migrations), "--supabase-grants", "new")
    assert flag.exit_code == 2 and "--supabase-grants must be current or legacy" in flag.stderr


def test_a_config_toml_next_to_the_migrations_selects_the_preset(tmp_path: Path) -> None:
    migrations = project(tmp_path, "db", config_toml='[api]\nschemas = ["public", "api"]\n')
    result = invoke("check", "--migrations", str(migrations), "--specs", str(tmp_path / "none"))
    assert result.exit_code == 2  # no specs: only the source matters here
    with migrated_database(str(migrations), progress=False) as run:
        assert run.preset == "supabase"
        assert run.supabase_config is not None
        assert run.supabase_config.api_schemas == ("public", "api")
    plain = tmp_path / "plain"
    (plain / "migrations").mkdir(parents=True)
    (plain / "migrations" / "1.sql").write_text("CREATE TABLE t (id int);\n", encoding="utf-8")
    with migrated_database(str(plain / "migrations"), progress=False) as run:
        assert run.preset == "none" and run.grants is None


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('[api]\nschemas = "public"\n', 2, "api.schemas: expected an array of schema names"),
        ("[api\nschemas = []\n", 1, "not valid TOML"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", 1, "not valid TOML"),
        ("[db]\nschemas = 1\n[api]\nport = 1\nschemas = 2\n", 5, "api.schemas: expected"),
    ],
)
def test_a_malformed_config_toml_is_file_line_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    migrations = project(tmp_path, config_toml=text)
    result = invoke("advise", "--migrations", str(migrations))
    assert result.exit_code == 2, result.output
    path = tmp_path / "supabase" / "config.toml"
    assert result.stderr.startswith(f"{path}:{line}: {reason}"), result.stderr


NOTES_SPEC = """\
table: notes
api: {api}
columns:
  - {{name: id, type: bigint, primary_key: true}}
  - {{name: body, type: text}}
"""


def _check(migrations: Path, specs: Path, api: str, *flags: str) -> dict[str, Any]:
    specs.mkdir(exist_ok=True)
    (specs / "notes.yaml").write_text(NOTES_SPEC.format(api=api), encoding="utf-8")
    result = invoke(
        "check", "--migrations", str(migrations), "--specs", str(specs), "-f", "json", *flags
    )
    assert result.exit_code in (0, 1), result.output
    return dict(json.loads(result.stdout))


def test_api_exposed_under_each_grant_mode(tmp_path: Path) -> None:
    migrations = project(tmp_path)
    current = _check(migrations, tmp_path / "specs", "exposed")
    (finding,) = [f for f in current["findings"] if f["table"] == "public.notes"]
    assert (finding["kind"], finding["expected"], finding["actual"]) == (
        "api_exposure_mismatch",
        "exposed",
        "hidden",
    )
    assert "42501 permission denied" in finding["message"]
    assert current["summary"]["failed"] is True
    legacy = _check(migrations, tmp_path / "specs", "exposed", "--supabase-grants", "legacy")
    assert [f for f in legacy["findings"] if f["table"] == "public.notes"] == []
    api_facts = [f["status"] for f in legacy["facts"] if f["subject"] == "table.api"]
    assert api_facts == ["verified"]


def test_api_hidden_names_who_reaches_the_table(tmp_path: Path) -> None:
    migrations = project(tmp_path)
    legacy = _check(migrations, tmp_path / "specs", "hidden", "--supabase-grants", "legacy")
    (finding,) = [f for f in legacy["findings"] if f["table"] == "public.notes"]
    assert finding["kind"] == "api_exposure_mismatch"
    assert "anon (SELECT, INSERT, UPDATE, DELETE)" in finding["message"]
    assert _check(migrations, tmp_path / "specs", "hidden")["summary"]["failed"] is False


def test_a_grant_in_a_schema_the_client_may_not_use_exposes_nothing(tmp_path: Path) -> None:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "1_internal.sql").write_text(
        "CREATE SCHEMA internal;\n"
        "CREATE TABLE internal.notes (id bigint PRIMARY KEY, body text NOT NULL);\n"
        "GRANT SELECT ON internal.notes TO anon, authenticated;\n",
        encoding="utf-8",
    )
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "notes.yaml").write_text(
        NOTES_SPEC.format(api="exposed").replace("table: notes", "table: notes\nschema: internal"),
        encoding="utf-8",
    )
    result = invoke("check", "--migrations", str(migrations), "--specs", str(specs), "-f", "json")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["kind"] == "api_exposure_mismatch"
    assert "may not use its schema (no USAGE)" in finding["message"]


def test_advise_takes_the_exposed_schemas_from_config_toml(tmp_path: Path) -> None:
    migrations = project(tmp_path, config_toml='[api]\nschemas = ["api"]\n')
    (migrations / "20260102000000_api.sql").write_text(
        "CREATE SCHEMA api;\nGRANT USAGE ON SCHEMA api TO anon;\n"
        "CREATE TABLE api.open (id int PRIMARY KEY);\nGRANT SELECT ON api.open TO anon;\n",
        encoding="utf-8",
    )
    result = invoke("advise", "--migrations", str(migrations), "--format", "json")
    found = {(f["kind"], f["table"]) for f in json.loads(result.stdout)["findings"]}
    assert ("rls_disabled_in_exposed_schema", "api.open") in found
    # public is not served by this project's API: its tables are not "exposed" advice.
    assert not any(t.startswith("public.") and k.startswith("rls_") for k, t in found)
    flagged = invoke(
        "advise", "--migrations", str(migrations), "--exposed-schema", "public", "-f", "json"
    )
    assert "api.open" not in {f["table"] for f in json.loads(flagged.stdout)["findings"]}
    (tmp_path / "supabase" / "config.toml").write_text("[api]\nenabled = false\n")
    off = invoke("advise", "--migrations", str(migrations), "--format", "json")
    assert not [f for f in json.loads(off.stdout)["findings"] if "exposed" in f["kind"]]


def test_a_config_toml_that_is_not_the_supabase_clis_is_left_alone(tmp_path: Path) -> None:
    migrations = project(tmp_path, "db", config_toml="[tool.other]\nx = 1\n")
    with migrated_database(str(migrations), progress=False) as run:
        assert run.preset == "none" and run.supabase_config is None
    (tmp_path / "db" / "config.toml").write_text("not toml at all [", encoding="utf-8")
    with migrated_database(str(migrations), progress=False) as run:
        assert run.preset == "none"  # another tool's broken file is not this run's input
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "schema.sql").write_text("CREATE TABLE t (id int);\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text('project_id = "x"\n', encoding="utf-8")
    with migrated_database(str(lone / "schema.sql"), progress=False) as run:
        assert run.preset == "none"  # no `migrations` folder: no project to look in
