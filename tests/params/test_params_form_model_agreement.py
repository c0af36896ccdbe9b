"""Property: the form schema accepts exactly what the params model accepts.

For every param set (fixtures and every workflow / template config in specs/), hypothesis
generates payloads — mostly near-valid values, with wrong types, out-of-bounds numbers, unknown
keys and missing fields mixed in — and checks:

- the form validator (draft-07 + ``x-constraints``) and the pydantic model agree exactly;
- a plain draft-07 validator never rejects what the model accepts (it cannot compare two fields).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from pydantic import ValidationError

from wfspec.compiler.forms import build_form, form_validator
from wfspec.compiler.param_expand import expand
from wfspec.compiler.paramdefs import (
    BoolParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    ParamDef,
    StringParam,
    TimeseriesParam,
)
from wfspec.compiler.params_model import build_params_model, choice_values, coerce_defs

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-10, 10, allow_nan=False),
    st.text(max_size=3),
    st.just([]),
    st.just({}),
)


def _mostly(good: st.SearchStrategy[Any], noisy: bool) -> st.SearchStrategy[Any]:
    """Valid values only, or (noisy) nine in ten valid and the rest junk of any JSON type."""
    return st.one_of(*([good] * 9), JUNK) if noisy else good


def _numbers(defn: FloatParam | IntParam, noisy: bool) -> st.SearchStrategy[Any]:
    low = next((v for v in (defn.min, defn.exclusive_min) if v is not None), -1e6)
    high = next((v for v in (defn.max, defn.exclusive_max) if v is not None), 1e6)
    marks = [
        v for v in (defn.min, defn.max, defn.exclusive_min, defn.exclusive_max) if v is not None
    ]
    near = [m + d for m in marks for d in (-1, -0.5, 0, 0.5, 1)] or [0.0]
    if isinstance(defn, IntParam):
        inside = st.integers(int(low), int(high))
        if noisy:
            inside = st.one_of(inside, st.sampled_from([int(v) for v in near]), st.integers())
        return st.one_of(inside, inside, inside.map(float))  # 3.0 is an integer to both
    inside = st.floats(
        low,
        high,
        allow_nan=False,
        allow_infinity=False,
        exclude_min=defn.exclusive_min is not None,
        exclude_max=defn.exclusive_max is not None,
    )
    if noisy:
        return st.one_of(inside, st.integers(int(low), int(high)), st.sampled_from(near))
    return inside


def _timeseries(noisy: bool) -> st.SearchStrategy[Any]:
    names = st.text(alphabet="abc_1/", min_size=0, max_size=4)
    good_id = st.builds(
        lambda a, b, v: f"{a}/{b}/{v}",
        st.sampled_from(["dummy", "x"]),
        st.sampled_from(["ts", "a_b"]),
        st.integers(1, 3),
    )
    workflow_id = st.one_of(
        good_id,
        st.builds(lambda v: f"a/b/{v}", st.integers(0, 1)),
        st.sampled_from(["dummy/ts", "a/b/c", "a/b/1/2", ""]),
        st.fixed_dictionaries(
            {"instrument": st.just("d"), "name": st.just("n"), "version": st.integers(0, 2)}
        ),
    )
    if not noisy:
        return st.fixed_dictionaries(
            {"workflow_id": good_id, "source_name": names, "output_name": names}
        )
    partial = st.fixed_dictionaries(
        {},
        optional={
            "workflow_id": workflow_id,
            "source_name": st.one_of(names, JUNK),
            "output_name": names,
        },
    )
    return st.one_of(partial, JUNK)


def _required(defn: ParamDef) -> bool:
    """Whether the model requires the field (no default, or a nested field that does)."""
    expanded = expand(defn)
    if expanded is not None:
        return any(_required(sub) for sub in expanded.group.fields.values())
    return defn.default is None


def _object(fields: dict[str, ParamDef], extra: str, noisy: bool) -> st.SearchStrategy[Any]:
    strategies = {name: value_strategy(defn, noisy) for name, defn in fields.items()}
    required = {k: v for k, v in strategies.items() if _required(fields[k])}
    optional = {k: v for k, v in strategies.items() if k not in required}
    usual = st.fixed_dictionaries(required, optional={**optional, extra: JUNK})
    if not noisy:
        return usual
    anything = st.fixed_dictionaries({}, optional={**strategies, extra: JUNK})
    return st.one_of(*([usual] * 6), anything, JUNK)


def value_strategy(defn: ParamDef, noisy: bool) -> st.SearchStrategy[Any]:
    expanded = expand(defn)
    if expanded is not None:
        return _object(expanded.group.fields, "unknown_key", noisy)
    if isinstance(defn, FloatParam | IntParam):
        return _mostly(_numbers(defn, noisy), noisy)
    if isinstance(defn, BoolParam):
        return _mostly(st.booleans(), noisy)
    if isinstance(defn, StringParam):
        if defn.pattern is None:
            return _mostly(st.text(max_size=4), noisy)
        matching = st.from_regex(defn.pattern, fullmatch=True)
        return _mostly(st.one_of(matching, st.text(max_size=4)) if noisy else matching, noisy)
    if isinstance(defn, ChoiceParam):
        values = choice_values(defn)
        numeric = [float(v) for v in values if isinstance(v, int | float)]
        choices = st.sampled_from(values)
        if noisy:
            choices = st.one_of(choices, st.sampled_from([*numeric, "µs", "1"]))
        return _mostly(choices, noisy)
    if isinstance(defn, TimeseriesParam):
        return _timeseries(noisy)
    raise AssertionError(type(defn))


def payload_strategy(defs: dict[str, ParamDef]) -> st.SearchStrategy[Any]:
    """Half valid-typed payloads (constraints may still break), half noisy ones."""
    return st.one_of(_object(defs, "bogus", False), _object(defs, "bogus", True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_form_schema_and_params_model_agree(any_param_set, data):
    label, raw = any_param_set
    defs = coerce_defs(raw)
    model = build_params_model("agreement", defs)
    schema = build_form(defs, name="agreement").json_schema
    exact, plain = form_validator(schema), Draft7Validator(schema)
    payload = data.draw(payload_strategy(defs), label="payload")
    try:
        model.model_validate(payload)
        model_ok, model_error = True, None
    except ValidationError as error:
        model_ok, model_error = False, error
    form_errors = [e.message for e in exact.iter_errors(payload)]
    assert model_ok == (not form_errors), (label, payload, model_error, form_errors)
    if model_ok:
        assert plain.is_valid(payload), (label, payload)
