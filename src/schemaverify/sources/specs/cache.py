"""A cache of loaded specs, so a check of 10,000 unchanged spec files skips YAML entirely.

Loading and validating a spec costs about half a millisecond; a large folder
then costs seconds on every run although it rarely changes.  `load_specs(...,
cache=True)` (what `schemaverify check` uses unless `--no-cache`) keeps the
loaded `TableSpec`s in one file per specs folder under the user cache directory:
`$SCHEMAVERIFY_CACHE_DIR`, else `$XDG_CACHE_HOME/schemaverify`, else
`~/.cache/schemaverify` (the folder the embedded-server cache uses), in `specs/`.

When an entry is used, and why it is safe:

- It is keyed by the path as shown in findings, and valid only while the file's
  device, inode, size, modification time and change time (ctime, which no tool
  can set back) are those recorded.  A file changed within `RACY_NS` of the run
  is not recorded at all: on a file system with a coarse clock, a second change
  within the same tick would otherwise go unnoticed.
- The cache file name hashes the absolute specs folder and the path as given,
  and its content records the tool version and the size and modification time of
  every module whose code shapes a loaded spec (the loader, YAML conversion,
  normalization, the model) and of the installed sqlglot and PyYAML: any
  upgrade, or an edit of the code during development, starts a new cache.
- A cached spec naming RLS access kinds is used only if the current vocabulary
  (`--access-patterns`) still has them; otherwise the file is loaded again,
  with the usual error.
- Only specs without problems are cached: a folder with errors reports them all,
  every run.
- Entries are pickled model objects.  They are read by an unpickler that only
  constructs the spec and model classes (nothing else can be named in the
  file), and only from a file owned by the current user and writable by no one
  else; a cache file that cannot be read, is damaged or comes from another
  version is ignored and replaced.  Writing is atomic (a temporary file renamed)
  and failures to write are ignored: the cache never fails a check.
- At most `MAX_FILES` folders are kept; the least recently used go first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import time
from collections.abc import Callable, Collection, Hashable, Iterable
from pathlib import Path
from typing import Any

from schemaverify import __version__
from schemaverify.model import schema as _model
from schemaverify.model import spec as _spec
from schemaverify.model.spec import TableSpec

FORMAT = 3
MAX_FILES = 64
RACY_NS = 3_000_000_000
"""Files changed less than this long (ns) before the run are not recorded."""

_SHAPING_PACKAGES = ("sqlglot", "yaml")

StatKey = tuple[int, int, int, int, int]


def cache_root() -> Path:
    """$SCHEMAVERIFY_CACHE_DIR, else $XDG_CACHE_HOME/schemaverify, else ~/.cache/schemaverify."""
    explicit = os.environ.get("SCHEMAVERIFY_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "schemaverify"
    return Path.home() / ".cache" / "schemaverify"


def stat_key(path: str) -> StatKey | None:
    """What identifies one version of a file; None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _code_fingerprint() -> str:
    """The tool version and the size and mtime of every module of the package (a list of
    the modules that shape a spec went stale as modules moved; a hundred stats cost
    nothing) and of the installed sqlglot and PyYAML."""
    parts = [str(FORMAT), __version__, sys.version, str(pickle.HIGHEST_PROTOCOL)]
    root = Path(__file__).resolve().parents[2]
    origins = sorted(str(p) for p in root.rglob("*.py"))
    for package in _SHAPING_PACKAGES:
        found = importlib.util.find_spec(package)
        origins.append(str(found.origin) if found is not None and found.origin else package)
    for origin in origins:
        try:
            st = os.stat(origin)
            parts.append(f"{origin}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{origin}:absent")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


_ALLOWED: dict[tuple[str, str], type] = {
    (module.__name__, name): obj
    for module in (_model, _spec)
    for name, obj in vars(module).items()
    if isinstance(obj, type) and dataclasses.is_dataclass(obj)
}


class _SpecUnpickler(pickle.Unpickler):
    """Constructs nothing but the dataclasses of spec.py and model.py."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a spec cache")
        return found


class SpecCache:
    """The cached specs of one specs folder (as given on the command line)."""

    def __init__(self, target: Path, root: Path | None = None) -> None:
        self.root = (root if root is not None else cache_root()) / "specs"
        self.fingerprint = _code_fingerprint()
        # realpath, not Path.resolve: the same path, but no RuntimeError for a symlink loop
        # (which the spec listing then reports by name).
        where = f"{os.path.realpath(target)}\0{target}\0{self.fingerprint}"
        self.path = self.root / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.pickle"
        self._old: dict[str, tuple[StatKey, TableSpec]] = self._read()
        self._new: dict[str, tuple[StatKey, TableSpec]] = {}
        self.hits = 0

    # -- reading -------------------------------------------------------------

    def _read(self) -> dict[str, tuple[StatKey, TableSpec]]:
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                getuid = getattr(os, "getuid", None)
                if (getuid is not None and st.st_uid != getuid()) or st.st_mode & 0o022:
                    return {}
                data = _SpecUnpickler(io.BytesIO(fh.read())).load()
        except Exception:  # absent, unreadable, damaged: start afresh
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("fingerprint") != self.fingerprint
            or not isinstance(data.get("entries"), dict)
        ):
            return {}
        entries: dict[str, tuple[StatKey, TableSpec]] = data["entries"]
        return entries

    def get(
        self, shown: str, key: StatKey | None, kinds: Callable[[], Collection[str]]
    ) -> TableSpec | None:
        """The cached spec of `shown` if the file is unchanged and its access kinds known."""
        if key is None:
            return None
        found = self._old.get(shown)
        if not isinstance(found, tuple) or len(found) != 2 or found[0] != key:
            return None
        spec = found[1]
        if not isinstance(spec, TableSpec):
            return None
        rls = spec.table.rls
        if rls is not None and rls.access_matrix:
            # Matrix words are validated against the run's roles and kinds, which
            # the cache does not record: such specs are always parsed afresh.
            return None
        if rls is not None and rls.access:
            known = kinds()
            if any(kind not in known for kind in rls.access):
                return None
        self._new[shown] = found
        self.hits += 1
        return spec

    def put(self, shown: str, key: StatKey | None, spec: TableSpec) -> None:
        """Record a freshly loaded spec, unless its file changed too recently to trust."""
        if key is None or max(key[3], key[4]) > time.time_ns() - RACY_NS:
            return
        self._new[shown] = (key, spec)

    # -- writing -------------------------------------------------------------

    def save(self) -> None:
        """Write the entries used or recorded by this run (entries of deleted files go);
        nothing when nothing changed.  Failures are ignored."""
        if self._new.keys() == self._old.keys() and all(
            self._new[k][0] == self._old[k][0] for k in self._new
        ):
            with contextlib.suppress(OSError):
                os.utime(self.path)  # recently used: pruned last
            return
        if not self._new and not self.path.exists():
            return
        import tempfile

        try:
            data = {
                "format": FORMAT,
                "fingerprint": self.fingerprint,
                "entries": _interned(self._new),
            }
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".specs-", suffix=".tmp", dir=self.root)
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
            self._prune()
        except Exception:  # a read-only home, a full disk: the check goes on uncached
            return

    def _prune(self) -> None:
        files = []
        for entry in os.scandir(self.root):
            if entry.name.endswith(".pickle"):
                with contextlib.suppress(OSError):
                    files.append((entry.stat().st_mtime_ns, entry.path))
        files.sort(reverse=True)
        for _, path in files[MAX_FILES:]:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _interned(
    entries: dict[str, tuple[StatKey, TableSpec]],
) -> dict[str, tuple[StatKey, TableSpec]]:
    """The entries with equal model objects shared, so the pickle stores each once.

    Specs of one schema repeat columns (`id uuid`, `created_at timestamptz`), index keys
    and policies; pickling shares objects by identity, and loading is then faster and
    smaller.  Only immutable model objects are shared.
    """
    pool: dict[Hashable, Any] = {}

    def one(obj: Any) -> Any:
        return pool.setdefault(obj, obj)

    def many(objs: Iterable[Any]) -> tuple[Any, ...]:
        return tuple(one(o) for o in objs)

    out: dict[str, tuple[StatKey, TableSpec]] = {}
    for shown, (key, spec) in entries.items():
        table = spec.table
        shared = dataclasses.replace(
            table,
            columns=many(dataclasses.replace(c, type=one(c.type)) for c in table.columns),
            indexes=many(dataclasses.replace(i, keys=many(i.keys)) for i in table.indexes),
            foreign_keys=many(table.foreign_keys),
            uniques=many(table.uniques),
            primary_key=one(table.primary_key),
            rls=one(table.rls),
        )
        out[shown] = (key, dataclasses.replace(spec, table=shared))
    return out
