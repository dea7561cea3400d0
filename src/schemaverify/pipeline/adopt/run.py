"""`adopt` end to end: compare, plan, rewrite, prove the rewrite, stamp, write.

Nothing is written before every file is rewritten and proven: each new text must load
with the project's own loader (a rewrite that does not is a bug, reported as such, and
no file is touched), and is compared with the catalog again, which also decides the
stamp: a table whose every fact is then verified gets `certainty: verified` and
`verified: {date, against}`.
"""

from __future__ import annotations

import datetime
import difflib
import os
import shutil
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemaverify.errors import SpecError, UsageError
from schemaverify.escape import visible
from schemaverify.model import edits as op
from schemaverify.model.facts import VERIFIED, Fact
from schemaverify.model.schema import Catalog
from schemaverify.model.spec import SpecSet, TableSpec
from schemaverify.pipeline import Pipeline
from schemaverify.pipeline.adopt import newspec
from schemaverify.pipeline.adopt.plan import plan
from schemaverify.pipeline.check import build_report
from schemaverify.rules import DiffOptions, access, compare, tables
from schemaverify.sources import tenants
from schemaverify.sources.live import LiveSide
from schemaverify.sources.specs import rewrite
from schemaverify.sources.specs.load import load_spec_file


@dataclass(frozen=True)
class FileChange:
    path: Path
    table: str
    before: str | None
    """None for a new file (`--new`)."""
    after: str
    operations: tuple[op.Operation, ...]
    stamped: bool

    def diff(self) -> str:
        """A unified diff, each line made safe for a terminal (a control character of a
        hostile file shows as an escape, never acts)."""
        shown = str(self.path)
        lines = difflib.unified_diff(
            (self.before or "").splitlines(),
            self.after.splitlines(),
            fromfile="/dev/null" if self.before is None else f"a/{shown}",
            tofile=f"b/{shown}",
            lineterm="",
        )
        return "".join(f"{visible(line)}\n" for line in lines)


@dataclass(frozen=True)
class AdoptResult:
    changes: tuple[FileChange, ...]
    left: tuple[op.Left, ...]
    tables: int
    """Specs adopted (after --table)."""


@dataclass(frozen=True)
class AdoptOptions:
    schemas: Sequence[str] = ("public",)
    tables: Sequence[str] = ()
    kinds: Collection[str] = op.ADOPT_KINDS
    date: str | None = None
    new: bool = False
    types: Collection[str] = ()
    comments: bool = False


def today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def check_date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--date must be a day as YYYY-MM-DD, not {text!r}") from None


def check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    unknown = [k for k in kinds if k not in op.ADOPT_KINDS]
    if unknown:
        raise UsageError(
            f"--only {unknown[0]!r}: unknown fact kind; expected one of: "
            f"{', '.join(op.ADOPT_KINDS)}"
        )
    return tuple(kinds) or op.ADOPT_KINDS


def select(specs: SpecSet, names: Sequence[str]) -> tuple[TableSpec, ...]:
    """The specs `--table` names (`name` or `schema.name`), all without; an unknown name is
    a UsageError."""
    if not names:
        return specs.specs
    chosen: list[TableSpec] = []
    for name in names:
        found = [s for s in specs.specs if name in (s.qualified, s.table.name)]
        if not found:
            raise UsageError(f"--table {name!r}: no spec documents such a table")
        chosen.extend(s for s in found if s not in chosen)
    return tuple(chosen)


def adopt(
    specs_path: Path,
    specs: SpecSet,
    live: LiveSide,
    patterns: access.AccessPatterns,
    options: AdoptOptions,
) -> AdoptResult:
    """Every file change adopt would make (nothing is written here)."""
    catalog = live.catalog
    if catalog is None:
        raise UsageError("the source produced no schema to adopt")
    chosen = select(specs, options.tables)
    date = options.date or today()
    against = live.description.get("description") or None
    report = build_report(
        specs,
        live,
        schemas=options.schemas,
        patterns=patterns,
        types=options.types,
        comments=options.comments,
    )
    checked = tenants.expand(specs, options.schemas, catalog.schemas)
    # A tenant template becomes copies, one per matched schema: only plain specs are kept.
    plain = {id(s) for s in checked.specs}
    facts: dict[str, list[Fact]] = {}
    for fact in report.facts:
        facts.setdefault(fact.table, []).append(fact)
    diff_options = DiffOptions(
        patterns=patterns, undocumented_schemas=(), comments=options.comments
    )
    changes: list[FileChange] = []
    left: list[op.Left] = []
    live_tables = catalog.by_name()
    for spec in chosen:
        if id(spec) not in plain:
            left.append(
                op.Left(spec.qualified, "template", None, "a tenant template spec is not adopted")
            )
            continue
        table = live_tables.get(spec.qualified)
        if table is None:
            left.append(
                op.Left(
                    spec.qualified,
                    "table_missing",
                    None,
                    "no such table in the source (or a partition): the spec is left as it is",
                )
            )
            continue
        planned = plan(spec, table, facts.get(spec.qualified, []), patterns, options.kinds)
        left.extend(planned.left)
        before = Path(spec.path).read_text(encoding="utf-8")
        after = rewrite.apply(before, spec, planned.operations)
        reloaded = _reload(after, spec.path, patterns)
        stamped = False
        if _all_verified(reloaded, catalog, diff_options):
            stamp = op.Stamp(date, against)
            if (
                reloaded.certainty != "verified"
                or reloaded.verified is None
                or (reloaded.verified.date, reloaded.verified.against) != (date, against)
            ):
                after = rewrite.apply(after, reloaded, (stamp,))
                _reload(after, spec.path, patterns)
                stamped = True
        if after != before:
            changes.append(
                FileChange(
                    Path(spec.path), spec.qualified, before, after, planned.operations, stamped
                )
            )
    if options.new:
        changes.extend(
            _new_specs(specs_path, specs, catalog, patterns, options, date, against, diff_options)
        )
    return AdoptResult(tuple(changes), tuple(left), len(chosen))


def _new_specs(
    specs_path: Path,
    specs: SpecSet,
    catalog: Catalog,
    patterns: access.AccessPatterns,
    options: AdoptOptions,
    date: str,
    against: str | None,
    diff_options: DiffOptions,
) -> list[FileChange]:
    if not specs_path.is_dir():
        raise UsageError(f"--new writes into the specs folder; {specs_path} is not a folder")
    documented = {s.qualified for s in specs.specs}
    wanted = tenants.resolve(options.schemas, catalog.schemas)
    taken: set[str] = set()
    out: list[FileChange] = []
    for table in catalog.tables:
        if table.qualified in documented or table.schema not in wanted:
            continue
        if table.kind not in tables.TABLE_KINDS:
            continue
        path = newspec.file_name(table, specs_path, taken)
        taken.add(path.name.lower())
        text = newspec.spec_text(table, patterns, against, None)
        spec = _reload(text, str(path), patterns)
        stamped = _all_verified(spec, catalog, diff_options)
        if stamped:
            stamp = {"date": date, **({"against": against} if against else {})}
            text = newspec.spec_text(table, patterns, against, stamp)
            _reload(text, str(path), patterns)
        out.append(FileChange(path, table.qualified, None, text, (), stamped))
    return out


def _reload(text: str, shown: str, patterns: access.AccessPatterns) -> TableSpec:
    """The rewritten text as the loader reads it; one that does not load is a bug of the
    rewrite, never written."""
    with tempfile.TemporaryDirectory(prefix="schemaverify-adopt-") as folder:
        tmp = Path(folder) / "spec.yaml"
        tmp.write_text(text, encoding="utf-8")
        try:
            return load_spec_file(
                tmp,
                display_path=shown,
                access_kinds=patterns.kinds,
                access_roles=(*patterns.client_roles, *patterns.service_roles),
            )
        except SpecError as err:
            raise SpecError(
                [
                    (p, line, f"adopt would write a spec that does not load: {reason}")
                    for p, line, reason in err.problems
                ]
            ) from None


def _all_verified(spec: TableSpec, catalog: Catalog, options: DiffOptions) -> bool:
    one = SpecSet((spec,))
    verification = compare(one, catalog, options)
    findings = Pipeline.for_specs(one, None).run(verification.findings)
    return not findings and all(f.status == VERIFIED for f in verification.facts)


def write(change: FileChange) -> None:
    """Write one file.  A changed spec is replaced atomically and keeps its mode (through a
    symlink, the file it points to is the spec); a new one is created exclusively, so a
    file that appeared since the plan is never replaced."""
    data = change.after.encode("utf-8")
    if change.before is None:
        fd = os.open(change.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    target = change.path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
