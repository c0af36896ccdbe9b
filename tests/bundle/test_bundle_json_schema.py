"""schemas/bundle.schema.json describes the bundle exactly: the shipped one passes, damage fails."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator


@pytest.fixture(scope="module")
def validator(repo) -> Draft7Validator:
    schema = json.loads((repo / "schemas" / "bundle.schema.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    assert "definitions" in schema and "$defs" not in _keys(schema)
    return Draft7Validator(schema)


def _keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for value in node.values() for k in _keys(value)}
    if isinstance(node, list):
        return {k for value in node for k in _keys(value)}
    return set()


def test_the_shipped_bundle_matches_the_bundle_schema(validator, shipped_bytes):
    document = json.loads(shipped_bytes)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_form_schemas_in_the_bundle_use_definitions_never_defs(shipped_bytes):
    document = json.loads(shipped_bytes)
    assert "$defs" not in _keys(document)
    config_schema = document["templates"]["correlation_histogram_1d"]["config_schema"]
    assert "TimeseriesReference" in config_schema["definitions"]


def test_a_template_instance_spec_matches_the_workflow_spec_definition(validator, bundle):
    example = bundle.templates["correlation_histogram_2d"].examples[0]
    spec = bundle.instantiate("correlation_histogram_2d", example["config"]).to_json()
    sub = Draft7Validator({**validator.schema, "$ref": "#/definitions/WorkflowSpec"})
    assert [e.message for e in sub.iter_errors(spec)] == []


WID = "dummy/monitor_histogram/1"
T1D = "correlation_histogram_1d"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.__setitem__("format_version", "1"),
        lambda d: d.__setitem__("format_version", 2),
        lambda d: d.__setitem__("generated_at", "2026-11-23T00:00:00Z"),
        lambda d: d.__setitem__("sources_digest", "md5:abc"),
        lambda d: d.pop("templates"),
        lambda d: d["workflows"].__setitem__("Dummy/x/1", d["workflows"][WID]),
        lambda d: d["workflows"].__setitem__("dummy/x/0", d["workflows"][WID]),
        lambda d: d["workflows"][WID].pop("defaults"),
        lambda d: d["workflows"][WID]["spec"].__setitem__("id", "dummy/monitor_histogram"),
        lambda d: d["workflows"][WID]["spec"]["outputs"]["current"].__setitem__("temporality", "x"),
        lambda d: d["workflows"][WID]["spec"]["params"]["toa_edges"].pop("type"),
        lambda d: d["workflows"][WID]["ui_schema"].pop("ui:order"),
        lambda d: d["instruments"]["dummy"]["sources"][0].__setitem__("kind", "camera"),
        lambda d: d["timeseries"]["dummy"].append("dummy/timeseries_data/1/delta"),
        lambda d: d["templates"][T1D].pop("body"),
        lambda d: d["templates"][T1D]["examples"][0].__setitem__("note", "x"),
    ],
)
def test_a_damaged_bundle_fails_the_bundle_schema(validator, shipped_bytes, damage):
    document = json.loads(shipped_bytes)
    damage(document)
    assert not validator.is_valid(document)
