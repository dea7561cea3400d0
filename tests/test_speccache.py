"""The spec cache: a warm load equals a fresh one, and every kind of change is noticed."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemaverify.cli import app
from schemaverify.errors import SpecError
from schemaverify.sources.specs import cache as speccache
from schemaverify.sources.specs.load import load_specs

SPEC = """table: {name}
columns:
  - {{name: id, type: uuid, primary_key: true}}
  - {{name: status, type: text, default: "'pending'"}}
  - {{name: created_at, type: timestamptz}}
indexes:
  - primary_key: true
  - columns: [status]
    where: status = 'pending'
rls:
  access: [owner]
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record files however recently they changed (tests write them just before loading)."""
    monkeypatch.setattr(speccache, "RACY_NS", 0)


def write(folder: Path, name: str, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text if text is not None else SPEC.format(name=name), encoding="utf-8")
    return path


def specs_folder(tmp_path: Path, count: int = 3) -> Path:
    folder = tmp_path / "specs"
    for i in range(count):
        write(folder, f"t{i}")
    return folder


def hits(folder: Path) -> int:
    cache = speccache.SpecCache(folder)
    for path in sorted(folder.glob("*.yaml")):
        cache.get(str(path), speccache.stat_key(str(path)), lambda: {"owner"})
    return cache.hits


def cache_files(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "specs").glob("*.pickle"))


def test_a_warm_load_equals_a_fresh_one(tmp_path: Path, cache_dir: Path, trusting: None) -> None:
    folder = specs_folder(tmp_path)
    fresh = load_specs(folder)
    first = load_specs(folder, cache=True)
    assert len(cache_files(cache_dir)) == 1
    assert hits(folder) == 3
    warm = load_specs(folder, cache=True)
    assert warm == first == fresh
    assert [dict(s.lines) for s in warm.specs] == [dict(s.lines) for s in fresh.specs]
    assert [s.path for s in warm.specs] == [s.path for s in fresh.specs]


def test_without_cache_nothing_is_written(tmp_path: Path, cache_dir: Path, trusting: None) -> None:
    load_specs(specs_folder(tmp_path))
    assert not cache_dir.exists()


def test_recently_changed_files_are_not_recorded(tmp_path: Path, cache_dir: Path) -> None:
    folder = specs_folder(tmp_path)
    load_specs(folder, cache=True)
    assert cache_files(cache_dir) == []  # every file is younger than RACY_NS
    old = time.time() - 60
    for path in folder.iterdir():
        os.utime(path, (old, old))
    # ctime is "now" after utime, so the files are still too recent to trust.
    load_specs(folder, cache=True)
    assert cache_files(cache_dir) == []


def test_an_edited_file_is_loaded_again(tmp_path: Path, cache_dir: Path, trusting: None) -> None:
    folder = specs_folder(tmp_path)
    load_specs(folder, cache=True)
    path = folder / "t1.yaml"
    stat = path.stat()
    # Same size, and the modification time put back: only ctime and the content differ.
    path.write_text(SPEC.format(name="t1").replace("timestamptz", "timestamp__"), "utf-8")
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    loaded = load_specs(folder, cache=True).by_name()["public.t1"]
    assert loaded.table.columns[2].type.name == "timestamp__"


def test_added_and_deleted_files(tmp_path: Path, cache_dir: Path, trusting: None) -> None:
    folder = specs_folder(tmp_path)
    load_specs(folder, cache=True)
    (folder / "t0.yaml").unlink()
    write(folder, "t9")
    names = [s.table.name for s in load_specs(folder, cache=True).specs]
    assert names == ["t1", "t2", "t9"]
    assert hits(folder) == 3


def test_spec_errors_are_never_cached(tmp_path: Path, cache_dir: Path, trusting: None) -> None:
    folder = specs_folder(tmp_path)
    write(folder, "bad", "table: bad\ncolumns:\n  - {name: id}\n")
    for _ in range(2):
        with pytest.raises(SpecError, match=r"bad\.yaml:3: .*missing required key 'type'"):
            load_specs(folder, cache=True)
    assert hits(folder) == 3  # the good files were recorded


def test_a_narrower_access_vocabulary_loads_again(
    tmp_path: Path, cache_dir: Path, trusting: None
) -> None:
    folder = specs_folder(tmp_path, 1)
    load_specs(folder, cache=True)
    with pytest.raises(SpecError, match="unknown access kind 'owner'"):
        load_specs(folder, cache=True, access_kinds={"public_read"})


def test_a_damaged_cache_is_ignored_and_replaced(
    tmp_path: Path, cache_dir: Path, trusting: None
) -> None:
    folder = specs_folder(tmp_path)
    expected = load_specs(folder, cache=True)
    [file] = cache_files(cache_dir)
    file.write_bytes(b"\x80\x05not a pickle")
    assert load_specs(folder, cache=True) == expected
    assert hits(folder) == 3


def test_a_cache_naming_other_code_is_not_run(
    tmp_path: Path, cache_dir: Path, trusting: None
) -> None:
    folder = specs_folder(tmp_path)
    expected = load_specs(folder, cache=True)
    [file] = cache_files(cache_dir)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.mkdir, (str(marker),))

    file.write_bytes(pickle.dumps({"format": speccache.FORMAT, "entries": Evil()}))
    assert load_specs(folder, cache=True) == expected
    assert not marker.exists()


def test_a_cache_others_can_write_is_ignored(
    tmp_path: Path, cache_dir: Path, trusting: None
) -> None:
    folder = specs_folder(tmp_path)
    load_specs(folder, cache=True)
    [file] = cache_files(cache_dir)
    file.chmod(0o666)
    assert hits(folder) == 0


def test_other_code_starts_a_new_cache(
    tmp_path: Path, cache_dir: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = specs_folder(tmp_path)
    load_specs(folder, cache=True)
    monkeypatch.setattr(speccache, "_code_fingerprint", lambda: "another version")
    assert hits(folder) == 0


def test_an_unwritable_cache_never_fails_a_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trusting: None
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", str(blocker))
    folder = specs_folder(tmp_path)
    assert load_specs(folder, cache=True) == load_specs(folder)


def test_old_folders_are_pruned(
    tmp_path: Path, cache_dir: Path, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speccache, "MAX_FILES", 2)
    for i in range(4):
        write(tmp_path / f"specs{i}", "t")
        load_specs(tmp_path / f"specs{i}", cache=True)
        time.sleep(0.01)
    assert len(cache_files(cache_dir)) == 2
    assert hits(tmp_path / "specs3") == 1 and hits(tmp_path / "specs0") == 0


def test_check_uses_the_cache_unless_no_cache(
    db, tmp_path: Path, cache_dir: Path, trusting: None
) -> None:
    db.run("CREATE TABLE t0 (id uuid PRIMARY KEY, status text NOT NULL DEFAULT 'pending');")
    folder = specs_folder(tmp_path, 1)
    args = ["check", "--dsn", db.dsn, "--specs", str(folder), "--format", "json"]
    runner = CliRunner()
    uncached = runner.invoke(app, [*args, "--no-cache"], catch_exceptions=False)
    assert not cache_dir.exists()
    cached = runner.invoke(app, args, catch_exceptions=False)
    again = runner.invoke(app, args, catch_exceptions=False)
    assert len(cache_files(cache_dir)) == 1
    assert uncached.exit_code == cached.exit_code == again.exit_code
    assert uncached.stdout == cached.stdout == again.stdout


def test_the_code_fingerprint_covers_the_loader_and_the_model() -> None:
    """An edit of any module that shapes a loaded spec starts a new cache (the list of such
    modules once named files that had moved, and edits went unnoticed)."""
    import schemaverify.model.spec as spec_module
    import schemaverify.sources.specs.load as load_module

    before = speccache._code_fingerprint()
    for module in (load_module, spec_module):
        path = Path(str(module.__file__))
        st = path.stat()
        try:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
            assert speccache._code_fingerprint() != before, path
        finally:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert speccache._code_fingerprint() == before
