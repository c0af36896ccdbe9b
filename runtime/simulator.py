"""A simulated livedata backend: the stand-in for real services in the demo, tests and benchmarks.

It speaks the exact wire format (ADR 0007) on the instrument's topics:

- consumes ``{instrument}_livedata_commands``; a start (``workflow_config``) is answered ``ACK``,
  or ``ERR`` with the pydantic message when the params do not validate against the workflow's
  params model, or when the source is not one the workflow runs on; a command for a workflow it
  does not know gets no reply at all (as a backend without that workflow); workflows with an
  ``executor`` are not the backend's business and are ignored;
- beats like the real backend (checked field by field against tests/data/real-captures): every
  ``heartbeat_interval_s`` (2 s) one batch with one x5f2 heartbeat per running job and one per
  service. A new job reports ``scheduled`` at once (no times), then ``active`` with its
  ``start_time`` and an ``end_time`` that moves to the beat's time on every beat, so no two beats
  of a job repeat; a stopped job sends one final ``stopped`` beat, then is silent. The envelopes
  report what the backend's do: ``update_interval`` 1000 ms on job beats, 2000 ms on service
  beats, whatever ``heartbeat_interval_s`` is (the backend's job beats, too, come every 2 s);
- publishes timeseries results on ``{instrument}_livedata_data`` for ``timeseries_data`` and
  ``monitor_histogram`` jobs (``correlation.timeseries_source``), so correlation instances work;
- faults can be injected: a job in ``error`` (with a traceback) or ``warning``, and a crashed
  service, which stops heartbeating for itself and its jobs.

Threads: one consumer thread handles commands; one ticker thread emits heartbeats and data. All
state sits behind one lock.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from wfspec.compiler import WorkflowId, WorkflowSpec

from .commands import JobCommand, WorkflowConfigCommand, decode_command
from .kafka.config import producer_config
from .kafka.consumer import TopicConsumer
from .kafka.topics import Topics, ensure_topics
from .lifecycle import StartStop
from .status import JobId, JobState, JobStatus, ServiceState, ServiceStatus
from .x5f2 import JOB_UPDATE_INTERVAL_MS, SERVICE_UPDATE_INTERVAL_MS, encode_status

__all__ = ["SimulatedBackend"]

log = logging.getLogger(__name__)

Lookup = Callable[[WorkflowId], WorkflowSpec | None]


SOFTWARE_VERSION = "26.8.0"
"""The backend version the simulator stands in for (the real captures' ``software_version``)."""


@dataclass(slots=True)
class _Job:
    workflow_id: WorkflowId
    job_id: JobId
    service: str
    start_time: int
    state: JobState = JobState.SCHEDULED
    error: str | None = None
    warning: str | None = None


def job_beat(job: _Job, now_ns: int, *, host: str = "", pid: int = 0) -> bytes:
    """One job heartbeat as the backend writes it: a ``scheduled`` job has no times yet; later
    beats carry the ``start_time`` and ``end_time`` = the time of the beat."""
    scheduled = job.state is JobState.SCHEDULED
    status = JobStatus(
        job_id=job.job_id,
        workflow_id=job.workflow_id,
        state=job.state,
        error=job.error,
        warning=job.warning,
        start_time=None if scheduled else job.start_time,
        end_time=None if scheduled else max(now_ns, job.start_time),
    )
    return encode_status(
        status,
        software_version=SOFTWARE_VERSION,
        host_name=host,
        process_id=pid,
        update_interval=JOB_UPDATE_INTERVAL_MS,
    )


def service_beat(
    instrument: str, name: str, worker: str, started_at: int, jobs: int, *, host: str = "",
    pid: int = 0,
) -> bytes:  # fmt: skip
    """One service heartbeat as the backend writes it (``stream_stats`` null, batches of 1 s)."""
    status = ServiceStatus(
        instrument=instrument,
        service_name=name,
        worker_id=worker,
        state=ServiceState.RUNNING,
        started_at=started_at,
        active_job_count=jobs,
        error=None,
        batch_interval_s=1.0,
        stream_stats=None,
    )
    return encode_status(
        status,
        software_version=SOFTWARE_VERSION,
        host_name=host,
        process_id=pid,
        update_interval=SERVICE_UPDATE_INTERVAL_MS,
    )


class SimulatedBackend(StartStop):
    """Answers commands and heartbeats like the livedata backend (see the module docstring).

    ``lookup`` finds a workflow's spec (the bundle's ``workflows.get`` or a registry's ``get``);
    ``services`` are the service names that heartbeat even without jobs (default: none until a
    job of the service runs).
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        instrument: str,
        lookup: Lookup,
        *,
        services: Iterable[str] = (),
        heartbeat_interval_s: float = 2.0,
        data_interval_s: float = 0.5,
        publish_data: bool = True,
    ) -> None:
        from confluent_kafka import Producer

        self.instrument = instrument
        self.topics = Topics(instrument)
        self._settings = dict(settings)
        self._lookup = lookup
        self._interval = heartbeat_interval_s
        self._data_interval = data_interval_s
        self._producer = Producer(producer_config(settings))
        self._consumer = TopicConsumer(
            settings,
            {self.topics.commands: self._on_commands},
            before_resubscribe=self._ensure_topics,
            name="simulator",
        )
        self._lock = threading.RLock()
        self._jobs: dict[tuple[WorkflowId, str], _Job] = {}
        self._workers = {name: str(uuid.uuid4()) for name in services}
        self._started_at = time.time_ns()
        self._crashed: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._host = socket.gethostname()
        self._data = None
        if publish_data:
            from .correlation.timeseries_source import TimeseriesSource

            self._data = TimeseriesSource()
        self.acks = 0
        self.errs = 0

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SimulatedBackend:
        self._ensure_topics()
        self._consumer.start()
        self._consumer.wait_assigned()
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick_loop, name="simulator ticks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self._consumer.stop()
        self._producer.flush(2)

    def _ensure_topics(self) -> None:
        ensure_topics(self._settings, self.topics.all())

    # -- faults ---------------------------------------------------------------------------------

    def fail_job(self, workflow_id: WorkflowId | str, source_name: str, error: str) -> None:
        """Put a running job in ``error`` with ``error`` (e.g. a multi-line traceback)."""
        self._set_fault(workflow_id, source_name, JobState.ERROR, error=error)

    def warn_job(self, workflow_id: WorkflowId | str, source_name: str, warning: str) -> None:
        """Put a running job in ``warning`` with ``warning``."""
        self._set_fault(workflow_id, source_name, JobState.WARNING, warning=warning)

    def crash_service(self, service_name: str) -> None:
        """The service stops heartbeating, for itself and every job it runs (a crash)."""
        with self._lock:
            self._crashed.add(service_name)

    def running_jobs(self) -> dict[tuple[WorkflowId, str], JobState]:
        with self._lock:
            return {key: job.state for key, job in self._jobs.items()}

    def _set_fault(
        self, workflow_id: WorkflowId | str, source: str, state: JobState, **text: str
    ) -> None:
        wid = WorkflowId.of(workflow_id)
        with self._lock:
            job = self._jobs[(wid, source)]
            job.state, job.error, job.warning = state, text.get("error"), text.get("warning")
            self._emit([self._job_heartbeat(job)])

    # -- commands -------------------------------------------------------------------------------

    def _on_commands(self, raws: list[bytes]) -> None:
        for raw in raws:
            try:
                command = decode_command(raw)
            except (ValueError, ValidationError):
                log.info("simulator: unparseable command ignored (no reply, as the backend)")
                continue
            if isinstance(command, WorkflowConfigCommand):
                self._start(command)
            elif command.action == "stop":
                self._stop_jobs(command)
            else:
                self._reply(command.message_id, "all", None)
        self._producer.flush(2)

    def _start(self, command: WorkflowConfigCommand) -> None:
        spec = self._lookup(command.identifier)
        source = command.job_id.source_name
        if spec is None or spec.executor is not None:
            return  # not a workflow of this backend: no reply
        if source not in spec.source_names:
            allowed = ", ".join(spec.source_names)
            self._reply(
                command.message_id,
                source,
                f"source {source!r} is not allowed for {spec.id} (allowed: {allowed})",
            )
            return
        try:
            spec.params.model_validate(command.params)
        except ValidationError as exc:
            self._reply(command.message_id, source, str(exc))
            return
        job = _Job(spec.id, command.job_id, spec.service_name, time.time_ns())
        with self._lock:
            self._jobs[(spec.id, source)] = job
            self._workers.setdefault(job.service, str(uuid.uuid4()))
            if self._data is not None:
                self._data.job_started(spec.id, source, command.job_id.job_number)
        self._reply(command.message_id, source, None)
        self._emit([self._job_heartbeat(job)])
        job.state = JobState.ACTIVE
        job.start_time = time.time_ns()

    def _stop_jobs(self, command: JobCommand) -> None:
        with self._lock:
            if command.job_id is not None:
                matches = [
                    key
                    for key, job in self._jobs.items()
                    if job.job_id == command.job_id
                    and (command.workflow_id is None or job.workflow_id == command.workflow_id)
                ]
                device = f"{command.job_id.source_name}/{command.job_id.job_number}"
            else:
                matches = [
                    k for k, job in self._jobs.items() if job.workflow_id == command.workflow_id
                ]
                device = "all"
            final = []
            for key in matches:
                job = self._jobs.pop(key)
                job.state = JobState.STOPPED
                if job.service not in self._crashed:
                    final.append(self._job_heartbeat(job))
                if self._data is not None:
                    self._data.job_stopped(
                        job.workflow_id, job.job_id.source_name, job.job_id.job_number
                    )
        if matches:
            self._reply(command.message_id, device, None)
            self._emit(final)

    def _reply(self, message_id: UUID, device: str, error: str | None) -> None:
        payload = {
            "message_id": str(message_id),
            "device": device,
            "response": "ERR" if error else "ACK",
            "message": error,
        }
        if error:
            self.errs += 1
        else:
            self.acks += 1
        self._producer.produce(
            self.topics.responses, value=json.dumps(payload, separators=(",", ":")).encode()
        )

    # -- heartbeats and data --------------------------------------------------------------------

    def _job_heartbeat(self, job: _Job) -> bytes:
        return job_beat(job, time.time_ns(), host=self._host, pid=os.getpid())

    def _service_heartbeat(self, name: str, worker: str, jobs: int) -> bytes:
        return service_beat(
            self.instrument, name, worker, self._started_at, jobs, host=self._host, pid=os.getpid()
        )

    def heartbeat_now(self) -> None:
        """Emit one round of job and service heartbeats (the ticker does this every interval)."""
        with self._lock:
            alive = [j for j in self._jobs.values() if j.service not in self._crashed]
            values = [self._job_heartbeat(j) for j in alive]
            for name, worker in sorted(self._workers.items()):
                if name not in self._crashed:
                    count = sum(1 for j in alive if j.service == name)
                    values.append(self._service_heartbeat(name, worker, count))
        self._emit(values)

    def _emit(self, values: list[bytes]) -> None:
        for value in values:
            self._producer.produce(self.topics.heartbeat, value=value)
        self._producer.poll(0)

    def _tick_loop(self) -> None:
        next_beat = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_beat:
                self.heartbeat_now()
                next_beat = now + self._interval
            if self._data is not None:
                with self._lock:
                    records = self._data.tick(time.time_ns())
                for record in records:
                    self._producer.produce(self.topics.data, value=record)
                self._producer.poll(0)
            self._stop.wait(min(self._data_interval, max(0.0, next_beat - time.monotonic())))
