"""Turn YAML spec files into `TableSpec`s holding canonical model objects.

This is the spec-side edge of the tool: every type, expression, identifier
and FK action is normalized here, once, so the diff compares plain values.
It is also the only place that knows the YAML layout (documented in
docs/spec-format.md and mirrored by spec.schema.json); a format change
touches this module, the schema and the doc together.

Every problem of every file is collected before failing, because a user
fixing a folder of specs wants the whole list, not one error per run.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import gc
import os
import re
import stat
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemaverify.errors import SpecError
from schemaverify.model import normalize, typenames
from schemaverify.model.findings import KINDS
from schemaverify.model.schema import (
    FK_ACTIONS,
    INDEX_METHODS,
    POLICY_COMMANDS,
    Column,
    ForeignKey,
    Index,
    IndexKey,
    MatrixCell,
    Policy,
    PrimaryKey,
    Rls,
    Table,
    TypeRef,
    UniqueConstraint,
)
from schemaverify.model.spec import (
    CERTAINTIES,
    SPEC_FORMAT_VERSION,
    ColumnDoc,
    IgnoreRule,
    SpecSet,
    TableSpec,
    TypeUse,
    VerifiedStamp,
)
from schemaverify.sources.specs.yamlnodes import (
    Checker,
    Map,
    Node,
    Scalar,
    Seq,
    clip,
    describe,
    file_error_reason,
    suggest,
)
from schemaverify.sources.specs.yamlnodes import load as load_yaml

if TYPE_CHECKING:
    from schemaverify.sources.specs.cache import StatKey

# The accepted keys of each object.  tests/test_specload.py checks that
# spec.schema.json declares exactly these, so the two cannot drift apart.
TOP_KEYS = (
    "version",
    "table",
    "schema",
    "category",
    "purpose",
    "usage",
    "certainty",
    "source",
    "verified",
    "columns",
    "primary_key",
    "unique",
    "indexes",
    "foreign_keys",
    "rls",
    "api",
    "comments",
    "ignore",
)
API_EXPOSURES = ("exposed", "hidden")
COMMENT_MODES = ("strict", "off")
COLUMN_KEYS = (
    "name",
    "type",
    "nullable",
    "primary_key",
    "unique",
    "references",
    "default",
    "identity",
    "generated",
    "values",
    "note",
)
COLUMN_REF_KEYS = ("table", "column", "on_delete", "on_update", "enforced")
GENERATED_KEYS = ("expression", "kind")
GENERATED_KINDS = ("stored", "virtual")
INDEX_KEYS = (
    "columns",
    "unique",
    "method",
    "where",
    "partial",
    "include",
    "name",
    "note",
    "primary_key",
    "nulls_not_distinct",
)
PK_INDEX_KEYS = ("primary_key", "name", "note")
FK_KEYS = ("columns", "references", "on_delete", "on_update", "name", "enforced", "period")
FK_REF_KEYS = ("table", "columns")
RLS_KEYS = ("enabled", "forced", "access", "policies", "access_matrix", "anonymous_writes")
MATRIX_COMMANDS = ("select", "insert", "update", "delete", "all")
"""Commands of `rls.access_matrix` cells; `all` states the four at once."""
POLICY_KEYS = ("name", "command", "roles", "permissive", "using", "with_check")
IGNORE_KEYS = ("kind", "object", "reason")
VERIFIED_KEYS = ("date", "against")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IDENTITY_KINDS = ("always", "by default")
SPEC_SUFFIXES = (".yaml", ".yml")


class NoSpecsError(SpecError):
    """No spec file at the given place: there is no line to cite, only the path."""

    def lines(self) -> list[str]:
        return [f"{path}: {reason}" for path, _line, reason in self.problems]


def load_spec_file(
    path: Path,
    *,
    display_path: str | None = None,
    access_kinds: Collection[str] | None = None,
    access_roles: Collection[str] | None = None,
) -> TableSpec:
    """Load one spec file; every problem in it is raised together as one SpecError."""
    shown = display_path if display_path is not None else str(path)
    return _parse_file(path, shown, _AccessKinds(access_kinds, access_roles))


def load_specs(
    target: Path,
    *,
    access_kinds: Collection[str] | None = None,
    cache: bool = False,
    access_roles: Collection[str] | None = None,
    types: Collection[str] | None = None,
) -> SpecSet:
    """Load a folder of specs (recursively, sorted) or a single spec file.

    Problems of all files, plus tables described twice, are raised as one
    SpecError so a single run lists everything to fix.  With `cache`, files
    unchanged since an earlier run come from the spec cache (speccache.py)
    instead of being parsed again; the result is the same.  `access_kinds` and
    `access_roles` (the roles `rls.access_matrix` may name besides `public`) default to
    the built-in access vocabulary.  With `types` (the configuration's extra type names),
    a type name no spec may use is a problem like any other (what `lint` asks); without,
    such names stay in `TableSpec.unresolved_types` for `typecheck` to resolve against a
    live catalog.
    """
    with _gc_paused():
        files, problems = spec_files(target)
        kinds = _AccessKinds(access_kinds, access_roles)
        store = None
        if cache:
            from schemaverify.sources.specs.cache import SpecCache, stat_key

            store = SpecCache(target)
        found: list[TableSpec | None] = []
        keys: list[StatKey | None] = []
        missing: list[Path] = []
        for file in files:
            spec = None
            if store is not None:
                shown = str(file)
                key = stat_key(shown)  # before reading: a later change then shows
                keys.append(key)
                spec = store.get(shown, key, kinds.get)
            if spec is None:
                missing.append(file)
            found.append(spec)
        parsed = iter(_parse_all(missing, kinds))
        specs: list[TableSpec] = []
        for position, spec in enumerate(found):
            if spec is None:
                result = next(parsed)
                if not isinstance(result, TableSpec):
                    problems.extend(result)
                    continue
                spec = result
                if store is not None:
                    store.put(str(files[position]), keys[position], spec)
            specs.append(spec)
        if store is not None:
            store.save()
    first: dict[str, TableSpec] = {}
    for spec in specs:
        earlier = first.setdefault(spec.qualified, spec)
        if earlier is not spec:
            problems.append(
                (
                    spec.path,
                    spec.line,
                    f"table {spec.qualified} is already described by {earlier.where()}",
                )
            )
    loaded = SpecSet(tuple(specs))
    if types is not None:
        from schemaverify.sources.specs import typecheck

        problems.extend(typecheck.problems(loaded, types))
    if problems:
        raise SpecError(problems)
    return loaded


def spec_files(target: Path) -> tuple[list[Path], list[tuple[str, int, str]]]:
    """The spec files a target names, and the problems of entries named like specs that
    cannot be read as files (symlink loops, dangling symlinks, unreadable folders, FIFOs).

    Such an entry is reported, not skipped: it is a spec its author meant to be checked,
    and a gate that passes while silently leaving a table's spec out proves nothing.
    Hidden folders (`.git`, ...) are skipped.
    """
    if target.is_file():
        return [target], []
    if not target.is_dir():
        if target.is_symlink():  # a loop or dangling: say so rather than "no such file"
            return [], [(str(target), 0, _path_problem(target) or "not a spec file")]
        raise NoSpecsError([(str(target), 0, "no specs found: no such file or folder")])
    try:
        files, problems = _walk(target)
    except OSError as err:
        raise NoSpecsError(
            [(str(target), 0, f"cannot list specs: {err.strerror or err}")]
        ) from None
    if not files and not problems:
        raise NoSpecsError([(str(target), 0, "no specs found (no *.yaml or *.yml file)")])
    return files, problems


# Errors that listing skips: a folder vanished or was replaced by a file while being listed.
_VANISHED_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_SKIP = ""


def _walk(target: Path) -> tuple[list[Path], list[tuple[str, int, str]]]:
    """Spec files under `target`, sorted as paths sort, and the problems of entries that
    cannot be listed or read.  Faster than `target.rglob("*")` (os.scandir reads the entry
    types with the names); like rglob it does not descend into symlinked folders, and
    hidden folders are not entered at all.  An error listing `target` itself is raised."""
    found: list[tuple[tuple[str, ...], Path]] = []
    problems: list[tuple[str, int, str]] = []
    stack: list[tuple[Path, tuple[str, ...]]] = [(target, ())]
    while stack:
        folder, parts = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as err:
            if not parts:
                raise
            if err.errno not in _VANISHED_ERRNOS:
                problems.append((str(folder), 0, f"cannot list folder: {err.strerror or err}"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((folder / name, (*parts, name)))
                continue
            if not name.endswith(SPEC_SUFFIXES):
                continue
            problem = _entry_problem(entry)
            if problem is None:
                key = tuple(os.path.normcase(part) for part in (*parts, name))
                found.append((key, folder / name))
            elif problem:  # not _SKIP
                problems.append((str(folder / name), 0, problem))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found], problems


def _entry_problem(entry: os.DirEntry[str]) -> str | None:
    """None for a spec file to read; `_SKIP` for an entry that is no spec (a symlink to a
    folder, which is not followed; an entry that vanished); else why it cannot be read.
    Never opens the entry: opening a FIFO would block the run."""
    try:
        st = entry.stat()
    except OSError as err:
        if err.errno == errno.ENOENT and not entry.is_symlink():
            return _SKIP
        return _path_problem(Path(entry.path), err)
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return _SKIP
    return "not a regular file (a FIFO, socket or device), cannot read it as a spec"


def _path_problem(path: Path, err: OSError | None = None) -> str | None:
    """Why `path` (or the error `err` from following it) cannot be read as a file."""
    if err is None:
        try:
            os.stat(path)
        except OSError as caught:
            err = caught
        else:
            return None
    return file_error_reason(path, err)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a folder of specs is loaded.

    Loading allocates some hundred objects per file and keeps most of them; the
    collector would rescan the growing heap again and again (a third of the
    time of a large folder).  One collection runs when it is re-enabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _AccessKinds:
    """The access vocabulary, looked up only when a spec actually names access kinds."""

    def __init__(self, given: Collection[str] | None, roles: Collection[str] | None = None) -> None:
        self._kinds = given
        self._roles = roles

    def get(self) -> Collection[str]:
        if self._kinds is None:
            from schemaverify.sources.specs.patterns import load_patterns

            self._kinds = load_patterns().kinds
        return self._kinds

    def roles(self) -> Collection[str]:
        """Roles an access matrix may name: the vocabulary's client and service roles."""
        if self._roles is None:
            from schemaverify.sources.specs.patterns import load_patterns

            patterns = load_patterns()
            self._roles = (*patterns.client_roles, *patterns.service_roles)
        return self._roles


def _parse_file(path: Path, shown: str, kinds: _AccessKinds) -> TableSpec:
    root = load_yaml(path, display_path=shown)
    return _SpecParser(shown, kinds).parse(root)


Problem = tuple[str, int, str]

PARALLEL_MIN_FILES = 400
"""Fewer files than this are parsed in this process: below it, starting a worker costs
more than it saves (a file takes about half a millisecond)."""
MAX_WORKERS = 8
TASKS_PER_WORKER = 16
CLAIM_TIMEOUT = 5.0
"""Seconds to wait for the chunk counters' lock, held only for a few instructions."""


def _parse_chunk(files: list[Path], kinds: _AccessKinds) -> list[TableSpec | list[Problem]]:
    """Each file's spec, or the problems that kept it from being one."""
    results: list[TableSpec | list[Problem]] = []
    for file in files:
        try:
            results.append(_parse_file(file, str(file), kinds))
        except SpecError as err:
            results.append(err.problems)
    return results


def _parse_all(
    files: list[Path], kinds: _AccessKinds, workers: int | None = None
) -> list[TableSpec | list[Problem]]:
    """`_parse_chunk(files)`, on every usable core when the folder is large.

    The files are cut into chunks; this process claims chunks from the front and the
    worker processes claim them from the back (a shared pair of counters), so however
    busy each core is, they meet where the work is shared evenly.  Results keep the
    order of `files` whoever parsed them, and every file is parsed by the same code, so
    the outcome (specs and problems alike) is the serial one.  Workers are forked: they
    start in milliseconds with the modules this process already imported.  Where forking
    is not safe (another platform, or other threads running, which may hold locks a
    child would inherit locked) or fails, everything is parsed here; a worker that dies
    costs only time, as the chunks it did not deliver are parsed here.
    """
    if workers is None:
        workers = _workers(len(files))
    if workers < 2 or not files or not _can_fork():
        return _parse_chunk(files, kinds)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, min(128, len(files) // (workers * 8)))
    chunks = [files[start : start + size] for start in range(0, len(files), size)]
    done: dict[int, list[TableSpec | list[Problem]]] = {}
    try:
        context = multiprocessing.get_context("fork")
        claims = context.Array("i", [0, len(chunks)])  # next from the front, end of the back
        # Workers inherit the chunks when forked; each task parses at most `quota` of them,
        # so results come back (and are unpickled) a few at a time while this process is
        # still parsing, not all at the end.
        tasks = (workers - 1) * TASKS_PER_WORKER
        quota = -(-len(chunks) // TASKS_PER_WORKER)
        with ProcessPoolExecutor(
            max_workers=workers - 1,
            mp_context=context,
            initializer=_share,
            initargs=(claims, chunks, kinds),
        ) as pool:
            futures = [pool.submit(_parse_from_back, quota) for _ in range(tasks)]
            while (position := _claim(claims, front=True)) is not None:
                done[position] = _parse_chunk(chunks[position], kinds)
            for future in futures:
                with contextlib.suppress(BrokenProcessPool):
                    done.update(future.result())
    except (OSError, BrokenProcessPool):
        pass  # no process could be started (a process limit): parse what is left here
    results: list[TableSpec | list[Problem]] = []
    for position, chunk in enumerate(chunks):
        found = done.get(position)
        results.extend(found if found is not None else _parse_chunk(chunk, kinds))
    return results


_SHARED: tuple[Any, list[list[Path]], _AccessKinds] | None = None
"""In a worker process: the claim counters, chunks and vocabulary of `_parse_all`."""


def _share(claims: Any, chunks: list[list[Path]], kinds: _AccessKinds) -> None:
    global _SHARED
    _SHARED = (claims, chunks, kinds)


def _claim(claims: Any, *, front: bool) -> int | None:
    """The next unclaimed chunk from the front or the back, or None when none is left.

    None too when the lock is not had within seconds: a process killed while holding it
    (the OOM killer) never releases it, and waiting would hang the run; the chunks left
    are then parsed by this process after all."""
    lock = claims.get_lock()
    if not lock.acquire(timeout=CLAIM_TIMEOUT):
        return None
    try:
        if claims[0] >= claims[1]:
            return None
        if front:
            claims[0] += 1
            return int(claims[0] - 1)
        claims[1] -= 1
        return int(claims[1])
    finally:
        lock.release()


def _parse_from_back(quota: int) -> dict[int, list[TableSpec | list[Problem]]]:
    """What a worker process does: parse up to `quota` chunks, claimed from the back."""
    assert _SHARED is not None, "set by the pool's initializer"
    claims, chunks, kinds = _SHARED
    done: dict[int, list[TableSpec | list[Problem]]] = {}
    while len(done) < quota and (position := _claim(claims, front=False)) is not None:
        done[position] = _parse_chunk(chunks[position], kinds)
    return done


def _can_fork() -> bool:
    """Whether worker processes can be forked: on Linux (elsewhere forking is either
    missing or, on macOS, unsafe with the system frameworks)."""
    import multiprocessing

    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _workers(files: int) -> int:
    """Processes to parse `files` spec files with: the usable cores (at most MAX_WORKERS)
    for a large folder, where forking is safe; else 1."""
    if files < PARALLEL_MIN_FILES or not _can_fork():
        return 1
    import threading

    if threading.active_count() > 1:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - Linux has it
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS, files // max(1, PARALLEL_MIN_FILES // 2)))


@dataclass
class _ColumnDraft:
    """A column before table-level facts (the primary key) settle its nullability."""

    name: str
    line: int
    type: TypeRef | None
    nullable: bool | None
    nullable_line: int
    primary: bool
    primary_line: int
    unique_line: int | None
    default: str | None
    identity: str | None
    generated: str | None
    generated_kind: str | None
    fk: _FkDraft | None
    doc: ColumnDoc | None


@dataclass
class _FkDraft:
    fk: ForeignKey
    line: int
    label: str


class _SpecParser:
    """Reads one spec document; one instance per file."""

    def __init__(self, path: str, kinds: _AccessKinds) -> None:
        self.path = path
        self.kinds = kinds
        self.check = Checker(path)
        self.lines: dict[str, int] = {}
        self.schema = "public"
        self.column_names: dict[str, int] = {}
        self.type_uses: list[TypeUse] = []

    # -- entry point ---------------------------------------------------------

    def parse(self, root: Node | None) -> TableSpec:
        check = self.check
        if not isinstance(root, Map):
            got = "an empty file" if root is None else describe(root)
            line = 1 if root is None else root.line
            raise SpecError.one(
                self.path, line, f"a spec must be a mapping (table: ..., columns: ...), got {got}"
            )
        top = check.mapping(root, "spec", allowed=TOP_KEYS, required=("table",))
        assert top is not None

        self._version(top.get("version"))
        table_entry = top.entry("table")
        table_line = table_entry.key.line if table_entry else top.line
        self.lines["table"] = table_line
        name = self._ident(top.get("table"), "table", optional=False) or ""
        self.schema = self._ident(top.get("schema"), "schema") or "public"
        if _stated(top.get("schema")):
            # Recorded so that a spec stating no schema can serve as a tenant template.
            self.lines["schema"] = _line_of(top, "schema")
        certainty = (
            check.choice(top.get("certainty"), "certainty", CERTAINTIES, what="certainty")
            or "verified"
        )
        api = check.choice(top.get("api"), "api", API_EXPOSURES, what="API exposure")
        comments = check.choice(
            top.get("comments"), "comments", COMMENT_MODES, what="comments mode"
        )
        if _stated(top.get("api")):
            self.lines["api"] = _line_of(top, "api")
        prose = {
            key: check.string(top.get(key), key)
            for key in ("category", "purpose", "usage", "source")
        }

        verified = self._verified(top.get("verified"))
        drafts = self._columns(top.get("columns"))
        primary_key = self._primary_key(top, drafts)
        pk_columns = primary_key.columns if primary_key else ()
        columns = tuple(self._column(d, pk_columns) for d in drafts)
        uniques = self._uniques(top.get("unique"), drafts)
        foreign_keys = self._foreign_keys(top.get("foreign_keys"), drafts)
        indexes, notes = self._indexes(top.get("indexes"), primary_key)
        rls = self._rls(top)
        ignore = self._ignore(top.get("ignore"))
        check.raise_if_any()

        table = Table(
            schema=self.schema,
            name=name,
            columns=columns,
            primary_key=primary_key,
            uniques=uniques,
            indexes=indexes,
            foreign_keys=foreign_keys,
            rls=rls,
        )
        return TableSpec(
            table=table,
            path=self.path,
            line=table_line,
            lines=dict(self.lines),
            certainty=certainty,
            purpose=prose["purpose"],
            usage=prose["usage"],
            category=prose["category"],
            source=prose["source"],
            verified=verified,
            columns_doc={d.name: d.doc for d in drafts if d.doc is not None},
            index_notes=notes,
            ignore=ignore,
            unresolved_types=tuple(self.type_uses),
            api=api,
            comments=comments,
        )

    # -- small typed reads -----------------------------------------------------

    def _verified(self, node: Node | None) -> VerifiedStamp | None:
        """`verified: {date: YYYY-MM-DD, against: source}`, the stamp `adopt` writes."""
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        entry = self.check.mapping(
            node, "verified", allowed=VERIFIED_KEYS, required=("date",), context="verified"
        )
        if entry is None:
            return None
        date = self.check.string(entry.get("date"), "verified.date")
        against = self.check.string(entry.get("against"), "verified.against")
        if date is None:
            return None
        date_node = entry.get("date")
        if not _DATE.fullmatch(date) or not _is_date(date):
            line = date_node.line if date_node is not None else entry.line
            self.check.add(line, f"verified.date: expected YYYY-MM-DD, got {clip(date)!r}")
            return None
        return VerifiedStamp(date, against)

    def _version(self, node: Node | None) -> None:
        if node is None:
            return
        if not isinstance(node, Scalar) or type(node.value) is not int:
            self.check.wrong(node, "version", "an integer")
        elif node.value != SPEC_FORMAT_VERSION:
            self.check.add(
                node.line,
                f"version: unsupported spec format version {clip(str(node.value))} "
                f"(this schemaverify reads version {SPEC_FORMAT_VERSION})",
            )

    def _ident(self, node: Node | None, label: str, *, optional: bool = True) -> str | None:
        text = self.check.string(node, label, optional=optional)
        if text is None or node is None:
            return None
        return self._normalized(normalize.identifier, text, node.line, label, "name")

    def _normalized(
        self, fn: Callable[[str], str], text: str, line: int, label: str, what: str
    ) -> str | None:
        if not text.strip():
            self.check.add(line, f"{label}: empty {what}")
            return None
        try:
            return fn(text)
        except ValueError as err:
            self.check.add(line, f"{label}: cannot parse {what} {clip(text)!r}: {err}")
            return None

    def _expression(self, node: Node | None, label: str) -> str | None:
        """A SQL expression; YAML numbers and booleans count as their SQL literal."""
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        if not isinstance(node, Scalar):
            self.check.wrong(node, label, "a SQL expression (a string)")
            return None
        if isinstance(node.value, bool):
            text = "true" if node.value else "false"
        else:
            text = node.text if not isinstance(node.value, str) else node.value
        return self._normalized(
            lambda sql: normalize.expression(sql, strict=True), text, node.line, label, "expression"
        )

    def _column_list(
        self, node: Node | None, label: str, *, required: bool = True
    ) -> list[tuple[str, int]] | None:
        """Column names (normalized) that must all be columns of this spec."""
        items = self.check.strings(node, label)
        if items is None:
            return None
        if required and not items:
            self.check.add(node.line if node is not None else 1, f"{label}: names no column")
            return None
        names: list[tuple[str, int]] = []
        ok = True
        for index, item in enumerate(items):
            assert isinstance(item.value, str)
            name = self._normalized(
                normalize.identifier, item.value, item.line, f"{label}[{index}]", "name"
            )
            if name is None or not self._known_column(name, item.line, label):
                ok = False
                continue
            if name in (n for n, _ in names):
                self.check.add(item.line, f"{label}: column {name!r} is listed twice")
                ok = False
                continue
            names.append((name, item.line))
        return names if ok else None

    def _known_column(self, name: str, line: int, label: str) -> bool:
        if name in self.column_names:
            return True
        self.check.add(
            line,
            f"{label}: no column {clip(name)!r} in columns{suggest(name, self.column_names)}",
        )
        return False

    def _fk_action(self, node: Node | None, label: str) -> str | None:
        text = self.check.string(node, label)
        if text is None or node is None:
            return None
        action: str | None = None
        # normalize.fk_action also reads pg_constraint's one-letter codes; a spec spells words.
        if len(text.strip()) > 1:
            try:
                action = normalize.fk_action(text)
            except ValueError:
                action = None
        if action not in FK_ACTIONS:
            folded = " ".join(text.lower().split())
            self.check.add(
                node.line,
                f"{label}: unknown action {clip(text)!r}{suggest(folded, FK_ACTIONS)}; "
                f"expected one of: {', '.join(FK_ACTIONS)}",
            )
            return None
        return action

    def _qualified(self, node: Node | None, label: str) -> tuple[str, str] | None:
        """`table` or `schema.table`; an unqualified table is in the spec's own schema."""
        text = self.check.string(node, label, optional=False)
        if text is None or node is None:
            return None
        parts = _split_dotted(text)
        if parts is None or len(parts) not in (1, 2):
            self.check.add(node.line, f"{label}: expected table or schema.table, got {text!r}")
            return None
        idents = [
            self._normalized(normalize.identifier, p, node.line, label, "name") for p in parts
        ]
        if any(i is None for i in idents):
            return None
        if len(idents) == 1:
            return self.schema, str(idents[0])
        return str(idents[0]), str(idents[1])

    # -- columns -----------------------------------------------------------------

    def _columns(self, node: Node | None) -> list[_ColumnDraft]:
        seq = self.check.seq(node, "columns", of="column mappings")
        if seq is None:
            return []
        drafts: list[_ColumnDraft] = []
        for index, item in enumerate(seq.items):
            draft = self._column_draft(item, f"columns[{index}]")
            if draft is None:
                continue
            first = self.column_names.get(draft.name)
            if first is not None:
                self.check.add(
                    draft.line, f"duplicate column {draft.name!r} (first on line {first})"
                )
                continue
            self.column_names[draft.name] = draft.line
            self.lines[f"column:{draft.name}"] = draft.line
            drafts.append(draft)
        return drafts

    def _column_draft(self, item: Node, label: str) -> _ColumnDraft | None:
        check = self.check
        col = check.mapping(
            item, label, allowed=COLUMN_KEYS, required=("name", "type"), context=label
        )
        if col is None:
            return None
        # Each key is read only when stated, and its label built only then: the reads
        # of an absent key report nothing, and a folder has a hundred thousand columns.
        stated = col.by_key()
        entry = stated.get("name")
        name = None if entry is None else self._ident(entry.value, f"{label}.name", optional=False)
        entry = stated.get("type")
        typeref: TypeRef | None = None
        if entry is not None:
            type_node = entry.value
            type_label = f"{label}.type"
            type_text = check.string(type_node, type_label, optional=False)
            if type_text is not None:
                typeref = self._type(type_text, type_node.line, type_label)
        nullable_entry = stated.get("nullable")
        nullable = (
            None
            if nullable_entry is None
            else check.boolean(nullable_entry.value, f"{label}.nullable")
        )
        primary_entry = stated.get("primary_key")
        primary = (
            None
            if primary_entry is None
            else check.boolean(primary_entry.value, f"{label}.primary_key")
        )
        unique_entry = stated.get("unique")
        unique = (
            None if unique_entry is None else check.boolean(unique_entry.value, f"{label}.unique")
        )
        entry = stated.get("default")
        default = None if entry is None else self._expression(entry.value, f"{label}.default")
        entry = stated.get("identity")
        identity = (
            None
            if entry is None
            else check.choice(
                entry.value, f"{label}.identity", IDENTITY_KINDS, what="identity kind"
            )
        )
        entry = stated.get("generated")
        generated, generated_kind = (
            (None, None) if entry is None else self._generated(entry.value, f"{label}.generated")
        )
        doc = self._column_doc(col, label) if "note" in stated or "values" in stated else None
        if name is None:
            return None
        entry = stated.get("references")
        fk = (
            None
            if entry is None
            else self._column_reference(entry.value, name, f"{label}.references")
        )
        return _ColumnDraft(
            name=name,
            line=col.line,
            type=typeref,
            nullable=nullable,
            nullable_line=col.line if nullable_entry is None else nullable_entry.key.line,
            primary=bool(primary),
            primary_line=col.line if primary_entry is None else primary_entry.key.line,
            unique_line=None if not unique or unique_entry is None else unique_entry.key.line,
            default=default,
            identity=identity,
            generated=generated,
            generated_kind=generated_kind,
            fk=fk,
            doc=doc,
        )

    def _generated(self, node: Node | None, label: str) -> tuple[str | None, str | None]:
        """`generated: EXPR`, or `{expression: EXPR, kind: stored | virtual}` (either key)."""
        if not isinstance(node, Map):
            return self._expression(node, label), None
        entry = self.check.mapping(node, label, allowed=GENERATED_KEYS, context=label)
        if entry is None:
            return None, None
        expression = self._expression(entry.get("expression"), f"{label}.expression")
        kind = self.check.choice(
            entry.get("kind"), f"{label}.kind", GENERATED_KINDS, what="generated column kind"
        )
        if not entry.entries:
            self.check.add(node.line, f"{label}: states neither expression nor kind")
        return expression, kind

    def _type(self, text: str, line: int, label: str) -> TypeRef | None:
        if not text.strip():
            self.check.add(line, f"{label}: empty type")
            return None
        try:
            ref, schema = _parse_type(text)
        except ValueError as err:
            self.check.add(line, f"{label}: cannot parse type {clip(text)!r}: {err}")
            return None
        if schema is None and not typenames.is_known(ref):
            # Resolved later, against the configured types and the live catalog's.
            self.type_uses.append(TypeUse(ref.name, line, label))
        elif schema == "pg_catalog" and not typenames.is_builtin(ref):
            from schemaverify.sources.specs.typecheck import refusal

            reason = refusal(ref.name, typenames.spellings()).replace("unknown type", "no type")
            self.check.add(line, f"{label}: pg_catalog has {reason}")
        return ref

    def _column_doc(self, col: Map, label: str) -> ColumnDoc | None:
        note = self.check.string(col.get("note"), f"{label}.note")
        values_node = col.get("values")
        values: list[str] = []
        seq = self.check.seq(values_node, f"{label}.values")
        if seq is not None:
            for index, item in enumerate(seq.items):
                if isinstance(item, Scalar) and item.value is not None:
                    # The source text, so `[yes, no]` documents 'yes' and 'no'.
                    values.append(item.text)
                else:
                    self.check.wrong(item, f"{label}.values[{index}]", "a plain value")
        if note is None and not values:
            return None
        return ColumnDoc(note=note, values=tuple(values))

    def _column_reference(self, node: Node | None, column: str, label: str) -> _FkDraft | None:
        """The shorthand FK on a column: `[schema.]table.column` or a small mapping."""
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        on_delete = on_update = None
        enforced: bool | None = None
        if isinstance(node, Map):
            ref = self.check.mapping(
                node, label, allowed=COLUMN_REF_KEYS, required=("table",), context=label
            )
            if ref is None:
                return None
            target = self._qualified(ref.get("table"), f"{label}.table")
            ref_column = self._ident(ref.get("column"), f"{label}.column") or "id"
            on_delete = self._fk_action(ref.get("on_delete"), f"{label}.on_delete")
            on_update = self._fk_action(ref.get("on_update"), f"{label}.on_update")
            enforced = self.check.boolean(ref.get("enforced"), f"{label}.enforced")
            if target is None:
                return None
            schema, table = target
        else:
            text = self.check.string(node, label)
            if text is None:
                return None
            parts = _split_dotted(text)
            if parts is None or len(parts) not in (2, 3):
                self.check.add(
                    node.line,
                    f"{label}: expected [schema.]table.column or a mapping, got {clip(text)!r}",
                )
                return None
            idents = [
                self._normalized(normalize.identifier, p, node.line, label, "name") for p in parts
            ]
            if any(i is None for i in idents):
                return None
            names = [str(i) for i in idents]
            schema = names[0] if len(names) == 3 else self.schema
            table, ref_column = names[-2], names[-1]
        fk = ForeignKey(
            columns=(column,),
            ref_schema=schema,
            ref_table=table,
            ref_columns=(ref_column,),
            on_delete=on_delete,
            on_update=on_update,
            enforced=enforced is not False,
        )
        return _FkDraft(fk, node.line, label)

    def _column(self, draft: _ColumnDraft, pk_columns: tuple[str, ...]) -> Column:
        in_pk = draft.name in pk_columns
        if in_pk and draft.nullable:
            self.check.add(
                draft.nullable_line,
                f"column {draft.name!r} is in the primary key, so it cannot be nullable",
            )
        return Column(
            name=draft.name,
            type=draft.type or TypeRef("unknown"),
            nullable=False if in_pk else bool(draft.nullable),
            default=draft.default,
            identity=draft.identity,
            generated=draft.generated,
            generated_kind=draft.generated_kind,
        )

    # -- keys ----------------------------------------------------------------------

    def _primary_key(self, top: Map, drafts: list[_ColumnDraft]) -> PrimaryKey | None:
        flagged = [d for d in drafts if d.primary]
        node, overlaps = _without_overlaps(top.get("primary_key"))
        listed = self._column_list(node, "primary_key") if node is not None else None
        if listed is not None and node is not None:
            if flagged and {d.name for d in flagged} != {n for n, _ in listed}:
                self.check.add(
                    node.line,
                    "primary_key: lists "
                    + ", ".join(n for n, _ in listed)
                    + " but the columns marked primary_key: true are "
                    + ", ".join(d.name for d in flagged),
                )
                return None
            self.lines["primary_key"] = _line_of(top, "primary_key")
            return PrimaryKey(tuple(n for n, _ in listed), without_overlaps=overlaps)
        if node is not None:
            return None  # the list was malformed and already reported
        if flagged:
            self.lines["primary_key"] = flagged[0].primary_line
            return PrimaryKey(tuple(d.name for d in flagged))
        return None

    def _uniques(
        self, node: Node | None, drafts: list[_ColumnDraft]
    ) -> tuple[UniqueConstraint, ...]:
        found: list[UniqueConstraint] = []

        def add(columns: tuple[str, ...], line: int, overlaps: bool = False) -> None:
            key = "unique:" + ",".join(columns)
            if key in self.lines:
                self.check.add(
                    line,
                    f"unique ({', '.join(columns)}) is stated twice "
                    f"(first on line {self.lines[key]})",
                )
                return
            self.lines[key] = line
            found.append(UniqueConstraint(columns, without_overlaps=overlaps))

        for draft in drafts:
            if draft.unique_line is not None:
                add((draft.name,), draft.unique_line)
        seq = self.check.seq(node, "unique", of="column lists")
        if seq is not None:
            for index, item in enumerate(seq.items):
                listed, overlaps = _without_overlaps(item)
                names = self._column_list(listed, f"unique[{index}]")
                if names is not None:
                    add(tuple(n for n, _ in names), item.line, overlaps)
        return tuple(found)

    # -- foreign keys ----------------------------------------------------------

    def _foreign_keys(
        self, node: Node | None, drafts: list[_ColumnDraft]
    ) -> tuple[ForeignKey, ...]:
        by_column = {d.fk.fk.columns: d.fk for d in drafts if d.fk is not None}
        entries: list[_FkDraft] = []
        seq = self.check.seq(node, "foreign_keys", of="foreign key mappings")
        for index, item in enumerate(seq.items if seq is not None else ()):
            draft = self._fk_entry(item, f"foreign_keys[{index}]")
            if draft is None:
                continue
            earlier = next((e for e in entries if e.fk.columns == draft.fk.columns), None)
            if earlier is not None:
                self.check.add(
                    draft.line,
                    f"{draft.label}: a foreign key on ({', '.join(draft.fk.columns)}) "
                    f"is already documented on line {earlier.line}",
                )
                continue
            column_fk = by_column.get(draft.fk.columns)
            if column_fk is not None:
                draft = self._merge_fk(column_fk, draft)
            entries.append(draft)

        result: list[_FkDraft] = []
        for d in drafts:
            if d.fk is None:
                continue
            merged = next((e for e in entries if e.fk.columns == d.fk.fk.columns), None)
            result.append(merged if merged is not None else d.fk)
        result.extend(e for e in entries if all(e is not r for r in result))
        for position, fk_draft in enumerate(result):
            self.lines[f"fk:{position}"] = fk_draft.line
        return tuple(d.fk for d in result)

    def _fk_entry(self, item: Node, label: str) -> _FkDraft | None:
        entry = self.check.mapping(
            item, label, allowed=FK_KEYS, required=("columns", "references"), context=label
        )
        if entry is None:
            return None
        columns = self._column_list(entry.get("columns"), f"{label}.columns")
        on_delete = self._fk_action(entry.get("on_delete"), f"{label}.on_delete")
        on_update = self._fk_action(entry.get("on_update"), f"{label}.on_update")
        name = self.check.string(entry.get("name"), f"{label}.name")
        enforced = self.check.boolean(entry.get("enforced"), f"{label}.enforced")
        period = self.check.boolean(entry.get("period"), f"{label}.period")
        ref_node = entry.get("references")
        if ref_node is None:
            return None
        ref = self.check.mapping(
            ref_node,
            f"{label}.references",
            allowed=FK_REF_KEYS,
            required=("table",),
            context=f"{label}.references",
        )
        if ref is None:
            return None
        target = self._qualified(ref.get("table"), f"{label}.references.table")
        ref_cols_node = ref.get("columns")
        ref_columns: list[str] | None = ["id"]
        if ref_cols_node is not None:
            items = self.check.strings(ref_cols_node, f"{label}.references.columns")
            ref_columns = None
            if items is not None:
                idents = [
                    self._normalized(
                        normalize.identifier, str(i.value), i.line, f"{label}.references", "name"
                    )
                    for i in items
                ]
                if all(i is not None for i in idents):
                    ref_columns = [str(i) for i in idents]
        if columns is None or target is None or ref_columns is None:
            return None
        if len(ref_columns) != len(columns):
            self.check.add(
                ref.line,
                f"{label}: {len(columns)} column(s) reference {len(ref_columns)} column(s)",
            )
            return None
        fk = ForeignKey(
            columns=tuple(n for n, _ in columns),
            ref_schema=target[0],
            ref_table=target[1],
            ref_columns=tuple(ref_columns),
            on_delete=on_delete,
            on_update=on_update,
            name=name,
            enforced=enforced is not False,
            period=period is True,
        )
        if fk.period and len(fk.columns) < 2:
            self.check.add(
                _line_of(entry, "period"),
                f"{label}: a PERIOD foreign key needs a key column and the period column",
            )
            return None
        return _FkDraft(fk, entry.line, label)

    def _merge_fk(self, column_fk: _FkDraft, entry: _FkDraft) -> _FkDraft:
        """A column's `references` and a `foreign_keys` entry on that column are one FK."""
        a, b = column_fk.fk, entry.fk
        if (a.ref_schema, a.ref_table, a.ref_columns) != (b.ref_schema, b.ref_table, b.ref_columns):
            self.check.add(
                entry.line,
                f"{entry.label}: references {_target(b)} but {column_fk.label} "
                f"(line {column_fk.line}) says {_target(a)}",
            )
            return entry
        merged = ForeignKey(
            columns=b.columns,
            ref_schema=b.ref_schema,
            ref_table=b.ref_table,
            ref_columns=b.ref_columns,
            on_delete=b.on_delete if b.on_delete is not None else a.on_delete,
            on_update=b.on_update if b.on_update is not None else a.on_update,
            name=b.name,
            enforced=a.enforced and b.enforced,
            period=b.period,
        )
        return _FkDraft(merged, entry.line, entry.label)

    # -- indexes -----------------------------------------------------------------

    def _indexes(
        self, node: Node | None, primary_key: PrimaryKey | None
    ) -> tuple[tuple[Index, ...], dict[int, str]]:
        seq = self.check.seq(node, "indexes", of="index mappings")
        indexes: list[Index] = []
        notes: dict[int, str] = {}
        for position, item in enumerate(seq.items if seq is not None else ()):
            label = f"indexes[{position}]"
            built = self._index(item, label, primary_key)
            if built is None:
                continue
            index, note = built
            self.lines[f"index:{len(indexes)}"] = item.line
            if note is not None:
                notes[len(indexes)] = note
            indexes.append(index)
        return tuple(indexes), notes

    def _index(
        self, item: Node, label: str, primary_key: PrimaryKey | None
    ) -> tuple[Index, str | None] | None:
        check = self.check
        pk_flag = item.get("primary_key") if isinstance(item, Map) else None
        if isinstance(item, Map) and isinstance(pk_flag, Scalar) and pk_flag.value is True:
            return self._pk_index(item, label, primary_key)
        entry = check.mapping(item, label, allowed=INDEX_KEYS, required=("columns",), context=label)
        if entry is None:
            return None
        # As in _column_draft: a key is read, and its label built, only when stated.
        stated = entry.by_key()
        if "primary_key" in stated:
            check.boolean(entry.get("primary_key"), f"{label}.primary_key")
        keys = self._index_keys(entry.get("columns"), f"{label}.columns")
        unique = (
            check.boolean(entry.get("unique"), f"{label}.unique") if "unique" in stated else None
        )
        method = (
            check.choice(entry.get("method"), f"{label}.method", INDEX_METHODS, what="index method")
            if "method" in stated
            else None
        )
        where = (
            self._expression(entry.get("where"), f"{label}.where") if "where" in stated else None
        )
        partial = (
            check.boolean(entry.get("partial"), f"{label}.partial") if "partial" in stated else None
        )
        include = (
            self._column_list(entry.get("include"), f"{label}.include", required=False)
            if "include" in stated
            else None
        )
        name = check.string(entry.get("name"), f"{label}.name") if "name" in stated else None
        note = check.string(entry.get("note"), f"{label}.note") if "note" in stated else None
        nulls = (
            check.boolean(entry.get("nulls_not_distinct"), f"{label}.nulls_not_distinct")
            if "nulls_not_distinct" in stated
            else None
        )
        if nulls and not unique:
            check.add(
                _line_of(entry, "nulls_not_distinct"),
                f"{label}: nulls_not_distinct applies to a unique index (add unique: true)",
            )
            return None
        if _stated(entry.get("where")) and _stated(entry.get("partial")):
            check.add(
                _line_of(entry, "partial"),
                f"{label}: 'where' and 'partial' exclude each other "
                "(a 'where' predicate already makes the index partial)",
            )
            return None
        if keys is None:
            return None
        if method is None and entry.get("method") is not None:
            return None
        index = Index(
            keys=keys,
            name=name,
            unique=bool(unique),
            method=method or "btree",
            predicate=where,
            partial_any=partial is True,
            include=tuple(n for n, _ in include or ()),
            nulls_not_distinct=nulls is True,
        )
        return index, note

    def _pk_index(
        self, entry: Map, label: str, primary_key: PrimaryKey | None
    ) -> tuple[Index, str | None] | None:
        extra = [e.key.text for e in entry.entries if e.key.value not in PK_INDEX_KEYS]
        if extra:
            self.check.add(
                entry.line,
                f"{label}: 'primary_key: true' takes no other key than name and note; "
                f"found {', '.join(repr(clip(k)) for k in extra)}",
            )
            return None
        name = self.check.string(entry.get("name"), f"{label}.name")
        note = self.check.string(entry.get("note"), f"{label}.note")
        if primary_key is None:
            self.check.add(
                entry.line,
                f"{label}: a primary key index needs a primary key "
                "(mark a column primary_key: true or add a primary_key list)",
            )
            return None
        keys = tuple(IndexKey(c) for c in primary_key.columns)
        return Index(keys=keys, name=name, unique=True, primary=True), note

    def _index_keys(self, node: Node | None, label: str) -> tuple[IndexKey, ...] | None:
        items = self.check.strings(node, label)
        if items is None:
            return None
        if not items:
            self.check.add(node.line if node is not None else 1, f"{label}: names no column")
            return None
        keys: list[IndexKey] = []
        ok = True
        for index, item in enumerate(items):
            text = str(item.value)
            item_label = f"{label}[{index}]"
            if not text.strip():
                self.check.add(item.line, f"{item_label}: empty index key")
                ok = False
                continue
            try:
                key = _index_key(text)
            except ValueError as err:
                self.check.add(
                    item.line, f"{item_label}: cannot parse index key {clip(text)!r}: {err}"
                )
                ok = False
                continue
            if not key.is_expression and not self._known_column(key.expression, item.line, label):
                ok = False
                continue
            keys.append(key)
        return tuple(keys) if ok else None

    # -- row-level security ----------------------------------------------------

    def _rls(self, top: Map) -> Rls | None:
        node = top.get("rls")
        if node is None or not _stated(node):
            return None
        self.lines["rls"] = _line_of(top, "rls")
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return Rls(enabled=node.value)
        block = self.check.mapping(node, "rls", allowed=RLS_KEYS, context="rls")
        if block is None:
            return None
        enabled = self.check.boolean(block.get("enabled"), "rls.enabled")
        forced = self.check.boolean(block.get("forced"), "rls.forced")
        access = self._access(block)
        policies = self._policies(block.get("policies"))
        matrix = self._access_matrix(block)
        anonymous = self.check.boolean(block.get("anonymous_writes"), "rls.anonymous_writes")
        if anonymous is not None:
            self.lines["rls.anonymous_writes"] = _line_of(block, "anonymous_writes")
        return Rls(
            enabled=True if enabled is None else enabled,
            forced=forced,
            access=access,
            policies=policies,
            access_matrix=matrix,
            anonymous_writes=anonymous,
        )

    def _access_matrix(self, block: Map) -> tuple[MatrixCell, ...]:
        """`access_matrix: {role: {command: access}}`; a role's value may also be one access
        for all four commands, and `all: access` sets those not stated explicitly."""
        from schemaverify.model.vocabulary import COMMANDS, PUBLIC

        node = block.get("access_matrix")
        if node is None or not _stated(node):
            return ()
        self.lines["rls.access_matrix"] = _line_of(block, "access_matrix")
        if not isinstance(node, Map):
            self.check.wrong(node, "rls.access_matrix", "a mapping of roles")
            return ()
        known = [PUBLIC, *self.kinds.roles()]
        cells: list[MatrixCell] = []
        seen: dict[str, int] = {}
        for entry in node:
            key = entry.key
            if not isinstance(key.value, str):
                self.check.add(
                    key.line, f"rls.access_matrix: a role must be a string, got {describe(key)}"
                )
                continue
            label = f"rls.access_matrix.{clip(key.value)}"
            role = self._normalized(normalize.identifier, key.value, key.line, label, "role")
            if role is None:
                continue
            if role not in known:
                self.check.add(
                    key.line,
                    f"{label}: unknown role {clip(key.value)!r}{suggest(role, known)}; known "
                    f"roles: {', '.join(known)}",
                )
                continue
            if role in seen:
                self.check.add(
                    key.line, f"{label}: role {role!r} is stated twice (first on line {seen[role]})"
                )
                continue
            seen[role] = key.line
            stated: dict[str, tuple[tuple[str, ...], int]] = {}
            value = entry.value
            if isinstance(value, Map):
                for item in value:
                    command = item.key.value
                    if not isinstance(command, str) or command.lower() not in MATRIX_COMMANDS:
                        text = clip(str(command))
                        self.check.add(
                            item.key.line,
                            f"{label}: unknown command {text!r}"
                            f"{suggest(text.lower(), MATRIX_COMMANDS)}; expected one of: "
                            f"{', '.join(MATRIX_COMMANDS)}",
                        )
                        continue
                    access = self._matrix_access(item.value, f"{label}.{command.lower()}")
                    if access is not None:
                        stated[command.lower()] = (access, item.value.line)
            else:
                access = self._matrix_access(value, label)
                if access is not None:
                    stated["all"] = (access, value.line)
            for command in COMMANDS:
                found = stated.get(command) or stated.get("all")
                if found is None:
                    continue
                cells.append(MatrixCell(role, command, found[0]))
                self.lines[f"access_matrix:{role}:{command}"] = found[1]
        return tuple(cells)

    def _matrix_access(self, node: Node, label: str) -> tuple[str, ...] | None:
        """One cell's access: a word, or a list of row scopes (their union)."""
        from schemaverify.model.vocabulary import ALONE, SPEC_WORDS, spec_word

        items: list[Scalar]
        if not _stated(node):
            return None
        if isinstance(node, Scalar) and isinstance(node.value, str):
            items = [node]
        elif isinstance(node, Seq):
            listed = self.check.strings(node, label)
            if listed is None:
                return None
            items = listed
        else:
            self.check.wrong(node, label, "an access word or a list of row scopes")
            return None
        if not items:
            self.check.add(node.line, f"{label}: an empty list states nothing; write none")
            return None
        kinds = self.kinds.get()
        choices = [*SPEC_WORDS, *kinds]
        words: list[str] = []
        ok = True
        for item in items:
            text = str(item.value)
            word = spec_word(text)
            if word not in choices:
                self.check.add(
                    item.line,
                    f"{label}: unknown access {clip(text)!r}{suggest(word, choices)}; expected "
                    f"one of: {', '.join(choices)}",
                )
                ok = False
            elif word in words:
                self.check.add(item.line, f"{label}: {word!r} is listed twice")
                ok = False
            else:
                words.append(word)
        alone = [w for w in words if w in ALONE]
        if ok and len(words) > 1 and alone:
            self.check.add(
                node.line,
                f"{label}: {alone[0]!r} stands alone; only row scopes (access kinds, "
                "conditional) combine in a list",
            )
            ok = False
        return tuple(sorted(words)) if ok else None

    def _access(self, block: Map) -> tuple[str, ...]:
        node = block.get("access")
        items = self.check.strings(node, "rls.access")
        if items is None:
            return ()
        self.lines["rls.access"] = _line_of(block, "access")
        if not items:
            return ()
        known = self.kinds.get()
        kinds: list[str] = []
        for index, item in enumerate(items):
            text = str(item.value).strip()
            if text not in known:
                self.check.add(
                    item.line,
                    f"rls.access[{index}]: unknown access kind {clip(text)!r}"
                    f"{suggest(text, known)}; known kinds: {', '.join(sorted(known))}",
                )
            elif text in kinds:
                self.check.add(item.line, f"rls.access: {text!r} is listed twice")
            else:
                kinds.append(text)
        return tuple(kinds)

    def _policies(self, node: Node | None) -> tuple[Policy, ...]:
        seq = self.check.seq(node, "rls.policies", of="policy mappings")
        policies: list[Policy] = []
        for index, item in enumerate(seq.items if seq is not None else ()):
            label = f"rls.policies[{index}]"
            policy = self._policy(item, label)
            if policy is None:
                continue
            key = f"policy:{policy.name}"
            if key in self.lines:
                self.check.add(
                    item.line,
                    f"{label}: policy {policy.name!r} is already described "
                    f"on line {self.lines[key]}",
                )
                continue
            self.lines[key] = item.line
            policies.append(policy)
        return tuple(policies)

    def _policy(self, item: Node, label: str) -> Policy | None:
        check = self.check
        entry = check.mapping(item, label, allowed=POLICY_KEYS, required=("name",), context=label)
        if entry is None:
            return None
        # Policy names are free text in PostgreSQL (often quoted sentences): kept verbatim.
        name = check.string(entry.get("name"), f"{label}.name", optional=False)
        command = check.choice(
            entry.get("command"), f"{label}.command", POLICY_COMMANDS, what="policy command"
        )
        roles_node = entry.get("roles")
        roles: list[str] | None = None
        items = check.strings(roles_node, f"{label}.roles")
        if items is not None:
            idents = [
                self._normalized(
                    normalize.identifier, str(i.value), i.line, f"{label}.roles", "role"
                )
                for i in items
            ]
            roles = [str(i) for i in idents if i is not None]
        permissive = check.boolean(entry.get("permissive"), f"{label}.permissive")
        using = self._expression(entry.get("using"), f"{label}.using")
        with_check = self._expression(entry.get("with_check"), f"{label}.with_check")
        if name is None or (command is None and entry.get("command") is not None):
            return None
        return Policy(
            name=name,
            command=command or "all",
            roles=tuple(roles) if roles else ("public",),
            permissive=True if permissive is None else permissive,
            using=using,
            with_check=with_check,
        )

    # -- ignore rules ----------------------------------------------------------

    def _ignore(self, node: Node | None) -> tuple[IgnoreRule, ...]:
        seq = self.check.seq(node, "ignore", of="ignore rules")
        rules: list[IgnoreRule] = []
        for index, item in enumerate(seq.items if seq is not None else ()):
            label = f"ignore[{index}]"
            entry = self.check.mapping(
                item, label, allowed=IGNORE_KEYS, required=("kind",), context=label
            )
            if entry is None:
                continue
            kind = self.check.choice(entry.get("kind"), f"{label}.kind", KINDS, what="finding kind")
            obj = self.check.string(entry.get("object"), f"{label}.object")
            reason = self.check.string(entry.get("reason"), f"{label}.reason")
            if kind is not None:
                rules.append(IgnoreRule(kind=kind, object=obj, reason=reason, line=entry.line))
        return tuple(rules)


# Specs repeat the same types (`uuid`, `timestamptz`) and index keys thousands of times;
# both parses are pure functions of the text, so each distinct text is parsed once.
# Failures are not cached: they raise with a message built for the text at hand.
_TYPES: dict[str, tuple[TypeRef, str | None]] = {}
_INDEX_KEYS: dict[str, IndexKey] = {}
_MEMO_MAX = 16384


def _parse_type(text: str) -> tuple[TypeRef, str | None]:
    parsed = _TYPES.get(text)
    if parsed is None:
        parsed = normalize.parse_qualified_type(text)
        if len(_TYPES) < _MEMO_MAX:
            _TYPES[text] = parsed
    return parsed


def _index_key(text: str) -> IndexKey:
    key = _INDEX_KEYS.get(text)
    if key is None:
        key = normalize.index_key(text)
        if len(_INDEX_KEYS) < _MEMO_MAX:
            _INDEX_KEYS[text] = key
    return key


_WITHOUT_OVERLAPS = re.compile(r"(.*\S)\s+without\s+overlaps\s*", re.IGNORECASE | re.DOTALL)


def _without_overlaps(node: Node | None) -> tuple[Node | None, bool]:
    """A key list whose last column says `WITHOUT OVERLAPS`, as SQL writes a temporal key:
    the list without the words, and whether they were there."""
    if not isinstance(node, Seq) or not node.items:
        return node, False
    last = node.items[-1]
    if not isinstance(last, Scalar) or not isinstance(last.value, str):
        return node, False
    match = _WITHOUT_OVERLAPS.fullmatch(last.value)
    if match is None:
        return node, False
    bare = Scalar(match.group(1), last.line, match.group(1))
    return Seq((*node.items[:-1], bare), node.line), True


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _stated(node: Node | None) -> bool:
    """Present and not null: YAML `key:` with no value means "not stated"."""
    return node is not None and not (isinstance(node, Scalar) and node.value is None)


def _line_of(mapping: Map, key: str) -> int:
    entry = mapping.entry(key)
    return entry.key.line if entry is not None else mapping.line


def _target(fk: ForeignKey) -> str:
    return f"{fk.ref_qualified}({', '.join(fk.ref_columns)})"


def _split_dotted(text: str) -> list[str] | None:
    """Split `a.b."c.d"` on dots outside double quotes; None when malformed."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text.strip():
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif char == "." and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    if quoted or any(not p for p in parts):
        return None
    return parts
