"""What the dashboard reads from a loaded bundle: template examples and the dummy defaults."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from wfspec.compiler import WorkflowId

DUMMY_WORKFLOWS = [
    "monitor_histogram",
    "panel_0_xy",
    "panel_0_layers",
    "area_panel_xy",
    "total_counts",
    "timeseries_data",
]


def _written_examples(repo):
    """(template, config, expect) of every example in specs/, read straight from the YAML."""
    found = []
    for path in sorted((repo / "specs").rglob("*.y*ml")):
        for doc in YAML(typ="safe").load_all(path):
            if isinstance(doc, dict) and doc.get("kind") == "WorkflowTemplate":
                found += [(doc["name"], e["config"], e["expect"]) for e in doc.get("examples", [])]
    return found


def _actual(spec, key):
    value = getattr(spec, key)
    if key == "id":
        return str(value)
    if key == "source_names":
        return list(value)
    return value


def test_every_template_example_instantiates_to_its_expect(bundle, repo):
    examples = _written_examples(repo)
    assert len(examples) >= 2
    stored = [
        (n, e["config"], e["expect"]) for n, t in bundle.templates.items() for e in t.examples
    ]
    assert sorted(map(json.dumps, stored)) == sorted(map(json.dumps, examples))
    for name, config, expect in examples:
        spec = bundle.instantiate(name, config)
        actual = {key: _actual(spec, key) for key in expect}
        assert actual == expect, name
        assert spec.origin is not None and spec.origin.template == name


@pytest.mark.parametrize("name", DUMMY_WORKFLOWS)
def test_dummy_defaults_from_the_loaded_bundle_are_the_backend_json(
    bundle, bundle_file, dummy_backend_json, name
):
    wid = WorkflowId(instrument="dummy", name=name, version=1)
    spec = bundle.workflows[wid]
    dumped = json.dumps(spec.params().model_dump(mode="json"), ensure_ascii=False)
    assert dumped == dummy_backend_json[name]
    # the stored defaults (what a UI shows before building a model) are the same JSON
    stored = json.loads(bundle_file.read_text(encoding="utf-8"))["workflows"][str(wid)]
    assert json.dumps(stored["defaults"], ensure_ascii=False) == dummy_backend_json[name]
    assert bundle.params_form(wid)["defaults"] == stored["defaults"]


def test_invalid_params_name_the_field(bundle):
    from pydantic import ValidationError

    model = bundle.workflows["dummy/monitor_histogram/1"].params
    with pytest.raises(ValidationError) as info:
        model.model_validate({"toa_edges": {"num_bins": "many"}})
    assert info.value.errors()[0]["loc"][:2] == ("toa_edges", "num_bins")


def test_timeseries_lists_every_timeseries_output_as_a_stable_reference(bundle):
    refs = [str(r) for r in bundle.timeseries()]
    assert "dummy/timeseries_data/1/delta@motion1" in refs
    assert "minidiff/sample_logs/1/value@SE/temperature" in refs
    assert refs == sorted(set(refs), key=refs.index)  # no duplicates
    for ref in bundle.timeseries("dummy"):
        output = bundle.workflows[ref.workflow_id].outputs[ref.output_name]
        assert output.is_timeseries
        assert ref.source_name in bundle.workflows[ref.workflow_id].source_names
