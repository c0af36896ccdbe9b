"""Pydantic models of the YAML documents: the single source of truth of the spec language.

Four kinds of document exist — ``Instrument``, ``ParamSet``, ``Workflow`` and
``WorkflowTemplate`` — each a mapping with a ``kind`` key. ``schemas/*.json`` (what editors and
``wfspec check`` validate against) and ``docs/spec-language.md`` are *generated* from these models
(``schema_gen.py``, ``docs_gen.py``); a test fails when the committed files drift. So every field
carries a ``title`` and a ``description``: they become the editor hovers and the reference docs.

The models are purely structural (what JSON Schema can say). Cross-document rules (unknown
instrument, sources the instrument lacks, duplicate params ...) are checked in ``resolve.py``.

Template bodies
---------------
Inside a template's ``workflow`` any string may be a Jinja2 expression, also where a number or a
boolean is expected (``version: "{{ config.version }}"``). :func:`templated` derives, from each
model, a *template* model whose scalar fields accept an expression string in place of the scalar
while nested mappings keep ``extra='forbid'`` — so a misspelled key in a template body is still
caught. Every model is built on first use (``defer_build``), so importing this module builds no
validator. The body's ``source_names`` may instead be derived from the spec set's timeseries outputs
with :class:`SourceNamesFrom` (``{from: timeseries, except: [x_axis]}``).
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, ForwardRef, Literal, Union

from annotated_types import BaseMetadata
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model
from pydantic.fields import FieldInfo

from .ids import WorkflowId
from .paramdefs import ParamDef

__all__ = [
    "DOCUMENT_MODELS",
    "AuxSource",
    "Document",
    "Expression",
    "Instrument",
    "Output",
    "ParamSet",
    "Source",
    "SourceNamesFrom",
    "TemplateExample",
    "TemplateExpectation",
    "TemplateWorkflow",
    "View",
    "Workflow",
    "WorkflowTemplate",
    "templated",
]

SLUG_PATTERN = r"^[a-z][a-z0-9_]*$"
EXPRESSION_PATTERN = r"\{\{|\{%"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
"""A name of a document, workflow, param, output, group: lower case, digits and ``_``."""

SourceName = Annotated[str, StringConstraints(min_length=1)]
"""A stream name as the facility spells it (``bwc/delay``, ``SOM``): any non-empty string."""

DimLabel = Annotated[str, StringConstraints(min_length=1)]
"""A dimension label: any string scipp accepts (``Q``, ``two_theta``), or a run-time placeholder
``<name>`` kept exactly as the backend spells it (checked in ``resolve.py``, R020)."""

Expression = Annotated[
    str,
    StringConstraints(pattern=EXPRESSION_PATTERN),
    Field(
        title="Jinja2 expression",
        description=(
            'A Jinja2 expression over `config`, e.g. "{{ config.x_start }}"; it yields a typed '
            "value (a float where a float is expected)."
        ),
    ),
]
"""A string holding a Jinja2 expression, accepted in a template body where a scalar is expected."""

Temporality = Literal["window", "cumulative", "series"]
SourceKind = Literal["detector", "monitor", "area_detector", "log", "other"]
Executor = Literal["correlation_histogram"]

_FORBID = ConfigDict(extra="forbid", defer_build=True)
"""Every model here is built on first use (``defer_build``): see :func:`templated`."""


# --------------------------------------------------------------------------- Instrument


class Source(BaseModel):
    """One stream of the instrument that a workflow may run on or read."""

    model_config = _FORBID

    name: SourceName = Field(
        title="Name",
        description=(
            "The stream name exactly as the facility spells it (a free string, e.g. "
            "'monitor1', 'bwc/delay', 'SOM')."
        ),
    )
    kind: SourceKind = Field(
        title="Kind",
        description="What the stream carries: detector, monitor, area_detector, log or other.",
    )
    unit: str | None = Field(
        default=None,
        title="Unit",
        description="Unit of a log's values (validated with scipp, kept as spelled), e.g. 'mm'.",
    )
    title: str | None = Field(
        default=None, title="Title", description="Display name of the stream."
    )
    description: str | None = Field(
        default=None, title="Description", description="What the stream is, for people."
    )


class Instrument(BaseModel):
    """An instrument and every stream (source) its workflows may use."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "Instrument",
                    "name": "dummy",
                    "title": "Dummy instrument",
                    "sources": [
                        {"name": "monitor1", "kind": "monitor"},
                        {"name": "motion1", "kind": "log", "unit": "mm"},
                    ],
                }
            ]
        },
    )

    kind: Literal["Instrument"] = Field(title="Kind", description="Document kind: Instrument.")
    name: Slug = Field(
        title="Name", description="Instrument name (a slug); the first part of every WorkflowId."
    )
    title: str = Field(title="Title", description="Display name of the instrument.")
    description: str = Field(
        default="", title="Description", description="What the instrument is, for people."
    )
    sources: list[Source] = Field(
        min_length=1,
        title="Sources",
        description="Every stream a workflow of this instrument may run on or read.",
    )
    services: list[Slug] = Field(
        default=[],
        title="Services",
        description=(
            "Services this instrument runs besides the backend's (monitor_data, detector_data, "
            "data_reduction, timeseries) and the in-process executors' (correlation); a "
            "workflow's service or group must name one."
        ),
    )


# --------------------------------------------------------------------------- ParamSet


class ParamSet(BaseModel):
    """Params shared by several workflows; a workflow lists it in ``params_from``."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "ParamSet",
                    "name": "toa_histogram",
                    "params": {
                        "toa_edges": {
                            "type": "edges",
                            "units": ["ns", "us", "μs", "ms", "s"],
                            "default": {
                                "start": 0.0,
                                "stop": 71.43,
                                "num_bins": 100,
                                "scale": "linear",
                                "unit": "ms",
                            },
                        }
                    },
                }
            ]
        },
    )

    kind: Literal["ParamSet"] = Field(title="Kind", description="Document kind: ParamSet.")
    name: Slug = Field(
        title="Name", description="Name of the set (a slug), global across the spec set."
    )
    title: str | None = Field(default=None, title="Title", description="Display name of the set.")
    description: str | None = Field(
        default=None, title="Description", description="What the params are for."
    )
    params: dict[Slug, ParamDef] = Field(
        min_length=1,
        title="Params",
        description="Param name -> ParamDef, in the order the form shows them.",
    )


# --------------------------------------------------------------------------- Workflow parts


class AuxSource(BaseModel):
    """An auxiliary input role (e.g. an ROI stream) and the streams that may fill it."""

    model_config = _FORBID

    title: str | None = Field(
        default=None, title="Title", description="Display name of the role (defaults to its name)."
    )
    description: str | None = Field(
        default=None, title="Description", description="What the role is for."
    )
    choices: list[SourceName] = Field(
        min_length=1,
        title="Choices",
        description="Sources of the instrument that may fill the role.",
    )
    default: SourceName | None = Field(
        default=None, title="Default", description="The initially chosen source (one of choices)."
    )
    per_job: bool = Field(
        default=False,
        title="Per job",
        description="True when the backend scopes these streams per job (the ROI streams).",
    )


class Output(BaseModel):
    """One result a workflow publishes."""

    model_config = _FORBID

    title: str = Field(title="Title", description="Display name of the output.")
    description: str = Field(default="", title="Description", description="What the output is.")
    dims: list[DimLabel] = Field(
        default=[],
        title="Dims",
        description=(
            "Dimension labels as scipp names them (Q, Qx, two_theta, time_of_arrival); "
            "<name> marks a dimension the backend chooses at run time (<spectral_coord>). "
            "Omitted or [] means 0-d (a scalar)."
        ),
    )
    unit: str | None = Field(
        default=None, title="Unit", description="Unit of the values, e.g. counts."
    )
    temporality: Temporality = Field(
        default="cumulative",
        title="Temporality",
        description=(
            "window (per update), cumulative (since start/reset) or series (a time series); a "
            "0-d window or series output is a timeseries (a correlation axis)."
        ),
    )


class View(BaseModel):
    """A named way to look at some of a workflow's outputs together."""

    model_config = _FORBID

    title: str = Field(title="Title", description="Display name of the view.")
    description: str = Field(default="", title="Description", description="What the view shows.")
    fields: list[Slug] = Field(
        min_length=1, title="Fields", description="The outputs the view shows, in order."
    )


class _WorkflowBody(BaseModel):
    """The fields of a concrete workflow (shared by ``Workflow`` and, without ``kind``, a
    template's ``workflow``)."""

    model_config = _FORBID

    kind: Literal["Workflow"] = Field(title="Kind", description="Document kind: Workflow.")
    instrument: Slug = Field(
        title="Instrument", description="Name of the Instrument document this workflow runs on."
    )
    name: Slug = Field(
        title="Name", description="Workflow name (a slug); WorkflowId is instrument/name/version."
    )
    version: int = Field(
        ge=1, title="Version", description="Version (>= 1); bump it on breaking changes."
    )
    group: Slug = Field(
        title="Group",
        description="The group (formerly namespace) the workflow belongs to, e.g. monitor_data.",
    )
    title: str = Field(title="Title", description="Display name of the workflow.")
    description: str = Field(
        default="", title="Description", description="What the workflow computes, for people."
    )
    source_names: list[SourceName] = Field(
        min_length=1,
        title="Source names",
        description="Sources of the instrument the workflow may run on.",
    )
    aux_sources: dict[Slug, AuxSource] = Field(
        default={},
        title="Aux sources",
        description="Role -> the streams that may fill it (e.g. ROI streams).",
    )
    params_from: list[Slug] = Field(
        default=[],
        title="Params from",
        description="ParamSets whose params come first, in the listed order.",
    )
    params: dict[Slug, ParamDef] = Field(
        default={},
        title="Params",
        description="Own params (name -> ParamDef), after those of params_from.",
    )
    outputs: dict[Slug, Output] = Field(
        min_length=1,
        title="Outputs",
        description="Output name -> description, in the order the backend publishes them.",
    )
    views: dict[Slug, View] = Field(
        default={},
        title="Views",
        description="View name -> the outputs it shows together.",
    )
    device_outputs: dict[Slug, str] = Field(
        default={},
        title="Device outputs",
        description=(
            "Output name -> device-name template, e.g. '{source_name}_counts_total' "
            "(placeholder: {source_name})."
        ),
    )
    service: Slug | None = Field(
        default=None,
        title="Service",
        description="The backend service that runs the workflow when it differs from the group.",
    )
    executor: Executor | None = Field(
        default=None,
        title="Executor",
        description=(
            "Absent: the backend runs the workflow. correlation_histogram: the runtime's "
            "built-in in-process executor."
        ),
    )
    reset_on_run_transition: bool = Field(
        default=True,
        title="Reset on run transition",
        description="Whether the backend resets the workflow when a run starts or stops.",
    )
    supports_reset: bool = Field(
        default=True, title="Supports reset", description="Whether the workflow can be reset."
    )


class Workflow(_WorkflowBody):
    """One concrete workflow (a WorkflowSpec), identified by ``instrument/name/version``."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "Workflow",
                    "instrument": "dummy",
                    "name": "total_counts",
                    "version": 1,
                    "group": "data_reduction",
                    "title": "Total counts",
                    "source_names": ["panel_0"],
                    "outputs": {
                        "total_counts": {
                            "title": "Total counts",
                            "unit": "counts",
                            "temporality": "cumulative",
                        }
                    },
                }
            ]
        },
    )

    @property
    def id(self) -> WorkflowId:
        """The workflow's identity on the wire."""
        return WorkflowId(instrument=self.instrument, name=self.name, version=self.version)


# --------------------------------------------------------------------------- templates


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


_SCALARS = (int, float, bool)
_TEMPLATED: dict[type[BaseModel], Any] = {}


def _loosen(tp: Any) -> Any:
    """``tp`` with every non-string scalar also accepting an :data:`Expression`."""
    if isinstance(tp, ForwardRef):
        return tp
    origin = typing.get_origin(tp)
    if tp in _SCALARS or origin is Literal:
        return Union[tp, Expression]  # noqa: UP007 (runtime construction)
    if origin is Annotated:
        base, *meta = typing.get_args(tp)
        if base in _SCALARS or base is str:  # StrictInt, Slug: constraints stay on the branch
            return Union[tp, Expression]  # noqa: UP007
        return Annotated[(_loosen(base), *meta)]
    if origin in (Union, types.UnionType):
        args = tuple(_loosen(a) for a in typing.get_args(tp))
        flat: list[Any] = []
        for arg in args:
            for part in typing.get_args(arg) if typing.get_origin(arg) is Union else (arg,):
                if part not in flat:
                    flat.append(part)
        return Union[tuple(flat)]  # noqa: UP007
    if origin is list:
        return list[_loosen(typing.get_args(tp)[0])]
    if origin is dict:
        key, value = typing.get_args(tp)
        return dict[key, _loosen(value)]
    if _is_model(tp):
        return templated(tp)
    return tp


def _resolved(model: type[BaseModel], field_name: str, info: FieldInfo) -> Any:
    """The field's type with forward references evaluated.

    Models are built on first use, so a recursive field (a group's ``fields: dict[str,
    ParamDef]``, where ``ParamDef`` is defined after the group) is still a ``ForwardRef`` when a
    template variant is derived from it; it is evaluated in the namespace of the model that
    declares it, exactly as pydantic would.
    """
    if not isinstance(info.annotation, ForwardRef):
        return info.annotation
    return typing.get_type_hints(model, include_extras=True)[field_name]


def _field_copy(info: FieldInfo, constrained: bool) -> FieldInfo:
    kwargs: dict[str, Any] = {
        "title": info.title,
        "description": info.description,
        "examples": info.examples,
        "alias": info.alias,
    }
    if info.default_factory is not None:
        kwargs["default_factory"] = info.default_factory
    elif not info.is_required():
        kwargs["default"] = info.default
    if not constrained:
        kwargs["discriminator"] = info.discriminator
    return Field(**{k: v for k, v in kwargs.items() if v is not None or k == "default"})


def templated(model: type[BaseModel], exclude: frozenset[str] = frozenset()) -> Any:
    """The template-body variant of ``model`` (cached): scalars also accept an expression.

    Discriminators (``type``) and keys stay literal, and ``extra`` handling is kept, so the
    template body is still checked for misspelled keys and unknown param types.
    """
    if model in _TEMPLATED:
        return _TEMPLATED[model]
    name = f"Template{model.__name__}"
    _TEMPLATED[model] = ForwardRef(name)  # recursion (group fields) resolves on rebuild
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in exclude:
            continue
        annotation = _resolved(model, field_name, info)
        if field_name == "type" and typing.get_origin(annotation) is Literal:
            fields[field_name] = (annotation, _field_copy(info, constrained=False))
            continue
        meta = [m for m in info.metadata if isinstance(m, BaseMetadata)]
        others = [m for m in info.metadata if not isinstance(m, BaseMetadata)]
        if info.metadata and (annotation in _SCALARS or annotation is str):
            # Constraints (ge=1) belong to the scalar branch, not to the expression.
            annotation = Union[Annotated[(annotation, *info.metadata)], Expression]  # noqa: UP007
            fields[field_name] = (annotation, _field_copy(info, constrained=True))
            continue
        loosened = _loosen(annotation)
        if meta or others:
            loosened = Annotated[(loosened, *meta, *others)]
        fields[field_name] = (loosened, _field_copy(info, constrained=False))
    result = create_model(  # type: ignore[call-overload]
        name,
        __config__=ConfigDict(extra=model.model_config.get("extra", "ignore"), defer_build=True),
        __doc__=f"{(model.__doc__ or '').strip()} (template body: scalars may be expressions)",
        __module__=__name__,
        **fields,
    )
    _TEMPLATED[model] = result
    # Built on first use like every model here: pydantic then resolves the forward references
    # (a group's fields hold ParamDefs, hence TemplateGroupParam refers to itself) in this
    # module's namespace, where every template model is registered under its own name.
    globals()[name] = result
    return result


class SourceNamesFrom(BaseModel):
    """Derive ``source_names`` from the spec set's timeseries outputs (template bodies only).

    The rendered workflow runs on every timeseries output of its instrument (0-d outputs with
    temporality window or series), each named by the canonical string of its
    TimeseriesReference (``dummy/timeseries_data/1/delta@motion1``), except those chosen in the
    config fields listed in ``except``.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    from_: Literal["timeseries"] = Field(
        alias="from",
        title="From",
        description="What to derive the sources from: 'timeseries' (every timeseries output).",
    )
    except_: list[Slug] = Field(
        default=[],
        alias="except",
        title="Except",
        description="Config fields (timeseries references) whose timeseries to leave out.",
    )


_TemplateBody: Any = templated(_WorkflowBody, exclude=frozenset({"kind"}))


class TemplateWorkflow(_TemplateBody):  # type: ignore[misc, valid-type]
    """A template's ``workflow``: a Workflow without ``kind`` whose strings may be expressions."""

    source_names: list[SourceName] | SourceNamesFrom | Expression = Field(  # type: ignore[assignment]
        title="Source names",
        description=(
            "Sources of the instrument the workflow may run on: a list (items may be "
            "expressions), or {from: timeseries, except: [config fields]} to take every "
            "timeseries output of the instrument except the chosen axes."
        ),
    )


class TemplateExpectation(BaseModel):
    """What an example's rendered workflow must look like (every key optional)."""

    model_config = _FORBID

    id: str | None = Field(
        default=None, title="Id", description="Expected WorkflowId, instrument/name/version."
    )
    title: str | None = Field(default=None, title="Title", description="Expected title.")
    description: str | None = Field(
        default=None, title="Description", description="Expected description."
    )
    group: str | None = Field(default=None, title="Group", description="Expected group.")
    source_names: list[str] | None = Field(
        default=None, title="Source names", description="Expected source names, in order."
    )


class TemplateExample(BaseModel):
    """A config rendered and checked by ``wfspec check``."""

    model_config = _FORBID

    config: dict[str, Any] = Field(
        title="Config", description="A config of the template (config field -> value)."
    )
    expect: TemplateExpectation = Field(
        default_factory=TemplateExpectation,
        title="Expect",
        description="What the rendered workflow must look like (id, title, ...).",
    )


class WorkflowTemplate(BaseModel):
    """A factory of Workflows: a user picks a ``config``, which renders ``workflow``."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "WorkflowTemplate",
                    "name": "correlation_histogram_1d",
                    "title": "1D Correlation Histogram",
                    "config": {"x_axis": {"type": "timeseries", "title": "Correlation axis"}},
                    "workflow": {
                        "instrument": "{{ config.x_axis.workflow_id.instrument }}",
                        "name": "{{ config.x_axis.source_name | slug }}_correlation_histogram_1d",
                        "version": 1,
                        "group": "correlation",
                        "title": "{{ config.x_axis.source_name | title }} Correlation Histogram",
                        "source_names": {"from": "timeseries", "except": ["x_axis"]},
                        "executor": "correlation_histogram",
                        "outputs": {"histogram": {"title": "Correlation Histogram"}},
                    },
                }
            ]
        },
    )

    kind: Literal["WorkflowTemplate"] = Field(
        title="Kind", description="Document kind: WorkflowTemplate."
    )
    name: Slug = Field(title="Name", description="Template name (a slug), global.")
    title: str = Field(title="Title", description="Display name of the template.")
    description: str = Field(
        default="", title="Description", description="What the template's workflows compute."
    )
    config: dict[Slug, ParamDef] = Field(
        title="Config",
        description=(
            "What a user chooses when creating an instance (name -> ParamDef); part of the "
            "instance's identity and available as `config` in expressions."
        ),
    )
    workflow: TemplateWorkflow = Field(
        title="Workflow",
        description=(
            "The workflow to render: a Workflow without kind, whose strings may be Jinja2 "
            "expressions over config."
        ),
    )
    examples: list[TemplateExample] = Field(
        default=[],
        title="Examples",
        description="Configs rendered and checked by `wfspec check` against their expect.",
    )


Document = Instrument | ParamSet | Workflow | WorkflowTemplate

DOCUMENT_MODELS: dict[str, type[BaseModel]] = {
    "Instrument": Instrument,
    "ParamSet": ParamSet,
    "Workflow": Workflow,
    "WorkflowTemplate": WorkflowTemplate,
}
"""``kind`` -> model of that document kind (the order of the schemas and the docs)."""
