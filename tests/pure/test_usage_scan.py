"""The scan around the parsers: which files are read, the content-hash cache, and the
privilege of clients imported from another file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from schemaverify.model.usage import CodeReference, Export, FileScan
from schemaverify.sources.code import cache as scan_cache
from schemaverify.sources.code import scan as scanner
from schemaverify.sources.code.imports import resolve_clients


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_find_files_skips_installed_built_hidden_linked_and_excluded(tmp_path: Path) -> None:
    root = tmp_path / "app"
    _write(
        root,
        {
            "src/page.tsx": "",
            "src/util.ts": "",
            "src/types.d.ts": "",
            "src/old.js": "",
            "src/bundle.min.js": "",
            "worker/job.py": "",
            "sql/report.sql": "",
            "README.md": "",
            "node_modules/x/index.js": "",
            ".next/server/page.js": "",
            "dist/out.js": "",
            "supabase/migrations/1_init.sql": "",
            "db/migrations/2.sql": "",
        },
    )
    os.symlink(tmp_path / "elsewhere", root / "linked_dir")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.ts").write_text("")
    os.symlink("/etc/passwd", root / "src" / "passwd.ts")
    found = [
        (job.path, job.language)
        for job, _ in scanner.find_files(root, exclude=[root / "db" / "migrations"])
    ]
    shown = root.as_posix()
    assert found == [
        (f"{shown}/sql/report.sql", "sql"),
        (f"{shown}/src/old.js", "javascript"),
        (f"{shown}/src/page.tsx", "tsx"),
        (f"{shown}/src/util.ts", "typescript"),
        (f"{shown}/worker/job.py", "python"),
    ]


def test_paths_are_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "code", {"a.ts": ""})
    monkeypatch.chdir(tmp_path)
    assert [j.path for j, _ in scanner.find_files(Path("code"))] == ["code/a.ts"]
    monkeypatch.chdir(tmp_path / "code")
    assert [j.path for j, _ in scanner.find_files(Path("."))] == ["a.ts"]


def _ref(path: str, **fields: object) -> CodeReference:
    return CodeReference(path, 1, 1, "supabase-js", "select", "orders", **fields)  # type: ignore[arg-type]


ACTIONS = "app/app/orders/actions.ts"
ADMIN = ("@/lib/supabase/admin", "createAdminClient")


def test_imported_clients_take_the_exporting_files_privilege() -> None:
    root = "app"
    scans = [
        FileScan("app/lib/supabase/admin.ts", exports=(Export("createAdminClient", "service"),)),
        FileScan("app/lib/supabase/server/index.ts", exports=(Export("createClient", "public"),)),
        FileScan("app/src/lib/db.ts", exports=(Export("default", "service"),)),
        FileScan("app/worker/db.py", exports=(Export("admin", "service"),)),
        FileScan("app/worker/clients/__init__.py", exports=(Export("anon", "public"),)),
        FileScan(
            ACTIONS,
            references=(
                _ref(ACTIONS, client=("@/lib/supabase/admin", "createAdminClient")),
                _ref(ACTIONS, client=("../../lib/supabase/server", "createClient")),
                _ref(ACTIONS, client=("~/lib/db", "default")),
                _ref(ACTIONS, client=("@supabase/ssr", "createServerClient")),
                _ref(ACTIONS, client=("@/lib/supabase/admin", "other")),
                _ref(ACTIONS, client=ADMIN, privilege="public"),
            ),
        ),
        FileScan(
            "app/worker/jobs/run.py",
            references=(
                _ref("app/worker/jobs/run.py", client=("worker.db", "admin")),
                _ref("app/worker/jobs/run.py", client=("..db", "admin")),
                _ref("app/worker/jobs/run.py", client=("..clients", "anon")),
                _ref("app/worker/jobs/run.py", client=("db", "admin")),
                _ref("app/worker/jobs/run.py", client=("requests", "admin")),
            ),
        ),
    ]  # fmt: skip
    resolved = {s.path: [r.privilege for r in s.references] for s in resolve_clients(scans, root)}
    assert resolved["app/app/orders/actions.ts"] == [
        "service", "public", "service", "unknown", "unknown", "public",
    ]  # fmt: skip
    # `db` resolves from the importing file's folders upwards: app/worker/db.py.
    assert resolved["app/worker/jobs/run.py"] == [
        "service",
        "service",
        "public",
        "service",
        "unknown",
    ]


def test_scan_cache_round_trips_and_rejects_tampering(tmp_path: Path) -> None:
    ref = CodeReference(
        "a.ts", 3, 5, "supabase-js", "insert", "orders", schema="app", columns=("a", "b"),
        partial=True, privilege="public", unresolved=None, embedded_in=None,
        client=("@/lib/x", "default"),
    )  # fmt: skip
    scan = FileScan("a.ts", (ref,), (Export("x", "service"),), ("line 2: syntax error",))
    assert scan_cache.scan_from_json(json.loads(json.dumps(scan_cache.scan_to_json(scan)))) == scan
    bad = scan_cache.scan_to_json(scan)
    bad["references"][0][1] = "3"
    with pytest.raises(ValueError):
        scan_cache.scan_from_json(bad)
    store = scan_cache.ScanCache(tmp_path / "code", tmp_path / "cache")
    store.put("k", scan)
    store.save()
    again = scan_cache.ScanCache(tmp_path / "code", tmp_path / "cache")
    assert again.get("k") == scan and again.hits == 1
    # Writable by others: not trusted.
    os.chmod(again.path, 0o666)
    assert scan_cache.ScanCache(tmp_path / "code", tmp_path / "cache").get("k") is None
    os.chmod(again.path, 0o600)
    again.path.write_text("{not json")
    assert scan_cache.ScanCache(tmp_path / "code", tmp_path / "cache").get("k") is None


def test_content_key_changes_with_path_and_content() -> None:
    keys = {
        scan_cache.content_key("a.ts", b"x"),
        scan_cache.content_key("b.ts", b"x"),
        scan_cache.content_key("a.ts", b"y"),
    }
    assert len(keys) == 3


def _crash_on_boom(path: str, source: bytes, language: str) -> FileScan:
    if "boom" in path:
        os._exit(11)  # what a segfault in a C grammar does to the worker
    return FileScan(path, problems=(f"scanned {language}",))


@pytest.mark.skipif(
    __import__("multiprocessing").get_start_method() != "fork",
    reason="the replaced scanner reaches workers only when they are forked",
)
def test_a_parser_crashing_its_process_costs_one_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"f{i}.ts" for i in range(6)] + ["boom.ts"]
    _write(tmp_path, {name: "x" for name in names})
    monkeypatch.setattr(scanner, "scan_source", _crash_on_boom)
    jobs = [pair for pair in scanner.find_files(tmp_path)]
    done = list(scanner._scan_parallel(scanner._batches(jobs, 3), 2))
    results = {item.scan.path: item.scan.problems for item in done}
    assert {item.key == "" for item in done if "boom" in item.scan.path} == {True}  # not cached
    shown = tmp_path.as_posix()
    assert results.pop(f"{shown}/boom.ts") == (
        "the parser crashed or ran over 10 s on this file: not scanned",
    )
    assert results == {f"{shown}/{name}": ("scanned typescript",) for name in names[:-1]}
