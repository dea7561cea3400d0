"""Benchmark the code scan of `schemaverify usage` against the floors of any scanner.

A code base of 5,000 files and about 500,000 lines (TS, TSX, Python; bench/codegen.py,
seeded) is scanned by `scan_code()` (sources/code/scan.py), and in the same run the floors
are measured on the same files:

* `read`: a Python process reading every byte of every file (what finding and hashing
  the files costs at least);
* `grep`: `grep -rc 'from('` over the tree (`rg` as well when installed): a plain text
  pass;
* `parse`: tree-sitter parsing every file with the right grammar and nothing else, in
  as many worker processes as the scan uses (the floor of a scanner built on
  tree-sitter);
* `walk`: the same, visiting every node of every tree once from Python (what a scanner
  that looks at each node pays before doing anything with it).

The scan is timed cold (an empty cache folder: every file parsed), warm (the cache filled:
nothing parsed) and warm after editing 1 % of the files (the usual run after a commit).
Every measurement is a child process (interpreter start and imports included, as for the
CLI), limited to `--cores` CPUs (default 2, the target's), timed end to end; the minimum of
`--repeat` runs after one warm-up run.  Peak memory is the largest process's maximum RSS
(wait4) and the sum over the process tree, sampled every 20 ms (worker processes count).

    python bench/usage.py                        # generate, measure, print (about 2 min)
    python bench/usage.py --files 1000 --lines 100000 --repeat 1
    python bench/usage.py --code ~/src/my-app    # an existing tree (no planted counts)
    python bench/run.py --only usage             # the same, through `make bench`'s script

The target (issue 14): the cold scan of 5,000 files / 500,000 lines within 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from codegen import write_codebase

TARGET_S = 10.0
TARGET_CORES = 2
TARGET_FILES = 5000
TARGET_LINES = 500_000
SCAN_MODULE = Path(__file__).resolve().parents[1] / "src/schemaverify/sources/code/scan.py"

# Started by this launcher, not by the benchmark process: a child's peak RSS is at least its
# parent's size at fork time.  The launcher pins itself (and so the child) to the first
# `cores` CPUs, samples the RSS of the child's whole process tree (workers included), and
# prints: seconds, wait4 max RSS (KiB, the largest single process), tree peak (KiB), exit.
_LAUNCHER = """
import os, sys, threading, time
cores, argv = int(sys.argv[1]), sys.argv[2:]
if cores and hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
page = os.sysconf("SC_PAGE_SIZE") // 1024
peak = 0
done = threading.Event()
def tree(pid):
    out = [pid]
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                for child in f.read().split():
                    out += tree(int(child))
    except OSError:
        pass
    return out
def sample(pid):
    global peak
    while not done.wait(0.02):
        total = 0
        for p in tree(pid):
            try:
                with open(f"/proc/{p}/statm") as f:
                    total += int(f.read().split()[1]) * page
            except (OSError, ValueError, IndexError):
                pass
        peak = max(peak, total)
null = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=null)
sampler = threading.Thread(target=sample, args=(pid,), daemon=True)
sampler.start()
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
done.set()
sampler.join()
print(seconds, usage.ru_maxrss, max(peak, usage.ru_maxrss), os.waitstatus_to_exitcode(status))
"""

# The floors.  They list files as the scanner does (sorted walk, hidden and vendored
# folders skipped) so that every measure sees the same files.
_LIST = """
import os, sys
SUFFIXES = {".ts": "typescript", ".tsx": "tsx", ".py": "python", ".js": "javascript",
            ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".mts": "typescript",
            ".cts": "typescript"}
SKIP = {"node_modules", "__pycache__", "dist", "build", "out", "coverage", "venv",
        "site-packages", "vendor"}
def files(root):
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP)
        for name in sorted(names):
            suffix = os.path.splitext(name)[1]
            if suffix in SUFFIXES and not name.endswith((".d.ts", ".min.js")):
                yield os.path.join(folder, name), SUFFIXES[suffix]
"""

_READ = (
    _LIST
    + """
total = lines = count = 0
for path, _ in files(sys.argv[1]):
    with open(path, "rb") as f:
        data = f.read()
    total += len(data)
    lines += data.count(b"\\n")
    count += 1
with open(sys.argv[2], "w") as out:
    out.write(f'{{"files": {count}, "bytes": {total}, "lines": {lines}}}')
"""
)

_PARSE = (
    _LIST
    + """
import json, time
from concurrent.futures import ProcessPoolExecutor

PARSERS = {}

def parser(language):
    if language not in PARSERS:
        import tree_sitter
        if language == "python":
            import tree_sitter_python as grammar
            lang = grammar.language()
        elif language == "javascript":
            import tree_sitter_javascript as grammar
            lang = grammar.language()
        else:
            import tree_sitter_typescript as grammar
            lang = grammar.language_tsx() if language == "tsx" else grammar.language_typescript()
        PARSERS[language] = tree_sitter.Parser(tree_sitter.Language(lang))
    return PARSERS[language]

def work(batch):
    walk = MODE == "walk"
    nodes = errors = 0
    for path, language in batch:
        with open(path, "rb") as f:
            tree = parser(language).parse(f.read())
        errors += tree.root_node.has_error
        if walk:
            cursor = tree.walk()
            while True:
                nodes += 1
                if cursor.goto_first_child() or cursor.goto_next_sibling():
                    continue
                while cursor.goto_parent():
                    if cursor.goto_next_sibling():
                        break
                else:
                    break
    return nodes, errors

MODE, root, jobs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
start = time.perf_counter()
listed = [(p, lang, os.path.getsize(p)) for p, lang in files(root)]
# Batches of equal bytes, largest files first, as scan.py makes them.
count = max(1, jobs * 4)
loads = [0] * count
batches = [[] for _ in range(count)]
for path, language, size in sorted(listed, key=lambda x: -x[2]):
    least = loads.index(min(loads))
    batches[least].append((path, language))
    loads[least] += size
if jobs > 1:
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(work, [b for b in batches if b]))
else:
    results = [work(b) for b in batches if b]
with open(out, "w") as f:
    json.dump({"files": len(listed), "nodes": sum(r[0] for r in results),
               "errors": sum(r[1] for r in results),
               "inner_s": time.perf_counter() - start}, f)
"""
)

_SCAN = """
import json, sys, time
from collections import Counter
from pathlib import Path
start = time.perf_counter()
from schemaverify.sources.code.scan import scan_code
imported = time.perf_counter()
root, cache_dir, jobs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
scan = scan_code(Path(root), jobs=jobs or None, cache=True, cache_dir=Path(cache_dir))
end = time.perf_counter()
refs = scan.references
with open(out, "w") as f:
    json.dump({
        "files": scan.files, "lines": getattr(scan, "lines", None),
        "parsed": getattr(scan, "parsed", None), "references": len(refs),
        "by_via": dict(Counter(r.via for r in refs)),
        "by_operation": dict(Counter(r.operation for r in refs)),
        "unresolved": sum(1 for r in refs if r.name is None),
        "problems": len(getattr(scan, "problems", ())),
        "import_s": imported - start, "scan_s": end - imported,
    }, f)
"""


# Not timed: every reference, to check the scan did its work (and the cache changes nothing).
_REFS = """
import json, sys
from pathlib import Path
from schemaverify.sources.code.scan import scan_code
root, cache_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
scan = scan_code(Path(root), cache=True, cache_dir=Path(cache_dir))
with open(out, "w") as f:
    json.dump([[r.path, r.line, r.column, r.via, r.operation, r.name, r.schema, r.target,
                list(r.columns), r.all_columns, r.partial, r.privilege, r.unresolved,
                r.embedded_in] for r in scan.references], f)
"""


@dataclass
class Measure:
    seconds: float
    """Minimum over the repetitions."""
    peak_mb: float
    """Largest single process (wait4), max over the repetitions."""
    tree_mb: float
    """Sum over the process tree (sampled), max over the repetitions."""
    info: dict[str, Any]
    """What the child reported on its last repetition."""
    runs: list[float]


def run_child(
    argv: list[str],
    repeat: int,
    cores: int,
    *,
    warmup: bool = True,
    before: Any = None,
) -> Measure:
    """Min wall time, max peak RSS over `repeat` runs of a child (after one untimed run).
    `{out}` in argv is replaced by a file the child writes its findings to; `before(i)` runs
    before repetition i (-1: the warm-up) and may return replacements for argv items."""
    times: list[float] = []
    peaks: list[float] = []
    trees: list[float] = []
    info: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="schemaverify-bench-") as tmp:
        out = str(Path(tmp) / "out.json")
        for i in range(-1 if warmup else 0, repeat):
            subst = (before(i) if before else None) or {}
            args = [subst.get(a, a).replace("{out}", out) for a in argv]
            done = subprocess.run(
                [sys.executable, "-S", "-c", _LAUNCHER, str(cores), *args],
                capture_output=True,
                text=True,
            )
            fields = done.stdout.split()
            if done.returncode != 0 or len(fields) != 4 or fields[3] != "0":
                raise SystemExit(f"{' '.join(args[:4])} failed: {done.stdout} {done.stderr}")
            if os.path.exists(out):
                with open(out, encoding="utf-8") as handle:
                    info = json.load(handle)
                os.unlink(out)
            if i >= 0:
                times.append(float(fields[0]))
                peaks.append(int(fields[1]) / 1024)
                trees.append(int(fields[2]) / 1024)
    return Measure(min(times), max(peaks), max(trees), info, times)


def usable_cores(cores: int) -> int:
    try:
        have = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        have = os.cpu_count() or 1
    return min(have, cores) if cores else have


@dataclass
class Edits:
    """Edits 1 % of the files before each repetition (other files each time), restoring
    them at the end."""

    files: list[Path]
    share: float = 0.01

    def __post_init__(self) -> None:
        self.saved: dict[Path, bytes] = {}

    def __call__(self, i: int) -> None:
        n = max(1, int(len(self.files) * self.share))
        start = (i + 1) * n
        for path in self.files[start : start + n]:
            data = path.read_bytes()
            self.saved.setdefault(path, data)
            mark = b"# edited\n" if path.suffix == ".py" else b"// edited\n"
            path.write_bytes(data + mark)

    def restore(self) -> None:
        for path, data in self.saved.items():
            path.write_bytes(data)


def scan_available() -> str | None:
    """Why `scan_code` cannot be run yet (absent, or failing on one small file of each
    language), or None."""
    if not SCAN_MODULE.exists():
        return f"{SCAN_MODULE.relative_to(SCAN_MODULE.parents[4])} does not exist yet"
    with tempfile.TemporaryDirectory(prefix="schemaverify-bench-probe-") as tmp:
        probe = Path(tmp)
        (probe / "a.ts").write_text("await supabase.from('t').select('a');\n")
        (probe / "b.tsx").write_text("export const B = () => <div>{x}</div>;\n")
        (probe / "c.py").write_text('client.table("t").select("a").execute()\n')
        code = (
            "import sys; from pathlib import Path; "
            "from schemaverify.sources.code.scan import scan_code; "
            "scan_code(Path(sys.argv[1]), jobs=1, cache=False)"
        )
        done = subprocess.run([sys.executable, "-c", code, tmp], capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"scan_code fails on a small tree: {last}"
    return None


def measure(root: Path, repeat: int, cores: int, jobs: int, *, edit: bool) -> dict[str, Any]:
    py = [sys.executable, "-c"]
    results: dict[str, Any] = {}
    print("… read", file=sys.stderr, flush=True)
    results["read"] = run_child([*py, _READ, str(root), "{out}"], repeat, cores)
    grep = shutil.which("grep")
    if grep:
        print("… grep", file=sys.stderr, flush=True)
        includes = [f"--include=*{s}" for s in (".ts", ".tsx", ".py")]
        results["grep"] = run_child([grep, "-rcF", *includes, "from(", str(root)], repeat, cores)
    rg = shutil.which("rg")
    if rg:
        print("… rg", file=sys.stderr, flush=True)
        results["rg"] = run_child([rg, "-cF", "from(", str(root)], repeat, cores)
    for mode in ("parse", "walk"):
        print(f"… {mode}", file=sys.stderr, flush=True)
        argv = [*py, _PARSE, mode, str(root), str(jobs), "{out}"]
        results[mode] = run_child(argv, repeat, cores)
        if jobs > 1:
            argv = [*py, _PARSE, mode, str(root), "1", "{out}"]
            results[f"{mode} 1 core"] = run_child(argv, 1, cores, warmup=False)
    why = scan_available()
    if why:
        results["missing"] = why
        return results
    with tempfile.TemporaryDirectory(prefix="schemaverify-bench-cache-") as tmp:
        caches = Path(tmp)
        scan = [*py, _SCAN, str(root), "CACHE", "0", "{out}"]

        def cold(i: int) -> dict[str, str]:
            fresh = caches / f"cold{i + 1}"
            fresh.mkdir()
            return {"CACHE": str(fresh)}

        print("… scan, cold", file=sys.stderr, flush=True)
        results["cold"] = run_child(scan, repeat, cores, before=cold)
        warm = caches / "warm"
        warm.mkdir()
        print("… scan, warm", file=sys.stderr, flush=True)
        results["warm"] = run_child(scan, repeat, cores, before=lambda i: {"CACHE": str(warm)})
        if edit:
            listed = sorted(p for p in root.rglob("*") if p.suffix in (".ts", ".tsx", ".py"))
            random.Random(14).shuffle(listed)
            edits = Edits(listed)

            def edited(i: int) -> dict[str, str]:
                edits(i)
                return {"CACHE": str(warm)}

            print("… scan, warm, 1 % of files edited", file=sys.stderr, flush=True)
            try:
                results["edited"] = run_child(scan, repeat, cores, before=edited)
            finally:
                edits.restore()
        print("… references, cold and warm (not timed)", file=sys.stderr, flush=True)
        fresh = caches / "verify"
        fresh.mkdir()
        for key, folder in (("refs cold", fresh), ("refs warm", fresh)):
            out = caches / "refs.json"
            subprocess.run([*py, _REFS, str(root), str(folder), str(out)], check=True)
            results[key] = json.loads(out.read_text(encoding="utf-8"))
    return results


def report(
    root: Path,
    stats: dict[str, Any] | None,
    results: dict[str, Any],
    repeat: int,
    cores: int,
    jobs: int,
) -> list[tuple[bool, str]]:
    read: Measure = results["read"]
    files = read.info.get("files", 0)
    lines = read.info.get("lines", 0)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs ({cores} used, {jobs} parse "
        f"workers), Python {platform.python_version()}; min of {repeat} runs after a warm-up"
    )
    if stats:
        print(
            f"code base (bench/codegen.py): {stats['files']:,} files "
            f"({', '.join(f'{k} {v:,}' for k, v in stats['files_by_language'].items())}), "
            f"{stats['lines']:,} lines, {stats['db_calls']:,} database calls planted "
            f"(one per {stats['lines_per_call']} lines), {stats['sql_texts']:,} distinct SQL "
            f"texts, {stats['tables']} tables, {stats['long_files']} files of 1,500+ lines, "
            f"{len(stats['syntax_error_files'])} with syntax errors, {stats['decoys']:,} "
            f"decoys in comments and strings, {stats['typed_sql_templates']} sql<T>`...`"
        )
    else:
        print(f"code base: {root} ({files:,} files, {lines:,} lines)")
    print()
    rows = []
    for key, label in (
        ("read", "read every byte (Python)"),
        ("grep", "grep -rcF 'from('"),
        ("rg", "rg -cF 'from('"),
        ("parse", f"tree-sitter parse, {jobs} workers"),
        ("parse 1 core", "tree-sitter parse, 1 process"),
        ("walk", f"parse + visit every node, {jobs} workers"),
        ("walk 1 core", "parse + visit every node, 1 process"),
        ("cold", "scan_code, cold (cache empty)"),
        ("warm", "scan_code, warm (cache full)"),
        ("edited", "scan_code, warm, 1 % edited"),
    ):
        m = results.get(key)
        if not isinstance(m, Measure):
            continue
        parse: Measure = results["parse"]
        extra = ""
        if key in ("cold", "warm", "edited"):
            extra = (
                f"{m.info.get('references', 0):,} refs, parsed {m.info.get('parsed')}, "
                f"in-process scan {m.info.get('scan_s', 0):.2f} s"
            )
        elif key.startswith(("parse", "walk")):
            extra = f"{m.info.get('errors', 0)} trees with errors"
            if key.startswith("walk"):
                extra += f", {m.info.get('nodes', 0):,} nodes"
        rows.append(
            [
                label,
                f"{m.seconds:.2f}",
                f"{m.seconds / parse.seconds:.2f}",
                f"{m.seconds / read.seconds:.1f}",
                f"{m.peak_mb:.0f}",
                f"{m.tree_mb:.0f}",
                " ".join(f"{t:.2f}" for t in m.runs),
                extra,
            ]
        )
    head = ["measure", "s", "/parse", "/read", "MB", "tree MB", "runs", ""]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    print()
    print("| " + " | ".join([*head[:-1], "notes"]) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print(
        "s = wall time of the child process (start-up and imports included); /parse, /read = "
        "ratio to the tree-sitter parse floor and to reading every byte, same run; MB = the "
        "largest process's peak RSS; tree MB = peak of the sum over the process tree."
    )
    print()
    out: list[tuple[bool, str]] = []
    cold = results.get("cold")
    size = f"{files:,} files / {lines / 1000:,.0f}k lines"
    target = f"scan {size} ≤ {TARGET_S:.0f} s (cold, {cores} cores)"
    if not isinstance(cold, Measure):
        out.append((False, f"{target}: not measured, {results.get('missing')}"))
        return out
    as_target = cores == TARGET_CORES and files >= TARGET_FILES and lines >= TARGET_LINES
    note = "" if as_target else f" [the target is {TARGET_FILES:,} files on {TARGET_CORES} cores]"
    out.append(
        (
            cold.seconds <= TARGET_S and as_target,
            f"{target}: {cold.seconds:.2f} s, {cold.seconds / results['parse'].seconds:.2f}x "
            f"the parse floor{note}",
        )
    )
    parsed = cold.info.get("parsed")
    out.append(
        (
            parsed is None or parsed == cold.info.get("files"),
            f"cold run parsed every file: {parsed} of {cold.info.get('files')}",
        )
    )
    warm: Measure = results["warm"]
    out.append(
        (
            warm.info.get("parsed") in (None, 0),
            f"warm run parsed nothing: {warm.info.get('parsed')} parsed, {warm.seconds:.2f} s "
            f"({warm.seconds / cold.seconds:.2f}x cold, {warm.seconds / read.seconds:.1f}x read)",
        )
    )
    edited = results.get("edited")
    if isinstance(edited, Measure):
        out.append(
            (
                edited.seconds < cold.seconds,
                f"1 % edited rescans {edited.info.get('parsed')} files: {edited.seconds:.2f} s",
            )
        )
    same = results["refs cold"] == results["refs warm"]
    out.append((same, "references from the cache = references parsed anew"))
    if stats:
        out += work_done(root, stats, results["refs cold"])
    return out


def work_done(root: Path, stats: dict[str, Any], refs: list[list[Any]]) -> list[tuple[bool, str]]:
    """A fast scan that skips work measures nothing: each planted call (outside the files
    with syntax errors) must have a reference of its kind on its lines, and no reference
    may sit on a decoy line (a comment or string that looks like a call)."""
    prefix = root.as_posix().rstrip("/") + "/"
    lines: dict[tuple[str, str], list[int]] = {}
    where: set[tuple[str, int]] = set()
    for ref in refs:
        path = ref[0][len(prefix) :] if ref[0].startswith(prefix) else ref[0]
        lines.setdefault((path, ref[3]), []).append(ref[1])
        where.add((path, ref[1]))
    broken = set(stats["syntax_error_files"])
    total: dict[str, int] = {}
    missed: dict[str, list[str]] = {}
    for path, first, last, via in stats["call_sites"]:
        if path in broken:
            continue
        total[via] = total.get(via, 0) + 1
        if not any(first <= n <= last for n in lines.get((path, via), ())):
            missed.setdefault(via, []).append(f"{path}:{first}")
    out = []
    for via, count in sorted(total.items()):
        lost = missed.get(via, [])
        found = count - len(lost)
        examples = f" (missed e.g. {', '.join(lost[:3])})" if lost else ""
        out.append(
            (
                found >= count * 0.99,
                f"planted {via} calls with a reference: {found:,} of {count:,} "
                f"({found / count:.1%}){examples}",
            )
        )
    false = [f"{p}:{n}" for p, n in stats["decoy_lines"] if (p, n) in where]
    examples = f" (e.g. {', '.join(false[:3])})" if false else ""
    out.append(
        (
            not false,
            f"references on decoy lines: {len(false)} of {len(stats['decoy_lines']):,}{examples}",
        )
    )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--code", type=Path, help="scan this tree instead of a generated one")
    parser.add_argument("--keep", type=Path, help="generate into this (empty) folder, keep it")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cores", type=int, default=TARGET_CORES, help="CPUs (0: all)")
    args = parser.parse_args(argv)
    cores = usable_cores(args.cores)
    jobs = cores
    with tempfile.TemporaryDirectory(prefix="schemaverify-bench-code-") as tmp:
        stats: dict[str, Any] | None = None
        if args.code:
            root = args.code
        else:
            root = args.keep or Path(tmp) / "app"
            if root.exists() and any(root.iterdir()):
                raise SystemExit(f"{root} is not empty")
            print(f"… generating {args.files:,} files", file=sys.stderr, flush=True)
            stats = write_codebase(root, args.files, args.lines, args.seed)
        # An existing tree is never edited: no `edited` measure there.
        results = measure(root, args.repeat, cores, jobs, edit=args.code is None)
        verdicts = report(root, stats, results, args.repeat, cores, jobs)
    for ok, text in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")


if __name__ == "__main__":
    main()
