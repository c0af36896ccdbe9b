"""Fixtures shared by every test folder: the compiled shipped bundle and a real Kafka broker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"


@pytest.fixture(scope="session")
def shipped_bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bundle.json`` compiled from the shipped ``specs/`` (once per session)."""
    from wfspec.compiler import compile_paths

    result = compile_paths([SPECS])
    assert result.ok, "the shipped specs must compile"
    out = tmp_path_factory.mktemp("shipped-build") / "bundle.json"
    out.write_bytes(result.data)
    return out


@pytest.fixture
def kafka_broker() -> Iterator[object]:
    """A fresh embedded Tansu broker on a free loopback port (``.bootstrap_servers``).

    Function scope: the broker keeps everything in memory, so every test starts from an empty
    one; tests may ``kill()`` or ``restart()`` it.
    """
    from wfspec.runtime.broker import EmbeddedBroker

    with EmbeddedBroker() as broker:
        yield broker


def _wait_for(condition: Callable[[], object], timeout: float = 20.0) -> bool:
    """Poll ``condition`` every 50 ms until it holds or ``timeout`` s passed; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture
def wait_for() -> Callable[..., bool]:
    """``assert wait_for(lambda: ..., timeout=20.0)``: for state that Kafka delivers later."""
    return _wait_for


@pytest.fixture(scope="session")
def axes_specs_factory() -> Callable[[Path, list[str]], Path]:
    """``specs_with_axes(dest, names)``: the shipped specs plus correlation axes ``names``."""
    from axes_specs import specs_with_axes  # benchmarks/ is on pytest's pythonpath

    return specs_with_axes


def _alias_bomb(levels: int = 6) -> str:
    """A config whose aliases would expand to 10**levels strings."""
    lines = ["x_unit: mm", "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]")
    return "\n".join([*lines, f"x_axis: *l{levels - 1}", ""])


HOSTILE_CONFIGS = {
    "alias bomb": (_alias_bomb(), ":6:5:", "alias bomb"),
    "bad int tag": ("x_unit: mm\nx_start: !!int abc\n", ":2:10:", "'abc' is not an integer"),
    "duplicate key": ("x_unit: mm\nx_unit: cm\n", ":2:1:", "duplicate key 'x_unit'"),
    "python tag": ("x_unit: !!python/name:os.system\n", ":1:9:", "unsupported YAML tag"),
}
"""Template config files every command that reads ``--config`` must refuse at their line:
text, the ``:line:col:`` expected after the file name, and words of the message."""


@pytest.fixture(params=sorted(HOSTILE_CONFIGS))
def hostile_config(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, str]:
    """A hostile config file (one of :data:`HOSTILE_CONFIGS`): (path, where, words)."""
    text, where, words = HOSTILE_CONFIGS[request.param]
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path, where, words
