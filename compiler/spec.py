"""The concrete WorkflowSpec: what the compiler emits and the runtime consumes.

A WorkflowSpec is fully concrete (templates already rendered). ``params`` is a pydantic model
*class* generated from the workflow's ParamDefs (``params_model.py``): ``spec.params()`` gives the
defaults and ``spec.params().model_dump(mode="json")`` is the JSON the livedata backend expects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

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


def params_class_name(workflow_id: WorkflowId) -> str:
    """The class name of a workflow's params model (shown in pydantic's error titles)."""
    return f"{workflow_id.name}_v{workflow_id.version}_params"


class WorkflowSpec(BaseModel):
    """A concrete workflow, identified on the wire by ``id`` (``instrument/name/version``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: WorkflowId
    group: str
    title: str
    description: str = ""
    source_names: list[str]
    aux_sources: dict[str, AuxSourceSpec] = Field(default_factory=dict)
    param_defs: dict[str, Any] = Field(default_factory=dict, repr=False)
    outputs: dict[str, OutputSpec]
    views: dict[str, ViewSpec] = Field(default_factory=dict)
    device_outputs: dict[str, str] = Field(default_factory=dict)
    reset_on_run_transition: bool = True
    supports_reset: bool = True
    service: str | None = None
    executor: str | None = None
    origin: TemplateOrigin | None = None

    _params: type[BaseModel] | None = PrivateAttr(default=None)

    def __init__(self, params: type[BaseModel] | None = None, **data: Any) -> None:
        super().__init__(**data)
        self._params = params

    @property
    def params(self) -> type[BaseModel]:
        """The pydantic params model class, built from ``param_defs`` on first use.

        Built lazily because building a pydantic class costs ~2 ms while everything else about
        a spec (identity, title, sources) is needed far more often: a registry restoring 1,000
        template instances never pays for params classes nobody validates with.
        """
        if self._params is None:
            from .params_model import build_params_model

            self._params = build_params_model(params_class_name(self.id), self.param_defs)
        return self._params

    def __eq__(self, other: object) -> bool:
        """Specs are equal when their data is (the params class follows from ``param_defs``)."""
        if not isinstance(other, WorkflowSpec):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.id)

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON: ``params`` becomes the ParamDefs it was built from (the bundle form).

        ``WorkflowSpec.from_json`` rebuilds an equal spec (the params class from the ParamDefs).
        """
        data = self.model_dump(mode="json", exclude={"param_defs", "origin"})
        data["id"] = str(self.id)
        data["params"] = self.param_defs
        if self.origin is not None:
            data["origin"] = self.origin.model_dump(mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkflowSpec:
        """Rebuild a spec from :meth:`to_json` output (builds or reuses the params class)."""
        fields = {key: value for key, value in data.items() if key != "params"}
        return cls(**fields, param_defs=data.get("params") or {})

    def form(self) -> Any:
        """The UI form of the params: a :class:`~wfspec.compiler.forms.FormSchema`."""
        from .forms import build_form

        return build_form(self.param_defs, name=params_class_name(self.id), title=self.title)

    @property
    def service_name(self) -> str:
        """The backend service that runs this workflow (``service`` or else the ``group``)."""
        return self.service or self.group
