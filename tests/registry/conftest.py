"""Fixtures of the registry tests: a bundle compiled once from the shipped specs, stores in tmp.

The bundle is written to a file so that child processes (restore, crash and concurrency tests)
load exactly what the test process uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wfspec.compiler import compile_paths, load_bundle
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.registry import WorkflowRegistry

ROOT = Path(__file__).resolve().parents[2]
CRASH_KILLS = 200
CRASH_NAMES_PER_KILL = 5
"""The crash test's child ``k`` registers axes ``s{k * 5}`` onwards (it is killed long before
it reaches 5)."""
HERE = Path(__file__).resolve().parent
TEMPLATE = "correlation_histogram_1d"
MOTION1_ID = "dummy/motion1_correlation_histogram_1d/1"


def axis_config(source: str = "motion1", unit: str = "mm", **extra: Any) -> dict[str, Any]:
    """A correlation_histogram_1d config; its id is dummy/<source>_correlation_histogram_1d/1.

    The axis must be a timeseries of the bundle: the registry tests' bundle has the extra log
    sources :data:`AXES` (``axes_specs_factory``), which is how the crash and concurrency runs make
    many instances.
    """
    axis = {"workflow_id": "dummy/timeseries_data/1", "source_name": source, "output_name": "delta"}
    return {"x_axis": axis, "x_unit": unit, **extra}


def _compile(paths: list[Path], out: Path) -> Path:
    result = compile_paths(paths)
    if not result.ok:
        problems = [str(d) for d in result.check.diagnostics]
        raise RuntimeError(f"the specs do not compile: {problems}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bundle.json").write_bytes(result.data)
    return out / "bundle.json"


AXES = [
    "motion3",
    "motion4",
    "after_the_crashes",
    *(f"s{n}" for n in range(CRASH_KILLS * CRASH_NAMES_PER_KILL)),
    *(f"{prefix}{n}" for prefix in "ab" for n in range(100)),
]
"""Axis sources of the registry tests beyond the shipped motion1 and motion2."""


@pytest.fixture(scope="session")
def axes_specs(tmp_path_factory: pytest.TempPathFactory, axes_specs_factory: Any) -> Path:
    return axes_specs_factory(tmp_path_factory.mktemp("specs"), AXES)


@pytest.fixture(scope="session")
def bundle_path(tmp_path_factory: pytest.TempPathFactory, axes_specs: Path) -> Path:
    return _compile([axes_specs], tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="session")
def clash_bundle_path(tmp_path_factory: pytest.TempPathFactory, axes_specs: Path) -> Path:
    """The test specs + a static workflow that has the id of the motion2 instance."""
    return _compile([axes_specs, HERE / "specs_static_clash"], tmp_path_factory.mktemp("clash"))


@pytest.fixture(scope="session")
def bundle(bundle_path: Path) -> Any:
    return load_bundle(bundle_path)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "dummy" / "instances.yaml"


@pytest.fixture
def store(store_path: Path) -> InstanceStore:
    return InstanceStore(store_path, instrument="dummy")


@pytest.fixture
def registry(bundle: Any, store: InstanceStore) -> WorkflowRegistry:
    return WorkflowRegistry(bundle, store)


def write_instances(path: Path, instances: dict[str, Any], header: str = "") -> bytes:
    """Write an instances.yaml by hand (JSON flow style is valid YAML); returns its bytes."""
    lines = [header, "format_version: 1", "instances:"]
    for key, entry in instances.items():
        lines.append(f"  {key}: {json.dumps(entry)}")
    data = ("\n".join(line for line in lines if line) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


@pytest.fixture(scope="session")
def config_for() -> Any:
    """``config_for(source="motion1", unit="mm", **extra)`` (see :func:`axis_config`)."""
    return axis_config


@pytest.fixture(scope="session")
def hand_write() -> Any:
    """``hand_write(path, {id: entry}, header="")`` (see :func:`write_instances`)."""
    return write_instances
