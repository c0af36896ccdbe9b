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
