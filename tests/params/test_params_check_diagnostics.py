"""check_param_defs: each problem an author can make gives its code at its line, with a hint."""

from __future__ import annotations

import io

import pytest
from ruamel.yaml import YAML

from wfspec.compiler.diagnostics import CODES, Severity
from wfspec.compiler.params_check import check_param_defs


def check(doc, text: str, **kwargs):
    document = doc(text)
    return check_param_defs(document.data["params"], document, ("params",), **kwargs)


def only(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in diagnostics]
    return found[0]


def test_every_code_is_catalogued():
    for code in ("U101", "U102", *(f"P1{n:02d}" for n in range(1, 17))):
        assert code in CODES


@pytest.mark.parametrize("name", ["monitor_histogram", "panel_0_xy", "total_counts"])
def test_clean_dummy_params_give_no_diagnostics(doc, dummy_params, name):
    out = io.StringIO()
    YAML(typ="safe").dump({"params": dummy_params[name]["params"]}, out)
    assert check(doc, out.getvalue()) == []


def test_bad_unit_is_named_with_did_you_mean(doc):
    text = """\
params:
  toa_edges:
    type: edges
    units: [ns, msek, s]
    default: {start: 0.0, stop: 1.0, num_bins: 10, unit: s}
"""
    diagnostic = only(check(doc, text), "U101")
    assert "'msek'" in diagnostic.message
    assert diagnostic.line == 4
    assert diagnostic.path == ("params", "toa_edges", "units", 1)
    assert "did you mean 'ms'?" in diagnostic.hint


def test_bad_unit_of_a_number_and_of_a_group_unit_field(doc):
    text = """\
params:
  offset: {type: float, unit: meter_ish, default: 1}
  axis:
    type: group
    fields:
      unit: {type: choice, choices: [m, Angstrom2x], default: m}
"""
    found = [d for d in check(doc, text) if d.code == "U101"]
    assert [d.line for d in found] == [2, 6]
    assert "meter_ish" in found[0].message and "Angstrom2x" in found[1].message


def test_default_unit_must_be_one_of_the_units_exactly(doc):
    text = """\
params:
  toa_range:
    type: range
    units: [ns, us, μs, ms, s]
    default: {start: 0.0, stop: 10.0, enabled: false, unit: µs}
"""
    diagnostic = only(check(doc, text), "U102")  # U+00B5 is a valid unit but not in the list
    assert diagnostic.line == 5
    assert diagnostic.path == ("params", "toa_range", "default", "unit")


def test_choice_default_not_among_choices(doc):
    text = """\
params:
  coordinate_mode:
    type: group
    fields:
      mode: {type: choice, choices: [toa, wavelength], default: wavelenght}
"""
    diagnostic = only(check(doc, text), "P101")
    assert diagnostic.line == 5
    assert "did you mean 'wavelength'?" in diagnostic.hint


def test_defaults_that_break_their_own_constraint_report_its_message(doc):
    text = """\
params:
  roi:
    type: group
    fields:
      pixel_start: {type: int, default: 9}
      pixel_stop: {type: int, default: 3}
    constraints:
      - {rule: "pixel_start < pixel_stop", message: "start before stop"}
"""
    diagnostic = only(check(doc, text), "P104")
    assert "start before stop" in diagnostic.message
    assert diagnostic.line == 5  # the default of the rule's first field


def test_defaults_that_break_builtin_edges_rules(doc):
    text = """\
params:
  e1:
    type: edges
    unit: ms
    default: {start: 5.0, stop: 1.0, num_bins: 10, unit: ms}
  e2:
    type: edges
    unit: ms
    default:
      start: 0.0
      stop: 1.0
      num_bins: 0
      scale: log
      unit: ms
"""
    diagnostics = check(doc, text)
    broken = sorted((d.line, d.message) for d in diagnostics if d.code == "P104")
    assert broken == [
        (5, "the defaults break a constraint: stop must be greater than start"),
        (10, "the defaults break a constraint: a log scale needs a positive start"),
    ]
    assert only(diagnostics, "P108").line == 12


def test_unparsable_rule_and_unknown_field(doc):
    text = """\
params:
  g:
    type: group
    fields:
      low: {type: float, default: 0}
      high: {type: float, default: 1}
    constraints:
      - rule: "low <> high"
      - rule: "low < hihg"
      - {rule: "low < high", when: "scale = = log"}
"""
    diagnostics = check(doc, text)
    syntax = sorted(d.line for d in diagnostics if d.code == "P105")
    assert syntax == [8, 10]
    unknown = only(diagnostics, "P106")
    assert unknown.line == 9 and "did you mean 'high'?" in unknown.hint


def test_bounds_and_defaults_outside_them(doc):
    text = """\
params:
  a: {type: float, min: 5, max: 1}
  b: {type: int, exclusive_min: 0, default: 0}
"""
    diagnostics = check(doc, text)
    assert only(diagnostics, "P107").line == 2
    assert only(diagnostics, "P108").line == 3


def test_default_mapping_keys_and_extra_fields(doc):
    text = """\
params:
  q:
    type: edges
    unit: 1/Å
    fields:
      axis: {type: choice, choices: [Q, Qx]}
      stop: {type: float}
    default: {start: 0.1, stop: 1.0, num_bins: 5, unit: 1/Å, axsi: Q}
"""
    diagnostics = check(doc, text)
    assert only(diagnostics, "P110").path == ("params", "q", "fields", "stop")
    assert "did you mean 'axis'?" in only(diagnostics, "P109").hint


def test_timeseries_only_in_template_config(doc):
    text = "params:\n  x_axis: {type: timeseries}\n"
    assert only(check(doc, text), "P111").line == 2
    assert check(doc, text, allow_timeseries=True) == []


def test_patterns_duplicates_and_empty_choices(doc):
    text = """\
params:
  s: {type: string, pattern: "^[a-z]+$", default: "ABC"}
  t: {type: string, pattern: "(unclosed"}
  c: {type: choice, choices: [1, 2, 1.0]}
  u: {type: choice, choices: []}
  both: {type: choice, choices: [a], units: [m]}
"""
    diagnostics = check(doc, text)
    assert only(diagnostics, "P112").line == 2
    assert only(diagnostics, "P113").line == 3
    assert only(diagnostics, "P103").path == ("params", "c", "choices", 2)
    assert only(diagnostics, "P114").line == 5
    assert only(diagnostics, "P102").line == 6


def test_ordering_rule_on_a_non_number_and_impossible_when(doc):
    text = """\
params:
  g:
    type: group
    fields:
      name: {type: string, default: a}
      n: {type: int, default: 1}
      scale: {type: choice, choices: [linear, log], default: linear}
    constraints:
      - rule: "name < n"
      - {rule: "n > 0", when: "scale == logarithmic"}
"""
    diagnostics = check(doc, text)
    assert only(diagnostics, "P115").line == 9
    warning = only(diagnostics, "P116")
    assert warning.severity is Severity.WARNING and warning.line == 10
