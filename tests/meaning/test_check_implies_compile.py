"""Property: whatever ``wfspec check`` accepts, ``wfspec compile`` builds (no I001 from a spec).

Hypothesis generates param definitions — every type, bounds and defaults including the numbers
that used to pass check and break the build (``max: 16.5`` or ``1e20`` on an int, ``1e400`` on a
float), units from a pool with typos and mixed dimensions, frozen fields, choices — puts them in
a Workflow document next to a small instrument, and asserts:

- no internal error (I001) in check or compile, ever;
- when check finds no errors, compile succeeds; the emitted params model builds; its defaults
  are accepted by the emitted form (draft-07 + x-constraints) and the form's ``required`` lists
  exactly the fields the model needs.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from wfspec.compiler import CompileResult, compile_paths
from wfspec.compiler.bundle import bundle_from_document
from wfspec.compiler.checker import check_paths
from wfspec.compiler.forms import form_validator

INSTRUMENT = {
    "kind": "Instrument",
    "name": "prop",
    "title": "Property instrument",
    "sources": [{"name": "det", "kind": "detector"}],
}

SPECIAL = [16.5, 1e20, float("inf"), float("-inf"), float("nan"), 2**63, -(2**63), 0.5, 3.0]
NUMBERS = st.one_of(
    st.integers(-20, 20), st.floats(-20, 20, allow_nan=False), st.sampled_from(SPECIAL)
)
UNITS = st.sampled_from(["ms", "ns", "s", "mm", "mmm", "MS", "counts", "μs", "bogus"])


def _maybe(key: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), values.map(lambda v: {key: v}))


def _merge(*parts: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(*parts).map(lambda ds: {k: v for d in ds for k, v in d.items()})


def _number(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    default = st.integers(-20, 20) if kind == "int" else NUMBERS
    return _merge(
        st.just({"type": kind}),
        _maybe("min", NUMBERS),
        _maybe("max", NUMBERS),
        _maybe("exclusive_min", NUMBERS),
        _maybe("default", st.one_of(default, st.sampled_from(SPECIAL))),
        _maybe("unit", UNITS),
        _maybe("units", st.lists(UNITS, min_size=1, max_size=3, unique=True)),
        _maybe("frozen", st.booleans()),
    )


CHOICE = _merge(
    st.just({"type": "choice"}),
    st.one_of(
        st.lists(st.sampled_from(["a", "b", "c", 1, 2]), min_size=1, max_size=3).map(
            lambda v: {"choices": v}
        ),
        st.lists(UNITS, min_size=1, max_size=3, unique=True).map(lambda v: {"units": v}),
    ),
    _maybe("default", st.sampled_from(["a", "b", 1, "ms", "mm"])),
    _maybe("frozen", st.booleans()),
)
SCALAR = st.one_of(
    _number("float"),
    _number("int"),
    CHOICE,
    _merge(
        st.just({"type": "bool"}), _maybe("default", st.booleans()), _maybe("frozen", st.booleans())
    ),
    _merge(st.just({"type": "string"}), _maybe("default", st.sampled_from(["x", "ab"]))),
)
EDGES = _merge(
    st.just({"type": "edges"}),
    _maybe("unit", UNITS),
    _maybe(
        "default",
        _merge(
            _maybe("start", NUMBERS),
            _maybe("stop", NUMBERS),
            _maybe("num_bins", st.integers(0, 20)),
            _maybe("scale", st.sampled_from(["linear", "log"])),
        ),
    ),
)
NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta"])
PARAM = st.one_of(
    SCALAR,
    EDGES,
    st.dictionaries(NAMES, SCALAR, min_size=1, max_size=3).map(
        lambda fields: {"type": "group", "fields": fields}
    ),
)
PARAMS = st.dictionaries(NAMES, PARAM, min_size=1, max_size=3)


def _yaml(documents: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.dump_all(documents, out)
    return out.getvalue()


def _compile_if_checked(documents: list[dict[str, Any]]) -> CompileResult | None:
    """Check ``documents`` (one spec file); None if check refuses them, else the compile
    result, asserted free of internal errors (I001) in both stages and successful."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_text(_yaml(documents), encoding="utf-8")
        checked = check_paths([path])
        assert [str(d.location) + d.message for d in checked.diagnostics if d.code == "I001"] == []
        if checked.failed():
            return None
        compiled = compile_paths([path])
    assert [d.message for d in compiled.check.diagnostics if d.code == "I001"] == []
    assert compiled.ok and compiled.data is not None
    return compiled


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(params=PARAMS)
def test_what_check_accepts_compile_builds_and_model_and_form_agree(
    params: dict[str, Any],
) -> None:
    workflow = {
        "kind": "Workflow",
        "instrument": "prop",
        "name": "generated",
        "version": 1,
        "group": "data_reduction",
        "title": "Generated",
        "source_names": ["det"],
        "params": params,
        "outputs": {"total": {"title": "Total"}},
    }
    compiled = _compile_if_checked([INSTRUMENT, workflow])
    if compiled is None:
        return
    bundle = bundle_from_document(json.loads(compiled.data))
    entry = json.loads(compiled.data)["workflows"]["prop/generated/1"]
    spec = bundle.workflows["prop/generated/1"]
    model = spec.params
    validator = form_validator(entry["params_schema"])
    required = set(entry["params_schema"].get("required", []))
    needed = {name for name, info in model.model_fields.items() if info.is_required()}
    assert required == needed
    if needed:
        assert set(entry["defaults"]) == set(model.model_fields) - needed
    else:
        dumped = model().model_dump(mode="json")
        assert dumped == entry["defaults"]
        assert list(validator.iter_errors(dumped)) == []


READINGS = {
    "kind": "Workflow",
    "instrument": "prop",
    "name": "readings",
    "version": 1,
    "group": "timeseries",
    "title": "Readings",
    "source_names": ["det"],
    "outputs": {"value": {"title": "Value", "temporality": "series"}},
}
AXIS = "prop/readings/1/value@det"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(config=PARAMS)
def test_what_check_accepts_of_a_template_config_compiles_and_instantiates(
    config: dict[str, Any],
) -> None:
    template = {
        "kind": "WorkflowTemplate",
        "name": "generated",
        "title": "Generated",
        "config": {"x_axis": {"type": "timeseries"}, **config},
        "workflow": {
            "instrument": "{{ config.x_axis.workflow_id.instrument }}",
            "name": "{{ config.x_axis.source_name | slug }}_generated",
            "version": 1,
            "group": "correlation",
            "title": "Generated",
            "source_names": {"from": "timeseries", "except": ["x_axis"]},
            "executor": "correlation_histogram",
            "outputs": {"histogram": {"title": "Histogram"}},
        },
    }
    compiled = _compile_if_checked([INSTRUMENT, READINGS, template])
    if compiled is None:
        return
    bundle = bundle_from_document(json.loads(compiled.data))
    factory = bundle.template("generated")
    schema = bundle.template_form("generated")["config_schema"]
    needed = {n for n, f in factory.config_model.model_fields.items() if f.is_required()}
    assert set(schema.get("required", [])) == needed
    if needed == {"x_axis"}:
        spec = factory.instantiate({"x_axis": AXIS})
        assert str(spec.id) == "prop/det_generated/1"
        assert list(form_validator(schema).iter_errors(spec.origin.config)) == []
