"""A correlation axis must be a timeseries of the bundle, wherever a template config enters.

``wfspec instances add ... --set x_axis=dummy/nope/1/delta@motion9`` used to register an
instance that ``instances list`` showed as ok, and a 1-D output was accepted as an axis. Now
``Template.validate_config`` refuses both (a ConfigError naming the field, with did-you-mean), so
``Bundle.instantiate``, ``WorkflowRegistry.register_from_template``, ``wfspec render`` and
``wfspec instances add`` refuse them and store nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wfspec.compiler import ConfigError, compile_paths, load_bundle
from wfspec.compiler.cli import COMMANDS
from wfspec.runtime.cli.main import main
from wfspec.runtime.instance_store import InstanceStore
from wfspec.runtime.registry import WorkflowRegistry

REPO = Path(__file__).resolve().parents[2]
T1D = "correlation_histogram_1d"
GOOD = "dummy/timeseries_data/1/delta@motion1"
BAD = {
    "unknown source": ("dummy/timeseries_data/1/delta@motion9", "delta@motion"),
    "unknown workflow": ("dummy/nope/1/delta@motion9", "dummy/timeseries_data/1/delta@motion"),
    "1-D output": (
        "dummy/monitor_histogram/1/current@monitor1",
        "dummy/monitor_histogram/1/counts_total@monitor1",
    ),
    "other instrument": ("minidiff/timeseries_data/1/delta@temperature", None),
}


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = compile_paths([REPO / "specs"])
    assert result.ok and result.data is not None
    path = tmp_path_factory.mktemp("bundle") / "bundle.json"
    path.write_bytes(result.data)
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_instantiate_refuses_an_axis_that_is_not_a_timeseries(bundle_path: Path, case: str) -> None:
    axis, suggestion = BAD[case]
    bundle = load_bundle(bundle_path)
    with pytest.raises(ConfigError) as info:
        bundle.instantiate(T1D, {"x_axis": axis, "x_unit": "mm"})
    (error,) = info.value.errors
    assert error.field == "x_axis"
    assert "not a timeseries" in error.message or "no timeseries" in error.message
    if suggestion:
        assert suggestion in error.message


def test_the_registry_refuses_and_stores_nothing(bundle_path: Path, tmp_path: Path) -> None:
    store = InstanceStore(tmp_path / "instances.yaml", instrument="dummy")
    registry = WorkflowRegistry(load_bundle(bundle_path), store)
    with pytest.raises(ConfigError, match="x_axis"):
        registry.register_from_template(T1D, {"x_axis": BAD["unknown source"][0], "x_unit": "mm"})
    assert registry.instance_ids() == []
    assert not store.path.exists() or store.load() == {}
    registry.register_from_template(T1D, {"x_axis": GOOD, "x_unit": "mm"})
    assert len(registry.instance_ids()) == 1


def test_wfspec_render_refuses_with_one_line(bundle_path: Path) -> None:
    render = next(c for c in COMMANDS if c.name == "render")
    args = [T1D, "--specs", str(bundle_path), "--set", "x_unit=mm"]
    result = CliRunner().invoke(render, [*args, "--set", f"x_axis={BAD['1-D output'][0]}"])
    assert result.exit_code == 1
    assert "x_axis" in result.output and "Traceback" not in result.output
    assert CliRunner().invoke(render, [*args, "--set", f"x_axis={GOOD}"]).exit_code == 0


def test_wfspec_instances_add_refuses_and_stores_nothing(
    bundle_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def add(axis: str) -> Any:
        args = ["instances", "add", T1D, "--bundle", str(bundle_path)]
        return CliRunner().invoke(main, [*args, "--set", f"x_axis={axis}", "--set", "x_unit=mm"])

    refused = add("dummy/nope/1/delta@motion9")
    assert refused.exit_code == 1, refused.output
    assert "x_axis" in refused.output and "Traceback" not in refused.output
    store = tmp_path / "state" / "wfspec" / "dummy" / "instances.yaml"
    assert not store.exists() or InstanceStore(store).load() == {}
    assert add(GOOD).exit_code == 0
    assert list(InstanceStore(store).load()) == ["dummy/motion1_correlation_histogram_1d/1"]


def test_a_stored_instance_whose_axis_is_gone_is_stale_not_ok(
    bundle_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "instances.yaml"
    axis = {
        "workflow_id": "dummy/timeseries_data/1",
        "source_name": "motion9",
        "output_name": "delta",
    }
    path.write_text(
        "format_version: 1\ninstances:\n"
        f"  dummy/motion9_correlation_histogram_1d/1: "
        f'{{"template": "{T1D}", "config": {{"x_axis": {json.dumps(axis)}, "x_unit": "mm"}}}}\n',
        encoding="utf-8",
    )
    registry = WorkflowRegistry(load_bundle(bundle_path), InstanceStore(path))
    assert registry.instance_ids() == []
    (stale,) = registry.stale()
    assert stale.kind == "config_invalid" and "x_axis" in stale.reason
