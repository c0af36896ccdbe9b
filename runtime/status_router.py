"""The status router: raw heartbeats in, per-job / per-workflow / per-service state out.

Every job status goes to each job sink independently — by default the JobService (job-level
view) and the JobOrchestrator (JobSet state) — so that neither depends on the other and a failure
in one never starves the other. Service statuses go to the ServiceRegistry. Malformed messages are
rejected by the codec (counted per reason) and change nothing. Nothing raises out of ``route``.

The Kafka consumer (or ``heartbeats replay``) calls :meth:`StatusRouter.route_batch` from one
thread; receive time is taken once per batch from the local monotonic clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .clock import Clock, SystemClock
from .job_service import JobService
from .service_registry import ServiceRegistry
from .status import JobStatus, ServiceStatus
from .x5f2 import Decoded, Rejection, X5f2Decoder

log = logging.getLogger(__name__)

JobSink = Callable[[Sequence[JobStatus], float], None]
"""Receives the job statuses of one batch and their local receive time (monotonic seconds),
e.g. ``JobService.update_many`` or ``JobOrchestrator.statuses_updated``."""


class StatusRouter:
    """Decodes and routes heartbeats; see the module docstring."""

    def __init__(
        self,
        *,
        job_sinks: Sequence[JobSink] = (),
        service_registry: ServiceRegistry | None = None,
        job_service: JobService | None = None,
        decoder: X5f2Decoder | None = None,
        clock: Clock | None = None,
        prune_interval_s: float = 5.0,
    ) -> None:
        self._clock = clock or SystemClock()
        self.decoder = decoder or X5f2Decoder(clock=self._clock)
        self.job_service = job_service
        self.service_registry = service_registry
        sinks = list(job_sinks)
        if job_service is not None:
            sinks.insert(0, job_service.update_many)
        self._job_sinks = tuple(sinks)
        self._prune_interval_s = prune_interval_s
        self._last_prune = self._clock.monotonic()
        self._lock = threading.Lock()
        self._counts = {"jobs": 0, "services": 0, "rejected": 0, "sink_errors": 0}

    @classmethod
    def for_runtime(
        cls,
        orchestrator: Any,
        *,
        clock: Clock | None = None,
        job_service: JobService | None = None,
        service_registry: ServiceRegistry | None = None,
        decoder: X5f2Decoder | None = None,
    ) -> StatusRouter:
        """The usual wiring: JobService + orchestrator for jobs, a ServiceRegistry for services."""
        clock = clock or SystemClock()
        return cls(
            job_sinks=[orchestrator.statuses_updated],
            job_service=job_service or JobService(clock),
            service_registry=service_registry or ServiceRegistry(clock),
            decoder=decoder,
            clock=clock,
        )

    @property
    def counters(self) -> dict[str, int]:
        """Snapshot: routed jobs/services, rejected messages, sink errors, and per-reason counts."""
        with self._lock:
            counts = dict(self._counts)
        for reason, n in self.decoder.rejections.items():
            counts[f"rejected.{reason}"] = n
        return counts

    def route(self, raw: Any, received_at: float | None = None) -> Decoded | Rejection:
        """Decode and route one message; returns what the codec made of it."""
        now = self._clock.monotonic() if received_at is None else received_at
        result = self.decoder.decode(raw)
        if type(result) is Decoded:
            self.route_statuses((result.status,), now)
        else:
            with self._lock:
                self._counts["rejected"] += 1
        return result

    def route_batch(self, raws: Iterable[Any], received_at: float | None = None) -> int:
        """Route a batch received at one moment; returns how many were valid."""
        now = self._clock.monotonic() if received_at is None else received_at
        decode = self.decoder.decode_status
        statuses = [decode(raw) for raw in raws]
        valid = [s for s in statuses if type(s) is not Rejection]
        rejected = len(statuses) - len(valid)
        if rejected:
            with self._lock:
                self._counts["rejected"] += rejected
        self.route_statuses(valid, now)
        if now - self._last_prune >= self._prune_interval_s:
            self.prune(now)
        return len(valid)

    def route_status(
        self, status: JobStatus | ServiceStatus, received_at: float | None = None
    ) -> None:
        """Route one already parsed status (e.g. from a simulator in the same process)."""
        now = self._clock.monotonic() if received_at is None else received_at
        self.route_statuses((status,), now)

    def route_statuses(
        self, statuses: Sequence[JobStatus | ServiceStatus], received_at: float
    ) -> None:
        """Route parsed statuses received at one moment: jobs to every job sink, each sink
        independently (one failing never starves another), services to the ServiceRegistry."""
        jobs = [s for s in statuses if type(s) is JobStatus]
        services = (
            [s for s in statuses if type(s) is ServiceStatus] if len(jobs) < len(statuses) else ()
        )
        if jobs:
            for sink in self._job_sinks:
                try:
                    sink(jobs, received_at)
                except Exception:
                    self._sink_failed(sink)
        if services and self.service_registry is not None:
            for service in services:
                try:
                    self.service_registry.update(service, received_at)
                except Exception:
                    self._sink_failed(self.service_registry.update)
        with self._lock:
            self._counts["jobs"] += len(jobs)
            self._counts["services"] += len(services)

    def prune(self, now: float | None = None) -> None:
        """Bound the views (old jobs, stopped/stale workers); done every ``prune_interval_s``."""
        now = self._clock.monotonic() if now is None else now
        self._last_prune = now
        if self.job_service is not None:
            self.job_service.prune(now)
        if self.service_registry is not None:
            self.service_registry.prune(now)

    def _sink_failed(self, sink: Any) -> None:
        with self._lock:
            self._counts["sink_errors"] += 1
        log.warning(
            "status sink %r failed; the other sinks still got the status", sink, exc_info=True
        )
