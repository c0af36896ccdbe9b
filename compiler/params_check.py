"""Semantic checks of ParamDefs: units, choices, bounds, constraints and the defaults themselves.

The JSON Schema (structural stage) already ensured every ParamDef has the right keys and types;
this stage checks what a schema cannot: units known to scipp (with did-you-mean), defaults among
their choices and units, bounds that leave room, constraint rules that parse and name real
fields, and defaults that satisfy their own constraints and the built-in edges/range rules —
the same :class:`~wfspec.compiler.constraints.Rule` objects the params model enforces. Every
problem is a :class:`Diagnostic` at the offending node (codes U101.., P101.. in ``CODES``).

Entry point (called by the resolve stage for each ``params`` / ``config`` mapping)::

    check_param_defs(defs, doc, path, allow_timeseries=False) -> list[Diagnostic]

``defs`` is the mapping name -> ParamDef (objects or the plain YAML mappings), ``doc`` the
:class:`SourceDocument` it was read from and ``path`` the JSON path of that mapping inside the
document, e.g. ``("params",)`` or ``("workflow", "params")``; diagnostics point below it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .constraints import ConstraintSyntaxError, Rule, compile_constraint
from .diagnostics import Diagnostic, JsonPath, Severity, did_you_mean
from .param_expand import Expanded, builtin_names, expand
from .paramdefs import (
    BoolParam,
    ChoiceItem,
    ChoiceParam,
    EdgesParam,
    FloatParam,
    GroupParam,
    IntParam,
    ParamDef,
    RangeParam,
    StringParam,
    TimeseriesParam,
)
from .params_model import choice_values, coerce_defs
from .source import SourceDocument
from .units import convertible, likely_typo, suggest_unit, typo_message, unit_error

__all__ = ["check_param_defs"]

_ORDERING = {"<", "<=", ">", ">="}

INT_RANGE = (-(2**63), 2**63 - 1)
"""Bounds and defaults of an ``int`` param: the 64-bit range, which the params model (pydantic)
and the backend (numpy int64) can hold. A bound outside it (``1e20``) would break the build."""

_SCALARS = (FloatParam, IntParam, BoolParam, ChoiceParam, StringParam, TimeseriesParam)


class _Checker:
    def __init__(self, doc: SourceDocument, allow_timeseries: bool) -> None:
        self.doc = doc
        self.allow_timeseries = allow_timeseries
        self.out: list[Diagnostic] = []

    def report(
        self,
        code: str,
        message: str,
        path: JsonPath,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.out.append(self.doc.diagnostic(code, message, path, hint=hint, severity=severity))

    # -- walk ---------------------------------------------------------------------------------

    def defs(self, defs: Mapping[str, ParamDef], base: JsonPath) -> None:
        for name, defn in defs.items():
            self.param(name, defn, (*base, name))

    def param(self, name: str, defn: ParamDef, path: JsonPath) -> None:
        if defn.frozen and isinstance(defn, _SCALARS) and defn.default is None:
            self.report(
                "P119",
                f"param {name!r} is frozen but has no default: the form could neither fill "
                "nor send it",
                (*path, "frozen"),
                hint="give it a default, or remove 'frozen: true'",
            )
        if isinstance(defn, FloatParam | IntParam):
            self.number(defn, path)
        elif isinstance(defn, StringParam):
            self.string(name, defn, path)
        elif isinstance(defn, ChoiceParam):
            self.choice(name, defn, path)
        elif isinstance(defn, TimeseriesParam) and not self.allow_timeseries:
            self.report(
                "P111",
                f"param {name!r} is a timeseries, which only a template's config may have",
                (*path, "type"),
                hint="use a timeseries in a WorkflowTemplate's config to pick a correlation axis",
            )
        if isinstance(defn, EdgesParam | RangeParam | FloatParam | IntParam):
            self.units(defn, path)
        if isinstance(defn, EdgesParam | RangeParam):
            self.library(defn, path)
        if isinstance(defn, GroupParam):
            self.defs(defn.fields, (*path, "fields"))
            if defn.default:
                self.unknown_defaults(defn.default, set(defn.fields), (*path, "default"))
        expanded = expand(defn)
        if expanded is not None and isinstance(defn, GroupParam | EdgesParam | RangeParam):
            self.rules(defn, expanded, path)

    # -- scalars ------------------------------------------------------------------------------

    def number(self, defn: FloatParam | IntParam, path: JsonPath) -> None:
        if not self.representable(defn, path):
            return  # comparing an unusable bound would only repeat the problem
        low = [(v, False, k) for k, v in (("min", defn.min),) if v is not None]
        low += [(v, True, k) for k, v in (("exclusive_min", defn.exclusive_min),) if v is not None]
        high = [(v, False, k) for k, v in (("max", defn.max),) if v is not None]
        high += [(v, True, k) for k, v in (("exclusive_max", defn.exclusive_max),) if v is not None]
        for lo, lo_strict, lo_key in low:
            for hi, hi_strict, hi_key in high:
                if lo > hi or (lo == hi and (lo_strict or hi_strict)):
                    self.report(
                        "P107",
                        f"{lo_key} {lo} and {hi_key} {hi} leave no valid value",
                        (*path, lo_key),
                        hint=f"make {lo_key} smaller than {hi_key}",
                    )
        if defn.default is not None:
            self.bounds(defn, defn.default, (*path, "default"))

    def representable(self, defn: FloatParam | IntParam, path: JsonPath) -> bool:
        """Bounds and default the params model can be built with (P117, P118).

        An int's bounds must be whole numbers in :data:`INT_RANGE` (``max: 16.5`` or ``1e20``
        cannot become an integer bound); a float's numbers must be finite (``1e400`` is read as
        infinity, which neither JSON nor a form can carry).
        """
        ok = True
        for key in ("min", "max", "exclusive_min", "exclusive_max", "default"):
            value = getattr(defn, key)
            if value is None or isinstance(value, bool):
                continue
            if (isinstance(defn, FloatParam) or isinstance(value, float)) and not math.isfinite(
                value
            ):
                self.report(
                    "P118",
                    f"{key} {value} is not a finite number",
                    (*path, key),
                    hint="write a finite number (YAML reads 1e400 and .inf as infinity)",
                )
                ok = False
                continue
            if isinstance(defn, IntParam) and isinstance(value, float) and not value.is_integer():
                self.report(
                    "P117",
                    f"{key} {value} of an int param is not a whole number",
                    (*path, key),
                    hint=f"write a whole number, e.g. {math.floor(value)}, or make the param "
                    "a float",
                )
                ok = False
            elif isinstance(defn, IntParam) and not INT_RANGE[0] <= value <= INT_RANGE[1]:
                self.report(
                    "P117",
                    f"{key} {value} of an int param is outside the 64-bit integer range",
                    (*path, key),
                    hint="an int holds -2**63 .. 2**63-1; use a smaller bound or leave it out",
                )
                ok = False
        return ok

    def bounds(self, defn: FloatParam | IntParam, value: Any, path: JsonPath) -> None:
        for key, bound, ok in (
            ("min", defn.min, lambda v, b: v >= b),
            ("max", defn.max, lambda v, b: v <= b),
            ("exclusive_min", defn.exclusive_min, lambda v, b: v > b),
            ("exclusive_max", defn.exclusive_max, lambda v, b: v < b),
        ):
            if bound is not None and isinstance(value, int | float) and not ok(value, bound):
                self.report(
                    "P108",
                    f"default {value} is outside the bounds ({key} is {bound})",
                    path,
                    hint=f"choose a default that respects {key}: {bound}",
                )

    def string(self, name: str, defn: StringParam, path: JsonPath) -> None:
        if name == "unit" and defn.default is not None:
            self.unit(defn.default, (*path, "default"))
        if defn.pattern is None:
            return
        try:
            compiled = re.compile(defn.pattern)
        except re.error as error:
            self.report(
                "P113",
                f"pattern {defn.pattern!r} is not a valid regular expression: {error}",
                (*path, "pattern"),
            )
            return
        if defn.default is not None and compiled.search(defn.default) is None:
            self.report(
                "P112",
                f"default {defn.default!r} does not match the pattern {defn.pattern!r}",
                (*path, "default"),
            )

    def choice(self, name: str, defn: ChoiceParam, path: JsonPath) -> None:
        if (defn.choices is None) == (defn.units is None):
            both = defn.choices is not None
            self.report(
                "P102",
                f"choice {name!r} has {'both' if both else 'neither'} 'choices' and 'units'",
                path,
                hint="list the values under 'choices' (or, for a unit choice, under 'units')",
            )
            if not both:
                return
        key = "units" if defn.units is not None else "choices"
        values = choice_values(defn)
        if not values:
            self.report("P114", f"choice {name!r} offers no values", (*path, key))
            return
        for index, value in enumerate(values):
            if any(_same(value, earlier) for earlier in values[:index]):
                self.report("P103", f"choice {value!r} is listed twice", (*path, key, index))
        if defn.units is not None or name == "unit":
            valid: list[Any] = []
            for index, value in enumerate(values):
                if isinstance(value, str):
                    sub: JsonPath = (*path, key, index)
                    if defn.units is None and isinstance((defn.choices or [])[index], ChoiceItem):
                        sub = (*sub, "value")
                    ok = self.unit(value, sub, candidates=tuple(str(v) for v in values))
                    valid.append(value if ok else None)
                else:
                    valid.append(None)
            self.same_dimension(valid, (*path, key))
        if defn.default is not None and not any(_same(defn.default, v) for v in values):
            shown = ", ".join(repr(v) for v in values)
            code = "U102" if defn.units is not None else "P101"
            self.report(
                code,
                f"default {defn.default!r} is not one of the {key}: {shown}",
                (*path, "default"),
                hint=_did_you_mean(defn.default, values)
                or f"choose one of {shown}, or add it to '{key}'",
            )

    # -- units --------------------------------------------------------------------------------

    def unit(self, text: Any, path: JsonPath, candidates: tuple[str, ...] = ()) -> bool:
        if not isinstance(text, str):
            return False
        problem = unit_error(text)
        if problem is None:
            typo = likely_typo(text)
            if typo is not None:
                meant, reading = typo
                self.report(
                    "U104",
                    typo_message(text, meant, reading),
                    path,
                    hint=f"did you mean {meant!r}?",
                    severity=Severity.WARNING,
                )
            return True
        suggestion = suggest_unit(text, candidates or None)
        hint = f"did you mean {suggestion!r}? " if suggestion else ""
        hint += "Units are scipp unit strings such as ms, μs, Å, 1/Å, meV, deg."
        self.report("U101", f"unknown unit {text!r}: {problem}", path, hint=hint)
        return False

    def same_dimension(self, units: list[Any], path: JsonPath) -> None:
        """U103 at each unit of a list that does not convert into the list's first valid unit."""
        first: tuple[int, str] | None = None
        for index, text in enumerate(units):
            if not isinstance(text, str) or unit_error(text) is not None:
                continue
            if first is None:
                first = (index, text)
            elif not convertible(first[1], text):
                self.report(
                    "U103",
                    f"unit {text!r} does not convert into {first[1]!r} (item {first[0] + 1} of "
                    "the same list): one field would mean different quantities",
                    (*path, index),
                    hint=f"list only units of the same dimension as {first[1]!r}",
                )

    def units(self, defn: EdgesParam | RangeParam | FloatParam | IntParam, path: JsonPath) -> None:
        if defn.unit is not None:
            self.unit(defn.unit, (*path, "unit"), tuple(defn.units or ()))
        for index, text in enumerate(defn.units or ()):
            if text in (defn.units or [])[:index]:
                self.report("P103", f"unit {text!r} is listed twice", (*path, "units", index))
            self.unit(text, (*path, "units", index))
        self.same_dimension(list(defn.units or ()), (*path, "units"))
        if defn.units and defn.unit is not None and defn.unit not in defn.units:
            self.report(
                "U102",
                f"unit {defn.unit!r} is not one of the units: {', '.join(defn.units)}",
                (*path, "unit"),
                hint="with 'units', 'unit' picks the initial one and must be among them",
            )
        default = getattr(defn, "default", None)
        default_unit = getattr(default, "unit", None) if default is not None else None
        if isinstance(defn, EdgesParam | RangeParam) and default_unit is not None:
            allowed = defn.units or ([defn.unit] if defn.unit is not None else [])
            if not allowed:
                self.unit(default_unit, (*path, "default", "unit"))
                self.report(
                    "U102",
                    f"default unit {default_unit!r} given, but the param has no 'unit' or 'units'",
                    (*path, "default", "unit"),
                    hint=f"add 'unit: {default_unit}' or a 'units' list to the param",
                )
            elif default_unit not in allowed:
                self.unit(default_unit, (*path, "default", "unit"), tuple(allowed))
                self.report(
                    "U102",
                    f"default unit {default_unit!r} is not one of the units: {', '.join(allowed)}",
                    (*path, "default", "unit"),
                    hint=_did_you_mean(default_unit, allowed)
                    or "spell it exactly as in the units list (μs and µs differ)",
                )

    # -- edges / range ------------------------------------------------------------------------

    def library(self, defn: EdgesParam | RangeParam, path: JsonPath) -> None:
        builtins = builtin_names(defn.type)
        for name in defn.fields:
            if name in builtins:
                self.report(
                    "P110",
                    f"extra field {name!r} reuses a built-in field of {defn.type}",
                    (*path, "fields", name),
                    hint=f"rename it; {defn.type} already has {', '.join(builtins)}",
                )
        self.defs(defn.fields, (*path, "fields"))
        if defn.default is not None:
            extra = dict(defn.default.model_extra or {})
            self.unknown_defaults(extra, set(defn.fields), (*path, "default"))
        if defn.default is not None:
            for key in ("start", "stop"):
                value = getattr(defn.default, key)
                if isinstance(value, float) and not math.isfinite(value):
                    self.report(
                        "P118",
                        f"default {key} {value} is not a finite number",
                        (*path, "default", key),
                        hint="write a finite number (YAML reads 1e400 and .inf as infinity)",
                    )
        if isinstance(defn, EdgesParam) and defn.default is not None:
            num_bins = defn.default.num_bins
            if num_bins is not None and not 1 <= num_bins <= 10000:
                self.report(
                    "P108",
                    f"default num_bins {num_bins} is outside 1..10000",
                    (*path, "default", "num_bins"),
                )

    def unknown_defaults(self, given: Mapping[str, Any], known: set[str], path: JsonPath) -> None:
        for key in given:
            if key not in known:
                self.report(
                    "P109",
                    f"default sets {key!r}, which is not a field of this param",
                    (*path, key),
                    hint=_did_you_mean(key, sorted(known)) or "remove it or add the field",
                )

    # -- constraints --------------------------------------------------------------------------

    def rules(self, defn: ParamDef, expanded: Expanded, path: JsonPath) -> None:
        group = expanded.group
        own = list(defn.constraints)
        builtin_count = len(group.constraints) - len(own)
        compiled: list[tuple[Rule, JsonPath | None]] = []
        for index, constraint in enumerate(group.constraints):
            rule_path = (
                (*path, "constraints", index - builtin_count) if index >= builtin_count else None
            )
            try:
                rule = compile_constraint(constraint)
            except ConstraintSyntaxError as error:
                self.report(
                    "P105",
                    f"constraint {error.part} {error.text!r} does not parse: {error.reason}",
                    (*(rule_path or path), error.part),
                    hint="write e.g. rule: 'start < stop' with when: 'scale == log'",
                )
                continue
            if rule_path is not None and not self.rule_fields(rule, group, rule_path):
                continue
            compiled.append((rule, rule_path))
        values, where = self.default_values(defn, expanded, path)
        for rule, rule_path in compiled:
            if any(f not in values for f in rule.comparison.fields):
                continue
            if rule.violated(values):
                field = rule.comparison.fields[0]
                self.report(
                    "P104",
                    f"the defaults break a constraint: {rule.message}",
                    where.get(field, path),
                    hint=f"change the defaults so that {rule.comparison} holds"
                    + (f" (rule at constraints[{rule_path[-1]}])" if rule_path else ""),
                )

    def rule_fields(self, rule: Rule, group: GroupParam, path: JsonPath) -> bool:
        ok = True
        names = sorted(group.fields)
        for field in rule.fields:
            if field not in group.fields:
                part = "when" if rule.condition and field == rule.condition.field else "rule"
                if field in rule.comparison.fields:
                    part = "rule"
                self.report(
                    "P106",
                    f"constraint names {field!r}, which is not a field here",
                    (*path, part),
                    hint=_did_you_mean(field, names) or f"fields are: {', '.join(names)}",
                )
                ok = False
        if not ok:
            return False
        if rule.comparison.op in _ORDERING:
            for field in rule.comparison.fields:
                defn = group.fields[field]
                if not isinstance(defn, FloatParam | IntParam) or defn.units:
                    self.report(
                        "P115",
                        f"constraint compares {field!r} with {rule.comparison.op}, "
                        f"but it is a {defn.type}, not a number",
                        (*path, "rule"),
                    )
                    ok = False
        condition = rule.condition
        if condition is not None:
            target = group.fields[condition.field]
            if isinstance(target, ChoiceParam):
                values = choice_values(target)
                if not any(_same(condition.value, v) or v == condition.text for v in values):
                    self.report(
                        "P116",
                        f"'when' compares {condition.field!r} with {condition.text!r}, which is "
                        f"not one of its choices ({', '.join(repr(v) for v in values)})",
                        (*path, "when"),
                        severity=Severity.WARNING,
                    )
        return ok

    def default_values(
        self, defn: ParamDef, expanded: Expanded, path: JsonPath
    ) -> tuple[dict[str, Any], dict[str, JsonPath]]:
        """Default of each scalar field of the group, and where the author wrote it."""
        values: dict[str, Any] = {}
        where: dict[str, JsonPath] = {}
        mapping = _default_mapping(defn)
        for name, field in expanded.group.fields.items():
            if expand(field) is not None or field.default is None:
                continue
            values[name] = field.default
            if name in mapping:
                where[name] = (*path, "default", name)
            elif name in getattr(defn, "fields", {}):
                where[name] = (*path, "fields", name, "default")
            else:
                where[name] = path
        return values, where


def _default_mapping(defn: ParamDef) -> dict[str, Any]:
    default = getattr(defn, "default", None)
    if default is None:
        return {}
    if isinstance(default, dict):
        return default
    return {k: v for k, v in default.model_dump().items() if v is not None}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, float) and math.isnan(a):
        return False
    return a == b


def _did_you_mean(value: Any, options: list[Any]) -> str | None:
    close = did_you_mean(value, options)
    return f"did you mean {close!r}?" if close is not None else None


def check_param_defs(
    defs: Mapping[str, ParamDef | Mapping[str, Any]],
    doc: SourceDocument,
    path: JsonPath = ("params",),
    *,
    allow_timeseries: bool = False,
) -> list[Diagnostic]:
    """Every semantic problem of the params mapping at ``path`` in ``doc``, as diagnostics.

    ``allow_timeseries`` is true for a template's ``config`` (the only place a timeseries param
    may appear). Never raises for bad defs: each problem is a U1xx/P1xx diagnostic.
    """
    checker = _Checker(doc, allow_timeseries)
    checker.defs(coerce_defs(defs), tuple(path))
    return checker.out
