"""The UI form: draft-07 JSON Schema + react-jsonschema-form uiSchema, from the same ParamDefs."""

from __future__ import annotations

import json

from jsonschema import Draft7Validator

from wfspec.compiler.forms import build_form, form_validator
from wfspec.compiler.params_model import build_params_model


def test_form_is_valid_draft7_and_never_uses_defs(dummy_params):
    for name, entry in dummy_params.items():
        form = build_form(entry["params"], name=name)
        Draft7Validator.check_schema(form.json_schema)
        assert form.json_schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert "$defs" not in json.dumps(form.json_schema)


def test_defaults_come_from_the_params_model(dummy_params):
    defs = dummy_params["panel_0_xy"]["params"]
    schema = build_form(defs, name="view").json_schema
    defaults = {name: prop["default"] for name, prop in schema["properties"].items()}
    assert defaults == build_params_model("view", defs)().model_dump(mode="json")
    assert schema["properties"]["toa_edges"]["properties"]["start"]["default"] == 0.0


def test_titles_units_and_choices(dummy_params):
    form = build_form(
        {
            "toa_edges": {
                "type": "edges",
                "title": "Time-of-arrival bins",
                "unit": "ms",
                "default": {"start": 0.0, "stop": 71.43, "num_bins": 100, "unit": "ms"},
            },
            "delay": {"type": "float", "unit": "μs", "description": "Chopper delay."},
            "extra": {"type": "group", "fields": {"num_bins": {"type": "int", "default": 2}}},
        }
    )
    props = form.json_schema["properties"]
    assert props["toa_edges"]["title"] == "Time-of-arrival bins [ms]"
    assert props["toa_edges"]["x-unit"] == "ms"
    assert props["delay"]["title"] == "Delay [μs]" and props["delay"]["x-unit"] == "μs"
    assert props["delay"]["description"] == "Chopper delay."
    assert form.ui_schema["delay"]["ui:help"] == "Chopper delay."
    assert "delay" in form.json_schema["required"]
    assert props["extra"]["properties"]["num_bins"]["title"] == "Num bins"
    edges = props["toa_edges"]["properties"]
    assert edges["num_bins"]["minimum"] == 1 and edges["num_bins"]["maximum"] == 10000
    assert edges["unit"]["enum"] == ["ms"] and edges["unit"]["readOnly"] is True

    view = build_form(dummy_params["panel_0_xy"]["params"]).json_schema["properties"]
    assert view["toa_range"]["properties"]["unit"]["enum"] == ["ns", "us", "\u03bcs", "ms", "s"]
    assert view["coordinate_mode"]["properties"]["mode"]["oneOf"] == [
        {"const": "toa", "title": "Time of arrival (TOA)"},
        {"const": "wavelength", "title": "Wavelength"},
    ]


def test_ui_schema_order_help_widgets_frozen_and_advanced(dummy_params):
    form = build_form(dummy_params["panel_0_xy"]["params"])
    ui = form.ui_schema
    assert ui["ui:order"] == list(dummy_params["panel_0_xy"]["params"])
    assert ui["toa_edges"]["ui:order"] == ["start", "stop", "num_bins", "scale", "unit"]
    assert ui["pixel_weighting"]["ui:options"] == {"collapsed": True}
    assert ui["pixel_weighting"]["method"]["ui:disabled"] is True
    assert ui["pixel_weighting"]["enabled"]["ui:widget"] == "checkbox"
    assert ui["toa_range"]["unit"]["ui:widget"] == "select"
    assert ui["coordinate_mode"]["mode"]["ui:widget"] == "radio"
    props = form.json_schema["properties"]
    assert props["pixel_weighting"]["properties"]["method"]["readOnly"] is True


def test_constraints_in_the_schema(dummy_params):
    schema = build_form(dummy_params["monitor_histogram"]["params"]).json_schema
    edges = schema["properties"]["toa_edges"]
    rules = {c["rule"]: c for c in edges["x-constraints"]}
    assert rules["stop > start"]["message"] == "stop must be greater than start"
    assert rules["start > 0"]["when"] == {"field": "scale", "op": "eq", "value": "log"}
    plain = Draft7Validator(schema)
    log_from_zero = {"toa_edges": {"start": 0.0, "stop": 1.0, "num_bins": 5, "scale": "log"}}
    assert not plain.is_valid(log_from_zero)  # if/then says it in plain draft-07
    backwards = {"toa_edges": {"start": 2.0, "stop": 1.0}}
    assert plain.is_valid(backwards)  # draft-07 cannot compare two fields ...
    messages = [e.message for e in form_validator(schema).iter_errors(backwards)]
    assert messages == ["stop must be greater than start"]  # ... x-constraints can


def test_no_params_form_rejects_any_property():
    schema = build_form({}).json_schema
    assert not Draft7Validator(schema).is_valid({"x": 1})
    assert Draft7Validator(schema).is_valid({})


def test_template_config_form_with_timeseries():
    form = build_form(
        {
            "x_axis": {"type": "timeseries", "title": "Correlation axis"},
            "x_unit": {"type": "string", "title": "Axis unit"},
            "x_start": {"type": "float", "default": 0.0},
        },
        name="correlation_histogram_1d",
        title="1D Correlation Histogram",
    )
    schema = form.json_schema
    Draft7Validator.check_schema(schema)
    assert schema["title"] == "1D Correlation Histogram"
    assert set(schema["definitions"]["TimeseriesReference"]["required"]) == {
        "workflow_id",
        "source_name",
        "output_name",
    }
    assert schema["required"] == ["x_axis", "x_unit"]
    ok = {
        "x_axis": {
            "workflow_id": "dummy/timeseries_data/1",
            "source_name": "motion1",
            "output_name": "delta",
        },
        "x_unit": "mm",
    }
    assert Draft7Validator(schema).is_valid(ok)
    assert not Draft7Validator(schema).is_valid({**ok, "x_axis": {"workflow_id": "dummy"}})
