"""The generated params model: defaults dump to exactly the backend's JSON; payloads validate."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from wfspec.compiler.params_model import build_params_model

DUMMY_WORKFLOWS = [
    "monitor_histogram",
    "panel_0_xy",
    "panel_0_layers",
    "area_panel_xy",
    "total_counts",
    "timeseries_data",
]


def dump(model) -> str:
    return json.dumps(model().model_dump(mode="json"), ensure_ascii=False)


@pytest.mark.parametrize("name", DUMMY_WORKFLOWS)
def test_dummy_defaults_dump_to_the_backend_json_byte_for_byte(dummy_params, name):
    entry = dummy_params[name]
    model = build_params_model(name, entry["params"])
    assert dump(model) == entry["expected"]


def test_mu_keeps_the_authors_spelling(dummy_params):
    model = build_params_model("mh", dummy_params["monitor_histogram"]["params"])
    text = dump(model)
    assert "\u03bcs" in text  # GREEK SMALL LETTER MU, as the backend's TimeUnit spells it
    assert "\u00b5" not in text  # never scipp's MICRO SIGN
    # and a payload with the micro sign is not the backend's unit
    with pytest.raises(ValidationError) as info:
        model.model_validate({"toa_range": {"unit": "\u00b5s"}})
    assert info.value.errors()[0]["loc"] == ("toa_range", "unit")


def test_float_written_as_int_dumps_as_float_and_int_stays_int():
    model = build_params_model(
        "t", {"x": {"type": "float", "default": 0}, "n": {"type": "int", "default": 3}}
    )
    dumped = model().model_dump(mode="json")
    assert dumped == {"x": 0.0, "n": 3}
    assert type(dumped["x"]) is float and type(dumped["n"]) is int
    assert type(model.model_validate({"x": 2}).model_dump(mode="json")["x"]) is float


def test_choices_of_every_scalar_type_dump_as_written():
    model = build_params_model(
        "t",
        {
            "s": {"type": "choice", "choices": ["a", "b"], "default": "b"},
            "i": {"type": "choice", "choices": [1, 2, 4], "default": 2},
            "f": {"type": "choice", "choices": [0.5, 1.5], "default": 1.5},
            "labelled": {
                "type": "choice",
                "choices": [{"value": 8, "title": "Eight"}, {"value": "x", "title": "Ex"}],
                "default": 8,
            },
        },
    )
    assert model().model_dump(mode="json") == {"s": "b", "i": 2, "f": 1.5, "labelled": 8}
    chosen = model.model_validate({"i": 4.0, "f": 0.5}).model_dump(mode="json")
    assert chosen["i"] == 4 and type(chosen["i"]) is int  # 4.0 selects the choice written 4
    for bad in ({"i": "2"}, {"i": True}, {"s": "c"}, {"f": 2}):
        with pytest.raises(ValidationError) as info:
            model.model_validate(bad)
        assert info.value.errors()[0]["loc"] == (next(iter(bad)),)


def test_invalid_params_raise_naming_the_field(dummy_params):
    model = build_params_model("mh", dummy_params["monitor_histogram"]["params"])
    with pytest.raises(ValidationError) as info:
        model.model_validate({"toa_edges": {"num_bins": 0}})
    assert info.value.errors()[0]["loc"] == ("toa_edges", "num_bins")
    with pytest.raises(ValidationError) as info:
        model.model_validate({"toa_edges": {"num_bins": 10001}})
    assert info.value.errors()[0]["loc"] == ("toa_edges", "num_bins")
    with pytest.raises(ValidationError) as info:
        model.model_validate({"coordinate_mode": {"mode": "wavelength"}})
    assert "coordinate_mode.mode" in str(info.value)
    with pytest.raises(ValidationError):
        model.model_validate({"toa_edges": {"start": "1.0"}})  # no numbers from strings


def test_builtin_edges_and_range_rules(dummy_params):
    model = build_params_model("view", dummy_params["panel_0_xy"]["params"])
    with pytest.raises(ValidationError) as info:
        model.model_validate({"toa_edges": {"start": 5.0, "stop": 1.0}})
    error = info.value.errors()[0]
    assert error["loc"] == ("toa_edges", "stop")
    assert error["msg"] == "stop must be greater than start"
    with pytest.raises(ValidationError) as info:
        model.model_validate({"toa_edges": {"scale": "log"}})  # the default start is 0
    assert info.value.errors()[0]["msg"] == "a log scale needs a positive start"
    ok = model.model_validate({"toa_edges": {"scale": "log", "start": 0.1}})
    assert ok.toa_edges.scale == "log"
    with pytest.raises(ValidationError) as info:
        model.model_validate({"wavelength_range": {"start": 3.0, "stop": 3.0}})
    assert info.value.errors()[0]["loc"] == ("wavelength_range", "stop")


def test_group_constraints_report_the_authors_message():
    model = build_params_model(
        "roi",
        {
            "roi": {
                "type": "group",
                "fields": {
                    "pixel_start": {"type": "int", "default": 0},
                    "pixel_stop": {"type": "int", "default": 10},
                    "mode": {"type": "choice", "choices": ["all", "some"], "default": "all"},
                },
                "constraints": [
                    {"rule": "pixel_start < pixel_stop", "message": "start before stop, please"},
                    {"rule": "pixel_start >= 2", "when": "mode == some"},
                ],
            }
        },
    )
    with pytest.raises(ValidationError) as info:
        model.model_validate({"roi": {"pixel_start": 10}})
    assert info.value.errors()[0]["msg"] == "start before stop, please"
    assert info.value.errors()[0]["loc"] == ("roi", "pixel_start")
    with pytest.raises(ValidationError) as info:
        model.model_validate({"roi": {"mode": "some"}})
    assert info.value.errors()[0]["msg"] == "pixel_start must be at least 2 when mode is some"
    assert model.model_validate({"roi": {"mode": "some", "pixel_start": 2}}).roi.pixel_start == 2


def test_unknown_keys_are_ignored_but_a_workflow_without_params_rejects_any(dummy_params):
    model = build_params_model("mh", dummy_params["monitor_histogram"]["params"])
    parsed = model.model_validate({"bogus": 1, "toa_edges": {"extra": 2, "num_bins": 7}})
    assert parsed.model_dump(mode="json")["toa_edges"]["num_bins"] == 7
    assert "bogus" not in parsed.model_dump()
    empty = build_params_model("total_counts", {})
    assert empty().model_dump(mode="json") == {}
    with pytest.raises(ValidationError) as info:
        empty.model_validate({"toa_edges": {}})
    assert info.value.errors()[0]["loc"] == ("toa_edges",)


def test_range_toggle_false_drops_enabled_and_extra_fields_are_flattened():
    model = build_params_model(
        "q",
        {
            "q_edges": {
                "type": "edges",
                "unit": "1/Å",
                "fields": {"axis": {"type": "choice", "choices": ["Q", "Qx", "Qy"]}},
                "default": {
                    "start": 0.01,
                    "stop": 0.5,
                    "num_bins": 50,
                    "scale": "log",
                    "unit": "1/Å",
                    "axis": "Qx",
                },
            },
            "pixel_range": {"type": "range", "toggle": False, "default": {"start": 0, "stop": 5}},
        },
    )
    assert model().model_dump(mode="json") == {
        "q_edges": {
            "start": 0.01,
            "stop": 0.5,
            "num_bins": 50,
            "scale": "log",
            "unit": "1/Å",
            "axis": "Qx",
        },
        "pixel_range": {"start": 0.0, "stop": 5.0},
    }
    with pytest.raises(ValidationError) as info:
        model.model_validate({"q_edges": {"unit": "1/nm"}})  # a fixed unit is the only choice
    assert info.value.errors()[0]["loc"] == ("q_edges", "unit")


def test_number_with_a_unit_choice_is_a_value_and_a_unit():
    model = build_params_model(
        "t", {"offset": {"type": "float", "units": ["m", "mm"], "unit": "mm", "default": 2}}
    )
    assert model().model_dump(mode="json") == {"offset": {"value": 2.0, "unit": "mm"}}


def test_group_default_mapping_overrides_field_defaults_and_required_fields():
    model = build_params_model(
        "t",
        {
            "g": {
                "type": "group",
                "fields": {"a": {"type": "int", "default": 1}, "b": {"type": "string"}},
                "default": {"a": 5, "b": "x"},
            },
            "needed": {"type": "float", "min": 0},
        },
    )
    with pytest.raises(ValidationError) as info:
        model()
    assert info.value.errors()[0]["loc"] == ("needed",)
    assert model(needed=1).model_dump(mode="json") == {"g": {"a": 5, "b": "x"}, "needed": 1.0}
    with pytest.raises(ValidationError) as info:
        model(needed=-1)
    assert info.value.errors()[0]["loc"] == ("needed",)


def test_template_config_timeseries_field():
    model = build_params_model(
        "cfg",
        {
            "x_axis": {"type": "timeseries", "title": "Correlation axis"},
            "x_start": {"type": "float", "default": 0.0},
        },
    )
    config = model.model_validate(
        {
            "x_axis": {
                "workflow_id": "dummy/timeseries_data/1",
                "source_name": "motion1",
                "output_name": "delta",
            }
        }
    )
    assert config.x_axis.workflow_id.instrument == "dummy"
    with pytest.raises(ValidationError) as info:
        model.model_validate(
            {
                "x_axis": {
                    "workflow_id": "dummy/timeseries_data",
                    "source_name": "m",
                    "output_name": "d",
                }
            }
        )
    assert info.value.errors()[0]["loc"][0] == "x_axis"


def test_models_are_cached_by_their_definitions(dummy_params):
    defs = dummy_params["monitor_histogram"]["params"]
    assert build_params_model("mh", defs) is build_params_model("mh", dict(defs))
    assert build_params_model("mh", defs) is not build_params_model("other", defs)
    changed = {**defs, "toa_range": {**defs["toa_range"], "units": ["ns", "us", "µs", "ms", "s"]}}
    assert build_params_model("mh", changed) is not build_params_model("mh", defs)
