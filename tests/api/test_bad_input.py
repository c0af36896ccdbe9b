"""The Python API refuses bad input with a clear error and a "did you mean" (issue 13, part 3).

Tried as a dashboard developer would: a misspelled instrument, another instrument's workflow,
a misspelled param key, an unknown workflow's form. No broker is needed: a Runtime connects
only when started.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wfspec.compiler import UnknownInstrument, UnknownWorkflow, WorkflowId, load_bundle
from wfspec.runtime.app import Runtime
from wfspec.runtime.orchestrator import StageError
from wfspec.runtime.registry import OtherInstrument

KAFKA = {"bootstrap.servers": "127.0.0.1:1"}  # never contacted: the runtime is not started
MONITORS = "dummy/monitor_histogram/1"


@pytest.fixture
def bundle(shipped_bundle_path: Path):
    return load_bundle(shipped_bundle_path)


@pytest.fixture
def runtime(bundle, tmp_path: Path) -> Runtime:
    return Runtime(bundle, "dummy", kafka=KAFKA, state_dir=tmp_path, correlation=False)


def test_a_misspelled_instrument_is_refused_with_a_suggestion(bundle, tmp_path) -> None:
    with pytest.raises(UnknownInstrument) as err:
        Runtime(bundle, "dumy", kafka=KAFKA, state_dir=tmp_path)
    assert str(err.value) == (
        "unknown instrument 'dumy': did you mean 'dummy'? the bundle has dummy, minidiff"
    )
    assert not (tmp_path / "dumy").exists()


def test_a_runtime_lists_only_its_own_instruments_workflows(runtime) -> None:
    assert {wid.instrument for wid in runtime.registry} == {"dummy"}
    assert "minidiff/monitor_histogram/1" not in runtime.registry


def test_another_instruments_workflow_cannot_be_staged(runtime) -> None:
    with pytest.raises(UnknownWorkflow) as err:
        runtime.stage("minidiff/monitor_histogram/1", "monitor1")
    assert "did you mean 'dummy/monitor_histogram/1'?" in str(err.value)


def test_an_unknown_workflow_gets_a_suggestion(runtime) -> None:
    with pytest.raises(UnknownWorkflow, match=r"did you mean 'dummy/monitor_histogram/1'\?"):
        runtime.stage("dummy/monitor_histogramm/1", "monitor1")


def test_another_instruments_template_instance_is_refused(bundle, tmp_path) -> None:
    minidiff = bundle.timeseries("minidiff")
    if not minidiff:
        pytest.skip("the shipped minidiff specs have no timeseries")
    runtime = Runtime(bundle, "dummy", kafka=KAFKA, state_dir=tmp_path, correlation=False)
    with pytest.raises(OtherInstrument, match="belongs to instrument 'minidiff'"):
        runtime.registry.register_from_template(
            "correlation_histogram_1d",
            {"x_axis": str(minidiff[0]), "x_unit": "counts"},
        )
    assert runtime.registry.instance_ids() == []


@pytest.mark.parametrize(
    ("params", "field", "suggestion"),
    [
        ({"toa_edgez": {"num_bins": 10}}, "params.toa_edgez", "toa_edges"),
        ({"toa_edges": {"num_binz": 10}}, "params.toa_edges.num_binz", "num_bins"),
    ],
    ids=["top-level", "nested"],
)
def test_a_misspelled_param_key_is_refused_naming_key_and_suggestion(
    runtime, params: dict, field: str, suggestion: str
) -> None:
    with pytest.raises(StageError) as err:
        runtime.stage(MONITORS, "monitor1", params=params)
    (error,) = err.value.errors
    assert error.field == field
    assert f"did you mean {suggestion!r}?" in error.message
    assert runtime.states() == {} or not runtime.states()[MONITORS].staged_jobs


def test_known_keys_merge_over_the_defaults(runtime) -> None:
    runtime.stage(MONITORS, "monitor1", params={"toa_edges": {"num_bins": 10}})
    (job,) = runtime.orchestrator.state(WorkflowId.parse(MONITORS)).staged_jobs.values()
    assert job.params["toa_edges"]["num_bins"] == 10
    assert job.params["toa_edges"]["unit"] == "ms"  # the default, kept


def test_params_form_of_an_unknown_workflow_is_a_clear_error(bundle) -> None:
    with pytest.raises(UnknownWorkflow) as err:
        bundle.params_form("dummy/nope/1")
    assert str(err.value).startswith("unknown workflow dummy/nope/1")
    assert isinstance(err.value, KeyError)  # still a KeyError for Mapping-minded callers
    with pytest.raises(UnknownWorkflow, match=r"did you mean 'dummy/total_counts/1'"):
        bundle.params_form("dummy/total_count/1")
