"""Property: the form schema stored in the bundle accepts exactly what the pydantic model accepts.

Unlike tests/params (which builds forms from the YAML), this reads what the dashboard reads: the
``params_schema`` / ``config_schema`` stored in a compiled bundle, against the model of the
loaded WorkflowSpec / Template. Payloads come from tests/params' generator (near-valid values
with wrong types, out-of-range numbers, unknown keys and missing fields mixed in).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from wfspec.compiler.forms import form_validator
from wfspec.compiler.params_model import coerce_defs

AGREEMENT = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _agree(model, schema, payload) -> None:
    try:
        model.model_validate(payload)
        model_ok, model_error = True, None
    except ValidationError as error:
        model_ok, model_error = False, error
    form_errors = [e.message for e in form_validator(schema).iter_errors(payload)]
    assert model_ok == (not form_errors), (payload, model_error, form_errors)


@AGREEMENT
@given(data=st.data())
def test_stored_params_form_and_params_model_agree(
    bundle, shipped_workflow_id, payload_strategy, data
):
    spec = bundle.workflows[shipped_workflow_id]
    schema = bundle.params_form(shipped_workflow_id)["params_schema"]
    payload = data.draw(payload_strategy(coerce_defs(spec.param_defs)), label="params")
    _agree(spec.params, schema, payload)


@AGREEMENT
@given(data=st.data())
def test_stored_config_form_and_config_model_agree(
    bundle, shipped_template, payload_strategy, data
):
    template = bundle.template(shipped_template)
    schema = bundle.template_form(shipped_template)["config_schema"]
    payload = data.draw(payload_strategy(coerce_defs(template.config_defs)), label="config")
    _agree(template.config_model, schema, payload)


def test_the_stored_defaults_pass_the_stored_form(bundle, shipped_workflow_id):
    """A form opened with the bundle's defaults is valid as it stands."""
    form = bundle.params_form(shipped_workflow_id)
    assert list(form_validator(form["params_schema"]).iter_errors(form["defaults"])) == []
