"""Runtime set-up shared by the Kafka tests: the shipped bundle, a fresh broker's client
config and a :class:`Runtime` on it.

A test module changes the runtime's thresholds by overriding ``runtime_options`` (keyword
arguments passed to :class:`Runtime` on top of the defaults here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wfspec.compiler import load_bundle
from wfspec.runtime.app import Runtime


@pytest.fixture
def bundle(shipped_bundle_path: Path):
    return load_bundle(shipped_bundle_path)


@pytest.fixture
def kafka(kafka_broker) -> dict[str, str]:
    return {"bootstrap.servers": kafka_broker.bootstrap_servers}


@pytest.fixture
def runtime_options() -> dict[str, Any]:
    """Extra :class:`Runtime` keyword arguments; override in a module to change them."""
    return {}


@pytest.fixture
def runtime(bundle, kafka, tmp_path: Path, runtime_options: dict[str, Any]) -> Iterator[Runtime]:
    with Runtime(
        bundle,
        "dummy",
        kafka=kafka,
        state_dir=tmp_path,
        tick_interval_s=0.2,
        correlation=False,
        **runtime_options,
    ) as started:
        yield started
