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


@pytest.mark.parametrize(
    "attack",
    [
        "{{ 'ab' * 10**9 }}",
        "{{ 10**9 * 'ab' }}",
        "{{ [0] * 10**6 }}",
        "text {{ 'ab' * 10**9 }}",
        "{{ 10 ** (10**8) }}",
        "{{ 2 ** 1001 }}",
        "{{ 7 ** 500 }}",
        "{% set a = 10**90 %}{% set a = a * a %}{{ a }}",
        "{{ '%0999999999d' % 1 }}",
        "{{ '%*d' % (999999999, 1) }}",
        "{{ '%(a).999999999f' % {'a': 1.0} }}",
        "{{ 'a'.ljust(10**9) }}",
        "{{ 'a'.center(999999999, '-') }}",
        "{{ '7'.zfill(10**9) }}",
        "{{ 'a\\tb'.expandtabs(tabsize=10**9) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{x:0999999999}'.format_map({'x': 1}) }}",
        "{{ 'a' | center(10**9) }}",
        "{{ 'a\\nb' | indent(10**9) }}",
    ],
)
def test_huge_results_of_operators_are_refused_by_the_sandbox(attack):
    with pytest.raises(TemplateError) as info:
        render_value(attack, CONTEXT)
    assert "sandbox" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ 'ab' * 3 }}", "ababab"),
        ("{{ 3 * 4 }}", 12),
        ("{{ 2 ** 10 }}", 1024),
        ("{{ 10 ** 100 }}", 10**100),
        ("{{ 2.0 ** 0.5 }}", 2.0**0.5),
        ("{{ config.x_start * 2 }}", 1.0),
        ("{{ 7 % 3 }}", 1),
        ("{{ '%05.1f' % 3.14159 }}", "003.1"),
        ("{{ 'ab'.ljust(4, '.') }}", "ab.."),
        ("{{ '{:>5}'.format('ab') }}", "   ab"),
        ("{{ '7'.zfill(3) }}", "007"),
        ("{{ 'ab' | center(6) }}", "  ab  "),
    ],
)
def test_ordinary_arithmetic_and_formatting_still_render(text, expected):
    assert render_value(text, CONTEXT) == expected


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
