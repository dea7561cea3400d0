"""Configuration: discovery, precedence of every source of a value, errors with their place,
`schemaverify config`, and the file's settings reaching a real check."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.cli.config import locate, resolve
from schemaverify.errors import SpecError, UsageError

SPEC = """\
table: orders
columns:
  - {name: id, type: uuid, primary_key: true}
  - {name: total, type: numeric}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the current directory (no configuration above it)."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    for name in ("SCHEMAVERIFY_DSN", "DATABASE_URL", "STAGING_DSN"):
        monkeypatch.delenv(name, raising=False)
    return root


PYPROJECT = """\
[project]
name = "app"

[tool.schemaverify]
specs = "docs/specs"
schemas = ["public", "billing"]
fail_on = "warning"
migrations = "supabase/migrations"
baseline = "schemaverify-baseline.json"
statement_timeout = 1000

[tool.schemaverify.severity]
index_missing = "info"
"""


def test_defaults_when_no_file(project: Path) -> None:
    s = resolve({}, project, environ={})
    assert s.config_file is None
    assert (s.specs.value, s.specs.origin) == (Path("specs"), "default")
    assert (s.schemas.value, s.fail_on.value) == (("public",), "error")
    assert (s.dsn.value, s.dsn.origin) == (None, "default")
    assert (s.statement_timeout.value, s.lock_timeout.value, s.connect_timeout.value) == (
        30000,
        5000,
        10,
    )
    assert s.baseline.value is None and s.fail_on_stale.value is False
    assert all(origin == "default" for _key, _value, origin in s.display())


def test_pyproject_values_carry_their_line_and_paths_are_relative_to_the_file(
    project: Path,
) -> None:
    write(project / "pyproject.toml", PYPROJECT)
    s = resolve({}, project, environ={})
    assert s.config_file == "pyproject.toml"
    assert (s.specs.value, s.specs.origin) == (Path("docs/specs"), "pyproject.toml:5")
    assert (s.schemas.value, s.schemas.origin) == (("public", "billing"), "pyproject.toml:6")
    assert (s.fail_on.value, s.fail_on.origin) == ("warning", "pyproject.toml:7")
    assert s.migrations.origin == "pyproject.toml:8"
    assert (s.statement_timeout.value, s.statement_timeout.origin) == (1000, "pyproject.toml:10")
    assert s.lock_timeout.origin == "default"
    assert s.severity["index_missing"].value == "info"
    assert s.severity["index_missing"].origin == "pyproject.toml:13"
    # From a subfolder the file is found in the parent; its paths still mean the same folders.
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    deeper = resolve({}, sub, environ={})
    assert deeper.config_file == "pyproject.toml"
    assert deeper.specs.value == Path("docs/specs")
    assert deeper.migrations.value == "supabase/migrations"


def test_pyproject_without_the_table_is_skipped(project: Path, tmp_path: Path) -> None:
    write(tmp_path / "schemaverify.toml", 'fail_on = "info"\n')
    write(project / "pyproject.toml", '[project]\nname = "schemaverify-like"\n')
    s = resolve({}, project, environ={})
    assert s.fail_on.value == "info"
    assert s.config_file == str(tmp_path / "schemaverify.toml")
    assert s.fail_on.origin == f"{tmp_path / 'schemaverify.toml'}:1"
    assert s.specs.value == tmp_path / "specs"


def test_schemaverify_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    write(project / "pyproject.toml", PYPROJECT)
    write(project / "schemaverify.toml", '# team settings\nfail_on = "info"\n')
    s = resolve({}, project, environ={})
    assert s.config_file == "schemaverify.toml"
    assert (s.fail_on.value, s.fail_on.origin) == ("info", "schemaverify.toml:2")
    assert s.specs.origin == "default"  # nothing is merged from the ignored pyproject table
    assert any("[tool.schemaverify] ignored" in w for w in s.warnings)


def test_explicit_config_file_replaces_discovery(project: Path) -> None:
    write(project / "pyproject.toml", PYPROJECT)
    custom = write(project / "ci" / "strict.toml", 'fail_on = "info"\nspecs = "../docs/specs"\n')
    s = resolve({"config": custom}, project, environ={})
    assert s.config_file == "ci/strict.toml"
    assert (s.fail_on.value, s.fail_on.origin) == ("info", "ci/strict.toml:1")
    assert (s.specs.value, s.specs.origin) == (Path("docs/specs"), "ci/strict.toml:2")
    assert s.schemas.origin == "default"
    with pytest.raises(UsageError, match="no such file"):
        resolve({"config": project / "missing.toml"}, project, environ={})


def test_command_line_flags_win_over_the_file(project: Path) -> None:
    write(project / "pyproject.toml", PYPROJECT)
    s = resolve(
        {
            "specs": Path("other"),
            "schemas": ["audit"],
            "fail_on": "never",
            "statement_timeout": 5,
            "dsn": "postgresql://app@db/app",
            "baseline": None,
            "no_baseline": True,
            "fail_on_stale": True,
        },
        project,
        environ={},
    )
    assert (s.specs.value, s.specs.origin) == (Path("other"), "--specs")
    assert (s.schemas.value, s.schemas.origin) == (("audit",), "--schema")
    assert (s.fail_on.value, s.fail_on.origin) == ("never", "--fail-on")
    assert (s.statement_timeout.value, s.statement_timeout.origin) == (5, "--statement-timeout")
    assert (s.baseline.value, s.baseline.origin) == (None, "--no-baseline")
    assert (s.fail_on_stale.value, s.fail_on_stale.origin) == (True, "--fail-on-stale")
    # A source flag replaces the file's source as a whole (no "two sources" error).
    assert (s.dsn.value, s.dsn.origin) == ("postgresql://app@db/app", "--dsn")
    assert (s.migrations.value, s.migrations.origin) == (None, "overridden by --dsn")
    assert s.source_options().migrations is None


def test_dsn_env_reads_the_named_variable(project: Path) -> None:
    write(project / "schemaverify.toml", 'specs = "specs"\ndsn_env = "STAGING_DSN"\n')
    s = resolve({}, project, environ={"STAGING_DSN": "postgresql://app:pw@db/app"})
    assert s.dsn.value == "postgresql://app:pw@db/app"
    assert s.dsn.origin == "env STAGING_DSN (schemaverify.toml:2)"
    assert s.source_options().dsn == "postgresql://app:pw@db/app"
    # The file's dsn_env wins over the generic variables (they are built-in defaults).
    both = resolve({}, project, environ={"STAGING_DSN": "a=1", "SCHEMAVERIFY_DSN": "b=2"})
    assert both.dsn.value == "a=1"
    unset = resolve({}, project, environ={"SCHEMAVERIFY_DSN": "b=2"})
    assert unset.dsn.value is None
    with pytest.raises(UsageError, match=r"schemaverify.toml:2: dsn_env: .*STAGING_DSN is not set"):
        unset.source_options()
    # Another source on the command line needs no DSN at all.
    migrated = resolve({"migrations": "db/migrations"}, project, environ={})
    assert migrated.source_options().migrations == "db/migrations"


def test_preset_needs_migrations_from_flag_or_file(project: Path) -> None:
    with pytest.raises(UsageError, match="--preset applies to --migrations only"):
        resolve({"preset": "none", "dsn": "x=1"}, project, environ={})
    write(project / "schemaverify.toml", 'migrations = "db"\npreset = "supabase"\n')
    s = resolve({"preset": "none"}, project, environ={})
    assert (s.preset.value, s.preset.origin) == ("none", "--preset")
    assert s.source_options().preset == "none"
    # A file preset is a default for migrations only: with --dsn it is not passed on.
    assert resolve({"dsn": "x=1"}, project, environ={}).source_options().preset is None


def test_generic_dsn_variables_are_the_default(project: Path) -> None:
    s = resolve({}, project, environ={"DATABASE_URL": "x=1", "SCHEMAVERIFY_DSN": "y=2"})
    assert (s.dsn.value, s.dsn.origin) == ("y=2", "env SCHEMAVERIFY_DSN")
    s = resolve({}, project, environ={"DATABASE_URL": "x=1"})
    assert (s.dsn.value, s.dsn.origin) == ("x=1", "env DATABASE_URL")


def test_password_in_file_dsn_warns(project: Path) -> None:
    write(project / "schemaverify.toml", 'dsn = "postgresql://app:hunter22@db/app"\n')
    s = resolve({}, project, environ={})
    assert s.dsn.origin == "schemaverify.toml:1"
    assert len(s.warnings) == 1 and "dsn_env" in s.warnings[0]
    assert "hunter22" not in s.warnings[0]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            'specs = "s"\nfail_onn = "error"\n',
            2,
            "unknown key 'fail_onn' (did you mean 'fail_on'?)",
        ),
        (
            'fail_on = "warnings"\n',
            1,
            "fail_on: unknown value 'warnings' (did you mean 'warning'?)",
        ),
        ('schemas = "public"\n', 1, "schemas: expected a non-empty array of schema names"),
        ("lock_timeout = -5\n", 1, "lock_timeout: expected a positive integer, got an integer"),
        ('fail_on_stale = "yes"\n', 1, "fail_on_stale: expected true or false, got a string"),
        (
            '\n[severity]\nindex_missin = "info"\n',
            3,
            "severity: unknown finding kind 'index_missin' (did you mean 'index_missing'?)",
        ),
        (
            'severity = { index_missing = "fatal" }\n',
            1,
            "severity.index_missing: unknown severity 'fatal'",
        ),
        ('dsn = "x=1"\nmigrations = "m"\n', 2, "give at most one source"),
        ('dsn_env = "not a name"\n', 1, "dsn_env: expected an environment variable name"),
        ('specs = "a"\nfail_on = \n', 2, "invalid TOML: "),
        ('specs = "a"\nspecs = "b"\n', 2, "invalid TOML: "),
    ],
)
def test_file_errors_name_their_line(project: Path, text: str, line: int, reason: str) -> None:
    write(project / "schemaverify.toml", text)
    with pytest.raises(SpecError) as info:
        resolve({}, project, environ={})
    assert f"schemaverify.toml:{line}: {reason}" in str(info.value)


def test_errors_in_pyproject_point_into_the_tool_table(project: Path) -> None:
    write(
        project / "pyproject.toml",
        """\
        [project]
        name = "app"
        specs = "not ours"

        [tool.schemaverify]
        specs = 3
        [tool.schemaverify.severity]
        column_missing = "warn"
        """,
    )
    with pytest.raises(SpecError) as info:
        resolve({}, project, environ={})
    assert str(info.value).splitlines() == [
        "pyproject.toml:6: specs: expected a path (a non-empty string), got an integer",
        "pyproject.toml:8: severity.column_missing: unknown severity 'warn' (did you mean "
        "'warning'?); expected one of: error, warning, info",
    ]


def test_locate_handles_dotted_keys_and_inline_tables() -> None:
    text = textwrap.dedent(
        """\
        [tool]
        other = 1
        schemaverify.fail_on = "info"

        [tool.schemaverify]
        "specs" = "s"
        severity = { index_missing = "info" }
        """
    )
    assert locate(text, ("tool", "schemaverify", "fail_on")) == 3
    assert locate(text, ("tool", "schemaverify", "specs")) == 6
    assert locate(text, ("tool", "schemaverify", "severity", "index_missing")) == 7
    assert locate(text, ("tool", "schemaverify", "nothing")) == 5


def test_config_command_shows_values_and_sources(project: Path) -> None:
    write(project / "pyproject.toml", PYPROJECT)
    result = invoke("config", "--fail-on", "info")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "configuration file: pyproject.toml"
    row = next(line for line in lines if line.lstrip().startswith("specs"))
    assert row.split() == ["specs", "docs/specs", "pyproject.toml:5"]
    row = next(line for line in lines if line.lstrip().startswith("fail_on "))
    assert row.split() == ["fail_on", "info", "--fail-on"]
    row = next(line for line in lines if "severity.index_missing" in line)
    assert row.split() == ["severity.index_missing", "info", "pyproject.toml:13"]
    row = next(line for line in lines if line.lstrip().startswith("lock_timeout"))
    assert row.split() == ["lock_timeout", "5000", "default"]


def test_config_command_json_redacts_the_dsn(project: Path) -> None:
    write(project / "schemaverify.toml", 'dsn_env = "STAGING_DSN"\nfail_on_stale = true\n')
    result = invoke(
        "config", "--format", "json", env={"STAGING_DSN": "postgresql://app:s3cret@db/app"}
    )
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.stdout
    data = json.loads(result.stdout)
    assert data["config_file"] == "schemaverify.toml"
    assert data["settings"]["dsn"] == {
        "value": "postgresql://app:***@db/app",
        "source": "env STAGING_DSN (schemaverify.toml:1)",
    }
    assert data["settings"]["fail_on_stale"] == {"value": True, "source": "schemaverify.toml:2"}
    assert data["settings"]["schemas"] == {"value": ["public"], "source": "default"}
    assert data["settings"]["severity"] == {}


def test_broken_config_exits_2_with_place(project: Path) -> None:
    write(project / "schemaverify.toml", 'specs = "specs"\nfail_on = "sometimes"\n')
    for command in ("check", "coverage", "config", "baseline"):
        result = invoke(command, "--dsn", "postgresql://nobody@127.0.0.1:1/x")
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith("schemaverify.toml:2: fail_on: unknown value 'sometimes'")
        assert "Traceback" not in result.output


def test_file_settings_drive_a_real_check(db, project: Path) -> None:
    """severity overrides, fail_on, specs and schemas from the file reach the check; a flag
    still wins."""
    write(project / "docs" / "specs" / "orders.yaml", SPEC)
    db.run(
        "CREATE TABLE orders (id uuid PRIMARY KEY, total integer NOT NULL);"
        "CREATE SCHEMA audit; CREATE TABLE audit.events (id int);"
    )
    write(
        project / "schemaverify.toml",
        """\
        specs = "docs/specs"
        schemas = ["public", "audit"]
        dsn_env = "STAGING_DSN"

        [severity]
        column_type_mismatch = "warning"
        """,
    )
    env = {"STAGING_DSN": db.dsn}
    result = invoke("check", "--format", "json", env=env)
    assert result.exit_code == 0, result.output  # the type mismatch is only a warning now
    report = json.loads(result.stdout)
    assert report["specs"] == "docs/specs"
    kinds = [(f["table"], f["kind"], f["severity"]) for f in report["findings"]]
    assert kinds == [
        ("audit.events", "table_undocumented", "info"),
        ("public.orders", "column_type_mismatch", "warning"),
    ]
    assert invoke("check", "--fail-on", "warning", env=env).exit_code == 1
    with (project / "schemaverify.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[tool]\nx = 1\n")  # a stray table is an unknown key, not silently ignored
    broken = invoke("check", env=env)
    assert broken.exit_code == 2
    assert "schemaverify.toml:8: unknown key 'tool'" in broken.stderr


def test_coverage_uses_the_file(db, project: Path) -> None:
    write(project / "docs" / "specs" / "orders.yaml", SPEC)
    db.run("CREATE TABLE orders (id uuid PRIMARY KEY, total numeric NOT NULL, extra int)")
    db.run("CREATE SCHEMA audit; CREATE TABLE audit.events (id int)")
    write(project / "schemaverify.toml", 'specs = "docs/specs"\nschemas = ["public", "audit"]\n')
    result = invoke("coverage", "--dsn", db.dsn, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "audit.events" in result.stdout


# --------------------------------------------------------------------------- numeric ranges

HUGE = "1" + "0" * 5000
"""Beyond Python's int-to-str digit limit: tomllib raises ValueError, not TOMLDecodeError."""


@pytest.mark.parametrize(
    ("name", "text", "line", "reason"),
    [
        (
            "schemaverify.toml",
            f'specs = "s"\nstatement_timeout = {HUGE}\n',
            2,
            "statement_timeout: value out of range",
        ),
        (
            "pyproject.toml",
            f'[project]\nname = "x"\n\n[tool.schemaverify]\nspecs = "s"\n'
            f"[tool.schemaverify.severity]\nindex_missing = {HUGE}\n",
            7,
            "severity.index_missing: value out of range",
        ),
    ],
)
def test_oversized_integer_is_a_config_error_at_its_line(
    project: Path, name: str, text: str, line: int, reason: str
) -> None:
    write(project / name, text)
    with pytest.raises(SpecError) as info:
        resolve({}, project, environ={})
    assert f"{name}:{line}: {reason}" in str(info.value)
    result = invoke("config")
    assert result.exit_code == 2, result.output
    [message] = result.output.strip().splitlines()
    assert message.startswith(f"{name}:{line}: {reason}")
    assert "internal error" not in message and len(message) < 200


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("statement_timeout = 86400001\n", "statement_timeout: value out of range: 86400001 is "
         "above the maximum of 86400000 ms"),
        ("connect_timeout = 3601\n", "connect_timeout: value out of range"),
        ("migration_timeout = 86401\n", "migration_timeout: value out of range"),
        ("migration_statement_timeout = 0\n", "migration_statement_timeout: expected a positive "
         "integer"),
        ("migration_timeout = 1.5\n", "migration_timeout: expected a positive integer, got a "
         "number"),
        # A hexadecimal literal converts (no digit limit) but is far too large to print.
        (f"lock_timeout = 0x{'f' * 5000}\n", "lock_timeout: value out of range: a number of "
         "more than 19 digits"),
    ],
)  # fmt: skip
def test_every_timeout_is_range_checked(project: Path, text: str, reason: str) -> None:
    write(project / "schemaverify.toml", text)
    with pytest.raises(SpecError) as info:
        resolve({}, project, environ={})
    assert f"schemaverify.toml:1: {reason}" in str(info.value)


def test_migration_limits_come_from_file_flags_or_defaults(project: Path) -> None:
    s = resolve({}, project, environ={})
    assert (s.migration_statement_timeout.value, s.migration_statement_timeout.origin) == (
        300000,
        "default",
    )
    assert (s.migration_timeout.value, s.migration_timeout.origin) == (1800, "default")
    write(
        project / "schemaverify.toml", "migration_timeout = 60\nmigration_statement_timeout = 5\n"
    )
    s = resolve({"migration_timeout": 90}, project, environ={})
    assert (s.migration_timeout.value, s.migration_timeout.origin) == (90, "--migration-timeout")
    assert s.migration_statement_timeout.value == 5
    assert s.migration_statement_timeout.origin == "schemaverify.toml:2"
    result = invoke("config", "--format", "json", "--migration-statement-timeout", "7")
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)["settings"]
    assert settings["migration_statement_timeout"] == {
        "value": 7,
        "source": "--migration-statement-timeout",
    }
    assert settings["migration_timeout"] == {"value": 60, "source": "schemaverify.toml:1"}


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--migrations", "m", "--migration-timeout", "0"),
        ("coverage", "--migrations", "m", "--migration-statement-timeout", "86400001"),
        ("snapshot", "--migrations", "m", "--migration-timeout", "86401"),
        ("diff", "--from", "migrations:m", "--to", "migrations:m", "--migration-timeout", "-1"),
    ],
)
def test_migration_limit_flags_are_checked_on_every_command(
    project: Path, args: tuple[str, ...]
) -> None:
    (project / "m").mkdir()
    (project / "m" / "001.sql").write_text("create table t (id int);\n")
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    # The flag exists (not click's "No such option") and its value is range-checked.
    [line] = [text for text in result.output.splitlines() if "--migration-" in text]
    assert "must be a positive number" in line or "value out of range" in line, line
