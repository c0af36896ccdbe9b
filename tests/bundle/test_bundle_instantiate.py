"""Template.instantiate as the dashboard calls it: config errors, identity, sandbox, typing."""

from __future__ import annotations

import pytest

from wfspec.compiler import (
    ConfigError,
    Template,
    TemplateError,
    TimeseriesReference,
    UnknownTemplate,
    WorkflowId,
)

T1D = "correlation_histogram_1d"
MOTION1 = {
    "workflow_id": "dummy/timeseries_data/1",
    "source_name": "motion1",
    "output_name": "delta",
}


def _axis(source: str) -> dict[str, str]:
    return {**MOTION1, "source_name": source}


def test_a_bad_config_names_every_bad_field_and_its_value(bundle):
    config = {"x_axis": "nonsense", "x_unit": 3, "x_start": "abc", "x_stopp": 2.0}
    with pytest.raises(ConfigError) as info:
        bundle.instantiate(T1D, config)
    error = info.value
    by_field = {e.field: e for e in error.errors}
    assert set(by_field) == {"x_axis", "x_unit", "x_start", "x_stopp"}
    assert by_field["x_start"].value == "abc"
    assert by_field["x_unit"].value == 3
    assert "did you mean 'x_stop'" in by_field["x_stopp"].message
    text = str(error)
    assert T1D in text and "'abc'" in text and "x_unit" in text and "\n" not in text


def test_a_missing_required_field_is_named(bundle):
    with pytest.raises(ConfigError) as info:
        bundle.instantiate(T1D, {"x_axis": MOTION1})
    assert [e.field for e in info.value.errors] == ["x_unit"]


def test_an_unknown_template_is_a_key_error_with_a_suggestion(bundle):
    with pytest.raises(UnknownTemplate) as info:
        bundle.instantiate("correlation_histogram1d", {})
    assert isinstance(info.value, KeyError)
    assert info.value.suggestion == T1D
    assert "did you mean 'correlation_histogram_1d'" in str(info.value)


def _with_axes(template: Template, *sources: str) -> Template:
    """The template with a timeseries lookup that also offers delta@<source> axes."""
    refs = [TimeseriesReference.model_validate(_axis(s)) for s in ("motion1", *sources)]
    return Template(
        template.name,
        title=template.title,
        config_defs=template.config_defs,
        body=template.body,
        timeseries=lambda instrument: refs,
    )


def test_slug_keeps_configs_that_differ_only_in_spelling_apart(bundle):
    template = _with_axes(bundle.template(T1D), "A b", "a_b")
    spaced = template.instance_id({"x_axis": _axis("A b"), "x_unit": "mm"})
    snake = template.instance_id({"x_axis": _axis("a_b"), "x_unit": "mm"})
    assert spaced != snake
    assert snake.name == "a_b_correlation_histogram_1d"
    assert spaced.name.startswith("a_b_") and spaced.name != snake.name
    # deterministic: a fresh template (a new process or bundle) gives the same id
    again = _with_axes(bundle.templates[T1D], "A b", "a_b")
    assert again.instance_id({"x_axis": _axis("A b"), "x_unit": "mm"}) == spaced


def test_identical_configs_give_equal_specs_whatever_form_they_are_written_in(bundle, bundle_file):
    from wfspec.compiler import load_bundle

    as_dict = bundle.instantiate(T1D, {"x_axis": MOTION1, "x_unit": "mm"})
    as_text = bundle.instantiate(
        T1D, {"x_axis": "dummy/timeseries_data/1/delta@motion1", "x_unit": "mm", "x_start": 0}
    )
    elsewhere = load_bundle(bundle_file).instantiate(T1D, {"x_axis": MOTION1, "x_unit": "mm"})
    assert as_dict == as_text == elsewhere
    assert as_dict.params().model_dump(mode="json") == elsewhere.params().model_dump(mode="json")
    different = bundle.instantiate(T1D, {"x_axis": MOTION1, "x_unit": "mm", "x_stop": 2.0})
    assert different != as_dict and different.id == as_dict.id


def test_origin_records_the_template_and_the_normalized_config(bundle):
    spec = bundle.instantiate(
        T1D, {"x_axis": "dummy/timeseries_data/1/delta@motion1", "x_unit": "mm"}
    )
    assert spec.origin is not None
    assert spec.origin.template == T1D
    assert spec.origin.config == {"x_axis": MOTION1, "x_unit": "mm", "x_start": 0.0, "x_stop": 1.0}
    assert spec.to_json()["origin"] == {"template": T1D, "config": spec.origin.config}


def test_identity_comes_from_the_config_and_axes_are_left_out_of_the_sources(bundle):
    spec = bundle.instantiate(T1D, {"x_axis": MOTION1, "x_unit": "mm"})
    assert spec.id == WorkflowId.parse("dummy/motion1_correlation_histogram_1d/1")
    assert "dummy/timeseries_data/1/delta@motion1" not in spec.source_names
    assert "dummy/timeseries_data/1/delta@motion2" in spec.source_names


def test_rendering_is_typed_a_float_expression_gives_a_float(bundle):
    rendered = bundle.template(T1D).render({"x_axis": MOTION1, "x_unit": "mm", "x_start": 0.25})
    default = rendered["params"]["x_edges"]["default"]
    assert default["start"] == 0.25 and isinstance(default["start"], float)
    assert default["num_bins"] == 50 and isinstance(default["num_bins"], int)
    assert rendered["title"] == "Motion1 Correlation Histogram"
    typed = _template({"version": "{{ config.n + 1 }}", "title": "{{ config.x * 2 }}"})
    body = typed.render({"n": 2, "x": 1.5})
    assert body["version"] == 3 and isinstance(body["version"], int)
    assert body["title"] == 3.0 and isinstance(body["title"], float)


# -- the sandbox ---------------------------------------------------------------------------------


def _template(fields: dict[str, str]) -> Template:
    """A small template whose body holds ``fields`` (the attacker is the spec author)."""
    body = {
        "instrument": "dummy",
        "name": "probe_{{ config.label | slug }}",
        "version": 1,
        "group": "g",
        "title": "Probe",
        "source_names": ["motion1"],
        "outputs": {"o": {"title": "O"}},
        **fields,
    }
    return Template(
        "probe",
        title="Probe",
        config_defs={
            "label": {"type": "string", "default": "a"},
            "n": {"type": "int", "default": 1},
            "x": {"type": "float", "default": 1.0},
            "fmt": {"type": "string", "default": "{0}"},
            "axis": {"type": "timeseries", "default": MOTION1},
        },
        body=body,
        timeseries=lambda instrument: [TimeseriesReference.model_validate(MOTION1)],
    )


SPEC_ATTACKS = [
    "{{ config.axis.__class__ }}",
    "{{ config.label.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ '{0.__class__}'.format(config.axis) }}",
    "{{ '{0.__globals__}'.format(cycler.__init__) }}",
    "{{ range(10**9) | list }}",
    "{{ range(config.n * 100000000) | length }}",
    "{{ 'ab' * 10**9 }}",
    "{{ 'ab' * (config.n * 1000000000) }}",
    "{{ 10 ** (10**8) }}",
    "{{ config.n * 10 ** 1000 }}",
]


@pytest.mark.parametrize("attack", SPEC_ATTACKS)
def test_sandbox_escapes_written_in_a_spec_are_refused(attack):
    template = _template({"description": attack})
    with pytest.raises(TemplateError) as info:
        template.instantiate({})
    assert "sandbox" in str(info.value)


CONFIG_ATTACKS = [
    ("label", "{{ cycler.__init__.__globals__ }}"),
    ("label", "{{ ''.__class__.__mro__ }}"),
    ("label", "{% for x in range(10**9) %}{% endfor %}"),
    ("fmt", "{0.__class__.__mro__}"),
    ("fmt", "{0.workflow_id.__class__}"),
    ("n", 10**9),
]


@pytest.mark.parametrize(("field", "value"), CONFIG_ATTACKS)
def test_sandbox_escapes_smuggled_in_config_values_are_refused(field, value):
    """The spec uses config values innocently; the values themselves carry the attack."""
    template = _template(
        {
            "title": "{{ config.label }}",
            "description": "{{ config.fmt.format(config.axis) }}",
            "group": "{{ range(config.n) | length }}",
        }
    )
    with pytest.raises(TemplateError) as info:
        template.instantiate({field: value})
    assert "sandbox" in str(info.value)


def test_the_probe_template_renders_harmless_configs(bundle):
    """The probe used above is a working template: the refusals are not some other error."""
    template = _template(
        {
            "title": "{{ config.label }}",
            "description": "{{ config.fmt.format(config.axis.source_name) }}",
            "group": "g{{ range(config.n) | length }}",
        }
    )
    spec = template.instantiate({"label": "A b", "fmt": "on {0}", "n": 3})
    assert (spec.title, spec.description, spec.group) == ("A b", "on motion1", "g3")
    assert spec.id.name.startswith("probe_a_b_")


def test_a_shipped_template_refuses_template_syntax_in_a_config_value(bundle):
    config = {"x_axis": _axis("{{ cycler.__init__.__globals__ }}"), "x_unit": "mm"}
    with pytest.raises(TemplateError) as info:
        bundle.instantiate(T1D, config)
    assert "x_axis.source_name" in str(info.value)


# -- handed-out specs are not shared with the memo -----------------------------------------------


def test_mutating_an_instantiated_spec_does_not_change_later_instantiations(bundle):
    config = {"x_axis": MOTION1, "x_unit": "mm"}
    first = bundle.instantiate(T1D, config)
    pristine = first.model_dump()
    first.source_names.clear()
    first.param_defs.clear()
    first.origin.config.clear()
    for output in first.outputs.values():
        output.dims.append("bogus")
    first.outputs.clear()
    again = bundle.instantiate(T1D, config)
    assert again.model_dump() == pristine
    assert again.source_names and again.outputs and again.origin.config
    assert again.params is bundle.instantiate(T1D, config).params  # the params class is shared


def test_a_config_that_renders_invalid_params_names_the_field_behind_them(bundle):
    """Each field validates, but x_stop < x_start renders edges that break their constraint:
    a ConfigError on x_stop (whose string rendered the failing value), not a template error."""
    config = {"x_axis": MOTION1, "x_unit": "mm", "x_start": 5.0, "x_stop": 1.0}
    with pytest.raises(ConfigError) as info:
        bundle.instantiate(T1D, config)
    [error] = info.value.errors
    assert (error.field, error.value) == ("x_stop", 1.0)
    assert "x_edges.default.stop" in error.message
    assert "stop must be greater than start" in error.message


def test_invalid_params_no_config_field_renders_are_the_templates_fault(bundle):
    import copy

    shipped = bundle.template(T1D)
    body = copy.deepcopy(shipped.body)
    body["params"]["x_edges"]["default"]["stop"] = 0.5  # a constant below the default start
    broken = Template(
        "broken_histogram",
        title="Broken",
        config_defs=shipped.config_defs,
        body=body,
        timeseries=lambda instrument: bundle.timeseries(instrument),
    )
    config = {"x_axis": MOTION1, "x_unit": "mm", "x_start": 1.0}
    with pytest.raises(TemplateError, match="renders invalid params for this config"):
        broken.instantiate(config)
