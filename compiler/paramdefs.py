"""ParamDef: the one type system behind params models, form schemas, defaults and their checks.

These pydantic models describe a param definition *as the author writes it in YAML* (a workflow's
or ParamSet's ``params``, a template's ``config``). They are structural only — everything here can
be said in JSON Schema, so ``schemas/`` (generated from these models) and the models never drift.
Semantic rules (units known to scipp, defaults among the choices, constraints that parse and hold)
live in ``params_check.py`` and become P/U diagnostics with positions.

From a mapping ``name -> ParamDef`` the compiler generates:

- the pydantic params model (``params_model.build_params_model``), whose defaults are *the*
  defaults and whose ``model_dump(mode="json")`` is what the livedata backend expects;
- the draft-07 form schema and react-jsonschema-form uiSchema (``forms.build_form``).

The union is discriminated on ``type``; groups nest ParamDefs in YAML order.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

__all__ = [
    "BoolParam",
    "ChoiceItem",
    "ChoiceParam",
    "ChoiceValue",
    "Constraint",
    "EdgesDefault",
    "EdgesParam",
    "FloatParam",
    "GroupParam",
    "IntParam",
    "ParamDef",
    "ParamDefs",
    "RangeDefault",
    "RangeParam",
    "StringParam",
    "TimeseriesDefault",
    "TimeseriesParam",
    "field_title",
]

_FORBID = ConfigDict(extra="forbid", defer_build=True)

ChoiceValue = StrictStr | StrictInt | StrictFloat
"""A choice is a string, an integer or a float; it dumps exactly as written."""

Number = StrictInt | StrictFloat


class Constraint(BaseModel):
    """A comparison between sibling fields, or a field and a number, optionally conditional."""

    model_config = _FORBID

    rule: str = Field(
        title="Rule",
        description=(
            "A comparison 'left op right' with op one of <, <=, >, >=, != ; each side a sibling "
            "field name or a number, e.g. 'start < stop' or 'start > 0'."
        ),
        examples=["pixel_start < pixel_stop", "start > 0"],
    )
    when: str | None = Field(
        default=None,
        title="When",
        description=(
            "Apply the rule only when a sibling field has a value: 'field == literal' "
            "(or '!='), e.g. 'scale == log'."
        ),
        examples=["scale == log"],
    )
    message: str | None = Field(
        default=None,
        title="Message",
        description="What the user sees when the rule is broken (defaults to the rule itself).",
    )


class _ParamBase(BaseModel):
    """Keys every ParamDef accepts."""

    model_config = _FORBID

    title: str | None = Field(
        default=None,
        title="Title",
        description="Label shown in the form; defaults to the name ('num_bins' -> 'Num bins').",
    )
    description: str | None = Field(
        default=None,
        title="Description",
        description="Help text shown under the field in the form.",
    )
    frozen: bool = Field(
        default=False,
        title="Frozen",
        description="Shown in the form but not editable; the default is always sent.",
    )
    advanced: bool = Field(
        default=False,
        title="Advanced",
        description="UI hint: show the field collapsed, for experts.",
    )


class _UnitMixin(BaseModel):
    """``unit`` (fixed) or ``units`` (the user picks one) — exactly one of them where needed."""

    model_config = ConfigDict(defer_build=True)

    unit: str | None = Field(
        default=None,
        title="Unit",
        description="A fixed unit, validated with scipp and kept exactly as spelled (e.g. 'μs').",
        examples=["ms", "Å"],
    )
    units: list[str] | None = Field(
        default=None,
        title="Units",
        description=(
            "Units the user may choose from (the form shows a choice; the default picks the "
            "initial one). Each is validated with scipp and kept exactly as spelled."
        ),
        examples=[["ns", "us", "μs", "ms", "s"]],
    )


class _BoundsMixin(BaseModel):
    model_config = ConfigDict(defer_build=True)

    min: Number | None = Field(default=None, title="Minimum", description="Smallest allowed value.")
    max: Number | None = Field(default=None, title="Maximum", description="Largest allowed value.")
    exclusive_min: Number | None = Field(
        default=None,
        title="Exclusive minimum",
        description="Values must be strictly greater than this.",
    )
    exclusive_max: Number | None = Field(
        default=None,
        title="Exclusive maximum",
        description="Values must be strictly smaller than this.",
    )


class FloatParam(_ParamBase, _UnitMixin, _BoundsMixin):
    """A real number; always dumps as a float (a default written ``0`` dumps ``0.0``)."""

    type: Literal["float"] = Field(title="Type", description="A real number.")
    default: Number | None = Field(
        default=None, title="Default", description="Initial value; omit to make the field required."
    )


class IntParam(_ParamBase, _UnitMixin, _BoundsMixin):
    """An integer."""

    type: Literal["int"] = Field(title="Type", description="An integer.")
    default: StrictInt | None = Field(
        default=None, title="Default", description="Initial value; omit to make the field required."
    )


class BoolParam(_ParamBase):
    """A yes/no switch (a checkbox in the form)."""

    type: Literal["bool"] = Field(title="Type", description="A yes/no switch.")
    default: StrictBool | None = Field(
        default=None, title="Default", description="Initial value; omit to make the field required."
    )


class StringParam(_ParamBase):
    """Free text, optionally restricted by a regular expression."""

    type: Literal["string"] = Field(title="Type", description="Free text.")
    default: StrictStr | None = Field(
        default=None, title="Default", description="Initial value; omit to make the field required."
    )
    pattern: str | None = Field(
        default=None,
        title="Pattern",
        description=(
            "A regular expression the text must contain a match of (JSON Schema semantics: "
            "anchor it with ^...$ to match the whole text)."
        ),
    )


class ChoiceItem(BaseModel):
    """A choice with a display label."""

    model_config = _FORBID

    value: ChoiceValue = Field(title="Value", description="What is sent to the backend.")
    title: str | None = Field(
        default=None, title="Title", description="Label shown in the form (defaults to the value)."
    )


class ChoiceParam(_ParamBase):
    """One of a fixed list of values (``choices``), or a unit choice (``units``)."""

    type: Literal["choice"] = Field(title="Type", description="One of a fixed list of values.")
    choices: list[ChoiceValue | ChoiceItem] | None = Field(
        default=None,
        title="Choices",
        description=(
            "The allowed values: strings, integers or floats (dumped as written), or "
            "{value, title} items whose titles are display labels."
        ),
        examples=[["linear", "log"], [{"value": "toa", "title": "Time of arrival (TOA)"}]],
    )
    units: list[str] | None = Field(
        default=None,
        title="Units",
        description="Make this a unit choice: the allowed units, validated with scipp.",
        examples=[["m", "cm", "mm"]],
    )
    default: ChoiceValue | None = Field(
        default=None,
        title="Default",
        description="The initially selected value; omit to make the field required.",
    )


class GroupParam(_ParamBase):
    """A named set of fields (a nested object), in YAML order."""

    type: Literal["group"] = Field(title="Type", description="A nested set of fields.")
    fields: dict[str, ParamDef] = Field(
        title="Fields", description="Field name -> ParamDef, in the order the form shows them."
    )
    constraints: list[Constraint] = Field(
        default_factory=list,
        title="Constraints",
        description="Rules between the fields of this group, each with a message.",
    )
    default: dict[str, Any] | None = Field(
        default=None,
        title="Default",
        description="Defaults for some or all fields (overrides the fields' own defaults).",
    )


class EdgesDefault(BaseModel):
    """The default of an ``edges`` param; extra keys give defaults to its extra ``fields``."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    start: Number | None = Field(default=None, title="Start", description="First bin edge.")
    stop: Number | None = Field(default=None, title="Stop", description="Last bin edge.")
    num_bins: StrictInt | None = Field(
        default=None, title="Number of bins", description="Number of bins, 1..10000."
    )
    scale: Literal["linear", "log"] | None = Field(
        default=None, title="Scale", description="Bin spacing: linear or log."
    )
    unit: str | None = Field(default=None, title="Unit", description="Unit of start and stop.")


class EdgesParam(_ParamBase, _UnitMixin):
    """Histogram bin edges ``{start, stop, num_bins, scale, unit}`` plus any extra ``fields``.

    Built-in rules: stop > start, num_bins in 1..10000, start > 0 when scale is log.
    """

    type: Literal["edges"] = Field(title="Type", description="Histogram bin edges.")
    default: EdgesDefault | None = Field(
        default=None,
        title="Default",
        description="{start, stop, num_bins, scale, unit} and defaults of extra fields.",
        examples=[{"start": 0.0, "stop": 71.43, "num_bins": 100, "scale": "linear", "unit": "ms"}],
    )
    fields: dict[str, ParamDef] = Field(
        default_factory=dict,
        title="Extra fields",
        description="More fields flattened into the same object (e.g. an 'axis' choice).",
    )
    constraints: list[Constraint] = Field(
        default_factory=list,
        title="Constraints",
        description="Rules beyond the built-in ones (stop > start, start > 0 on a log scale).",
    )


class RangeDefault(BaseModel):
    """The default of a ``range`` param; extra keys give defaults to its extra ``fields``."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    start: Number | None = Field(default=None, title="Start", description="Lower bound.")
    stop: Number | None = Field(default=None, title="Stop", description="Upper bound.")
    enabled: StrictBool | None = Field(
        default=None, title="Enabled", description="Whether the range applies."
    )
    unit: str | None = Field(default=None, title="Unit", description="Unit of start and stop.")


class RangeParam(_ParamBase, _UnitMixin):
    """An interval ``{start, stop, enabled, unit}`` plus any extra ``fields``; stop > start."""

    type: Literal["range"] = Field(title="Type", description="An interval.")
    default: RangeDefault | None = Field(
        default=None,
        title="Default",
        description="{start, stop, enabled, unit} and defaults of extra fields.",
        examples=[{"start": 0.0, "stop": 10.0, "enabled": False, "unit": "μs"}],
    )
    toggle: bool = Field(
        default=True,
        title="Toggle",
        description="Whether the range has an 'enabled' switch; false drops the field.",
    )
    fields: dict[str, ParamDef] = Field(
        default_factory=dict,
        title="Extra fields",
        description="More fields flattened into the same object.",
    )
    constraints: list[Constraint] = Field(
        default_factory=list,
        title="Constraints",
        description="Rules beyond the built-in one (stop > start).",
    )


class TimeseriesDefault(BaseModel):
    """A stable reference to a timeseries output (never a runtime job number)."""

    model_config = _FORBID

    workflow_id: str = Field(
        title="Workflow id", description="instrument/name/version, e.g. dummy/timeseries_data/1."
    )
    source_name: str = Field(title="Source name", description="The stream, e.g. motion1.")
    output_name: str = Field(title="Output name", description="The 0-d output, e.g. delta.")


class TimeseriesParam(_ParamBase):
    """Template config only: pick a timeseries output as a correlation axis."""

    type: Literal["timeseries"] = Field(
        title="Type", description="A reference to a timeseries output (template config only)."
    )
    default: TimeseriesDefault | None = Field(
        default=None, title="Default", description="The initially selected timeseries."
    )


ParamDef = Annotated[
    FloatParam
    | IntParam
    | BoolParam
    | StringParam
    | ChoiceParam
    | GroupParam
    | EdgesParam
    | RangeParam
    | TimeseriesParam,
    Field(discriminator="type"),
]
"""One param definition, discriminated on ``type``."""

ParamDefs = dict[str, ParamDef]
"""Name -> ParamDef, in YAML order (a workflow's ``params``, a template's ``config``)."""


def field_title(name: str, title: str | None = None) -> str:
    """The display title: the author's ``title``, else one from the name (num_bins -> Num bins)."""
    if title:
        return title
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
