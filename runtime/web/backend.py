"""What the routes call: a live runtime (:class:`LiveBackend`) or a spec folder (preview).

Both answer the same questions -- workflows, templates, timeseries, add/delete an instance,
start/stop -- so the routes in :mod:`.app` do not know which one they talk to. Methods are
blocking (Kafka produce, file writes): the app runs them in a worker thread. Errors are
:class:`~.errors.ApiError` with the status code the API documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from wfspec.compiler import UnknownWorkflow, WorkflowId

from .errors import ApiError
from .forms import check_config, config_refusal, defaults_of, merged_params, validate_params
from .shapes import field_errors, monotonic_to_wall, timeseries_json, workflow_json

__all__ = ["Backend", "LiveBackend", "template_json"]

ACK_WAIT_S = 3.0
"""How long a start/stop request waits for the backend's ACK/ERR before it answers."""

Publish = Callable[[str, Any], None]


class Backend(Protocol):
    mode: str

    def info(self) -> dict[str, Any]: ...
    def workflows(self) -> list[dict[str, Any]]: ...
    def templates(self) -> list[dict[str, Any]]: ...
    def timeseries(self) -> list[dict[str, Any]]: ...
    def params_form(self, workflow_id: str) -> dict[str, Any]: ...
    def add_instance(self, template: Any, config: Any) -> tuple[int, dict[str, Any]]: ...
    def delete_instance(self, workflow_id: str) -> dict[str, Any]: ...
    def start(self, workflow_id: str, sources: Any, params: Any) -> dict[str, Any]: ...
    def stop(self, workflow_id: str) -> dict[str, Any]: ...
    def data(self, workflow_id: str) -> dict[str, Any]: ...
    def subscribe(self, publish: Publish) -> Callable[[], None]: ...


def parse_id(text: str) -> WorkflowId:
    try:
        return WorkflowId.parse(text)
    except Exception:
        raise ApiError(404, f"no workflow {text!r} (ids are instrument/name/version)") from None


def template_json(bundle: Any, template: Any) -> dict[str, Any]:
    form = bundle.template_form(template.name)
    return {
        "name": template.name,
        "title": template.title,
        "description": template.description,
        "config_schema": form["config_schema"],
        "ui_schema": form["ui_schema"],
    }


def params_form_json(spec: Any) -> dict[str, Any]:
    """A workflow's start form: JSON Schema + uiSchema (static and instances alike); live mode
    adds ``current`` (sources and params of the running jobs) for a reconfigure."""
    form = spec.form()
    return {
        "title": spec.title,
        "params_schema": form.json_schema,
        "ui_schema": form.ui_schema,
        "defaults": defaults_of(spec),
        "source_names": list(spec.source_names),
    }


class LiveBackend:
    """The routes on a running :class:`~wfspec.runtime.app.Runtime` of one instrument."""

    mode = "live"

    def __init__(self, runtime: Any, *, extra_info: Mapping[str, Any] | None = None) -> None:
        self.runtime = runtime
        self.registry = runtime.registry
        self.bundle = runtime.registry.bundle
        self._extra = dict(extra_info or {})

    # -- readers
    def info(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "instrument": self.runtime.instrument,
            "connected": self.runtime.connected,
            "diagnostics": [],
            **self._extra,
        }

    def _item(self, wid: WorkflowId, status: Any, to_wall: Callable[[float], float]) -> Any:
        spec = self.registry.get(wid)
        if spec is None:
            return None
        template = None
        if self.registry.is_template_instance(wid):
            template = self.registry.template_instance(wid)[0]
        return workflow_json(wid, spec, status, template=template, to_wall=to_wall)

    def workflows(self) -> list[dict[str, Any]]:
        ids = sorted(self.registry, key=str)
        statuses = self.runtime.workflow_statuses()
        to_wall = monotonic_to_wall(self.runtime.orchestrator.clock.monotonic)
        items = (self._item(wid, statuses.get(wid), to_wall) for wid in ids)
        return [item for item in items if item is not None]

    def templates(self) -> list[dict[str, Any]]:
        names = sorted(self.bundle.templates)
        return [template_json(self.bundle, self.bundle.template(name)) for name in names]

    def timeseries(self) -> list[dict[str, Any]]:
        return [timeseries_json(ref) for ref in self.bundle.timeseries(self.runtime.instrument)]

    def _spec(self, workflow_id: str) -> tuple[WorkflowId, Any]:
        wid = parse_id(workflow_id)
        spec = self.registry.get(wid)
        if spec is None:
            raise ApiError(404, f"no workflow {workflow_id!r} on {self.runtime.instrument}")
        return wid, spec

    def params_form(self, workflow_id: str) -> dict[str, Any]:
        wid, spec = self._spec(workflow_id)
        form = params_form_json(spec)
        state = self.runtime.states().get(wid)
        current = None if state is None else state.current
        if current is not None and current.jobs:
            # reconfigure starts from what runs now, not from the defaults
            first = next(iter(current.jobs.values()))
            form["current"] = {"sources": sorted(current.jobs), "params": dict(first.params)}
        return form

    def data(self, workflow_id: str) -> dict[str, Any]:
        """The latest histogram of each source of a correlation instance (for a chart)."""
        wid, _ = self._spec(workflow_id)
        status = self.runtime.workflow_statuses([wid]).get(wid)
        names = [s.source_name for s in status.sources] if status is not None else []
        series = []
        for name in names:
            snapshot = self.runtime.histogram(wid, name)
            if snapshot is not None:
                series.append({"source": name, "version": snapshot.version, **_xy(snapshot.data)})
        return {"id": str(wid), "series": series}

    # -- changes
    def add_instance(self, template: Any, config: Any) -> tuple[int, dict[str, Any]]:
        from wfspec.compiler import ConfigError, TemplateError
        from wfspec.runtime.registry import InstanceConflict, OtherInstrument

        check_config(self.bundle, template, config)
        try:
            wid = self.registry.register_from_template(template, config)
        except InstanceConflict as exc:
            raise ApiError(409, str(exc)) from None
        except OtherInstrument as exc:
            raise ApiError(422, str(exc), [{"field": "", "message": str(exc)}]) from None
        except (ConfigError, TemplateError) as exc:  # valid field by field, renders badly
            raise config_refusal(exc) from None
        spec = self.registry[wid]
        return 201, {"id": str(wid), "title": spec.title}

    def delete_instance(self, workflow_id: str) -> dict[str, Any]:
        from wfspec.runtime.registry import NotAnInstance

        wid = parse_id(workflow_id)
        try:
            self.registry.unregister(wid)  # the orchestrator stops its jobs first
        except NotAnInstance as exc:
            status = 409 if exc.static else 404
            raise ApiError(status, str(exc)) from None
        return {"id": str(wid), "deleted": True}

    def start(self, workflow_id: str, sources: Any, params: Any) -> dict[str, Any]:
        from wfspec.runtime.orchestrator import StageError

        wid, spec = self._spec(workflow_id)
        chosen = sources_of(spec, sources)
        values = validate_params(spec, merged_params(spec, params))
        staged: list[str] = []
        try:
            for source in chosen:
                self.runtime.stage(wid, source, values)
                staged.append(source)
        except StageError as exc:
            for source in staged:
                self.runtime.orchestrator.unstage(wid, source)
            raise ApiError(422, str(exc), field_errors(exc.errors, "params.")) from None
        except UnknownWorkflow as exc:
            raise ApiError(404, str(exc)) from None
        outcome = self.runtime.commit(wid)
        outcome.wait(ACK_WAIT_S)
        return self._outcome(wid, outcome)

    def stop(self, workflow_id: str) -> dict[str, Any]:
        wid, _ = self._spec(workflow_id)
        outcome = self.runtime.stop_workflow(wid)
        outcome.wait(ACK_WAIT_S)
        return self._outcome(wid, outcome)

    def _outcome(self, wid: WorkflowId, outcome: Any) -> dict[str, Any]:
        from .shapes import command_json

        job_set = outcome.job_set
        return {
            "id": str(wid),
            "job_number": None if job_set is None else str(job_set.job_number),
            "errors": list(outcome.errors),
            "command": command_json(self.runtime.last_command(wid)),
        }

    def subscribe(self, publish: Publish) -> Callable[[], None]:
        """Status changes -> ``publish("workflows", {changed, removed})`` (feed thread)."""

        def on_change(statuses: Sequence[Any]) -> None:
            to_wall = monotonic_to_wall(self.runtime.orchestrator.clock.monotonic)
            changed, removed = [], []
            for status in statuses:
                item = None if status.removed else self._item(status.workflow_id, status, to_wall)
                if item is None:
                    removed.append(str(status.workflow_id))
                else:
                    changed.append(item)
            publish("workflows", {"changed": changed, "removed": removed})

        return self.runtime.subscribe(on_change)


def sources_of(spec: Any, sources: Any) -> list[str]:
    if sources is None:
        return list(spec.source_names)
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise _sources_error("sources must be a list of source names")
    if not sources:
        raise _sources_error("choose at least one source")
    unknown = [s for s in sources if s not in spec.source_names]
    if unknown:
        allowed = ", ".join(spec.source_names)
        raise _sources_error(
            f"not a source of {spec.id}: {', '.join(unknown)} (allowed: {allowed})"
        )
    return list(dict.fromkeys(sources))


def _sources_error(message: str) -> ApiError:
    return ApiError(422, message, [{"field": "sources", "message": message}])


def _xy(data: Any) -> dict[str, Any]:
    """A 1-d histogram -> bin centres and values (a 2-d one: summed over its second axis)."""
    import numpy as np

    dim = data.dims[0]
    values = np.asarray(data.values, dtype=float)
    if values.ndim > 1:
        values = values.reshape(values.shape[0], -1).sum(axis=1)
    edges = np.asarray(data.coords[dim].values, dtype=float)
    x = (edges[:-1] + edges[1:]) / 2 if len(edges) == len(values) + 1 else edges
    return {
        "dim": dim,
        "unit": str(data.coords[dim].unit),
        "x": [float(v) for v in x],
        "y": [float(v) if np.isfinite(v) else 0.0 for v in values],
    }
