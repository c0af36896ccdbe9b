"""The parsed spec set: every document as a model, together with where it came from.

``build_spec_set`` is the *parse* stage: structurally valid :class:`SourceDocument` objects become
document models (``documents.py``), indexed by name (instruments, ParamSets, templates) and by
:class:`WorkflowId` (workflows). Each model keeps its SourceDocument so later stages (resolve,
render) can report at ``file:line:col``. Duplicate names across files are reported here, naming
both places; all other cross-document rules live in ``resolve.py``.

Documents that failed structural validation are not parsed, but their names are remembered
(:attr:`SpecSet.known_names`) so that a workflow of a broken instrument does not also get an
"unknown instrument" error: one mistake, one diagnostic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, JsonPath
from .documents import DOCUMENT_MODELS, Instrument, ParamSet, Workflow, WorkflowTemplate
from .ids import TimeseriesReference, WorkflowId
from .paramdefs import ParamDef
from .source import SourceDocument

__all__ = [
    "KnownNames",
    "Located",
    "ResolvedParam",
    "SpecSet",
    "build_spec_set",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Located(Generic[M]):
    """A parsed model, its SourceDocument and the JSON path of the model inside that document.

    ``path`` is ``()`` for a whole document and e.g. ``("workflow",)`` for a template body, so
    ``doc.locate(located.path + ("params", "x"))`` finds any node of the model.
    """

    model: M
    doc: SourceDocument
    path: JsonPath = ()

    def at(self, *parts: str | int) -> JsonPath:
        """The JSON path (in the document) of a node of this model."""
        return (*self.path, *parts)

    def diagnostic(self, code: str, message: str, *parts: str | int, **kwargs: Any) -> Diagnostic:
        """A diagnostic at a node of this model (``hint=``, ``severity=``, ``related=``)."""
        return self.doc.diagnostic(code, message, self.at(*parts), **kwargs)


class ResolvedParam(NamedTuple):
    """One param of a workflow after ``params_from`` merging, with where it is defined."""

    definition: ParamDef
    doc: SourceDocument
    path: JsonPath


@dataclass(slots=True)
class KnownNames:
    """Names declared anywhere, including in documents that failed structural validation."""

    instruments: set[str] = field(default_factory=set)
    param_sets: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)


@dataclass(slots=True)
class SpecSet:
    """Every parsed document of a spec set (first definition wins on duplicates)."""

    instruments: dict[str, Located[Instrument]] = field(default_factory=dict)
    param_sets: dict[str, Located[ParamSet]] = field(default_factory=dict)
    workflows: dict[WorkflowId, Located[Workflow]] = field(default_factory=dict)
    templates: dict[str, Located[WorkflowTemplate]] = field(default_factory=dict)
    known_names: KnownNames = field(default_factory=KnownNames)
    salvaged: dict[tuple[str, int], list[JsonPath]] = field(default_factory=dict)
    """``(file, index)`` -> removed paths of documents checked after structural repairs."""

    def resolved_params(self, workflow: Located[Workflow] | Workflow) -> dict[str, ResolvedParam]:
        """Name -> ResolvedParam: the ``params_from`` sets in listed order, then own params.

        Unknown sets are skipped and a name defined twice keeps its first definition (both are
        reported by :meth:`param_conflicts`). A bare ``Workflow`` has no document, so its own
        params are only included when it is given as ``Located``.
        """
        return self._resolve_params(workflow)[0]

    def param_conflicts(
        self, workflow: Located[Workflow]
    ) -> list[tuple[str, ResolvedParam, ResolvedParam]]:
        """``(name, first, second)`` for every param the workflow gets twice."""
        return self._resolve_params(workflow)[1]

    def _resolve_params(
        self, workflow: Located[Workflow] | Workflow
    ) -> tuple[dict[str, ResolvedParam], list[tuple[str, ResolvedParam, ResolvedParam]]]:
        model = workflow.model if isinstance(workflow, Located) else workflow
        sources: list[tuple[dict[str, Any], SourceDocument, JsonPath]] = []
        for set_name in dict.fromkeys(model.params_from):  # a repeat is R016
            entry = self.param_sets.get(set_name)
            if entry is not None:
                sources.append((entry.model.params, entry.doc, entry.at("params")))
        if isinstance(workflow, Located):
            sources.append((model.params, workflow.doc, workflow.at("params")))
        merged: dict[str, ResolvedParam] = {}
        conflicts: list[tuple[str, ResolvedParam, ResolvedParam]] = []
        for params, doc, base in sources:
            for name, definition in params.items():
                resolved = ResolvedParam(definition, doc, (*base, name))
                if name in merged:
                    conflicts.append((name, merged[name], resolved))
                else:
                    merged[name] = resolved
        return merged, conflicts

    def timeseries(self, instrument: str) -> list[TimeseriesReference]:
        """Every timeseries of an instrument: each source of each 0-d window/series output.

        Ordered by workflow id, then output (YAML order), then source (YAML order).
        """
        refs: list[TimeseriesReference] = []
        for workflow_id in sorted(self.workflows):
            if workflow_id.instrument != instrument:
                continue
            workflow = self.workflows[workflow_id].model
            for output_name, output in workflow.outputs.items():
                if output.dims or output.temporality not in ("window", "series"):
                    continue
                refs.extend(
                    TimeseriesReference(
                        workflow_id=workflow_id, source_name=source, output_name=output_name
                    )
                    for source in workflow.source_names
                )
        return refs

    def instrument_sources(self, instrument: str) -> dict[str, Any] | None:
        """Source name -> Source of a parsed instrument, or None when it is not parsed."""
        entry = self.instruments.get(instrument)
        if entry is None:
            return None
        return {source.name: source for source in entry.model.sources}


def _name_of(doc: SourceDocument) -> str | None:
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    return name if isinstance(name, str) else None


def _remember(known: KnownNames, doc: SourceDocument) -> None:
    name = _name_of(doc)
    if name is None:
        return
    target = {
        "Instrument": known.instruments,
        "ParamSet": known.param_sets,
        "WorkflowTemplate": known.templates,
    }.get(doc.kind or "")
    if target is not None:
        target.add(name)


def _parse(doc: SourceDocument) -> tuple[BaseModel | None, list[Diagnostic]]:
    model_class = DOCUMENT_MODELS.get(doc.kind or "")
    if model_class is None:
        return None, []  # an unknown kind is a structural (S) error, already reported
    try:
        return model_class.model_validate(doc.data), []
    except ValidationError as error:
        # The schema accepted the document but the model did not: report each reason at its
        # node rather than failing the run (the schema and the models are generated from one
        # source, so this is rare — e.g. a string "1" where an integer is expected).
        return None, [
            doc.diagnostic(
                "R014",
                f"{doc.kind} does not parse: {item['msg']}",
                tuple(p for p in item["loc"] if isinstance(p, str | int)),
                hint="fix the value at this position (see docs/spec-language.md)",
            )
            for item in error.errors()
        ]


def _duplicate(
    code: str, what: str, name: str, first: SourceDocument, second: SourceDocument
) -> Diagnostic:
    where = first.locate(("name",))
    return second.diagnostic(
        code,
        f"duplicate {what} {name!r}: already defined at {where}",
        ("name",),
        hint=f"rename one of them; {what} names are global across the spec set",
        related=[where],
    )


def build_spec_set(
    valid_documents: Iterable[SourceDocument],
    invalid_documents: Iterable[SourceDocument] = (),
) -> tuple[SpecSet, list[Diagnostic]]:
    """Parse structurally valid documents into a :class:`SpecSet`; report duplicates (R001/R002).

    ``invalid_documents`` (those that failed load or schema checks) only contribute their names
    to :attr:`SpecSet.known_names`. Documents are taken in the given order; the first of two
    duplicates is kept and the second is reported, naming the first in ``related``.
    """
    spec_set = SpecSet()
    diagnostics: list[Diagnostic] = []
    for doc in invalid_documents:
        _remember(spec_set.known_names, doc)
    for doc in valid_documents:
        _remember(spec_set.known_names, doc)
        model, problems = _parse(doc)
        diagnostics.extend(problems)
        if isinstance(model, Workflow):
            existing_wf = spec_set.workflows.get(model.id)
            if existing_wf is not None:
                where = existing_wf.doc.locate(("name",))
                diagnostics.append(
                    doc.diagnostic(
                        "R002",
                        f"duplicate workflow id {model.id}: already defined at {where}",
                        ("name",),
                        hint="rename the workflow or bump its version",
                        related=[where],
                    )
                )
            else:
                spec_set.workflows[model.id] = Located(model, doc)
            continue
        table: dict[str, Any] | None
        what: str
        if isinstance(model, Instrument):
            table, what = spec_set.instruments, "instrument"
        elif isinstance(model, ParamSet):
            table, what = spec_set.param_sets, "ParamSet"
        elif isinstance(model, WorkflowTemplate):
            table, what = spec_set.templates, "template"
        else:
            continue
        existing = table.get(model.name)
        if existing is not None:
            diagnostics.append(_duplicate("R001", what, model.name, existing.doc, doc))
        else:
            table[model.name] = Located(model, doc)
    return spec_set, diagnostics
