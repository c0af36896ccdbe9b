"""Structural validation: each schema error at its node, in plain words, with did-you-mean."""

from __future__ import annotations

from wfspec.compiler.loader import load_text
from wfspec.compiler.schema_store import KINDS, load_schema, validator_for
from wfspec.compiler.validate import validate_document

WORKFLOW = """\
kind: Workflow
instrument: dummy
name: monitor_histogram
version: 1
group: monitor_data
title: Monitor histogram
source_names: [monitor1]
params:
  toa_edges:
    type: edges
    units: [ns, us, ms]
    default: {start: 0.0, stop: 71.43, num_bins: 100, scale: linear, unit: ms}
outputs:
  current: {title: Current, dims: [time_of_arrival], unit: counts, temporality: window}
"""


def check(text: str) -> list[tuple[str, int, int, str, str | None]]:
    result = load_text(text, "doc.yaml")
    assert result.diagnostics == []
    out = []
    for doc in result.documents:
        out += [(d.code, d.line, d.col, d.message, d.hint) for d in validate_document(doc)]
    return out


def edit(old: str, new: str) -> str:
    assert old in WORKFLOW
    return WORKFLOW.replace(old, new)


def test_a_valid_workflow_has_no_diagnostics() -> None:
    assert check(WORKFLOW) == []


def test_every_kind_has_a_cached_draft07_validator() -> None:
    for kind in KINDS:
        assert validator_for(kind) is validator_for(kind)
        assert load_schema(f"{kind.lower()}.schema.json")["$schema"].endswith("draft-07/schema#")


def test_unknown_kind_suggests_the_closest() -> None:
    [(code, line, col, message, hint)] = check(edit("kind: Workflow", "kind: Workflw"))
    assert (code, line, col) == ("S001", 1, 7)
    assert "Workflw" in message and hint == "did you mean 'Workflow'?"


def test_missing_kind_guesses_it_from_the_keys() -> None:
    [(code, line, _, _message, hint)] = check(WORKFLOW.replace("kind: Workflow\n", ""))
    assert (code, line) == ("S001", 1)
    assert "kind: Workflow" in hint


def test_misspelled_key_is_unknown_with_suggestion_and_missing_names_it() -> None:
    found = check(edit("title: Monitor histogram", "titel: Monitor histogram"))
    assert ("S002", 6, 8, "unknown key 'titel'", "did you mean 'title'?") in found
    [missing] = [f for f in found if f[0] == "S003"]
    assert "'title'" in missing[3] and missing[4] == "rename 'titel' to 'title'"


def test_nested_unknown_key_is_reported_at_the_key() -> None:
    [(code, line, col, message, hint)] = check(
        edit("    type: edges\n", "    type: edges\n    titel: x\n")
    )
    assert (code, line, col) == ("S002", 11, 12)
    assert "toa_edges" in message and "title" in hint


def test_enum_typo_from_inside_an_if_then_branch() -> None:
    [(code, line, _col, message, hint)] = check(edit("scale: linear", "scale: linaer"))
    assert (code, line) == ("S005", 12)
    assert "linear, log" in message and hint == "did you mean 'linear'?"


def test_unknown_param_type_names_the_choices() -> None:
    [(code, line, _, _message, hint)] = check(edit("type: edges", "type: edgse"))
    assert (code, line) == ("S005", 10)
    assert hint == "did you mean 'edges'?"


def test_wrong_type_in_an_anyof_is_a_plain_type_error() -> None:
    [(code, line, _, message, hint)] = check(edit("stop: 71.43", 'stop: "far"'))
    assert (code, line) == ("S004", 12)
    assert message == "'stop' must be a number, not 'far'"
    assert hint == "write the number without quotes"


def test_scalar_where_a_list_is_expected() -> None:
    [(code, line, _, message, hint)] = check(
        edit("source_names: [monitor1]", "source_names: monitor1")
    )
    assert (code, line) == ("S004", 7)
    assert "must be a list" in message and hint == "write a list: [monitor1]"


def test_name_that_is_not_a_slug() -> None:
    [(code, line, col, message, hint)] = check(
        edit("name: monitor_histogram", "name: Monitor-Hist")
    )
    assert (code, line, col) == ("S006", 3, 7)
    assert "slug" in message and hint == "for example 'monitor_hist'"


def test_param_key_that_is_not_a_slug() -> None:
    [(code, line, col, _, hint)] = check(edit("  toa_edges:\n", "  TOA edges:\n"))
    assert (code, line, col) == ("S006", 9, 3)
    assert hint == "for example 'toa_edges'"


def test_bounds_and_counts_are_s007() -> None:
    found = check(edit("version: 1", "version: 0"))
    assert [(c, ln, m) for c, ln, _, m, _ in found] == [
        ("S007", 4, "'version' must be at least 1, not 0")
    ]


def test_mapping_in_a_choice_list_descends_into_the_item_branch() -> None:
    text = edit(
        "outputs:",
        "  mode:\n    type: choice\n    choices: [{value: toa, titel: TOA}, wavelength]\noutputs:",
    )
    [(code, line, _, message, hint)] = check(text)
    assert (code, line) == ("S002", 15)
    assert "item 1 of 'choices'" in message and hint == "did you mean 'title'?"


def test_all_errors_of_a_document_are_reported_and_messages_stay_short() -> None:
    text = edit("version: 1", 'version: "1"').replace("temporality: window", "temporality: windw")
    found = check(text.replace("group: monitor_data", "group: [a, b, c, d, e, f, g, h, i, j, k]"))
    assert sorted(code for code, *_ in found) == ["S004", "S004", "S005"]
    assert all(len(message) < 200 for _, _, _, message, _ in found)
