"""`schemaverify lint` and `schemaverify spec-schema` from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.sources.specs.jsonschema import spec_json_schema

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_lint_good_specs(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run("lint", "--specs", "specs_good")
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 specs OK\n"
    assert result.stderr == ""


def test_lint_single_file(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run("lint", "--specs", "specs_good/feature_flags.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 spec OK\n"


def test_lint_bad_specs_lists_every_problem_on_stderr(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = run("lint", "--specs", "specs_bad")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "specs_bad/bad_method.yaml:7: indexes[0].method: unknown index method 'gni' "
        "(did you mean 'gin'?); expected one of: btree, hash, gin, gist, spgist, brin, hnsw, "
        "ivfflat",
        "specs_bad/missing_type.yaml:3: columns[0]: missing required key 'type'",
        "specs_bad/unknown_key.yaml:2: unknown key 'colums' (did you mean 'columns'?)",
        "specs_bad/where_and_partial.yaml:8: indexes[0]: 'where' and 'partial' exclude each "
        "other (a 'where' predicate already makes the index partial)",
        "specs_bad/wrong_type.yaml:5: primary_key: expected a list of strings, got a mapping",
    ]


def test_lint_missing_folder(tmp_path):
    result = run("lint", "--specs", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope'}: no specs found: no such file or folder\n"


def test_lint_with_extra_access_kinds(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(FIXTURES / "specs_good", specs)
    (specs / "tenant.yaml").write_text(
        "table: tenant_data\nrls:\n  access: [tenant_only]\n", encoding="utf-8"
    )
    result = run("lint", "--specs", str(specs))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{specs}/tenant.yaml:3: rls.access[0]: unknown access kind 'tenant_only'"
    )

    patterns = tmp_path / "patterns.yaml"
    patterns.write_text(
        "kinds:\n"
        "  tenant_only:\n"
        "    description: rows visible to their tenant\n"
        "    roles: [authenticated]\n"
        "    column_equals: [\"current_setting('app.tenant')::uuid\"]\n",
        encoding="utf-8",
    )
    result = run("lint", "--specs", str(specs), "--access-patterns", str(patterns))
    assert result.exit_code == 0, result.output
    assert result.stdout == "4 specs OK\n"


def test_spec_schema_prints_the_committed_schema():
    result = run("spec-schema")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == spec_json_schema()
    jsonschema.Draft202012Validator.check_schema(printed)
