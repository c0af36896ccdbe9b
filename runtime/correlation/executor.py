"""The in-process executor of ``executor: correlation_histogram`` workflows.

It takes the place of a backend service for template instances that no backend runs:

- as a command sink (``send(batch)``) it receives the same start (``workflow_config``) and stop
  (``job_command``) commands the orchestrator sends to Kafka, and starts or stops one local job
  per source; a job's ``source_name`` is the canonical string of the timeseries it histograms
  (``dummy/monitor_histogram/1/counts_total@monitor1``), its axes come from the instance's
  template config (``x_axis``, ``y_axis``), its edges and normalization from the params;
- it is fed the records of ``{instrument}_livedata_data`` (:meth:`on_record`), keeps the bounded
  timeseries history (:mod:`.history`) and updates every affected histogram incrementally;
- it reports each job's JobStatus through the status router like a backend heartbeat would
  (``scheduled`` until every axis has data, then ``active``; ``error`` with the message when the
  computation fails), once on every state change and again on :meth:`heartbeat`;
- it publishes every updated histogram as da00 with the instance's ResultKey (output
  ``histogram``) and keeps the latest one per instance and source, with a version counter, for
  the Python API (:meth:`latest`).

All entry points take one lock: commands come from the orchestrator's thread, records from the
data consumer's thread; readers get immutable snapshots.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from wfspec.compiler import TimeseriesReference, WorkflowId

from .da00 import Da00Error, decode_da00, encode_da00
from .histogram import CorrelationHistogram, HistogramError, make_edges
from .history import HistoryBounds, HistoryStore
from .result_key import ResultJobId, ResultKey, ResultKeyError

if TYPE_CHECKING:
    import scipp as sc

    from wfspec.compiler import WorkflowSpec

__all__ = [
    "EXECUTOR_NAME",
    "CorrelationExecutor",
    "DataPublisher",
    "HistogramSnapshot",
    "JobSnapshot",
    "job_status",
]

EXECUTOR_NAME = "correlation_histogram"
OUTPUT_NAME = "histogram"
_AXIS_KEYS = ("x", "y")
log = logging.getLogger(__name__)


class DataPublisher(Protocol):
    """Where published histograms go (Kafka in production: :mod:`.publisher`)."""

    def publish(self, value: bytes) -> None: ...


@dataclass(frozen=True)
class HistogramSnapshot:
    """The latest histogram of one job; ``version`` counts publications per instance+source."""

    workflow_id: WorkflowId
    source_name: str
    job_number: UUID
    version: int
    data: sc.DataArray


@dataclass(frozen=True)
class JobSnapshot:
    """A local job as the status router sees it."""

    workflow_id: WorkflowId
    source_name: str
    job_number: UUID
    state: str
    error: str | None
    start_time: int


@dataclass
class _Job:
    workflow_id: WorkflowId
    source_name: str
    job_number: UUID
    start_time: int
    histogram: CorrelationHistogram | None
    refs: tuple[TimeseriesReference, ...]
    error: str | None = None
    published_version: int = -1
    reported: tuple[str, str | None] | None = None

    @property
    def state(self) -> str:
        if self.error is not None or (self.histogram and self.histogram.error):
            return "error"
        return "active" if self.histogram is not None and self.histogram.ready else "scheduled"

    @property
    def message(self) -> str | None:
        return self.error or (self.histogram.error if self.histogram else None)


class CorrelationExecutor:
    """Runs correlation-histogram jobs in-process (see the module docstring).

    ``lookup`` finds the WorkflowSpec of a workflow id (the registry's lookup; None if unknown);
    ``report`` receives each JobStatus (the status router's job-status entry point);
    ``publisher`` gets the da00 bytes of each updated histogram (None: API only);
    ``make_status`` turns a :class:`JobSnapshot` into what ``report`` takes (default: the
    runtime's ``JobStatus``, see :func:`job_status`).
    """

    def __init__(
        self,
        lookup: Callable[[WorkflowId], WorkflowSpec | None],
        *,
        report: Callable[[Any], None] | None = None,
        publisher: DataPublisher | None = None,
        bounds: HistoryBounds | None = None,
        clock: Callable[[], int] = time.time_ns,
        make_status: Callable[[JobSnapshot], Any] | None = None,
    ) -> None:
        self._lookup = lookup
        self._report = report
        self._make_status = make_status or job_status
        self._publisher = publisher
        self._clock = clock
        self._lock = threading.RLock()
        self.store = HistoryStore(bounds, accept=self._is_timeseries)
        self._jobs: dict[tuple[WorkflowId, str], _Job] = {}
        self._by_ref: dict[TimeseriesReference, set[tuple[WorkflowId, str]]] = {}
        self._latest: dict[tuple[WorkflowId, str], HistogramSnapshot] = {}
        self._versions: dict[tuple[WorkflowId, str], int] = {}
        self.rejected: dict[str, int] = {}

    # -- which workflows are ours
    def handles(self, workflow_id: WorkflowId | str) -> bool:
        """True when ``workflow_id`` is registered with ``executor: correlation_histogram``."""
        spec = self._lookup(WorkflowId.of(workflow_id))
        return spec is not None and spec.executor == EXECUTOR_NAME

    # -- CommandSink
    def send(self, batch: Iterable[Any]) -> None:
        """Apply a command batch in order (start = ``workflow_config``, stop = ``job_command``)."""
        for command in batch:
            kind = getattr(command, "kind", None)
            if kind == "workflow_config":
                self.start_job(
                    command.identifier,
                    command.job_id.source_name,
                    command.job_id.job_number,
                    _as_dict(command.params),
                )
            elif kind == "job_command" and getattr(command, "action", None) == "stop":
                job_id = getattr(command, "job_id", None)
                self.stop_jobs(
                    getattr(command, "workflow_id", None),
                    source_name=None if job_id is None else job_id.source_name,
                    job_number=None if job_id is None else job_id.job_number,
                )
            else:
                log.info("correlation executor ignores command %r", kind)

    # -- jobs
    def start_job(
        self,
        workflow_id: WorkflowId | str,
        source_name: str,
        job_number: UUID | str,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """Start (or restart with a new job_number) the local job of one instance and source."""
        workflow_id = WorkflowId.of(workflow_id)
        job_number = UUID(str(job_number))
        with self._lock:
            self._remove((workflow_id, source_name))
            job = self._build(workflow_id, source_name, job_number, dict(params or {}))
            self._jobs[(workflow_id, source_name)] = job
            for ref in job.refs:
                self._by_ref.setdefault(ref, set()).add((workflow_id, source_name))
            self._after_update(job)

    def stop_jobs(
        self,
        workflow_id: WorkflowId | str | None,
        *,
        source_name: str | None = None,
        job_number: UUID | str | None = None,
    ) -> list[tuple[WorkflowId, str]]:
        """Stop matching jobs (all of a workflow, one source, or one job_number); silence follows.

        A stop for a job_number that is not the running one is ignored (the old generation
        already ended).
        """
        wid = None if workflow_id is None else WorkflowId.of(workflow_id)
        number = None if job_number is None else UUID(str(job_number))
        with self._lock:
            stopped = [
                key
                for key, job in self._jobs.items()
                if (wid is None or job.workflow_id == wid)
                and (source_name is None or job.source_name == source_name)
                and (number is None or job.job_number == number)
            ]
            for key in stopped:
                self._remove(key)
            return stopped

    # -- data
    def on_record(self, value: bytes) -> bool:
        """Feed one record of the data topic; False when it was not used (reason counted)."""
        try:
            record = decode_da00(value)
            key = ResultKey.from_json(record.source_name)
        except (Da00Error, ResultKeyError) as exc:
            return self._reject(str(exc).split(" (")[0])
        return self.on_result(key, record.data)

    def on_result(self, key: ResultKey, data: sc.DataArray) -> bool:
        """Feed one decoded result (our own published histograms are ignored)."""
        with self._lock:
            outcome = self.store.add(key, data)
            if not outcome.accepted:
                return self._reject(outcome.reason)
            for job_key in list(self._by_ref.get(key.reference, ())):
                job = self._jobs.get(job_key)
                if job is not None:
                    self._after_update(job)
            return True

    # -- readers
    def latest(self, workflow_id: WorkflowId | str, source_name: str) -> HistogramSnapshot | None:
        """The latest histogram of an instance and source (None before the first one)."""
        with self._lock:
            return self._latest.get((WorkflowId.of(workflow_id), source_name))

    def jobs(self) -> list[JobSnapshot]:
        """Every running local job with its state."""
        with self._lock:
            return [_snapshot(job) for job in self._jobs.values()]

    def heartbeat(self) -> None:
        """Report the status of every running job again (call every few seconds, like the
        backend's heartbeats, so the jobs never turn stale)."""
        with self._lock:
            for job in self._jobs.values():
                self._emit_status(job)

    # -- internals
    def _build(
        self, workflow_id: WorkflowId, source_name: str, job_number: UUID, params: dict[str, Any]
    ) -> _Job:
        job = _Job(workflow_id, source_name, job_number, self._clock(), None, ())
        try:
            spec = self._lookup(workflow_id)
            if spec is None or spec.executor != EXECUTOR_NAME:
                raise HistogramError(f"{workflow_id} is not a registered correlation histogram")
            data_ref = _parse_reference(source_name, "source name")
            axes = _axes_of(spec)
            dims = _dim_names(axes)
            edges = {}
            for dim, axis_key in zip(dims, axes, strict=True):
                edges_params = params.get(f"{axis_key}_edges")
                if edges_params is None:
                    edges_params = _default_params(spec).get(f"{axis_key}_edges")
                if edges_params is None:
                    raise HistogramError(
                        f"params have no {axis_key}_edges and {spec.id} defines no default"
                    )
                edges[dim] = make_edges(dim, edges_params)
            per_second = bool((params.get("normalization") or {}).get("per_second", False))
            job.refs = (data_ref, *axes.values())
            job.histogram = CorrelationHistogram(
                self.store.series(data_ref),
                {dim: self.store.series(ref) for dim, ref in zip(dims, axes.values(), strict=True)},
                edges,
                per_second=per_second,
                name=data_ref.source_name,
            )
        except HistogramError as exc:
            job.error = str(exc)
        except Exception as exc:  # reported as the job's error, never swallowed
            log.exception("local job %s of %s cannot start", source_name, workflow_id)
            job.error = f"cannot start the job: {type(exc).__name__}: {exc}"
        return job

    def _remove(self, key: tuple[WorkflowId, str]) -> None:
        job = self._jobs.pop(key, None)
        if job is None:
            return
        if job.histogram is not None:
            job.histogram.close()
        for ref in job.refs:
            self._by_ref.get(ref, set()).discard(key)

    def _after_update(self, job: _Job) -> None:
        state = (job.state, job.message)
        if state != job.reported:
            self._emit_status(job)
        hist = job.histogram
        if hist is None or hist.error or not hist.ready or hist.version == job.published_version:
            return
        job.published_version = hist.version
        self._publish(job, hist.result())

    def _publish(self, job: _Job, data: sc.DataArray) -> None:
        key = (job.workflow_id, job.source_name)
        version = self._versions.get(key, 0) + 1
        self._versions[key] = version
        self._latest[key] = HistogramSnapshot(
            job.workflow_id, job.source_name, job.job_number, version, data
        )
        if self._publisher is None:
            return
        result_key = ResultKey(
            workflow_id=job.workflow_id,
            job_id=ResultJobId(source_name=job.source_name, job_number=job.job_number),
            output_name=OUTPUT_NAME,
        )
        timestamp = int(data.coords["time"].value) if "time" in data.coords else self._clock()
        try:
            self._publisher.publish(encode_da00(result_key.to_json(), data, timestamp))
        except Exception as exc:  # a full producer queue must not stop the computation
            log.warning("publishing %s failed: %s", result_key.to_json(), exc)

    def _emit_status(self, job: _Job) -> None:
        job.reported = (job.state, job.message)
        if self._report is None:
            return
        try:
            self._report(self._make_status(_snapshot(job)))
        except Exception:  # the router never raises by contract; stay safe anyway
            log.exception("status report of %s failed", job.source_name)

    def _is_timeseries(self, ref: TimeseriesReference) -> bool:
        spec = self._lookup(ref.workflow_id)
        if spec is None or spec.executor == EXECUTOR_NAME:
            return False
        output = spec.outputs.get(ref.output_name)
        return output is not None and output.is_timeseries

    def _reject(self, reason: str) -> bool:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        return False


def job_status(job: JobSnapshot) -> Any:
    """The runtime's ``JobStatus`` of a local job, as a backend heartbeat would carry it."""
    from wfspec.runtime.status import JobId, JobState, JobStatus

    return JobStatus(
        job_id=JobId(source_name=job.source_name, job_number=job.job_number),
        workflow_id=job.workflow_id,
        state=JobState(job.state),
        error=job.error if job.state == "error" else None,
        warning=None,
        start_time=job.start_time,
        end_time=None,
    )


def _snapshot(job: _Job) -> JobSnapshot:
    return JobSnapshot(
        job.workflow_id, job.source_name, job.job_number, job.state, job.message, job.start_time
    )


def _as_dict(params: Any) -> dict[str, Any]:
    if params is None:
        return {}
    if hasattr(params, "model_dump"):
        return params.model_dump(mode="json")
    return dict(params)


def _parse_reference(value: Any, what: str) -> TimeseriesReference:
    try:
        if isinstance(value, TimeseriesReference):
            return value
        if isinstance(value, str):
            return TimeseriesReference.parse(value)
        return TimeseriesReference.model_validate(value)
    except Exception as exc:
        raise HistogramError(f"{what} {value!r} is not a timeseries reference: {exc}") from None


def _axes_of(spec: WorkflowSpec) -> dict[str, TimeseriesReference]:
    """``x`` (and ``y``) axis references from the instance's template config."""
    config = spec.origin.config if spec.origin is not None else {}
    axes = {
        key: _parse_reference(config[f"{key}_axis"], f"{key}_axis")
        for key in _AXIS_KEYS
        if config.get(f"{key}_axis") is not None
    }
    if "x" not in axes:
        raise HistogramError(f"{spec.id} has no x_axis in its template config")
    return axes


def _dim_names(axes: Mapping[str, TimeseriesReference]) -> list[str]:
    """Axis source names as dims (``motion1``), or x/y when both axes share a source name."""
    names = [ref.source_name for ref in axes.values()]
    return names if len(set(names)) == len(names) else list(axes)


def _default_params(spec: WorkflowSpec) -> dict[str, Any]:
    """The spec's default params; a spec whose defaults do not validate is the job's error."""
    try:
        return spec.params().model_dump(mode="json")
    except Exception as exc:
        first = str(exc).strip().splitlines()
        detail = " ".join(first[:3]) if first else type(exc).__name__
        raise HistogramError(
            f"the default params of {spec.id} do not validate ({detail}); give them explicitly"
        ) from None
