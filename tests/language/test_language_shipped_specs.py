"""The shipped specs are accepted by the models and the schemas, and say what the issue says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from ruamel.yaml import YAML

from wfspec.compiler.documents import DOCUMENT_MODELS, Workflow
from wfspec.compiler.ids import WorkflowId
from wfspec.compiler.resolve import check_spec_set
from wfspec.compiler.schema_gen import SCHEMA_FILES

REPO = Path(__file__).resolve().parents[2]
SPEC_FILES = sorted((REPO / "specs").rglob("*.yaml"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _documents(path: Path) -> list[dict]:
    return list(YAML(typ="safe").load_all(path.read_text(encoding="utf-8")))


def _schema(name: str) -> Draft7Validator:
    return Draft7Validator(json.loads((REPO / "schemas" / name).read_text(encoding="utf-8")))


def test_there_are_shipped_specs_for_two_instruments() -> None:
    kinds = [doc["kind"] for path in SPEC_FILES for doc in _documents(path)]
    assert kinds.count("Instrument") == 2
    assert set(kinds) == set(DOCUMENT_MODELS)


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_spec_file_starts_with_a_modeline_to_the_umbrella_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path} must start with a yaml-language-server modeline"
    assert (path.parent / match.group(1)).resolve() == REPO / "schemas" / "wfspec.schema.json"


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_models_and_schemas_accept_every_shipped_document(path: Path) -> None:
    umbrella = _schema("wfspec.schema.json")
    for doc in _documents(path):
        DOCUMENT_MODELS[doc["kind"]].model_validate(doc)
        assert [e.message for e in umbrella.iter_errors(doc)] == []
        per_kind = _schema(SCHEMA_FILES[doc["kind"]])
        assert [e.message for e in per_kind.iter_errors(doc)] == []


def test_shipped_set_resolves_without_diagnostics(shipped_spec_set) -> None:
    assert check_spec_set(shipped_spec_set) == []


def _workflow(spec_set, text: str) -> Workflow:
    return spec_set.workflows[WorkflowId.parse(text)].model


def test_dummy_workflows_are_the_backends(shipped_spec_set) -> None:
    ids = {str(i) for i in shipped_spec_set.workflows if i.instrument == "dummy"}
    assert ids == {
        f"dummy/{name}/1"
        for name in (
            "monitor_histogram",
            "panel_0_xy",
            "panel_0_layers",
            "area_panel_xy",
            "total_counts",
            "timeseries_data",
        )
    }
    assert set(shipped_spec_set.templates) == {
        "correlation_histogram_1d",
        "correlation_histogram_2d",
    }


def test_param_order_follows_params_from_then_own(shipped_spec_set) -> None:
    entry = shipped_spec_set.workflows[WorkflowId.parse("dummy/monitor_histogram/1")]
    assert list(shipped_spec_set.resolved_params(entry)) == [
        "coordinate_mode",
        "toa_edges",
        "toa_range",
    ]
    detector = shipped_spec_set.workflows[WorkflowId.parse("dummy/panel_0_xy/1")]
    assert list(shipped_spec_set.resolved_params(detector)) == [
        "coordinate_mode",
        "toa_range",
        "toa_edges",
        "pixel_weighting",
        "wavelength_range",
        "wavelength_edges",
    ]
    layers = shipped_spec_set.workflows[WorkflowId.parse("dummy/panel_0_layers/1")]
    assert list(shipped_spec_set.resolved_params(layers)) == list(
        shipped_spec_set.resolved_params(detector)
    )


def test_param_defaults_are_the_backends(shipped_spec_set) -> None:
    entry = shipped_spec_set.workflows[WorkflowId.parse("dummy/panel_0_xy/1")]
    params = {n: p.definition for n, p in shipped_spec_set.resolved_params(entry).items()}
    toa_edges = params["toa_edges"].default.model_dump(exclude_none=True)
    assert toa_edges == {
        "start": 0.0,
        "stop": 71.43,
        "num_bins": 100,
        "scale": "linear",
        "unit": "ms",
    }
    assert params["toa_range"].default.model_dump(exclude_none=True) == {
        "start": 0.0,
        "stop": 10.0,
        "enabled": False,
        "unit": "μs",
    }
    assert params["toa_edges"].units == ["ns", "us", "μs", "ms", "s"]
    assert params["wavelength_edges"].units == ["Å", "nm"]
    assert params["wavelength_range"].default.unit == "Å"
    mode = params["coordinate_mode"].fields["mode"]
    assert [(c.value, c.title) for c in mode.choices] == [
        ("toa", "Time of arrival (TOA)"),
        ("wavelength", "Wavelength"),
    ]
    method = params["pixel_weighting"].fields["method"]
    assert method.choices == ["pixel_number"] and method.default == "pixel_number"
    monitor = shipped_spec_set.workflows[WorkflowId.parse("dummy/monitor_histogram/1")]
    monitor_mode = shipped_spec_set.resolved_params(monitor)["coordinate_mode"].definition
    assert [c.value for c in monitor_mode.fields["mode"].choices] == ["toa"]


def test_outputs_are_in_the_backends_order(shipped_spec_set) -> None:
    monitor = _workflow(shipped_spec_set, "dummy/monitor_histogram/1")
    assert [(n, o.temporality, o.dims) for n, o in monitor.outputs.items()] == [
        ("cumulative", "cumulative", ["time_of_arrival"]),
        ("current", "window", ["time_of_arrival"]),
        ("counts_total", "window", []),
        ("counts_in_toa_range", "window", []),
        ("counts_total_cumulative", "cumulative", []),
        ("counts_in_toa_range_cumulative", "cumulative", []),
    ]
    assert monitor.device_outputs == {"counts_total_cumulative": "{source_name}_counts_total"}
    xy = _workflow(shipped_spec_set, "dummy/panel_0_xy/1")
    assert list(xy.outputs) == [
        "cumulative",
        "current",
        "counts_total_cumulative",
        "counts_total",
        "counts_in_toa_range_cumulative",
        "counts_in_toa_range",
        "roi_spectra_cumulative",
        "roi_spectra_current",
        "roi_rectangle",
        "roi_polygon",
    ]
    assert {role: aux.default for role, aux in xy.aux_sources.items()} == {
        "roi_rectangle": "roi_rectangle",
        "roi_polygon": "roi_polygon",
    }
    assert all(aux.per_job for aux in xy.aux_sources.values())
    layers = _workflow(shipped_spec_set, "dummy/panel_0_layers/1")
    assert list(layers.outputs) == list(xy.outputs)[:6]
    assert layers.outputs["cumulative"].dims == ["dim_0", "dim_1", "dim_2"]
    series = _workflow(shipped_spec_set, "dummy/timeseries_data/1")
    assert series.outputs["delta"].temporality == "series" and series.outputs["delta"].dims == []
    assert (series.reset_on_run_transition, series.supports_reset) == (False, False)


def test_timeseries_of_an_instrument(shipped_spec_set) -> None:
    refs = [str(r) for r in shipped_spec_set.timeseries("dummy")]
    assert "dummy/timeseries_data/1/delta@motion1" in refs
    assert "dummy/timeseries_data/1/delta@motion2" in refs
    assert "dummy/monitor_histogram/1/counts_total@monitor1" in refs
    assert not any("cumulative" in r for r in refs)  # cumulative outputs are no timeseries
    assert not any("/current@" in r for r in refs)  # a 1-d window output is no timeseries
    minidiff = [str(r) for r in shipped_spec_set.timeseries("minidiff")]
    assert "minidiff/sample_logs/1/value@SE/temperature" in minidiff
    assert shipped_spec_set.timeseries("nope") == []


def test_template_examples_expect_id_and_title(shipped_spec_set) -> None:
    for template in shipped_spec_set.templates.values():
        assert template.model.examples, template.model.name
        for example in template.model.examples:
            assert example.expect.id and example.expect.title
            WorkflowId.parse(example.expect.id)
