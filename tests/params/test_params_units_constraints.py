"""Units keep the author's spelling; constraint rules parse, evaluate and fail clearly."""

from __future__ import annotations

import json

import pytest

from wfspec.compiler.constraints import (
    ConstraintSyntaxError,
    compile_constraint,
    parse_rule,
    parse_when,
)
from wfspec.compiler.paramdefs import Constraint
from wfspec.compiler.params_model import build_params_model
from wfspec.compiler.units import (
    BACKEND_UNIT_ENUMS,
    KNOWN_UNITS,
    canonical_unit,
    suggest_unit,
    unit_error,
)


def test_every_known_unit_is_a_scipp_unit():
    import scipp

    for text in sorted(KNOWN_UNITS):
        scipp.Unit(text)  # raises on a bad entry of the fast path


def test_bad_units_are_reported_with_a_suggestion():
    assert unit_error("ms") is None and unit_error("1/Å") is None
    assert unit_error("kelvinish") is not None
    assert suggest_unit("Angstrom") == "Å"
    assert suggest_unit("MS") == "ms"
    assert suggest_unit("mms", ("m", "cm", "mm")) in {"mm", "ms"}


def test_scipp_normalises_but_outputs_keep_the_authors_spelling():
    assert canonical_unit("μs") == canonical_unit("us") == "\u00b5s"  # scipp's MICRO SIGN
    model = build_params_model(
        "units",
        {
            "energy": {
                "type": "choice",
                "units": list(BACKEND_UNIT_ENUMS["EnergyUnit"]),
                "default": "μeV",
            }
        },
    )
    assert (
        json.dumps(model().model_dump(mode="json"), ensure_ascii=True) == '{"energy": "\\u03bceV"}'
    )


@pytest.mark.parametrize(
    ("rule", "values", "holds"),
    [
        ("a < b", {"a": 1, "b": 2}, True),
        ("a < b", {"a": 2, "b": 2}, False),
        ("a <= b", {"a": 2, "b": 2}, True),
        ("a > -1.5", {"a": -1.0}, True),
        ("a >= 1e3", {"a": 999.0}, False),
        ("0 < a", {"a": 0}, False),
        ("a != b", {"a": "x", "b": "x"}, False),
        ("a != 3", {"a": 4}, True),
    ],
)
def test_rules_evaluate(rule, values, holds):
    assert parse_rule(rule).holds(values) is holds


def test_conditional_rule_applies_only_when_the_sibling_matches():
    rule = compile_constraint(Constraint(rule="start > 0", when="scale == log"))
    assert rule.message == "start must be greater than 0 when scale is log"
    assert rule.violated({"start": 0, "scale": "log"})
    assert not rule.violated({"start": 0, "scale": "linear"})
    assert parse_when("n != 2").applies({"n": 3})
    assert parse_when("flag == true").applies({"flag": True})
    assert parse_when("name == 'a b'").applies({"name": "a b"})


@pytest.mark.parametrize("text", ["a <> b", "a == b", "1 < 2", "a <", "a < b c", "a-b < c"])
def test_bad_rules_raise_syntax_errors(text):
    with pytest.raises(ConstraintSyntaxError) as info:
        parse_rule(text)
    assert info.value.part == "rule"


@pytest.mark.parametrize("text", ["scale", "scale = log", "scale == ", "1 == scale", "a == b c"])
def test_bad_conditions_raise_syntax_errors(text):
    with pytest.raises(ConstraintSyntaxError) as info:
        parse_when(text)
    assert info.value.part == "when"
