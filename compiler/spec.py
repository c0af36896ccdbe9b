"""The concrete WorkflowSpec: what the compiler emits and the runtime consumes.

A WorkflowSpec is fully concrete (templates already rendered). ``params`` is a pydantic model
*class* generated from the workflow's ParamDefs (``params_model.py``): ``spec.params()`` gives the
defaults and ``spec.params().model_dump(mode="json")`` is the JSON the livedata backend expects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .ids import WorkflowId

Temporality = Literal["window", "cumulative", "series"]


class OutputSpec(BaseModel):
    """One result a workflow publishes. ``dims == []`` means 0-d (a scalar)."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str = ""
    dims: list[str] = Field(default_factory=list)
    unit: str | None = None
    temporality: Temporality = "cumulative"

    @property
    def is_timeseries(self) -> bool:
        """A 0-d window/series output is a timeseries and can serve as a correlation axis."""
        return not self.dims and self.temporality in ("window", "series")


class ViewSpec(BaseModel):
    """A named way to look at some of a workflow's outputs together."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str = ""
    fields: list[str] = Field(default_factory=list)


class AuxSourceSpec(BaseModel):
    """An auxiliary input role (e.g. an ROI stream) and the streams that may fill it."""

    model_config = ConfigDict(frozen=True)

    title: str
    description: str = ""
    choices: list[str]
    default: str | None = None
    per_job: bool = False


class TemplateOrigin(BaseModel):
    """Provenance of a template instance: which template, with which (validated) config."""

    model_config = ConfigDict(frozen=True)

    template: str
    config: dict[str, Any]


class WorkflowSpec(BaseModel):
    """A concrete workflow, identified on the wire by ``id`` (``instrument/name/version``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: WorkflowId
    group: str
    title: str
    description: str = ""
    source_names: list[str]
    aux_sources: dict[str, AuxSourceSpec] = Field(default_factory=dict)
    params: type[BaseModel]
    outputs: dict[str, OutputSpec]
    views: dict[str, ViewSpec] = Field(default_factory=dict)
    device_outputs: dict[str, str] = Field(default_factory=dict)
    reset_on_run_transition: bool = True
    supports_reset: bool = True
    service: str | None = None
    executor: str | None = None
    origin: TemplateOrigin | None = None

    @property
    def service_name(self) -> str:
        """The backend service that runs this workflow (``service`` or else the ``group``)."""
        return self.service or self.group
