"""The shipped specs/: params check clean, and the dummy defaults are the backend's JSON."""

from __future__ import annotations

import json

from wfspec.compiler.diagnostics import Location
from wfspec.compiler.params_check import check_param_defs
from wfspec.compiler.params_model import build_params_model
from wfspec.compiler.source import SourceDocument


def test_shipped_params_have_no_diagnostics(shipped_param_set):
    _label, params, is_config = shipped_param_set
    doc = SourceDocument(
        "specs", 0, {"params": params}, Location("specs"), lambda p: Location("specs")
    )
    assert check_param_defs(params, doc, ("params",), allow_timeseries=is_config) == []


def test_specs_ship_all_six_dummy_workflows(dummy_params, shipped_labels):
    assert {f"dummy/{name}/1" for name in dummy_params} <= shipped_labels


def test_shipped_dummy_defaults_are_the_backend_json(shipped_dummy_workflow, dummy_params):
    name, params = shipped_dummy_workflow
    dumped = build_params_model(name, params)().model_dump(mode="json")
    assert dumped == json.loads(dummy_params[name]["expected"])
    assert list(dumped) == list(params)  # the YAML order (params_from sets, then own)
    assert "\u00b5" not in json.dumps(dumped, ensure_ascii=False)
