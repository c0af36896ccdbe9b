"""ParamDefs -> the UI form: a draft-07 JSON Schema and a react-jsonschema-form uiSchema.

The form is generated from the same ParamDefs as the params model, and its defaults are read
*from* the params model (``params_model.build_params_model``), so there is one authority on
defaults. The JSON Schema says everything JSON Schema can say: types, ``minimum``/``maximum``
(exclusive too), ``enum`` or ``oneOf: [{const, title}]`` for choices with labels, ``pattern``,
``required``, ``readOnly`` for frozen fields, units as ``x-unit`` and in the title
("Time-of-arrival bins [ms]"), and field-vs-number constraints as ``allOf``/``if``/``then``.

Comparisons between two sibling fields (``stop > start``) cannot be written in draft-07; every
group rule is listed in the extension keyword ``x-constraints`` (entries ``{rule, left, op, right,
message, when?}``, see ADR 0003). :func:`form_validator` returns a Draft7Validator that also
enforces ``x-constraints`` (filling missing fields from their ``default``, as the model does):
with it, the form accepts exactly what the params model accepts. A plain draft-07 validator never
rejects what the model accepts. Schemas use ``definitions`` (never ``$defs``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .constraints import Comparison, Condition, Rule, compile_constraint
from .param_expand import expand
from .paramdefs import (
    BoolParam,
    ChoiceItem,
    ChoiceParam,
    FloatParam,
    GroupParam,
    IntParam,
    ParamDef,
    StringParam,
    TimeseriesParam,
    field_title,
)
from .params_model import build_params_model, coerce_defs, field_default_json

__all__ = ["DRAFT7", "FormSchema", "build_form", "form_validator", "json_copy", "rule_from_json"]

DRAFT7 = "http://json-schema.org/draft-07/schema#"
_RADIO_MAX = 3  # up to this many choices show as radio buttons, more as a select
_WORKFLOW_ID_PATTERN = "^[^/]*/[^/]*/[0-9]*[1-9][0-9]*$"
_TIMESERIES_REF = "#/definitions/TimeseriesReference"
_TIMESERIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Timeseries",
    "description": "A timeseries output: workflow, stream and output (never a job number).",
    "properties": {
        "workflow_id": {
            "title": "Workflow",
            "description": "instrument/name/version, e.g. dummy/timeseries_data/1.",
            "anyOf": [
                {"type": "string", "pattern": _WORKFLOW_ID_PATTERN},
                {
                    "type": "object",
                    "properties": {
                        "instrument": {"type": "string"},
                        "name": {"type": "string"},
                        "version": {"type": "integer", "minimum": 1},
                    },
                    "required": ["instrument", "name", "version"],
                },
            ],
        },
        "source_name": {"type": "string", "title": "Source", "description": "The stream."},
        "output_name": {"type": "string", "title": "Output", "description": "The 0-d output."},
    },
    "required": ["workflow_id", "source_name", "output_name"],
}


@dataclass(frozen=True, slots=True)
class FormSchema:
    """A form: ``json_schema`` (draft-07) and ``ui_schema`` (react-jsonschema-form)."""

    json_schema: dict[str, Any]
    ui_schema: dict[str, Any]


class _Builder:
    def __init__(self) -> None:
        self.uses_timeseries = False

    # -- objects -------------------------------------------------------------------------------

    def object(
        self, group: GroupParam, model: type[BaseModel], unit: str | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        properties: dict[str, Any] = {}
        ui: dict[str, Any] = {"ui:order": list(group.fields)}
        required: list[str] = []
        for name, defn in group.fields.items():
            has_default, default = field_default_json(model, name)
            schema, field_ui = self.field(name, defn, model.model_fields[name].annotation)
            if has_default:
                schema["default"] = default
            else:
                required.append(name)
            properties[name] = schema
            if field_ui:
                ui[name] = field_ui
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        rules = [compile_constraint(c) for c in group.constraints]
        if rules:
            schema["x-constraints"] = [rule.to_json() for rule in rules]
            expressible = [s for s in (_rule_schema(r) for r in rules) if s is not None]
            if expressible:
                schema["allOf"] = expressible
        if unit is not None:
            schema["x-unit"] = unit
        return schema, ui

    # -- fields --------------------------------------------------------------------------------

    def field(
        self, name: str, defn: ParamDef, annotation: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        expanded = expand(defn)
        ui: dict[str, Any] = {}
        unit: str | None = None
        if expanded is not None:
            schema, ui = self.object(expanded.group, annotation, expanded.fixed_unit)
            unit = expanded.fixed_unit
            if defn.advanced:
                ui["ui:options"] = {"collapsed": True}
        elif isinstance(defn, TimeseriesParam):
            self.uses_timeseries = True
            schema = {"allOf": [{"$ref": _TIMESERIES_REF}]}
        else:
            schema, ui = _scalar(defn)
            unit = schema.get("x-unit")
            if defn.advanced:
                ui["ui:options"] = {"advanced": True}
        title = field_title(name, defn.title)
        out: dict[str, Any] = {"title": f"{title} [{unit}]" if unit else title}
        if defn.description:
            out["description"] = defn.description
            ui["ui:help"] = defn.description
        if defn.frozen:
            out["readOnly"] = True
            ui["ui:disabled"] = True
        out.update(schema)
        return out, ui


def _scalar(defn: ParamDef) -> tuple[dict[str, Any], dict[str, Any]]:
    if isinstance(defn, FloatParam | IntParam):
        schema: dict[str, Any] = {"type": "number" if isinstance(defn, FloatParam) else "integer"}
        for key, value in (
            ("minimum", defn.min),
            ("maximum", defn.max),
            ("exclusiveMinimum", defn.exclusive_min),
            ("exclusiveMaximum", defn.exclusive_max),
        ):
            if value is not None:
                schema[key] = value
        if defn.unit is not None:
            schema["x-unit"] = defn.unit
        return schema, {}
    if isinstance(defn, BoolParam):
        return {"type": "boolean"}, {"ui:widget": "checkbox"}
    if isinstance(defn, StringParam):
        schema = {"type": "string"}
        if defn.pattern is not None:
            schema["pattern"] = defn.pattern
        return schema, {}
    if isinstance(defn, ChoiceParam):
        return _choice(defn)
    raise TypeError(f"not a scalar param: {type(defn).__name__}")


def _choice(defn: ChoiceParam) -> tuple[dict[str, Any], dict[str, Any]]:
    if defn.units:
        return {"type": "string", "enum": list(defn.units), "x-unit-choice": True}, {
            "ui:widget": "select"
        }
    items = [c if isinstance(c, ChoiceItem) else ChoiceItem(value=c) for c in defn.choices or ()]
    widget = "radio" if len(items) <= _RADIO_MAX else "select"
    if any(item.title for item in items):
        one_of = [{"const": i.value, "title": i.title or str(i.value)} for i in items]
        return {"oneOf": one_of}, {"ui:widget": widget}
    return {"enum": [i.value for i in items]}, {"ui:widget": widget}


def _rule_schema(rule: Rule) -> dict[str, Any] | None:
    """``allOf`` entry for a field-vs-number rule (``start > 0``), ``None`` for field-vs-field."""
    comparison = rule.comparison
    if isinstance(comparison.left, str) == isinstance(comparison.right, str):
        return None
    if isinstance(comparison.left, str):
        field, op, number = comparison.left, comparison.op, comparison.right
    else:
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!="}
        field, op, number = comparison.right, flipped[comparison.op], comparison.left
    keyword = {
        "<": {"exclusiveMaximum": number},
        "<=": {"maximum": number},
        ">": {"exclusiveMinimum": number},
        ">=": {"minimum": number},
        "!=": {"not": {"const": number}},
    }[op]
    then = {"properties": {field: keyword}}
    condition = rule.condition
    if condition is None:
        return then
    test: dict[str, Any] = {"const": condition.value}
    if not condition.equal:
        test = {"not": test}
    return {
        "if": {"properties": {condition.field: test}, "required": [condition.field]},
        "then": then,
    }


def build_form(
    defs: Mapping[str, ParamDef | Mapping[str, Any]],
    *,
    name: str = "params",
    title: str | None = None,
    description: str | None = None,
    memo: dict[str, tuple[dict[str, Any], dict[str, Any]]] | None = None,
) -> FormSchema:
    """The form of a workflow's params or a template's config (``name`` names the model).

    ``memo`` (a dict kept for one bundle build) shares the work between equal ``defs``: a form
    does not depend on ``name`` (the model it reads defaults from never shows), so equal defs
    give equal forms but for the title and description. Each call still gets its own data (the
    first the form built for it, the others copies made from it before anyone can edit it).
    """
    key = _defs_key(defs) if memo is not None else None
    shared = memo.get(key) if memo is not None and key is not None else None
    if shared is not None:
        body, ui = json_copy(shared[0]), json_copy(shared[1])
    else:
        body, ui = _form_body(defs, name)
        if memo is not None and key is not None:
            memo[key] = (body, ui)  # later copies are made while the memo's build lasts
    schema: dict[str, Any] = {"$schema": DRAFT7}
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    schema.update(body)
    return FormSchema(json_schema=schema, ui_schema=ui)


def _form_body(
    defs: Mapping[str, ParamDef | Mapping[str, Any]], name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON Schema (all but its header) and the uiSchema of ``defs``."""
    parsed = coerce_defs(defs)
    model = build_params_model(name, parsed)
    builder = _Builder()
    body, ui = builder.object(GroupParam(type="group", fields=parsed), model)
    if not parsed:
        body["additionalProperties"] = False
    if builder.uses_timeseries:
        body["definitions"] = {"TimeseriesReference": _TIMESERIES_SCHEMA}
    return body, ui


def _defs_key(defs: Mapping[str, Any]) -> str | None:
    """Text equal for equal defs (ParamDefs by their full JSON dump); None when not JSON."""
    try:
        return json.dumps(
            [
                [key, d.model_dump(mode="json") if isinstance(d, BaseModel) else d]
                for key, d in defs.items()
            ]
        )
    except (TypeError, ValueError):
        return None


def json_copy(value: Any) -> Any:
    """A copy of JSON data that shares no dict or list with it (memoized forms and defaults
    are handed out as copies: a caller editing one entry must not change another)."""
    if type(value) is dict:
        return {key: json_copy(item) for key, item in value.items()}
    if type(value) is list:
        return [json_copy(item) for item in value]
    return value


# -- validation with x-constraints --------------------------------------------------------------


def rule_from_json(entry: Mapping[str, Any]) -> Rule:
    """The :class:`Rule` of an ``x-constraints`` entry."""
    ops = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "ne": "!="}
    comparison = Comparison(entry["left"], ops[entry["op"]], entry["right"])
    condition = None
    when = entry.get("when")
    if when is not None:
        value = when["value"]
        text = value if isinstance(value, str) else str(value)
        condition = Condition(when["field"], when["op"] == "eq", value, text)
    return Rule(comparison, condition, entry["message"])


def _x_constraints(validator: Any, entries: Any, instance: Any, schema: Mapping[str, Any]):
    from jsonschema.exceptions import ValidationError

    if not isinstance(instance, dict):
        return
    values = {
        key: sub["default"]
        for key, sub in schema.get("properties", {}).items()
        if isinstance(sub, dict) and "default" in sub
    }
    values.update(instance)
    for entry in entries:
        rule = rule_from_json(entry)
        if rule.violated(values):
            yield ValidationError(rule.message)


def form_validator(schema: Mapping[str, Any]) -> Any:
    """A jsonschema Draft7Validator for ``schema`` that also enforces ``x-constraints``."""
    from jsonschema import Draft7Validator, validators

    extended = validators.extend(Draft7Validator, {"x-constraints": _x_constraints})
    return extended(schema)
