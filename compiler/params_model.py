"""ParamDefs -> a pydantic params model class: the authority on defaults and valid params.

``build_params_model(name, defs)()`` gives the defaults and its ``model_dump(mode="json")`` is
exactly the JSON the ESS livedata backend expects: field order = YAML order, floats dump as
floats (a default written ``0`` dumps ``0.0``), ints as ints, choices and unit strings exactly
as written (``μs`` stays U+03BC). Groups, ``edges``, ``range`` and numbers with a unit choice
become nested models (see ``param_expand``); constraints and the built-in edges/range rules are
model validators that report the author's message at the rule's first field.

Payloads are validated like the form schema (``forms.py``) validates them — the two agree, a
property test checks it: numbers are not taken from strings or booleans, a choice must equal one
of its values (``1.0`` selects the choice written ``1``), unknown keys are ignored as the backend
ignores them, and a workflow without params rejects any params.

Classes are cached by a digest of ``(name, defs)``: building is cheap (~0.3 ms per nested model)
but bundle loading and template instantiation call it often.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictStr,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticUndefined

from .constraints import Rule, compile_constraint
from .ids import TimeseriesReference
from .param_expand import expand
from .paramdefs import (
    BoolParam,
    ChoiceItem,
    ChoiceParam,
    FloatParam,
    GroupParam,
    IntParam,
    ParamDef,
    ParamDefs,
    StringParam,
    TimeseriesParam,
    field_title,
)

__all__ = [
    "NoParams",
    "ParamsModel",
    "build_params_model",
    "choice_values",
    "coerce_defs",
    "default_values",
    "defs_digest",
    "field_default_json",
]


class ParamsModel(BaseModel):
    """Base of every generated params model: unknown keys ignored, group rules enforced."""

    model_config = ConfigDict(extra="ignore")

    wfspec_rules: ClassVar[tuple[Rule, ...]] = ()

    @model_validator(mode="after")
    def _check_rules(self) -> ParamsModel:
        values = self.__dict__
        errors = []
        for rule in self.wfspec_rules:
            if rule.violated(values):
                field = rule.comparison.fields[0]
                errors.append(
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "constraint",
                            "{message}",
                            {"message": rule.message, "rule": str(rule.comparison)},
                        ),
                        loc=(field,),
                        input=values.get(field),
                    )
                )
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


class NoParams(ParamsModel):
    """Base of the model of a workflow without params: any param is an error."""

    model_config = ConfigDict(extra="forbid")


# --- scalar validators: accept exactly what the draft-07 form schema accepts ------------------


def _real(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("float_type", "Input should be a number")
    return float(value)


def _integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "Input should be an integer")
    return value


def _searcher(pattern: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.search(value) is None:
            raise PydanticCustomError(
                "string_pattern_mismatch",
                "String should match pattern '{pattern}'",
                {"pattern": pattern},
            )
        return value

    return check


def choice_values(defn: ChoiceParam) -> list[Any]:
    """The allowed values of a choice, as written (``units`` for a unit choice)."""
    if defn.units:
        return list(defn.units)
    return [c.value if isinstance(c, ChoiceItem) else c for c in defn.choices or ()]


def _same_choice(value: Any, choice: Any) -> bool:
    if isinstance(value, bool) or isinstance(choice, bool):
        return False
    if isinstance(choice, str) or isinstance(value, str):
        return isinstance(choice, str) and isinstance(value, str) and value == choice
    return value == choice


def _chooser(values: list[Any]) -> Callable[[Any], Any]:
    expected = ", ".join(repr(v) for v in values)

    def choose(value: Any) -> Any:
        for choice in values:
            if _same_choice(value, choice):
                return choice  # as written: 1.0 selects the choice written 1
        raise PydanticCustomError(
            "choice", "Input should be one of {expected}", {"expected": expected}
        )

    return choose


def _bounds(defn: FloatParam | IntParam) -> dict[str, Any]:
    return {
        "ge": defn.min,
        "le": defn.max,
        "gt": defn.exclusive_min,
        "lt": defn.exclusive_max,
    }


def _scalar(defn: ParamDef) -> tuple[Any, Any]:
    """(annotation, default) of a scalar param; default ``PydanticUndefined`` when required."""
    default = PydanticUndefined if defn.default is None else defn.default
    if isinstance(defn, FloatParam):
        if default is not PydanticUndefined:
            default = float(default)
        return Annotated[float, BeforeValidator(_real)], default
    if isinstance(defn, IntParam):
        return Annotated[int, BeforeValidator(_integer)], default
    if isinstance(defn, BoolParam):
        return StrictBool, default
    if isinstance(defn, StringParam):
        if defn.pattern is None:
            return StrictStr, default
        return Annotated[StrictStr, AfterValidator(_searcher(defn.pattern))], default
    if isinstance(defn, ChoiceParam):
        values = choice_values(defn)
        if default is not PydanticUndefined:
            default = next((v for v in values if _same_choice(default, v)), default)
        return Annotated[Any, PlainValidator(_chooser(values))], default
    if isinstance(defn, TimeseriesParam):
        if default is not PydanticUndefined:
            default = TimeseriesReference.model_validate(defn.default.model_dump())
        return TimeseriesReference, default
    raise TypeError(f"not a scalar param: {type(defn).__name__}")


def _field(name: str, defn: ParamDef) -> tuple[Any, Any]:
    info: dict[str, Any] = {
        "title": field_title(name, defn.title),
        "description": defn.description,
    }
    expanded = expand(defn)
    if expanded is not None:
        sub = _nested_model(name, expanded.group)
        if all(not f.is_required() for f in sub.model_fields.values()):
            return sub, Field(default_factory=sub, **info)
        return sub, Field(**info)
    annotation, default = _scalar(defn)
    if isinstance(defn, FloatParam | IntParam):
        info.update({k: v for k, v in _bounds(defn).items() if v is not None})
    return annotation, Field(default, **info)


_MAX_CACHED = 4096
_NESTED: dict[str, type[ParamsModel]] = {}


def _nested_model(name: str, group: GroupParam) -> type[ParamsModel]:
    """Nested models are shared by every workflow with the same group (e.g. toa_edges)."""
    key = hashlib.sha256(
        json.dumps([name, group.model_dump(mode="json", exclude_defaults=True)]).encode()
    ).hexdigest()
    model = _NESTED.get(key)
    if model is None:
        if len(_NESTED) >= _MAX_CACHED:
            _NESTED.clear()
        model = _NESTED[key] = _group_model(name, group)
    return model


def _group_model(class_name: str, group: GroupParam) -> type[ParamsModel]:
    fields = {name: _field(name, defn) for name, defn in group.fields.items()}
    model = create_model(class_name, __base__=ParamsModel, **fields)
    model.wfspec_rules = tuple(compile_constraint(c) for c in group.constraints)
    return model


_ADAPTER: TypeAdapter[dict[str, ParamDef]] | None = None


def coerce_defs(defs: Mapping[str, ParamDef | Mapping[str, Any]]) -> dict[str, ParamDef]:
    """ParamDef objects as they are; plain YAML mappings validated into ParamDefs."""
    global _ADAPTER
    if all(isinstance(d, BaseModel) for d in defs.values()):
        return dict(defs)  # type: ignore[arg-type]
    if _ADAPTER is None:
        _ADAPTER = TypeAdapter(ParamDefs)
    return _ADAPTER.validate_python(  # anything else (corrupt JSON) fails here, naming the param
        {k: (dict(v) if isinstance(v, Mapping) else _dumped(v)) for k, v in defs.items()}
    )


def _dumped(value: Any) -> Any:
    return value.model_dump() if isinstance(value, BaseModel) else value


def defs_digest(name: str, defs: Mapping[str, ParamDef]) -> str:
    """A stable digest of a model's name and defs (order-sensitive: order is the JSON order)."""
    dumped = [[k, d.model_dump(mode="json", exclude_defaults=True)] for k, d in defs.items()]
    return hashlib.sha256(json.dumps([name, dumped], ensure_ascii=True).encode()).hexdigest()


_MODELS: dict[str, type[ParamsModel]] = {}


def build_params_model(
    name: str, defs: Mapping[str, ParamDef | Mapping[str, Any]]
) -> type[ParamsModel]:
    """The pydantic params model class of ``defs`` (cached by a digest of name and defs).

    ``Model()`` gives the defaults, ``Model().model_dump(mode="json")`` the backend's JSON;
    invalid params raise ``pydantic.ValidationError`` naming the field. ``defs`` may be ParamDef
    objects or the plain YAML mappings. A constraint rule that does not parse raises
    ``ConstraintSyntaxError`` (``check_param_defs`` reports it as a diagnostic first).
    """
    parsed = coerce_defs(defs)
    digest = defs_digest(name, parsed)
    model = _MODELS.get(digest)
    if model is None:
        if parsed:
            model = _group_model(name, GroupParam(type="group", fields=parsed))
        else:
            model = create_model(name, __base__=NoParams)
        if len(_MODELS) >= _MAX_CACHED:
            _MODELS.clear()
        _MODELS[digest] = model
    return model


def field_default_json(model: type[BaseModel], name: str) -> tuple[bool, Any]:
    """``(True, default as JSON)`` for a field with a default, ``(False, None)`` when required."""
    info = model.model_fields[name]
    if info.is_required():
        return False, None
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return True, value.model_dump(mode="json")
    return True, value


def default_values(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON defaults of a params model: every field that has a default.

    A param without a default is required (the form asks for it); a model with one cannot be
    instantiated empty, so its defaults are those of the other fields. Why not ``model()``: a
    spec whose param has no default is valid, and compiling it must not fail (no I001).
    """
    try:
        return model().model_dump(mode="json")
    except ValidationError:
        return model.model_construct().model_dump(mode="json", warnings=False)
