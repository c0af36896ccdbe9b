"""Typed, sandboxed rendering of template bodies and the collision-aware slug filter."""

import pytest

from wfspec.compiler.checker import check_paths
from wfspec.compiler.errors import TemplateError
from wfspec.compiler.ids import TimeseriesReference
from wfspec.compiler.templating import render_tree, render_value, slug

CONTEXT = {
    "config": {
        "x_start": 0.5,
        "x_axis": TimeseriesReference.parse("dummy/timeseries_data/1/delta@motion1"),
    }
}


def test_a_lone_expression_keeps_its_type_and_mixed_text_renders_to_a_string():
    assert render_value("{{ config.x_start }}", CONTEXT) == 0.5
    assert render_value("{{ config.x_axis.workflow_id.version }}", CONTEXT) == 1
    assert render_value("{{ config.x_axis.source_name | title }} bins", CONTEXT) == "Motion1 bins"


def test_render_tree_reports_the_path_of_the_failing_string():
    with pytest.raises(TemplateError) as info:
        render_tree({"params": {"x": {"title": "{{ config.nope }}"}}}, CONTEXT)
    assert info.value.path == ("params", "x", "title")
    assert "nope" in str(info.value)


@pytest.mark.parametrize(
    "attack",
    [
        "{{ config.x_axis.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ '{0.__class__}'.format(config.x_axis) }}",
        "{{ range(10**9) | list }}",
        "{{ lipsum.__globals__ }}",
    ],
)
def test_sandbox_escapes_are_refused_with_a_template_error(attack):
    with pytest.raises(TemplateError):
        render_value(attack, CONTEXT)


def test_slug_keeps_slugs_and_disambiguates_everything_else():
    assert slug("motion1") == "motion1"
    assert slug("a_b") == "a_b"
    assert slug("A b") != slug("a_b")
    assert slug("A b").startswith("a_b_")
    assert slug("SE/temperature") == slug("SE/temperature")  # deterministic
    assert slug("SE/temperature") != slug("SE:temperature")


def test_shipped_templates_render_their_examples_without_diagnostics():
    result = check_paths(["specs"])
    assert [d for d in result.diagnostics if d.code.startswith("T")] == []
    assert "templates" not in result.stages_skipped
