"""Params and configs as the page sends them -> validated values, or ApiErrors naming fields.

The page validates with the same JSON Schema (and ``x-constraints``) first; this is the
server's word, from the spec's pydantic params model and the template's config model -- the
same code ``Runtime.stage`` and ``register_from_template`` run. Nothing here evaluates
anything from a request as a template: configs go through ``Template.validate_config``, whose
values are data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from wfspec.compiler import ConfigError, FieldError, TemplateError, UnknownTemplate
from wfspec.runtime.params_keys import unknown_param_keys

from .errors import ApiError
from .shapes import deep_merge, field_errors

__all__ = [
    "check_config",
    "config_refusal",
    "defaults_of",
    "merged_params",
    "validate_params",
]


def defaults_of(spec: Any) -> dict[str, Any]:
    """The params a start without params uses (the model's defaults)."""
    try:
        return spec.params.model_validate({}).model_dump(mode="json")
    except ValidationError:  # a required field without default: the page must send it
        return {}


def merged_params(spec: Any, params: Any) -> dict[str, Any]:
    """``params`` (None = the defaults; a partial object is merged over them)."""
    if params is None:
        return defaults_of(spec)
    if not isinstance(params, Mapping):
        raise ApiError(422, "params must be an object", [{"field": "", "message": "not an object"}])
    return deep_merge(defaults_of(spec), params)


def validate_params(spec: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The params model's verdict; 422 with one entry per bad field (dotted, inside params)."""
    errors: list[FieldError] = list(unknown_param_keys(spec.params, params))
    try:
        validated = spec.params.model_validate(dict(params)).model_dump(mode="json")
    except ValidationError as exc:
        validated = {}
        for err in exc.errors():
            if err["type"] == "extra_forbidden":
                continue
            loc = ".".join(str(p) for p in err["loc"])
            errors.append(FieldError(f"params.{loc}" if loc else "params", _msg(err)))
    if errors:
        raise ApiError(422, "invalid params", field_errors(errors, "params."))
    return validated


def check_config(bundle: Any, template_name: Any, config: Any) -> tuple[Any, dict[str, Any]]:
    """(template, normalized config), or a 422 naming the field (``template`` or a config path)."""
    if not isinstance(template_name, str):
        raise ApiError(
            422, "template must be a name", [{"field": "template", "message": "missing"}]
        )
    if not isinstance(config, Mapping):
        raise ApiError(422, "config must be an object", [{"field": "", "message": "not an object"}])
    try:
        template = bundle.template(template_name)
        normalized = template.validate_config(config)
    except UnknownTemplate as exc:
        raise ApiError(422, str(exc), [{"field": "template", "message": str(exc)}]) from None
    except ConfigError as exc:
        raise config_refusal(exc) from None
    return template, normalized


def config_refusal(exc: ConfigError | TemplateError) -> ApiError:
    """The 422 of a config that gives no instance: a ConfigError names its fields (also one
    that validates field by field but renders bad params), a TemplateError (the template is at
    fault) the form as a whole (field ``""``)."""
    if isinstance(exc, ConfigError):
        return ApiError(422, str(exc), field_errors(exc.errors, "config."))
    return ApiError(422, str(exc), [{"field": "", "message": str(exc)}])


def _msg(err: Mapping[str, Any]) -> str:
    message = str(err["msg"])
    return message.removeprefix("Value error, ")
