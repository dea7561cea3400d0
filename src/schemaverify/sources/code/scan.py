"""Scan a code base: find the source files, parse each once (in parallel, cached by
content), and resolve clients across files.

The folder is untrusted (a pull request's code): symbolic links are not followed, files
over `MAX_BYTES` (bundles, minified or generated code) are skipped and named, and a file
that does not parse still yields what its readable parts show.  What is skipped is
skipped by folder name (`SKIPPED_DIRS`, hidden folders) and by the `exclude` paths (the
migrations folder: its SQL is the schema, not code that uses it).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import resource
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from schemaverify.model.usage import CodeReference, FileScan
from schemaverify.sources.code.cache import ScanCache, content_key
from schemaverify.sources.code.imports import resolve_clients

LANGUAGES: dict[str, str] = {
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".py": "python",
    ".sql": "sql",
}
"""File suffixes scanned, and the parser each gets."""

SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        "__pycache__",
        "dist",
        "build",
        "out",
        "coverage",
        "venv",
        "site-packages",
        "vendor",
        "migrations",
        "migrate",
    }
)
"""Folders of installed, built or vendored code, and of migrations (Supabase's, Prisma's,
drizzle's, Rails' `db/migrate`: the schema's history, not code using the schema); hidden
folders (`.git`, `.next`, `.venv`) are skipped too."""

SKIPPED_SUFFIXES = (".d.ts", ".min.js", ".min.mjs")
"""Declarations and minified bundles: no calls of the application's own."""

MAX_BYTES = 2_000_000
"""Larger files are generated or bundled code: skipped, and named in `problems`."""

PARALLEL_BYTES = 1_000_000
"""Below this much code to parse, one worker process: starting several costs more than
they save (parsing never runs in the calling process, whose crash would end the run)."""


@dataclass(frozen=True)
class CodeScan:
    root: str
    """The scanned folder as given."""
    files: int
    """Source files scanned (cached or parsed)."""
    lines: int
    parsed: int
    """Files parsed in this run (the others came from the cache)."""
    references: tuple[CodeReference, ...]
    problems: tuple[tuple[str, str], ...] = ()
    """(path, what) for files skipped or read only in part."""


@dataclass(frozen=True)
class _Job:
    path: str
    """As shown (the root as given, joined with the file's relative path)."""
    disk: str
    language: str


def _display(root: Path, relative: str) -> str:
    return posixpath.normpath(posixpath.join(root.as_posix(), relative))


def find_files(root: Path, exclude: Sequence[Path] = ()) -> Iterator[tuple[_Job, int]]:
    """Source files under `root` in a stable order, with their sizes."""
    excluded = {os.path.realpath(p) for p in exclude}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        below: list[Path] = []
        for entry in entries:
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
                        continue
                    if os.path.realpath(entry.path) in excluded:
                        continue
                    below.append(Path(entry.path))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                name = entry.name
                if name.endswith(SKIPPED_SUFFIXES):
                    continue
                language = LANGUAGES.get(os.path.splitext(name)[1].lower())
                if language is None:
                    continue
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            relative = os.path.relpath(entry.path, root)
            yield _Job(_display(root, Path(relative).as_posix()), entry.path, language), size
        stack.extend(reversed(below))


def scan_source(path: str, source: bytes, language: str) -> FileScan:
    """One file's references, by the scanner of its language."""
    if language == "python":
        from schemaverify.sources.code.python import scan_python

        return scan_python(path, source)
    if language == "sql":
        from schemaverify.sources.code.sqlfile import scan_sql_file

        return scan_sql_file(path, source)
    from schemaverify.sources.code.javascript import scan_javascript

    return scan_javascript(path, source, language)


FILE_SECONDS = 10
"""CPU seconds one file may take.  A C parser or query on hostile input can run for many
minutes inside one call, where no Python exception reaches it; past this the worker is
ended (SIGXCPU's default action) and the file named, as for a crash."""


class Scanned(NamedTuple):
    key: str
    """The cache key of the bytes this scan read (read once, in the worker: a file changed
    meanwhile is never cached under the other content's key)."""
    scan: FileScan


def _scan_batch(jobs: Sequence[_Job]) -> list[Scanned]:
    """What one worker process does: read and scan its share of the files, each within
    FILE_SECONDS of CPU time."""
    results = []
    for job in jobs:
        try:
            with open(job.disk, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as err:
            results.append(
                Scanned("", FileScan(job.path, problems=(f"cannot read: {err.strerror}",)))
            )
            continue
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime) + 1
        limit = spent + FILE_SECONDS
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (limit, resource.RLIM_INFINITY))
        results.append(Scanned(content_key(job.path, data), _scan_guarded(job, data)))
    return results


def _scan_guarded(job: _Job, data: bytes) -> FileScan:
    try:
        return scan_source(job.path, data, job.language)
    except RecursionError:
        return FileScan(job.path, problems=("nested too deeply to scan",))


def _batches(jobs: list[tuple[_Job, int]], count: int) -> list[list[_Job]]:
    """About `count` batches of equal bytes, largest files first, so no worker is left
    with the one huge file at the end."""
    ordered = sorted(jobs, key=lambda j: -j[1])
    loads = [0] * count
    batches: list[list[_Job]] = [[] for _ in range(count)]
    for job, size in ordered:
        least = loads.index(min(loads))
        batches[least].append(job)
        loads[least] += size
    return [b for b in batches if b]


def _scan_parallel(batches: list[list[_Job]], workers: int) -> Iterator[Scanned]:
    """The batches in worker processes, never in this one: a parser that crashes its
    process (a C grammar on hostile input) or overruns FILE_SECONDS breaks only the pool.
    The batches not done are then scanned file by file, each in a process of its own, and
    a file that ends its process again is named, not scanned (nor cached)."""
    left: list[list[_Job]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [(batch, pool.submit(_scan_batch, batch)) for batch in batches]
        for batch, future in futures:
            try:
                yield from future.result()
            except BrokenProcessPool:
                left.append(batch)
    for job in (job for batch in left for job in batch):
        try:
            with ProcessPoolExecutor(max_workers=1) as alone:
                yield from alone.submit(_scan_batch, [job]).result()
        except BrokenProcessPool:
            problem = f"the parser crashed or ran over {FILE_SECONDS} s on this file: not scanned"
            yield Scanned("", FileScan(job.path, problems=(problem,)))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def scan_code(
    root: Path,
    *,
    exclude: Sequence[Path] = (),
    jobs: int | None = None,
    cache: bool = True,
    cache_dir: Path | None = None,
) -> CodeScan:
    """Every reference in the code under `root`.  `jobs` worker processes parse the
    files the cache does not hold (default: the usable cores); `cache_dir` replaces the
    user cache folder (tests, benchmarks)."""
    store = ScanCache(root, cache_dir) if cache else None
    scans: dict[str, FileScan] = {}
    pending: list[tuple[_Job, int]] = []
    problems: list[tuple[str, str]] = []
    order: list[str] = []
    lines = 0
    for job, size in find_files(root, exclude):
        if size > MAX_BYTES:
            problems.append((job.path, f"skipped, {size:,} bytes (generated or bundled code?)"))
            continue
        try:
            with open(job.disk, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as err:
            problems.append((job.path, f"cannot read: {err.strerror}"))
            continue
        order.append(job.path)
        lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        key = content_key(job.path, data)
        found = store.get(key) if store is not None else None
        if found is not None:
            scans[job.path] = found
        else:
            pending.append((job, len(data)))
    workers = max(1, min(jobs if jobs is not None else default_jobs(), len(pending)))
    if sum(size for _, size in pending) < PARALLEL_BYTES:
        workers = 1  # one process parses a small code base faster than several start
    fresh: list[Scanned] = []
    if pending:
        fresh = list(_scan_parallel(_batches(pending, workers * 4), workers))
    for item in fresh:
        scans[item.scan.path] = item.scan
    if store is not None:
        for item in fresh:
            if item.key:  # read and scanned to the end: neither unreadable nor crashed
                store.put(item.key, item.scan)
        store.save()
    ordered = resolve_clients((scans[p] for p in order if p in scans), root.as_posix())
    references: list[CodeReference] = []
    for scan in ordered:
        references.extend(scan.references)
        problems.extend((scan.path, p) for p in scan.problems)
    return CodeScan(
        root=root.as_posix(),
        files=len(ordered),
        lines=lines,
        parsed=len(pending),
        references=tuple(references),
        problems=tuple(problems),
    )
