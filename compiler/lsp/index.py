"""What the spec set defines, for hover, definition and completion: names and where they live.

Built from the checker's own result (``CheckResult.spec_set``) after each run, so the editor
sees exactly the instruments, sources, ParamSets, workflows, outputs and timeseries the checker
saw, unsaved buffers included. Each lookup answers a name with the model and the place (file,
JSON path) it is defined; positions come from the document's locator, as in diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import JsonPath, Location
from ..documents import WorkflowTemplate
from ..ids import TimeseriesReference, WorkflowId
from ..services import known_services
from ..specset import Located, SpecSet

__all__ = ["Definition", "SpecIndex"]

"""The ESS livedata backend's services: a workflow's group (or service) names one of them."""


@dataclass(frozen=True, slots=True)
class Definition:
    """Where a name is defined: its model (for hover) and its location (for go to definition)."""

    model: Any
    location: Location
    path: JsonPath


def _at(located: Located, *parts: str | int) -> tuple[Location, JsonPath]:
    path = located.at(*parts)
    return located.doc.locate(path), path


class SpecIndex:
    """Lookups over one spec set (empty when the checker could not build one)."""

    def __init__(self, spec_set: SpecSet | None) -> None:
        self.spec_set = spec_set or SpecSet()
        self._by_place: dict[tuple[Path, int], Located] | None = None

    # ----------------------------------------------------------------- documents by name
    def instrument(self, name: str) -> Definition | None:
        entry = self.spec_set.instruments.get(name)
        if entry is None:
            return None
        location, path = _at(entry, "name")
        return Definition(entry.model, location, path)

    def param_set(self, name: str) -> Definition | None:
        entry = self.spec_set.param_sets.get(name)
        if entry is None:
            return None
        location, path = _at(entry, "name")
        return Definition(entry.model, location, path)

    def source(self, instrument: str, name: str) -> Definition | None:
        entry = self.spec_set.instruments.get(instrument)
        if entry is None:
            return None
        for index, source in enumerate(entry.model.sources):
            if source.name == name:
                location, path = _at(entry, "sources", index, "name")
                return Definition(source, location, path)
        return None

    def workflow(self, workflow_id: WorkflowId) -> Located | None:
        return self.spec_set.workflows.get(workflow_id)

    def output(self, reference: TimeseriesReference) -> Definition | None:
        entry = self.spec_set.workflows.get(reference.workflow_id)
        if entry is None or reference.output_name not in entry.model.outputs:
            return None
        location, path = _at(entry, "outputs", reference.output_name)
        return Definition(entry.model.outputs[reference.output_name], location, path)

    # ----------------------------------------------------------------- names for completion
    def instrument_names(self) -> list[str]:
        return sorted(self.spec_set.instruments)

    def param_set_names(self) -> list[str]:
        return sorted(self.spec_set.param_sets)

    def source_names(self, instrument: str | None) -> list[Any]:
        """The instrument's sources (every instrument's when it is unknown)."""
        names = (
            [instrument]
            if instrument in self.spec_set.instruments
            else list(self.spec_set.instruments)
        )
        return [s for n in names for s in self.spec_set.instruments[n].model.sources]

    def groups(self) -> list[str]:
        """The services check knows (backend, executors, declared) plus every group and service
        the spec set uses: the same list R019 judges by (``services.known_services``)."""
        declared = [s for i in self.spec_set.instruments.values() for s in i.model.services]
        found = set(known_services(declared))
        for entry in self.spec_set.workflows.values():
            found.add(entry.model.group)
            if entry.model.service:
                found.add(entry.model.service)
        return sorted(found)

    def timeseries(self, instrument: str | None = None) -> list[TimeseriesReference]:
        instruments = [instrument] if instrument else sorted(self.spec_set.instruments)
        return [ref for name in instruments for ref in self.spec_set.timeseries(name)]

    def template(self, name: str) -> Located | None:
        return self.spec_set.templates.get(name)

    def template_at(self, path: Path, document: int) -> Located | None:
        """The template parsed from a file's ``document``-th YAML document, if any."""
        entry = self.document_at(path, document)
        return entry if entry is not None and isinstance(entry.model, WorkflowTemplate) else None

    def document_at(self, path: Path, document: int) -> Located | None:
        """The parsed model (any kind) of a file's ``document``-th YAML document, if any.

        ``path`` is resolved; documents are named by the compiler's display name (relative to
        the current folder when below it), so both sides are compared resolved.
        """
        if self._by_place is None:
            self._by_place = {}
            tables = (
                self.spec_set.workflows,
                self.spec_set.templates,
                self.spec_set.param_sets,
                self.spec_set.instruments,
            )
            for table in tables:
                for entry in table.values():
                    place = (Path(entry.doc.file).resolve(), entry.doc.index)
                    self._by_place.setdefault(place, entry)
        return self._by_place.get((path, document))
