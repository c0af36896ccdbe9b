"""The model of ``build/bundle.json``, the source of ``schemas/bundle.schema.json``.

The bundle is written by ``emit.py`` and read by ``bundle.py`` (ADR 0004); this model is its
documented shape for other readers (a dashboard in another language, CI checks), generated into
the schema by ``wfspec schemas`` and checked for drift by the tests. Maps keyed by identity are
sorted by key; params, outputs and template bodies keep the author's order.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .state_files import SLUG, WORKFLOW_ID_PATTERN

__all__ = ["BundleFile"]

Slug = Annotated[str, StringConstraints(pattern=rf"^{SLUG}$")]
WorkflowIdKey = Annotated[str, StringConstraints(pattern=WORKFLOW_ID_PATTERN)]
TimeseriesRef = Annotated[
    str,
    StringConstraints(pattern=rf"^{SLUG}/{SLUG}/[1-9][0-9]*/{SLUG}@.+$"),
    Field(
        description="instrument/name/version/output@source, "
        "e.g. dummy/timeseries_data/1/delta@motion1."
    ),
]
_CLOSED = ConfigDict(extra="forbid")


class Source(BaseModel):
    """One stream of an instrument."""

    model_config = _CLOSED

    name: str = Field(min_length=1)
    kind: Literal["detector", "monitor", "area_detector", "log", "other"]
    unit: str | None = None
    title: str | None = None
    description: str | None = None


class Instrument(BaseModel):
    """An instrument: its title and streams."""

    model_config = _CLOSED

    title: str
    description: str
    sources: list[Source] = Field(description="The streams, in the author's order.")


class ParamDef(BaseModel):
    """ParamDef JSON as in workflow.schema.json, fields at their default left out."""

    model_config = ConfigDict(extra="allow")

    type: Literal[
        "float", "int", "bool", "string", "choice", "group", "edges", "range", "timeseries"
    ]


ParamDefs = Annotated[
    dict[Slug, ParamDef],
    Field(
        description="Param name -> ParamDef, in the author's order (the order of the "
        "backend's params JSON)."
    ),
]


class Output(BaseModel):
    model_config = _CLOSED

    title: str
    description: str
    dims: list[str]
    unit: str | None
    temporality: Literal["window", "cumulative", "series"]


class View(BaseModel):
    model_config = _CLOSED

    title: str
    description: str
    fields: list[str]


class AuxSource(BaseModel):
    model_config = _CLOSED

    title: str
    description: str
    choices: list[str]
    default: str | None
    per_job: bool


class Origin(BaseModel):
    """Only on template instances: the template and its normalized config."""

    model_config = _CLOSED

    template: str
    config: dict[str, Any]


class WorkflowSpec(BaseModel):
    """WorkflowSpec.to_json(): the concrete spec; params are ParamDefs (the params model is
    rebuilt from them)."""

    model_config = _CLOSED

    id: WorkflowIdKey
    group: str
    title: str
    description: str
    source_names: list[str]
    aux_sources: dict[str, AuxSource]
    outputs: dict[Slug, Output]
    views: dict[str, View]
    device_outputs: dict[str, str]
    reset_on_run_transition: bool
    supports_reset: bool
    service: str | None
    executor: str | None
    params: ParamDefs
    origin: Origin | None = None


class FormSchema(BaseModel):
    """A draft-07 JSON Schema of a form; shared parts live under definitions."""

    model_config = ConfigDict(extra="allow")

    schema_: Literal["http://json-schema.org/draft-07/schema#"] = Field(alias="$schema")
    type: Literal["object"]
    properties: dict[str, Any]


class UiSchema(BaseModel):
    """A react-jsonschema-form uiSchema; ui:order follows the YAML order."""

    model_config = ConfigDict(extra="allow")

    ui_order: list[str] = Field(alias="ui:order")


class WorkflowEntry(BaseModel):
    """A static workflow: its spec and its form."""

    model_config = _CLOSED

    spec: WorkflowSpec
    params_schema: FormSchema
    ui_schema: UiSchema
    defaults: dict[str, Any] = Field(
        description="spec.params().model_dump(mode='json'): the backend's params JSON."
    )


class TemplateBody(BaseModel):
    """The template's workflow body, strings still templated, params_from ParamSets inlined
    into params."""

    model_config = ConfigDict(extra="allow")

    instrument: Any
    name: Any
    version: Any


class TemplateExample(BaseModel):
    model_config = _CLOSED

    config: dict[str, Any]
    expect: dict[str, Any]


class TemplateEntry(BaseModel):
    """What run-time instantiation of a template needs."""

    model_config = _CLOSED

    title: str
    description: str
    config: ParamDefs
    config_schema: FormSchema
    ui_schema: UiSchema
    body: TemplateBody
    examples: list[TemplateExample]


class BundleFile(BaseModel):
    """build/bundle.json as written by 'wfspec compile' (compiler/emit.py, ADR 0004). Maps
    keyed by identity are sorted by key; params, outputs and template bodies keep the author's
    order."""

    model_config = ConfigDict(extra="forbid", title="wfspec bundle")

    format_version: Literal[1] = Field(
        description="Bumped on any change a bundle reader must know about; readers refuse "
        "other versions."
    )
    wfspec_version: str = Field(
        min_length=1, description="Version of the wfspec that wrote the bundle (information only)."
    )
    sources_digest: str = Field(
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="SHA-256 over every source file's root-relative posix path and the SHA-256 "
        "of its bytes, sorted by path.",
    )
    instruments: dict[Slug, Instrument] = Field(
        description="Instrument name -> its title and streams."
    )
    timeseries: dict[Slug, list[TimeseriesRef]] = Field(
        description="Instrument name -> every timeseries output (0-d window/series), ordered "
        "by workflow id, output, source."
    )
    workflows: dict[WorkflowIdKey, WorkflowEntry] = Field(
        description="WorkflowId (instrument/name/version) -> the static workflow."
    )
    templates: dict[Slug, TemplateEntry] = Field(
        description="Template name -> what run-time instantiation needs."
    )
