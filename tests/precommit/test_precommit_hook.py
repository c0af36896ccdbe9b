"""The shipped ``.pre-commit-hooks.yaml`` as another repository uses it, with the real pre-commit.

``pre-commit try-repo`` installs wfspec from this working tree into its own virtualenv (about
30 s: the wheels come from the pip cache or the local index) and runs the hook on the staged
files of a scratch repository that holds a copy of the shipped spec set, exactly as on
``git commit``. Default settings: no ``args``, no ``files`` override.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not (BIN / "pre-commit").exists(),
    reason="pre-commit is in the test extra: pip install -e .[test]",
)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the module: the hook's virtualenv is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with the shipped specs in specs/, a CI file and a pre-commit config."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "specs")
    return tmp_path


def try_repo(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PATH": f"{BIN}:{os.environ['PATH']}"}
    return subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(REPO), "wfspec-check"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_valid_one_line_change_passes(project: Path, home: Path) -> None:
    # Before: R003 unknown instrument 'dummy' and R007 unknown ParamSet blocked this commit.
    spec = project / "specs" / "dummy" / "monitor_histogram.yaml"
    edit(spec, "title: Beam monitor", "title: Beam monitor counts")
    edit(project / ".github" / "workflows" / "ci.yml", "on: push", "on: [push]")  # not a spec
    git(project, "add", ".")
    result = try_repo(project, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wfspec check" in result.stdout and "Passed" in result.stdout


def test_an_invalid_change_fails_at_the_changed_file(project: Path, home: Path) -> None:
    spec = project / "specs" / "dummy" / "monitor_histogram.yaml"
    edit(spec, "source_names: [monitor1, monitor2]", "source_names: [monitor1, monitr2]")
    git(project, "add", ".")
    result = try_repo(project, home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "specs/dummy/monitor_histogram.yaml:" in result.stdout
    assert "R004" in result.stdout and "did you mean 'monitor2'" in result.stdout
