"""The corpus: small Supabase histories, each one public pattern, checked as a user would.

`check --migrations` is only a useful gate if a correct history passes it: every
folder under tests/corpus reproduces, in self-written SQL, one pattern real
Supabase projects use that depends on what the hosted platform provides
(extensions it makes available, webhooks, Vault, Realtime, pulled dumps, MFA
tables).  Each must apply cleanly under the preset, through the CLI and its JSON
report, the contract CI reads.  One history holds a real bug; it must still
fail, at its line, with what follows from it reported as its consequences and
not as further root causes.

Each folder has `supabase/migrations/` (so the preset is chosen as for a user),
`specs/` (one spec of a table the history creates, so the catalog is read and
compared too) and `expect.json` (the pattern, the files, and for the buggy one
where it fails).  A history that fails only for want of a platform piece is
marked `xfail(strict=True)` in `MISSING`, naming the piece: it starts failing
the moment the piece lands, and the mark must then go.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.sources.migrations import migrated_database

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
REL = "tests/corpus"

MISSING: dict[str, str] = {}
"""History -> the platform piece it still lacks (an `xfail(strict=True)` reason)."""


@dataclass(frozen=True)
class Failure:
    """Where the buggy history must fail, and what must follow from it."""

    root: str
    """`file:line` of the one root failure, the file named as in its folder."""
    sqlstate: str
    consequences: tuple[str, ...]
    """Files that fail only because the root's file was rolled back."""
    applied: tuple[str, ...]


@dataclass(frozen=True)
class Expect:
    pattern: str
    files: tuple[str, ...]
    fails: Failure | None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(value)


def load_expect(name: str) -> Expect:
    """expect.json of one history, read strictly: a typo must not turn a case into a no-op."""
    path = CORPUS / name / "expect.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if set(data) != {"pattern", "files", "fails"}:
        raise ValueError(f"{path}: keys must be pattern, files, fails")
    fails = data["fails"]
    failure = None
    if fails is not None:
        if set(fails) != {"root", "sqlstate", "consequences", "applied"}:
            raise ValueError(f"{path}: fails needs root, sqlstate, consequences, applied")
        failure = Failure(
            root=str(fails["root"]),
            sqlstate=str(fails["sqlstate"]),
            consequences=_strings(fails["consequences"], f"{path}: fails.consequences"),
            applied=_strings(fails["applied"], f"{path}: fails.applied"),
        )
    return Expect(str(data["pattern"]), _strings(data["files"], f"{path}: files"), failure)


def histories() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def cases() -> Iterator[Any]:
    for name in histories():
        marks = [pytest.mark.xfail(strict=True, reason=MISSING[name])] if name in MISSING else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cluster cache (same path as in test_migrations, so built once)."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, as a user types them: locations and fingerprints cite them as given."""
    monkeypatch.chdir(REPO)


def migrations_of(name: str) -> str:
    return f"{REL}/{name}/supabase/migrations"


def check_json(name: str, *extra: str) -> tuple[int, dict[str, Any]]:
    """`schemaverify check --migrations ... --format json`, as CI runs it; exit code and report."""
    result = CliRunner().invoke(
        app,
        [
            "check",
            "--migrations",
            migrations_of(name),
            "--specs",
            f"{REL}/{name}/specs",
            "--format",
            "json",
            *extra,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def failed(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["kind"] == "migration_failed"]


def describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['location']}: {f['message']}" for f in findings)


# --------------------------------------------------------------------------- the corpus itself


def test_every_history_is_described_and_small() -> None:
    """Each folder is a case; its expect.json lists exactly its files, 2 to 6 of them."""
    names = histories()
    assert len(names) >= 10
    buggy = []
    for name in names:
        expect = load_expect(name)
        on_disk = tuple(
            sorted(p.name for p in (CORPUS / name / "supabase" / "migrations").glob("*.sql"))
        )
        assert expect.files == on_disk, name
        assert 2 <= len(on_disk) <= 6, name
        assert list((CORPUS / name / "specs").glob("*.yaml")), f"{name}: no spec"
        if expect.fails is not None:
            buggy.append(name)
            root_file = expect.fails.root.rsplit(":", 1)[0]
            named = {root_file, *expect.fails.consequences, *expect.fails.applied}
            assert named == set(on_disk), name
    assert buggy == ["broken_alter_type_owner"]
    assert set(MISSING) <= set(names)


# --------------------------------------------------------------------------- applying it


@pytest.mark.parametrize("name", list(cases()))
def test_history_applies_as_on_supabase(cache_dir: Path, in_repo: None, name: str) -> None:
    """Every file applies (or, for the buggy history, fails exactly where and as expected)."""
    expect = load_expect(name)
    folder = migrations_of(name)
    code, report = check_json(name, "--continue-on-error")
    failures = failed(report)
    counts = report["source"]["migrations"]

    if expect.fails is None:
        assert failures == [], describe(failures)
        total = len(expect.files)
        assert counts == {"files": total, "applied": total, "failed": 0, "skipped": 0}
        serious = [f for f in report["findings"] if f["severity"] in ("error", "warning")]
        assert serious == [], describe(serious)
        assert report["summary"]["tables_checked"] == 1
        assert code == 0
        return

    bug = expect.fails
    assert counts == {
        "files": len(expect.files),
        "applied": len(bug.applied),
        "failed": 1 + len(bug.consequences),
        "skipped": 0,
    }
    roots = [f for f in failures if not f["caused_by"]]
    assert len(roots) == 1, describe(roots)
    root = roots[0]
    assert root["location"].rsplit(":", 1)[0] == f"{folder}/{bug.root}", describe(roots)
    assert root["message"].startswith(f"{bug.sqlstate} "), root["message"]
    consequences = [f for f in failures if f["caused_by"]]
    assert sorted(Path(f["object"]).name for f in consequences) == sorted(bug.consequences)
    assert {f["caused_by"] for f in consequences} == {root["fingerprint"]}, describe(consequences)
    assert report["summary"]["root_causes"] == 1
    assert report["summary"]["consequences"] == len(bug.consequences)
    assert code == 1


def test_the_bug_stops_the_run_at_its_line(cache_dir: Path, in_repo: None) -> None:
    """Without --continue-on-error the buggy history stops at its root: one failure, no more."""
    name = "broken_alter_type_owner"
    bug = load_expect(name).fails
    assert bug is not None
    code, report = check_json(name)
    failures = failed(report)
    assert [f["location"].rsplit(":", 1)[0] for f in failures] == [
        f"{migrations_of(name)}/{bug.root}"
    ]
    assert failures[0]["caused_by"] is None
    assert report["source"]["migrations"] == {
        "files": len(bug.applied) + 1 + len(bug.consequences),
        "applied": len(bug.applied),
        "failed": 1,
        "skipped": len(bug.consequences),
    }
    assert report["summary"]["schema_read"] is False
    assert code == 1


def test_pgsodium_dump_line_fails_as_on_current_supabase(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its CREATE SCHEMA the pgsodium dump line fails, as it does on Supabase itself.

    Since Supabase's 15.8.1.060 image the schema pgsodium no longer exists by default, and
    `supabase db reset` stops at this line with 3F000 (supabase/cli#3358): a preset that
    let it pass would approve a history the platform refuses.
    """
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20231120000000_remote_schema.sql").write_text(
        "SET check_function_bodies = false;\n"
        'CREATE EXTENSION IF NOT EXISTS "pgsodium" WITH SCHEMA "pgsodium";\n',
        encoding="utf-8",
    )
    (folder / "20231201000000_after.sql").write_text(
        "create table public.after_dump (id bigint primary key);\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    with migrated_database("supabase/migrations", continue_on_error=True, progress=False) as run:
        failures = [f for f in run.findings if f.kind == "migration_failed"]
        assert [f.location for f in failures] == [
            "supabase/migrations/20231120000000_remote_schema.sql:2:32"
        ]
        assert failures[0].message.startswith('3F000 schema "pgsodium" does not exist')
        assert [Path(f).name for f in run.applied] == ["20231201000000_after.sql"]


def test_the_bug_is_folded_in_the_terminal_report(cache_dir: Path, in_repo: None) -> None:
    """The terminal shows one root row and one folded line, not three unrelated errors."""
    name = "broken_alter_type_owner"
    result = CliRunner().invoke(
        app,
        [
            "check",
            "--migrations",
            migrations_of(name),
            "--specs",
            f"{REL}/{name}/specs",
            "--continue-on-error",
        ],
        env={"COLUMNS": "200"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    out = result.output
    assert 'type "public.never_created" does not exist' in out
    assert "2 later failures caused by this one" in out
    # The consequences' own errors are folded away, not listed as root causes.
    assert 'type "public.project_status[]" does not exist' not in out
    assert 'relation "public.project_events" does not exist' not in out
    assert "migrations: 1 of 4 files applied, 3 failed, 0 skipped" in out
    assert "(1 root cause, 2 consequences)" in out
