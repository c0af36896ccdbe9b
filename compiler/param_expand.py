"""Library params (``edges``, ``range``, a number with a unit choice) as plain groups.

``edges``, ``range`` and ``float``/``int`` with ``units`` are shorthand for a group with fixed
fields and built-in rules. Expanding them here, once, lets the params model (``params_model``),
the form schema (``forms``) and the checks (``params_check``) treat every nested object as a
:class:`GroupParam` — the shapes and built-in rules are defined in one place:

- ``edges`` -> ``{start, stop, num_bins (1..10000), scale (linear|log), unit}`` + extra fields;
  rules ``stop > start`` and ``start > 0`` when ``scale == log``.
- ``range`` -> ``{start, stop, enabled, unit}`` + extra fields (``toggle: false`` drops
  ``enabled``); rule ``stop > start``.
- ``float``/``int`` with ``units`` -> ``{value, unit}``.

The ``unit`` field is a choice among ``units`` (the initial one from the default, else ``unit``,
else the first), or — with a fixed ``unit`` only — a frozen single choice. Spellings are kept
exactly as written. Without any unit the ``unit`` field is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .paramdefs import (
    BoolParam,
    ChoiceItem,
    ChoiceParam,
    Constraint,
    EdgesParam,
    FloatParam,
    GroupParam,
    IntParam,
    ParamDef,
    RangeParam,
)

__all__ = [
    "EDGES_RULES",
    "MAX_BINS",
    "RANGE_RULES",
    "Expanded",
    "expand",
    "has_unit_choice",
    "is_nested",
]

MAX_BINS = 10000
EDGES_RULES = (
    Constraint(rule="stop > start", message="stop must be greater than start"),
    Constraint(rule="start > 0", when="scale == log", message="a log scale needs a positive start"),
)
RANGE_RULES = (Constraint(rule="stop > start", message="stop must be greater than start"),)
_BUILTIN_NAMES = {
    "edges": ("start", "stop", "num_bins", "scale", "unit"),
    "range": ("start", "stop", "enabled", "unit"),
}


@dataclass(frozen=True, slots=True)
class Expanded:
    """A nested param as a plain group; ``fixed_unit`` is the unit shown in the title."""

    group: GroupParam
    kind: str
    fixed_unit: str | None = None


def has_unit_choice(defn: ParamDef) -> bool:
    """True for a float/int that the user gives with a unit of their choice (``units``)."""
    return isinstance(defn, FloatParam | IntParam) and bool(defn.units)


def is_nested(defn: ParamDef) -> bool:
    """True when the param is an object in the JSON (a group or a library group)."""
    return isinstance(defn, GroupParam | EdgesParam | RangeParam) or has_unit_choice(defn)


def builtin_names(kind: str) -> tuple[str, ...]:
    """The built-in field names of ``edges`` / ``range`` (extra fields must not reuse them)."""
    return _BUILTIN_NAMES.get(kind, ())


def _unit_field(unit: str | None, units: list[str] | None, default: Any) -> ChoiceParam | None:
    if units:
        initial = default if default is not None else (unit if unit is not None else units[0])
        return ChoiceParam(type="choice", title="Unit", units=list(units), default=initial)
    if unit is not None:
        return ChoiceParam(
            type="choice",
            title="Unit",
            units=[unit],
            default=default if default is not None else unit,
            frozen=True,
        )
    return None


def _with_default(defn: ParamDef, value: Any) -> ParamDef:
    return defn.model_copy(update={"default": value})


def _extras(fields: dict[str, ParamDef], defaults: dict[str, Any]) -> dict[str, ParamDef]:
    return {
        name: _with_default(defn, defaults[name]) if name in defaults else defn
        for name, defn in fields.items()
    }


def _common(defn: ParamDef) -> dict[str, Any]:
    return {
        "type": "group",
        "title": defn.title,
        "description": defn.description,
        "frozen": defn.frozen,
        "advanced": defn.advanced,
    }


def _expand_edges(defn: EdgesParam) -> Expanded:
    d = defn.default
    extra_defaults = dict(d.model_extra or {}) if d is not None else {}
    fields: dict[str, Any] = {
        "start": FloatParam(type="float", title="Start", default=d.start if d else None),
        "stop": FloatParam(type="float", title="Stop", default=d.stop if d else None),
        "num_bins": IntParam(
            type="int",
            title="Number of bins",
            min=1,
            max=MAX_BINS,
            default=d.num_bins if d else None,
        ),
        "scale": ChoiceParam(
            type="choice",
            title="Scale",
            choices=[
                ChoiceItem(value="linear", title="Linear"),
                ChoiceItem(value="log", title="Log"),
            ],
            default=(d.scale if d and d.scale else "linear"),
        ),
    }
    unit = _unit_field(defn.unit, defn.units, d.unit if d else None)
    if unit is not None:
        fields["unit"] = unit
    fields.update(_extras(defn.fields, extra_defaults))
    group = GroupParam(
        **_common(defn), fields=fields, constraints=[*EDGES_RULES, *defn.constraints]
    )
    return Expanded(group, "edges", None if defn.units else defn.unit)


def _expand_range(defn: RangeParam) -> Expanded:
    d = defn.default
    extra_defaults = dict(d.model_extra or {}) if d is not None else {}
    fields: dict[str, Any] = {
        "start": FloatParam(type="float", title="Start", default=d.start if d else None),
        "stop": FloatParam(type="float", title="Stop", default=d.stop if d else None),
    }
    if defn.toggle:
        enabled = d.enabled if d is not None and d.enabled is not None else False
        fields["enabled"] = BoolParam(type="bool", title="Enabled", default=enabled)
    unit = _unit_field(defn.unit, defn.units, d.unit if d else None)
    if unit is not None:
        fields["unit"] = unit
    fields.update(_extras(defn.fields, extra_defaults))
    group = GroupParam(
        **_common(defn), fields=fields, constraints=[*RANGE_RULES, *defn.constraints]
    )
    return Expanded(group, "range", None if defn.units else defn.unit)


def _expand_quantity(defn: FloatParam | IntParam) -> Expanded:
    value = defn.model_copy(
        update={"title": "Value", "description": None, "units": None, "unit": None}
    )
    unit = _unit_field(defn.unit, defn.units, None)
    group = GroupParam(**_common(defn), fields={"value": value, "unit": unit})
    return Expanded(group, defn.type)


def expand(defn: ParamDef) -> Expanded | None:
    """The plain-group form of a nested param (``None`` for a scalar or a timeseries)."""
    if isinstance(defn, GroupParam):
        if not defn.default:
            return Expanded(defn, "group")
        fields = _extras(defn.fields, defn.default)
        return Expanded(defn.model_copy(update={"fields": fields, "default": None}), "group")
    if isinstance(defn, EdgesParam):
        return _expand_edges(defn)
    if isinstance(defn, RangeParam):
        return _expand_range(defn)
    if has_unit_choice(defn):
        return _expand_quantity(defn)
    return None
