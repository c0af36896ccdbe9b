"""Backend workers seen through their service heartbeats, grouped by (instrument, service).

A worker is *fresh* while heard from within ``stale_after_s`` (30 s by default, local receive
time). Workers come and go (restarts get a new worker_id), so workers that stopped or went stale
are capped per (instrument, service): only the ``max_inactive_per_service`` most recent are kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .clock import Clock, SystemClock
from .status import ServiceState, ServiceStatus

DEFAULT_SERVICE_STALE_AFTER_S = 30.0

ServiceKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ObservedService:
    """A worker's latest heartbeat and the local monotonic time it was received."""

    status: ServiceStatus
    received_at: float

    def is_fresh(self, now: float, stale_after_s: float) -> bool:
        return now - self.received_at <= stale_after_s

    def is_inactive(self, now: float, stale_after_s: float) -> bool:
        """Stopped, or silent for too long: a candidate for pruning."""
        return self.status.state is ServiceState.STOPPED or not self.is_fresh(now, stale_after_s)


class ServiceRegistry:
    """Workers per (instrument, service_name). Thread-safe; readers get snapshots."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        stale_after_s: float = DEFAULT_SERVICE_STALE_AFTER_S,
        max_inactive_per_service: int = 8,
        max_services: int = 1024,
    ) -> None:
        self._clock = clock or SystemClock()
        self.stale_after_s = stale_after_s
        self._max_inactive = max_inactive_per_service
        self._max_services = max_services
        self._lock = threading.Lock()
        self._services: dict[ServiceKey, dict[str, ObservedService]] = {}
        self._version = 0

    @property
    def version(self) -> int:
        return self._version

    def update(self, status: ServiceStatus, received_at: float | None = None) -> None:
        """Record a worker heartbeat; a new worker triggers pruning of its group."""
        now = self._clock.monotonic() if received_at is None else received_at
        key = (status.instrument, status.service_name)
        with self._lock:
            workers = self._services.get(key)
            if workers is None:
                if len(self._services) >= self._max_services:
                    self._prune_services(now)
                workers = self._services[key] = {}
            old = workers.get(status.worker_id)
            workers[status.worker_id] = ObservedService(status, now)
            if old is None:
                self._prune_group(workers, now)
            if old is None or old.status != status:
                self._version += 1

    def snapshot(self) -> dict[ServiceKey, dict[str, ObservedService]]:
        """A copy: (instrument, service_name) -> worker_id -> ObservedService."""
        with self._lock:
            return {key: dict(workers) for key, workers in self._services.items()}

    def workers(self) -> list[ObservedService]:
        """Every known worker, sorted by instrument, service and worker id."""
        return [
            o for _, workers in sorted(self.snapshot().items()) for _, o in sorted(workers.items())
        ]

    def prune(self, now: float | None = None) -> None:
        """Apply the per-service cap on stopped/stale workers to every group."""
        now = self._clock.monotonic() if now is None else now
        with self._lock:
            for workers in self._services.values():
                self._prune_group(workers, now)

    def _prune_group(self, workers: dict[str, ObservedService], now: float) -> None:
        inactive = [
            (o.received_at, wid)
            for wid, o in workers.items()
            if o.is_inactive(now, self.stale_after_s)
        ]
        if len(inactive) > self._max_inactive:
            inactive.sort()
            for _, wid in inactive[: len(inactive) - self._max_inactive]:
                del workers[wid]
            self._version += 1

    def _prune_services(self, now: float) -> None:
        """Too many groups: drop those whose workers are all inactive, oldest first."""
        dead = [
            (max(o.received_at for o in workers.values()) if workers else 0.0, key)
            for key, workers in self._services.items()
            if all(o.is_inactive(now, self.stale_after_s) for o in workers.values())
        ]
        dead.sort()
        excess = len(self._services) - self._max_services + 1
        for _, key in dead[: max(excess, 0)]:
            del self._services[key]
        if len(self._services) >= self._max_services:  # all alive: drop the oldest anyway
            oldest = min(
                self._services,
                key=lambda k: max((o.received_at for o in self._services[k].values()), default=0),
            )
            del self._services[oldest]
