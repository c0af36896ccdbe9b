"""Semantic rules over the spec set: what an author sees for each mistake."""

from __future__ import annotations

from wfspec.compiler.diagnostics import CODES, Severity
from wfspec.compiler.resolve import check_spec_set
from wfspec.compiler.specset import build_spec_set

WORKFLOW = """\
kind: Workflow
instrument: {instrument}
name: extra
version: 1
group: detector_data
title: Extra
source_names: [{source}]
outputs:
  total: {{title: Total, unit: counts}}
"""


def _codes(diagnostics, file="extra.yaml"):
    return [(d.code, d.line) for d in diagnostics if d.file == file]


def test_every_code_is_catalogued(check_extra) -> None:
    diagnostics = check_extra(WORKFLOW.format(instrument="dumm", source="panel_0"))
    assert all(d.code in CODES for d in diagnostics)


def test_unknown_instrument_suggests_the_close_one(check_extra) -> None:
    (diag,) = check_extra(WORKFLOW.format(instrument="dumm", source="panel_0"))
    assert (diag.code, diag.line, diag.col) == ("R003", 2, 13)
    assert diag.hint == "did you mean 'dummy'?"
    assert diag.path == ("instrument",)


def test_unknown_source_suggests_and_lists(check_extra) -> None:
    (diag,) = check_extra(WORKFLOW.format(instrument="dummy", source="panel0"))
    assert diag.code == "R004" and diag.hint == "did you mean 'panel_0'?"
    assert "instrument 'dummy' has no source 'panel0'" in diag.message


def test_broken_instrument_does_not_cascade(load_yaml) -> None:
    broken = load_yaml("kind: Instrument\nname: lab\ntitle: 3\n", "lab.yaml")
    workflow = load_yaml(WORKFLOW.format(instrument="lab", source="det"), "extra.yaml")
    spec_set, diagnostics = build_spec_set(workflow, invalid_documents=broken)
    assert diagnostics == [] and check_spec_set(spec_set) == []
    spec_set, _ = build_spec_set(workflow)
    assert [d.code for d in check_spec_set(spec_set)] == ["R003"]


def test_duplicate_workflow_names_both_places(check_extra) -> None:
    text = WORKFLOW.format(instrument="dummy", source="panel_0").replace(
        "name: extra", "name: total_counts"
    )
    diags = check_extra(text)
    assert [(d.code, d.file) for d in diags] == [
        ("R002", "specs/dummy/reduction.yaml"),
        ("R002", "extra.yaml"),
    ]
    shipped, extra = diags
    assert extra.line == 3 and [r.file for r in extra.related] == ["specs/dummy/reduction.yaml"]
    assert "specs/dummy/reduction.yaml:4:" in extra.message
    assert [str(r) for r in shipped.related] == ["extra.yaml:3:7"]
    assert "also defined at extra.yaml:3:7" in shipped.message


def test_param_defined_twice_is_reported_at_both_places(check_extra) -> None:
    text = (
        WORKFLOW.format(instrument="dummy", source="monitor1")
        + "params_from: [toa_histogram]\n"
        + "params:\n  toa_edges: {type: float, default: 1.0}\n"
    )
    diags = [d for d in check_extra(text) if d.code == "R008"]
    assert sorted((d.file, d.line) for d in diags) == [
        ("extra.yaml", 12),
        ("specs/common/params.yaml", 25),
    ]
    assert all(d.related for d in diags)


def test_same_set_twice_is_one_repeat_not_param_conflicts(check_extra) -> None:
    text = WORKFLOW.format(instrument="dummy", source="monitor1") + (
        "params_from: [toa_histogram, toa_histogram]\n"
    )
    assert [d.code for d in check_extra(text)] == ["R016"]


def test_param_definitions_are_checked_in_workflows_and_sets(check_extra) -> None:
    text = WORKFLOW.format(instrument="dummy", source="panel_0") + (
        "params:\n  t: {type: float, unit: kelvinz, default: 1.0}\n"
        "---\n"
        "kind: ParamSet\nname: extra_set\nparams:\n"
        "  c: {type: choice, choices: [a, b], default: c}\n"
    )
    codes = _codes(check_extra(text))
    assert ("U101", 11) in codes
    assert ("P101", 16) in codes


def test_warnings_for_redundant_runner_settings(check_extra) -> None:
    text = WORKFLOW.format(instrument="dummy", source="panel_0") + "service: detector_data\n"
    (diag,) = check_extra(text)
    assert diag.code == "R013" and diag.severity is Severity.WARNING


def test_model_parse_failure_is_a_diagnostic_not_a_traceback(load_yaml) -> None:
    docs = load_yaml(
        WORKFLOW.format(instrument="dummy", source="x").replace("version: 1", "version: 0")
    )
    spec_set, diagnostics = build_spec_set(docs)
    assert [(d.code, d.line) for d in diagnostics] == [("R014", 4)]
    assert spec_set.workflows == {}


def test_resolved_params_keep_positions(shipped_spec_set) -> None:
    from wfspec.compiler.ids import WorkflowId

    entry = shipped_spec_set.workflows[WorkflowId.parse("dummy/monitor_histogram/1")]
    resolved = shipped_spec_set.resolved_params(entry)
    toa = resolved["toa_edges"]
    assert toa.doc.file == "specs/common/params.yaml"
    assert toa.path == ("params", "toa_edges")
    assert toa.doc.locate(toa.path).line == 25
    # a bare model (no document): the sets' params only
    assert list(shipped_spec_set.resolved_params(entry.model)) == list(resolved)
