"""The fast spec-loading paths give exactly what the plain ones give.

Specs are composed with libyaml when PyYAML has it and with PyYAML's pure-Python loader
otherwise (or when libyaml refuses a file, so that the messages are PyYAML's own); large
folders are parsed in worker processes.  Each pair must agree on every model, every
problem and every line, for valid and hostile input alike.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from schemaverify.errors import SpecError
from schemaverify.sources.specs import load as specload
from schemaverify.sources.specs import yamlnodes
from schemaverify.sources.specs.load import load_spec_file, load_specs

ROOT = Path(__file__).resolve().parents[2]
SPEC_FILES = sorted((ROOT / "specs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures").rglob("*.yaml")
)
ACCESS = ("service_role_only", "organization", "domain", "admin", "owner", "public_read")

needs_libyaml = pytest.mark.skipif(
    yamlnodes._FastLoader is None, reason="PyYAML without libyaml: one path only"
)


def outcome(text: str) -> str:
    """What `loads` makes of `text`: the tree, or the problems as printed."""
    try:
        return repr(yamlnodes.loads(text, "f.yaml"))
    except SpecError as err:
        return "\n".join(err.lines())


def pure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the loader behave as on a PyYAML built without libyaml."""
    monkeypatch.setattr(yamlnodes, "_FastLoader", None)


def both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    fast = outcome(text)
    with monkeypatch.context() as patch:
        pure(patch)
        plain = outcome(text)
    return fast, plain


ALIAS_BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)

CASES = {
    # valid documents: every scalar type YAML 1.1 resolves, anchors, merge keys
    "scalars": (
        "a: [yes, No, on, OFF, y, n, true, ~, null, Null, '', 1.5, .inf, -.Inf, .nan, 1e3,"
        " 0o17, 017, 0b101, 0x1F, +12, -0, 1_000, 1:20:30, 190:20:30.15, 2001-12-14,"
        " 2001-12-14t21:59:43.10-05:00, '12', \"x\", plain text]\n"
    ),
    "repeated scalars": "a: [yes, yes, 1, 1, x, x]\nb: {yes: 1, 'yes': 2}\n",
    "block scalars": "a: |\n  line1\n  line2\nb: >-\n  folded\n  text\nc: |+\n  kept\n\n",
    "unicode": "name: Übertisch\nnote: '日本語 😀'\nk\u00e9y: \"\\u00e9\\U0001F600\"\n",
    "merge keys": "x: &x {a: 1, b: 2}\ny: &y {b: 3, c: 4}\nz:\n  <<: [*x, *y]\n  c: 5\n",
    "merge one": "x: &x {a: 1}\nz: {<<: *x, b: 2}\n",
    "aliases": "a: &a {k: [1, 2]}\nb: *a\nc: [*a, *a]\n",
    "explicit str tag": "a: !!str 1\nb: !!int '2'\nc: !!map {x: 1}\nd: !!seq [1]\ne: ! 12\n",
    "non-string keys": "1: a\n1.5: b\ntrue: c\n~: d\n2001-12-14: e\n",
    "crlf": "a: 1\r\nb:\r\n  - 2\r\n",
    "comments and directives": "%YAML 1.1\n---\n# c\na: 1 # c\n...\n",
    "empty": "",
    "comment only": "# nothing\n",
    "long plain scalar": "a: " + "x" * 200 + "\nb: " + "x" * 200 + "\n",
    "deep but allowed": "a: " + "[" * 62 + "]" * 62 + "\n",
    # hostile or malformed documents
    "alias bomb": ALIAS_BOMB,
    "recursive alias": "a: &a [1, *a]\n",
    "recursive mapping alias": "a: &a {b: *a}\n",
    "duplicate key": "a: 1\nb: 2\na: 3\nb: 4\n",
    "duplicate key beside merge": "x: &x {a: 1}\ny:\n  <<: *x\n  a: 2\n  a: 3\n",
    "duplicate null and bool keys": "~: 1\nnull: 2\ntrue: 3\nyes: 4\n",
    "python tag": "a: !!python/object/apply:os.system [echo hi]\n",
    "binary tag": "a: !!binary aGk=\n",
    "local tag": "a: !foo x\n",
    "set tag": "a: !!set {x, y}\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n",
    "bad bool": "a: !!bool maybe\n",
    "bad int": "a: !!int x12\n",
    "bad float": "a: !!float x12\n",
    "huge int": "a: " + "9" * 5000 + "\n",
    "huge hex int": "a: 0x" + "f" * 3600 + "\n",
    "huge base-60 int": "a: 1" + ":0" * 2500 + "\n",
    "lone surrogate escape": 'a: "t\\ud800"\n',
    "lone surrogate key": '"\\udc00": 1\n',
    "lone surrogate in text": "a: t\ud800\n",
    "control character": "a: b\x01c\n",
    "nul": "a: b\x00c\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "complex key": "? [a, b]\n: 1\n",
    "merge of a scalar": "z:\n  <<: 3\n",
    "merge of a list of scalars": "z:\n  <<: [1]\n",
    "undefined alias": "a: *nope\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "tab indentation": "a:\n\t- b\n",
    "unclosed flow": "a: [1, 2\nb: 3\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "nested far too deep": "a: " + "[" * 5000,
}


@needs_libyaml
@pytest.mark.parametrize("case", list(CASES))
def test_libyaml_and_pure_loader_agree(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain = both(CASES[case], monkeypatch)
    assert fast == plain


@needs_libyaml
@pytest.mark.parametrize("depth", [63, 64, 70, 300])
def test_both_loaders_refuse_deep_nesting(depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deeper than MAX_DEPTH is refused on both paths.  (The pure composer refuses while
    composing, as a syntax error, where libyaml composes and the converter refuses: the
    wording differs by that prefix, as it always has.)"""
    text = "a: " + "[" * depth + "]" * depth + "\n"
    fast, plain = both(text, monkeypatch)
    if depth < yamlnodes.MAX_DEPTH:
        assert fast == plain and fast.startswith("Map(")
    else:
        assert fast.startswith("f.yaml:1: ") and fast.endswith("nested more than 64 levels deep")
        assert plain == "f.yaml:1: YAML syntax error: nested more than 64 levels deep"


@needs_libyaml
def test_every_repository_spec_loads_the_same_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert SPEC_FILES
    for path in SPEC_FILES:
        fast, plain = both(path.read_text(encoding="utf-8"), monkeypatch)
        assert fast == plain, path
        with monkeypatch.context() as patch:
            pure(patch)
            plain_spec = spec_or_problems(path)
        assert spec_or_problems(path) == plain_spec, path


def spec_or_problems(path: Path) -> object:
    try:
        return load_spec_file(path, display_path=path.name, access_kinds=ACCESS)
    except SpecError as err:
        return err.lines()


@needs_libyaml
def test_memoized_resolver_gives_pyyaml_tags() -> None:
    """The memo answers a plain scalar by its text; PyYAML's own resolver must agree for
    every spelling, asked twice (the second time from the memo)."""
    words = CASES["scalars"].removeprefix("a: [").rstrip("]\n").split(", ")
    words = [w for w in words if not w.startswith(("'", '"'))]
    words += ["<<", "=", "0", "-1", "1.", ".5", "NULL", "True", "FALSE", "0:30", "x" * 80]
    for _ in range(2):
        for word in words:
            for text in (word, f"'{word}'", f"! {word}"):
                fast = yaml.compose(f"k: {text}\n", Loader=yamlnodes._FastLoader)
                plain = yaml.compose(f"k: {text}\n", Loader=yaml.SafeLoader)
                assert fast is not None and plain is not None
                assert fast.value[0][1].tag == plain.value[0][1].tag, text


def write_folder(folder: Path, count: int) -> list[Path]:
    """`count` specs, some with problems, two describing the same table."""
    template = (ROOT / "tests" / "fixtures" / "specs_good" / "feature_flags.yaml").read_text()
    paths = []
    for number in range(count):
        path = folder / f"sub{number % 3}" / f"t{number:03d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = template.replace("feature_flags", f"flags_{number:03d}")
        if number % 7 == 3:
            text += "\nunknown_key: 1\n"
        if number % 11 == 5:
            text = text.replace("columns:", "columns:\n  - {name: 1, type: [x]}", 1)
        if number == count - 1:
            text = template  # the same table as the one below
        if number == count - 2:
            text = template
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


needs_fork = pytest.mark.skipif(specload._can_fork() is False, reason="no fork here")


@needs_fork
def test_parallel_parse_matches_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(write_folder(tmp_path, 60))
    kinds = specload._AccessKinds(ACCESS)
    serial = specload._parse_chunk(files, kinds)
    seen = tmp_path / "pids"
    seen.mkdir()
    parse_file = specload._parse_file

    def recording(path: Path, shown: str, kinds: specload._AccessKinds) -> object:
        (seen / str(os.getpid())).touch()
        return parse_file(path, shown, kinds)

    # Forked workers inherit the patched module, so they record their pid too.
    monkeypatch.setattr(specload, "_parse_file", recording)
    parallel = specload._parse_all(files, kinds, workers=2)
    assert parallel == serial
    assert any(isinstance(r, list) for r in serial) and any(not isinstance(r, list) for r in serial)
    assert len(list(seen.iterdir())) == 2  # this process and one worker both parsed


def test_load_specs_in_parallel_reports_what_serial_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_folder(tmp_path, 50)

    def run() -> object:
        try:
            return load_specs(tmp_path, access_kinds=ACCESS)
        except SpecError as err:
            return err.lines()

    monkeypatch.setattr(specload, "PARALLEL_MIN_FILES", 10**9)
    serial = run()
    monkeypatch.setattr(specload, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(specload, "_workers", lambda files: 2)
    parallel = run()
    assert isinstance(serial, list) and any("already described by" in line for line in serial)
    assert parallel == serial


@needs_fork
def test_a_dead_worker_costs_only_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks a worker did not deliver (it was killed: out of memory, a signal) are parsed
    in this process."""
    files = sorted(write_folder(tmp_path, 40))
    kinds = specload._AccessKinds(ACCESS)
    serial = specload._parse_chunk(files, kinds)
    parent = os.getpid()
    parse_file = specload._parse_file

    def dying(path: Path, shown: str, kinds: specload._AccessKinds) -> object:
        if os.getpid() != parent:
            os._exit(9)
        return parse_file(path, shown, kinds)

    monkeypatch.setattr(specload, "_parse_file", dying)
    assert specload._parse_all(files, kinds, workers=2) == serial


def test_no_fork_means_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(specload, "PARALLEL_MIN_FILES", 4)
    assert specload._workers(3) == 1
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert specload._workers(10_000) == 1


def test_folder_loads_the_same_without_libyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = ROOT / "specs"
    fast = load_specs(folder, access_kinds=None)
    pure(monkeypatch)
    assert load_specs(folder, access_kinds=None) == fast
