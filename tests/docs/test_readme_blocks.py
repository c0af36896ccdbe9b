"""Every Python code block of the README runs (issue 13: its example could not run at all).

The blocks run in a fresh interpreter, in a folder holding ``build/bundle.json`` compiled from
the shipped specs (what ``make run`` leaves behind), with ``XDG_STATE_HOME`` pointing into the
test's temporary folder so nothing touches the user's state.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[str]:
    return BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_python_examples() -> None:
    assert python_blocks(), "the README lost its Python example"


@pytest.mark.kafka
@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_python_block_runs(index: int, shipped_bundle_path: Path, tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "bundle.json").write_bytes(shipped_bundle_path.read_bytes())
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    result = subprocess.run(
        [sys.executable, "-c", python_blocks()[index]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
